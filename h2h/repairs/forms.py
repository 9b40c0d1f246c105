import re
from datetime import datetime, time

from django import forms
from django.utils import timezone

from h2h.accounts.models import Organisation
from h2h.lib.forms import DateField
from h2h.lib.workdays import deadline_table
from h2h.repairs.models import Job

_TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")


def _deadline_text(kind: str, amount: int) -> str:
    unit = "hour" if kind == "hours" else "working day"
    return f"{amount} {unit}{'' if amount == 1 else 's'}"


class RaiseForm(forms.Form):
    kind = forms.ChoiceField(label="Kind of job", choices=Job.Kind.choices, widget=forms.RadioSelect,
                             error_messages={"required": "Select the kind of job"})
    priority = forms.ChoiceField(label="Priority", widget=forms.RadioSelect,
                                 error_messages={"required": "Select the priority"})
    contractor = forms.ModelChoiceField(label="Who will do the work", queryset=Organisation.objects.all(),
                                        empty_label="Choose an organisation",
                                        help_text="The contractor or partner landlord commissioned",
                                        error_messages={"required": "Choose who will do the work"})
    description = forms.CharField(label="What needs doing", widget=forms.Textarea(attrs={"rows": 4}),
                                  help_text="Describe the work, not the person's health",
                                  error_messages={"required": "Describe what needs doing"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        table = deadline_table()
        self.fields["priority"].choices = [
            (p.value, f"{p.label} (within {_deadline_text(*table[p.value])})") for p in Job.Priority
        ]


class CompleteForm(forms.Form):
    completed_on = DateField(label="Date the work was finished", past_only=True)
    completed_time = forms.CharField(label="Time it was finished", max_length=5,
                                     help_text="Use the 24-hour clock, for example 14:30",
                                     error_messages={"required": "Enter the time the work was finished"})
    note = forms.CharField(label="Note (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        now = timezone.localtime()
        self.fields["completed_on"].initial = now.date()
        self.fields["completed_time"].initial = now.strftime("%H:%M")

    def clean_completed_time(self) -> time:
        match = _TIME.match(self.cleaned_data["completed_time"].strip())
        if not match:
            raise forms.ValidationError("Enter the time in the 24-hour clock, for example 14:30")
        return time(int(match[1]), int(match[2]))

    @property
    def completed_at(self) -> datetime:
        data = self.cleaned_data
        return timezone.make_aware(datetime.combine(data["completed_on"], data["completed_time"]))


class CancelForm(forms.Form):
    reason = forms.CharField(label="Why is the job being cancelled?",
                             widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": "Enter why the job is being cancelled"})
