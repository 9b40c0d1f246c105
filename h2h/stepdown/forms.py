from datetime import datetime, time

from django import forms
from django.utils import timezone

from h2h.lib.forms import DateField
from h2h.stepdown.models import Placement, Unit


class PlanForm(forms.Form):
    unit = forms.ModelChoiceField(
        label="Which flat?",
        queryset=Unit.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Select the flat"},
    )
    planned_start = DateField(label="Planned arrival date")
    planned_end = DateField(label="Planned leaving date")

    def __init__(self, *args, service, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(service=service, active=True).order_by("name")

    def clean(self):
        data = super().clean()
        start, end = data.get("planned_start"), data.get("planned_end")
        if start and end and end < start:
            self.add_error("planned_end", "Planned leaving date must be on or after the planned arrival date")
        return data


class ArriveForm(forms.Form):
    prefix = "arrive"
    on = DateField(label="Date of arrival", past_only=True)


class CarePlanForm(forms.Form):
    prefix = "careplan"
    on = DateField(label="Date the care and support plan was agreed", past_only=True)
    at_time = forms.TimeField(
        label="Time, for example 14:30",
        input_formats=["%H:%M", "%H.%M"],
        error_messages={
            "required": "Enter the time the plan was agreed",
            "invalid": "Enter the time as hours and minutes, like 14:30",
        },
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-5"}),
    )

    def agreed_at(self) -> datetime:
        data = self.cleaned_data
        return timezone.make_aware(datetime.combine(data["on"], data["at_time"] or time(12, 0)))


class ReviewForm(forms.Form):
    prefix = "review"
    on = DateField(label="Date of the review", past_only=True)
    note = forms.CharField(
        label="What the review found and agreed",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter what the review found and agreed"},
    )


class LeaveForm(forms.Form):
    prefix = "leave"
    on = DateField(label="Date the person left", past_only=True)
    outcome = forms.ChoiceField(
        label="Where did they move on to?",
        choices=Placement.Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select where the person moved on to"},
    )
    outcome_detail = forms.CharField(label="If other, where?", required=False, max_length=300)

    def clean(self):
        data = super().clean()
        if data.get("outcome") == Placement.Outcome.OTHER and not data.get("outcome_detail", "").strip():
            self.add_error("outcome_detail", "Say where the person moved on to")
        return data
