"""The administrator's form for a new API client."""

from django import forms

from h2h.accounts.models import Organisation
from h2h.accounts.roles import Role
from h2h.api.services import API_ROLES


def role_choices() -> list[tuple[str, str]]:
    return [(role, f"{Role(role).label}: {what}") for role, what in API_ROLES.items()]


class ClientForm(forms.Form):
    name = forms.CharField(
        label="Name of the system", max_length=200,
        help_text="For example, NUH discharge system. Shown in the list of clients and the audit log",
        error_messages={"required": "Enter the name of the system",
                        "max_length": "The name must be 200 characters or fewer"},
    )
    organisation = forms.ModelChoiceField(
        label="Organisation it belongs to", queryset=Organisation.objects.all(),
        empty_label="Choose an organisation",
        help_text="The system sees what a person of this organisation with the role below would see",
        error_messages={"required": "Choose the organisation the system belongs to",
                        "invalid_choice": "Choose one of the organisations listed"},
    )
    role = forms.ChoiceField(
        label="What may it do?", widget=forms.RadioSelect, choices=role_choices,
        error_messages={"required": "Select what the system may do",
                        "invalid_choice": "Select one of the roles listed"},
    )
    contact_email = forms.EmailField(
        label="Contact email address (optional)", required=False,
        help_text="Who looks after the system: who to tell when its token is revoked",
        error_messages={"invalid": "Enter an email address in the correct format, like name@example.org"},
    )
