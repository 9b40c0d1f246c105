"""Who works the lettings side: staff of the organisation that runs the service, in one of the given roles."""

from django.http import Http404

from h2h.accounts.roles import LETTINGS_ROLES
from h2h.area.config import get_area


def in_service_lettings(user, roles=LETTINGS_ROLES) -> bool:
    return (
        user.is_active
        and user.role in roles
        and user.organisation_id is not None
        and user.organisation.code == get_area().service_organisation
    )


def require_service_lettings(request, roles=LETTINGS_ROLES) -> None:
    """"Not found" for anyone else, so lettings pages reveal nothing outside the service."""
    if not in_service_lettings(request.user, roles):
        raise Http404
