"""Creating, finding and revoking calendar feed addresses."""

import hmac
import secrets

from django.db import transaction
from django.utils import timezone

from h2h.accounts.models import User
from h2h.calendar.models import CalendarFeed, token_digest


def feed_create(*, user: User) -> tuple[CalendarFeed, str]:
    """A new secret address for the user, replacing (and so revoking) any earlier one. Returns the token,
    which is not stored and cannot be shown again."""
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        feed, _ = CalendarFeed.objects.select_for_update().update_or_create(
            user=user,
            defaults={"token_hash": token_digest(token), "created_at": timezone.now(), "revoked_at": None,
                      "last_fetched_at": None},
        )
    return feed, token


def feed_revoke(*, user: User) -> CalendarFeed | None:
    with transaction.atomic():
        feed = CalendarFeed.objects.select_for_update().filter(user=user, revoked_at__isnull=True).first()
        if feed is not None:
            feed.revoked_at = timezone.now()
            feed.save(update_fields=["revoked_at"])
        return feed


def feed_for_token(token: str) -> CalendarFeed | None:
    """The active feed whose token this is, for a user who may still work cases; None otherwise."""
    if not token or len(token) > 100:
        return None
    digest = token_digest(token)
    feed = CalendarFeed.objects.select_related("user").filter(token_hash=digest, revoked_at__isnull=True).first()
    # The lookup is by digest; compare_digest makes the final check constant-time all the same.
    if feed is None or not hmac.compare_digest(feed.token_hash, digest):
        return None
    if not feed.user.in_service:
        return None
    return feed
