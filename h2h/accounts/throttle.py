"""Sign-in throttling keyed on the username as well as the address (docs/security.md, check S2; ASVS 6.3.1).

NHS sites send many staff through one address, so throttling by address alone would lock a whole hospital out
because of one person, and would not slow an attacker who moves between addresses. Three counts of failed
attempts within H2H_SIGNIN_WINDOW_SECONDS (15 minutes):

1. this username from this address: at H2H_SIGNIN_MAX_FAILURES (5) the pair is refused, always;
2. this username from any address: at 5 the username is refused, except from an address it signed in from in the
   last H2H_SIGNIN_FAMILIAR_DAYS (30) days, so an attacker elsewhere cannot lock the real user out;
3. this address for any username (password spraying): at H2H_SIGNIN_ADDRESS_MAX_FAILURES (30) the address is
   refused, again except for accounts that have signed in from it, and an alert is logged and audited.

A refused attempt checks no password, so even the right one does not sign in. Refusals are logged but do not
count as failures: the limit lifts once the window has passed since the failures that set it. Counts live in the
database (the SignInAttempt table) so every web worker sees the same numbers; no cache server is needed.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from h2h.accounts.models import SignInAttempt

log = logging.getLogger("h2h.security")

# Set on the request when an attempt was refused, so the sign-in page can say why.
THROTTLED_FLAG = "h2h_sign_in_throttled"


def client_address(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def normalise(username) -> str:
    return str(username or "").strip().lower()[:150]


def refusal(username: str, address: str | None) -> str | None:
    """Why an attempt by this username from this address is refused now, or None if it may go ahead."""
    now = timezone.now()
    failures = SignInAttempt.objects.filter(
        outcome=SignInAttempt.Outcome.FAILED, at__gte=now - timedelta(seconds=settings.H2H_SIGNIN_WINDOW_SECONDS)
    )
    limit = settings.H2H_SIGNIN_MAX_FAILURES
    if failures.filter(username=username, ip_address=address).count() >= limit:
        return "username-and-address"
    familiar = SignInAttempt.objects.filter(
        username=username,
        ip_address=address,
        outcome=SignInAttempt.Outcome.SUCCEEDED,
        at__gte=now - timedelta(days=settings.H2H_SIGNIN_FAMILIAR_DAYS),
    ).exists()
    if familiar:
        return None
    if failures.filter(username=username).count() >= limit:
        return "username"
    if address and failures.filter(ip_address=address).count() >= settings.H2H_SIGNIN_ADDRESS_MAX_FAILURES:
        return "address"
    return None


def _record(username: str, address: str | None, outcome: str) -> None:
    SignInAttempt.objects.create(username=username, ip_address=address, outcome=outcome)
    cutoff = timezone.now() - timedelta(days=settings.H2H_SIGNIN_FAMILIAR_DAYS + 1)
    SignInAttempt.objects.filter(at__lt=cutoff).delete()


def _alert_if_spraying(request, address: str | None) -> None:
    """Once per window, when an address reaches the spraying limit: a warning in the log and an audit event."""
    if not address:
        return
    window_start = timezone.now() - timedelta(seconds=settings.H2H_SIGNIN_WINDOW_SECONDS)
    failed = SignInAttempt.objects.filter(
        ip_address=address, outcome=SignInAttempt.Outcome.FAILED, at__gte=window_start
    ).count()
    if failed != settings.H2H_SIGNIN_ADDRESS_MAX_FAILURES:
        return
    from h2h.audit.models import AuditEvent
    from h2h.audit.services import audit_record

    log.warning("Sign-in: %s failed attempts from %s in %s s: address throttled", failed, address,
                settings.H2H_SIGNIN_WINDOW_SECONDS)
    audit_record(request, AuditEvent.Action.DENIED, object_type="sign-in",
                 summary=f"Address throttled after {failed} failed sign-ins (possible password spraying)")


class ThrottledModelBackend(ModelBackend):
    """Django's ModelBackend behind the throttle. Without a request (tests' client.login, the shell) nothing
    is counted: only sign-ins over the web are."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return super().authenticate(request, username=username, password=password, **kwargs)
        name = normalise(username if username is not None else kwargs.get("email"))
        address = client_address(request)
        reason = refusal(name, address)
        if reason:
            _record(name, address, SignInAttempt.Outcome.THROTTLED)
            # No username in the log: people type passwords into that box.
            log.warning("Sign-in refused from %s: %s throttled", address, reason)
            setattr(request, THROTTLED_FLAG, True)
            raise PermissionDenied(reason)  # stops authenticate(); the form says "wrong username or password"
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            _record(name, address, SignInAttempt.Outcome.FAILED)
            log.info("Sign-in failed from %s", address)
            _alert_if_spraying(request, address)
        else:
            _record(name, address, SignInAttempt.Outcome.SUCCEEDED)
        return user
