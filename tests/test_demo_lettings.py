"""The demo's stock and register agree with the demo cases' histories."""

import pytest

from h2h.cases.models import CaseEvent
from h2h.cases.stages import Stage
from h2h.demo.generate import generate
from h2h.lettings.models import Application, Bid, Offer, Void
from h2h.lettings.rules import fit_problems

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        from django.db import transaction

        with transaction.atomic():
            generate(seed=7, referrals=120)
            yield
            transaction.set_rollback(True)


def test_it_lets_each_housed_case_a_home_on_its_tenancy_start_date(demo):
    housed = CaseEvent.objects.filter(kind=CaseEvent.Kind.STAGE, to_stage=Stage.TENANCY_START)
    assert housed.exists()
    for event in housed:
        offer = Offer.objects.get(application__case=event.case, status=Offer.Status.SIGNED_UP)
        assert offer.tenancy_start == event.on
        assert offer.void.let_on == event.on and offer.void.status == Void.Status.LET
        assert not fit_problems(offer.application, offer.void.property, event.on)


def test_it_gives_every_case_that_went_live_an_application_with_the_accelerator(demo):
    for event in CaseEvent.objects.filter(kind=CaseEvent.Kind.STAGE, to_stage=Stage.APPLICATION_LIVE):
        application = Application.objects.get(case=event.case)
        months = (application.application_date.year - application.effective_date.year) * 12 + (
            application.application_date.month - application.effective_date.month)
        assert months == 12


def test_it_puts_general_needs_bids_on_the_voids_advertised_now(demo):
    advertised = Void.objects.filter(status=Void.Status.ADVERTISED)
    assert advertised.exists()
    assert Bid.objects.filter(application__case__isnull=True, void__in=advertised).exists()
    assert not Bid.objects.exclude(void__status=Void.Status.ADVERTISED).exists()
