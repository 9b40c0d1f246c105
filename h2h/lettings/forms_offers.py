from django import forms

from h2h.lib.forms import DateField


def _reason(label: str, required_message: str, help_text: str = "") -> forms.CharField:
    return forms.CharField(label=label, help_text=help_text, widget=forms.Textarea(attrs={"rows": 4}),
                           error_messages={"required": required_message})


class HoldRequestForm(forms.Form):
    application = forms.ModelChoiceField(label="Who is the home for?", queryset=None,
                                         empty_label="Choose an application",
                                         error_messages={"required": "Choose who the home should be held for"})
    reason = _reason("Why should the home be held for this person?", "Enter why the home should be held",
                     "For example: the only ground-floor flat near their carer, and they are ready to leave "
                     "hospital.")

    def __init__(self, *args, applications, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["application"].queryset = applications
        self.fields["application"].label_from_instance = self._label

    @staticmethod
    def _label(application) -> str:
        return f"{application.case.person.full_name} ({application.reference}, {application.case.reference})"


class HoldDecideForm(forms.Form):
    decision = forms.ChoiceField(label="Your decision", widget=forms.RadioSelect,
                                 choices=[("approve", "Approve: hold the home"), ("refuse", "Refuse")],
                                 error_messages={"required": "Select approve or refuse"})
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text="Required when refusing: the coordinator sees it.")

    def clean(self):
        data = super().clean()
        if data.get("decision") == "refuse" and not data.get("note", "").strip():
            self.add_error("note", "Enter why the request is refused")
        return data


class OfferMakeForm(forms.Form):
    application = forms.IntegerField(widget=forms.HiddenInput)
    viewing_on = DateField(label="Viewing date", required=False,
                           help_text="Optional. For example, 27 3 2026")


class RefuseForm(forms.Form):
    reason = _reason("Why was the offer refused?", "Enter why the offer was refused",
                     "In the person's words where you can. The next person on the shortlist is offered "
                     "the home.")


class WithdrawForm(forms.Form):
    reason = _reason("Why is the offer withdrawn?", "Enter why the offer is withdrawn")


class SignUpForm(forms.Form):
    tenancy_start = DateField(label="Tenancy start date", past_only=True,
                              help_text="The date the tenancy agreement starts. For example, 27 3 2026")


class ReleaseForm(forms.Form):
    note = forms.CharField(label="Note (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}))
