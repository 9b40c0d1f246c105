"""The events in a user's calendar feed, read from whichever apps are installed.

Follow-up visits and tasks come from h2h.support, job deadlines from h2h.repairs; each source is read only
if its app is installed, and through the model's actual fields, so the feed keeps working while those apps
change. Events carry the case reference and a link, never a name or anything about health.
"""

from collections.abc import Callable
from datetime import date, timedelta

from django.apps import apps
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from h2h.accounts.models import User
from h2h.calendar.ics import Event
from h2h.cases.stages import Stage

# Past items stay in the feed this long (overdue work should still show); future ones are all included.
LOOKBACK = timedelta(days=60)
# Fields that, when set, mean a visit or task is finished (whichever the model has).
_DONE_FIELDS = ("completed_on", "completed_at", "done_on", "done_at", "visited_on", "recorded_on", "recorded_at",
                "cancelled_at")
_DONE_STATUSES = ("done", "completed", "complete", "cancelled", "skipped", "not_needed")
_OWNER_FIELDS = ("owner", "assigned_to", "visitor")


def _model(app_label: str, module: str, name: str):
    if not apps.is_installed(module):
        return None
    try:
        return apps.get_model(app_label, name)
    except LookupError:
        return None


def _field_names(model) -> set[str]:
    return {field.name for field in model._meta.get_fields()}


def _open_items(model, user: User, due_field: str, since: date) -> QuerySet | None:
    """Unfinished rows of `model` on the user's open cases (or owned by the user), due on or after `since`."""
    fields = _field_names(model)
    if due_field not in fields or "case" not in fields:
        return None
    mine = Q(case__assigned_to=user)
    owner = next((name for name in _OWNER_FIELDS if name in fields), None)
    if owner:
        mine = Q(**{owner: user}) | (Q(**{f"{owner}__isnull": True}) & mine)
    due = f"{due_field}__date__gte" if model._meta.get_field(due_field).get_internal_type() == "DateTimeField" \
        else f"{due_field}__gte"
    rows = model.objects.filter(mine, **{due: since}).exclude(case__stage=Stage.CLOSED)
    for name in _DONE_FIELDS:
        if name in fields:
            rows = rows.filter(**{f"{name}__isnull": True})
    if "status" in fields:
        rows = rows.exclude(status__in=_DONE_STATUSES)
    if "cancelled" in fields:
        rows = rows.filter(cancelled=False)
    return rows.select_related("case")


def _day(value) -> date:
    return timezone.localtime(value).date() if hasattr(value, "hour") else value


def events_for_user(user: User, *, link: Callable[[str], str], host: str, today: date | None = None) -> list[Event]:
    """The user's visits and deadlines as all-day events. link turns a path into an absolute URL."""
    today = today or timezone.localdate()
    since = today - LOOKBACK
    sources = [
        (_model("support", "h2h.support", "Visit"), "due_on", "visit", "Follow-up visit"),
        (_model("support", "h2h.support", "Task"), "due_on", "task", "Task due"),
        (_model("repairs", "h2h.repairs", "Job"), "due_at", "job", "Job deadline"),
    ]
    events = []
    for model, due_field, kind, label in sources:
        rows = _open_items(model, user, due_field, since) if model is not None else None
        for row in rows or []:
            case_url = link(reverse("cases:detail", args=[row.case_id]))
            events.append(Event(
                uid=f"h2h-{kind}-{row.pk}@{host}",
                day=_day(getattr(row, due_field)),
                summary=f"{label} – case {row.case.reference}",
                description=case_url,
                url=case_url,
            ))
    return sorted(events, key=lambda event: (event.day, event.uid))
