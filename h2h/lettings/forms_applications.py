"""Forms for the fast-track application: the HHC's answers, the manager's decision, the panel's review and
an evidence file. Rules that need the database (status, roles, file contents) live in
h2h/lettings/applications.py; these forms only check what was typed."""

from django import forms
from django.utils import timezone

from h2h.area import valuesets
from h2h.area.config import get_area
from h2h.lettings.models import Application
from h2h.lib.forms import DateField

ACCESS_NEEDS = [
    ("needs_step_free", "Ground floor or a lift: cannot manage stairs"),
    ("needs_wheelchair_standard", "Wheelchair-standard home"),
    ("needs_level_access_shower", "Level-access shower"),
]


def feature_label(code: str) -> str:
    return code.replace("_", " ").capitalize()


def _whole_number(question: str, subject: str, low: int, high: int) -> dict:
    return {
        "required": f"Enter {question}",
        "invalid": f"{subject} must be a whole number, like 2",
        "min_value": f"{subject} must be {low} or more",
        "max_value": f"{subject} must be {high} or fewer",
    }


class ApplicationForm(forms.Form):
    household_size = forms.IntegerField(
        label="How many people will live in the new home?", min_value=1, max_value=15,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        error_messages=_whole_number("how many people will live in the new home", "The number of people",
                                     1, 15),
        help_text="Include the person and anyone who will live with them",
    )
    bedrooms_needed = forms.IntegerField(
        label="How many bedrooms do they need?", min_value=0, max_value=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        error_messages=_whole_number("how many bedrooms they need", "The number of bedrooms", 0, 6),
        help_text="Count a bedroom for a carer who stays overnight",
    )
    access_needs = forms.MultipleChoiceField(
        label="Which of these does the person need?", required=False, choices=ACCESS_NEEDS,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that are essential. Homes without them are left out of the person's matches "
        "and shortlists.",
    )
    needs_features = forms.MultipleChoiceField(
        label="Special features needed", required=False, widget=forms.CheckboxSelectMultiple,
        help_text="For example a concrete floor for bariatric aids. Only features recorded in the stock are "
        "listed.",
    )
    preferred_areas = forms.MultipleChoiceField(
        label="Preferred lettings areas", required=False, widget=forms.CheckboxSelectMultiple,
        help_text="For example near family or a support network. Leave all unticked for any area.",
    )
    preferred_types = forms.MultipleChoiceField(
        label="Types of home", required=False, choices=valuesets.PropertyType.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="The types the person's cohort usually moves to are ticked to start with.",
    )
    medical_evidence = forms.CharField(
        label="Summary of the medical evidence", required=False, widget=forms.Textarea(attrs={"rows": 6}),
        help_text="The condition, how the current home affects it, and who gave the evidence and when. "
        "Needed before you send the application for sign-off; you can upload letters after saving.",
    )

    def __init__(self, *args, areas: list[str], features: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        # What is already chosen stays on offer even if the stock no longer has it.
        chosen_areas = self.initial.get("preferred_areas") or []
        chosen_features = self.initial.get("needs_features") or []
        self.fields["preferred_areas"].choices = [(a, a) for a in sorted(set(areas) | set(chosen_areas))]
        self.fields["needs_features"].choices = [
            (f, feature_label(f)) for f in sorted(set(features) | set(chosen_features))
        ]
        for name in ("preferred_areas", "needs_features"):
            if not self.fields[name].choices:
                del self.fields[name]

    @classmethod
    def initial_for_case(cls, case) -> dict:
        """First answers taken from the referral and the cohort; the HHC confirms them at the visit."""
        referral = case.referral
        wheelchair = referral.wheelchair_use == valuesets.WheelchairUse.ESSENTIAL
        limited = referral.mobility in (valuesets.Mobility.LIMITED, valuesets.Mobility.BED_BOUND)
        no_stairs = wheelchair or limited
        cohort = get_area().cohort(case.cohort)
        return {
            "household_size": referral.household_size,
            "bedrooms_needed": 1,
            "access_needs": [name for name, on in (("needs_step_free", no_stairs),
                                                   ("needs_wheelchair_standard", wheelchair)) if on],
            "preferred_types": list(cohort.property_types) if cohort else [],
        }

    @classmethod
    def initial_for_application(cls, application: Application) -> dict:
        return {
            "household_size": application.household_size,
            "bedrooms_needed": application.bedrooms_needed,
            "access_needs": [name for name, _ in ACCESS_NEEDS if getattr(application, name)],
            "needs_features": list(application.needs_features),
            "preferred_areas": list(application.preferred_areas),
            "preferred_types": list(application.preferred_types),
            "medical_evidence": application.medical_evidence,
        }

    def answers(self) -> dict:
        """The cleaned answers as the application's fields."""
        data = self.cleaned_data
        return {
            "household_size": data["household_size"],
            "bedrooms_needed": data["bedrooms_needed"],
            **{name: name in data["access_needs"] for name, _ in ACCESS_NEEDS},
            "needs_features": data.get("needs_features", []),
            "preferred_areas": data.get("preferred_areas", []),
            "preferred_types": data["preferred_types"],
            "medical_evidence": data["medical_evidence"],
        }


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Your decision", widget=forms.RadioSelect,
        choices=[("approve", "Approve: the application goes live today"),
                 ("return", "Return it to the coordinator")],
        error_messages={"required": "Select whether to approve or return the application"},
    )
    reason = forms.CharField(
        label="Reasons for returning it", required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Needed when you return it: what the coordinator must add or change",
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "return" and not data.get("reason", "").strip():
            self.add_error("reason", "Enter the reasons for returning the application")
        return data


class PanelReviewForm(forms.Form):
    reviewed_on = DateField(label="Date of the panel", past_only=True)
    note = forms.CharField(label="The panel's comments (optional)", required=False,
                           widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewed_on"].initial = timezone.localdate()


class EvidenceForm(forms.Form):
    file = forms.FileField(
        label="Upload a file",
        error_messages={"required": "Select a file", "empty": "The selected file is empty"},
        widget=forms.FileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )

    def __init__(self, *args, max_bytes: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = (
            f"A PDF, JPG or PNG up to {max_bytes // (1024 * 1024)} MB, such as a letter from a consultant "
            "or an OT report"
        )
