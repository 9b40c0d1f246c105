"""Working days (Monday to Friday, not a bank holiday in England and Wales) and repair deadlines.

A deadline counted in working days ends at the end of the last working day (23:59:59 local time), so a job
finished any time on that day is on time. The day the job is raised never counts: "3 working days" from a
Wednesday is the following Monday. An emergency deadline is counted in clock hours and ignores weekends.
"""

from datetime import UTC, date, datetime, time, timedelta
from typing import Literal

from django.utils import timezone

from h2h.area.config import get_area

from h2h.lib.bank_holidays import ENGLAND_AND_WALES

DeadlineKind = Literal["hours", "working_days"]
DeadlineTable = dict[str, tuple[DeadlineKind, int]]

END_OF_DAY = time(23, 59, 59)


def is_working_day(day: date, holidays: frozenset[date] = ENGLAND_AND_WALES) -> bool:
    return day.weekday() < 5 and day not in holidays


def _local_date(start: datetime | date) -> date:
    if isinstance(start, datetime):
        return timezone.localtime(start).date() if timezone.is_aware(start) else start.date()
    return start


def add_working_days(start: datetime | date, n: int, holidays: frozenset[date] = ENGLAND_AND_WALES) -> date:
    """The nth working day after start's (local) date; start itself is not counted. n=0 gives start's date."""
    if n < 0:
        raise ValueError("n must be 0 or more")
    day = _local_date(start)
    while n:
        day += timedelta(days=1)
        if is_working_day(day, holidays):
            n -= 1
    return day


def end_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, END_OF_DAY))


def deadline_table() -> DeadlineTable:
    """The area's deadlines ([repairs] in its area file)."""
    repairs = get_area().repairs
    return {
        "emergency": ("hours", repairs.emergency_hours),
        "urgent": ("working_days", repairs.urgent_working_days),
        "routine": ("working_days", repairs.routine_working_days),
    }


def deadline_for(
    priority: str,
    raised_at: datetime,
    table: DeadlineTable | None = None,
    holidays: frozenset[date] = ENGLAND_AND_WALES,
) -> datetime:
    """When a job of this priority, raised at raised_at (timezone-aware), must be finished."""
    if timezone.is_naive(raised_at):
        raise ValueError("raised_at must be timezone-aware")
    table = deadline_table() if table is None else table
    try:
        kind, amount = table[priority]
    except KeyError:
        raise ValueError(f"No deadline configured for priority '{priority}'") from None
    if kind == "hours":
        # Elapsed time, not wall-clock time: across a clock change 24 hours is still 24 hours. Python adds
        # wall-clock time to an aware datetime in its own zone, so the sum is done in UTC.
        return raised_at.astimezone(UTC) + timedelta(hours=amount)
    if kind == "working_days":
        return end_of_day(add_working_days(raised_at, amount, holidays))
    raise ValueError(f"Unknown deadline kind '{kind}' for priority '{priority}'")
