"""The KPI functions (h2h/reports/kpis.py), each over hand-made records with the expected figure worked out
here; the disclosure rule for audiences outside the service; and the worked check against the seed: people
referred from a bed, rehoused in 55 days on average against the 182-day baseline, save 127 bed days each."""

import itertools
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from h2h.accounts.models import Organisation, User
from h2h.accounts.roles import Role
from h2h.area import valuesets
from h2h.cases.models import Case, CaseEvent
from h2h.cases.stages import Stage
from h2h.hardship.models import Budget, SpendRequest
from h2h.lettings.models import Application, Offer, Property, Void
from h2h.referrals.models import Referral
from h2h.reports import kpis
from h2h.reports.figures import Shown
from h2h.reports.monthly import build_monthly_report
from h2h.support.models import Visit
from tests.factories import make_org, make_person, make_referral, make_user, service_org

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
SEPTEMBER = kpis.Period.month(2025, 9)
OCTOBER = kpis.Period.month(2025, 10)
AUTUMN = kpis.Period.months(date(2025, 9, 1), date(2025, 10, 1))
_n = itertools.count(1)


# ------------------------------------------------------------------------------------------- raw records
# Rows written straight to the tables (no services), so each test states exactly the history it measures.


def recorder():
    """Who recorded the history rows: one project manager (not a coordinator, so no caseload of their own)."""
    return User.objects.filter(username="recorder").first() or make_user(
        Role.PROJECT_MANAGER, username="recorder"
    )


def aware(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON)


def new_case(
    referred_on: date,
    *,
    setting="acute_hospital",
    cohort="",
    decision="",
    service=None,
    referrer: Organisation | None = None,
    via=Referral.ReceivedVia.ONLINE,
    assigned_to=None,
) -> Case:
    """A case referred on `referred_on`, with its 'referral received' event, as referral_submit leaves it."""
    service = service or service_org()
    person = make_person(nhs_number="", last_name=f"Kpiperson{next(_n)}")
    referral = make_referral(person=person, service=service, setting=setting, received_at=aware(referred_on))
    Referral.objects.filter(pk=referral.pk).update(
        received_via=via, referrer_organisation=referrer or referral.referrer_organisation
    )
    case = Case.objects.create(
        service=service,
        person=person,
        referral=referral,
        referred_on=referred_on,
        stage_changed_on=referred_on,
        cohort=cohort,
        decision=decision,
        assigned_to=assigned_to,
    )
    Referral.objects.filter(pk=referral.pk).update(case=case)
    CaseEvent.objects.create(
        case=case, kind=CaseEvent.Kind.STAGE, to_stage=Stage.REFERRAL_RECEIVED, on=referred_on, by=recorder()
    )
    return case


def move(case: Case, to_stage: str, on: date, *, closing_reason="") -> Case:
    """A stage move in the case's history (and the case's current stage with it)."""
    CaseEvent.objects.create(
        case=case, kind=CaseEvent.Kind.STAGE, from_stage=case.stage, to_stage=to_stage, on=on, by=recorder()
    )
    Case.objects.filter(pk=case.pk).update(stage=to_stage, stage_changed_on=on, closing_reason=closing_reason)
    case.refresh_from_db()
    return case


def rehoused_case(referred_on: date, days: int, *, setting="acute_hospital", service=None) -> Case:
    """A case accepted and rehoused: its tenancy started `days` days after the referral."""
    case = new_case(
        referred_on, setting=setting, cohort="older_people", decision=Case.Decision.ACCEPTED, service=service
    )
    move(case, Stage.SCREENED, referred_on + timedelta(days=1))
    move(case, Stage.FIRST_VISIT, referred_on + timedelta(days=2))
    move(case, Stage.APPLICATION_LIVE, referred_on + timedelta(days=3))
    move(case, Stage.OFFER, referred_on + timedelta(days=days - 1))
    return move(case, Stage.TENANCY_START, referred_on + timedelta(days=days))


def assign(case: Case, to_user, on: date, *, handover=False) -> None:
    CaseEvent.objects.create(
        case=case,
        on=on,
        by=recorder(),
        payload={"to_user": to_user.pk},
        kind=CaseEvent.Kind.HANDOVER if handover else CaseEvent.Kind.ASSIGNED,
    )
    Case.objects.filter(pk=case.pk).update(assigned_to=to_user)


def other_service() -> Organisation:
    return make_org("OTHERHP", name="Another Housing Provider", kind=Organisation.Kind.HOUSING_PROVIDER)


# ------------------------------------------------------------------------------------------- periods


def test_a_month_period_runs_from_its_first_to_its_last_day_and_the_financial_year_from_april():
    assert (SEPTEMBER.start, SEPTEMBER.end) == (date(2025, 9, 1), date(2025, 9, 30))
    assert kpis.Period.month(2024, 2).end == date(2024, 2, 29)
    assert AUTUMN.month_starts() == [date(2025, 9, 1), date(2025, 10, 1)]
    assert kpis.Period.financial_year_to_date(date(2026, 2, 10)) == kpis.Period(
        date(2025, 4, 1), date(2026, 2, 10)
    )
    assert kpis.Period.financial_year_to_date(date(2025, 4, 1)).start == date(2025, 4, 1)
    assert OCTOBER.label == "October 2025"
    with pytest.raises(ValueError):
        kpis.Period(date(2025, 10, 2), date(2025, 10, 1))


# ------------------------------------------------------------------------------------------- referrals


@pytest.fixture
def referrals():
    """Two new referrals in September and three in October, and some that must not count."""
    council = make_org("NCC", name="Nottingham City Council", kind=Organisation.Kind.COUNCIL)
    mental_health = make_org("NOTTSHC", name="Notts Healthcare", kind=Organisation.Kind.MENTAL_HEALTH_TRUST)
    new_case(date(2025, 9, 1), setting="acute_hospital", cohort="older_people", decision="accepted")
    new_case(
        date(2025, 9, 30),
        setting="community",
        decision="declined",
        referrer=council,
        via=Referral.ReceivedVia.PHONE,
    )
    new_case(
        date(2025, 10, 1),
        setting="mental_health_ward",
        cohort="mental_health",
        decision="accepted",
        referrer=mental_health,
        via=Referral.ReceivedVia.PHONE,
    )
    new_case(date(2025, 10, 15), setting="acute_hospital")
    open_case = new_case(
        date(2025, 10, 31),
        setting="step_down_unit",
        cohort="wheelchair_users",
        decision="accepted",
        referrer=council,
        via=Referral.ReceivedVia.EMAIL,
    )
    new_case(date(2025, 8, 31))  # before the period
    new_case(date(2025, 11, 1))  # after it
    new_case(date(2025, 10, 10), service=other_service())  # another service's
    # Further referrals for the person with an open case: received 00:30 on 1 October in London (23:30 UTC on
    # 30 September) counts in October; one in August does not count at all.
    make_referral(
        person=open_case.person,
        case=open_case,
        linked_to_open_case=True,
        received_at=datetime(2025, 9, 30, 23, 30, tzinfo=ZoneInfo("UTC")),
    )
    make_referral(
        person=open_case.person,
        case=open_case,
        linked_to_open_case=True,
        received_at=aware(date(2025, 8, 20)),
    )
    return {"council": council}


def test_referrals_are_new_cases_counted_by_month_of_referral(referrals):
    service = service_org()
    assert kpis.referrals_received(service, AUTUMN) == 5
    assert kpis.referrals_by_month(service, AUTUMN) == [(date(2025, 9, 1), 2), (date(2025, 10, 1), 3)]
    assert kpis.referrals_by_month(service, kpis.Period.months(date(2025, 7, 1), date(2025, 7, 1))) == [
        (date(2025, 7, 1), 0)
    ]


def test_further_referrals_count_by_their_local_date(referrals):
    service = service_org()
    assert kpis.further_referrals(service, OCTOBER) == 1
    assert kpis.further_referrals(service, SEPTEMBER) == 0
    assert kpis.further_referrals(service, kpis.Period.month(2025, 8)) == 1


def test_referrals_by_source_route_setting_and_cohort(referrals):
    service = service_org()
    by_source = dict(kpis.referrals_by_source(service, AUTUMN))
    # NUH (acute trust) is the factories' referrer for the two cases without one of their own.
    assert by_source["Acute hospital trust"] == 2
    assert by_source["Council"] == 2
    assert by_source["Mental-health trust"] == 1
    assert sum(by_source.values()) == 5
    assert dict(kpis.referrals_by_route(service, AUTUMN)) == {
        "Online form": 2,
        "Phone": 2,
        "Email": 1,
        "Referrer's system": 0,
    }
    by_setting = dict(kpis.referrals_by_setting(service, AUTUMN))
    assert by_setting == {
        "Acute hospital": 2,
        "Community or intermediate-care bed": 0,
        "Mental-health ward": 1,
        "Step-down unit": 1,
        "Care home (temporary placement)": 0,
        "At home in the community": 1,
    }
    assert kpis.referrals_by_cohort(service, AUTUMN) == [
        ("Older people", 1),
        ("Essential wheelchair users", 1),
        ("Mental-health move-on", 1),
        (kpis.DECLINED, 1),
        (kpis.NOT_SCREENED, 1),
    ]


# ------------------------------------------------------------------------------------------- screening


def test_acceptance_counts_screening_decisions_made_in_the_period():
    accepted_in = new_case(date(2025, 9, 25), cohort="older_people", decision="accepted")
    move(accepted_in, Stage.SCREENED, date(2025, 10, 2))
    for day in (3, 4):
        move(
            new_case(date(2025, 10, 1), cohort="older_people", decision="accepted"),
            Stage.SCREENED,
            date(2025, 10, day),
        )
    declined = new_case(date(2025, 10, 1), decision="declined")
    move(declined, Stage.CLOSED, date(2025, 10, 5), closing_reason="not_eligible")
    # Withdrawn before screening: no decision, not counted.
    move(new_case(date(2025, 10, 1)), Stage.CLOSED, date(2025, 10, 6), closing_reason="withdrawn")
    # Screened in September: not October's decision.
    move(
        new_case(date(2025, 9, 1), cohort="older_people", decision="accepted"),
        Stage.SCREENED,
        date(2025, 9, 30),
    )

    result = kpis.screening(service_org(), OCTOBER)
    assert (result.accepted, result.declined, result.screened) == (3, 1, 4)
    assert Shown(exact=True).rate(result.accepted, result.screened) == 75.0


# ------------------------------------------------------------------------------------------- caseload


def test_caseload_per_coordinator_follows_the_assignment_history():
    alice = make_user(Role.HHC, first_name="Alice", last_name="Adams")
    bob = make_user(Role.HHC, first_name="Bob", last_name="Brown")
    idle = make_user(Role.HHC, first_name="Cara", last_name="Cole")
    moved = new_case(date(2025, 10, 1))
    assign(moved, alice, date(2025, 10, 1))
    assign(moved, bob, date(2025, 10, 10), handover=True)
    closing = new_case(date(2025, 10, 1))
    assign(closing, alice, date(2025, 10, 1))
    move(closing, Stage.CLOSED, date(2025, 10, 8), closing_reason="withdrawn")
    new_case(date(2025, 10, 1), assigned_to=bob)  # assigned without a history: counts under its coordinator
    new_case(date(2025, 10, 1))  # nobody holds it
    new_case(date(2025, 10, 20), assigned_to=alice)  # not referred yet on the 5th
    new_case(date(2025, 10, 1), service=other_service(), assigned_to=alice)

    def load(day):
        return {
            (user.first_name if user else None): n for user, n in kpis.caseload_per_hhc(service_org(), day)
        }

    # 5 October: Alice holds both her cases, Bob the one without history, one case has nobody.
    assert load(date(2025, 10, 5)) == {"Alice": 2, "Bob": 1, "Cara": 0, None: 1}
    # 25 October: the handover moved one to Bob, Alice's other one closed on the 8th, a new one came to her.
    assert load(date(2025, 10, 25)) == {"Alice": 1, "Bob": 2, "Cara": 0, None: 1}
    assert idle.is_active
    # Today the holder is the case's coordinator now, as the history also says.
    assert load(timezone.localdate()) == {"Alice": 1, "Bob": 2, "Cara": 0, None: 1}
    assign(moved, alice, timezone.localdate(), handover=True)
    assert load(timezone.localdate()) == {"Alice": 2, "Bob": 1, "Cara": 0, None: 1}


# ------------------------------------------------------------------------------------------- funnel


def test_the_funnel_counts_cases_referred_in_the_period_at_each_stage_they_reached():
    rehoused_case(date(2025, 9, 1), 30)  # tenancy 1 October
    late = rehoused_case(date(2025, 9, 5), 60)  # tenancy 4 November: after the as-of date
    screened = new_case(date(2025, 9, 10), cohort="older_people", decision="accepted")
    move(screened, Stage.SCREENED, date(2025, 9, 12))
    new_case(date(2025, 9, 20))
    rehoused_case(date(2025, 8, 1), 20)  # referred before the period
    # Offered twice (the first offer refused, back to searching): still one case at each stage.
    looped = new_case(date(2025, 9, 3), cohort="older_people", decision="accepted")
    steps = ((Stage.SCREENED, 4), (Stage.FIRST_VISIT, 5), (Stage.APPLICATION_LIVE, 6), (Stage.OFFER, 10),
             (Stage.APPLICATION_LIVE, 12), (Stage.OFFER, 20))
    for stage, day in steps:
        move(looped, stage, date(2025, 9, day))
    # Closed while searching after a refused offer, and closed before screening.
    closed_searching = new_case(date(2025, 9, 4), cohort="older_people", decision="accepted")
    steps = ((Stage.SCREENED, 5), (Stage.FIRST_VISIT, 6), (Stage.APPLICATION_LIVE, 7), (Stage.OFFER, 8),
             (Stage.APPLICATION_LIVE, 9))
    for stage, day in steps:
        move(closed_searching, stage, date(2025, 9, day))
    move(closed_searching, Stage.CLOSED, date(2025, 9, 30), closing_reason="withdrawn")
    move(new_case(date(2025, 9, 6)), Stage.CLOSED, date(2025, 9, 8), closing_reason="withdrawn")

    funnel = dict(kpis.funnel(service_org(), SEPTEMBER, as_of=date(2025, 10, 31)))
    assert funnel[Stage.REFERRAL_RECEIVED] == 7
    assert funnel[Stage.SCREENED] == 5
    assert funnel[Stage.FIRST_VISIT] == 4
    assert funnel[Stage.APPLICATION_LIVE] == 4
    assert funnel[Stage.OFFER] == 3  # the looped cases once each; the late one's offer was made on 3 November
    assert funnel[Stage.TENANCY_START] == 1
    assert funnel[Stage.FOLLOW_UP_2W] == 0
    assert Stage.CLOSED not in funnel
    assert late.stage == Stage.TENANCY_START
    # Today's funnel is read from where each case is now; it agrees with the one counted from the history.
    today = timezone.localdate()
    cases = Case.objects.filter(service=service_org(), referred_on__gte=SEPTEMBER.start,
                                referred_on__lte=SEPTEMBER.end)
    now = kpis.funnel(service_org(), SEPTEMBER, as_of=today)
    assert now == kpis.funnel_from_history(cases, today)
    assert dict(now)[Stage.OFFER] == 4 and dict(now)[Stage.TENANCY_START] == 2


# ------------------------------------------------------------------------------------------- rehousing


def test_rehousing_time_is_referral_to_tenancy_start_for_tenancies_started_in_the_period():
    for referred, days in (
        (date(2025, 8, 1), 62),
        (date(2025, 9, 1), 30),
        (date(2025, 7, 1), 100),
        (date(2025, 9, 15), 20),
    ):
        rehoused_case(referred, days)
    rehoused_case(date(2025, 9, 1), 5)  # tenancy 6 September: outside October
    rehoused_case(date(2025, 9, 1), 40, service=other_service())
    # A case whose tenancy start was recorded twice counts once, from the first.
    twice = rehoused_case(date(2025, 9, 20), 15)
    CaseEvent.objects.create(
        case=twice,
        kind=CaseEvent.Kind.STAGE,
        from_stage=Stage.OFFER,
        to_stage=Stage.TENANCY_START,
        on=date(2025, 10, 30),
        by=recorder(),
    )

    times = kpis.rehousing_time(service_org(), OCTOBER)
    # Tenancies in October: 62 (2 Oct), 30 (1 Oct), 100 (9 Oct), 20 (5 Oct), 15 (5 Oct).
    assert sorted(times.days) == [15, 20, 30, 62, 100]
    assert times.median == 30
    assert times.mean == (15 + 20 + 30 + 62 + 100) / 5
    assert times.baseline == 182
    assert dict(times.bands) == {
        "Up to 4 weeks (0 to 28 days)": 2,
        "4 to 8 weeks (29 to 56 days)": 1,
        "8 to 13 weeks (57 to 91 days)": 1,
        "13 to 26 weeks (92 to 182 days)": 1,
        "Over 26 weeks (183 days or more)": 0,
    }
    assert times.longer_than_baseline == 0
    assert kpis.rehousing_time(service_org(), kpis.Period.month(2025, 12)).median is None


def test_worked_check_against_the_seed_55_days_against_182_is_127_bed_days_avoided_per_person_in_a_bed():
    """Seed 000_…: an average of 55 days from referral to tenancy against the 182-day baseline wait gives
    182 − 55 = 127 bed days avoided for each person referred from a bed."""
    from_bed = [
        ("acute_hospital", 40),
        ("mental_health_ward", 48),
        ("acute_hospital", 55),
        ("community_hospital", 62),
        ("step_down_unit", 70),
    ]
    for setting, days in from_bed:
        rehoused_case(date(2025, 10, 31) - timedelta(days=days), days, setting=setting)
    rehoused_case(date(2025, 10, 20), 10, setting="community")  # at home: rehoused, but no bed to free

    service = service_org()
    mean = sum(days for _, days in from_bed) / len(from_bed)
    assert mean == 55
    beds = kpis.bed_days_avoided(service, OCTOBER)
    assert beds.baseline == 182
    assert beds.people == 5
    assert beds.mean_rehousing_days == 55
    assert beds.per_person == 182 - 55 == 127
    assert beds.total == 5 * 127
    by_setting = {label: (people, days) for label, people, days in beds.by_setting}
    assert by_setting["Acute hospital"] == (2, (182 - 40) + (182 - 55))
    assert by_setting["Care home (temporary placement)"] == (0, 0)
    assert "At home in the community" not in by_setting

    # The same figures, through the monthly report the project manager takes to the contract meeting.
    report = build_monthly_report(service, 2025, 10, Shown(exact=True), today=date(2026, 1, 15))
    summary = {row[0]: row[1] for row in report.sections[0].tables[0].rows}
    assert summary["People rehoused from a bed"] == 5
    assert summary["Baseline wait without the service (days)"] == 182
    assert summary["Bed days avoided per person in a bed"] == 127
    assert summary["Bed days avoided"] == 635
    # Everyone rehoused, the person at home included: (40 + 48 + 55 + 62 + 70 + 10) / 6 = 47.5.
    assert summary["Mean rehousing time (days)"] == 47.5


def test_a_person_rehoused_after_longer_than_the_baseline_counts_negatively_not_as_zero():
    rehoused_case(date(2025, 4, 1), 200)  # tenancy 18 October, 18 days past the baseline
    rehoused_case(date(2025, 9, 1), 50)
    beds = kpis.bed_days_avoided(service_org(), OCTOBER)
    assert beds.total == (182 - 200) + (182 - 50) == 114
    assert beds.per_person == 57
    assert beds.longer_than_baseline == 1


# ------------------------------------------------------------------------------------------- follow-ups


def visit(kind, due_on, done_on=None, *, case=None):
    case = case or rehoused_case(due_on - timedelta(days=60), 30)
    user = recorder()
    return Visit.objects.create(
        case=case, kind=kind, due_on=due_on, done_on=done_on, done_by=user if done_on else None, owner=user
    )


def test_follow_ups_due_done_on_time_and_overdue_at_the_end_of_the_period():
    two, six = Visit.Kind.TWO_WEEK, Visit.Kind.SIX_MONTH
    visit(two, date(2025, 10, 5), date(2025, 10, 5))  # due and done on time
    visit(two, date(2025, 10, 10), date(2025, 10, 14))  # due, done late
    visit(two, date(2025, 9, 28), date(2025, 10, 2))  # done in October, due in September: late
    visit(two, date(2025, 10, 20))  # due, not done: overdue
    visit(two, date(2025, 10, 25), date(2025, 11, 3))  # done after the month: overdue on 31 October
    visit(two, date(2025, 10, 31))  # due on the last day: not yet overdue
    closed = visit(two, date(2025, 10, 12)).case
    move(closed, Stage.CLOSED, date(2025, 10, 20), closing_reason="moved_elsewhere")  # no longer owed
    visit(six, date(2025, 8, 1))  # overdue since August
    rows = {row.kind: row for row in kpis.follow_ups(service_org(), OCTOBER, as_of=date(2025, 10, 31))}
    two_week, six_month = rows["2-week follow-up visit"], rows["6-month follow-up visit"]
    assert (two_week.due, two_week.done, two_week.done_on_time, two_week.overdue) == (6, 3, 1, 2)
    assert (six_month.due, six_month.done, six_month.done_on_time, six_month.overdue) == (0, 0, 0, 1)


# ------------------------------------------------------------------------------------------- surveys


def test_survey_completion_among_cases_that_owed_a_survey_in_the_period():
    from h2h.surveys.models import Survey

    def first_visit(on):
        case = new_case(on - timedelta(days=5), cohort="older_people", decision="accepted")
        move(case, Stage.SCREENED, on - timedelta(days=2))
        return move(case, Stage.FIRST_VISIT, on)

    recorded, declined, missing = (first_visit(date(2025, 10, d)) for d in (3, 4, 5))
    september = first_visit(date(2025, 9, 20))
    by = recorder()
    Survey.objects.create(
        case=recorded,
        timepoint="baseline",
        respondent="person",
        completed_on=date(2025, 10, 3),
        recorded_by=by,
    )
    Survey.objects.create(
        case=recorded,
        timepoint="baseline",
        respondent="carer",
        completed_on=date(2025, 10, 3),
        recorded_by=by,
    )
    Survey.objects.create(
        case=declined,
        timepoint="baseline",
        respondent="person",
        completed_on=date(2025, 10, 4),
        recorded_by=by,
        declined=True,
        declined_reason="Did not want to answer today",
    )
    Survey.objects.create(
        case=september,
        timepoint="baseline",
        respondent="person",
        completed_on=date(2025, 9, 20),
        recorded_by=by,
    )
    rows = {row.timepoint: row for row in kpis.survey_completion(service_org(), OCTOBER)}
    baseline = rows["Baseline"]
    assert (baseline.due, baseline.recorded, baseline.declined, baseline.missing) == (3, 1, 1, 1)
    assert rows["6-month follow-up"].due == 0
    assert missing.stage == Stage.FIRST_VISIT


# ------------------------------------------------------------------------------------------- lettings


def let_through_offer(case, *, empty_on, tenancy_start, kind=Offer.Kind.SHORTLIST, decided=None):
    n = next(_n)
    home = Property.objects.create(
        ref=f"KPI{n:05d}",
        landlord=service_org(),
        address_line_1=f"{n} Let Road",
        town="Nottingham",
        postcode="NG7 1AA",
        property_type=valuesets.PropertyType.FLAT,
        bedrooms=1,
        floor=0,
        weekly_rent=Decimal("90.00"),
    )
    void = Void.objects.create(property=home, empty_on=empty_on, status=Void.Status.LET, let_on=tenancy_start)
    application = Application.objects.create(
        case=case,
        reference=f"KPIAPP{n}",
        applicant_name="x",
        date_of_birth=date(1950, 1, 1),
        band="A",
        application_date=empty_on,
        effective_date=empty_on,
        status=Application.Status.HOUSED,
    )
    return Offer.objects.create(
        void=void,
        application=application,
        kind=kind,
        status=Offer.Status.SIGNED_UP,
        made_by=recorder(),
        decided_at=aware(decided or tenancy_start - timedelta(days=3)),
        tenancy_start=tenancy_start,
    )


def test_voids_let_through_the_service_and_the_long_term_ones_among_them():
    def case():
        return new_case(date(2025, 8, 1), cohort="older_people", decision="accepted")

    # long-term threshold (nottingham.toml) is 90 days: empty more than 90 days before the let.
    let_through_offer(
        case(), empty_on=date(2025, 6, 1), tenancy_start=date(2025, 10, 6)
    )  # 127 days: long-term
    let_through_offer(
        case(), empty_on=date(2025, 7, 8), tenancy_start=date(2025, 10, 6), kind=Offer.Kind.DIRECT
    )  # exactly 90 days: not long-term
    let_through_offer(
        case(), empty_on=date(2025, 9, 1), tenancy_start=date(2025, 11, 2), decided=date(2025, 10, 28)
    )  # accepted in October, let in November
    let_through_offer(case(), empty_on=date(2025, 9, 1), tenancy_start=date(2025, 9, 20))  # let in September
    general = Application.objects.create(
        reference="GEN1",
        applicant_name="General",
        date_of_birth=date(1960, 1, 1),
        band="D",
        application_date=date(2025, 1, 1),
        effective_date=date(2025, 1, 1),
        status=Application.Status.HOUSED,
    )
    home = Property.objects.create(
        ref="GENHOME",
        landlord=service_org(),
        address_line_1="1 General Road",
        town="Nottingham",
        postcode="NG7 1AA",
        property_type="flat",
        bedrooms=1,
        floor=0,
        weekly_rent=Decimal("90.00"),
    )
    void = Void.objects.create(
        property=home, empty_on=date(2025, 5, 1), status=Void.Status.LET, let_on=date(2025, 10, 10)
    )
    Offer.objects.create(
        void=void,
        application=general,
        kind="shortlist",
        status="signed_up",
        made_by=recorder(),
        decided_at=aware(date(2025, 10, 8)),
        tenancy_start=date(2025, 10, 10),
    )  # not an H2H case

    lets = kpis.lettings(service_org(), OCTOBER)
    assert lets.offers_accepted == 3
    assert lets.lets == 2
    assert lets.direct_offer_lets == 1
    assert lets.long_term_voids_let == 1
    assert lets.long_term_void_days == 90


# ------------------------------------------------------------------------------------------- hardship


def test_hardship_spend_approved_and_paid_in_the_period_and_the_years_position():
    case = new_case(date(2025, 6, 1), cohort="older_people", decision="accepted")
    hhc, manager = make_user(Role.HHC), make_user(Role.PROJECT_MANAGER)
    Budget.objects.create(service=service_org(), year=2025, amount=Decimal("5000.00"))

    def spend(amount, status, decided=None, paid=None):
        return SpendRequest.objects.create(
            case=case,
            year=2025,
            what="Carpets",
            supplier="Carpet Co",
            amount=Decimal(amount),
            requested_by=hhc,
            requested_at=aware(date(2025, 9, 1)),
            status=status,
            decided_by=manager if decided else None,
            decided_at=aware(decided) if decided else None,
            paid_by=manager if paid else None,
            paid_at=aware(paid) if paid else None,
        )

    spend("100.00", "approved", decided=date(2025, 10, 2))
    spend("250.50", "paid", decided=date(2025, 10, 3), paid=date(2025, 10, 20))
    spend("75.25", "paid", decided=date(2025, 9, 3), paid=date(2025, 10, 1))  # approved in September
    spend("999.00", "refused", decided=date(2025, 10, 4))
    spend("40.00", "requested")
    result = kpis.hardship_spend(service_org(), OCTOBER)
    assert (result.approved_count, result.approved) == (2, Decimal("350.50"))
    assert (result.paid_count, result.paid) == (2, Decimal("325.75"))
    assert result.position.budget == Decimal("5000.00")
    assert result.position.committed == Decimal("425.75")
    assert result.year_committed_count == 3


# ------------------------------------------------------------------------------------------- disclosure


@pytest.mark.parametrize(
    ("n", "shown"), [(0, 0), (1, "*"), (7, "*"), (8, 10), (12, 10), (13, 15), (127, 125)]
)
def test_counts_outside_the_service_are_suppressed_1_to_7_and_rounded_to_5(n, shown):
    assert Shown(exact=False).count(n) == shown
    assert Shown(exact=True).count(n) == n


def test_rates_and_group_figures_outside_the_service_hide_small_groups():
    outside, inside = Shown(exact=False), Shown(exact=True)
    assert outside.rate(3, 6) == "*"  # denominator under 8
    assert outside.rate(5, 20) == "*"  # numerator 1–7
    assert outside.rate(18, 20) == "*"  # 2 declined would show through
    assert outside.rate(10, 20) == 50.0
    assert inside.rate(3, 6) == 50.0
    assert outside.rate(0, 0) is None
    assert outside.of_group(55.0, 7) == "*"
    assert outside.of_group(55.0, 8) == 55.0
    assert inside.of_group(55.0, 1) == 55.0
    assert outside.of_group(None, 0) is None


def test_the_hardship_position_agrees_with_the_hardship_funds_own_figures():
    from h2h.hardship.selectors import budget_position

    case = new_case(date(2025, 6, 1), cohort="older_people", decision="accepted")
    hhc, manager = make_user(Role.HHC), make_user(Role.PROJECT_MANAGER)
    Budget.objects.create(service=service_org(), year=2025, amount=Decimal("900.00"))
    spends = (("10.00", "approved"), ("20.00", "paid"), ("40.00", "requested"), ("80.00", "refused"))
    for amount, status in spends:
        decided = status != "requested"
        SpendRequest.objects.create(
            case=case, year=2025, what="Cooker", supplier="Shop", amount=Decimal(amount), requested_by=hhc,
            requested_at=aware(date(2025, 9, 1)), status=status, decided_by=manager if decided else None,
            decided_at=aware(date(2025, 9, 2)) if decided else None,
            paid_by=manager if status == "paid" else None,
            paid_at=aware(date(2025, 9, 3)) if status == "paid" else None,
        )
    assert kpis.hardship_spend(service_org(), OCTOBER).position == budget_position(service_org(), 2025)
    assert kpis.hardship_spend(service_org(), OCTOBER).position.remaining == Decimal("870.00")
