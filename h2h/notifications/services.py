"""Telling referrers what happened to their referral: write the email with the case change, send it after.

notify_referrers() is called by h2h.cases.services inside the transaction that changes the case (the
outbox pattern): if that transaction rolls back there is nothing to send, and if the process dies after the
commit the row is still queued and `h2h send_notifications` sends it. See docs/notifications.md.
"""

import contextlib
import contextvars
import logging
from collections import Counter
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from h2h.area.config import get_area
from h2h.notifications.models import Notification
from h2h.referrals.models import Referral

logger = logging.getLogger(__name__)

# Wait before each retry: a mail server that is down for a minute, an hour or most of a day still gets the
# email through. After the last one the notification is marked failed for a person to look at.
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=12),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
# A sender claims a row by pushing next_attempt_at this far ahead; if it dies mid-send the row is due again
# after the lease instead of being stuck.
LEASE = timedelta(minutes=10)

_suppressed = contextvars.ContextVar("h2h_notifications_suppressed", default=False)


@contextlib.contextmanager
def notifications_suppressed():
    """Record case changes without emailing anyone: for loading history (the demo seed), where the changes
    happened long ago and the addresses are made up."""
    token = _suppressed.set(True)
    try:
        yield
    finally:
        _suppressed.reset(token)


def notify_referrers(*, case, kind: str, on: date) -> list[Notification]:
    """Queue one email per referral on this case (the original and any linked to it while open) whose
    referrer gave an email address, unless that referral has already had this kind of email. Call inside the
    transaction that changes the case (its row is locked there, so two changes cannot queue one email twice).
    """
    if _suppressed.get():
        return []
    referrals = (
        Referral.objects.filter(case=case)
        .exclude(referrer_email="")
        .exclude(notifications__kind=kind)
        .order_by("pk")
    )
    created = [
        Notification.objects.create(
            referral=referral,
            kind=kind,
            to=referral.referrer_email,
            subject=_subject(referral, kind),
            body=_body(referral, kind, on),
        )
        for referral in referrals
    ]
    if created:
        ids = [notification.pk for notification in created]
        # Sent straight after the commit so the referrer hears at once (and the demo console shows it).
        # robust: nothing here may break the change just saved. Whatever fails stays queued for the next run.
        transaction.on_commit(lambda: notifications_send_due(ids=ids), robust=True)
    return created


def sign_in_url(referral: Referral) -> str:
    """The sign-in page, returning to the referral: its details stay behind the sign-in, not in the email."""
    query = urlencode({"next": reverse("referrals:detail", args=[referral.pk])})
    return f"{settings.H2H_SITE_URL}{reverse('login')}?{query}"


def _context(referral: Referral, kind: str, on: date | None = None) -> dict:
    # Only these go into an email: never the person, their health, setting or the reasons for a decision.
    return {
        "kind": kind,
        "reference": referral.reference,
        "referrer_name": referral.referrer_name,
        "service_name": get_area().service_name,
        "on": on,
        "sign_in_url": sign_in_url(referral),
    }


def _subject(referral: Referral, kind: str) -> str:
    text = render_to_string("notifications/subject.txt", _context(referral, kind))
    return " ".join(text.split())[:200]  # one line: a newline in a header is refused by the mail library


def _body(referral: Referral, kind: str, on: date) -> str:
    return render_to_string(f"notifications/{kind}.txt", _context(referral, kind, on)).strip() + "\n"


def notifications_send_due(
    *, ids: list[int] | None = None, now: datetime | None = None, limit: int = 500
) -> Counter:
    """Try every queued notification whose time has come (only `ids`, when given). Returns counts of
    sent / retry (will be tried again) / failed (gave up) / busy (another sender had it)."""
    now = now or timezone.now()
    due = Notification.objects.filter(status=Notification.Status.QUEUED, next_attempt_at__lte=now)
    if ids is not None:
        due = due.filter(pk__in=ids)
    outcomes = Counter()
    for pk in list(due.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit]):
        outcomes[_attempt(pk, now)] += 1
    return outcomes


def _claim(pk: int, now: datetime) -> bool:
    # The conditional update is the lock: of the on-commit send and a cron run reaching the same row, only
    # one sees it still due, so the referrer gets one copy. Counting the attempt here means a sender that
    # crashes every time still reaches MAX_ATTEMPTS.
    due = Notification.objects.filter(pk=pk, status=Notification.Status.QUEUED, next_attempt_at__lte=now)
    return due.update(attempts=F("attempts") + 1, next_attempt_at=now + LEASE) == 1


def _attempt(pk: int, now: datetime) -> str:
    if not _claim(pk, now):
        return "busy"
    notification = Notification.objects.select_related("referral").get(pk=pk)
    message = EmailMessage(
        subject=notification.subject,
        body=notification.body,
        to=[notification.to],
        # RFC 3834: out-of-office replies should not answer an automatic message.
        headers={"Auto-Submitted": "auto-generated"},
    )
    try:
        message.send(fail_silently=False)
    except Exception as error:  # any backend failure: refused connection, timeout, an SMTP error
        return _failed(notification, error, now)
    notification.status = Notification.Status.SENT
    notification.sent_at = now
    notification.save(update_fields=["status", "sent_at"])
    return "sent"


def _failed(notification: Notification, error: Exception, now: datetime) -> str:
    notification.last_error = f"{type(error).__name__}: {error}"[:500]
    if notification.attempts >= MAX_ATTEMPTS:
        notification.status = Notification.Status.FAILED
        outcome = "failed"
    else:
        notification.next_attempt_at = now + BACKOFF[notification.attempts - 1]
        outcome = "retry"
    notification.save(update_fields=["last_error", "status", "next_attempt_at"])
    logger.warning(
        "Email %s about referral %s not sent (attempt %s of %s, %s): %s",
        notification.pk,
        notification.referral.reference,
        notification.attempts,
        MAX_ATTEMPTS,
        "gave up" if outcome == "failed" else f"next try {notification.next_attempt_at:%Y-%m-%d %H:%M}",
        notification.last_error,
    )
    return outcome


def notifications_retry_failed(*, now: datetime | None = None) -> int:
    """Put failed notifications back in the queue with a fresh set of attempts (once the mail server or the
    address has been fixed). Returns how many."""
    now = now or timezone.now()
    return Notification.objects.filter(status=Notification.Status.FAILED).update(
        status=Notification.Status.QUEUED, attempts=0, next_attempt_at=now
    )
