"""Hospital activity before and after the move: each figure, and exactly how it is worked out.

Plain functions over plain values (no database): h2h/hospital/selectors_outcomes.py reads the values, the
pages and the benchmark call these. docs/outcomes.md says the same for evaluators and commissioners.

Definitions (W = the area's `outcomes.window_months`, 6 in Nottingham):

- **Before window**: the W months before the referral — from `referred_on` minus W months (same day of the
  month, or the month's last day where it does not exist: h2h.cases.selectors.add_months) up to the day
  before `referred_on`. The referral day itself is in neither window.
- **After window**: the W months from the tenancy start — from the tenancy start date up to the day before
  tenancy start plus W months. The tenancy start is the date of the case's latest "tenancy start" stage move.
- Days between the referral and the tenancy start belong to neither window.
- **An admission belongs to the window that contains its admission date**, with its whole length of stay, even
  when the discharge falls after the window ends. An A&E attendance belongs to the window containing its date.
- **Data coverage**: the days covered by the applied hospital files of that kind (admissions or A&E
  attendances), from each file's first to last day; files that overlap or touch are joined.
- **Observed days** of a window, per kind: the days of the window that are covered by that kind's files and
  are not after `today`. Only admissions (attendances) on observed days are counted, so the count and the days
  it is spread over always match.
- **Bed days** of an admission: discharge date minus admission date (a same-day discharge is 0 bed days).
- **Excess bed days**: as the hospital's file gives them (days beyond the expected stay), whole days.
- **Length of stay per admission** = bed days / admissions; none when there were no admissions.
- **Share of excess bed days** = excess bed days / bed days; none when there were no bed days.
- **Annualised** (per year) = count × 365 / observed days, for admissions, emergency admissions, bed days,
  excess bed days and A&E attendances.
- **Status** of a window:
    - "no tenancy" (after window only): the person has not been rehoused (no tenancy start recorded);
    - "not yet due" (after window only): tenancy start + W months is after `today`, so the window has not
      finished. These are never reported as zero;
    - "no data": no observed days of either kind in the window (no applied file covers it);
    - "measured": otherwise. A window partly covered is measured over the days that are covered. The figures
      of a kind with no observed days in a measured window are none (not zero).
- **Cohort summary**, over cases with both windows measured (each case counts once; a person with two cases
  counts in each):
    - n: cases with both windows measured; the admission figures pool the cases with admissions observed in
      both windows, the A&E figure those with attendances observed in both;
    - admissions per person per year = total admissions / total person-years observed, where person-years =
      total observed days / 365 (pooled, so a case observed for half a window weighs half);
    - likewise emergency admissions, bed days and A&E attendances per person per year;
    - length of stay per admission = total bed days / total admissions;
    - share of excess bed days = total excess bed days / total bed days;
    - the other cases are counted as not yet due, no tenancy (not rehoused) or no data, in that order of
      precedence (a case not yet due whose before window has no data counts as not yet due).
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import NamedTuple

from h2h.cases.selectors import add_months

# Referral and tenancy dates repeat across cases (a few hundred a year): remembered, not worked out each time.
_add_months = lru_cache(maxsize=8192)(add_months)

MEASURED = "measured"
NOT_YET_DUE = "not yet due"
NO_TENANCY = "no tenancy"
NO_DATA = "no data"
STATUSES = (MEASURED, NOT_YET_DUE, NO_TENANCY, NO_DATA)

ADMISSIONS = "admissions"
ATTENDANCES = "attendances"

DAYS_A_YEAR = 365
ONE_DAY = timedelta(days=1)


class CaseDates(NamedTuple):
    """What the measures need to know about a case."""

    case_id: int
    person_id: int
    referred_on: date
    tenancy_start: date | None
    cohort: str = ""


class AdmissionFacts(NamedTuple):
    """One admission (a plain tuple in this order does as well)."""

    admitted_on: date
    discharged_on: date
    emergency: bool
    excess_bed_days: int


# Days covered by a kind's applied files: (first day, last day) pairs, both included, sorted, not overlapping.
Coverage = tuple[tuple[date, date], ...]


def merge_periods(periods: Iterable[tuple[date, date]]) -> Coverage:
    """Join the files' periods into sorted, separate stretches of days (overlapping or touching ones
    joined)."""
    merged: list[list[date]] = []
    for first, last in sorted(periods):
        if last < first:
            continue
        if merged and first <= merged[-1][1] + ONE_DAY:
            merged[-1][1] = max(merged[-1][1], last)
        else:
            merged.append([first, last])
    return tuple((first, last) for first, last in merged)


def observed_stretches(first: date, last: date, coverage: Coverage, today: date) -> Coverage:
    """The parts of the window first..last (both included) covered by data and not after today."""
    last = min(last, today)
    out = []
    for cover_first, cover_last in coverage:
        start, end = max(first, cover_first), min(last, cover_last)
        if start <= end:
            out.append((start, end))
    return tuple(out)


def _days(stretches) -> int:
    days = 0
    for start, end in stretches:
        days += (end - start).days + 1
    return days


def _inside(day: date, stretches) -> bool:
    for start, end in stretches:
        if start <= day <= end:
            return True
    return False


def _per_year(count: int | None, days: int) -> float | None:
    return None if count is None or not days else count * DAYS_A_YEAR / days


@dataclass(slots=True)
class WindowMeasures:
    """One window (before or after) of one case. Counts are None when they were not observed."""

    status: str
    first_day: date | None
    last_day: date | None
    observed_days: int = 0  # admissions coverage
    admissions: int | None = None
    emergency_admissions: int | None = None
    bed_days: int | None = None
    excess_bed_days: int | None = None
    attendance_observed_days: int = 0
    attendances: int | None = None

    @property
    def length_of_stay(self) -> float | None:
        return self.bed_days / self.admissions if self.admissions else None

    @property
    def excess_share(self) -> float | None:
        return self.excess_bed_days / self.bed_days if self.bed_days else None

    @property
    def admissions_per_year(self) -> float | None:
        return _per_year(self.admissions, self.observed_days)

    @property
    def emergency_admissions_per_year(self) -> float | None:
        return _per_year(self.emergency_admissions, self.observed_days)

    @property
    def bed_days_per_year(self) -> float | None:
        return _per_year(self.bed_days, self.observed_days)

    @property
    def excess_bed_days_per_year(self) -> float | None:
        return _per_year(self.excess_bed_days, self.observed_days)

    @property
    def attendances_per_year(self) -> float | None:
        return _per_year(self.attendances, self.attendance_observed_days)


@dataclass(slots=True)
class CaseMeasures:
    case: CaseDates
    before: WindowMeasures
    after: WindowMeasures

    @property
    def summary_status(self) -> str:
        """Where the case counts in the cohort summary (see the module docstring for the precedence)."""
        if self.after.status in (NO_TENANCY, NOT_YET_DUE):
            return self.after.status
        if NO_DATA in (self.before.status, self.after.status):
            return NO_DATA
        return MEASURED


def window_before(referred_on: date, window_months: int) -> tuple[date, date]:
    return _add_months(referred_on, -window_months), referred_on - ONE_DAY


def window_after(tenancy_start: date, window_months: int) -> tuple[date, date]:
    return tenancy_start, _add_months(tenancy_start, window_months) - ONE_DAY


def measure_window(first: date, last: date, admissions: Sequence[AdmissionFacts], attendances: Sequence[date],
                   coverage: Mapping[str, Coverage], today: date) -> WindowMeasures:
    """Counts for one complete or past window (the caller decides "not yet due" and "no tenancy")."""
    admitted = observed_stretches(first, last, coverage.get(ADMISSIONS, ()), today)
    attended = observed_stretches(first, last, coverage.get(ATTENDANCES, ()), today)
    window = WindowMeasures(MEASURED if admitted or attended else NO_DATA, first, last,
                            observed_days=_days(admitted), attendance_observed_days=_days(attended))
    if admitted:
        count = emergency = bed_days = excess = 0
        # Nearly always one stretch (the files join up): compared inline, the loop's hot path has no calls.
        lone = admitted[0] if len(admitted) == 1 else None
        for admitted_on, discharged_on, is_emergency, excess_days in admissions:
            if (lone[0] <= admitted_on <= lone[1]) if lone else _inside(admitted_on, admitted):
                count += 1
                emergency += bool(is_emergency)
                bed_days += (discharged_on - admitted_on).days
                excess += excess_days
        window.admissions, window.emergency_admissions = count, emergency
        window.bed_days, window.excess_bed_days = bed_days, excess
    if attended:
        window.attendances = sum(1 for day in attendances if _inside(day, attended))
    return window


def case_measures(case: CaseDates, admissions: Sequence[AdmissionFacts], attendances: Sequence[date],
                  coverage: Mapping[str, Coverage], window_months: int, today: date) -> CaseMeasures:
    """Both windows of one case, from the person's linked admissions and attendances."""
    first, last = window_before(case.referred_on, window_months)
    before = measure_window(first, last, admissions, attendances, coverage, today)
    if case.tenancy_start is None:
        after = WindowMeasures(NO_TENANCY, None, None)
    else:
        first, last = window_after(case.tenancy_start, window_months)
        if last >= today:  # tenancy start + W months is after today: the window has not finished
            after = WindowMeasures(NOT_YET_DUE, first, last)
        else:
            after = measure_window(first, last, admissions, attendances, coverage, today)
    return CaseMeasures(case, before, after)


def measures_for_cases(cases: Iterable[CaseDates],
                       admissions_by_person: Mapping[int, Sequence[AdmissionFacts]],
                       attendances_by_person: Mapping[int, Sequence[date]], coverage: Mapping[str, Coverage],
                       window_months: int, today: date) -> list[CaseMeasures]:
    return [
        case_measures(case, admissions_by_person.get(case.person_id, ()),
                      attendances_by_person.get(case.person_id, ()), coverage, window_months, today)
        for case in cases
    ]


# ------------------------------------------------------------------------------------------ cohort summary


@dataclass(slots=True)
class WindowTotals:
    """Pooled figures of one window over the cases measured in both windows."""

    people: int = 0  # cases with admissions observed in both windows
    observed_days: int = 0
    admissions: int = 0
    emergency_admissions: int = 0
    bed_days: int = 0
    excess_bed_days: int = 0
    attendance_people: int = 0  # cases with attendances observed in both windows
    attendance_observed_days: int = 0
    attendances: int = 0

    def add(self, window: WindowMeasures, *, admissions: bool, attendances: bool) -> None:
        if admissions:
            self.people += 1
            self.observed_days += window.observed_days
            self.admissions += window.admissions
            self.emergency_admissions += window.emergency_admissions
            self.bed_days += window.bed_days
            self.excess_bed_days += window.excess_bed_days
        if attendances:
            self.attendance_people += 1
            self.attendance_observed_days += window.attendance_observed_days
            self.attendances += window.attendances

    @property
    def person_years(self) -> float:
        return self.observed_days / DAYS_A_YEAR

    @property
    def admissions_per_person_year(self) -> float | None:
        return _per_year(self.admissions, self.observed_days)

    @property
    def emergency_admissions_per_person_year(self) -> float | None:
        return _per_year(self.emergency_admissions, self.observed_days)

    @property
    def bed_days_per_person_year(self) -> float | None:
        return _per_year(self.bed_days, self.observed_days)

    @property
    def length_of_stay(self) -> float | None:
        return self.bed_days / self.admissions if self.admissions else None

    @property
    def excess_share(self) -> float | None:
        return self.excess_bed_days / self.bed_days if self.bed_days else None

    @property
    def attendances_per_person_year(self) -> float | None:
        return _per_year(self.attendances, self.attendance_observed_days)


@dataclass(slots=True)
class CohortSummary:
    measured: int = 0
    not_yet_due: int = 0
    no_tenancy: int = 0
    no_data: int = 0
    before: WindowTotals = field(default_factory=WindowTotals)
    after: WindowTotals = field(default_factory=WindowTotals)

    @property
    def cases(self) -> int:
        return self.measured + self.not_yet_due + self.no_tenancy + self.no_data


def cohort_summary(measures: Iterable[CaseMeasures]) -> CohortSummary:
    summary = CohortSummary()
    for m in measures:
        status = m.summary_status
        if status == NOT_YET_DUE:
            summary.not_yet_due += 1
        elif status == NO_TENANCY:
            summary.no_tenancy += 1
        elif status == NO_DATA:
            summary.no_data += 1
        else:
            summary.measured += 1
            admissions = m.before.admissions is not None and m.after.admissions is not None
            attendances = m.before.attendances is not None and m.after.attendances is not None
            summary.before.add(m.before, admissions=admissions, attendances=attendances)
            summary.after.add(m.after, admissions=admissions, attendances=attendances)
    return summary
