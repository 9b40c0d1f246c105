from django.db import models
from django.utils import timezone

from h2h.referrals.models import Referral


class Notification(models.Model):
    """One email to a referrer about their referral: an outbox row.

    It is written in the same transaction as the case change it reports, so a crash after the change cannot
    lose it, and sent afterwards (straight after the commit, and by `h2h send_notifications` for anything
    still due).

    status:
      queued  waiting to be sent; after a failed attempt, waiting to retry at next_attempt_at
      sent    handed to the mail server (sent_at)
      failed  gave up after the last retry (last_error says why); listed for project managers

    The subject and body are rendered when the row is written and never hold health or identity details
    (docs/notifications.md).
    """

    class Kind(models.TextChoices):
        ACCEPTED = "accepted", "Referral accepted"
        DECLINED = "declined", "Referral not accepted"
        REHOUSED = "rehoused", "Person rehoused"

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to send"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="notifications")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    to = models.EmailField()
    subject = models.CharField(max_length=200)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # A replayed transition must never email the referrer twice about the same thing.
            models.UniqueConstraint(
                fields=["referral", "kind"], name="one_notification_per_referral_and_kind"
            ),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.referral_id}) to {self.to}: {self.status}"
