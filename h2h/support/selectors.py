"""Reading tasks, visits and concerns: who may see which, and the work queues."""

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet

from h2h.accounts.models import User
from h2h.accounts.roles import Role
from h2h.cases.stages import Stage
from h2h.support.models import SafeguardingConcern, Task, Visit

# Who works tasks and visits: the coordinators, their project manager and admin support (scheduling, chasing).
WORK_ROLES = frozenset({Role.HHC, Role.PROJECT_MANAGER, Role.ADMIN_OFFICER})
# Safeguarding concerns are seen and raised by the coordinators and the project manager only.
SAFEGUARDING_ROLES = frozenset({Role.HHC, Role.PROJECT_MANAGER})


def _in_service(user: User, roles: frozenset) -> bool:
    return user.is_authenticated and user.in_service and user.role in roles


def task_queryset_for_user(user: User) -> QuerySet[Task]:
    if not _in_service(user, WORK_ROLES):
        return Task.objects.none()
    return Task.objects.filter(case__service_id=user.organisation_id)


def visit_queryset_for_user(user: User) -> QuerySet[Visit]:
    if not _in_service(user, WORK_ROLES):
        return Visit.objects.none()
    return Visit.objects.filter(case__service_id=user.organisation_id)


def concern_queryset_for_user(user: User) -> QuerySet[SafeguardingConcern]:
    if not _in_service(user, SAFEGUARDING_ROLES):
        return SafeguardingConcern.objects.none()
    return SafeguardingConcern.objects.filter(case__service_id=user.organisation_id)


def open_tasks(tasks: QuerySet[Task]) -> QuerySet[Task]:
    return tasks.filter(status=Task.Status.OPEN).exclude(case__stage=Stage.CLOSED)


def open_visits(visits: QuerySet[Visit]) -> QuerySet[Visit]:
    return visits.filter(done_on__isnull=True).exclude(case__stage=Stage.CLOSED)


def overdue_visits(visits: QuerySet[Visit], today: date) -> QuerySet[Visit]:
    return open_visits(visits).filter(due_on__lt=today)


@dataclass(frozen=True)
class WorkItem:
    """One row of a work queue: a task or a visit."""

    kind: str  # "task" or "visit"
    item: Task | Visit
    overdue: bool

    @property
    def due_on(self) -> date:
        return self.item.due_on


def work_queue(tasks: QuerySet[Task], visits: QuerySet[Visit], today: date) -> list[WorkItem]:
    """Open tasks and visits on open cases: the overdue first, then by due date."""
    related = ("case", "case__person", "owner")
    rows = [WorkItem("task", t, t.due_on < today) for t in open_tasks(tasks).select_related(*related)]
    rows += [WorkItem("visit", v, v.due_on < today) for v in open_visits(visits).select_related(*related)]
    rows.sort(key=lambda row: (not row.overdue, row.due_on, row.kind, row.item.pk))
    return rows


def coordinators(user: User) -> QuerySet[User]:
    """The active coordinators of this user's service: who work can be given to."""
    return User.objects.filter(organisation_id=user.organisation_id, role=Role.HHC, is_active=True).order_by(
        "first_name", "last_name"
    )
