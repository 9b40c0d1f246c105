from django.conf import settings
from django.db import models
from django.db.models import F, Q

from h2h.accounts.models import Organisation
from h2h.cases.models import Case
from h2h.lib.append_only import AppendOnlyModel


class Unit(models.Model):
    """A short-stay step-down flat run by (or for) a service, for people leaving a hospital bed."""

    service = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="stepdown_units")
    name = models.CharField(max_length=100)
    address = models.TextField(blank=True)
    active = models.BooleanField(default=True, help_text="Inactive units take no new placements")

    class Meta:
        ordering = ["service", "name"]
        constraints = [models.UniqueConstraint(fields=["service", "name"], name="stepdown_unit_name_unique")]

    def __str__(self):
        return self.name


class Placement(models.Model):
    """One person's stay in a unit.

    States (read from the dates, not stored):
      PLANNED  planned_start/planned_end set, not arrived yet (arrived_on is empty)
      CURRENT  arrived_on set, left_on empty: the person is in the flat
      ENDED    left_on set, with the move-on outcome
    A unit has at most one CURRENT placement, and left_on is never before arrived_on (database constraints).
    The length of stay is left_on − arrived_on in days.
    """

    class Outcome(models.TextChoices):
        OWN_HOME = "own_home", "Returned to own home"
        MORE_SUITABLE_HOME = "more_suitable_home", "Moved to a more suitable home"
        RESIDENTIAL_CARE = "residential_care", "Residential care"
        READMITTED = "readmitted", "Readmitted to hospital"
        OTHER = "other", "Other"

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="placements")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="stepdown_placements")
    planned_start = models.DateField()
    planned_end = models.DateField()
    arrived_on = models.DateField(null=True, blank=True)
    left_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=30, choices=Outcome.choices, blank=True)
    outcome_detail = models.CharField(max_length=300, blank=True)
    care_plan_done_at = models.DateTimeField(null=True, blank=True)
    care_plan_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["planned_start", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit"],
                condition=Q(arrived_on__isnull=False, left_on__isnull=True),
                name="stepdown_one_current_placement_per_unit",
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(arrived_on__isnull=False, left_on__gte=F("arrived_on")),
                name="stepdown_left_on_not_before_arrival",
            ),
            models.CheckConstraint(
                condition=Q(planned_end__gte=F("planned_start")), name="stepdown_planned_end_not_before_start"
            ),
            models.CheckConstraint(
                condition=(Q(left_on__isnull=True) & Q(outcome=""))
                | (Q(left_on__isnull=False) & ~Q(outcome="")),
                name="stepdown_outcome_exactly_when_left",
            ),
        ]
        indexes = [models.Index(fields=["unit", "arrived_on", "left_on"])]

    def __str__(self):
        return f"{self.unit} from {self.planned_start:%d %b %Y}"

    @property
    def is_current(self) -> bool:
        return self.arrived_on is not None and self.left_on is None

    @property
    def state(self) -> str:
        if self.arrived_on is None:
            return "planned"
        return "current" if self.left_on is None else "ended"

    @property
    def length_of_stay(self) -> int | None:
        if self.arrived_on is None or self.left_on is None:
            return None
        return (self.left_on - self.arrived_on).days


class ReviewNote(AppendOnlyModel):
    """The weekly multidisciplinary review of a placement; added, never changed."""

    placement = models.ForeignKey(Placement, on_delete=models.PROTECT, related_name="reviews")
    on = models.DateField(help_text="Date of the review meeting")
    note = models.TextField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["on", "at", "id"]
