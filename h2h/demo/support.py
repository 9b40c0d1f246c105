"""Demo wrap-around support: hardship fund, repairs jobs, step-down flats and safeguarding, so those screens
look live. Runs after the cases and lettings exist (h2h/demo/generate.py); deterministic for a seed. Tasks and
follow-up visits need nothing here: case_move made them as the demo cases moved on.
"""

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import F
from django.utils import timezone

from h2h.accounts.models import Organisation, User
from h2h.accounts.roles import Role
from h2h.area.config import Area
from h2h.cases.models import Case, CaseEvent
from h2h.cases.stages import Stage
from h2h.hardship.models import Budget, SpendRequest, financial_year
from h2h.lib.workdays import deadline_for
from h2h.repairs.models import Job
from h2h.stepdown.models import Placement, ReviewNote, Unit
from h2h.support.models import SafeguardingConcern, Task

SPEND = (("Carpets for the living room and bedroom", "Furniture Reuse Nottingham", 320, 560),
         ("Bed and mattress", "Furniture Reuse Nottingham", 120, 260),
         ("Removal van and two porters", "Trent Removals", 180, 340),
         ("Cooker and fridge", "Sherwood Appliance Recycling", 150, 300),
         ("Curtains and bedding", "Home Start Furniture", 40, 120))
JOBS = ((Job.Kind.ADAPTATION, "Fit grab rails by the front door and in the bathroom", Job.Priority.URGENT),
        (Job.Kind.ADAPTATION, "Level-access shower to replace the bath", Job.Priority.ROUTINE),
        (Job.Kind.REPAIR, "No heating: boiler not firing", Job.Priority.EMERGENCY),
        (Job.Kind.REPAIR, "Kitchen tap leaking", Job.Priority.ROUTINE),
        (Job.Kind.HANDYPERSON, "Hang curtains and put up a key safe", Job.Priority.URGENT),
        (Job.Kind.HANDYPERSON, "Assemble bed and wardrobe on move day", Job.Priority.URGENT))
STAYS = (20, 28, 34, 38, 41, 41, 43, 45, 52, 39, 47, 36, 42, 49, 30, 44)


def _at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _tenancy_events(service: Organisation):
    return (CaseEvent.objects.filter(kind=CaseEvent.Kind.STAGE, to_stage=Stage.TENANCY_START, case__service=service)
            .select_related("case", "case__assigned_to").order_by("on", "id"))


def seed_support(*, seed: int, today: date, area: Area, service: Organisation) -> dict:
    rng = random.Random(seed * 104729 + 3)
    manager = User.objects.filter(organisation=service, role=Role.HOUSING_MANAGER).first()
    pm = User.objects.filter(organisation=service, role=Role.PROJECT_MANAGER).first()
    hhcs = list(User.objects.filter(organisation=service, role=Role.HHC).order_by("id"))
    contractors = [service, *Organisation.objects.filter(kind=Organisation.Kind.PARTNER_LANDLORD)]
    housed = list(_tenancy_events(service))

    # Hardship fund: a budget for this financial year and the last, spent on people moving in.
    year = financial_year(today)
    Budget.objects.bulk_create([Budget(service=service, year=y, amount=Decimal(a))
                                for y, a in ((year - 1, "15000.00"), (year, "15000.00"))])
    spend = []
    for event in housed[-60:]:
        if rng.random() < 0.5:
            continue
        what, supplier, low, high = rng.choice(SPEND)
        asked = event.on - timedelta(days=rng.randint(0, 5))
        by = event.case.assigned_to or hhcs[0]
        recent = (today - asked).days < 5
        status = SpendRequest.Status.REQUESTED if recent else rng.choice(
            [SpendRequest.Status.PAID] * 6 + [SpendRequest.Status.APPROVED, SpendRequest.Status.REFUSED])
        decider = manager if manager != by else pm
        spend.append(SpendRequest(
            case=event.case, year=financial_year(asked), what=what, supplier=supplier, amount=Decimal(rng.randint(low, high)),
            requested_by=by, requested_at=_at(asked, 11), status=status,
            decided_by=None if recent else decider, decided_at=None if recent else _at(asked + timedelta(days=1)),
            decision_note="Other funding found first: charity grant." if status == SpendRequest.Status.REFUSED else "",
            paid_by=pm if status == SpendRequest.Status.PAID else None,
            paid_at=_at(asked + timedelta(days=3)) if status == SpendRequest.Status.PAID else None))
    SpendRequest.objects.bulk_create(spend)

    # Repairs, adaptations and handyperson jobs around the move; a few still open, some of those overdue.
    jobs = []
    for event in housed[-80:]:
        if rng.random() < 0.45:
            continue
        kind, description, priority = rng.choice(JOBS)
        raised = _at(event.on + timedelta(days=rng.randint(0, 10)), rng.randint(9, 16))
        if raised.date() > today:
            continue
        due = deadline_for(priority, raised)
        open_job = (today - raised.date()).days < 25 and rng.random() < 0.5
        late = rng.random() < 0.2
        done = None if open_job else min(due + timedelta(days=rng.randint(1, 6)) if late
                                         else raised + (due - raised) * rng.uniform(0.2, 0.95), timezone.now())
        by = event.case.assigned_to or hhcs[0]
        jobs.append(Job(case=event.case, kind=kind, description=description, contractor=rng.choice(contractors),
                        priority=priority, raised_at=raised, raised_by=by, due_at=due, completed_at=done,
                        completed_by=by if done else None,
                        completion_note="Done; tenant happy with the work." if done else ""))
    Job.objects.bulk_create(jobs)

    # Step-down flats: four units, past stays averaging about six weeks, three people in now, one expected.
    units = Unit.objects.bulk_create([Unit(service=service, name=name, address=f"{name}, Linden Lodge, Nottingham")
                                      for name in ("Flat 1", "Flat 2", "Flat 3", "Flat 4")])
    movers = [c for c in Case.objects.filter(service=service, referral__setting="step_down_unit")
              .select_related("assigned_to").order_by("id")]
    placements = []
    day = today - timedelta(days=400)
    past = movers[:-4] if len(movers) > 4 else []
    unit_free = {u.pk: day for u in units}
    outcomes = [Placement.Outcome.OWN_HOME] * 2 + [Placement.Outcome.MORE_SUITABLE_HOME] * 5 + [
        Placement.Outcome.RESIDENTIAL_CARE, Placement.Outcome.READMITTED]
    for n, case in enumerate(past[:len(STAYS)]):
        unit = units[n % len(units)]
        arrived = unit_free[unit.pk] + timedelta(days=rng.randint(2, 12))
        stay = STAYS[n]
        if arrived + timedelta(days=stay) >= today - timedelta(days=60):
            break
        unit_free[unit.pk] = arrived + timedelta(days=stay)
        placements.append(Placement(unit=unit, case=case, planned_start=arrived,
                                    planned_end=arrived + timedelta(days=area.stepdown.max_stay_days),
                                    arrived_on=arrived, left_on=arrived + timedelta(days=stay),
                                    outcome=rng.choice(outcomes), care_plan_done_at=_at(arrived + timedelta(days=1)),
                                    care_plan_by=case.assigned_to, created_by=case.assigned_to or pm))
    current = movers[-4:] if len(movers) >= 4 else []
    shapes = ((area.stepdown.max_stay_days - 4, True), (12, True), (1, False))
    for unit, case, (days_in, plan_done) in zip(units, current, shapes, strict=False):
        arrived = today - timedelta(days=days_in)
        placements.append(Placement(unit=unit, case=case, planned_start=arrived,
                                    planned_end=arrived + timedelta(days=area.stepdown.max_stay_days),
                                    arrived_on=arrived, care_plan_done_at=_at(arrived + timedelta(days=1))
                                    if plan_done else None, care_plan_by=case.assigned_to if plan_done else None,
                                    created_by=case.assigned_to or pm))
    if len(current) == 4:
        placements.append(Placement(unit=units[3], case=current[3], planned_start=today + timedelta(days=3),
                                    planned_end=today + timedelta(days=3 + area.stepdown.max_stay_days),
                                    created_by=current[3].assigned_to or pm))
    Placement.objects.bulk_create(placements)
    reviews = [ReviewNote(placement=p, on=p.arrived_on + timedelta(days=7 * k), by=p.created_by,
                          note="MDT review: managing well; housing options discussed with the HHC.")
               for p in placements if p.arrived_on for k in (1, 2, 3)
               if p.arrived_on + timedelta(days=7 * k) <= (p.left_on or today)]
    ReviewNote.objects.bulk_create(reviews)

    # Safeguarding: a few concerns, one still waiting for its outcome.
    concerns = []
    for n, event in enumerate(housed[-40::13]):
        noticed = event.on - timedelta(days=rng.randint(5, 30))
        concerns.append(SafeguardingConcern(
            case=event.case, concern="Neighbour taking money for shopping; person anxious about it.",
            noticed_on=noticed, told_name="Duty social worker", told_organisation="Nottingham City Council",
            told_on=noticed, raised_by=event.case.assigned_to or hhcs[0],
            outcome="" if n == 0 else "Adult Social Care visited; safeguarding plan agreed.",
            outcome_on=None if n == 0 else noticed + timedelta(days=9),
            outcome_by=None if n == 0 else (event.case.assigned_to or hhcs[0])))
    SafeguardingConcern.objects.bulk_create(concerns)
    # Work done in the past was done: tasks due more than four days ago are closed on their due date, so queues
    # show this fortnight's work and a few overdue items, as a working service's would.
    # Ids first: PostgreSQL planned the UPDATE joined to cases badly (minutes on an unanalysed test database).
    past = list(Task.objects.filter(case__service=service, due_on__lt=today - timedelta(days=4),
                                    status=Task.Status.OPEN).values_list("pk", flat=True))
    Task.objects.filter(pk__in=past).update(status=Task.Status.DONE, done_on=F("due_on"), done_by=F("owner"))
    return {"spend": len(spend), "jobs": len(jobs), "placements": len(placements), "concerns": len(concerns)}
