"""Working days and repair deadlines, on fixed dates across Christmas, Easter, weekends and a clock change."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from h2h.lib import bank_holidays
from h2h.lib.workdays import add_working_days, deadline_table, deadline_for, end_of_day, is_working_day

LONDON = ZoneInfo("Europe/London")


def at(*parts) -> datetime:
    return datetime(*parts, tzinfo=LONDON)


@pytest.mark.parametrize("year", sorted(bank_holidays.PUBLISHED))
def test_the_rules_reproduce_every_published_year(year):
    assert bank_holidays.rule_holidays(year) == bank_holidays.PUBLISHED[year]


def test_it_computes_easter_with_the_gregorian_algorithm():
    assert bank_holidays.easter_sunday(2024) == date(2024, 3, 31)
    assert bank_holidays.easter_sunday(2027) == date(2027, 3, 28)
    assert bank_holidays.easter_sunday(2028) == date(2028, 4, 16)


def test_the_computed_years_have_their_substitute_days():
    assert bank_holidays.BY_YEAR[2027] == (
        date(2027, 1, 1), date(2027, 3, 26), date(2027, 3, 29), date(2027, 5, 3), date(2027, 5, 31),
        date(2027, 8, 30), date(2027, 12, 27), date(2027, 12, 28),
    )
    # New Year's Day 2028 is a Saturday.
    assert date(2028, 1, 3) in bank_holidays.ENGLAND_AND_WALES
    assert set(bank_holidays.BY_YEAR) == set(range(bank_holidays.FIRST_YEAR, bank_holidays.LAST_YEAR + 1))


def test_weekends_and_bank_holidays_are_not_working_days():
    assert is_working_day(date(2026, 12, 24))
    assert not is_working_day(date(2026, 12, 25))
    assert not is_working_day(date(2026, 12, 26))  # Saturday
    assert not is_working_day(date(2026, 12, 28))  # Boxing Day's substitute
    assert is_working_day(date(2026, 12, 28), holidays=frozenset())


def test_it_does_not_count_the_start_day():
    assert add_working_days(date(2026, 3, 4), 0) == date(2026, 3, 4)
    assert add_working_days(date(2026, 3, 4), 1) == date(2026, 3, 5)
    with pytest.raises(ValueError):
        add_working_days(date(2026, 3, 4), -1)


def test_urgent_raised_before_christmas_skips_christmas_the_weekend_and_the_substitute_boxing_day():
    # Thu 24 (1), Fri 25 Christmas, weekend, Mon 28 Boxing Day substitute, Tue 29 (2), Wed 30 (3).
    due = deadline_for("urgent", at(2026, 12, 23, 10, 0))
    assert due == at(2026, 12, 30, 23, 59, 59)


def test_urgent_raised_before_easter_skips_good_friday_and_easter_monday():
    # Raised Thu 25 Mar 2027: Fri 26 Good Friday, weekend, Mon 29 Easter Monday; Tue 30, Wed 31, Thu 1 Apr.
    assert deadline_for("urgent", at(2027, 3, 25, 9, 0)) == at(2027, 4, 1, 23, 59, 59)
    # Raised on Good Friday itself (a non-working day): the count starts the next working day.
    assert deadline_for("urgent", at(2027, 3, 26, 9, 0)) == at(2027, 4, 1, 23, 59, 59)


def test_urgent_raised_on_a_friday_skips_the_weekend():
    assert deadline_for("urgent", at(2026, 3, 6, 15, 0)) == at(2026, 3, 11, 23, 59, 59)


def test_urgent_counts_in_local_time_late_in_the_evening():
    # 23:30 on Wed 1 July 2026 in London is 22:30 UTC the same day; 00:30 on the 2nd is still the 1st in UTC.
    raised = at(2026, 7, 2, 0, 30).astimezone(ZoneInfo("UTC"))
    assert raised.date() == date(2026, 7, 1)
    assert deadline_for("urgent", raised) == at(2026, 7, 7, 23, 59, 59)


def test_emergency_counts_clock_hours_over_a_weekend():
    assert deadline_for("emergency", at(2026, 3, 6, 16, 0)) == at(2026, 3, 7, 16, 0)
    assert deadline_for("emergency", at(2026, 12, 24, 18, 0)) == at(2026, 12, 25, 18, 0)


def test_emergency_is_24_elapsed_hours_across_the_clock_change():
    # Clocks go forward at 01:00 on Sunday 29 March 2026: 24 hours after Saturday noon is 13:00 on Sunday.
    raised = at(2026, 3, 28, 12, 0)
    due = deadline_for("emergency", raised)
    assert due.astimezone(UTC) - raised.astimezone(UTC) == timedelta(hours=24)
    assert due == at(2026, 3, 29, 13, 0)
    assert due.astimezone(LONDON).hour == 13


def test_routine_uses_the_table_it_is_given():
    table = {**deadline_table(), "routine": ("working_days", 5)}
    # Mon 21 Dec 2026 + 5 working days: 22, 23, 24, 29, 30.
    assert deadline_for("routine", at(2026, 12, 21, 9, 0), table) == end_of_day(date(2026, 12, 30))


def test_the_table_comes_from_the_area_file(settings, tmp_path):
    from h2h.area.config import _cached
    from tests.factories import NOTTINGHAM_TOML

    text = NOTTINGHAM_TOML.read_text().replace("routine_working_days = 20", "routine_working_days = 1")
    area_file = tmp_path / "area.toml"
    area_file.write_text(text)
    settings.H2H_AREA_FILE = str(area_file)
    _cached.cache_clear()
    try:
        assert deadline_for("routine", at(2026, 12, 24, 9, 0)) == at(2026, 12, 29, 23, 59, 59)
    finally:
        _cached.cache_clear()


def test_it_refuses_an_unknown_priority_or_a_naive_time():
    with pytest.raises(ValueError, match="No deadline"):
        deadline_for("whenever", at(2026, 1, 5, 9, 0))
    with pytest.raises(ValueError, match="aware"):
        deadline_for("urgent", datetime(2026, 1, 5, 9, 0))  # noqa: DTZ001
