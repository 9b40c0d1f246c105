"""Step-down short-stay flats: the occupancy board on fixed dates, average length of stay, next free date,
the database constraints, the services' refusals, who gets "not found", and the audit trail."""

from datetime import date, datetime, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from h2h.accounts.roles import Role
from h2h.audit.models import AuditEvent
from h2h.cases.stages import Stage
from h2h.lib.append_only import AppendOnlyError
from h2h.stepdown import services
from h2h.stepdown.models import Placement, ReviewNote, Unit
from h2h.area.config import AreaConfigError, _cached, get_area
from tests.factories import NOTTINGHAM_TOML
from h2h.stepdown.selectors import average_length_of_stay, next_free_date, occupancy_board
from tests.factories import make_case, make_org, make_user, service_org

pytestmark = pytest.mark.django_db

BOARD_DAY = date(2025, 3, 31)


def aware(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=timezone.get_current_timezone())


def make_unit(name: str, *, service=None, active: bool = True) -> Unit:
    return Unit.objects.create(
        service=service or service_org(), name=name, address="1 Test Court", active=active
    )


def make_placement(
    unit: Unit,
    *,
    arrived_on=None,
    left_on=None,
    planned_start=None,
    planned_end=None,
    care_plan_on=None,
    outcome="",
    case=None,
    by=None,
) -> Placement:
    """A placement written directly with the ORM, at any state."""
    start = planned_start or arrived_on or BOARD_DAY
    return Placement.objects.create(
        unit=unit,
        case=case or make_case(Stage.APPLICATION_LIVE, service=unit.service),
        planned_start=start,
        planned_end=planned_end or start + timedelta(days=42),
        arrived_on=arrived_on,
        left_on=left_on,
        outcome=outcome or (Placement.Outcome.OWN_HOME if left_on else ""),
        care_plan_done_at=aware(care_plan_on) if care_plan_on else None,
        created_by=by or make_user(Role.HHC, organisation=unit.service),
    )


def board_by_unit(on=BOARD_DAY):
    return {row.unit.name: row for row in occupancy_board(service_org(), on)}


def tag_texts(row) -> list[str]:
    return [text for text, _ in row.tags]


# ------------------------------------------------------------------------------------------- the board


class TestOccupancyBoard:
    def test_it_shows_each_state_on_a_fixed_date(self):
        make_unit("Flat 1 (free)")
        settled = make_placement(
            make_unit("Flat 2 (settled)"), arrived_on=date(2025, 3, 20), care_plan_on=date(2025, 3, 21)
        )
        make_placement(
            make_unit("Flat 3 (nearing)"), arrived_on=date(2025, 2, 20), care_plan_on=date(2025, 2, 21)
        )
        make_placement(
            make_unit("Flat 4 (over)"), arrived_on=date(2025, 2, 10), care_plan_on=date(2025, 2, 11)
        )
        make_placement(make_unit("Flat 5 (no plan)"), arrived_on=date(2025, 3, 27))

        rows = board_by_unit()

        free = rows["Flat 1 (free)"]
        assert free.state == "free" and free.placement is None and tag_texts(free) == ["Free"]
        assert free.next_free == BOARD_DAY

        ok = rows["Flat 2 (settled)"]
        assert ok.placement == settled and ok.days == 11 and ok.days_left == 31
        assert tag_texts(ok) == ["Occupied"]
        assert ok.leave_by == date(2025, 5, 1)

        nearing = rows["Flat 3 (nearing)"]
        assert nearing.days == 39 and nearing.nearing_max and not nearing.over_max
        assert tag_texts(nearing) == ["Occupied", "Nearing maximum stay"]

        over = rows["Flat 4 (over)"]
        assert over.days == 49 and over.over_max and not over.nearing_max and over.days_over == 7
        assert tag_texts(over) == ["Occupied", "Over maximum stay"]

        no_plan = rows["Flat 5 (no plan)"]
        assert no_plan.days == 4 and no_plan.care_plan_due == date(2025, 3, 29) and no_plan.care_plan_overdue
        assert tag_texts(no_plan) == ["Occupied", "Care plan overdue"]

    @pytest.mark.parametrize(
        ("days", "nearing", "over"),
        [(34, False, False), (35, True, False), (42, True, False), (43, False, True)],
    )
    def test_it_warns_within_seven_days_of_the_maximum_and_flags_only_beyond_it(self, days, nearing, over):
        make_placement(
            make_unit("Flat"),
            arrived_on=BOARD_DAY - timedelta(days=days),
            care_plan_on=BOARD_DAY - timedelta(days=days),
        )
        row = board_by_unit()["Flat"]
        assert (row.nearing_max, row.over_max) == (nearing, over)

    @pytest.mark.parametrize(
        ("arrived_days_ago", "due_today", "overdue"), [(1, False, False), (2, True, False), (3, False, True)]
    )
    def test_the_care_plan_is_due_two_days_after_arrival_and_overdue_after_that(
        self, arrived_days_ago, due_today, overdue
    ):
        make_placement(make_unit("Flat"), arrived_on=BOARD_DAY - timedelta(days=arrived_days_ago))
        row = board_by_unit()["Flat"]
        assert (row.care_plan_due_today, row.care_plan_overdue) == (due_today, overdue)

    def test_a_care_plan_recorded_after_the_board_date_does_not_count_on_that_date(self):
        make_placement(make_unit("Flat"), arrived_on=date(2025, 3, 20), care_plan_on=date(2025, 3, 25))
        assert board_by_unit(date(2025, 3, 24))["Flat"].care_plan_overdue
        assert not board_by_unit(date(2025, 3, 25))["Flat"].care_plan_overdue

    def test_a_past_date_shows_who_was_there_then(self):
        unit = make_unit("Flat")
        earlier = make_placement(
            unit, arrived_on=date(2025, 1, 2), left_on=date(2025, 2, 5), care_plan_on=date(2025, 1, 2)
        )
        assert board_by_unit(date(2025, 1, 20))["Flat"].placement == earlier
        assert board_by_unit(date(2025, 2, 5))["Flat"].placement is None  # left that day: free again
        assert board_by_unit(BOARD_DAY)["Flat"].state == "free"

    def test_it_lists_only_this_services_active_units(self):
        make_unit("Ours")
        make_unit("Closed", active=False)
        make_unit("Theirs", service=make_org("OTHER", name="Other Homes"))
        assert list(board_by_unit()) == ["Ours"]

    def test_thresholds_come_from_the_area_file(self, area_file):
        area_file("max_stay_days = 42", "max_stay_days = 28", "warning_days = 7", "warning_days = 3")
        make_placement(
            make_unit("Flat"),
            arrived_on=BOARD_DAY - timedelta(days=30),
            care_plan_on=BOARD_DAY - timedelta(days=30),
        )
        row = board_by_unit()["Flat"]
        assert row.over_max and row.days_over == 2

    @pytest.mark.parametrize(
        ("old", "new"),
        [("max_stay_days = 42", "max_stay_days = 0"), ("warning_days = 7", "warning_days = 42"),
         ("max_stay_days = 42", "max_stays = 42"), ("max_stay_days = 42", 'max_stay_days = "42"')],
    )
    def test_bad_configuration_fails_loudly(self, area_file, old, new):
        with pytest.raises(AreaConfigError, match="stepdown"):
            area_file(old, new)


class TestNextFreeDate:
    def test_an_occupied_unit_is_free_on_the_planned_end_then_after_any_plan_that_follows(self):
        unit = make_unit("Flat")
        make_placement(unit, arrived_on=date(2025, 3, 20), planned_end=date(2025, 4, 20))
        assert next_free_date(unit.placements.all(), BOARD_DAY) == date(2025, 4, 20)
        make_placement(unit, planned_start=date(2025, 4, 20), planned_end=date(2025, 5, 15))
        assert next_free_date(unit.placements.all(), BOARD_DAY) == date(2025, 5, 15)

    def test_an_overstaying_occupant_gives_no_date(self):
        unit = make_unit("Flat")
        make_placement(unit, arrived_on=date(2025, 2, 1), planned_end=date(2025, 3, 15))
        assert next_free_date(unit.placements.all(), BOARD_DAY) is None

    def test_a_free_unit_is_free_now_unless_a_plan_covers_today(self):
        unit = make_unit("Flat")
        assert next_free_date(unit.placements.all(), BOARD_DAY) == BOARD_DAY
        make_placement(unit, planned_start=date(2025, 3, 30), planned_end=date(2025, 4, 10))
        assert next_free_date(unit.placements.all(), BOARD_DAY) == date(2025, 4, 10)


# ------------------------------------------------------------------------------------------- average stay


def test_average_stay_is_the_mean_of_completed_stays_only():
    unit = make_unit("Flat")
    arrived = date(2024, 1, 1)
    stays = [30, 41, 52]
    for n, days in enumerate(stays):
        start = arrived + timedelta(days=100 * n)
        make_placement(unit, arrived_on=start, left_on=start + timedelta(days=days))
    make_placement(unit, arrived_on=date(2025, 3, 1))  # still in the flat: not counted
    make_placement(make_unit("Other"), planned_start=date(2025, 4, 1))  # never arrived: not counted

    average = average_length_of_stay(Placement.objects.all())

    assert average.count == 3
    assert average.mean_days == 41.0 == sum(stays) / len(stays)


def test_average_stay_of_nothing_is_none():
    assert average_length_of_stay([]).mean_days is None and average_length_of_stay([]).count == 0


# ------------------------------------------------------------------------------------------- constraints


def test_the_database_refuses_two_current_placements_in_one_unit():
    unit = make_unit("Flat")
    make_placement(unit, arrived_on=date(2025, 3, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        make_placement(unit, arrived_on=date(2025, 3, 10))


def test_a_unit_may_hold_many_ended_placements_and_one_current():
    unit = make_unit("Flat")
    make_placement(unit, arrived_on=date(2025, 1, 1), left_on=date(2025, 2, 1))
    make_placement(unit, arrived_on=date(2025, 2, 1), left_on=date(2025, 3, 1))
    make_placement(unit, arrived_on=date(2025, 3, 1))
    assert unit.placements.count() == 3


def test_the_database_refuses_leaving_before_arrival():
    placement = make_placement(make_unit("Flat"), arrived_on=date(2025, 3, 10))
    placement.left_on = date(2025, 3, 9)
    placement.outcome = Placement.Outcome.OWN_HOME
    with pytest.raises(IntegrityError), transaction.atomic():
        placement.save()


# ------------------------------------------------------------------------------------------- services


class TestServices:
    def test_a_stay_goes_from_plan_to_arrival_care_plan_review_and_leaving(self):
        hhc = make_user(Role.HHC)
        unit = make_unit("Flat")
        case = make_case(Stage.APPLICATION_LIVE)
        placement = services.placement_plan(
            unit=unit, case=case, planned_start=date(2025, 3, 1), planned_end=date(2025, 4, 12), by=hhc
        )
        assert placement.state == "planned"
        services.placement_arrive(placement=placement, on=date(2025, 3, 2), by=hhc)
        services.care_plan_record(placement=placement, at=aware(date(2025, 3, 3)), by=hhc)
        services.review_add(placement=placement, on=date(2025, 3, 9), note="OT visit booked", by=hhc)
        services.placement_leave(
            placement=placement, on=date(2025, 4, 12), outcome=Placement.Outcome.MORE_SUITABLE_HOME, by=hhc
        )
        placement.refresh_from_db()
        assert placement.state == "ended" and placement.length_of_stay == 41
        assert placement.care_plan_by == hhc and placement.reviews.count() == 1

    def test_leaving_before_arrival_is_refused(self):
        placement = make_placement(make_unit("Flat"), arrived_on=date(2025, 3, 10))
        with pytest.raises(services.PlacementRefused, match="before the arrival"):
            services.placement_leave(
                placement=placement, on=date(2025, 3, 9), outcome="own_home", by=make_user()
            )
        placement.refresh_from_db()
        assert placement.left_on is None

    def test_leaving_without_an_arrival_is_refused(self):
        placement = make_placement(make_unit("Flat"))
        with pytest.raises(services.PlacementRefused, match="not arrived"):
            services.placement_leave(placement=placement, on=BOARD_DAY, outcome="own_home", by=make_user())

    def test_arriving_in_an_occupied_unit_is_refused(self):
        unit = make_unit("Flat")
        make_placement(unit, arrived_on=date(2025, 3, 1))
        waiting = make_placement(unit, planned_start=date(2025, 4, 12))
        with pytest.raises(services.PlacementRefused, match="occupied"):
            services.placement_arrive(placement=waiting, on=date(2025, 3, 20), by=make_user())
        waiting.refresh_from_db()
        assert waiting.arrived_on is None

    @pytest.mark.parametrize(
        ("start", "end", "message"),
        [
            (date(2025, 4, 1), date(2025, 5, 20), "at most 42 days"),
            (date(2025, 4, 10), date(2025, 4, 30), "already planned"),
        ],
    )
    def test_planning_refuses_too_long_or_overlapping_stays(self, start, end, message):
        unit = make_unit("Flat")
        make_placement(unit, planned_start=date(2025, 4, 1), planned_end=date(2025, 4, 20))
        with pytest.raises(services.PlacementRefused, match=message):
            services.placement_plan(
                unit=unit, case=make_case(), planned_start=start, planned_end=end, by=make_user()
            )

    def test_planning_in_another_services_unit_is_refused(self):
        unit = make_unit("Theirs", service=make_org("OTHER"))
        with pytest.raises(services.PlacementRefused, match="another service"):
            services.placement_plan(
                unit=unit,
                case=make_case(),
                planned_start=BOARD_DAY,
                planned_end=BOARD_DAY + timedelta(days=7),
                by=make_user(),
            )

    def test_other_outcome_needs_a_description(self):
        placement = make_placement(make_unit("Flat"), arrived_on=date(2025, 3, 1))
        with pytest.raises(services.PlacementRefused):
            services.placement_leave(placement=placement, on=BOARD_DAY, outcome="other", by=make_user())


def test_review_notes_are_append_only():
    placement = make_placement(make_unit("Flat"), arrived_on=date(2025, 3, 1))
    note = services.review_add(
        placement=placement, on=date(2025, 3, 8), note="Week 1: settling in", by=make_user()
    )
    note.note = "rewritten"
    with pytest.raises(AppendOnlyError):
        note.save()
    with pytest.raises(AppendOnlyError):
        note.delete()
    with pytest.raises(AppendOnlyError):
        ReviewNote.objects.filter(pk=note.pk).update(note="rewritten")
    with pytest.raises(AppendOnlyError):
        ReviewNote.objects.all().delete()
    assert ReviewNote.objects.get().note == "Week 1: settling in"


# ------------------------------------------------------------------------------------------- pages


def as_user(client, user):
    client.force_login(user)
    return client


def date_post(prefix: str, day: date, **extra) -> dict:
    name = f"{prefix}-on" if prefix else "on"
    return {f"{name}_day": day.day, f"{name}_month": day.month, f"{name}_year": day.year, **extra}


class TestPages:
    def test_the_board_names_occupants_in_text_tags_and_is_audited_as_a_list(self, client):
        hhc = make_user(Role.HHC)
        today = timezone.localdate()
        placement = make_placement(make_unit("Flat 1"), arrived_on=today - timedelta(days=50))
        make_unit("Flat 2")
        response = as_user(client, hhc).get(reverse("stepdown:board"))
        assert response.status_code == 200
        body = response.content.decode()
        assert placement.case.person.full_name in body
        for text in ("Over maximum stay", "Care plan overdue", "Free", "Occupied"):
            assert text in body
        event = AuditEvent.objects.get(user=hhc)
        assert event.action == AuditEvent.Action.LIST and event.object_type == "stepdown_placement"

    def test_the_board_for_a_chosen_date(self, client):
        make_placement(make_unit("Flat"), arrived_on=date(2025, 3, 1), left_on=date(2025, 3, 20))
        body = (
            as_user(client, make_user()).get(reverse("stepdown:board"), {"on": "2025-03-10"}).content.decode()
        )
        assert "Monday 10 March 2025" in body and "Occupied" in body
        assert "Average length of stay: <strong>19.0 days</strong> over 1 completed stay" in body

    def test_the_placement_page_is_audited_as_a_view_of_the_person(self, client):
        hhc = make_user(Role.HHC)
        placement = make_placement(make_unit("Flat"), arrived_on=timezone.localdate())
        response = as_user(client, hhc).get(reverse("stepdown:placement", args=[placement.pk]))
        assert response.status_code == 200
        event = AuditEvent.objects.get(user=hhc)
        assert (event.action, event.person_id) == (AuditEvent.Action.VIEW, placement.case.person_id)

    def test_an_hhc_plans_records_arrival_care_plan_review_and_leaving(self, client):
        hhc = make_user(Role.HHC)
        unit = make_unit("Flat")
        case = make_case(Stage.APPLICATION_LIVE)
        today = timezone.localdate()
        as_user(client, hhc)
        response = client.get(reverse("stepdown:plan", args=[case.pk]))
        assert response.status_code == 200 and "Flat" in response.content.decode()
        end = today + timedelta(days=42)
        response = client.post(
            reverse("stepdown:plan", args=[case.pk]),
            {
                "unit": unit.pk,
                "planned_start_day": today.day,
                "planned_start_month": today.month,
                "planned_start_year": today.year,
                "planned_end_day": end.day,
                "planned_end_month": end.month,
                "planned_end_year": end.year,
            },
        )
        placement = Placement.objects.get()
        assert response.status_code == 302 and response.url == reverse(
            "stepdown:placement", args=[placement.pk]
        )

        assert (
            client.post(
                reverse("stepdown:arrive", args=[placement.pk]), date_post("arrive", today)
            ).status_code
            == 302
        )
        assert (
            client.post(
                reverse("stepdown:care-plan", args=[placement.pk]),
                date_post("careplan", today, **{"careplan-at_time": "09:30"}),
            ).status_code
            == 302
        )
        assert (
            client.post(
                reverse("stepdown:review", args=[placement.pk]),
                date_post("review", today, **{"review-note": "Discussed move-on options"}),
            ).status_code
            == 302
        )
        assert (
            client.post(
                reverse("stepdown:leave", args=[placement.pk]),
                date_post("leave", today, **{"leave-outcome": "own_home"}),
            ).status_code
            == 302
        )

        placement.refresh_from_db()
        assert (
            placement.state == "ended" and placement.outcome == "own_home" and placement.length_of_stay == 0
        )
        assert placement.reviews.get().note == "Discussed move-on options"
        changes = AuditEvent.objects.filter(user=hhc, object_type="stepdown_placement")
        assert changes.count() == 5
        assert set(changes.values_list("person_id", flat=True)) == {case.person_id}

    def test_a_leaving_date_before_arrival_is_shown_as_an_error(self, client):
        placement = make_placement(make_unit("Flat"), arrived_on=date(2025, 3, 10))
        response = as_user(client, make_user()).post(
            reverse("stepdown:leave", args=[placement.pk]),
            date_post("leave", date(2025, 3, 9), **{"leave-outcome": "own_home"}),
        )
        assert response.status_code == 400
        assert "The leaving date cannot be before the arrival" in response.content.decode()
        placement.refresh_from_db()
        assert placement.left_on is None


class TestAccess:
    @pytest.fixture
    def placement(self):
        return make_placement(make_unit("Rose Court 1"), arrived_on=date(2025, 3, 1))

    @pytest.mark.parametrize(
        "url_name",
        ["stepdown:placement", "stepdown:arrive", "stepdown:care-plan", "stepdown:review", "stepdown:leave"],
    )
    def test_staff_of_another_organisation_get_not_found(self, client, placement, url_name):
        other = make_user(Role.HHC, organisation=make_org("OTHER", name="Other Homes"))
        as_user(client, other)
        url = reverse(url_name, args=[placement.pk])
        response = client.get(url) if url_name == "stepdown:placement" else client.post(url, {})
        assert response.status_code == 404
        assert not AuditEvent.objects.filter(user=other, action=AuditEvent.Action.VIEW).exists()

    def test_the_other_organisations_board_does_not_show_our_people(self, client, placement):
        other = make_user(Role.HHC, organisation=make_org("OTHER", name="Other Homes"))
        body = as_user(client, other).get(reverse("stepdown:board"), {"on": "2025-03-10"}).content.decode()
        assert placement.case.person.full_name not in body and "Rose Court" not in body

    @pytest.mark.parametrize(
        "role", [Role.REFERRER, Role.COMMISSIONER, Role.LETTINGS_OFFICER, Role.ADMINISTRATOR]
    )
    def test_people_outside_the_service_get_not_found(self, client, placement, role):
        as_user(client, make_user(role))
        assert client.get(reverse("stepdown:board")).status_code == 404
        assert client.get(reverse("stepdown:placement", args=[placement.pk])).status_code == 404

    def test_planning_for_another_services_case_is_not_found(self, client):
        case = make_case(service=make_org("OTHER", name="Other Homes"))
        assert as_user(client, make_user()).get(reverse("stepdown:plan", args=[case.pk])).status_code == 404


@pytest.fixture
def area_file(settings, tmp_path):
    """Point H2H at a copy of the Nottingham area file with some lines replaced, and load it."""

    def write(*pairs):
        text = NOTTINGHAM_TOML.read_text()
        for old, new in zip(pairs[::2], pairs[1::2], strict=True):
            assert old in text
            text = text.replace(old, new)
        path = tmp_path / "area.toml"
        path.write_text(text)
        settings.H2H_AREA_FILE = str(path)
        _cached.cache_clear()
        return get_area()

    yield write
    _cached.cache_clear()
