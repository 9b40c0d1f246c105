"""Stock, voids, the housing register, Choice-Based Lettings bids, holds and offers.

Integrity rules that must hold even under concurrent requests are database constraints here (one open void per
property, one accepted offer per void, one accepted offer per application); the services in
h2h/lettings/services.py also lock the rows they change.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from h2h.accounts.models import Organisation
from h2h.area import valuesets
from h2h.cases.models import Case


class Property(models.Model):
    class Demand(models.TextChoices):
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"

    ref = models.CharField("Property reference", max_length=40, unique=True,
                           help_text="The housing management system's reference")
    landlord = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="properties")
    scheme = models.CharField(max_length=200, blank=True, help_text="e.g. an Independent Living scheme")
    address_line_1 = models.CharField(max_length=200)
    address_line_2 = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100)
    postcode = models.CharField(max_length=8)
    lettings_area = models.CharField(max_length=100, blank=True, help_text="Neighbourhood used for preferences")
    property_type = models.CharField(max_length=30, choices=valuesets.PropertyType.choices)
    bedrooms = models.PositiveSmallIntegerField()
    floor = models.SmallIntegerField(help_text="0 is the ground floor")
    has_lift = models.BooleanField(default=False)
    wheelchair_standard = models.BooleanField(default=False)
    level_access_shower = models.BooleanField(default=False)
    ramp = models.BooleanField(default=False)
    adapted = models.BooleanField(default=False)
    features = models.JSONField(default=list, blank=True, help_text="Special features, e.g. concrete_floor")
    min_age = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Age restriction, e.g. 55 or 60")
    weekly_rent = models.DecimalField(max_digits=7, decimal_places=2)
    demand = models.CharField(max_length=10, choices=Demand.choices, default=Demand.MEDIUM)

    class Meta:
        ordering = ["ref"]
        verbose_name_plural = "properties"

    def __str__(self):
        return f"{self.ref}, {self.address_line_1}"

    @property
    def step_free(self) -> bool:
        return self.floor == 0 or self.has_lift


class Void(models.Model):
    """A period when a property stands empty, from the day it became empty to the day it is let.

    Statuses: NOT_READY (repairs) → READY → ADVERTISED (in a CBL cycle) or HELD (for a direct offer) → OFFERED →
    LET. A property has at most one open void.
    """

    class Status(models.TextChoices):
        NOT_READY = "not_ready", "Not ready to let"
        READY = "ready", "Ready to let"
        ADVERTISED = "advertised", "Advertised"
        HELD = "held", "Held for a direct offer"
        OFFERED = "offered", "Offered"
        LET = "let", "Let"

    property = models.ForeignKey(Property, on_delete=models.PROTECT, related_name="voids")
    empty_on = models.DateField()
    ready_on = models.DateField(null=True, blank=True)
    let_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_READY)
    advert_opens_on = models.DateField(null=True, blank=True)
    advert_closes_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["empty_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["property"], condition=Q(let_on__isnull=True), name="one_open_void"),
            models.CheckConstraint(
                condition=(Q(status="let") & Q(let_on__isnull=False)) | (~Q(status="let") & Q(let_on__isnull=True)),
                name="let_date_exactly_when_let",
            ),
        ]
        indexes = [models.Index(fields=["status"])]

    def __str__(self):
        return f"Void at {self.property}"


class Application(models.Model):
    """An entry on the housing register: an H2H case's fast-track application or a general-needs applicant.

    Statuses: DRAFT → SUBMITTED (in the housing manager's sign-off queue) → LIVE (can bid and be offered) or
    RETURNED (back to the HHC with reasons, then resubmitted) → HOUSED; CANCELLED when the case closes.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Waiting for sign-off"
        RETURNED = "returned", "Returned"
        LIVE = "live", "Live"
        HOUSED = "housed", "Housed"
        CANCELLED = "cancelled", "Cancelled"

    case = models.OneToOneField(Case, on_delete=models.PROTECT, null=True, blank=True, related_name="application")
    reference = models.CharField(max_length=40, unique=True)
    applicant_name = models.CharField(max_length=200, help_text="For general-needs applicants; H2H uses the case")
    date_of_birth = models.DateField()
    household_size = models.PositiveSmallIntegerField(default=1)
    bedrooms_needed = models.PositiveSmallIntegerField(default=1)
    needs_step_free = models.BooleanField("Needs ground floor or a lift", default=False)
    needs_wheelchair_standard = models.BooleanField(default=False)
    needs_level_access_shower = models.BooleanField(default=False)
    needs_features = models.JSONField(default=list, blank=True)
    preferred_areas = models.JSONField(default=list, blank=True)
    preferred_types = models.JSONField(default=list, blank=True)
    medical_evidence = models.TextField(blank=True)

    band = models.CharField(max_length=10)
    application_date = models.DateField()
    effective_date = models.DateField(help_text="Orders the shortlist within a band")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    returned_reason = models.TextField(blank=True)
    panel_reviewed_on = models.DateField(null=True, blank=True)
    panel_reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                          blank=True, related_name="+")
    panel_note = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["status", "band", "effective_date", "application_date", "id"])]

    def __str__(self):
        return self.reference


class EvidenceFile(models.Model):
    """Medical evidence uploaded for an application; stored outside the web root, served only by a view that
    checks access."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="evidence_files")
    file = models.FileField(upload_to="evidence/%Y/%m/")
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")


class Bid(models.Model):
    void = models.ForeignKey(Void, on_delete=models.PROTECT, related_name="bids")
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="bids")
    placed_at = models.DateTimeField(auto_now_add=True)
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    withdrawn = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["void", "application"], name="one_bid_per_void")]


class Hold(models.Model):
    """A request to keep a void back from advertising for one H2H case, so it can be direct-offered."""

    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        APPROVED = "approved", "Approved"
        REFUSED = "refused", "Refused"
        RELEASED = "released", "Released"

    void = models.ForeignKey(Void, on_delete=models.PROTECT, related_name="holds")
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="holds")
    reason = models.TextField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.REQUESTED)
    requested_at = models.DateTimeField(auto_now_add=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decision_note = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["void"], condition=Q(status__in=["requested", "approved"]),
                                    name="one_live_hold_per_void"),
        ]


class Offer(models.Model):
    """An offer of a void to an application, from the shortlist or as a direct offer.

    Statuses: OFFERED → ACCEPTED → SIGNED_UP (tenancy start date recorded), or REFUSED (with a reason, and the
    next on the shortlist is offered) or WITHDRAWN. A void has at most one accepted or signed-up offer, and so
    does an application.
    """

    class Kind(models.TextChoices):
        SHORTLIST = "shortlist", "From the shortlist"
        DIRECT = "direct", "Direct offer"

    class Status(models.TextChoices):
        OFFERED = "offered", "Offered"
        ACCEPTED = "accepted", "Accepted"
        REFUSED = "refused", "Refused"
        WITHDRAWN = "withdrawn", "Withdrawn"
        SIGNED_UP = "signed_up", "Signed up"

    void = models.ForeignKey(Void, on_delete=models.PROTECT, related_name="offers")
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="offers")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OFFERED)
    made_at = models.DateTimeField(auto_now_add=True)
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    viewing_on = models.DateField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    refusal_reason = models.TextField(blank=True)
    tenancy_start = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["made_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["void"], condition=Q(status__in=["offered", "accepted", "signed_up"]),
                                    name="one_live_offer_per_void"),
            models.UniqueConstraint(fields=["application"], condition=Q(status__in=["accepted", "signed_up"]),
                                    name="one_accepted_offer_per_application"),
        ]


# Statuses that keep a hold or an offer in force (the same sets the partial unique constraints use).
LIVE_HOLD = (Hold.Status.REQUESTED, Hold.Status.APPROVED)
LIVE_OFFER = (Offer.Status.OFFERED, Offer.Status.ACCEPTED, Offer.Status.SIGNED_UP)
