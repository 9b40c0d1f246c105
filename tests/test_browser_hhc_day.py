"""An HHC's day on a phone: open My work, complete a task, record a 2-week visit."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from h2h.accounts.models import Organisation, User
from h2h.accounts.roles import Role
from h2h.cases.services import case_move
from h2h.cases.stages import Stage
from h2h.support.models import Task, Visit
from tests.factories import make_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-password"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def housed(transactional_db):
    nch = Organisation.objects.create(code="NCH", name="Nottingham City Homes", kind="housing_provider")
    hhc = User.objects.create_user("alice", password=PASSWORD, role=Role.HHC, organisation=nch,
                                   first_name="Alice", last_name="Moss")
    today = timezone.localdate()
    case = make_case(Stage.OFFER, service=nch, assigned_to=hhc, cohort="older_people",
                     stage_changed_on=today - timedelta(days=40))
    return hhc, case_move(case=case, to_stage=Stage.TENANCY_START, by=hhc, on=today - timedelta(days=16))


def no_sideways_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_an_hhc_completes_a_task_and_records_a_two_week_visit_on_a_phone(live_server, browser, housed):
    hhc, case = housed
    page = browser.new_context(viewport=PHONE).new_page()
    page.goto(live_server.url + "/sign-in/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    # The menu may be collapsed on a phone: go by the link's address if it is not visible.
    page.goto(live_server.url + "/support/my-work/")
    expect(page.get_by_role("heading", name="My work")).to_be_visible()
    expect(page.locator(".h2h-work-list li").first).to_contain_text("Overdue")
    assert no_sideways_scroll(page)

    page.get_by_role("button", name=re.compile(r"^Done\s*:\s*Utilities switched")).click()
    expect(page.get_by_text("Utilities switched: done")).to_be_visible()
    assert no_sideways_scroll(page)

    page.get_by_role("link", name=re.compile(r"^Record visit\s*:\s*2-week follow-up visit")).click()
    expect(page.get_by_role("heading", name="Record the 2-week follow-up visit")).to_be_visible()
    page.fill("#id_note", "Settling in; kettle and bed delivered.")
    assert no_sideways_scroll(page)
    page.get_by_role("button", name="Record the visit").click()
    expect(page.get_by_text("2-week follow-up visit recorded")).to_be_visible()
    assert no_sideways_scroll(page)

    utilities = Task.objects.get(case=case, code="utilities")
    assert utilities.status == Task.Status.DONE and utilities.done_by == hhc
    visit = Visit.objects.get(case=case, kind=Visit.Kind.TWO_WEEK)
    assert visit.done_on == timezone.localdate() and visit.note.startswith("Settling in")
    case.refresh_from_db()
    assert case.stage == Stage.FOLLOW_UP_2W
