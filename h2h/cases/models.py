from django.conf import settings
from django.db import models
from django.db.models import Q

from h2h.accounts.models import Organisation
from h2h.lib.append_only import AppendOnlyModel
from h2h.cases.stages import ClosingReason, Stage
from h2h.referrals.models import Person, Referral


class Case(models.Model):
    """One person's episode with the service, from referral to closure.

    stage holds where the case is now (h2h/cases/stages.py lists the stages and the allowed moves); the dates
    of each stage, which are the KPIs, are read from CaseEvent rows, never from fields here.
    A person has at most one open case (a database constraint).
    """

    class Decision(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"

    service = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="cases")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="cases")
    referral = models.OneToOneField(Referral, on_delete=models.PROTECT, related_name="originated_case")
    stage = models.CharField(max_length=30, choices=Stage.choices, default=Stage.REFERRAL_RECEIVED)
    referred_on = models.DateField(help_text="Date the first referral was received: the rehousing clock starts")
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="caseload"
    )

    cohort = models.CharField(max_length=50, blank=True)
    decision = models.CharField(max_length=10, choices=Decision.choices, blank=True)
    decision_reason = models.TextField(blank=True)
    onward_referral = models.TextField(blank=True, help_text="Advice given or where the person was referred on")
    screening_results = models.JSONField(default=list, blank=True)

    closing_reason = models.CharField(max_length=20, choices=ClosingReason.choices, blank=True)
    stage_changed_on = models.DateField(help_text="Effective date of the latest stage move (for next actions)")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["referred_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["person"], condition=~Q(stage="closed"), name="one_open_case_per_person"),
            models.CheckConstraint(
                condition=(Q(stage="closed") & ~Q(closing_reason="")) | (~Q(stage="closed") & Q(closing_reason="")),
                name="closing_reason_exactly_when_closed",
            ),
        ]
        indexes = [models.Index(fields=["service", "stage"]), models.Index(fields=["assigned_to", "stage"])]

    def __str__(self):
        return self.reference

    @property
    def reference(self) -> str:
        return f"H2H-{self.pk:06d}"

    @property
    def is_open(self) -> bool:
        return self.stage != Stage.CLOSED


class CaseEvent(AppendOnlyModel):
    """A line in the case's history: a stage move, an assignment or handover, a linked referral, a decision."""

    class Kind(models.TextChoices):
        STAGE = "stage", "Stage changed"
        ASSIGNED = "assigned", "Assigned"
        HANDOVER = "handover", "Handed over"
        REFERRAL_LINKED = "referral_linked", "Another referral linked"
        APPLICATION = "application", "Fast-track application"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    from_stage = models.CharField(max_length=30, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=30, choices=Stage.choices, blank=True)
    on = models.DateField(help_text="The date the event took effect (e.g. the tenancy start date)")
    at = models.DateTimeField(auto_now_add=True, help_text="When it was recorded")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    payload = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["case", "kind", "to_stage"]),
            # The reports count moves to a stage within a period (tenancies started, decisions, visits owed).
            # It also holds the case and the stage moved from, so those counts never read the history rows
            # themselves (which carry notes and payloads).
            models.Index(fields=["kind", "to_stage", "on", "case", "from_stage"], name="caseevent_stage_moves"),
        ]


class CaseNote(AppendOnlyModel):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="notes")
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()

    class Meta:
        ordering = ["-at", "-id"]
