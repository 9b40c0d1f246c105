from django import forms
from django.utils import timezone

from h2h.accounts.models import User
from h2h.accounts.roles import Role
from h2h.area.config import get_area
from h2h.cases.stages import CLOSING_REASONS_FROM, ClosingReason, Stage, next_stages
from h2h.lib.forms import DateField


class MoveForm(forms.Form):
    to_stage = forms.ChoiceField(label="What has happened?", widget=forms.RadioSelect)
    on = DateField(label="Date it happened", past_only=True)
    closing_reason = forms.ChoiceField(label="If closing, why?", required=False, widget=forms.RadioSelect)
    note = forms.CharField(label="Note (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, case, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        stages = next_stages(case.stage, user.role) if user.is_active else []
        reasons = CLOSING_REASONS_FROM.get(Stage(case.stage), frozenset())
        if case.stage == Stage.REFERRAL_RECEIVED:
            # Accepting or declining needs the screening page, which records the cohort or the onward referral.
            stages = [s for s in stages if s != Stage.SCREENED]
            reasons = reasons - {ClosingReason.NOT_ELIGIBLE}
        self.fields["to_stage"].choices = [(s.value, s.label) for s in stages]
        self.fields["closing_reason"].choices = [(r.value, r.label) for r in ClosingReason if r in reasons]
        self.fields["on"].initial = timezone.localdate()

    def clean(self):
        data = super().clean()
        if data.get("to_stage") == Stage.CLOSED and not data.get("closing_reason"):
            self.add_error("closing_reason", "Select why the case is closing")
        if data.get("to_stage") != Stage.CLOSED:
            data["closing_reason"] = ""
        return data


class ScreeningForm(forms.Form):
    decision = forms.ChoiceField(label="Your decision", widget=forms.RadioSelect,
                                 choices=[("accept", "Accept into a cohort"), ("decline", "Decline")])
    cohort = forms.ChoiceField(label="Cohort", required=False, widget=forms.RadioSelect)
    reason = forms.CharField(label="Reason for your decision", widget=forms.Textarea(attrs={"rows": 3}),
                             required=False, help_text="Required when declining or accepting against a failed rule")
    onward_referral = forms.CharField(label="Advice given or onward referral", required=False,
                                      widget=forms.Textarea(attrs={"rows": 3}),
                                      help_text="Required when declining: who the person was referred on to")

    def __init__(self, *args, results, **kwargs):
        super().__init__(*args, **kwargs)
        self.results = {r.code: r for r in results}
        self.fields["cohort"].choices = get_area().cohort_choices

    def clean(self):
        data = super().clean()
        decision = data.get("decision")
        if decision == "accept":
            cohort = data.get("cohort")
            if not cohort:
                self.add_error("cohort", "Select the cohort the person is accepted into")
            elif not self.results[cohort].passed and not data.get("reason", "").strip():
                self.add_error("reason", "Explain why you are accepting although a rule of this cohort failed")
        if decision == "decline":
            if not data.get("reason", "").strip():
                self.add_error("reason", "Enter the reason for declining")
            if not data.get("onward_referral", "").strip():
                self.add_error("onward_referral", "Enter the advice given or where the person was referred on to")
        return data


class AssignForm(forms.Form):
    to_user = forms.ModelChoiceField(label="Coordinator", queryset=User.objects.none(),
                                     empty_label="Choose a coordinator")
    note = forms.CharField(label="Handover note", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text="What the new coordinator needs to know. Required when handing over.")

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_user"].queryset = User.objects.filter(
            organisation_id=case.service_id, role=Role.HHC, is_active=True
        ).order_by("first_name", "last_name")
        self.fields["to_user"].label_from_instance = lambda u: u.display_name


class NoteForm(forms.Form):
    text = forms.CharField(label="Add a case note", widget=forms.Textarea(attrs={"rows": 4}),
                           error_messages={"required": "Write the note before saving it"})
