from django.conf import settings
from django.db import models

from h2h.accounts.models import Organisation
from h2h.area import valuesets
from h2h.lib.identifiers import nhs_number_format


class Person(models.Model):
    """Someone referred to the service. One person may have several cases over the years (one per episode)."""

    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    nhs_number = models.CharField(max_length=10, blank=True, db_index=True)
    address_line_1 = models.CharField(max_length=200)
    address_line_2 = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100)
    postcode = models.CharField(max_length=8)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def nhs_number_display(self) -> str:
        return nhs_number_format(self.nhs_number) if self.nhs_number else "Not known"


class Referral(models.Model):
    """What a referrer told us about a person, as submitted. Never edited after submission: corrections are notes.

    A referral for someone who already has an open case is linked to that case and flagged, not made a new case.
    """

    class ReceivedVia(models.TextChoices):
        ONLINE = "online", "Online form"
        PHONE = "phone", "Phone"
        EMAIL = "email", "Email"
        API = "api", "Referrer's system"

    class Consent(models.TextChoices):
        GIVEN = "given", "The person agreed to this referral"
        BEST_INTERESTS = "best_interests", "The person lacks capacity: a best-interests decision was made"

    class Sharing(models.TextChoices):
        HOUSING = "housing", "Housing provider and partner landlords, to find a home"
        HEALTH = "health", "Hospital and community health teams, to plan discharge and support"
        COUNCIL = "council", "Council teams (adaptations, social care, benefits)"
        EVALUATION = "evaluation", "Linking hospital activity for the service's evaluation"

    service = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="received_referrals")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="referrals")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, null=True, related_name="referrals")
    linked_to_open_case = models.BooleanField(
        default=False, help_text="Made while the person already had an open case, and linked to it"
    )
    received_at = models.DateTimeField()
    received_via = models.CharField(max_length=10, choices=ReceivedVia.choices)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    # Where the person is now
    setting = models.CharField(max_length=30, choices=valuesets.Setting.choices)
    hospital = models.CharField("Hospital, unit or home", max_length=200, blank=True)
    ward = models.CharField(max_length=100, blank=True)
    admission_date = models.DateField(null=True, blank=True)
    medically_ready_date = models.DateField("Date medically ready for discharge", null=True, blank=True)

    # How their housing affects their health
    reasons = models.JSONField(default=list)
    housing_details = models.TextField(blank=True)
    tenure = models.CharField(max_length=30, choices=valuesets.Tenure.choices)

    # Household, mobility and benefits
    household_size = models.PositiveSmallIntegerField(default=1)
    household_details = models.TextField(blank=True)
    has_carer = models.BooleanField(default=False)
    carer_details = models.TextField(blank=True)
    mobility = models.CharField(max_length=20, choices=valuesets.Mobility.choices)
    wheelchair_use = models.CharField(max_length=20, choices=valuesets.WheelchairUse.choices)
    benefits = models.JSONField(default=list)

    # Who referred
    referrer_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="made_referrals")
    referrer_name = models.CharField(max_length=200)
    referrer_role = models.CharField(max_length=200)
    referrer_phone = models.CharField(max_length=40, blank=True)
    referrer_email = models.EmailField(blank=True)

    # Consent
    consent = models.CharField(max_length=20, choices=Consent.choices)
    consent_sharing = models.JSONField(default=list)
    consent_decision_maker = models.CharField(max_length=200, blank=True)
    consent_notes = models.TextField(blank=True)

    in_footprint = models.BooleanField(default=True)

    class Meta:
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["referrer_organisation", "received_at"])]

    def __str__(self):
        return self.reference

    @property
    def reference(self) -> str:
        return f"R{self.pk:06d}" if self.pk else "R-new"

    @property
    def in_bed(self) -> bool:
        return self.setting in valuesets.BED_SETTINGS
