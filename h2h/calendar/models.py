import hashlib

from django.conf import settings
from django.db import models


def token_digest(token: str) -> str:
    """sha256 hex of a feed token: only this is stored, so a database copy cannot be used to read feeds."""
    return hashlib.sha256(token.encode()).hexdigest()


class CalendarFeed(models.Model):
    """A user's secret iCalendar feed address.

    States: active (revoked_at empty) or revoked. Creating a new address replaces the old one on the same
    row, so a user has at most one address and an old one stops working the moment a new one is made.
    The token itself is shown once, on creation, and never stored.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_fetched_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Calendar feed of {self.user}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
