"""Reading jobs: which a user may see, which are overdue, and the on-time rate."""

from collections.abc import Iterable
from datetime import datetime

from django.db.models import QuerySet

from h2h.accounts.models import User
from h2h.accounts.roles import Role
from h2h.repairs.models import Job

# Who works repair jobs: the coordinators, their project manager and admin support (chasing contractors).
JOB_ROLES = frozenset({Role.HHC, Role.PROJECT_MANAGER, Role.ADMIN_OFFICER})


def job_queryset_for_user(user: User) -> QuerySet[Job]:
    """Jobs on cases held by the user's service, for the roles that work them; none for anyone else."""
    if not user.is_authenticated or not user.in_service or user.role not in JOB_ROLES:
        return Job.objects.none()
    return Job.objects.filter(case__service_id=user.organisation_id)


def overdue_jobs(jobs: QuerySet[Job], now: datetime) -> QuerySet[Job]:
    return jobs.filter(completed_at__isnull=True, cancelled=False, due_at__lt=now)


def on_time_rate(jobs: Iterable[Job]) -> float | None:
    """Share of completed jobs completed on or before their deadline; None when none is completed.

    Open and cancelled jobs are left out: an open job is not yet late or on time, and a cancelled one was
    never finished.
    """
    completed = [job for job in jobs if job.completed_at is not None and not job.cancelled]
    if not completed:
        return None
    return sum(job.completed_at <= job.due_at for job in completed) / len(completed)


def on_time_by_priority(jobs: Iterable[Job]) -> list[dict]:
    """One row per priority: completed count, on-time count and the rate."""
    jobs = list(jobs)
    rows = []
    for priority in Job.Priority:
        mine = [job for job in jobs if job.priority == priority and job.completed_at is not None]
        on_time = sum(bool(job.on_time) for job in mine)
        rows.append({"priority": priority, "completed": len(mine), "on_time": on_time,
                     "rate": on_time_rate(mine)})
    return rows
