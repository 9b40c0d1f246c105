"""Changes to step-down placements: plan, arrive, care plan, weekly review, leave.

Each function checks the rules and refuses with PlacementRefused (its message is shown to the user as it
is). Access (who may touch which placement) is checked by h2h.stepdown.selectors.get_placement_for_user
before these are called; auditing is the view's job, as elsewhere.
"""

from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from h2h.accounts.models import User
from h2h.cases.models import Case
from h2h.stepdown.models import Placement, ReviewNote, Unit
from h2h.stepdown.rules import stepdown_rules


class PlacementRefused(Exception):  # noqa: N818 (named like cases.services.CaseActionRefused)
    """A change the rules do not allow; the message is shown to the user as it is."""


@transaction.atomic
def placement_plan(*, unit: Unit, case: Case, planned_start: date, planned_end: date, by: User) -> Placement:
    if not unit.active:
        raise PlacementRefused(f"{unit.name} is not taking placements")
    if case.service_id != unit.service_id:
        raise PlacementRefused("The unit belongs to another service")
    if not case.is_open:
        raise PlacementRefused("The case is closed")
    if planned_end < planned_start:
        raise PlacementRefused("The planned end must be on or after the planned start")
    max_stay = stepdown_rules().max_stay_days
    if (planned_end - planned_start).days > max_stay:
        raise PlacementRefused(f"A stay can be at most {max_stay} days")
    Unit.objects.select_for_update().get(pk=unit.pk)  # plans for one unit are made one at a time
    if case.stepdown_placements.filter(left_on__isnull=True).exists():
        raise PlacementRefused("This person already has a step-down placement that has not ended")
    clash = unit.placements.filter(
        left_on__isnull=True, planned_start__lt=planned_end, planned_end__gt=planned_start
    ).first()
    if clash is not None:
        raise PlacementRefused(
            f"{unit.name} is already planned from {clash.planned_start:%-d %B %Y} "
            f"to {clash.planned_end:%-d %B %Y}"
        )
    return Placement.objects.create(
        unit=unit, case=case, planned_start=planned_start, planned_end=planned_end, created_by=by
    )


def placement_arrive(*, placement: Placement, on: date, by: User) -> Placement:
    if placement.arrived_on is not None:
        raise PlacementRefused("The arrival is already recorded")
    try:
        with transaction.atomic():
            if (
                Placement.objects.filter(
                    unit_id=placement.unit_id, arrived_on__isnull=False, left_on__isnull=True
                )
                .exclude(pk=placement.pk)
                .exists()
            ):
                raise PlacementRefused(
                    f"{placement.unit.name} is occupied: record the current stay's leaving first"
                )
            placement.arrived_on = on
            placement.save(update_fields=["arrived_on"])
    except IntegrityError:
        # Two arrivals recorded at the same moment: the database constraint lets only one through.
        placement.arrived_on = None
        raise PlacementRefused(
            f"{placement.unit.name} is occupied: record the current stay's leaving first"
        ) from None
    return placement


def care_plan_record(*, placement: Placement, at: datetime, by: User) -> Placement:
    if placement.arrived_on is None:
        raise PlacementRefused("Record the arrival before the care and support plan")
    if placement.care_plan_done_at is not None:
        raise PlacementRefused("The care and support plan is already recorded")
    if timezone.localdate(at) < placement.arrived_on:
        raise PlacementRefused("The care and support plan cannot be before the arrival")
    placement.care_plan_done_at = at
    placement.care_plan_by = by
    placement.save(update_fields=["care_plan_done_at", "care_plan_by"])
    return placement


def review_add(*, placement: Placement, on: date, note: str, by: User) -> ReviewNote:
    if placement.arrived_on is None:
        raise PlacementRefused("Reviews start once the person has arrived")
    if on < placement.arrived_on:
        raise PlacementRefused("The review cannot be before the arrival")
    if placement.left_on is not None and on > placement.left_on:
        raise PlacementRefused("The review cannot be after the person left")
    if not note.strip():
        raise PlacementRefused("Enter what the review found")
    return ReviewNote.objects.create(placement=placement, on=on, note=note.strip(), by=by)


def placement_leave(
    *, placement: Placement, on: date, outcome: str, by: User, outcome_detail: str = ""
) -> Placement:
    if placement.arrived_on is None:
        raise PlacementRefused("The person has not arrived: there is no stay to end")
    if placement.left_on is not None:
        raise PlacementRefused("The leaving date is already recorded")
    if on < placement.arrived_on:
        raise PlacementRefused("The leaving date cannot be before the arrival")
    if outcome not in Placement.Outcome.values:
        raise PlacementRefused("Select where the person moved on to")
    if outcome == Placement.Outcome.OTHER and not outcome_detail.strip():
        raise PlacementRefused("Say where the person moved on to")
    placement.left_on = on
    placement.outcome = outcome
    placement.outcome_detail = outcome_detail.strip()
    placement.save(update_fields=["left_on", "outcome", "outcome_detail"])
    return placement
