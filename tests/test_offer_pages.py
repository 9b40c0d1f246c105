"""The hold and offer pages: who sees them, what a mistake looks like, and what each visit leaves in the audit."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from h2h.accounts.roles import Role
from h2h.audit.models import AuditEvent
from h2h.cases.models import Case
from h2h.cases.stages import Stage
from h2h.lettings.models import Hold, Offer, Void
from h2h.lettings.offers import hold_decide, hold_request, offer_accept, offer_make
from tests.factories import make_case, make_org, make_user
from tests.test_offers import bid, h2h_application, make_application, make_void

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    class Staff:
        hhc = make_user(Role.HHC)
        manager = make_user(Role.HOUSING_MANAGER)
        lettings = make_user(Role.LETTINGS_OFFICER)
    return Staff


def signed_in(client, user):
    client.force_login(user)
    return client


def held_home(staff, application):
    home = make_void()
    hold = hold_request(void=home, application=application, by=staff.hhc, reason="Near her carer")
    hold_decide(hold=hold, by=staff.manager, approve=True)
    home.refresh_from_db()
    return home, hold


def an_offer(staff, application=None):
    home = make_void(Void.Status.ADVERTISED)
    application = application or h2h_application(hhc=staff.hhc)
    bid(home, application, staff.lettings)
    return offer_make(void=home, application=application, by=staff.lettings, kind=Offer.Kind.SHORTLIST)


def date_fields(name, day):
    return {f"{name}_day": day.day, f"{name}_month": day.month, f"{name}_year": day.year}


# ------------------------------------------------------------------------------------------------ holds

def test_it_lets_a_coordinator_ask_to_hold_a_home_and_keeps_their_choice_when_the_reason_is_missing(client, staff):
    application = h2h_application(hhc=staff.hhc)
    home = make_void()
    signed_in(client, staff.hhc)
    url = reverse("lettings:hold-request", args=[home.pk])
    page = client.get(url, {"application": application.pk})
    assert page.status_code == 200 and application.case.person.full_name in page.content.decode()

    page = client.post(url, {"application": application.pk, "reason": ""})
    body = page.content.decode()
    assert page.status_code == 200 and "There is a problem" in body and "Enter why the home should be held" in body
    assert f'value="{application.pk}" selected' in body

    page = client.post(url, {"application": application.pk, "reason": "Ground floor, near her carer"})
    hold = Hold.objects.get(void=home)
    assert page.status_code == 302 and page.url == reverse("lettings:hold-decide", args=[hold.pk])
    assert AuditEvent.objects.filter(action="create", object_type="hold", person_id=application.case.person_id).exists()


def test_it_shows_the_manager_the_queue_and_records_the_decision(client, staff):
    application = h2h_application(hhc=staff.hhc)
    home = make_void()
    hold = hold_request(void=home, application=application, by=staff.hhc, reason="Near her carer")
    signed_in(client, staff.manager)
    queue = client.get(reverse("lettings:holds"))
    assert queue.status_code == 200 and application.case.person.full_name in queue.content.decode()

    url = reverse("lettings:hold-decide", args=[hold.pk])
    page = client.post(url, {"decision": "refuse", "note": ""})
    body = page.content.decode()
    assert "Enter why the request is refused" in body and 'value="refuse" checked' in body

    page = client.post(url, {"decision": "approve", "note": ""})
    assert page.status_code == 302
    home.refresh_from_db()
    assert home.status == Void.Status.HELD


def test_it_tells_a_manager_who_asked_for_a_hold_that_another_must_decide(client, staff):
    application = h2h_application(hhc=staff.hhc)
    hold = Hold.objects.create(void=make_void(), application=application, reason="Mine", requested_by=staff.manager)
    signed_in(client, staff.manager)
    page = client.get(reverse("lettings:hold-decide", args=[hold.pk]))
    assert "another housing manager must decide it" in page.content.decode()
    page = client.post(reverse("lettings:hold-decide", args=[hold.pk]), {"decision": "approve"})
    assert "another manager must decide it" in page.content.decode()
    hold.refresh_from_db()
    assert hold.status == Hold.Status.REQUESTED


# ------------------------------------------------------------------------------------------------ offers

def test_it_makes_a_direct_offer_with_a_viewing_date(client, staff):
    application = h2h_application(hhc=staff.hhc)
    home, _ = held_home(staff, application)
    signed_in(client, staff.hhc)
    url = reverse("lettings:offer-make", args=[home.pk])
    page = client.get(url)
    assert "Make a direct offer" in page.content.decode()
    viewing = timezone.localdate() + timedelta(days=3)
    page = client.post(url, {"application": application.pk, **date_fields("viewing_on", viewing)})
    offer = Offer.objects.get(void=home)
    assert page.status_code == 302 and offer.kind == Offer.Kind.DIRECT and offer.viewing_on == viewing
    application.case.refresh_from_db()
    assert application.case.stage == Stage.OFFER


def test_it_shows_the_lettings_officer_who_is_next_on_the_shortlist(client, staff):
    home = make_void(Void.Status.ADVERTISED)
    top, lower = make_application(band="A", applicant_name="Top Bidder"), make_application(band="D")
    bid(home, lower, staff.lettings)
    bid(home, top, staff.lettings)
    signed_in(client, staff.lettings)
    page = client.get(reverse("lettings:offer-make", args=[home.pk]))
    body = page.content.decode()
    assert "Top Bidder" in body and "Number 1 on the shortlist" in body
    # Someone lower down, posted by hand, is refused with the reason on the page.
    page = client.post(reverse("lettings:offer-make", args=[home.pk]), {"application": lower.pk})
    assert page.status_code == 200 and "not next on the shortlist" in page.content.decode()


def test_it_rerenders_a_refusal_without_a_reason_with_an_error_summary(client, staff):
    offer = an_offer(staff)
    signed_in(client, staff.hhc)
    page = client.post(reverse("lettings:offer-refuse", args=[offer.pk]), {"reason": "  "})
    body = page.content.decode()
    assert page.status_code == 200
    assert "There is a problem" in body and '<a href="#id_reason">Enter why the offer was refused</a>' in body
    offer.refresh_from_db()
    assert offer.status == Offer.Status.OFFERED


def test_it_offers_the_next_bidder_when_a_refusal_is_recorded(client, staff):
    offer = an_offer(staff)
    runner_up = make_application(band="D", applicant_name="Runner Up")
    bid(offer.void, runner_up, staff.lettings)
    signed_in(client, staff.hhc)
    page = client.post(reverse("lettings:offer-refuse", args=[offer.pk]), {"reason": "Too far from family"},
                       follow=True)
    assert "offered to the next person on the shortlist, Runner Up" in page.content.decode()
    assert Offer.objects.get(void=offer.void, status=Offer.Status.OFFERED).application == runner_up


def test_it_shows_a_clear_message_when_the_offer_was_already_accepted(client, staff):
    offer = an_offer(staff)
    offer_accept(offer=offer, by=staff.lettings)
    signed_in(client, staff.hhc)
    page = client.post(reverse("lettings:offer-accept", args=[offer.pk]))
    assert page.status_code == 409 and "This offer has already been accepted." in page.content.decode()


def test_it_records_the_sign_up_and_keeps_a_wrong_date_as_typed(client, staff):
    offer = an_offer(staff)
    offer_accept(offer=offer, by=staff.lettings)
    signed_in(client, staff.hhc)
    url = reverse("lettings:offer-sign-up", args=[offer.pk])
    page = client.post(url, {"tenancy_start_day": "31", "tenancy_start_month": "2", "tenancy_start_year": "2026"})
    body = page.content.decode()
    assert "Tenancy start date must be a real date" in body and 'value="31"' in body

    today = timezone.localdate()
    page = client.post(url, date_fields("tenancy_start", today))
    assert page.status_code == 302
    case = Case.objects.get(pk=offer.application.case_id)
    assert case.stage == Stage.TENANCY_START and case.events.get(to_stage=Stage.TENANCY_START).on == today


def test_it_audits_a_view_of_an_h2h_offer_with_the_person(client, staff):
    offer = an_offer(staff)
    signed_in(client, staff.lettings)
    assert client.get(reverse("lettings:offer-detail", args=[offer.pk])).status_code == 200
    assert client.get(reverse("lettings:offer-list")).status_code == 200
    viewed = AuditEvent.objects.get(action="view", object_type="offer")
    assert viewed.person_id == offer.application.case.person_id


# ------------------------------------------------------------------------------------------------ access

@pytest.mark.parametrize("role", [Role.LETTINGS_OFFICER, Role.HHC, Role.HOUSING_MANAGER])
def test_it_gives_staff_of_other_organisations_not_found(client, staff, role):
    offer = an_offer(staff)
    hold = Hold.objects.create(void=make_void(), application=h2h_application(), reason="x", requested_by=staff.hhc)
    signed_in(client, make_user(role, organisation=make_org("PARTNER")))
    for url in (
        reverse("lettings:offer-detail", args=[offer.pk]),
        reverse("lettings:offer-list"),
        reverse("lettings:holds"),
        reverse("lettings:hold-decide", args=[hold.pk]),
        reverse("lettings:offer-make", args=[offer.void.pk]),
        reverse("lettings:hold-request", args=[hold.void.pk]),
        reverse("lettings:offer-refuse", args=[offer.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("lettings:offer-accept", args=[offer.pk])).status_code == 404


def test_it_gives_roles_outside_lettings_not_found(client, staff):
    offer = an_offer(staff)
    for role in (Role.REFERRER, Role.COMMISSIONER, Role.EVALUATOR, Role.ADMINISTRATOR):
        signed_in(client, make_user(role))
        assert client.get(reverse("lettings:offer-detail", args=[offer.pk])).status_code == 404, role


def test_it_hides_another_services_cases(client, staff):
    elsewhere = make_case(Stage.APPLICATION_LIVE, service=make_org("OTHERSERVICE"))
    offer = Offer.objects.create(void=make_void(Void.Status.OFFERED), application=make_application(case=elsewhere),
                                 kind=Offer.Kind.SHORTLIST, made_by=staff.lettings)
    signed_in(client, staff.lettings)
    assert client.get(reverse("lettings:offer-detail", args=[offer.pk])).status_code == 404


def test_it_keeps_the_decision_form_from_anyone_but_a_housing_manager(client, staff):
    hold = hold_request(void=make_void(), application=h2h_application(hhc=staff.hhc), by=staff.hhc, reason="x")
    signed_in(client, staff.lettings)
    page = client.get(reverse("lettings:hold-decide", args=[hold.pk]))
    assert page.status_code == 200 and "Save the decision" not in page.content.decode()
    assert client.post(reverse("lettings:hold-decide", args=[hold.pk]), {"decision": "approve"}).status_code == 404
