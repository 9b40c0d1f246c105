from django.db.models import QuerySet
from django.http import Http404

from h2h.accounts.models import User
from h2h.accounts.roles import Role
from h2h.area.config import get_area
from h2h.cases.models import Case
from h2h.cases.stages import HOUSED_STAGES, ClosingReason, Stage
from h2h.referrals.models import Referral


def referral_queryset_for_user(user: User) -> QuerySet[Referral]:
    """Referrers see referrals made by their own organisation; service staff those sent to their service."""
    if not user.is_authenticated or not user.is_active or user.organisation_id is None:
        return Referral.objects.none()
    if user.role == Role.REFERRER:
        return Referral.objects.filter(referrer_organisation_id=user.organisation_id)
    if user.in_service:
        return Referral.objects.filter(service_id=user.organisation_id)
    return Referral.objects.none()


def get_referral_for_user(request, referral_id: int) -> Referral:
    """The referral if this user may see it; "not found" otherwise, so nobody learns that it exists."""
    try:
        return referral_queryset_for_user(request.user).select_related("person", "case").get(pk=referral_id)
    except Referral.DoesNotExist:
        raise Http404("No such referral") from None


def referral_status(referral: Referral) -> tuple[str, str]:
    """What a referrer is told about their referral: (status tag text, colour class). No health details."""
    case: Case | None = referral.case
    if case is None:
        return "Received", "govuk-tag--blue"
    if case.decision == Case.Decision.DECLINED:
        return "Not accepted", "govuk-tag--red"
    if case.stage == Stage.REFERRAL_RECEIVED:
        return "Waiting for screening", "govuk-tag--blue"
    if case.stage in HOUSED_STAGES or case.closing_reason == ClosingReason.REHOUSED:
        return "Rehoused", "govuk-tag--green"
    if case.stage == Stage.CLOSED:
        return f"Closed: {ClosingReason(case.closing_reason).label.lower()}", "govuk-tag--grey"
    cohort = get_area().cohort(case.cohort)
    return f"Accepted{': ' + cohort.name if cohort else ''}", "govuk-tag--turquoise"
