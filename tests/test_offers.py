"""Holds, direct offers, shortlist offers, refusal with the next person offered, acceptance and sign-up.

Lettings rows are written with the ORM (applications straight to LIVE, voids straight to READY or ADVERTISED,
bids with Bid.objects.create); the builders here are shared with test_offer_pages.py and
test_offer_concurrency.py.
"""

import itertools
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from h2h.accounts.roles import Role
from h2h.area import valuesets
from h2h.cases.models import CaseEvent
from h2h.cases.services import CaseActionRefused
from h2h.cases.stages import Stage
from h2h.lettings import offers
from h2h.lettings.models import Application, Bid, Hold, Offer, Property, Void
from h2h.lettings.offers import (
    hold_decide,
    hold_release,
    hold_request,
    offer_accept,
    offer_make,
    offer_refuse,
    offer_sign_up,
    offer_withdraw,
)
from tests.factories import make_case, make_org, make_user, service_org

pytestmark = pytest.mark.django_db

_n = itertools.count(1)


# ------------------------------------------------------------------------------------------------ builders

def make_property(**fields) -> Property:
    n = next(_n)
    values = {
        "ref": f"PROP{n:05d}", "landlord": service_org(), "address_line_1": f"{n} Offer Road", "town": "Nottingham",
        "postcode": "NG7 1AA", "property_type": valuesets.PropertyType.FLAT, "bedrooms": 1, "floor": 0,
        "weekly_rent": Decimal("95.50"),
    }
    values.update(fields)
    return Property.objects.create(**values)


def make_void(status: str = Void.Status.READY, *, home: Property | None = None, **fields) -> Void:
    today = timezone.localdate()
    values = {"empty_on": today - timedelta(days=30), "ready_on": today - timedelta(days=5), "status": status}
    if status == Void.Status.ADVERTISED:
        values.update(advert_opens_on=today - timedelta(days=3), advert_closes_on=today + timedelta(days=4))
    values.update(fields)
    return Void.objects.create(property=home or make_property(), **values)


def make_application(*, case=None, band: str = "C", status: str = Application.Status.LIVE, **fields) -> Application:
    n = next(_n)
    applied = timezone.localdate() - timedelta(days=100)
    values = {
        "reference": f"APP{n:06d}",
        "applicant_name": case.person.full_name if case else f"General Applicant{n}",
        "date_of_birth": date(1950, 1, 1),
        "band": band,
        "application_date": applied,
        "effective_date": applied,
        "status": status,
    }
    values.update(fields)
    return Application.objects.create(case=case, **values)


def h2h_application(*, hhc=None, band: str = "A", **fields) -> Application:
    """An H2H case at 'application live' with its live application."""
    case = make_case(Stage.APPLICATION_LIVE, assigned_to=hhc)
    return make_application(case=case, band=band, **fields)


def bid(void: Void, application: Application, by) -> Bid:
    return Bid.objects.create(void=void, application=application, placed_by=by)


@pytest.fixture
def staff():
    class Staff:
        hhc = make_user(Role.HHC)
        other_hhc = make_user(Role.HHC)
        manager = make_user(Role.HOUSING_MANAGER)
        lettings = make_user(Role.LETTINGS_OFFICER)
    return Staff


def approved_hold(void, application, staff) -> Hold:
    hold = hold_request(void=void, application=application, by=staff.hhc, reason="Only ground-floor flat near her carer")
    return hold_decide(hold=hold, by=staff.manager, approve=True, note="")


def refresh(*objects):
    for obj in objects:
        obj.refresh_from_db()


# ------------------------------------------------------------------------------------------------ the journey

def test_it_takes_a_case_from_a_hold_through_a_refusal_and_a_second_offer_to_a_tenancy(staff):
    mine = h2h_application(hhc=staff.hhc, band="A")
    held_home = make_void()

    hold = hold_request(void=held_home, application=mine, by=staff.hhc, reason="Ready for discharge; near family")
    refresh(held_home)
    assert hold.status == Hold.Status.REQUESTED and held_home.status == Void.Status.READY
    hold_decide(hold=hold, by=staff.manager, approve=True, note="Agreed")
    refresh(held_home)
    assert hold.status == Hold.Status.APPROVED and held_home.status == Void.Status.HELD

    direct = offer_make(void=held_home, application=mine, by=staff.hhc, kind=Offer.Kind.DIRECT,
                        viewing_on=timezone.localdate() + timedelta(days=2))
    refresh(held_home, mine.case)
    assert held_home.status == Void.Status.OFFERED and mine.case.stage == Stage.OFFER

    assert offer_refuse(offer=direct, by=staff.hhc, reason="Too far from her daughter") is None
    refresh(direct, held_home, hold, mine.case)
    assert direct.status == Offer.Status.REFUSED and direct.refusal_reason == "Too far from her daughter"
    assert hold.status == Hold.Status.RELEASED and held_home.status == Void.Status.READY
    assert mine.case.stage == Stage.APPLICATION_LIVE

    # Then a shortlist: she ranks first (band A), refuses, and the next bidder is offered automatically.
    advertised = make_void(Void.Status.ADVERTISED)
    second = h2h_application(hhc=staff.other_hhc, band="B")
    general = make_application(band="D")
    for application in (general, second, mine):
        bid(advertised, application, staff.lettings)
    first_offer = offer_make(void=advertised, application=mine, by=staff.lettings, kind=Offer.Kind.SHORTLIST)
    next_offer = offer_refuse(offer=first_offer, by=staff.hhc, reason="No lift to the flat")
    assert next_offer.application == second and next_offer.status == Offer.Status.OFFERED
    refresh(advertised, mine.case, second.case)
    assert advertised.status == Void.Status.OFFERED
    assert mine.case.stage == Stage.APPLICATION_LIVE and second.case.stage == Stage.OFFER

    offer_accept(offer=next_offer, by=staff.other_hhc)
    assert next_offer.status == Offer.Status.ACCEPTED

    # Offered five days ago, signed up three days ago: every date is the tenancy start, not today.
    five_days_ago = timezone.now() - timedelta(days=5)
    Offer.objects.filter(pk=next_offer.pk).update(made_at=five_days_ago)
    type(second.case).objects.filter(pk=second.case.pk).update(stage_changed_on=five_days_ago.date())
    start = timezone.localdate() - timedelta(days=3)
    offer_sign_up(offer=next_offer, by=staff.other_hhc, tenancy_start=start)

    refresh(advertised, second, second.case)
    assert next_offer.status == Offer.Status.SIGNED_UP and next_offer.tenancy_start == start
    assert advertised.status == Void.Status.LET and advertised.let_on == start
    assert second.status == Application.Status.HOUSED
    assert second.case.stage == Stage.TENANCY_START
    event = CaseEvent.objects.get(case=second.case, to_stage=Stage.TENANCY_START)
    assert event.on == start
    assert (event.on - second.case.referred_on).days == (start - second.case.referred_on).days


def test_it_offers_a_shortlist_home_only_to_the_next_in_line(staff):
    home = make_void(Void.Status.ADVERTISED)
    top, lower = make_application(band="A"), make_application(band="C")
    bid(home, lower, staff.lettings)
    bid(home, top, staff.lettings)
    with pytest.raises(CaseActionRefused, match="not next on the shortlist"):
        offer_make(void=home, application=lower, by=staff.lettings, kind=Offer.Kind.SHORTLIST)
    offer = offer_make(void=home, application=top, by=staff.lettings, kind=Offer.Kind.SHORTLIST)
    assert offer.kind == Offer.Kind.SHORTLIST


def test_it_passes_over_a_bidder_who_does_not_fit(staff):
    home = make_void(Void.Status.ADVERTISED, home=make_property(bedrooms=1))
    too_big = make_application(band="A", bedrooms_needed=3)
    fits = make_application(band="C")
    bid(home, too_big, staff.lettings)
    bid(home, fits, staff.lettings)
    assert offers.next_in_line(home)[0] == fits


def test_it_puts_the_home_back_to_advertised_when_nobody_is_left_to_offer(staff):
    home = make_void(Void.Status.ADVERTISED)
    only = make_application(band="B")
    bid(home, only, staff.lettings)
    offer = offer_make(void=home, application=only, by=staff.lettings, kind=Offer.Kind.SHORTLIST)
    assert offer_refuse(offer=offer, by=staff.lettings, reason="Wants a house") is None
    refresh(home)
    assert home.status == Void.Status.ADVERTISED


def test_it_passes_over_a_bidder_who_is_already_waiting_on_another_offer(staff):
    home, elsewhere = make_void(Void.Status.ADVERTISED), make_void(Void.Status.ADVERTISED)
    first, busy, free = make_application(band="A"), make_application(band="B"), make_application(band="C")
    for application in (first, busy, free):
        bid(home, application, staff.lettings)
    bid(elsewhere, busy, staff.lettings)
    offer_make(void=elsewhere, application=busy, by=staff.lettings, kind=Offer.Kind.SHORTLIST)
    offer = offer_make(void=home, application=first, by=staff.lettings, kind=Offer.Kind.SHORTLIST)
    assert offer_refuse(offer=offer, by=staff.lettings, reason="Declined").application == free


def test_it_withdraws_a_shortlist_offer_back_to_advertised_without_offering_the_next(staff):
    home = make_void(Void.Status.ADVERTISED)
    mine, other = h2h_application(hhc=staff.hhc), make_application(band="D")
    bid(home, mine, staff.hhc)
    bid(home, other, staff.lettings)
    offer = offer_make(void=home, application=mine, by=staff.hhc, kind=Offer.Kind.SHORTLIST)
    offer_withdraw(offer=offer, by=staff.lettings, reason="Failed the gas safety check")
    refresh(home, mine.case)
    assert offer.status == Offer.Status.WITHDRAWN and home.status == Void.Status.ADVERTISED
    assert mine.case.stage == Stage.APPLICATION_LIVE
    assert not Offer.objects.filter(void=home, status=Offer.Status.OFFERED).exists()


# ------------------------------------------------------------------------------------------------ holds

def test_it_keeps_the_manager_who_asked_for_a_hold_from_approving_it(staff):
    application = h2h_application(hhc=staff.hhc)
    home = make_void()
    # Someone who asked as a coordinator and now manages: the request is still theirs.
    hold = Hold.objects.create(void=home, application=application, reason="Near carer", requested_by=staff.manager)
    with pytest.raises(CaseActionRefused, match="another manager"):
        hold_decide(hold=hold, by=staff.manager, approve=True)
    refresh(hold, home)
    assert hold.status == Hold.Status.REQUESTED and home.status == Void.Status.READY


def test_it_lets_only_a_housing_manager_decide_a_hold(staff):
    hold = hold_request(void=make_void(), application=h2h_application(hhc=staff.hhc), by=staff.hhc, reason="Near carer")
    for user in (staff.hhc, staff.lettings, make_user(Role.PROJECT_MANAGER)):
        with pytest.raises(CaseActionRefused, match="housing manager"):
            hold_decide(hold=hold, by=user, approve=True)


def test_it_leaves_a_home_ready_when_the_hold_is_refused(staff):
    home = make_void()
    hold = hold_request(void=home, application=h2h_application(hhc=staff.hhc), by=staff.hhc, reason="Near carer")
    with pytest.raises(CaseActionRefused, match="why"):
        hold_decide(hold=hold, by=staff.manager, approve=False, note=" ")
    hold_decide(hold=hold, by=staff.manager, approve=False, note="Advertise it: high demand")
    refresh(home)
    assert hold.status == Hold.Status.REFUSED and home.status == Void.Status.READY


def test_it_needs_a_reason_and_a_ready_home_that_fits_to_ask_for_a_hold(staff):
    application = h2h_application(hhc=staff.hhc)
    with pytest.raises(CaseActionRefused, match="Enter why"):
        hold_request(void=make_void(), application=application, by=staff.hhc, reason="  ")
    with pytest.raises(CaseActionRefused, match="not yet advertised"):
        hold_request(void=make_void(Void.Status.ADVERTISED), application=application, by=staff.hhc, reason="x")
    upstairs = make_void(home=make_property(floor=3, has_lift=False))
    stepfree = h2h_application(hhc=staff.hhc, needs_step_free=True)
    with pytest.raises(CaseActionRefused, match="does not fit"):
        hold_request(void=upstairs, application=stepfree, by=staff.hhc, reason="x")
    with pytest.raises(CaseActionRefused, match="coordinator"):
        hold_request(void=make_void(), application=make_application(), by=staff.hhc, reason="General applicant")
    with pytest.raises(CaseActionRefused, match="coordinator"):
        hold_request(void=make_void(), application=application, by=staff.lettings, reason="x")


def test_it_holds_a_home_for_one_case_at_a_time(staff):
    home = make_void()
    hold_request(void=home, application=h2h_application(hhc=staff.hhc), by=staff.hhc, reason="First")
    with pytest.raises(CaseActionRefused, match="already has a hold"):
        hold_request(void=home, application=h2h_application(hhc=staff.hhc), by=staff.hhc, reason="Second")


def test_it_puts_a_released_home_back_to_ready(staff):
    home = make_void()
    hold = approved_hold(home, h2h_application(hhc=staff.hhc), staff)
    hold_release(hold=hold, by=staff.hhc, note="Person went into care")
    refresh(home)
    assert hold.status == Hold.Status.RELEASED and home.status == Void.Status.READY


# ------------------------------------------------------------------------------------------------ direct offers

def test_it_makes_a_direct_offer_only_for_the_case_the_home_is_held_for(staff):
    home = make_void()
    held_for, other = h2h_application(hhc=staff.hhc), h2h_application(hhc=staff.hhc)
    with pytest.raises(CaseActionRefused, match="held"):
        offer_make(void=home, application=held_for, by=staff.hhc, kind=Offer.Kind.DIRECT)
    approved_hold(home, held_for, staff)
    with pytest.raises(CaseActionRefused, match="held for this person"):
        offer_make(void=home, application=other, by=staff.hhc, kind=Offer.Kind.DIRECT)
    with pytest.raises(CaseActionRefused, match="coordinator"):
        offer_make(void=home, application=held_for, by=staff.lettings, kind=Offer.Kind.DIRECT)
    assert offer_make(void=home, application=held_for, by=staff.hhc, kind=Offer.Kind.DIRECT).kind == "direct"


def test_it_keeps_coordinators_to_h2h_cases(staff):
    home = make_void(Void.Status.ADVERTISED)
    general = make_application()
    bid(home, general, staff.lettings)
    with pytest.raises(CaseActionRefused, match="lettings officer"):
        offer_make(void=home, application=general, by=staff.hhc, kind=Offer.Kind.SHORTLIST)
    offer = offer_make(void=home, application=general, by=staff.lettings, kind=Offer.Kind.SHORTLIST)
    with pytest.raises(CaseActionRefused, match="lettings officer"):
        offer_accept(offer=offer, by=staff.hhc)


def test_it_refuses_staff_of_another_organisation(staff):
    outsider = make_user(Role.LETTINGS_OFFICER, organisation=make_org("OTHER"))
    home = make_void(Void.Status.ADVERTISED)
    general = make_application()
    bid(home, general, staff.lettings)
    with pytest.raises(CaseActionRefused):
        offer_make(void=home, application=general, by=outsider, kind=Offer.Kind.SHORTLIST)


# ------------------------------------------------------------------------------------------------ integrity

def shortlist_offer(staff, application=None, home=None) -> Offer:
    home = home or make_void(Void.Status.ADVERTISED)
    application = application or make_application()
    bid(home, application, staff.lettings)
    return offer_make(void=home, application=application, by=staff.lettings, kind=Offer.Kind.SHORTLIST)


def test_it_lets_a_property_at_most_once(staff):
    offer = shortlist_offer(staff)
    offer_accept(offer=offer, by=staff.lettings)
    offer_sign_up(offer=offer, by=staff.lettings, tenancy_start=timezone.localdate())
    late = make_application(band="A")
    bid(offer.void, late, staff.lettings)
    with pytest.raises(CaseActionRefused, match="already been let"):
        offer_make(void=offer.void, application=late, by=staff.lettings, kind=Offer.Kind.SHORTLIST)
    with pytest.raises(CaseActionRefused, match="can no longer be accepted: it is signed up"):
        offer_accept(offer=offer, by=staff.lettings)
    with pytest.raises(CaseActionRefused, match="accepted offer"):
        offer_sign_up(offer=offer, by=staff.lettings, tenancy_start=timezone.localdate())
    # And below the services, the database refuses a second live offer on the home.
    with pytest.raises(IntegrityError), transaction.atomic():
        Offer.objects.create(void=offer.void, application=late, kind=Offer.Kind.SHORTLIST,
                             status=Offer.Status.ACCEPTED, made_by=staff.lettings)


def test_it_lets_a_person_hold_at_most_one_accepted_offer(staff):
    person = make_application()
    first_home, second_home = make_void(Void.Status.OFFERED), make_void(Void.Status.OFFERED)
    Offer.objects.create(void=first_home, application=person, kind=Offer.Kind.SHORTLIST,
                         status=Offer.Status.ACCEPTED, made_by=staff.lettings)
    second = Offer.objects.create(void=second_home, application=person, kind=Offer.Kind.SHORTLIST,
                                  made_by=staff.lettings)
    with pytest.raises(CaseActionRefused, match="already accepted another home"):
        offer_accept(offer=second, by=staff.lettings)
    refresh(second)
    assert second.status == Offer.Status.OFFERED


def test_it_turns_a_constraint_violation_into_a_clear_refusal(staff, monkeypatch):
    """The row locks and checks normally stop a second acceptance; if they ever missed one, the database
    constraint still does, and the user gets a message rather than a server error."""
    person = make_application()
    Offer.objects.create(void=make_void(Void.Status.OFFERED), application=person, kind=Offer.Kind.SHORTLIST,
                         status=Offer.Status.ACCEPTED, made_by=staff.lettings)
    second = Offer.objects.create(void=make_void(Void.Status.OFFERED), application=person,
                                  kind=Offer.Kind.SHORTLIST, made_by=staff.lettings)
    monkeypatch.setattr(offers, "_accept_refusal", lambda void, application, offer: None)
    with pytest.raises(CaseActionRefused, match="already accepted another home"):
        offer_accept(offer=second, by=staff.lettings)
    assert Offer.objects.filter(application=person, status=Offer.Status.ACCEPTED).count() == 1


@pytest.mark.parametrize("status", [Offer.Status.REFUSED, Offer.Status.WITHDRAWN, Offer.Status.SIGNED_UP])
def test_it_refuses_to_accept_a_closed_offer(staff, status):
    offer = Offer.objects.create(void=make_void(Void.Status.ADVERTISED), application=make_application(),
                                 kind=Offer.Kind.SHORTLIST, status=status, made_by=staff.lettings)
    with pytest.raises(CaseActionRefused, match="can no longer be accepted"):
        offer_accept(offer=offer, by=staff.lettings)


def test_it_says_an_offer_is_already_accepted(staff):
    offer = shortlist_offer(staff)
    offer_accept(offer=offer, by=staff.lettings)
    with pytest.raises(CaseActionRefused, match="already been accepted"):
        offer_accept(offer=offer, by=make_user(Role.LETTINGS_OFFICER))


def test_it_needs_a_reason_to_record_a_refusal(staff):
    offer = shortlist_offer(staff)
    with pytest.raises(CaseActionRefused, match="Enter why"):
        offer_refuse(offer=offer, by=staff.lettings, reason="   ")
    refresh(offer)
    assert offer.status == Offer.Status.OFFERED


# ------------------------------------------------------------------------------------------------ sign-up

def test_it_signs_up_only_an_accepted_offer_on_a_past_date_after_the_offer(staff):
    offer = shortlist_offer(staff)
    today = timezone.localdate()
    with pytest.raises(CaseActionRefused, match="accepted offer"):
        offer_sign_up(offer=offer, by=staff.lettings, tenancy_start=today)
    offer_accept(offer=offer, by=staff.lettings)
    with pytest.raises(CaseActionRefused, match="future"):
        offer_sign_up(offer=offer, by=staff.lettings, tenancy_start=today + timedelta(days=1))
    with pytest.raises(CaseActionRefused, match="before the offer"):
        offer_sign_up(offer=offer, by=staff.lettings, tenancy_start=today - timedelta(days=1))
    offer_sign_up(offer=offer, by=staff.lettings, tenancy_start=today)
    assert offer.status == Offer.Status.SIGNED_UP


def test_it_withdraws_a_housed_persons_other_bids(staff):
    person = make_application()
    elsewhere = make_void(Void.Status.ADVERTISED)
    other_bid = bid(elsewhere, person, staff.lettings)
    offer = shortlist_offer(staff, application=person)
    offer_accept(offer=offer, by=staff.lettings)
    offer_sign_up(offer=offer, by=staff.lettings, tenancy_start=timezone.localdate())
    refresh(other_bid)
    assert other_bid.withdrawn
