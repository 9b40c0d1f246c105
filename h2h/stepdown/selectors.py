"""Reading step-down placements: who may see which, the occupancy board for a date, average length of stay
and the next free date of each unit."""

import math
import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from h2h.accounts.models import Organisation, User
from h2h.audit.models import AuditEvent
from h2h.audit.services import audit_record
from h2h.stepdown.models import Placement, Unit
from h2h.area.config import StepDown as StepDownRules
from h2h.stepdown.rules import stepdown_rules


def placement_queryset_for_user(user: User) -> QuerySet[Placement]:
    """Placements a user may open: staff of the service that runs the unit, and nobody else."""
    if not user.is_authenticated or not user.in_service:
        return Placement.objects.none()
    return Placement.objects.filter(unit__service_id=user.organisation_id)


def get_placement_for_user(request, placement_id: int, *, audit_view: bool = False) -> Placement:
    """The placement if this user's service runs its unit; "not found" otherwise, so nobody learns that
    it exists."""
    try:
        placement = (
            placement_queryset_for_user(request.user)
            .select_related("unit", "case__person", "care_plan_by")
            .get(pk=placement_id)
        )
    except Placement.DoesNotExist:
        raise Http404("No such placement") from None
    if audit_view:
        audit_record(
            request,
            AuditEvent.Action.VIEW,
            object_type="stepdown_placement",
            object_id=placement.pk,
            person_id=placement.case.person_id,
            summary=f"Step-down placement {placement.pk} viewed",
        )
    return placement


def care_plan_due_on(placement: Placement, rules: StepDownRules) -> date:
    """The day by which the care and support plan is due.

    Arrival is recorded as a date, not a time, so "48 hours after arrival" is read as "by the same time two
    days later": the plan is due on arrival + 2 days and overdue from the day after, which never flags it
    early.
    """
    return placement.arrived_on + timedelta(days=math.ceil(rules.care_plan_due_hours / 24))


def care_plan_done_by(placement: Placement, on: date) -> bool:
    return placement.care_plan_done_at is not None and timezone.localdate(placement.care_plan_done_at) <= on


@dataclass
class BoardRow:
    unit: Unit
    placement: Placement | None = None  # who is in the flat on the board's date
    days: int | None = None  # days so far: board date − arrival
    leave_by: date | None = None  # arrival + maximum stay
    days_left: int | None = None
    nearing_max: bool = False
    over_max: bool = False
    care_plan_due: date | None = None
    care_plan_due_today: bool = False
    care_plan_overdue: bool = False
    next_planned: Placement | None = None
    next_free: date | None = None  # None while an overstaying occupant has no end in sight
    tags: list[tuple[str, str]] = field(default_factory=list)  # (text, govuk-tag modifier)

    @property
    def state(self) -> str:
        return "occupied" if self.placement else "free"

    @property
    def days_over(self) -> int:
        return -self.days_left if self.days_left is not None and self.days_left < 0 else 0


def _occupant(placements: list[Placement], on: date) -> Placement | None:
    for p in placements:
        if p.arrived_on is not None and p.arrived_on <= on and (p.left_on is None or p.left_on > on):
            return p
    return None


def next_free_date(placements: Iterable[Placement], on: date) -> date | None:
    """The first day from `on` when the unit is neither occupied nor planned for.

    An occupant is expected to leave on their planned end; one already past it gives no date (None). Plans
    not yet arrived hold the unit from planned_start to planned_end.
    """
    placements = list(placements)
    occupant = _occupant(placements, on)
    candidate = on
    if occupant is not None:
        if occupant.planned_end <= on:
            return None
        candidate = occupant.planned_end
    plans = sorted(
        (p for p in placements if p.arrived_on is None and p.left_on is None), key=lambda p: p.planned_start
    )
    for plan in plans:
        if plan.planned_start <= candidate < plan.planned_end:
            candidate = plan.planned_end
    return candidate


def occupancy_board(service: Organisation, on: date, rules: StepDownRules | None = None) -> list[BoardRow]:
    """Each active unit of the service on the date: free, or occupied by whom since when, with warnings."""
    rules = rules or stepdown_rules()
    units = list(Unit.objects.filter(service=service, active=True).order_by("name"))
    by_unit: dict[int, list[Placement]] = {u.pk: [] for u in units}
    relevant = (
        Placement.objects.filter(unit__in=units)
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=on))
        .select_related("case__person")
        .order_by("planned_start", "id")
    )
    for placement in relevant:
        by_unit[placement.unit_id].append(placement)
    rows = []
    for unit in units:
        placements = by_unit[unit.pk]
        row = BoardRow(unit=unit, next_free=next_free_date(placements, on))
        row.next_planned = next(
            (p for p in placements if p.arrived_on is None and p.planned_start >= on), None
        )
        occupant = _occupant(placements, on)
        if occupant is None:
            row.tags.append(("Free", "green"))
        else:
            row.placement = occupant
            row.days = (on - occupant.arrived_on).days
            row.leave_by = occupant.arrived_on + timedelta(days=rules.max_stay_days)
            row.days_left = rules.max_stay_days - row.days
            row.over_max = row.days > rules.max_stay_days
            row.nearing_max = not row.over_max and row.days_left <= rules.warning_days
            row.care_plan_due = care_plan_due_on(occupant, rules)
            if not care_plan_done_by(occupant, on):
                row.care_plan_overdue = on > row.care_plan_due
                row.care_plan_due_today = on == row.care_plan_due
            row.tags.append(("Occupied", "blue"))
            if row.over_max:
                row.tags.append(("Over maximum stay", "red"))
            elif row.nearing_max:
                row.tags.append(("Nearing maximum stay", "yellow"))
            if row.care_plan_overdue:
                row.tags.append(("Care plan overdue", "red"))
            elif row.care_plan_due_today:
                row.tags.append(("Care plan due today", "yellow"))
        rows.append(row)
    return rows


@dataclass(frozen=True)
class AverageStay:
    mean_days: float | None
    count: int


def average_length_of_stay(placements: Iterable[Placement]) -> AverageStay:
    """Mean of left_on − arrived_on over completed placements (arrived and left); others are ignored."""
    stays = [
        (p.left_on - p.arrived_on).days
        for p in placements
        if p.arrived_on is not None and p.left_on is not None
    ]
    return AverageStay(mean_days=statistics.fmean(stays) if stays else None, count=len(stays))


def outcome_counts(placements: Iterable[Placement]) -> list[tuple[str, int]]:
    """(outcome label, count) for ended placements, in the order of Placement.Outcome."""
    counts = Counter(p.outcome for p in placements if p.left_on is not None)
    return [(label, counts[value]) for value, label in Placement.Outcome.choices if counts[value]]


def completed_placements(service: Organisation) -> QuerySet[Placement]:
    return Placement.objects.filter(unit__service=service, arrived_on__isnull=False, left_on__isnull=False)
