from django.conf import settings
from django.db import models
from django.db.models import Q

from h2h.cases.models import Case


class Task(models.Model):
    """A piece of wrap-around work on a case (benefits check, utilities, removals…), with an owner and due date.

    States:
      open        to do; overdue once due_on has passed;
      done        done_on and done_by set;
      not_needed  closed without doing it (the note says why); done_on and done_by record who decided, when.
    Tasks made from the area's task templates keep the template's code; tasks added by hand have none.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        NOT_NEEDED = "not_needed", "Not needed"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="tasks")
    code = models.CharField(
        max_length=50, blank=True, help_text="The area task template it came from; blank if added by hand"
    )
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="support_tasks"
    )
    due_on = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    done_on = models.DateField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(status="open") & Q(done_on__isnull=True) & Q(done_by__isnull=True))
                | (~Q(status="open") & Q(done_on__isnull=False) & Q(done_by__isnull=False)),
                name="task_done_fields_exactly_when_closed",
            ),
        ]
        indexes = [models.Index(fields=["owner", "status", "due_on"]), models.Index(fields=["case", "status"])]

    def __str__(self):
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    def is_overdue(self, today) -> bool:
        return self.is_open and self.due_on < today


class Visit(models.Model):
    """A follow-up visit after the tenancy starts, scheduled from the area's [intervals].

    States: due (done_on empty; overdue once due_on has passed) and done (done_on and done_by set).
    Recording the 2-week visit moves the case to FOLLOW_UP_2W, the 6-month one to FOLLOW_UP_6M.
    """

    class Kind(models.TextChoices):
        TWO_WEEK = "two_week", "2-week follow-up visit"
        SIX_MONTH = "six_month", "6-month follow-up visit"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="visits")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="support_visits"
    )
    due_on = models.DateField()
    done_on = models.DateField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "kind"], name="one_visit_of_each_kind_per_case"),
            models.CheckConstraint(
                condition=Q(done_on__isnull=True, done_by__isnull=True)
                | Q(done_on__isnull=False, done_by__isnull=False),
                name="visit_done_on_and_by_together",
            ),
        ]
        indexes = [models.Index(fields=["owner", "done_on", "due_on"])]

    def __str__(self):
        return self.get_kind_display()

    @property
    def title(self) -> str:
        return self.get_kind_display()

    @property
    def is_open(self) -> bool:
        return self.done_on is None

    def is_overdue(self, today) -> bool:
        return self.is_open and self.due_on < today


class SafeguardingConcern(models.Model):
    """A safeguarding concern raised on a case: what happened, who was told and when, and later the outcome.

    Never deleted; the outcome is added once it is known.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="safeguarding_concerns")
    concern = models.TextField(help_text="What the concern is")
    noticed_on = models.DateField(help_text="When it happened or was noticed")
    told_name = models.CharField(max_length=200, help_text="Who was told")
    told_organisation = models.CharField(max_length=200)
    told_on = models.DateField()
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(auto_now_add=True)
    outcome = models.TextField(blank=True)
    outcome_on = models.DateField(null=True, blank=True)
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(told_on__gte=models.F("noticed_on")), name="concern_told_after_noticed"
            ),
        ]

    def __str__(self):
        return f"Safeguarding concern {self.pk}"
