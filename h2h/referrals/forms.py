"""The referral form, one page per question group (GOV.UK "one thing per page", loosely).

Each step is a plain Django form; the wizard in views.py keeps what was typed in the session until the
check-your-answers page submits it.
"""

from django import forms

from h2h.accounts.models import Organisation
from h2h.area import valuesets
from h2h.area.config import get_area
from h2h.lib.forms import DateField
from h2h.lib.identifiers import nhs_number_is_valid, nhs_number_normalise, postcode_is_valid, postcode_normalise
from h2h.referrals.models import Referral


class PersonForm(forms.Form):
    title = "About the person"
    first_name = forms.CharField(label="First name", max_length=100)
    last_name = forms.CharField(label="Last name", max_length=100)
    date_of_birth = DateField(label="Date of birth", past_only=True, help_text="For example, 27 3 1950")
    nhs_number = forms.CharField(
        label="NHS number (if known)",
        required=False,
        max_length=20,
        help_text="10 digits, for example 999 000 0018",
    )
    address_line_1 = forms.CharField(label="Address line 1", max_length=200)
    address_line_2 = forms.CharField(label="Address line 2 (optional)", max_length=200, required=False)
    town = forms.CharField(label="Town or city", max_length=100)
    postcode = forms.CharField(label="Postcode", max_length=10)
    phone = forms.CharField(label="Phone number (optional)", max_length=40, required=False)
    email = forms.EmailField(label="Email address (optional)", required=False)

    def clean_nhs_number(self):
        value = nhs_number_normalise(self.cleaned_data["nhs_number"])
        if value and not value.isdigit():
            raise forms.ValidationError("NHS number must contain only digits and spaces")
        if value and len(value) != 10:
            raise forms.ValidationError("NHS number must be 10 digits")
        if value and not nhs_number_is_valid(value):
            raise forms.ValidationError("Enter a valid NHS number: this one fails the check digit")
        return value

    def clean_postcode(self):
        value = postcode_normalise(self.cleaned_data["postcode"])
        if not postcode_is_valid(value):
            raise forms.ValidationError("Enter a real postcode, like NG7 2UH")
        return value


class WhereNowForm(forms.Form):
    title = "Where the person is now"
    setting = forms.ChoiceField(label="Where is the person now?", choices=valuesets.Setting.choices,
                                widget=forms.RadioSelect)
    hospital = forms.CharField(label="Hospital, unit or care home (if in one)", max_length=200, required=False)
    ward = forms.CharField(label="Ward (if in hospital)", max_length=100, required=False)
    admission_date = DateField(label="Date admitted", required=False, past_only=True,
                               help_text="Leave blank if the person is at home")
    medically_ready_date = DateField(label="Date medically ready for discharge", required=False,
                                     help_text="Leave blank if not yet known or not in a bed")

    def clean(self):
        data = super().clean()
        setting = data.get("setting")
        admitted, ready = data.get("admission_date"), data.get("medically_ready_date")
        in_bed = setting in valuesets.BED_SETTINGS
        if in_bed and not data.get("hospital"):
            self.add_error("hospital", "Enter the hospital, unit or care home the person is in")
        if in_bed and not admitted and "admission_date" not in self.errors:
            self.add_error("admission_date", "Enter the date the person was admitted")
        if admitted and ready and ready < admitted:
            self.add_error("medically_ready_date", "Date medically ready must be on or after the date admitted")
        if setting == valuesets.Setting.COMMUNITY and (admitted or ready):
            self.add_error("setting", "A person at home has no admission date: choose where they are now")
        return data


class HousingForm(forms.Form):
    title = "How their housing affects their health"
    reasons = forms.MultipleChoiceField(label="How does their housing affect their health?",
                                        widget=forms.CheckboxSelectMultiple, help_text="Select all that apply")
    housing_details = forms.CharField(label="Tell us more", widget=forms.Textarea(attrs={"rows": 4}), required=False,
                                      help_text="What about the home makes it unsafe or stops discharge")
    tenure = forms.ChoiceField(label="What is their current tenure?", choices=valuesets.Tenure.choices,
                               widget=forms.RadioSelect)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reasons"].choices = get_area().reason_choices
        self.fields["reasons"].error_messages["required"] = "Select at least one way their housing affects their health"


class HouseholdForm(forms.Form):
    title = "Household, mobility and benefits"
    household_size = forms.IntegerField(label="How many people will live in the new home, including them?",
                                        min_value=1, max_value=15, initial=1)
    household_details = forms.CharField(label="Who else is in the household? (optional)", required=False,
                                        widget=forms.Textarea(attrs={"rows": 3}))
    has_carer = forms.TypedChoiceField(label="Do they have a carer?", choices=[("yes", "Yes"), ("no", "No")],
                                       widget=forms.RadioSelect, coerce=lambda v: v == "yes")
    carer_details = forms.CharField(label="About the carer (optional)", required=False,
                                    widget=forms.Textarea(attrs={"rows": 3}))
    mobility = forms.ChoiceField(label="Mobility", choices=valuesets.Mobility.choices, widget=forms.RadioSelect)
    wheelchair_use = forms.ChoiceField(label="Wheelchair use", choices=valuesets.WheelchairUse.choices,
                                       widget=forms.RadioSelect)
    benefits = forms.MultipleChoiceField(label="Disability benefits received (optional)", required=False,
                                         choices=valuesets.Benefit.choices, widget=forms.CheckboxSelectMultiple)

    def clean_has_carer(self):
        return self.cleaned_data["has_carer"] is True


class ReferrerForm(forms.Form):
    title = "About the referrer"
    referrer_organisation = forms.ModelChoiceField(label="Referring organisation", queryset=Organisation.objects.all(),
                                                   empty_label="Choose an organisation")
    referrer_name = forms.CharField(label="Referrer's full name", max_length=200)
    referrer_role = forms.CharField(label="Job title", max_length=200, help_text="For example, discharge coordinator")
    referrer_phone = forms.CharField(label="Phone number", max_length=40)
    referrer_email = forms.EmailField(label="Email address", required=False)
    received_via = forms.ChoiceField(label="How was the referral received?", widget=forms.RadioSelect,
                                     choices=[(c, label) for c, label in Referral.ReceivedVia.choices
                                              if c in {"phone", "email"}])

    def __init__(self, *args, keyed_by_staff: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not keyed_by_staff:
            # A referrer refers for their own organisation, online: those answers come from their account.
            del self.fields["referrer_organisation"]
            del self.fields["received_via"]


class ConsentForm(forms.Form):
    title = "Consent"
    consent = forms.ChoiceField(label="Has the person agreed to this referral?", widget=forms.RadioSelect,
                                choices=Referral.Consent.choices,
                                error_messages={"required": "Select whether the person agreed to this referral"})
    consent_decision_maker = forms.CharField(label="Who made the best-interests decision?", required=False,
                                             max_length=200)
    consent_sharing = forms.MultipleChoiceField(label="What may we share, and with whom?",
                                                choices=Referral.Sharing.choices,
                                                widget=forms.CheckboxSelectMultiple,
                                                help_text="Select everything the person agreed to",
                                                error_messages={"required": "Select what the person agreed we may share"})
    consent_notes = forms.CharField(label="Anything else about consent (optional)", required=False,
                                    widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self):
        data = super().clean()
        if data.get("consent") == Referral.Consent.BEST_INTERESTS and not data.get("consent_decision_maker"):
            self.add_error("consent_decision_maker", "Enter who made the best-interests decision")
        if data.get("consent_sharing") and Referral.Sharing.HOUSING not in data["consent_sharing"]:
            self.add_error("consent_sharing", "The service cannot find a home without sharing with the housing provider")
        return data


STEPS = {
    "person": PersonForm,
    "where-now": WhereNowForm,
    "housing": HousingForm,
    "household": HouseholdForm,
    "referrer": ReferrerForm,
    "consent": ConsentForm,
}

