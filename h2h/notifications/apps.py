from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "h2h.notifications"
    label = "notifications"
    verbose_name = "Emails to referrers"

    def ready(self):
        from h2h.notifications import checks  # noqa: F401  (registers the deploy check)
