"""The demo fills the wrap-around support screens with data that agrees with the cases."""

from datetime import timedelta

import pytest
from django.utils import timezone

from h2h.demo.generate import generate
from h2h.hardship.models import Budget, SpendRequest
from h2h.repairs.models import Job
from h2h.stepdown.models import Placement
from h2h.stepdown.selectors import average_length_of_stay
from h2h.support.models import Task, Visit

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        from django.db import transaction

        with transaction.atomic():
            generate(seed=11, referrals=400)
            yield
            transaction.set_rollback(True)


def test_it_keeps_committed_hardship_spend_within_the_budget(demo):
    budget = Budget.objects.order_by("-year").first()
    committed = sum(r.amount for r in SpendRequest.objects.filter(year=budget.year, status__in=["approved", "paid"]))
    assert 0 < committed <= budget.amount or not SpendRequest.objects.filter(year=budget.year).exists()
    assert SpendRequest.objects.exists()


def test_it_raises_jobs_after_the_move_with_deadlines_after_raising(demo):
    assert Job.objects.exists()
    for job in Job.objects.select_related("case"):
        tenancy = job.case.events.filter(to_stage="tenancy_start").first()
        assert job.due_at > job.raised_at and job.raised_at.date() >= tenancy.on


def test_it_shows_past_stays_near_six_weeks_and_people_in_the_flats_now(demo):
    completed = Placement.objects.filter(left_on__isnull=False)
    assert completed.exists()
    assert 30 <= average_length_of_stay(completed).mean_days <= 50
    assert Placement.objects.filter(arrived_on__isnull=False, left_on__isnull=True).exists()


def test_it_leaves_this_fortnights_work_open_and_older_work_done(demo):
    today = timezone.localdate()
    assert Task.objects.filter(status="open").exists()
    assert not Task.objects.filter(status="open", due_on__lt=today - timedelta(days=4)).exists()
    # A case past its 2-week follow-up has that visit recorded.
    assert not Visit.objects.filter(kind="two_week", done_on__isnull=True,
                                    case__stage__in=["follow_up_2w", "follow_up_6m"]).exists()
