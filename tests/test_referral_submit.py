"""Submitting a referral, screening it, assigning the case and what comes next.

h2h/referrals/services.py (referral_submit), h2h/referrals/selectors.py (referral_status),
h2h/cases/services.py (screening, assignment) and h2h/cases/selectors.py (next_action, add_months).
"""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from h2h.accounts.roles import Role
from h2h.area.config import get_area
from h2h.area.eligibility import evaluate_all
from h2h.cases.models import Case, CaseEvent
from h2h.cases.selectors import add_months, next_action
from h2h.cases.services import (
    CaseActionRefused,
    case_assign,
    case_move,
    case_screen_accept,
    case_screen_decline,
)
from h2h.cases.stages import ClosingReason, Stage
from h2h.referrals.models import Person, Referral
from h2h.referrals.selectors import referral_status
from h2h.referrals.services import referral_facts, referral_submit
from tests.factories import (
    TEST_NHS_NUMBERS,
    make_case,
    make_org,
    make_referral,
    make_user,
    referral_answers,
    referrer_org,
    service_org,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def referrer():
    return make_user(Role.REFERRER)


def submit(by, **answers) -> Referral:
    return referral_submit(
        answers=referral_answers(**answers),
        by=by,
        referrer_organisation=referrer_org(),
        received_via="online",
    )


def today():
    return timezone.localdate()


# --- a new referral ---------------------------------------------------------------------------------------


def test_it_creates_a_person_a_referral_and_a_case_at_referral_received(referrer):
    service_org()
    referral = submit(referrer)
    assert Person.objects.count() == 1
    person = referral.person
    assert (person.first_name, person.nhs_number, person.postcode) == ("Ada", TEST_NHS_NUMBERS[0], "NG7 2UH")
    case = referral.case
    assert case is not None
    assert case.person == person
    assert case.referral == referral
    assert case.service.code == "NCH"
    assert case.stage == Stage.REFERRAL_RECEIVED
    assert case.referred_on == case.stage_changed_on == today()
    assert referral.linked_to_open_case is False
    assert referral.in_footprint is True
    assert referral.reasons == ["accessibility", "delayed_discharge"]
    assert referral.created_by == referrer


def test_it_records_exactly_one_stage_event_for_a_new_case(referrer):
    service_org()
    case = submit(referrer).case
    stage_events = case.events.filter(kind=CaseEvent.Kind.STAGE)
    assert stage_events.count() == 1
    event = stage_events.get()
    assert (event.from_stage, event.to_stage, event.on, event.by) == (
        "",
        Stage.REFERRAL_RECEIVED,
        today(),
        referrer,
    )


def test_it_assigns_the_new_case_to_the_active_coordinator_with_fewest_open_cases(referrer):
    service = service_org()
    busy = make_user(Role.HHC)
    free = make_user(Role.HHC)
    make_user(Role.HHC, is_active=False)  # no cases, but has left
    make_user(Role.HHC, organisation=make_org("OTHERHA", kind="partner_landlord"))  # no cases, other service
    make_user(Role.PROJECT_MANAGER)  # no cases, not a coordinator
    for stage in (Stage.SCREENED, Stage.OFFER):
        make_case(stage, assigned_to=busy, service=service)
    make_case(Stage.APPLICATION_LIVE, assigned_to=free, service=service)
    for _ in range(3):  # closed cases do not count towards the caseload
        make_case(Stage.CLOSED, assigned_to=free, service=service)
    for _ in range(3):  # nor do housed cases waiting for their follow-up visits
        make_case(Stage.FOLLOW_UP_2W, assigned_to=free, service=service)

    case = submit(referrer).case

    assert case.assigned_to == free
    assigned = case.events.get(kind=CaseEvent.Kind.ASSIGNED)
    assert assigned.payload == {"to_user": free.pk, "automatic": True}


def test_it_leaves_the_case_unassigned_when_there_is_no_active_coordinator(referrer):
    service_org()
    make_user(Role.HHC, is_active=False)
    case = submit(referrer).case
    assert case.assigned_to is None
    assert not case.events.filter(kind=CaseEvent.Kind.ASSIGNED).exists()


def test_it_leaves_the_case_unassigned_when_asked_not_to_assign(referrer):
    make_user(Role.HHC)
    referral = referral_submit(
        answers=referral_answers(),
        by=referrer,
        referrer_organisation=referrer_org(),
        received_via="phone",
        service=service_org(),
        auto_assign=False,
    )
    assert referral.case.assigned_to is None
    assert referral.received_via == "phone"


# --- the same person again --------------------------------------------------------------------------------


def test_it_links_a_second_referral_to_the_open_case_instead_of_opening_another(referrer):
    service_org()
    first = submit(referrer)
    open_case = first.case
    second = submit(referrer, phone="0115 111 1111", setting="community", hospital="", ward="")

    assert Case.objects.count() == 1
    assert Person.objects.count() == 1
    assert second.person == first.person
    assert second.linked_to_open_case is True
    assert second.case == open_case
    linked = open_case.events.get(kind=CaseEvent.Kind.REFERRAL_LINKED)
    assert linked.payload == {"referral": second.pk}
    assert second.reference in linked.note
    assert open_case.events.filter(kind=CaseEvent.Kind.STAGE).count() == 1
    # The newest referral brings the current contact details.
    assert Person.objects.get().phone == "0115 111 1111"


def test_it_opens_a_new_episode_for_the_same_person_after_the_case_closed(referrer):
    service_org()
    first = submit(referrer)
    case_move(
        case=first.case,
        to_stage=Stage.CLOSED,
        by=make_user(Role.HHC),
        on=today(),
        closing_reason=ClosingReason.WITHDRAWN,
    )

    second = submit(referrer)

    assert second.person == first.person
    assert second.linked_to_open_case is False
    assert second.case != first.case
    assert second.case.stage == Stage.REFERRAL_RECEIVED
    assert list(Case.objects.filter(person=first.person).values_list("stage", flat=True).order_by("id")) == [
        Stage.CLOSED,
        Stage.REFERRAL_RECEIVED,
    ]


def test_it_matches_a_person_without_an_nhs_number_by_exact_name_and_date_of_birth(referrer):
    service_org()
    first = submit(
        referrer, nhs_number="", first_name="Grace", last_name="Hopper", date_of_birth=date(1946, 12, 9)
    )
    second = submit(
        referrer, nhs_number="", first_name="GRACE", last_name="hopper", date_of_birth=date(1946, 12, 9)
    )
    assert second.person == first.person
    assert second.linked_to_open_case is True
    assert second.case == first.case


@pytest.mark.parametrize(
    "other",
    [
        {"date_of_birth": date(1946, 12, 10)},
        {"first_name": "Gracie"},
        {"last_name": "Hopper-Smith"},
    ],
)
def test_it_treats_a_different_name_or_date_of_birth_as_a_different_person(referrer, other):
    service_org()
    person = {
        "nhs_number": "",
        "first_name": "Grace",
        "last_name": "Hopper",
        "date_of_birth": date(1946, 12, 9),
    }
    first = submit(referrer, **person)
    second = submit(referrer, **{**person, **other})
    assert second.person != first.person
    assert second.linked_to_open_case is False
    assert Case.objects.count() == 2


def test_it_matches_by_nhs_number_even_when_the_name_differs(referrer):
    service_org()
    first = submit(referrer, first_name="Ada")
    second = submit(referrer, first_name="Adaline")
    assert second.person == first.person
    assert second.case == first.case


def test_it_does_not_match_a_different_nhs_number_with_the_same_name(referrer):
    service_org()
    first = submit(referrer, nhs_number=TEST_NHS_NUMBERS[0])
    second = submit(referrer, nhs_number=TEST_NHS_NUMBERS[1])
    assert second.person != first.person
    assert second.case != first.case


@pytest.mark.parametrize(("postcode", "inside"), [("DE1 1AA", False), ("NG7 2UH", True), ("NG1 5DT", True)])
def test_it_flags_a_referral_from_outside_the_footprint(referrer, postcode, inside):
    service_org()
    assert submit(referrer, postcode=postcode).in_footprint is inside


def test_it_takes_the_facts_for_screening_from_the_referral(referrer):
    service_org()
    referral = submit(referrer, date_of_birth=date(today().year - 70, 1, 1), benefits=["pip"])
    facts = referral_facts(referral)
    assert facts.age == 70
    assert facts.setting == "acute_hospital"
    assert facts.benefits == frozenset({"pip"})
    assert facts.medically_ready is True
    older = evaluate_all(get_area(), facts)[0]
    assert (older.code, older.passed) == ("older_people", True)


# --- what the referrer is told ----------------------------------------------------------------------------


def test_it_tells_the_referrer_a_referral_with_no_case_is_received():
    referral = make_referral()
    assert referral_status(referral) == ("Received", "govuk-tag--blue")


def test_it_tells_the_referrer_a_new_case_is_waiting_for_screening(referrer):
    service_org()
    assert referral_status(submit(referrer))[0] == "Waiting for screening"


def test_it_tells_the_referrer_a_declined_referral_was_not_accepted():
    case = make_case(Stage.REFERRAL_RECEIVED)
    case_screen_decline(
        case=case,
        by=make_user(Role.HHC),
        reason="Under 55",
        onward_referral="Housing options",
        results=[],
        on=today(),
    )
    assert referral_status(Referral.objects.get(pk=case.referral_id)) == ("Not accepted", "govuk-tag--red")


def test_it_tells_the_referrer_an_accepted_referral_was_accepted_into_its_cohort():
    case = make_case(Stage.REFERRAL_RECEIVED)
    case_screen_accept(case=case, by=make_user(Role.HHC), cohort="older_people", results=[], on=today())
    assert referral_status(Referral.objects.get(pk=case.referral_id)) == (
        "Accepted: Older people",
        "govuk-tag--turquoise",
    )


def test_it_tells_the_referrer_an_accepted_case_is_still_accepted_further_on():
    case = make_case(Stage.APPLICATION_LIVE, cohort="wheelchair_users")
    assert referral_status(case.referral)[0] == "Accepted: Essential wheelchair users"


@pytest.mark.parametrize("stage", [Stage.TENANCY_START, Stage.FOLLOW_UP_2W, Stage.FOLLOW_UP_6M])
def test_it_tells_the_referrer_the_person_was_rehoused_once_the_tenancy_started(stage):
    case = make_case(stage, cohort="older_people")
    assert referral_status(case.referral) == ("Rehoused", "govuk-tag--green")


def test_it_tells_the_referrer_a_case_closed_as_rehoused_was_rehoused():
    case = make_case(Stage.CLOSED, closing_reason=ClosingReason.REHOUSED, cohort="older_people")
    assert referral_status(case.referral)[0] == "Rehoused"


@pytest.mark.parametrize(
    ("reason", "text"),
    [
        (ClosingReason.WITHDRAWN, "Closed: withdrawn"),
        (ClosingReason.DIED, "Closed: died"),
        (ClosingReason.RESIDENTIAL_CARE, "Closed: entered residential care"),
    ],
)
def test_it_tells_the_referrer_why_a_case_closed(reason, text):
    case = make_case(Stage.CLOSED, closing_reason=reason, cohort="older_people")
    assert referral_status(case.referral) == (text, "govuk-tag--grey")


def test_it_gives_a_linked_referral_the_status_of_the_open_case(referrer):
    service_org()
    first = submit(referrer)
    case_screen_accept(
        case=first.case, by=make_user(Role.HHC), cohort="mental_health", results=[], on=today()
    )
    second = submit(referrer)
    assert referral_status(second)[0] == "Accepted: Mental-health move-on"


# --- screening --------------------------------------------------------------------------------------------


def test_it_accepts_a_referral_into_a_cohort_and_moves_the_case_to_screened():
    case = make_case(Stage.REFERRAL_RECEIVED)
    results = [{"code": "older_people", "passed": True, "rules": []}]
    hhc = make_user(Role.HHC)
    case_screen_accept(
        case=case, by=hhc, cohort="older_people", results=results, on=today(), note="Fits well"
    )
    case.refresh_from_db()
    assert case.stage == Stage.SCREENED
    assert case.cohort == "older_people"
    assert case.screening_results == results
    assert case.decision == Case.Decision.ACCEPTED
    assert case.decision_reason == "Fits well"
    event = case.events.get()
    assert (event.from_stage, event.to_stage, event.by, event.payload) == (
        Stage.REFERRAL_RECEIVED,
        Stage.SCREENED,
        hhc,
        {"cohort": "older_people"},
    )


def test_it_stores_nothing_when_screening_is_refused():
    case = make_case(Stage.REFERRAL_RECEIVED)
    with pytest.raises(CaseActionRefused):
        case_screen_accept(
            case=case,
            by=make_user(Role.ADMIN_OFFICER),
            cohort="older_people",
            results=[{"code": "older_people"}],
            on=today(),
        )
    case.refresh_from_db()
    assert (case.stage, case.cohort, case.decision, case.screening_results) == (
        Stage.REFERRAL_RECEIVED,
        "",
        "",
        [],
    )


def test_it_declines_a_referral_by_closing_the_case_as_not_eligible_with_the_onward_referral():
    case = make_case(Stage.REFERRAL_RECEIVED)
    results = [{"code": "older_people", "passed": False, "rules": []}]
    case_screen_decline(
        case=case,
        by=make_user(Role.PROJECT_MANAGER),
        reason="Aged 50, no DLA or PIP",
        onward_referral="Referred to the council's housing options team",
        results=results,
        on=today(),
    )
    case.refresh_from_db()
    assert case.stage == Stage.CLOSED
    assert case.closing_reason == ClosingReason.NOT_ELIGIBLE
    assert case.decision == Case.Decision.DECLINED
    assert case.decision_reason == "Aged 50, no DLA or PIP"
    assert case.onward_referral == "Referred to the council's housing options team"
    assert case.screening_results == results
    event = case.events.get()
    assert (event.to_stage, event.note) == (Stage.CLOSED, "Aged 50, no DLA or PIP")
    assert event.payload == {"onward_referral": "Referred to the council's housing options team"}


# --- assigning and handing over ---------------------------------------------------------------------------


def test_it_lets_a_project_manager_assign_an_unassigned_case_without_a_note():
    case = make_case(Stage.SCREENED)
    hhc, pm = make_user(Role.HHC), make_user(Role.PROJECT_MANAGER)
    case_assign(case=case, to_user=hhc, by=pm)
    assert case.assigned_to == hhc
    event = case.events.get()
    assert (event.kind, event.by, event.payload) == (
        CaseEvent.Kind.ASSIGNED,
        pm,
        {"from_user": None, "to_user": hhc.pk},
    )


def test_it_needs_a_note_to_hand_a_case_over():
    first, second, pm = make_user(Role.HHC), make_user(Role.HHC), make_user(Role.PROJECT_MANAGER)
    case = make_case(Stage.APPLICATION_LIVE, assigned_to=first)
    with pytest.raises(CaseActionRefused, match="handover note"):
        case_assign(case=case, to_user=second, by=pm, note="   ")
    case.refresh_from_db()
    assert case.assigned_to == first
    assert not case.events.exists()


def test_it_records_a_handover_with_its_note():
    first, second, pm = make_user(Role.HHC), make_user(Role.HHC), make_user(Role.PROJECT_MANAGER)
    case = make_case(Stage.APPLICATION_LIVE, assigned_to=first)
    case_assign(case=case, to_user=second, by=pm, note="Bidding weekly; next viewing Tuesday.")
    assert case.assigned_to == second
    event = case.events.get()
    assert event.kind == CaseEvent.Kind.HANDOVER
    assert event.note == "Bidding weekly; next viewing Tuesday."
    assert event.payload == {"from_user": first.pk, "to_user": second.pk}
    assert event.on == today()


@pytest.mark.parametrize(
    "role", [Role.PROJECT_MANAGER, Role.HOUSING_MANAGER, Role.ADMIN_OFFICER, Role.REFERRER]
)
def test_it_refuses_to_assign_a_case_to_someone_who_is_not_a_coordinator(role):
    case = make_case(Stage.SCREENED)
    with pytest.raises(CaseActionRefused, match="active coordinator"):
        case_assign(case=case, to_user=make_user(role), by=make_user(Role.PROJECT_MANAGER))
    case.refresh_from_db()
    assert case.assigned_to is None


def test_it_refuses_to_assign_a_case_to_a_coordinator_of_another_organisation():
    case = make_case(Stage.SCREENED)
    outsider = make_user(Role.HHC, organisation=make_org("OTHERHA", kind="partner_landlord"))
    with pytest.raises(CaseActionRefused):
        case_assign(case=case, to_user=outsider, by=make_user(Role.PROJECT_MANAGER))
    case.refresh_from_db()
    assert case.assigned_to is None


def test_it_refuses_to_assign_a_case_to_a_coordinator_who_has_left():
    case = make_case(Stage.SCREENED)
    with pytest.raises(CaseActionRefused):
        case_assign(
            case=case, to_user=make_user(Role.HHC, is_active=False), by=make_user(Role.PROJECT_MANAGER)
        )


def test_it_stops_a_coordinator_taking_a_colleagues_case():
    owner, colleague = make_user(Role.HHC), make_user(Role.HHC)
    case = make_case(Stage.OFFER, assigned_to=owner)
    with pytest.raises(CaseActionRefused, match="project manager"):
        case_assign(case=case, to_user=colleague, by=colleague, note="I'll take it")
    case.refresh_from_db()
    assert case.assigned_to == owner
    assert not case.events.exists()


def test_it_lets_a_coordinator_hand_their_own_case_to_a_colleague_with_a_note():
    owner, colleague = make_user(Role.HHC), make_user(Role.HHC)
    case = make_case(Stage.OFFER, assigned_to=owner)
    case_assign(case=case, to_user=colleague, by=owner, note="On leave from Monday.")
    assert case.assigned_to == colleague
    assert case.events.get().kind == CaseEvent.Kind.HANDOVER


def test_it_lets_a_coordinator_pick_up_an_unassigned_case():
    hhc = make_user(Role.HHC)
    case = make_case(Stage.SCREENED)
    case_assign(case=case, to_user=hhc, by=hhc)
    assert case.assigned_to == hhc
    assert case.events.get().kind == CaseEvent.Kind.ASSIGNED


def test_it_refuses_to_assign_a_case_to_the_coordinator_who_already_has_it():
    hhc = make_user(Role.HHC)
    case = make_case(Stage.SCREENED, assigned_to=hhc)
    with pytest.raises(CaseActionRefused, match="already assigned"):
        case_assign(case=case, to_user=hhc, by=make_user(Role.PROJECT_MANAGER), note="again")


@pytest.mark.parametrize("role", [Role.ADMIN_OFFICER, Role.HOUSING_MANAGER, Role.REFERRER])
def test_it_lets_only_project_managers_and_coordinators_assign(role):
    case = make_case(Stage.SCREENED)
    with pytest.raises(CaseActionRefused):
        case_assign(case=case, to_user=make_user(Role.HHC), by=make_user(role))
    case.refresh_from_db()
    assert case.assigned_to is None


def test_it_refuses_an_assignment_by_a_project_manager_who_has_left():
    case = make_case(Stage.SCREENED)
    with pytest.raises(CaseActionRefused):
        case_assign(
            case=case, to_user=make_user(Role.HHC), by=make_user(Role.PROJECT_MANAGER, is_active=False)
        )


def test_it_refuses_an_assignment_by_a_project_manager_of_another_organisation():
    case = make_case(Stage.SCREENED)
    outsider = make_user(Role.PROJECT_MANAGER, organisation=make_org("OTHERHA", kind="partner_landlord"))
    with pytest.raises(CaseActionRefused):
        case_assign(case=case, to_user=make_user(Role.HHC), by=outsider)


# --- next actions and follow-up dates ---------------------------------------------------------------------


def test_it_sets_the_two_week_visit_fourteen_days_after_the_tenancy_start():
    start = date(2024, 8, 31)
    case = make_case(Stage.TENANCY_START, stage_changed_on=start)
    action = next_action(case, get_area())
    assert action.text == "2-week follow-up visit"
    assert action.due == date(2024, 9, 14)
    assert action.overdue is True


def test_it_sets_the_six_month_visit_six_months_after_the_tenancy_start_not_the_two_week_visit():
    hhc = make_user(Role.HHC)
    case = make_case(Stage.OFFER, stage_changed_on=date(2024, 8, 1))
    case_move(case=case, to_stage=Stage.TENANCY_START, by=hhc, on=date(2024, 8, 31))
    case_move(case=case, to_stage=Stage.FOLLOW_UP_2W, by=hhc, on=date(2024, 9, 16))
    action = next_action(case, get_area())
    assert action.text == "6-month visit and follow-up survey"
    assert action.due == date(2025, 2, 28)  # 31 August + 6 months: February has no 31st


def test_it_gives_no_due_date_before_the_tenancy_and_no_action_once_closed():
    assert next_action(make_case(Stage.REFERRAL_RECEIVED), get_area()).text == "Screen the referral"
    assert next_action(make_case(Stage.APPLICATION_LIVE), get_area()).due is None
    assert next_action(make_case(Stage.CLOSED), get_area()) is None


def test_it_does_not_call_a_visit_due_in_the_future_overdue():
    case = make_case(Stage.TENANCY_START, stage_changed_on=today() - timedelta(days=3))
    action = next_action(case, get_area())
    assert action.due == today() + timedelta(days=11)
    assert action.overdue is False


@pytest.mark.parametrize(
    ("start", "months", "due"),
    [
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap year
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2023, 8, 31), 6, date(2024, 2, 29)),
        (date(2024, 3, 31), 1, date(2024, 4, 30)),
        (date(2024, 5, 30), 9, date(2025, 2, 28)),
        (date(2024, 1, 29), 1, date(2024, 2, 29)),
        (date(2024, 8, 15), 6, date(2025, 2, 15)),
        (date(2024, 11, 30), 6, date(2025, 5, 30)),
        (date(2024, 12, 31), 6, date(2025, 6, 30)),
        (date(2024, 12, 1), 1, date(2025, 1, 1)),
        (date(2024, 7, 31), 12, date(2025, 7, 31)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
    ],
)
def test_it_adds_calendar_months_keeping_to_the_last_day_of_a_short_month(start, months, due):
    assert add_months(start, months) == due
