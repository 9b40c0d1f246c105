"""The case's stages and the one table that says which stage may follow which, and who may move it.

Every move goes through h2h.cases.services.case_move, which checks this table; tests walk every
(stage, next stage, role) triple against it (tests/test_stage_transitions.py).
"""

from django.db import models

from h2h.accounts.roles import Role


class Stage(models.TextChoices):
    REFERRAL_RECEIVED = "referral_received", "Referral received"
    SCREENED = "screened", "Screened and accepted"
    FIRST_VISIT = "first_visit", "First visit done"
    APPLICATION_LIVE = "application_live", "Application live"
    OFFER = "offer", "Offer made"
    TENANCY_START = "tenancy_start", "Tenancy started"
    FOLLOW_UP_2W = "follow_up_2w", "2-week follow-up done"
    FOLLOW_UP_6M = "follow_up_6m", "6-month follow-up done"
    CLOSED = "closed", "Closed"


class ClosingReason(models.TextChoices):
    REHOUSED = "rehoused", "Rehoused"
    WITHDRAWN = "withdrawn", "Withdrawn"
    NOT_ELIGIBLE = "not_eligible", "Not eligible"
    RESIDENTIAL_CARE = "residential_care", "Entered residential care"
    DIED = "died", "Died"
    MOVED_ELSEWHERE = "moved_elsewhere", "Moved elsewhere"


S = Stage
HHC, PM, HM, LO = Role.HHC, Role.PROJECT_MANAGER, Role.HOUSING_MANAGER, Role.LETTINGS_OFFICER
CLOSERS = frozenset({HHC, PM})

# (from, to) → roles that may make the move. Anything not listed is refused.
TRANSITIONS: dict[tuple[Stage, Stage], frozenset[str]] = {
    (S.REFERRAL_RECEIVED, S.SCREENED): frozenset({HHC, PM}),
    (S.SCREENED, S.FIRST_VISIT): frozenset({HHC}),
    # The housing manager's same-day sign-off is what makes a fast-track application live.
    (S.FIRST_VISIT, S.APPLICATION_LIVE): frozenset({HM}),
    # Offers are made and signed up by the HHC, or by the provider's lettings officers from a shortlist.
    (S.APPLICATION_LIVE, S.OFFER): frozenset({HHC, LO}),
    # A refused offer sends the case back to searching.
    (S.OFFER, S.APPLICATION_LIVE): frozenset({HHC, LO}),
    (S.OFFER, S.TENANCY_START): frozenset({HHC, LO}),
    (S.TENANCY_START, S.FOLLOW_UP_2W): frozenset({HHC}),
    (S.FOLLOW_UP_2W, S.FOLLOW_UP_6M): frozenset({HHC}),
    **{(stage, S.CLOSED): CLOSERS for stage in Stage if stage != S.CLOSED},
}

OPEN_STAGES = frozenset(set(Stage) - {S.CLOSED})
# Stages reached once the tenancy has started: the rehousing clock has stopped.
HOUSED_STAGES = frozenset({S.TENANCY_START, S.FOLLOW_UP_2W, S.FOLLOW_UP_6M})

# Which closing reasons make sense from where. Rehoused needs a tenancy; not eligible only before one.
CLOSING_REASONS_FROM: dict[Stage, frozenset[ClosingReason]] = {
    stage: frozenset(
        {
            ClosingReason.WITHDRAWN,
            ClosingReason.RESIDENTIAL_CARE,
            ClosingReason.DIED,
            ClosingReason.MOVED_ELSEWHERE,
        }
        | ({ClosingReason.REHOUSED} if stage in HOUSED_STAGES else {ClosingReason.NOT_ELIGIBLE})
    )
    for stage in OPEN_STAGES
}


def move_allowed(from_stage: str, to_stage: str, role: str) -> bool:
    return role in TRANSITIONS.get((from_stage, to_stage), frozenset())


def next_stages(from_stage: str, role: str) -> list[Stage]:
    return [to for (frm, to), roles in TRANSITIONS.items() if frm == from_stage and role in roles]
