"""Raising, completing and cancelling repair jobs. Each runs in a transaction with the job (or case) locked;
views call these and never save a Job themselves."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from h2h.accounts.models import Organisation, User
from h2h.cases.models import Case
from h2h.lib.workdays import deadline_for
from h2h.repairs.models import Job


class JobActionRefused(Exception):
    """A change the rules do not allow; the message is shown to the user as it is."""


def _locked(job: Job) -> Job:
    return Job.objects.select_for_update().get(pk=job.pk)


def job_raise(
    *,
    case: Case,
    kind: str,
    priority: str,
    description: str,
    contractor: Organisation,
    by: User,
    raised_at: datetime | None = None,
) -> Job:
    """Commission a job on an open case; its deadline is fixed now from the configured deadline table."""
    raised_at = raised_at or timezone.now()
    if kind not in Job.Kind.values:
        raise JobActionRefused(f"Unknown kind of job '{kind}'.")
    if priority not in Job.Priority.values:
        raise JobActionRefused(f"Unknown priority '{priority}'.")
    if not case.is_open:
        raise JobActionRefused("Jobs cannot be raised on a closed case.")
    if by.organisation_id != case.service_id:
        raise JobActionRefused("Only the service holding the case can raise a job on it.")
    with transaction.atomic():
        return Job.objects.create(
            case=case, kind=kind, priority=priority, description=description.strip(), contractor=contractor,
            raised_at=raised_at, raised_by=by, due_at=deadline_for(priority, raised_at),
        )


def job_complete(*, job: Job, by: User, completed_at: datetime, note: str = "") -> Job:
    """Record when the contractor finished. A late completion is still recorded: it counts as late."""
    with transaction.atomic():
        locked = _locked(job)
        if locked.cancelled:
            raise JobActionRefused("This job was cancelled.")
        if locked.completed_at is not None:
            raise JobActionRefused("This job's completion is already recorded.")
        if completed_at > timezone.now():
            raise JobActionRefused("The completion time cannot be in the future.")
        if completed_at < locked.raised_at:
            raise JobActionRefused("The job cannot be completed before it was raised.")
        locked.completed_at, locked.completed_by, locked.completion_note = completed_at, by, note.strip()
        locked.save(update_fields=["completed_at", "completed_by", "completion_note"])
        return locked


def job_cancel(*, job: Job, by: User, reason: str = "") -> Job:
    """Withdraw an open job (no longer needed, raised in error); it then drops out of the on-time rate."""
    with transaction.atomic():
        locked = _locked(job)
        if not locked.is_open:
            raise JobActionRefused("Only an open job can be cancelled.")
        locked.cancelled, locked.cancelled_at, locked.cancelled_by = True, timezone.now(), by
        locked.cancel_reason = reason.strip()
        locked.save(update_fields=["cancelled", "cancelled_at", "cancelled_by", "cancel_reason"])
        return locked
