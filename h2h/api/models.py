import hashlib

from django.conf import settings
from django.db import models


def token_digest(token: str) -> str:
    """sha256 hex of an API token: only this is stored, so a copy of the database cannot call the API."""
    return hashlib.sha256(token.encode()).hexdigest()


class ApiClient(models.Model):
    """Another organisation's system calling the API: a referrer's case system, a housing management system,
    a hospital information team, a commissioner's dashboard.

    Each client acts through its own service account (`user`): a User with one role in one organisation and no
    password, so everything the API does is scoped and audited exactly as it is for a person with that role.
    The token is shown once, on creation; `token_prefix` identifies it in lists and logs without revealing it.
    """

    name = models.CharField(max_length=200, help_text="What the system is, e.g. 'NUH discharge system'")
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_client")
    token_prefix = models.CharField(max_length=12, unique=True)
    token_hash = models.CharField(max_length=64, unique=True)
    contact_email = models.EmailField(blank=True, help_text="Who to tell when the token is revoked")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.token_prefix})"

    @property
    def active(self) -> bool:
        return self.revoked_at is None and self.user.is_active
