"""`h2h send_notifications`: send the emails to referrers that are due (run every minute from cron or a
systemd timer; docs/notifications.md)."""

from django.core.management.base import BaseCommand

from h2h.notifications.services import notifications_retry_failed, notifications_send_due


class Command(BaseCommand):
    help = "Send the emails to referrers that are due; failed sends are retried after a growing wait."

    def add_arguments(self, parser):
        parser.add_argument(
            "--retry-failed",
            action="store_true",
            help="First put notifications that gave up back in the queue (after fixing the mail settings)",
        )
        parser.add_argument("--limit", type=int, default=500, help="Most to try in one run (default 500)")

    def handle(self, *args, retry_failed: bool, limit: int, **options):
        if retry_failed:
            self.stdout.write(f"Requeued {notifications_retry_failed()} failed notification(s).")
        outcomes = notifications_send_due(limit=limit)
        self.stdout.write(
            f"Sent {outcomes['sent']}, will retry {outcomes['retry']}, gave up on {outcomes['failed']}"
            + (f", {outcomes['busy']} taken by another sender" if outcomes["busy"] else "")
            + "."
        )
