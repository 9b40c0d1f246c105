from django import forms
from django.utils import timezone

from h2h.accounts.models import User
from h2h.lib.forms import DateField


class _CoordinatorChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


def _owner_field(queryset, *, required: bool, label: str = "Who does it") -> _CoordinatorChoice:
    return _CoordinatorChoice(label=label, queryset=queryset, required=required,
                              empty_label="Nobody yet" if not required else "Choose a coordinator",
                              error_messages={"required": "Choose a coordinator"})


class TaskForm(forms.Form):
    title = forms.CharField(label="What needs doing", max_length=200,
                            error_messages={"required": "Enter what needs doing"})
    due_on = DateField(label="Due date")
    owner = forms.ModelChoiceField(queryset=User.objects.none(), required=False)

    def __init__(self, *args, coordinators, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"] = _owner_field(coordinators, required=False)


class TaskCloseForm(forms.Form):
    status = forms.ChoiceField(label="Outcome", widget=forms.RadioSelect,
                               choices=[("done", "Done"), ("not_needed", "Not needed")],
                               error_messages={"required": "Select done or not needed"})
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text="Required when the task is not needed: say why")

    def clean(self):
        data = super().clean()
        if data.get("status") == "not_needed" and not data.get("note", "").strip():
            self.add_error("note", "Say why the task is not needed")
        return data


class VisitForm(forms.Form):
    done_on = DateField(label="Date of the visit", past_only=True)
    note = forms.CharField(label="Note (optional)", required=False, widget=forms.Textarea(attrs={"rows": 4}),
                           help_text="How the tenancy is going; no more health detail than the work needs")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["done_on"].initial = timezone.localdate()


class ReassignForm(forms.Form):
    to_user = forms.ModelChoiceField(queryset=User.objects.none())

    def __init__(self, *args, coordinators, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_user"] = _owner_field(coordinators, required=True, label="Give it to")


class ConcernForm(forms.Form):
    concern = forms.CharField(label="What is the concern?", widget=forms.Textarea(attrs={"rows": 4}),
                              error_messages={"required": "Enter what the concern is"})
    noticed_on = DateField(label="When it happened or was noticed", past_only=True)
    told_name = forms.CharField(label="Who was told (name)", max_length=200,
                                error_messages={"required": "Enter the name of who was told"})
    told_organisation = forms.CharField(label="Their organisation", max_length=200,
                                        help_text="For example the council's adult safeguarding team",
                                        error_messages={"required": "Enter their organisation"})
    told_on = DateField(label="When they were told", past_only=True)

    def clean(self):
        data = super().clean()
        if data.get("noticed_on") and data.get("told_on") and data["told_on"] < data["noticed_on"]:
            self.add_error("told_on", "When they were told cannot be before the concern")
        return data


class OutcomeForm(forms.Form):
    outcome = forms.CharField(label="Outcome", widget=forms.Textarea(attrs={"rows": 4}),
                              error_messages={"required": "Enter the outcome"})
    outcome_on = DateField(label="Date of the outcome", past_only=True)
