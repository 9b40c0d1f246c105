"""Changes to wrap-around tasks, follow-up visits and safeguarding concerns. Views call these and never save a
Task, Visit or SafeguardingConcern themselves."""

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from h2h.accounts.models import User
from h2h.accounts.roles import Role
from h2h.area.config import get_area
from h2h.cases.models import Case
from h2h.cases.selectors import add_months
from h2h.cases.services import CaseActionRefused, case_move
from h2h.cases.stages import Stage
from h2h.support.models import SafeguardingConcern, Task, Visit


class SupportActionRefused(Exception):
    """A change the rules do not allow; the message is shown to the user as it is."""


# The stage a recorded visit moves the case to, from the stage it must be in.
VISIT_MOVES = {
    Visit.Kind.TWO_WEEK: (Stage.TENANCY_START, Stage.FOLLOW_UP_2W),
    Visit.Kind.SIX_MONTH: (Stage.FOLLOW_UP_2W, Stage.FOLLOW_UP_6M),
}


def _default_owner(case: Case, by: User) -> User | None:
    if case.assigned_to_id:
        return case.assigned_to
    return by if by.role == Role.HHC else None


def support_stage_reached(*, case: Case, stage: str, on: date, by: User) -> None:
    """Called by case_move, inside its transaction: make the stage's tasks and, at tenancy start, the visits.

    A case that comes back to a stage (an offer refused, then another made) does not get the same task twice.
    """
    area = get_area()
    owner = _default_owner(case, by)
    templates = area.tasks_for(stage, case.cohort)
    if templates:
        existing = set(Task.objects.filter(case=case).exclude(code="").values_list("code", flat=True))
        Task.objects.bulk_create([
            Task(case=case, code=t.code, title=t.title, owner=owner, due_on=on + timedelta(days=t.due_days))
            for t in templates if t.code not in existing
        ])
    done_kind = next((kind for kind, (_, to_stage) in VISIT_MOVES.items() if to_stage == stage), None)
    if done_kind is not None:
        # However the move is recorded (the visit page, or the stage form on the case page), the visit is done.
        Visit.objects.filter(case=case, kind=done_kind, done_on__isnull=True).update(done_on=on, done_by=by)
    if stage == Stage.TENANCY_START:
        due = {
            Visit.Kind.TWO_WEEK: on + timedelta(days=area.first_follow_up_days),
            Visit.Kind.SIX_MONTH: add_months(on, area.second_follow_up_months),
        }
        scheduled = set(Visit.objects.filter(case=case).values_list("kind", flat=True))
        Visit.objects.bulk_create([
            Visit(case=case, kind=kind, due_on=due_on, owner=owner) for kind, due_on in due.items()
            if kind not in scheduled
        ])


def _check_service(case: Case, by: User) -> None:
    if by.organisation_id != case.service_id:
        raise SupportActionRefused("Only the service holding the case can change its support.")


def _check_owner(case: Case, owner: User | None) -> None:
    if owner is None:
        return
    if owner.organisation_id != case.service_id or owner.role != Role.HHC or not owner.is_active:
        raise SupportActionRefused("Work can only be given to an active coordinator of the service holding the case.")


def task_add(*, case: Case, title: str, due_on: date, owner: User | None, by: User) -> Task:
    _check_service(case, by)
    _check_owner(case, owner)
    if not case.is_open:
        raise SupportActionRefused("Tasks cannot be added to a closed case.")
    if not title.strip():
        raise SupportActionRefused("Enter what the task is.")
    return Task.objects.create(case=case, title=title.strip(), due_on=due_on, owner=owner)


def task_change(*, task: Task, by: User, title: str, due_on: date, owner: User | None) -> Task:
    with transaction.atomic():
        locked = Task.objects.select_for_update().select_related("case").get(pk=task.pk)
        _check_service(locked.case, by)
        _check_owner(locked.case, owner)
        if not locked.is_open:
            raise SupportActionRefused("Only an open task can be changed.")
        locked.title, locked.due_on, locked.owner = title.strip() or locked.title, due_on, owner
        locked.save(update_fields=["title", "due_on", "owner"])
        return locked


def task_close(*, task: Task, by: User, status: str, note: str = "", on: date | None = None) -> Task:
    """Mark a task done or not needed. Not needed asks for a reason in the note."""
    if status not in {Task.Status.DONE, Task.Status.NOT_NEEDED}:
        raise SupportActionRefused("A task is closed as done or not needed.")
    if status == Task.Status.NOT_NEEDED and not note.strip():
        raise SupportActionRefused("Say why the task is not needed.")
    on = on or timezone.localdate()
    with transaction.atomic():
        locked = Task.objects.select_for_update().select_related("case").get(pk=task.pk)
        _check_service(locked.case, by)
        if not locked.is_open:
            raise SupportActionRefused("This task is already closed.")
        if on > timezone.localdate():
            raise SupportActionRefused("The date cannot be in the future.")
        locked.status, locked.done_on, locked.done_by = status, on, by
        if note.strip():
            locked.note = note.strip()
        locked.save(update_fields=["status", "done_on", "done_by", "note"])
        return locked


def visit_record(*, visit: Visit, by: User, on: date, note: str = "") -> Visit:
    """Record a follow-up visit and move the case on (2-week → FOLLOW_UP_2W, 6-month → FOLLOW_UP_6M).

    The move goes through case_move, so only a coordinator of the service can record it, and not before the
    tenancy started.
    """
    with transaction.atomic():
        locked = Visit.objects.select_for_update().select_related("case").get(pk=visit.pk)
        case = locked.case
        _check_service(case, by)
        if not locked.is_open:
            raise SupportActionRefused("This visit is already recorded.")
        if not case.is_open:
            raise SupportActionRefused("The case is closed.")
        from_stage, to_stage = VISIT_MOVES[locked.kind]
        if case.stage != from_stage:
            raise SupportActionRefused(
                f"The case must be at '{Stage(from_stage).label}' to record the {locked.get_kind_display().lower()}."
            )
        try:
            case_move(case=case, to_stage=to_stage, by=by, on=on, note=note.strip())
        except CaseActionRefused as refused:
            raise SupportActionRefused(str(refused)) from None
        locked.done_on, locked.done_by, locked.note = on, by, note.strip()
        locked.save(update_fields=["done_on", "done_by", "note"])
        return locked


def work_reassign(*, item: Task | Visit, to_user: User, by: User) -> Task | Visit:
    """Give an open task or visit to another coordinator of the same service (cover while someone is away)."""
    if by.role != Role.PROJECT_MANAGER:
        raise SupportActionRefused("Only the project manager can reassign work.")
    with transaction.atomic():
        locked = type(item).objects.select_for_update().select_related("case").get(pk=item.pk)
        _check_service(locked.case, by)
        _check_owner(locked.case, to_user)
        if not locked.is_open:
            raise SupportActionRefused("Only open work can be reassigned.")
        locked.owner = to_user
        locked.save(update_fields=["owner"])
        return locked


def work_reassign_all(*, from_user: User, to_user: User, by: User) -> int:
    """Move all of one coordinator's open tasks and visits to another; returns how many moved."""
    if from_user.organisation_id != by.organisation_id:
        raise SupportActionRefused("That person is not in your service.")
    moved = 0
    with transaction.atomic():
        for model in (Task, Visit):
            items = model.objects.select_for_update().filter(owner=from_user)
            items = items.filter(status=Task.Status.OPEN) if model is Task else items.filter(done_on__isnull=True)
            for item in items:
                work_reassign(item=item, to_user=to_user, by=by)
                moved += 1
    return moved


def concern_raise(
    *, case: Case, by: User, concern: str, noticed_on: date, told_name: str, told_organisation: str, told_on: date
) -> SafeguardingConcern:
    _check_service(case, by)
    if told_on < noticed_on:
        raise SupportActionRefused("The date they were told cannot be before the date of the concern.")
    return SafeguardingConcern.objects.create(
        case=case, concern=concern.strip(), noticed_on=noticed_on, told_name=told_name.strip(),
        told_organisation=told_organisation.strip(), told_on=told_on, raised_by=by,
    )


def concern_outcome(*, concern: SafeguardingConcern, by: User, outcome: str, on: date) -> SafeguardingConcern:
    with transaction.atomic():
        locked = SafeguardingConcern.objects.select_for_update().select_related("case").get(pk=concern.pk)
        _check_service(locked.case, by)
        if on < locked.told_on:
            raise SupportActionRefused("The outcome cannot be before the concern was passed on.")
        locked.outcome, locked.outcome_on, locked.outcome_by = outcome.strip(), on, by
        locked.save(update_fields=["outcome", "outcome_on", "outcome_by"])
        return locked
