"""The calendar feed: a page where a user makes, sees once, or revokes their secret feed address, and the
feed itself, which a phone calendar fetches without signing in.

The token is a bearer secret in the address, so: it is shown only in the body of the page that made it
(never in a redirect or a link that lands in history or logs), the feed answers 404 for any bad or revoked
token without logging the address, the audit row's path is redacted, and every response is no-store.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseNotFound
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from h2h.audit.models import AuditEvent
from h2h.calendar.ics import calendar
from h2h.calendar.redaction import redact
from h2h.calendar.models import CalendarFeed
from h2h.calendar.selectors import events_for_user
from h2h.calendar.services import feed_create, feed_for_token, feed_revoke


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def manage(request):
    if not request.user.in_service:
        raise Http404
    feed_url = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create":
            _, token = feed_create(user=request.user)
            feed_url = request.build_absolute_uri(reverse("calendar:feed", kwargs={"token": token}))
            messages.success(request, "Your new calendar address is ready. Any earlier address no longer works.")
        elif action == "revoke":
            if feed_revoke(user=request.user):
                messages.success(request, "Your calendar address no longer works.")
            return redirect("calendar:manage")
        else:
            return redirect("calendar:manage")
    feed = CalendarFeed.objects.filter(user=request.user).first()
    return _no_store(render(request, "calendar/manage.html", {"feed": feed, "feed_url": feed_url}))


def _not_found() -> HttpResponse:
    response = HttpResponseNotFound("Not found", content_type="text/plain")
    # Django logs every 4xx with the request path ("Not Found: /calendar/feed/<token>.ics"); the path holds
    # the secret, so mark the response as already logged.
    response._has_been_logged = True
    return _no_store(response)


@require_GET
def feed(request, token: str):
    found = feed_for_token(token)
    if found is None:
        return _not_found()
    user = found.user
    now = timezone.now()
    events = events_for_user(user, link=request.build_absolute_uri, host=request.get_host().split(":")[0])
    body = calendar(events, now=now, name="H2H visits and deadlines")
    CalendarFeed.objects.filter(pk=found.pk).update(last_fetched_at=now)
    # Written directly rather than with audit_record, whose path would hold the token.
    AuditEvent.objects.create(
        user=user, username=user.username, role=user.role, action=AuditEvent.Action.LIST,
        object_type="calendar_feed", object_id=str(found.pk), summary=f"Calendar feed fetched: {len(events)} events",
        ip_address=request.META.get("REMOTE_ADDR") or None, path=redact(request.path)[:300],
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="h2h.ics"'
    response["Referrer-Policy"] = "no-referrer"
    return _no_store(response)


app_name = "calendar"
urlpatterns = [
    path("", manage, name="manage"),
    path("feed/<str:token>.ics", feed, name="feed"),
]
