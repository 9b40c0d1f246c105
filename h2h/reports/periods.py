"""Report periods: runs of whole days, usually whole months, and the financial year to date."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from h2h.hardship.models import financial_year


@dataclass(frozen=True)
class Period:
    """A run of whole days, first and last included."""

    start: date
    end: date

    def __post_init__(self):
        if self.end < self.start:
            raise ValueError("A period cannot end before it starts.")

    @classmethod
    def month(cls, year: int, month: int) -> "Period":
        return cls(date(year, month, 1), _month_end(date(year, month, 1)))

    @classmethod
    def months(cls, first: date, last: date) -> "Period":
        """From the first day of first's month to the last day of last's month."""
        return cls(first.replace(day=1), _month_end(last))

    @classmethod
    def financial_year_to_date(cls, day: date) -> "Period":
        """1 April of the financial year `day` falls in (h2h.hardship.models.financial_year) to `day`."""
        return cls(date(financial_year(day), 4, 1), day)

    def month_starts(self) -> list[date]:
        months, day = [], self.start.replace(day=1)
        while day <= self.end:
            months.append(day)
            day = _month_end(day) + timedelta(days=1)
        return months

    def clipped_to(self, today: date) -> "Period":
        """The part of the period up to today (a month still running is reported to date)."""
        return Period(self.start, min(self.end, max(today, self.start)))

    @property
    def aware_bounds(self) -> tuple[datetime, datetime]:
        """[start, end) as aware datetimes in the service's time zone, for date-time columns."""
        zone = timezone.get_current_timezone()
        return (
            timezone.make_aware(datetime.combine(self.start, time.min), zone),
            timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min), zone),
        )

    @property
    def label(self) -> str:
        if self.start.day == 1 and self.end == _month_end(self.start):
            return f"{self.start:%B %Y}"
        return f"{self.start.day} {self.start:%B %Y} to {self.end.day} {self.end:%B %Y}"


def _month_end(day: date) -> date:
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)
