"""Hospital activity before and after the move (h2h/hospital/measures.py), on a small hand-made dataset whose
figures are worked out by hand below, first with the plain functions, then through the database selectors.

Window: 6 months. Today: 30 June 2025. Admissions files cover 1 Jan 2023 – 31 May 2025, A&E files
1 Jul 2023 – 31 May 2025.

  A  referred 1 Mar 2024, tenancy 15 May 2024: admissions in both windows, one straddling the referral,
     others just outside each window.
  B  referred 1 Dec 2024, tenancy 3 Feb 2025: after window ends 2 Aug 2025 → not yet due.
  C  referred 15 Mar 2023, tenancy 1 Jun 2023: before window only partly covered by the data.
  D  referred 10 Jan 2024, tenancy 1 Mar 2024: no admissions and no attendances at all.
  E  referred 30 Jun 2024, tenancy 31 Aug 2024: long stays with excess bed days.
  F  referred 1 Sep 2024, not rehoused → no tenancy.
  H  referred 1 May 2022, tenancy 1 Jun 2022: both windows before any file → no data.
"""

from datetime import date

import pytest

from h2h.accounts.roles import Role
from h2h.cases.models import Case, CaseEvent
from h2h.cases.stages import Stage
from h2h.hospital import measures as m
from h2h.hospital.models import Admission, Attendance, Extract, LinkReview
from h2h.hospital.selectors_outcomes import before_after, linked_cases, outcome_inputs, page_inputs
from h2h.lib.identifiers import nhs_number_check_digit
from tests.factories import make_case, make_person, make_user

D = date
TODAY = D(2025, 6, 30)
W = 6
ADMISSIONS_COVER = (D(2023, 1, 1), D(2025, 5, 31))
ATTENDANCES_COVER = (D(2023, 7, 1), D(2025, 5, 31))
COVERAGE = {m.ADMISSIONS: (ADMISSIONS_COVER,), m.ATTENDANCES: (ATTENDANCES_COVER,)}

# person → (referred_on, tenancy start, admissions (admitted, discharged, emergency, excess), attendances)
PEOPLE = {
    "A": (D(2024, 3, 1), D(2024, 5, 15), [
        (D(2023, 8, 20), D(2023, 8, 25), True, 0),    # before the before window (starts 1 Sep 2023)
        (D(2023, 10, 2), D(2023, 10, 12), True, 0),   # before: 10 bed days
        (D(2024, 2, 20), D(2024, 3, 10), True, 4),    # before, discharged after the referral: all 19 bed days
        (D(2024, 4, 1), D(2024, 4, 3), False, 0),     # between referral and tenancy: in neither window
        (D(2024, 6, 10), D(2024, 6, 12), False, 0),   # after: 2 bed days, elective
        (D(2024, 11, 15), D(2024, 11, 20), True, 0),  # the day after the after window ends (14 Nov 2024)
    ], [D(2023, 12, 24), D(2024, 1, 5), D(2024, 7, 1)]),
    "B": (D(2024, 12, 1), D(2025, 2, 3), [(D(2024, 7, 7), D(2024, 7, 9), True, 0)], []),
    "C": (D(2023, 3, 15), D(2023, 6, 1), [
        (D(2022, 12, 10), D(2022, 12, 20), True, 0),  # in the before window but before the data starts
        (D(2023, 2, 1), D(2023, 2, 15), True, 2),     # before: 14 bed days, 2 excess
    ], [D(2023, 6, 15),                                # in the after window but before the A&E data starts
        D(2023, 8, 1)]),
    "D": (D(2024, 1, 10), D(2024, 3, 1), [], []),
    "E": (D(2024, 6, 30), D(2024, 8, 31), [
        (D(2024, 1, 5), D(2024, 2, 4), True, 12),     # 30 bed days
        (D(2024, 4, 10), D(2024, 4, 30), True, 6),    # 20 bed days
        (D(2024, 5, 20), D(2024, 5, 21), False, 0),   # 1 bed day
        (D(2024, 10, 1), D(2024, 10, 8), True, 1),    # after: 7 bed days
    ], [D(2024, 3, 3)]),
    "F": (D(2024, 9, 1), None, [(D(2024, 8, 1), D(2024, 8, 4), True, 0)], []),
    "H": (D(2022, 5, 1), D(2022, 6, 1), [], []),
}

# Days in each window, counted month by month.
A_BEFORE = 30 + 31 + 30 + 31 + 31 + 29        # 1 Sep 2023 – 29 Feb 2024 (2024 is a leap year) = 182
A_AFTER = 17 + 30 + 31 + 31 + 30 + 31 + 14    # 15 May – 14 Nov 2024 = 184
B_BEFORE = 30 + 31 + 31 + 30 + 31 + 30        # 1 Jun – 30 Nov 2024 = 183
C_BEFORE_SEEN = 31 + 28 + 14                  # window 15 Sep 2022 – 14 Mar 2023, data from 1 Jan 2023 = 73
C_AFTER = 30 + 31 + 31 + 30 + 31 + 30         # 1 Jun – 30 Nov 2023 = 183
C_AFTER_AE = 31 + 31 + 30 + 31 + 30           # A&E data from 1 Jul 2023 = 153
D_BEFORE = 22 + 31 + 30 + 31 + 30 + 31 + 9    # 10 Jul 2023 – 9 Jan 2024 = 184
D_AFTER = 31 + 30 + 31 + 30 + 31 + 31         # 1 Mar – 31 Aug 2024 = 184
E_BEFORE = 2 + 31 + 29 + 31 + 30 + 31 + 29    # 30 Dec 2023 – 29 Jun 2024 = 183
E_AFTER = 1 + 30 + 31 + 30 + 31 + 31 + 27     # 31 Aug 2024 – 27 Feb 2025 (31 Aug + 6 months = 28 Feb) = 181


def _measure(letter, case_id=1, person_id=1):
    referred, tenancy, admissions, attendances = PEOPLE[letter]
    case = m.CaseDates(case_id, person_id, referred, tenancy)
    return m.case_measures(case, [m.AdmissionFacts(*a) for a in admissions], attendances, COVERAGE, W, TODAY)


def _all_measures():
    return [_measure(letter, n, n) for n, letter in enumerate(PEOPLE, 1)]


def test_the_day_counts_above_are_the_windows_lengths():
    assert (A_BEFORE, A_AFTER, B_BEFORE, C_AFTER, D_BEFORE, D_AFTER, E_BEFORE, E_AFTER) == (
        182, 184, 183, 183, 184, 184, 183, 181)
    assert m.window_before(D(2024, 3, 1), W) == (D(2023, 9, 1), D(2024, 2, 29))
    assert m.window_after(D(2024, 8, 31), W) == (D(2024, 8, 31), D(2025, 2, 27))
    assert m.window_before(D(2024, 6, 30), W) == (D(2023, 12, 30), D(2024, 6, 29))


# ------------------------------------------------------------------------------------------ one case


def test_admissions_straddling_the_windows():
    a = _measure("A")
    assert a.before.status == a.after.status == m.MEASURED
    assert (a.before.first_day, a.before.last_day) == (D(2023, 9, 1), D(2024, 2, 29))
    assert (a.after.first_day, a.after.last_day) == (D(2024, 5, 15), D(2024, 11, 14))
    assert a.before.observed_days == A_BEFORE and a.after.observed_days == A_AFTER
    assert (a.before.admissions, a.before.emergency_admissions) == (2, 2)
    assert a.before.bed_days == 10 + 19
    assert a.before.excess_bed_days == 4
    assert a.before.length_of_stay == pytest.approx((10 + 19) / 2)
    assert a.before.excess_share == pytest.approx(4 / 29)
    assert a.before.admissions_per_year == pytest.approx(2 * 365 / 182)
    assert a.before.emergency_admissions_per_year == pytest.approx(2 * 365 / 182)
    assert a.before.bed_days_per_year == pytest.approx(29 * 365 / 182)
    assert a.before.attendances == 2 and a.before.attendance_observed_days == A_BEFORE
    assert a.before.attendances_per_year == pytest.approx(2 * 365 / 182)
    assert (a.after.admissions, a.after.emergency_admissions, a.after.bed_days) == (1, 0, 2)
    assert a.after.admissions_per_year == pytest.approx(1 * 365 / 184)
    assert a.after.length_of_stay == pytest.approx(2 / 1)
    assert a.after.excess_share == 0
    assert a.after.attendances_per_year == pytest.approx(1 * 365 / 184)


def test_not_yet_due_is_not_zero():
    b = _measure("B")
    assert b.before.status == m.MEASURED and b.before.observed_days == B_BEFORE
    assert b.before.admissions_per_year == pytest.approx(1 * 365 / 183)
    assert b.after.status == m.NOT_YET_DUE
    assert (b.after.first_day, b.after.last_day) == (D(2025, 2, 3), D(2025, 8, 2))
    assert b.after.admissions is None and b.after.admissions_per_year is None and b.after.observed_days == 0
    assert b.summary_status == m.NOT_YET_DUE


def test_the_after_window_is_due_the_day_it_has_finished():
    # Tenancy 30 Dec 2024: the window is 30 Dec 2024 – 29 Jun 2025, finished by 30 June 2025.
    due = m.case_measures(m.CaseDates(1, 1, D(2024, 10, 1), D(2024, 12, 30)), [], [], COVERAGE, W, TODAY)
    assert due.after.status == m.MEASURED
    # The data stops on 31 May 2025: 2 + 31 + 28 + 31 + 30 + 31 days of the window are observed.
    assert due.after.observed_days == 2 + 31 + 28 + 31 + 30 + 31
    # Tenancy 1 Jan 2025: the window is 1 Jan – 30 Jun 2025 and today is its last day.
    early = m.case_measures(m.CaseDates(1, 1, D(2024, 10, 1), D(2025, 1, 1)), [], [], COVERAGE, W, TODAY)
    assert early.after.status == m.NOT_YET_DUE


def test_partial_coverage_counts_only_the_observed_days():
    c = _measure("C")
    assert c.before.status == m.MEASURED
    assert c.before.observed_days == C_BEFORE_SEEN
    assert (c.before.admissions, c.before.bed_days, c.before.excess_bed_days) == (1, 14, 2)
    assert c.before.admissions_per_year == pytest.approx(1 * 365 / 73)
    assert c.before.excess_share == pytest.approx(2 / 14)
    # No A&E data in the before window: not observed, so none rather than zero.
    assert c.before.attendance_observed_days == 0 and c.before.attendances is None
    assert c.before.attendances_per_year is None
    assert c.after.observed_days == C_AFTER and c.after.admissions == 0
    assert c.after.admissions_per_year == 0
    assert c.after.length_of_stay is None and c.after.excess_share is None
    assert c.after.attendance_observed_days == C_AFTER_AE and c.after.attendances == 1
    assert c.after.attendances_per_year == pytest.approx(1 * 365 / 153)


def test_no_admissions_are_zeros_where_observed():
    d = _measure("D")
    for window, days in ((d.before, D_BEFORE), (d.after, D_AFTER)):
        assert window.status == m.MEASURED and window.observed_days == days
        assert (window.admissions, window.bed_days, window.attendances) == (0, 0, 0)
        assert window.admissions_per_year == 0 and window.attendances_per_year == 0
        assert window.length_of_stay is None and window.excess_share is None


def test_excess_bed_days():
    e = _measure("E")
    assert (e.before.admissions, e.before.emergency_admissions) == (3, 2)
    assert e.before.bed_days == 30 + 20 + 1
    assert e.before.excess_bed_days == 12 + 6
    assert e.before.excess_share == pytest.approx(18 / 51)
    assert e.before.length_of_stay == pytest.approx(51 / 3)
    assert e.before.admissions_per_year == pytest.approx(3 * 365 / 183)
    assert e.before.excess_bed_days_per_year == pytest.approx(18 * 365 / 183)
    assert e.after.observed_days == E_AFTER
    assert e.after.admissions_per_year == pytest.approx(1 * 365 / 181)
    assert e.after.bed_days_per_year == pytest.approx(7 * 365 / 181)
    assert e.after.excess_share == pytest.approx(1 / 7)


def test_no_tenancy_and_no_data():
    f = _measure("F")
    assert f.after.status == m.NO_TENANCY and f.summary_status == m.NO_TENANCY
    assert f.before.admissions == 1  # 1 Aug 2024 is in 1 Mar – 31 Aug 2024
    h = _measure("H")
    assert h.before.status == h.after.status == m.NO_DATA and h.summary_status == m.NO_DATA
    assert h.before.admissions is None and h.before.admissions_per_year is None


def test_nothing_after_today_is_observed_and_files_join():
    assert m.merge_periods([(D(2024, 3, 1), D(2024, 3, 31)), (D(2024, 1, 1), D(2024, 2, 29)),
                            (D(2024, 6, 1), D(2024, 6, 30)), (D(2024, 6, 10), D(2024, 6, 12))]) == (
        (D(2024, 1, 1), D(2024, 3, 31)), (D(2024, 6, 1), D(2024, 6, 30)))
    coverage = ((D(2024, 1, 1), D(2024, 3, 31)), (D(2024, 6, 1), D(2024, 12, 31)))
    seen = m.observed_stretches(D(2024, 3, 20), D(2024, 9, 19), coverage, today=D(2024, 6, 10))
    assert seen == ((D(2024, 3, 20), D(2024, 3, 31)), (D(2024, 6, 1), D(2024, 6, 10)))
    # An admission in the gap between two files is not counted (the days are not observed either).
    in_the_gap = [m.AdmissionFacts(D(2024, 4, 15), D(2024, 4, 16), True, 0)]
    window = m.measure_window(D(2024, 3, 20), D(2024, 9, 19), in_the_gap, [], {m.ADMISSIONS: coverage},
                              D(2024, 12, 31))
    assert window.admissions == 0 and window.observed_days == 12 + (30 + 31 + 31 + 19)


# ------------------------------------------------------------------------------------------ cohort summary


def _check_summary(summary):
    assert (summary.measured, summary.not_yet_due, summary.no_tenancy, summary.no_data) == (4, 1, 1, 1)
    before, after = summary.before, summary.after
    # Admissions: A, C, D and E were observed in both windows.
    assert before.people == after.people == 4
    assert before.observed_days == A_BEFORE + C_BEFORE_SEEN + D_BEFORE + E_BEFORE == 182 + 73 + 184 + 183
    assert after.observed_days == A_AFTER + C_AFTER + D_AFTER + E_AFTER == 184 + 183 + 184 + 181
    assert before.admissions_per_person_year == pytest.approx((2 + 1 + 0 + 3) * 365 / 622)
    assert after.admissions_per_person_year == pytest.approx((1 + 0 + 0 + 1) * 365 / 732)
    assert before.emergency_admissions_per_person_year == pytest.approx((2 + 1 + 0 + 2) * 365 / 622)
    assert after.emergency_admissions_per_person_year == pytest.approx((0 + 0 + 0 + 1) * 365 / 732)
    assert before.length_of_stay == pytest.approx((29 + 14 + 0 + 51) / 6)
    assert after.length_of_stay == pytest.approx((2 + 0 + 0 + 7) / 2)
    assert before.excess_share == pytest.approx((4 + 2 + 0 + 18) / 94)
    assert after.excess_share == pytest.approx((0 + 0 + 0 + 1) / 9)
    assert before.bed_days_per_person_year == pytest.approx(94 * 365 / 622)
    assert after.bed_days_per_person_year == pytest.approx(9 * 365 / 732)
    # A&E: C had no A&E data before its referral, so only A, D and E.
    assert before.attendance_people == after.attendance_people == 3
    assert before.attendances_per_person_year == pytest.approx((2 + 0 + 1) * 365 / (182 + 184 + 183))
    assert after.attendances_per_person_year == pytest.approx((1 + 0 + 0) * 365 / (184 + 184 + 181))


def test_cohort_summary_pools_people_measured_in_both_windows():
    _check_summary(m.cohort_summary(_all_measures()))


# ------------------------------------------------------------------------------------ through the database

NHS_NUMBERS = [f"{n:09d}{nhs_number_check_digit(f'{n:09d}')}"
               for n in range(999000010, 999000200) if nhs_number_check_digit(f"{n:09d}") is not None]


def _extract(kind, first, last, user, status=Extract.Status.APPLIED):
    return Extract.objects.create(kind=kind, file_format="csv", file_name=f"{kind}.csv",
                                  sha256=f"{kind}{first}", size_bytes=1, provider="Test trust",
                                  period_start=first, period_end=last, uploaded_by=user, status=status)


def _admission(extract, person, facts, key, nhs_number=None):
    admitted, discharged, emergency, excess = facts
    return Admission.objects.create(extract=extract, person=person,
                                    nhs_number=nhs_number or person.nhs_number, date_of_birth=D(1950, 1, 1),
                                    row_key=key, line=1, admitted_on=admitted, discharged_on=discharged,
                                    emergency=emergency, excess_bed_days=excess)


def _case(letter, n, hhc, *, sharing=("housing", "evaluation"), person=None, stage=None, first_recorded=None):
    """The letter's case; first_recorded: a tenancy start date recorded (wrongly) before the right one."""
    referred, tenancy, _, _ = PEOPLE[letter]
    person = person or make_person(nhs_number=NHS_NUMBERS[n], last_name=f"Person{letter}",
                                   date_of_birth=D(1950, 1, 1))
    case = make_case(stage or (Stage.TENANCY_START if tenancy else Stage.APPLICATION_LIVE), person=person,
                     cohort="older_people")
    Case.objects.filter(pk=case.pk).update(referred_on=referred)
    case.referral.consent_sharing = list(sharing)
    case.referral.save(update_fields=["consent_sharing"])
    for on in (first_recorded, tenancy):
        if on:
            CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.STAGE, from_stage=Stage.OFFER,
                                     to_stage=Stage.TENANCY_START, on=on, by=hhc)
    return case


@pytest.fixture
def dataset(db):
    hhc = make_user(Role.HHC)
    evaluator = make_user(Role.EVALUATOR)
    admissions = _extract(Extract.Kind.ADMISSIONS, *ADMISSIONS_COVER, evaluator)
    attendances = _extract(Extract.Kind.ATTENDANCES, *ATTENDANCES_COVER, evaluator)
    # Files that do not count towards coverage: one superseded by a correction, one rejected.
    _extract(Extract.Kind.ADMISSIONS, D(2020, 1, 1), D(2022, 12, 31), evaluator, Extract.Status.SUPERSEDED)
    _extract(Extract.Kind.ADMISSIONS, D(2020, 1, 1), D(2022, 12, 31), evaluator, Extract.Status.REJECTED)
    cases = {}
    for n, (letter, (_, _, rows, days)) in enumerate(PEOPLE.items()):
        # A: a tenancy start recorded wrongly first, then corrected: the latest recorded one counts.
        case = cases[letter] = _case(letter, n, hhc, first_recorded=D(2024, 4, 15) if letter == "A" else None)
        for i, facts in enumerate(rows):
            _admission(admissions, case.person, facts, f"{letter}{i}")
        for i, day in enumerate(days):
            Attendance.objects.create(extract=attendances, person=case.person,
                                      nhs_number=case.person.nhs_number, date_of_birth=D(1950, 1, 1),
                                      row_key=f"{letter}{i}", line=1, attended_on=day)
    # Rows waiting for a linkage decision (no person yet) are not counted for anyone.
    review = LinkReview.objects.create(extract=admissions, nhs_number=cases["D"].person.nhs_number,
                                       date_of_birth=D(1951, 1, 1), reason=LinkReview.Reason.DOB_MISMATCH,
                                       rows=1)
    review.candidates.add(cases["D"].person)
    Admission.objects.create(extract=admissions, person=None, nhs_number=cases["D"].person.nhs_number,
                             date_of_birth=D(1951, 1, 1), row_key="review", line=1, admitted_on=D(2024, 4, 1),
                             discharged_on=D(2024, 4, 9), emergency=True, excess_bed_days=0)
    # Someone who did not agree to linkage, and someone with no NHS number: left out of the measures.
    no_consent = _case("A", 20, hhc, sharing=("housing",))
    _admission(admissions, no_consent.person, PEOPLE["A"][2][1], "no-consent")
    _case("D", 21, hhc, person=make_person(nhs_number="", last_name="Nonumber"))
    return cases, hhc


def test_the_selectors_give_the_hand_worked_figures(dataset):
    cases, _ = dataset
    inputs = outcome_inputs(Case.objects.all())
    assert (inputs.no_consent, inputs.no_nhs_number) == (1, 1)
    assert inputs.coverage == COVERAGE
    assert inputs.waiting_for_review == {cases["D"].person_id}
    measured = {c.case.case_id: c for c in before_after(inputs, today=TODAY, window_months=W)}
    assert set(measured) == {c.pk for c in cases.values()}
    by_letter = {letter: measured[case.pk] for letter, case in cases.items()}
    a = by_letter["A"]
    assert a.case.tenancy_start == D(2024, 5, 15)
    assert (a.before.admissions, a.before.bed_days, a.before.observed_days) == (2, 10 + 19, 182)
    assert a.after.admissions_per_year == pytest.approx(1 * 365 / 184)
    assert by_letter["B"].after.status == m.NOT_YET_DUE
    assert by_letter["C"].before.admissions_per_year == pytest.approx(1 * 365 / 73)
    assert by_letter["D"].after.admissions == 0
    assert by_letter["E"].before.excess_share == pytest.approx(18 / 51)
    assert by_letter["F"].after.status == m.NO_TENANCY
    assert by_letter["H"].summary_status == m.NO_DATA
    _check_summary(m.cohort_summary(measured.values()))
    # The pure functions on the same facts give the same answer for every case.
    for letter, case in cases.items():
        expected = _measure(letter, case.pk, case.person_id)
        assert measured[case.pk].before == expected.before and measured[case.pk].after == expected.after


def test_one_page_of_cases_reads_only_its_people(dataset):
    cases, _ = dataset
    everyone, _, _ = linked_cases(Case.objects.all())
    page = [c for c in everyone if c.case_id in (cases["A"].pk, cases["E"].pk)]
    inputs = page_inputs(page)
    assert set(inputs.admissions_by_person) == {cases["A"].person_id, cases["E"].person_id}
    measured = before_after(inputs, today=TODAY, window_months=W)
    assert [c.before.admissions for c in measured] == [2, 3]


def test_a_person_with_two_cases_has_each_case_measured_from_the_same_activity(dataset):
    cases, hhc = dataset
    person = cases["H"].person  # H's first case closes; a new referral in 2024 opens a second one
    Case.objects.filter(pk=cases["H"].pk).update(stage=Stage.CLOSED, closing_reason="rehoused")
    extract = Extract.objects.get(kind=Extract.Kind.ADMISSIONS, status=Extract.Status.APPLIED)
    _admission(extract, person, (D(2024, 1, 5), D(2024, 1, 9), True, 0), "H-second")
    second = _case("D", 0, hhc, person=person)  # referred 10 Jan 2024, tenancy 1 Mar 2024
    measured = {c.case.case_id: c for c in before_after(outcome_inputs(Case.objects.all()), today=TODAY,
                                                        window_months=W)}
    assert measured[second.pk].before.admissions == 1 and measured[second.pk].before.bed_days == 4
    assert measured[cases["H"].pk].summary_status == m.NO_DATA  # the first case's windows still have no data


def test_a_service_scoped_queryset_reads_only_its_tenancy_starts(dataset):
    cases, _ = dataset
    inputs = outcome_inputs(Case.objects.filter(pk__in=[cases["A"].pk, cases["F"].pk]))
    assert {c.case_id: c.tenancy_start for c in inputs.cases} == {cases["A"].pk: D(2024, 5, 15),
                                                                   cases["F"].pk: None}


def test_measures_follow_the_area_window(dataset):
    inputs = outcome_inputs(Case.objects.all())
    area_window = {c.case.case_id: c for c in before_after(inputs, today=TODAY)}  # nottingham.toml: 6 months
    a = area_window[dataset[0]["A"].pk]
    assert a.before.observed_days == A_BEFORE
    three = {c.case.case_id: c for c in before_after(inputs, today=TODAY, window_months=3)}
    a = three[dataset[0]["A"].pk]
    # 1 Dec 2023 – 29 Feb 2024: 31 + 31 + 29 days; only the 20 Feb 2024 admission is in it.
    assert a.before.observed_days == 31 + 31 + 29 and a.before.admissions == 1
