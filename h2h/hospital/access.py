"""Who may see hospital activity pages.

EVALUATOR        uploads extracts, reads their reports, and decides the linkage reviews (which show NHS
                 numbers and dates of birth: what linkage needs, and nothing more).
PROJECT_MANAGER  of the organisation running the area's service may read the list of extracts and their
                 reports (counts and errors), read-only.
Everyone else gets "not found", so the pages reveal nothing outside those roles.
"""

from django.http import Http404

from h2h.accounts.roles import Role



def may_upload(user) -> bool:
    return user.is_authenticated and user.is_active and user.role == Role.EVALUATOR


def may_read(user) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    # Hospital files cover the area's people: a project manager of another organisation has no part in them.
    return user.role == Role.EVALUATOR or (user.role == Role.PROJECT_MANAGER and user.in_areas_service)


def require_evaluator(request) -> None:
    if not may_upload(request.user):
        raise Http404


def require_reader(request) -> None:
    if not may_read(request.user):
        raise Http404
