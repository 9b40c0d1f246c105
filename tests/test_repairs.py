"""Repair, adaptation and handyperson jobs: raising with a deadline, completion, the on-time rate, and who
may see the pages."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from h2h.accounts.roles import Role
from h2h.audit.models import AuditEvent
from h2h.cases.stages import Stage
from h2h.repairs.models import Job
from h2h.repairs.selectors import on_time_by_priority, on_time_rate, overdue_jobs
from h2h.repairs.services import JobActionRefused, job_cancel, job_complete, job_raise
from tests.factories import make_case, make_org, make_user

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
MARCH_6 = {"completed_on_day": "6", "completed_on_month": "3", "completed_on_year": "2026"}


def at(*parts) -> datetime:
    return datetime(*parts, tzinfo=LONDON)


@pytest.fixture
def hhc():
    return make_user(Role.HHC)


@pytest.fixture
def landlord():
    return make_org("PL1", name="Partner Landlord", kind="partner_landlord")


@pytest.fixture
def case(hhc):
    return make_case(Stage.TENANCY_START, assigned_to=hhc)


def raise_job(case, hhc, landlord, priority="urgent", raised_at=None, **extra):
    return job_raise(case=case, kind=extra.pop("kind", "repair"), priority=priority,
                     description="Grab rail by the front door", contractor=landlord, by=hhc,
                     raised_at=raised_at or at(2025, 12, 23, 10, 0))


# ----------------------------------------------------------------------------------------------- rules


def test_raising_fixes_the_deadline_across_christmas(case, hhc, landlord):
    # 2026: Thu 24 (1), Fri 25 and Mon 28 (Boxing Day's substitute) are holidays, Tue 29 (2), Wed 30 (3).
    job = raise_job(case, hhc, landlord, raised_at=at(2026, 12, 23, 10, 0))
    assert job.due_at == at(2026, 12, 30, 23, 59, 59)
    # 2025 (the date the other tests use, safely in the past): Wed 24 (1), Thu 25 and Fri 26 holidays,
    # Mon 29 (2), Tue 30 (3).
    assert raise_job(case, hhc, landlord).due_at == at(2025, 12, 30, 23, 59, 59)
    assert job.is_open and job.on_time is None


def test_a_job_completed_on_the_last_day_is_on_time_and_one_completed_after_is_late(case, hhc, landlord):
    on_time = job_complete(job=raise_job(case, hhc, landlord), by=hhc, completed_at=at(2025, 12, 30, 17, 0))
    late = job_complete(job=raise_job(case, hhc, landlord), by=hhc, completed_at=at(2025, 12, 31, 9, 0))
    assert on_time.on_time is True
    assert late.on_time is False
    assert late.status_label == "Completed late"
    assert on_time_rate([on_time, late]) == 0.5


def test_an_emergency_finished_25_hours_later_is_late(case, hhc, landlord):
    # Raised at 16:00 on Good Friday 2025: the deadline runs through the holiday and the weekend.
    job = raise_job(case, hhc, landlord, priority="emergency", raised_at=at(2025, 4, 18, 16, 0))
    assert job.due_at == at(2025, 4, 19, 16, 0)
    job = job_complete(job=job, by=hhc, completed_at=at(2025, 4, 19, 17, 0))
    assert job.on_time is False


def test_on_time_rate_counts_only_completed_jobs():
    due = at(2026, 6, 1, 23, 59, 59)
    jobs = [
        Job(priority="urgent", due_at=due, completed_at=due),  # on time: exactly at the deadline
        Job(priority="urgent", due_at=due, completed_at=due - timedelta(days=2)),
        Job(priority="urgent", due_at=due, completed_at=due + timedelta(seconds=1)),  # late
        Job(priority="routine", due_at=due, completed_at=due + timedelta(days=3)),  # late
        Job(priority="routine", due_at=due),  # open: left out
        Job(priority="routine", due_at=due, cancelled=True),  # cancelled: left out
    ]
    assert on_time_rate(jobs) == 0.5
    assert on_time_rate(jobs[4:]) is None
    rows = {row["priority"]: row for row in on_time_by_priority(jobs)}
    assert (rows["urgent"]["completed"], rows["urgent"]["on_time"]) == (3, 2)
    assert rows["routine"]["rate"] == 0.0
    assert rows["emergency"]["rate"] is None


def test_overdue_lists_open_jobs_past_their_deadline(case, hhc, landlord):
    overdue = raise_job(case, hhc, landlord)
    done = job_complete(job=raise_job(case, hhc, landlord), by=hhc, completed_at=at(2025, 12, 31, 9, 0))
    cancelled = job_cancel(job=raise_job(case, hhc, landlord), by=hhc, reason="Not needed")
    # Tue 30 (1), Wed 31 (2), New Year's Day, Fri 2 January 2026 (3).
    not_yet = raise_job(case, hhc, landlord, raised_at=at(2025, 12, 29, 9, 0))
    assert not_yet.due_at == at(2026, 1, 2, 23, 59, 59)
    found = set(overdue_jobs(Job.objects.all(), at(2026, 1, 1, 12, 0)))
    assert found == {overdue}
    assert done not in found and cancelled not in found and not_yet not in found


def test_it_refuses_to_complete_twice_a_cancelled_job_or_in_the_future(case, hhc, landlord):
    job = job_complete(job=raise_job(case, hhc, landlord), by=hhc, completed_at=at(2025, 12, 24, 9, 0))
    with pytest.raises(JobActionRefused, match="already"):
        job_complete(job=job, by=hhc, completed_at=at(2025, 12, 24, 10, 0))
    with pytest.raises(JobActionRefused, match="Only an open job"):
        job_cancel(job=job, by=hhc)
    cancelled = job_cancel(job=raise_job(case, hhc, landlord), by=hhc)
    with pytest.raises(JobActionRefused, match="cancelled"):
        job_complete(job=cancelled, by=hhc, completed_at=at(2025, 12, 24, 9, 0))
    with pytest.raises(JobActionRefused, match="future"):
        job_complete(job=raise_job(case, hhc, landlord), by=hhc,
                     completed_at=timezone.now() + timedelta(hours=1))
    with pytest.raises(JobActionRefused, match="before it was raised"):
        job_complete(job=raise_job(case, hhc, landlord), by=hhc, completed_at=at(2025, 12, 22, 9, 0))


def test_it_refuses_a_job_on_a_closed_case_or_from_another_service(hhc, landlord):
    with pytest.raises(JobActionRefused, match="closed"):
        raise_job(make_case(Stage.CLOSED), hhc, landlord)
    outsider = make_user(Role.HHC, organisation=make_org("OTH", kind="housing_provider"))
    with pytest.raises(JobActionRefused, match="service"):
        raise_job(make_case(Stage.FIRST_VISIT), outsider, landlord)


# ----------------------------------------------------------------------------------------------- pages


def test_an_hhc_raises_a_job_from_the_case_page(client, case, hhc, landlord):
    client.force_login(hhc)
    url = reverse("repairs:case", args=[case.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Urgent (within 3 working days)" in page.content.decode()
    assert AuditEvent.objects.filter(action="view", object_type="case", object_id=str(case.pk)).exists()
    response = client.post(url, {"kind": "adaptation", "priority": "emergency", "contractor": landlord.pk,
                                 "description": "Stair rail loose"})
    assert response.status_code == 302
    job = Job.objects.get()
    assert (job.kind, job.raised_by, job.due_at - job.raised_at) == ("adaptation", hhc, timedelta(hours=24))
    assert AuditEvent.objects.filter(action="create", object_type="repair_job",
                                     person_id=case.person_id).exists()
    assert "Stair rail loose" in client.get(url).content.decode()


def test_the_raise_form_shows_errors(client, case, hhc):
    client.force_login(hhc)
    page = client.post(reverse("repairs:case", args=[case.pk]), {"kind": "repair"})
    assert page.status_code == 200
    assert "Select the priority" in page.content.decode()
    assert not Job.objects.exists()


def test_recording_completion_late_counts_as_late(client, case, hhc, landlord):
    job = raise_job(case, hhc, landlord, raised_at=at(2026, 3, 2, 9, 0))  # due end of Thu 5 March 2026
    client.force_login(make_user(Role.ADMIN_OFFICER))
    url = reverse("repairs:complete", args=[job.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {**MARCH_6, "completed_time": "08:15", "note": "Fitted"})
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.completed_at == at(2026, 3, 6, 8, 15)
    assert job.on_time is False
    assert AuditEvent.objects.filter(action="change", object_type="repair_job",
                                     object_id=str(job.pk)).exists()


def test_a_bad_completion_time_is_an_error(client, case, hhc, landlord):
    job = raise_job(case, hhc, landlord, raised_at=at(2026, 3, 2, 9, 0))
    client.force_login(hhc)
    page = client.post(reverse("repairs:complete", args=[job.pk]),
                       {**MARCH_6, "completed_time": "25:00"})
    assert page.status_code == 200
    assert "24-hour clock" in page.content.decode()


def test_cancelling_a_job(client, case, hhc, landlord):
    job = raise_job(case, hhc, landlord)
    client.force_login(hhc)
    response = client.post(reverse("repairs:cancel", args=[job.pk]), {"reason": "Tenant fixed it"})
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.cancelled and job.cancel_reason == "Tenant fixed it"


def test_the_service_page_filters_and_shows_the_rate_per_priority(client, case, hhc, landlord):
    overdue = raise_job(case, hhc, landlord)
    job_complete(job=raise_job(case, hhc, landlord), by=hhc, completed_at=at(2025, 12, 24, 9, 0))
    job_complete(job=raise_job(case, hhc, landlord), by=hhc, completed_at=at(2026, 1, 5, 9, 0))
    manager = make_user(Role.PROJECT_MANAGER)
    client.force_login(manager)
    page = client.get(reverse("repairs:list") + "?show=overdue")
    assert page.status_code == 200
    assert [job.pk for job in page.context["rows"]] == [overdue.pk]
    urgent = next(row for row in page.context["rates"] if row["priority"] == "urgent")
    assert (urgent["completed"], urgent["on_time"], urgent["rate"]) == (2, 1, 0.5)
    assert "50%" in page.content.decode()
    assert len(client.get(reverse("repairs:list") + "?show=completed").context["rows"]) == 2
    assert len(client.get(reverse("repairs:list") + "?show=all").context["rows"]) == 3
    assert AuditEvent.objects.filter(action="list", object_type="repair_job",
                                     username=manager.username).exists()


@pytest.mark.parametrize(
    "role",
    [Role.REFERRER, Role.HOUSING_MANAGER, Role.COMMISSIONER, Role.LETTINGS_OFFICER, Role.ADMINISTRATOR],
)
def test_other_roles_get_not_found(client, case, hhc, landlord, role):
    job = raise_job(case, hhc, landlord)
    client.force_login(make_user(role))
    for url in (reverse("repairs:case", args=[case.pk]), reverse("repairs:complete", args=[job.pk]),
                reverse("repairs:cancel", args=[job.pk]), reverse("repairs:list")):
        assert client.get(url).status_code == 404


def test_another_organisations_hhc_gets_not_found(client, case, hhc, landlord):
    job = raise_job(case, hhc, landlord)
    outsider = make_user(Role.HHC, organisation=make_org("OTH", kind="housing_provider"))
    client.force_login(outsider)
    assert client.get(reverse("repairs:case", args=[case.pk])).status_code == 404
    assert client.post(reverse("repairs:complete", args=[job.pk]), {}).status_code == 404
    assert client.get(reverse("repairs:list")).context["rows"] == []
    job.refresh_from_db()
    assert job.is_open


def test_signed_out_users_are_sent_to_sign_in(client, case):
    assert client.get(reverse("repairs:case", args=[case.pk])).status_code == 302
