"""What a referrer's system is told about a referral: one coarse status, shared by the REST and FHIR routers.

Deliberately coarser than the case page: no cohort, no closing reason (a closing reason such as "died" or
"entered residential care" is not the referrer's system's business), never health details. The same
function feeds `GET /api/v1/referrals/{reference}`, the FHIR Task and ServiceRequest, so they cannot disagree.
"""

from datetime import date

from django.utils import timezone

from h2h.cases.models import Case
from h2h.cases.stages import HOUSED_STAGES, ClosingReason, Stage
from h2h.referrals.models import Referral

RECEIVED, ACCEPTED, DECLINED = "received", "accepted", "declined"
REHOUSED, CLOSED, LINKED = "rehoused", "closed", "linked"

LABELS = {
    RECEIVED: "Received, waiting for screening",
    ACCEPTED: "Accepted by the service",
    DECLINED: "Not accepted by the service",
    REHOUSED: "Rehoused",
    CLOSED: "Closed",
}
# Every code referral_status can answer with (the OpenAPI description lists them).
CODES = (RECEIVED, ACCEPTED, DECLINED, REHOUSED, CLOSED, LINKED)


def case_status(case: Case) -> tuple[str, str, date]:
    """(code, label, updated_on) of a case: never `linked`, which only a referral can be."""
    if case.decision == Case.Decision.DECLINED or case.closing_reason == ClosingReason.NOT_ELIGIBLE:
        code = DECLINED
    elif case.stage in HOUSED_STAGES or case.closing_reason == ClosingReason.REHOUSED:
        code = REHOUSED
    elif case.stage == Stage.CLOSED:
        code = CLOSED
    elif case.stage == Stage.REFERRAL_RECEIVED:
        code = RECEIVED
    else:
        code = ACCEPTED  # screened, first visit, application live, offer
    return code, LABELS[code], case.stage_changed_on


def referral_status(referral: Referral) -> tuple[str, str, date]:
    """(code, label, updated_on) for a referral.

    A referral made while the person already had an open case did not start a case of its own: it is
    `linked`, and its label and date follow that case's status (so the referrer still learns of a rehousing).
    """
    case = referral.case
    if case is None:  # only between the referral and its case being saved, in one transaction
        return RECEIVED, LABELS[RECEIVED], timezone.localtime(referral.received_at).date()
    code, label, updated_on = case_status(case)
    if referral.linked_to_open_case:
        return LINKED, f"Linked to the person's open referral: {label[0].lower()}{label[1:]}", updated_on
    return code, label, updated_on
