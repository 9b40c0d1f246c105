"""Every (stage, next stage, role) triple against the transition table, and the rules around a move.

The table is h2h/cases/stages.py TRANSITIONS; every move goes through h2h.cases.services.case_move.
"""

import itertools
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from h2h.accounts.roles import Role
from h2h.audit.models import AuditEvent
from h2h.cases.models import Case, CaseEvent, CaseNote
from h2h.cases.services import CaseActionRefused, case_move, case_note_add
from h2h.cases.stages import (
    CLOSING_REASONS_FROM,
    HOUSED_STAGES,
    OPEN_STAGES,
    TRANSITIONS,
    ClosingReason,
    Stage,
    move_allowed,
    next_stages,
)
from tests.factories import make_case, make_org, make_person, make_user

pytestmark = pytest.mark.django_db

TRIPLES = list(itertools.product(Stage, Stage, Role))


def _id(triple):
    return "{}->{}-by-{}".format(*(member.value for member in triple))


def a_closing_reason(from_stage: Stage) -> str:
    """A reason valid for closing from this stage (any reason from closed, whose move is refused anyway)."""
    allowed = CLOSING_REASONS_FROM.get(from_stage)
    return sorted(allowed)[0] if allowed else ClosingReason.WITHDRAWN


def snapshot(case: Case):
    case.refresh_from_db()
    return case.stage, case.stage_changed_on, case.closing_reason, case.events.count()


# --- the table itself -------------------------------------------------------------------------------------


def test_it_walks_every_triple():
    assert len(TRIPLES) == len(Stage) * len(Stage) * len(Role) == 9 * 9 * 9


def test_it_lists_only_real_stages_and_roles_in_the_table():
    for (frm, to), roles in TRANSITIONS.items():
        assert frm in Stage.values and to in Stage.values
        assert roles and roles <= set(Role.values)


def test_it_never_allows_a_move_out_of_closed():
    assert not any(frm == Stage.CLOSED for frm, _ in TRANSITIONS)


def test_it_lets_only_the_housing_manager_make_an_application_live():
    assert [r for r in Role if move_allowed(Stage.FIRST_VISIT, Stage.APPLICATION_LIVE, r)] == [
        Role.HOUSING_MANAGER
    ]


def test_it_lets_a_coordinator_or_project_manager_close_from_any_open_stage():
    for stage in OPEN_STAGES:
        assert {r for r in Role if move_allowed(stage, Stage.CLOSED, r)} == {Role.HHC, Role.PROJECT_MANAGER}


def test_it_lists_the_next_stages_for_a_role_from_the_table():
    assert set(next_stages(Stage.OFFER, Role.HHC)) == {
        Stage.APPLICATION_LIVE,
        Stage.TENANCY_START,
        Stage.CLOSED,
    }
    assert next_stages(Stage.OFFER, Role.ADMIN_OFFICER) == []
    assert next_stages(Stage.FIRST_VISIT, Role.HOUSING_MANAGER) == [Stage.APPLICATION_LIVE]


def test_it_offers_rehoused_only_once_the_tenancy_has_started_and_not_eligible_only_before():
    for stage in OPEN_STAGES:
        reasons = CLOSING_REASONS_FROM[stage]
        assert (ClosingReason.REHOUSED in reasons) is (stage in HOUSED_STAGES)
        assert (ClosingReason.NOT_ELIGIBLE in reasons) is (stage not in HOUSED_STAGES)
        assert ClosingReason.WITHDRAWN in reasons


# --- every triple through case_move -----------------------------------------------------------------------


@pytest.mark.parametrize(("from_stage", "to_stage", "role"), TRIPLES, ids=[_id(t) for t in TRIPLES])
def test_it_moves_a_case_only_where_the_table_allows_the_role(from_stage, to_stage, role):
    today = timezone.localdate()
    case = make_case(from_stage, days_ago=5)
    user = make_user(role)
    before = snapshot(case)
    reason = a_closing_reason(from_stage) if to_stage == Stage.CLOSED else ""

    if move_allowed(from_stage, to_stage, role):
        moved = case_move(case=case, to_stage=to_stage, by=user, on=today, closing_reason=reason)
        assert moved.stage == to_stage
        assert moved.stage_changed_on == today
        assert moved.closing_reason == reason
        new_events = list(case.events.all())
        assert len(new_events) == before[3] + 1 == 1
        event = new_events[0]
        assert (event.kind, event.from_stage, event.to_stage, event.by_id, event.on) == (
            CaseEvent.Kind.STAGE,
            from_stage,
            to_stage,
            user.pk,
            today,
        )
    else:
        with pytest.raises(CaseActionRefused):
            case_move(case=case, to_stage=to_stage, by=user, on=today, closing_reason=reason)
        assert snapshot(case) == before


# --- the other rules of a move ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("from_stage", "reason"),
    [
        (Stage.APPLICATION_LIVE, ClosingReason.REHOUSED),
        (Stage.REFERRAL_RECEIVED, ClosingReason.REHOUSED),
        (Stage.OFFER, ClosingReason.REHOUSED),
        (Stage.TENANCY_START, ClosingReason.NOT_ELIGIBLE),
        (Stage.FOLLOW_UP_6M, ClosingReason.NOT_ELIGIBLE),
        (Stage.SCREENED, "no_such_reason"),
    ],
)
def test_it_refuses_to_close_with_a_reason_that_does_not_fit_the_stage(from_stage, reason):
    case = make_case(from_stage)
    before = snapshot(case)
    with pytest.raises(CaseActionRefused, match="Choose why the case is closing"):
        case_move(
            case=case,
            to_stage=Stage.CLOSED,
            by=make_user(Role.HHC),
            on=timezone.localdate(),
            closing_reason=reason,
        )
    assert snapshot(case) == before


@pytest.mark.parametrize(
    ("from_stage", "reason"),
    [(Stage.TENANCY_START, ClosingReason.REHOUSED), (Stage.SCREENED, ClosingReason.NOT_ELIGIBLE)],
)
def test_it_closes_with_a_reason_that_fits_the_stage(from_stage, reason):
    case = make_case(from_stage)
    case_move(
        case=case,
        to_stage=Stage.CLOSED,
        by=make_user(Role.PROJECT_MANAGER),
        on=timezone.localdate(),
        closing_reason=reason,
    )
    assert (case.stage, case.closing_reason) == (Stage.CLOSED, reason)


def test_it_refuses_to_close_without_a_reason():
    case = make_case(Stage.APPLICATION_LIVE)
    before = snapshot(case)
    with pytest.raises(CaseActionRefused):
        case_move(case=case, to_stage=Stage.CLOSED, by=make_user(Role.HHC), on=timezone.localdate())
    assert snapshot(case) == before


def test_it_refuses_a_closing_reason_when_the_case_is_not_closing():
    case = make_case(Stage.SCREENED)
    before = snapshot(case)
    with pytest.raises(CaseActionRefused, match="only given when the case is closed"):
        case_move(
            case=case,
            to_stage=Stage.FIRST_VISIT,
            by=make_user(Role.HHC),
            on=timezone.localdate(),
            closing_reason=ClosingReason.WITHDRAWN,
        )
    assert snapshot(case) == before


def test_it_refuses_a_date_in_the_future():
    case = make_case(Stage.SCREENED)
    before = snapshot(case)
    with pytest.raises(CaseActionRefused, match="future"):
        case_move(
            case=case,
            to_stage=Stage.FIRST_VISIT,
            by=make_user(Role.HHC),
            on=timezone.localdate() + timedelta(days=1),
        )
    assert snapshot(case) == before


def test_it_refuses_a_date_before_the_previous_stage():
    case = make_case(Stage.SCREENED, days_ago=5)
    before = snapshot(case)
    with pytest.raises(CaseActionRefused, match="before the previous stage"):
        case_move(
            case=case,
            to_stage=Stage.FIRST_VISIT,
            by=make_user(Role.HHC),
            on=timezone.localdate() - timedelta(days=6),
        )
    assert snapshot(case) == before


def test_it_accepts_a_date_on_the_day_of_the_previous_stage():
    case = make_case(Stage.SCREENED, days_ago=5)
    on = timezone.localdate() - timedelta(days=5)
    case_move(case=case, to_stage=Stage.FIRST_VISIT, by=make_user(Role.HHC), on=on)
    assert (case.stage, case.stage_changed_on) == (Stage.FIRST_VISIT, on)


def test_it_refuses_a_move_by_an_inactive_user_whose_role_would_allow_it():
    case = make_case(Stage.SCREENED)
    before = snapshot(case)
    with pytest.raises(CaseActionRefused):
        case_move(
            case=case,
            to_stage=Stage.FIRST_VISIT,
            by=make_user(Role.HHC, is_active=False),
            on=timezone.localdate(),
        )
    assert snapshot(case) == before


def test_it_refuses_a_move_by_a_user_with_no_role():
    case = make_case(Stage.REFERRAL_RECEIVED)
    before = snapshot(case)
    with pytest.raises(CaseActionRefused):
        case_move(case=case, to_stage=Stage.SCREENED, by=make_user(""), on=timezone.localdate())
    assert snapshot(case) == before


def test_it_refuses_a_move_by_a_coordinator_of_another_organisation():
    case = make_case(Stage.SCREENED)
    outsider = make_user(Role.HHC, organisation=make_org("OTHERHA", kind="partner_landlord"))
    before = snapshot(case)
    with pytest.raises(CaseActionRefused):
        case_move(case=case, to_stage=Stage.FIRST_VISIT, by=outsider, on=timezone.localdate())
    assert snapshot(case) == before


def test_it_records_the_note_and_payload_with_the_move():
    case = make_case(Stage.SCREENED)
    case_move(
        case=case,
        to_stage=Stage.FIRST_VISIT,
        by=make_user(Role.HHC),
        on=timezone.localdate(),
        note="Visited on the ward",
        payload={"visit": "ward"},
    )
    event = case.events.get()
    assert (event.note, event.payload) == ("Visited on the ward", {"visit": "ward"})


def test_it_walks_a_case_from_referral_to_closure_in_order():
    hhc, hm, pm = make_user(Role.HHC), make_user(Role.HOUSING_MANAGER), make_user(Role.PROJECT_MANAGER)
    case = make_case(Stage.REFERRAL_RECEIVED, days_ago=100)
    start = timezone.localdate() - timedelta(days=100)
    steps = [
        (Stage.SCREENED, pm, ""),
        (Stage.FIRST_VISIT, hhc, ""),
        (Stage.APPLICATION_LIVE, hm, ""),
        (Stage.OFFER, hhc, ""),
        (Stage.APPLICATION_LIVE, hhc, ""),
        (Stage.OFFER, hhc, ""),
        (Stage.TENANCY_START, hhc, ""),
        (Stage.FOLLOW_UP_2W, hhc, ""),
        (Stage.FOLLOW_UP_6M, hhc, ""),
        (Stage.CLOSED, hhc, ClosingReason.REHOUSED),
    ]
    for n, (stage, user, reason) in enumerate(steps, 1):
        case_move(case=case, to_stage=stage, by=user, on=start + timedelta(days=n * 5), closing_reason=reason)
    assert case.stage == Stage.CLOSED
    assert case.closing_reason == ClosingReason.REHOUSED
    assert [e.to_stage for e in case.events.order_by("id")] == [s for s, _, _ in steps]


# --- what the database itself refuses ---------------------------------------------------------------------


@pytest.mark.parametrize("stage", sorted(OPEN_STAGES))
def test_it_refuses_a_closing_reason_on_an_open_case_at_the_database(stage):
    case = make_case(stage)
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(closing_reason=ClosingReason.WITHDRAWN)
    case.refresh_from_db()
    assert case.closing_reason == ""


def test_it_refuses_a_new_open_case_row_with_a_closing_reason_at_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_case(Stage.OFFER, closing_reason=ClosingReason.DIED)


def test_it_refuses_a_second_open_case_for_one_person_at_the_database():
    person = make_person()
    make_case(Stage.APPLICATION_LIVE, person=person)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_case(Stage.REFERRAL_RECEIVED, person=person)
    assert Case.objects.filter(person=person).count() == 1


def test_it_refuses_to_reopen_a_closed_case_while_another_is_open_at_the_database():
    person = make_person()
    closed = make_case(Stage.CLOSED, person=person)
    make_case(Stage.SCREENED, person=person)
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=closed.pk).update(stage=Stage.SCREENED, closing_reason="")


def test_it_allows_any_number_of_closed_cases_beside_one_open_case():
    person = make_person()
    make_case(Stage.CLOSED, person=person)
    make_case(Stage.CLOSED, person=person)
    make_case(Stage.OFFER, person=person)
    assert Case.objects.filter(person=person).count() == 3


# --- history is append-only -------------------------------------------------------------------------------


def test_it_refuses_to_change_a_case_event():
    case = make_case(Stage.SCREENED)
    case_move(case=case, to_stage=Stage.FIRST_VISIT, by=make_user(Role.HHC), on=timezone.localdate())
    event = case.events.get()
    event.note = "rewritten"
    with pytest.raises(RuntimeError, match="append-only"):
        event.save()
    assert case.events.get().note == ""


def test_it_refuses_to_delete_a_case_event():
    case = make_case(Stage.SCREENED)
    case_move(case=case, to_stage=Stage.FIRST_VISIT, by=make_user(Role.HHC), on=timezone.localdate())
    with pytest.raises(RuntimeError, match="append-only"):
        case.events.get().delete()
    assert case.events.count() == 1


def test_it_refuses_to_change_a_case_note():
    case = make_case(Stage.SCREENED)
    note = case_note_add(case=case, by=make_user(Role.HHC), text="  Rang the ward.  ")
    assert note.text == "Rang the ward."
    note.text = "rewritten"
    with pytest.raises(RuntimeError, match="append-only"):
        note.save()
    assert CaseNote.objects.get(pk=note.pk).text == "Rang the ward."


def test_it_refuses_to_delete_a_case_note():
    case = make_case(Stage.SCREENED)
    note = case_note_add(case=case, by=make_user(Role.HHC), text="Rang the ward.")
    with pytest.raises(RuntimeError, match="append-only"):
        note.delete()
    assert CaseNote.objects.filter(pk=note.pk).exists()


def test_it_refuses_an_empty_case_note():
    case = make_case(Stage.SCREENED)
    with pytest.raises(CaseActionRefused):
        case_note_add(case=case, by=make_user(Role.HHC), text="   ")
    assert not case.notes.exists()


@pytest.mark.parametrize("model", [CaseEvent, CaseNote, AuditEvent])
def test_it_refuses_bulk_updates_and_deletes_of_history(model):
    case = make_case(Stage.SCREENED)
    case_move(case=case, to_stage=Stage.FIRST_VISIT, by=make_user(Role.HHC), on=timezone.localdate())
    case_note_add(case=case, by=case.events.first().by, text="Rang the ward.")
    AuditEvent.objects.create(username="x", action="view", object_type="case")
    before = model.objects.count()
    assert before >= 1
    with pytest.raises(RuntimeError, match="append-only"):
        model.objects.all().update(pk=F("pk"))
    with pytest.raises(RuntimeError, match="append-only"):
        model.objects.all().delete()
    assert model.objects.count() == before
