from django.contrib.auth.models import AbstractUser
from django.db import models

from h2h.accounts.roles import SERVICE_ROLES, Role


class Organisation(models.Model):
    """A partner organisation: a trust, a council team, the housing provider or a partner landlord."""

    class Kind(models.TextChoices):
        ACUTE_TRUST = "acute_trust", "Acute hospital trust"
        COMMUNITY_PROVIDER = "community_provider", "Community health provider"
        MENTAL_HEALTH_TRUST = "mental_health_trust", "Mental-health trust"
        COUNCIL = "council", "Council"
        HOUSING_PROVIDER = "housing_provider", "Housing provider"
        PARTNER_LANDLORD = "partner_landlord", "Partner landlord"
        COMMISSIONER = "commissioner", "Commissioner (ICB)"
        OTHER = "other", "Other"

    code = models.SlugField(max_length=40, unique=True, help_text="Short stable code, e.g. NCH or NUH")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=Kind.choices)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Team(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["organisation__name", "name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="team_name_unique_in_org")]

    def __str__(self):
        return f"{self.name} ({self.organisation.code})"


class User(AbstractUser):
    """A person who signs in. Each holds one role in one organisation (see h2h/accounts/roles.py)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="users")
    team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="members")
    role = models.CharField(max_length=30, choices=Role.choices, blank=True)
    job_title = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=40, blank=True)

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    @property
    def in_service(self) -> bool:
        return self.is_active and self.role in SERVICE_ROLES and self.organisation_id is not None

    @property
    def in_areas_service(self) -> bool:
        """In a service role at the organisation that runs this area's service (the area file's
        service_organisation): the one whose area-wide records (funding, hospital files) they may manage."""
        from h2h.area.config import get_area  # the area app reads accounts' roles; imported late

        return self.in_service and self.organisation.code == get_area().service_organisation

    def has_role(self, *roles: str) -> bool:
        return self.is_active and self.role in roles


class SignInAttempt(models.Model):
    """One attempt to sign in with a password: the sign-in log, and what throttling counts (h2h/accounts/throttle.py).

    The username is stored as typed (lower-cased), whether or not such an account exists. Rows older than the
    familiar-address period are deleted as new attempts arrive.
    """

    class Outcome(models.TextChoices):
        SUCCEEDED = "succeeded", "Signed in"
        FAILED = "failed", "Wrong username or password"
        THROTTLED = "throttled", "Refused: too many failures"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    username = models.CharField(max_length=150)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["username", "at"], name="signin_username_at"),
            models.Index(fields=["ip_address", "at"], name="signin_address_at"),
        ]

    def __str__(self):
        return f"{self.username} from {self.ip_address}: {self.outcome}"
