"""Bank holidays in England and Wales, 2024–2028, as data.

Source: GOV.UK, "UK bank holidays" (https://www.gov.uk/bank-holidays), England and Wales list, read 2025.
The 2024, 2025 and 2026 dates are copied from that published list (PUBLISHED below).
The 2027 and 2028 dates are COMPUTED here by the usual rules (COMPUTED_YEARS), because they were not all
published when this file was written: New Year's Day, Good Friday, Easter Monday, the early May bank holiday
(first Monday in May), the spring bank holiday (last Monday in May), the summer bank holiday (last Monday in
August), Christmas Day and Boxing Day, each moved to the next weekday not already a holiday when it falls at a
weekend (the "substitute day"). Easter Sunday is found with the anonymous Gregorian algorithm.

One-off changes (a coronation, a jubilee, a moved early-May holiday as in 2020) are made by royal
proclamation and cannot be computed: when GOV.UK publishes a computed year, copy its dates into PUBLISHED and
remove the year from COMPUTED_YEARS. tests/test_workdays.py checks that the rules reproduce the published
years, so a difference shows up as a failing test, not a wrong deadline. After 2028 the table runs out and
working-day deadlines stop counting holidays: extend it before then (LAST_YEAR says when).
"""

from datetime import date, timedelta

PUBLISHED: dict[int, tuple[date, ...]] = {
    2024: (date(2024, 1, 1), date(2024, 3, 29), date(2024, 4, 1), date(2024, 5, 6), date(2024, 5, 27),
           date(2024, 8, 26), date(2024, 12, 25), date(2024, 12, 26)),
    2025: (date(2025, 1, 1), date(2025, 4, 18), date(2025, 4, 21), date(2025, 5, 5), date(2025, 5, 26),
           date(2025, 8, 25), date(2025, 12, 25), date(2025, 12, 26)),
    # Boxing Day 2026 is a Saturday: the substitute day is Monday 28 December.
    2026: (date(2026, 1, 1), date(2026, 4, 3), date(2026, 4, 6), date(2026, 5, 4), date(2026, 5, 25),
           date(2026, 8, 31), date(2026, 12, 25), date(2026, 12, 28)),
}
COMPUTED_YEARS = (2027, 2028)
FIRST_YEAR, LAST_YEAR = 2024, 2028


def easter_sunday(year: int) -> date:
    """Easter Sunday in the Gregorian calendar (the anonymous "Meeus/Jones/Butcher" algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month, day = divmod(h + el - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _monday_on_or_after(day: date) -> date:
    return day + timedelta(days=(7 - day.weekday()) % 7)


def _last_monday(year: int, month: int) -> date:
    last = (date(year, month + 1, 1) if month < 12 else date(year + 1, 1, 1)) - timedelta(days=1)
    return last - timedelta(days=last.weekday())


def rule_holidays(year: int) -> tuple[date, ...]:
    """The year's bank holidays by the usual rules, substitute days included (no one-off proclamations)."""
    easter = easter_sunday(year)
    fixed = []
    # Christmas before Boxing Day: when both fall at a weekend, Christmas takes the Monday and
    # Boxing Day the Tuesday.
    for day in (date(year, 1, 1), date(year, 12, 25), date(year, 12, 26)):
        while day.weekday() >= 5 or day in fixed:
            day += timedelta(days=1)
        fixed.append(day)
    moveable = [
        easter - timedelta(days=2),
        easter + timedelta(days=1),
        _monday_on_or_after(date(year, 5, 1)),
        _last_monday(year, 5),
        _last_monday(year, 8),
    ]
    return tuple(sorted(fixed + moveable))


BY_YEAR: dict[int, tuple[date, ...]] = {**PUBLISHED, **{year: rule_holidays(year) for year in COMPUTED_YEARS}}
ENGLAND_AND_WALES: frozenset[date] = frozenset(day for days in BY_YEAR.values() for day in days)
