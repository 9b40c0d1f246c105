"""`h2h check --deploy` warns when the sign-in link in referrers' emails would point at this machine."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.compatibility, deploy=True)
def site_url_is_public(app_configs, **kwargs):
    if "127.0.0.1" in settings.H2H_SITE_URL or "localhost" in settings.H2H_SITE_URL:
        return [
            checks.Warning(
                f"H2H_SITE_URL is {settings.H2H_SITE_URL!r}: "
                "the sign-in link in emails to referrers would not work.",
                hint="Set H2H_SITE_URL to the service's public address, e.g. https://h2h.example.nhs.uk",
                id="notifications.W001",
            )
        ]
    return []
