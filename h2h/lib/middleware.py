import time

from django.conf import settings
from django.contrib.auth import logout
from django.utils.cache import add_never_cache_headers

# Session key holding when the user signed in (seconds since the epoch), set by h2h.accounts.signals.
SIGNED_IN_AT = "h2h_signed_in_at"


class NoStoreMiddleware:
    """Pages for signed-in users hold personal data: no browser or proxy may keep a copy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
            response["Cache-Control"] = "no-store, " + response.get("Cache-Control", "")
        return response


class SecurityHeadersMiddleware:
    """Headers Django's SecurityMiddleware does not send (docs/security.md, check S1).

    The Content-Security-Policy allows only this site's own scripts, styles, images and fonts: no inline script
    or style, no plugins, no framing by any site, forms posting only here. GOV.UK Frontend's inline
    `js-enabled` script lives in static/h2h-js-enabled.js for that reason.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.csp = "; ".join(settings.H2H_CONTENT_SECURITY_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", self.csp)
        response.setdefault("Permissions-Policy", settings.H2H_PERMISSIONS_POLICY)
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response


class AbsoluteSessionLifetimeMiddleware:
    """Ends a session a fixed time after sign-in, however busy it has been (ASVS 7.3.2; check S4).

    The idle timeout is SESSION_COOKIE_AGE with SESSION_SAVE_EVERY_REQUEST; this adds the absolute limit,
    H2H_SESSION_ABSOLUTE_SECONDS (10 hours: a working day on a shared workstation). The session is deleted on the
    server, and the request carries on as anonymous, so the page asks the person to sign in again.
    Goes after AuthenticationMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            signed_in_at = request.session.get(SIGNED_IN_AT)
            if signed_in_at is None:
                # A session from before this check existed: its clock starts now.
                request.session[SIGNED_IN_AT] = int(time.time())
            elif time.time() - signed_in_at > settings.H2H_SESSION_ABSOLUTE_SECONDS:
                logout(request)
        return self.get_response(request)
