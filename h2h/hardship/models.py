from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from h2h.accounts.models import Organisation
from h2h.cases.models import Case

# Money is pounds held as Decimal with 2 places (never float); 10 digits allow up to £99,999,999.99.
MONEY = {"max_digits": 10, "decimal_places": 2}
PENNY = Decimal("0.01")


def financial_year(day: date) -> int:
    """The UK financial year a date falls in, named by the year it starts: 1 April 2026 – 31 March 2027 is 2026."""
    return day.year if day.month >= 4 else day.year - 1


def financial_year_label(year: int) -> str:
    """2026 -> "2026/27"."""
    return f"{year}/{(year + 1) % 100:02d}"


class Budget(models.Model):
    """The hardship fund a service may commit in one financial year (set by the project manager in the admin).

    year is the financial year by its start: 2026 means 1 April 2026 to 31 March 2027. A year without a
    Budget row has a budget of £0, so every approval in it needs a manager's override.
    """

    service = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="hardship_budgets")
    year = models.PositiveSmallIntegerField(help_text="Financial year by its start: 2026 means 2026/27 (April–March)")
    amount = models.DecimalField(**MONEY, validators=[MinValueValidator(Decimal("0"))], help_text="In pounds")

    class Meta:
        ordering = ["service__name", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["service", "year"], name="hardship_budget_one_per_service_year"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="hardship_budget_not_negative"),
        ]

    def __str__(self):
        return f"{self.service} {financial_year_label(self.year)}"

    @property
    def year_label(self) -> str:
        return financial_year_label(self.year)


class SpendRequest(models.Model):
    """A request to pay for something from the hardship fund for one case (carpets, a cooker, removals…).

    States:
      requested  raised by an HHC or the project manager; waits in the approval queue;
      approved   a housing manager or project manager (never the requester) agreed it; counts as committed;
      refused    not agreed; never counts against the budget;
      paid       the money went out; still committed.
    Committed spend for a year is approved + paid. Approval cannot take it over the year's budget unless the
    manager sets over_budget_override with a reason, which stays on the row (and in the audit trail).
    year is the financial year the spend is charged to, fixed when requested.
    """

    class Status(models.TextChoices):
        REQUESTED = "requested", "Awaiting decision"
        APPROVED = "approved", "Approved"
        REFUSED = "refused", "Refused"
        PAID = "paid", "Paid"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="hardship_requests")
    year = models.PositiveSmallIntegerField()
    what = models.CharField(max_length=200)
    supplier = models.CharField(max_length=200)
    amount = models.DecimalField(**MONEY)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    over_budget_override = models.BooleanField(default=False)
    override_reason = models.TextField(blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["requested_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="hardship_spend_amount_positive"),
            models.CheckConstraint(
                condition=~Q(decided_by=models.F("requested_by")), name="hardship_spend_not_decided_by_requester"
            ),
            models.CheckConstraint(
                condition=Q(over_budget_override=False) | ~Q(override_reason=""),
                name="hardship_spend_override_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["year", "status"]), models.Index(fields=["case", "status"])]

    def __str__(self):
        return self.reference

    @property
    def reference(self) -> str:
        return f"HF-{self.pk:06d}"

    @property
    def is_committed(self) -> bool:
        return self.status in COMMITTED_STATUSES

    @property
    def year_label(self) -> str:
        return financial_year_label(self.year)


COMMITTED_STATUSES = frozenset({SpendRequest.Status.APPROVED, SpendRequest.Status.PAID})
