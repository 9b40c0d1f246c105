"""Wrap-around support: tasks from the area's templates, follow-up visits, the work queues, reassignment and
safeguarding concerns, and who may see the pages."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from h2h.accounts.roles import Role
from h2h.area.config import get_area
from h2h.audit.models import AuditEvent
from h2h.cases.selectors import add_months
from h2h.cases.services import case_move
from h2h.cases.stages import Stage
from h2h.support.models import SafeguardingConcern, Task, Visit
from h2h.support.selectors import task_queryset_for_user, visit_queryset_for_user, work_queue
from h2h.support.services import (
    SupportActionRefused,
    task_add,
    task_close,
    visit_record,
    work_reassign,
    work_reassign_all,
)
from tests.factories import make_case, make_org, make_user

pytestmark = pytest.mark.django_db

TENANCY_TASKS = {"benefits_check", "council_tax", "bank_account", "utilities", "telecare", "introduction"}
OFFER_TASKS = {"ot_review", "adaptations", "furniture", "removals", "move_day"}


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def hhc():
    return make_user(Role.HHC)


@pytest.fixture
def pm():
    return make_user(Role.PROJECT_MANAGER)


def housed_case(hhc, *, cohort="older_people", days_ago=20):
    """A case moved from offer to tenancy start `days_ago` days ago, through case_move."""
    today = timezone.localdate()
    case = make_case(Stage.OFFER, assigned_to=hhc, cohort=cohort, stage_changed_on=today - timedelta(days=60))
    return case_move(case=case, to_stage=Stage.TENANCY_START, by=hhc, on=today - timedelta(days=days_ago))


# ----------------------------------------------------------------------------------------------- generation


def test_a_case_reaching_tenancy_start_gets_its_tasks_and_both_visits(hhc, today):
    start = today - timedelta(days=20)
    case = housed_case(hhc)
    tasks = {t.code: t for t in case.tasks.all()}
    assert set(tasks) == TENANCY_TASKS
    assert tasks["utilities"].due_on == start + timedelta(days=3)
    assert tasks["bank_account"].due_on == start + timedelta(days=14)
    assert all(t.owner == hhc and t.status == Task.Status.OPEN for t in tasks.values())
    visits = {v.kind: v for v in case.visits.all()}
    assert visits[Visit.Kind.TWO_WEEK].due_on == start + timedelta(days=14)
    assert visits[Visit.Kind.SIX_MONTH].due_on == add_months(start, 6)
    assert visits[Visit.Kind.TWO_WEEK].owner == hhc


def test_the_whole_offer_path_makes_offer_tasks_once(hhc, today):
    case = make_case(Stage.APPLICATION_LIVE, assigned_to=hhc, cohort="older_people",
                     stage_changed_on=today - timedelta(days=60))
    case_move(case=case, to_stage=Stage.OFFER, by=hhc, on=today - timedelta(days=40))
    case_move(case=case, to_stage=Stage.APPLICATION_LIVE, by=hhc, on=today - timedelta(days=35))
    case_move(case=case, to_stage=Stage.OFFER, by=hhc, on=today - timedelta(days=30))
    case_move(case=case, to_stage=Stage.TENANCY_START, by=hhc, on=today - timedelta(days=20))
    codes = list(case.tasks.values_list("code", flat=True))
    assert sorted(codes) == sorted(OFFER_TASKS | TENANCY_TASKS)
    assert case.tasks.get(code="ot_review").due_on == today - timedelta(days=40) + timedelta(days=3)
    assert case.visits.count() == 2


def test_templates_are_filtered_by_cohort(hhc):
    case = housed_case(hhc, cohort="mental_health")
    codes = set(case.tasks.values_list("code", flat=True))
    assert "telecare" not in codes
    assert codes == TENANCY_TASKS - {"telecare"}
    assert [t.code for t in get_area().tasks_for(Stage.OFFER, "mental_health")] == ["furniture", "removals", "move_day"]


def test_an_unassigned_case_gives_the_work_to_the_coordinator_who_moved_it(hhc, today):
    case = make_case(Stage.OFFER, cohort="older_people", stage_changed_on=today - timedelta(days=5))
    case_move(case=case, to_stage=Stage.TENANCY_START, by=hhc, on=today)
    assert set(case.tasks.values_list("owner", flat=True)) == {hhc.pk}


# ----------------------------------------------------------------------------------------------- visits


def test_recording_the_visits_moves_the_case_through_the_follow_ups(hhc, today):
    case = housed_case(hhc)
    two_week = case.visits.get(kind=Visit.Kind.TWO_WEEK)
    visit_record(visit=two_week, by=hhc, on=today - timedelta(days=5), note="Settling in well")
    case.refresh_from_db()
    assert case.stage == Stage.FOLLOW_UP_2W
    assert case.events.filter(to_stage=Stage.FOLLOW_UP_2W, on=today - timedelta(days=5)).exists()
    six_month = case.visits.get(kind=Visit.Kind.SIX_MONTH)
    visit_record(visit=six_month, by=hhc, on=today)
    case.refresh_from_db()
    assert case.stage == Stage.FOLLOW_UP_6M
    with pytest.raises(SupportActionRefused, match="already recorded"):
        visit_record(visit=six_month, by=hhc, on=today)


def test_the_six_month_visit_cannot_come_before_the_two_week_one(hhc, today):
    case = housed_case(hhc)
    with pytest.raises(SupportActionRefused, match="must be at"):
        visit_record(visit=case.visits.get(kind=Visit.Kind.SIX_MONTH), by=hhc, on=today)


def test_the_six_month_visit_page_says_the_survey_is_next(client, hhc):
    case = housed_case(hhc)
    client.force_login(hhc)
    page = client.get(reverse("support:visit", args=[case.visits.get(kind=Visit.Kind.SIX_MONTH).pk]))
    assert "6-month follow-up survey comes next" in page.content.decode()
    assert reverse("surveys:record", args=[case.pk, "follow_up", "person"]) in page.content.decode()


# ----------------------------------------------------------------------------------------------- queues


def test_overdue_items_come_first_in_my_work(client, hhc, today):
    case = housed_case(hhc, days_ago=20)
    task_add(case=case, title="Chase the carpet charity", due_on=today + timedelta(days=30), owner=hhc, by=hhc)
    rows = work_queue(task_queryset_for_user(hhc).filter(owner=hhc), visit_queryset_for_user(hhc).filter(owner=hhc),
                      today)
    overdue = [row for row in rows if row.overdue]
    assert {row.item.title for row in overdue} >= {"2-week follow-up visit", "Utilities switched"}
    assert rows[: len(overdue)] == overdue
    assert [row.due_on for row in overdue] == sorted(row.due_on for row in overdue)
    client.force_login(hhc)
    page = client.get(reverse("support:my-work")).content.decode()
    assert "Overdue" in page and "Chase the carpet charity" in page
    assert page.index("Utilities switched") < page.index("Chase the carpet charity")


def test_the_quick_done_button_closes_the_task(client, hhc):
    case = housed_case(hhc)
    task = case.tasks.get(code="utilities")
    client.force_login(hhc)
    response = client.post(reverse("support:task-close", args=[task.pk]),
                           {"close-status": "done", "next": reverse("support:my-work")})
    assert response.status_code == 302 and response["Location"] == reverse("support:my-work")
    task.refresh_from_db()
    assert task.status == Task.Status.DONE and task.done_by == hhc
    assert AuditEvent.objects.filter(object_type="support_task", object_id=str(task.pk), action="change").exists()
    page = client.get(reverse("support:my-work")).content.decode()
    assert "Utilities switched: done" in page  # the success message
    assert page.count("Utilities switched") == 1


def test_not_needed_needs_a_reason(hhc):
    task = housed_case(hhc).tasks.get(code="telecare")
    with pytest.raises(SupportActionRefused, match="why"):
        task_close(task=task, by=hhc, status=Task.Status.NOT_NEEDED)
    task = task_close(task=task, by=hhc, status=Task.Status.NOT_NEEDED, note="Has a pendant alarm already")
    assert task.status == Task.Status.NOT_NEEDED


def test_overdue_visits_list_and_team_work_show_everyones_items(client, hhc, pm):
    other = make_user(Role.HHC)
    housed_case(hhc)
    housed_case(other)
    client.force_login(pm)
    page = client.get(reverse("support:visits-overdue")).content.decode()
    assert page.count("2-week follow-up visit") == 2
    team = client.get(reverse("support:team")).content.decode()
    assert hhc.display_name in team and other.display_name in team
    only = client.get(reverse("support:team"), {"person": other.pk}).content.decode()
    per_case = len(TENANCY_TASKS) + 2
    assert team.count(">Reassign<") == 2 * per_case
    assert only.count(">Reassign<") == per_case


def test_closed_cases_drop_out_of_the_queues(hhc, pm, today):
    case = housed_case(hhc)
    case_move(case=case, to_stage=Stage.CLOSED, by=hhc, on=today, closing_reason="died")
    assert work_queue(task_queryset_for_user(hhc), visit_queryset_for_user(hhc), today) == []


# ----------------------------------------------------------------------------------------------- reassign


def test_the_project_manager_reassigns_work(client, hhc, pm):
    cover = make_user(Role.HHC)
    case = housed_case(hhc)
    task = case.tasks.get(code="benefits_check")
    client.force_login(pm)
    response = client.post(reverse("support:task-reassign", args=[task.pk]), {"to_user": cover.pk})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.owner == cover
    moved = work_reassign_all(from_user=hhc, to_user=cover, by=pm)
    assert moved == len(TENANCY_TASKS) - 1 + 2
    assert not Task.objects.filter(owner=hhc).exists() and not Visit.objects.filter(owner=hhc).exists()


def test_reassigning_is_refused_across_organisations_and_to_non_pms(hhc, pm):
    elsewhere = make_user(Role.HHC, organisation=make_org("EXH"))
    visit = housed_case(hhc).visits.first()
    with pytest.raises(SupportActionRefused, match="active coordinator of the service"):
        work_reassign(item=visit, to_user=elsewhere, by=pm)
    with pytest.raises(SupportActionRefused, match="project manager"):
        work_reassign(item=visit, to_user=make_user(Role.HHC), by=hhc)
    other_pm = make_user(Role.PROJECT_MANAGER, organisation=elsewhere.organisation)
    with pytest.raises(SupportActionRefused, match="service holding"):
        work_reassign(item=visit, to_user=elsewhere, by=other_pm)


def test_the_reassign_form_offers_only_this_services_coordinators(client, hhc, pm):
    elsewhere = make_user(Role.HHC, organisation=make_org("EXH"))
    task = housed_case(hhc).tasks.first()
    client.force_login(pm)
    response = client.post(reverse("support:task-reassign", args=[task.pk]), {"to_user": elsewhere.pk})
    assert response.status_code == 200
    task.refresh_from_db()
    assert task.owner == hhc


# ----------------------------------------------------------------------------------------------- editing


def test_a_task_is_added_and_changed_on_the_case(client, hhc, today):
    case = housed_case(hhc)
    cover = make_user(Role.HHC)
    client.force_login(hhc)
    due = today + timedelta(days=3)
    response = client.post(reverse("support:case", args=[case.pk]), {
        "title": "Chase the furniture grant", "due_on_day": due.day, "due_on_month": due.month, "due_on_year": due.year,
        "owner": hhc.pk,
    })
    assert response.status_code == 302
    task = case.tasks.get(title="Chase the furniture grant")
    assert task.code == "" and task.due_on == due
    later = due + timedelta(days=7)
    response = client.post(reverse("support:task", args=[task.pk]), {
        "edit-title": "Chase the furniture grant", "edit-due_on_day": later.day, "edit-due_on_month": later.month,
        "edit-due_on_year": later.year, "edit-owner": cover.pk,
    })
    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.due_on, task.owner) == (later, cover)


# ----------------------------------------------------------------------------------------------- safeguarding


def test_a_safeguarding_concern_is_raised_listed_audited_and_given_an_outcome(client, hhc, today):
    case = housed_case(hhc)
    client.force_login(hhc)
    seen = today - timedelta(days=2)
    response = client.post(reverse("support:safeguarding", args=[case.pk]), {
        "concern": "Neighbour taking her pension", "noticed_on_day": seen.day, "noticed_on_month": seen.month,
        "noticed_on_year": seen.year, "told_name": "Sam Duty", "told_organisation": "Nottingham City Council",
        "told_on_day": today.day, "told_on_month": today.month, "told_on_year": today.year,
    })
    assert response.status_code == 302
    concern = SafeguardingConcern.objects.get(case=case)
    assert (concern.told_name, concern.raised_by) == ("Sam Duty", hhc)
    assert AuditEvent.objects.filter(object_type="support_safeguardingconcern", action="create",
                                     person_id=case.person_id).exists()
    page = client.get(reverse("support:safeguarding", args=[case.pk])).content.decode()
    assert "Neighbour taking her pension" in page and "Not known yet" in page
    client.post(reverse("support:concern-outcome", args=[concern.pk]), {
        "outcome": "Section 42 enquiry opened", "outcome_on_day": today.day, "outcome_on_month": today.month,
        "outcome_on_year": today.year,
    })
    concern.refresh_from_db()
    assert concern.outcome == "Section 42 enquiry opened" and concern.outcome_by == hhc


# ----------------------------------------------------------------------------------------------- access


@pytest.mark.parametrize("role", [Role.REFERRER, Role.HOUSING_MANAGER, Role.COMMISSIONER, Role.LETTINGS_OFFICER])
def test_other_roles_get_not_found(client, hhc, role):
    case = housed_case(hhc)
    client.force_login(make_user(role))
    for url in (reverse("support:case", args=[case.pk]), reverse("support:safeguarding", args=[case.pk]),
                reverse("support:task", args=[case.tasks.first().pk]), reverse("support:my-work"),
                reverse("support:team"), reverse("support:visits-overdue")):
        assert client.get(url).status_code == 404, url


def test_another_services_staff_get_not_found(client, hhc):
    case = housed_case(hhc)
    exh = make_org("EXH")
    for role in (Role.HHC, Role.PROJECT_MANAGER):
        client.force_login(make_user(role, organisation=exh))
        for url in (reverse("support:case", args=[case.pk]), reverse("support:safeguarding", args=[case.pk]),
                    reverse("support:task", args=[case.tasks.first().pk]),
                    reverse("support:visit", args=[case.visits.first().pk])):
            assert client.get(url).status_code == 404, url
        assert client.post(reverse("support:task-close", args=[case.tasks.first().pk]),
                           {"close-status": "done"}).status_code == 404


def test_admin_support_sees_tasks_but_not_safeguarding(client, hhc):
    case = housed_case(hhc)
    client.force_login(make_user(Role.ADMIN_OFFICER))
    assert client.get(reverse("support:case", args=[case.pk])).status_code == 200
    assert client.get(reverse("support:safeguarding", args=[case.pk])).status_code == 404
    assert client.get(reverse("support:my-work")).status_code == 404


def test_my_work_and_team_work_are_in_the_navigation(client, hhc, pm):
    client.force_login(hhc)
    assert "My work" in client.get(reverse("support:my-work")).content.decode()
    client.force_login(pm)
    assert "Team work" in client.get(reverse("support:team")).content.decode()


def test_it_marks_the_visit_done_when_the_stage_form_records_the_follow_up():
    """A coordinator who records the 2-week follow-up from the case's stage form leaves no visit open."""
    from django.utils import timezone

    from h2h.accounts.roles import Role
    from h2h.cases.services import case_move
    from h2h.cases.stages import Stage
    from h2h.support.models import Visit
    from tests.factories import make_case, make_user

    hhc = make_user(Role.HHC)
    case = make_case(Stage.OFFER, assigned_to=hhc, days_ago=30)
    today = timezone.localdate()
    case_move(case=case, to_stage=Stage.TENANCY_START, by=hhc, on=today)
    case_move(case=case, to_stage=Stage.FOLLOW_UP_2W, by=hhc, on=today)
    two_week = Visit.objects.get(case=case, kind=Visit.Kind.TWO_WEEK)
    assert two_week.done_on == today and two_week.done_by == hhc
    assert Visit.objects.get(case=case, kind=Visit.Kind.SIX_MONTH).done_on is None
