from django.conf import settings
from django.db import models
from django.db.models import Q

from h2h.accounts.models import Organisation
from h2h.cases.models import Case


class Job(models.Model):
    """A repair, adaptation or handyperson job commissioned for a person's home, with a deadline.

    States (derived, never stored as a status field):
      open       neither completed nor cancelled; overdue once due_at has passed;
      completed  completed_at and completed_by set; on time when completed_at <= due_at;
      cancelled  withdrawn before completion; left out of on-time figures.
    due_at is fixed when the job is raised (h2h.lib.workdays.deadline_for), so a later change of the area's
    deadlines does not move the goalposts of jobs already commissioned.
    """

    class Kind(models.TextChoices):
        REPAIR = "repair", "Repair"
        ADAPTATION = "adaptation", "Adaptation"
        HANDYPERSON = "handyperson", "Handyperson job"

    class Priority(models.TextChoices):
        EMERGENCY = "emergency", "Emergency"
        URGENT = "urgent", "Urgent"
        ROUTINE = "routine", "Routine"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="jobs")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    description = models.TextField()
    # Any organisation: a partner landlord, the provider's own repairs team or a contractor.
    contractor = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="repair_jobs")
    priority = models.CharField(max_length=20, choices=Priority.choices)
    raised_at = models.DateTimeField()
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    completion_note = models.TextField(blank=True)
    cancelled = models.BooleanField(default=False)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancel_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(completed_at__isnull=True, completed_by__isnull=True)
                | Q(completed_at__isnull=False, completed_by__isnull=False),
                name="job_completed_at_and_by_together",
            ),
            models.CheckConstraint(
                condition=~Q(cancelled=True, completed_at__isnull=False),
                name="job_not_both_cancelled_and_completed",
            ),
            models.CheckConstraint(
                condition=Q(due_at__gt=models.F("raised_at")), name="job_due_after_raised"
            ),
        ]
        indexes = [models.Index(fields=["case", "due_at"]), models.Index(fields=["completed_at", "due_at"])]

    def __str__(self):
        return self.reference

    @property
    def reference(self) -> str:
        return f"JOB-{self.pk:06d}"

    @property
    def is_open(self) -> bool:
        return self.completed_at is None and not self.cancelled

    def is_overdue(self, now) -> bool:
        return self.is_open and self.due_at < now

    @property
    def on_time(self) -> bool | None:
        """True or False once completed; None while open or if cancelled."""
        if self.completed_at is None:
            return None
        return self.completed_at <= self.due_at

    @property
    def status_label(self) -> str:
        if self.cancelled:
            return "Cancelled"
        if self.completed_at is not None:
            return "Completed on time" if self.on_time else "Completed late"
        return "Open"
