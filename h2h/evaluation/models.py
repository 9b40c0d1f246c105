"""The annual evaluation's own records: the cost book, what each funder paid in, wellbeing values loaded by the
service, and the outcomes a coordinator records as avoided on a case.

Everything else the evaluation counts (tenancy starts, referral settings, hospital activity, surveys, voids let)
is read from the other apps' records; see h2h/evaluation/inputs.py.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from h2h.cases.models import Case
from h2h.evaluation.stakeholders import COST_CODES, WELLBEING_OUTCOMES, Funder, FundingKind, Stakeholder

MONEY = {"max_digits": 12, "decimal_places": 2}


class CostItem(models.Model):
    """One version of one unit cost. Editing a cost adds a version and marks it current; old versions stay,
    so any figure can be traced to the value, source and person behind it.

    value is empty while nobody has entered a cost the service can stand behind (a gap): the evaluation then
    shows the count without a value, never a guessed one.
    """

    code = models.CharField(max_length=60, choices=[(c.code, c.label) for c in COST_CODES])
    version = models.PositiveIntegerField()
    current = models.BooleanField(default=True)
    stakeholder = models.CharField(max_length=30, choices=Stakeholder.choices,
                                   help_text="Who bears this cost when it is avoided")
    description = models.CharField(max_length=300)
    value = models.DecimalField(**MONEY, null=True, blank=True, help_text="Empty: not yet known (a gap)")
    unit = models.CharField(max_length=100)
    price_year = models.CharField(max_length=20, blank=True, help_text="e.g. 2024/25")
    source = models.TextField(blank=True)
    edition = models.CharField(max_length=200, blank=True, help_text="Edition or version of the source")
    note = models.TextField(blank=True, help_text="How sure the figure is, and any caveat")
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    changed_at = models.DateTimeField()
    change_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="cost_item_one_row_per_version"),
            models.UniqueConstraint(fields=["code"], condition=Q(current=True), name="cost_item_one_current"),
            models.CheckConstraint(condition=Q(value__isnull=True) | Q(value__gte=0), name="cost_item_not_negative"),
        ]

    def __str__(self):
        return f"{self.code} v{self.version}"

    @property
    def is_gap(self) -> bool:
        return self.value is None


class Funding(models.Model):
    """What one funder paid into the service for a period: staff, the hardship fund or other costs.

    An evaluation counts the part of each row that falls in its period, pro rata by days.
    """

    funder = models.CharField(max_length=30, choices=Funder.choices)
    kind = models.CharField(max_length=20, choices=FundingKind.choices)
    period_start = models.DateField()
    period_end = models.DateField()
    amount = models.DecimalField(**MONEY, help_text="In pounds")
    description = models.CharField(max_length=300, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["period_start", "funder", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="funding_amount_positive"),
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")),
                                   name="funding_period_ends_after_start"),
        ]

    def __str__(self):
        return f"{self.get_funder_display()}: {self.get_kind_display()} {self.period_start}–{self.period_end}"

    @property
    def days(self) -> int:
        return (self.period_end - self.period_start).days + 1


class WellbeingValueSet(models.Model):
    """One upload of wellbeing values by the service (licensed values are theirs to hold; none ship).

    The latest upload is current; earlier ones stay for the record.
    """

    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    current = models.BooleanField(default=True)
    loaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    loaded_at = models.DateTimeField()

    class Meta:
        ordering = ["-loaded_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["current"], condition=Q(current=True),
                                               name="wellbeing_one_current_set")]

    def __str__(self):
        return f"Wellbeing values from {self.file_name}"


class WellbeingValue(models.Model):
    value_set = models.ForeignKey(WellbeingValueSet, on_delete=models.CASCADE, related_name="values")
    outcome = models.CharField(max_length=60, choices=[(w.code, w.label) for w in WELLBEING_OUTCOMES])
    value = models.DecimalField(**MONEY, help_text="Pounds per person per year")
    deadweight_percent = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("0"))
    source = models.TextField()
    licence = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["value_set", "outcome"]
        constraints = [
            models.UniqueConstraint(fields=["value_set", "outcome"], name="wellbeing_one_value_per_outcome"),
            models.CheckConstraint(condition=Q(value__gte=0), name="wellbeing_value_not_negative"),
            models.CheckConstraint(condition=Q(deadweight_percent__gte=0, deadweight_percent__lte=100),
                                   name="wellbeing_deadweight_0_to_100"),
        ]

    def __str__(self):
        return f"{self.get_outcome_display()}: £{self.value}"


class AvoidedOutcome(models.Model):
    """Something a coordinator records as avoided for a case, with a note saying why they judge so.

    Kinds and their quantity:
      adaptation           adaptations the old home would have needed (ramp, stairlift, level-access shower…);
      homelessness         the person was at risk of homelessness and was rehoused (quantity 1);
      social_care          home care hours a week avoided or reduced by the move.
    Long-term voids let are not recorded here: they are read from the lettings records.
    """

    class Kind(models.TextChoices):
        ADAPTATION = "adaptation", "Adaptations avoided"
        HOMELESSNESS = "homelessness", "Homelessness prevented"
        SOCIAL_CARE = "social_care", "Social care package avoided or reduced"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="avoided_outcomes")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    quantity = models.DecimalField(max_digits=7, decimal_places=2, default=Decimal("1"),
                                   help_text="Adaptations: how many; social care: hours a week; homelessness: 1")
    on = models.DateField(help_text="When it was avoided (usually the tenancy start)")
    note = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["case", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["case", "kind"], name="avoided_outcome_one_of_each_kind"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="avoided_outcome_quantity_positive"),
        ]
        indexes = [models.Index(fields=["kind", "on"])]

    def __str__(self):
        return f"{self.get_kind_display()} on case {self.case_id}"
