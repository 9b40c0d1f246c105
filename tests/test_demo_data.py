"""The demo data generator (h2h/demo/generate.py) and the seed_demo command."""

import re
import time
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from h2h.accounts.models import Organisation, User
from h2h.accounts.roles import Role
from h2h.area.config import get_area
from h2h.cases.models import Case, CaseEvent, CaseNote
from h2h.cases.stages import OPEN_STAGES, Stage, move_allowed
from h2h.demo import generate as demo
from h2h.directory.models import Contact
from h2h.lib.identifiers import nhs_number_is_valid, postcode_is_valid
from h2h.referrals.models import Person, Referral

SMALL = 60


class _RollbackError(Exception):
    pass


def _generate_then_roll_back(seed: int, referrals: int) -> list[tuple]:
    """Run the generator for real, read back what it wrote, and undo it, leaving an empty database."""
    signature = None
    try:
        with transaction.atomic():
            demo.generate(seed=seed, referrals=referrals)
            signature = demo.database_signature()
            raise _RollbackError
    except _RollbackError:
        pass
    assert not Organisation.objects.exists()
    return signature


@pytest.mark.django_db
def test_same_seed_gives_the_same_data_and_matches_the_plan():
    first = _generate_then_roll_back(seed=11, referrals=SMALL)
    second = _generate_then_roll_back(seed=11, referrals=SMALL)
    other = _generate_then_roll_back(seed=12, referrals=SMALL)
    assert len(first) == SMALL
    assert first == second
    assert first != other
    # What was written is what the pure plan said would be written: names, NHS numbers, stages, cohorts.
    assert first == demo.plan_signature(demo.build_plan(11, SMALL))


@pytest.mark.django_db
def test_identifiers_are_fake_and_valid():
    demo.generate(seed=3, referrals=SMALL)
    numbers = list(Person.objects.values_list("nhs_number", flat=True))
    assert all(n == "" or (n.startswith("999") and nhs_number_is_valid(n)) for n in numbers)
    known = [n for n in numbers if n]
    assert len(known) == len(set(known))
    assert 0 < numbers.count("") < len(numbers) * 0.25
    for person in Person.objects.all():
        assert postcode_is_valid(person.postcode), person.postcode
        assert person.phone == "" or re.fullmatch(r"07700 900\d{3}", person.phone)
        assert person.email == "" or person.email.endswith("@example.org")
    for contact in Contact.objects.all():
        assert re.fullmatch(r"0115 496 0\d{3}", contact.phone) and contact.email.endswith("@example.org")
    for referral in Referral.objects.all():
        assert referral.received_at < timezone.now()
        assert referral.referrer_email == "" or referral.referrer_email.endswith("@example.org")
    assert Referral.objects.filter(in_footprint=False).exists()


@pytest.mark.django_db
def test_case_histories_are_what_the_application_would_record():
    demo.generate(seed=5, referrals=SMALL)
    today = timezone.localdate()
    assert Case.objects.count() > SMALL * 0.8
    for case in Case.objects.all():
        events = list(case.events.select_related("by").order_by("at", "id"))
        assert [e.pk for e in events] == sorted(e.pk for e in events), "recorded times follow creation order"
        first = events[0]
        assert (first.kind, first.to_stage) == (CaseEvent.Kind.STAGE, Stage.REFERRAL_RECEIVED)
        stage_events = [e for e in events if e.kind == CaseEvent.Kind.STAGE]
        assert case.stage == stage_events[-1].to_stage
        assert case.stage_changed_on == stage_events[-1].on
        assert case.referred_on == first.on
        for event in events:  # recorded on the day it took effect, as if entered live
            assert timezone.localtime(event.at).date() == event.on, (event.kind, event.on, event.at)
        dates = [e.on for e in stage_events]
        assert dates == sorted(dates) and dates[-1] <= today
        for before, after in zip(stage_events, stage_events[1:], strict=False):
            assert after.from_stage == before.to_stage
            assert move_allowed(after.from_stage, after.to_stage, after.by.role), (
                after.from_stage,
                after.to_stage,
                after.by.role,
            )
        if case.stage == Stage.CLOSED:
            assert case.closing_reason
        if case.decision == Case.Decision.DECLINED:
            assert case.onward_referral and case.decision_reason
    assert CaseNote.objects.exists()
    assert not CaseNote.objects.filter(at__gt=timezone.now()).exists()
    # The generator's clock is put back afterwards.
    assert abs(timezone.now() - datetime.now(UTC)) < timedelta(minutes=1)


@pytest.mark.django_db
def test_every_role_has_a_login_and_the_service_organisation_is_the_area_s():
    demo.generate(seed=7, referrals=0)
    for role in Role:
        assert User.objects.filter(role=role, is_active=True).exists(), role
    assert User.objects.filter(role=Role.HHC).count() == 3
    service = Organisation.objects.get(code=get_area().service_organisation)
    assert User.objects.filter(role=Role.HHC, organisation=service).count() == 3
    assert authenticate(username="hhc", password=demo.DEMO_PASSWORD) is not None
    admin = authenticate(username="administrator", password=demo.DEMO_PASSWORD)
    assert admin is not None and admin.is_staff and admin.is_superuser
    assert not User.objects.exclude(username="administrator").filter(is_staff=True).exists()
    # People sign in with the demo password; API clients' service accounts never sign in at all.
    assert all(u.has_usable_password() for u in User.objects.filter(api_client__isnull=True))
    assert not any(u.has_usable_password() for u in User.objects.filter(api_client__isnull=False))


@pytest.mark.django_db
def test_cohorts_duplicates_and_unassigned_cases_show():
    demo.generate(seed=2026, referrals=SMALL)
    accepted = Case.objects.filter(decision=Case.Decision.ACCEPTED)
    for cohort in get_area().cohorts:
        assert accepted.filter(cohort=cohort.code).exists(), cohort.code
    assert Case.objects.filter(decision=Case.Decision.DECLINED).exists()
    linked = Referral.objects.filter(linked_to_open_case=True)
    assert linked.exists()
    for referral in linked:
        assert referral.case.events.filter(kind=CaseEvent.Kind.REFERRAL_LINKED).exists()
        assert referral.case.person_id == referral.person_id
    assert Case.objects.filter(assigned_to=None).exclude(stage=Stage.CLOSED).exists()


@pytest.mark.django_db
def test_default_count_is_quick_and_fills_every_open_stage():
    started = time.monotonic()
    demo.generate()
    elapsed = time.monotonic() - started
    assert elapsed < 60, f"seeding {demo.DEFAULT_REFERRALS} referrals took {elapsed:.0f} s"
    assert Referral.objects.count() == demo.DEFAULT_REFERRALS
    for stage in OPEN_STAGES:
        assert Case.objects.filter(stage=stage).exists(), stage
    assert Case.objects.filter(stage=Stage.REFERRAL_RECEIVED).exclude(assigned_to=None).exists()
    assert 3 <= Case.objects.filter(assigned_to=None).exclude(stage=Stage.CLOSED).count() <= 5
    assert CaseEvent.objects.filter(kind=CaseEvent.Kind.HANDOVER).exists()
    summary = demo.summary_counts()
    assert 40 <= summary["average_rehousing_days"] <= 70
    outside = Referral.objects.filter(in_footprint=False).count() / Referral.objects.count()
    assert 0.05 <= outside <= 0.15
    declined = Case.objects.filter(decision=Case.Decision.DECLINED).count() / Case.objects.count()
    assert 0.12 <= declined <= 0.30
    for reason in ("rehoused", "withdrawn", "not_eligible"):
        assert Case.objects.filter(closing_reason=reason).exists(), reason


@pytest.mark.django_db
def test_command_prints_logins_and_if_empty_creates_nothing():
    out = StringIO()
    call_command("seed_demo", "--referrals", "12", "--seed", "4", stdout=out)
    text = out.getvalue()
    assert "Cases by stage" in text and "hhc3" in text and demo.DEMO_PASSWORD in text
    referrals = Referral.objects.count()
    assert referrals == 12

    out = StringIO()
    call_command("seed_demo", "--if-empty", "--quiet", stdout=out)
    text = out.getvalue()
    assert "administrator" in text and demo.DEMO_PASSWORD in text and "Cases by stage" not in text
    assert Referral.objects.count() == referrals

    with pytest.raises(CommandError):
        call_command("seed_demo", stdout=StringIO())
