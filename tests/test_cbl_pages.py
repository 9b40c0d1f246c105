"""The Choice-Based Lettings pages: who may see them, what they show, placing bids, and the audit trail."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from h2h.accounts.roles import Role
from h2h.audit.models import AuditEvent
from h2h.lettings.models import Bid, Void
from tests.factories import make_org, make_user
from tests.test_shortlist import bid_for, make_application, make_void

pytestmark = pytest.mark.django_db


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def register(today):
    """An advertised ground-floor flat, a live H2H case that fits it and a general applicant on its shortlist,
    one bidder left out, and a ready void waiting for the cycle."""
    void = make_void(on=today, lettings_area="Aspley", bedrooms=1)
    h2h = make_application("H2H-APP-1", h2h=True, band="A", preferred_areas=["Aspley"])
    general = make_application("GN-1", band="B", applicant_name="Gina General")
    too_young = make_application("GN-YOUNG", band="A", bedrooms_needed=3)
    bid_for(void, general, too_young)
    ready = make_void(status=Void.Status.READY, on=today, ref="READY-1")
    return {"void": void, "h2h": h2h, "case": h2h.case, "general": general, "ready": ready}


def pages(register):
    return [
        reverse("lettings:cycle"),
        reverse("lettings:void-shortlist", args=[register["void"].pk]),
        reverse("lettings:case-matching", args=[register["case"].pk]),
    ]


@pytest.mark.parametrize("role", [Role.REFERRER, Role.COMMISSIONER, Role.EVALUATOR, Role.ADMINISTRATOR])
def test_people_outside_lettings_get_not_found(client, register, role):
    client.force_login(make_user(role))
    for url in pages(register):
        assert client.get(url).status_code == 404
    response = client.post(
        reverse("lettings:bid-place"), {"void": register["void"].pk, "application": register["h2h"].pk}
    )
    assert response.status_code == 404
    assert not Bid.objects.filter(application=register["h2h"]).exists()


def test_staff_of_another_organisation_get_not_found(client, register):
    other = make_org("OTHER", kind="housing_provider")
    for role in (Role.HHC, Role.LETTINGS_OFFICER):
        client.force_login(make_user(role, organisation=other))
        for url in pages(register):
            assert client.get(url).status_code == 404


def test_signing_in_is_needed(client, register):
    response = client.get(pages(register)[1])
    assert response.status_code == 302 and reverse("login") in response.url


def test_a_coordinator_sees_the_shortlist_with_names_reasons_and_the_cases_that_fit(client, register):
    client.force_login(make_user(Role.HHC))
    response = client.get(reverse("lettings:void-shortlist", args=[register["void"].pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Gina General" in html and "GN-1" in html
    assert "Too few bedrooms: needs 3, the home has 1" in html
    case = register["case"]
    assert case.person.full_name in html and "Would be 1 with a bid" in html
    assert reverse("lettings:case-matching", args=[case.pk]) in html
    event = AuditEvent.objects.get(object_type="void")
    assert event.action == AuditEvent.Action.LIST and "1 ranked, 1 left out, 1 H2H cases" in event.summary


def test_a_lettings_officer_sees_references_not_names(client, register):
    client.force_login(make_user(Role.LETTINGS_OFFICER))
    html = client.get(reverse("lettings:void-shortlist", args=[register["void"].pk])).content.decode()
    assert "GN-1" in html and "H2H-APP-1" in html
    assert "Gina General" not in html and register["case"].person.full_name not in html
    assert "Bid for a general-needs applicant" in html
    assert reverse("lettings:offer-make", args=[register["void"].pk]) in html


def test_a_lettings_officer_runs_the_cycle(client, register, today):
    client.force_login(make_user(Role.LETTINGS_OFFICER))
    html = client.get(reverse("lettings:cycle")).content.decode()
    assert "READY-1" in html and "Advertise 1 home from today" in html
    response = client.post(reverse("lettings:cycle"), follow=True)
    assert "1 home advertised" in response.content.decode()
    register["ready"].refresh_from_db()
    assert register["ready"].status == Void.Status.ADVERTISED and register["ready"].advert_opens_on == today


def test_a_coordinator_sees_the_cycle_but_cannot_run_it(client, register):
    client.force_login(make_user(Role.HHC))
    html = client.get(reverse("lettings:cycle")).content.decode()
    assert "READY-1" in html and "Advertise" not in html
    assert client.post(reverse("lettings:cycle")).status_code == 404
    register["ready"].refresh_from_db()
    assert register["ready"].status == Void.Status.READY


def test_the_matching_page_shows_the_homes_and_is_audited(client, register):
    client.force_login(make_user(Role.HHC))
    case = register["case"]
    unfit = make_void(min_age=99, ref="TOO-OLD")
    response = client.get(reverse("lettings:case-matching", args=[case.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert register["void"].property.ref in html and "Would be 1" in html and "Place bid" in html
    assert "TOO-OLD" in html and "Age restriction 99+" in html and unfit.pk
    hold = reverse("lettings:hold-request", args=[register["ready"].pk])
    assert f"{hold}?application={register['h2h'].pk}" in html
    event = AuditEvent.objects.get(object_type="case")
    assert (event.action, event.person_id, event.object_id) == (
        AuditEvent.Action.VIEW,
        case.person_id,
        str(case.pk),
    )


def test_the_matching_page_is_for_service_staff_only(client, register):
    client.force_login(make_user(Role.LETTINGS_OFFICER))
    assert client.get(reverse("lettings:case-matching", args=[register["case"].pk])).status_code == 404


def test_the_matching_page_pages_through_a_long_list(client, register, today):
    for _ in range(15):
        make_void(on=today, bedrooms=1)
    client.force_login(make_user(Role.HHC))
    url = reverse("lettings:case-matching", args=[register["case"].pk])
    first = client.get(url).content.decode()
    # 15 new voids, the advertised flat and the ready void: 10 on the first page, 7 on the second, where the
    # ready void comes last (not advertised, so no place).
    assert "Homes that fit (17)" in first and "2 of 2" in first and first.count("Would be") == 10
    second = client.get(url + "?page=2").content.decode()
    assert second.count("Would be") == 6 and "1 of 2" in second and "Ready, not yet advertised" in second


def test_a_coordinator_bids_from_the_matching_page_and_the_bid_is_audited(client, register):
    client.force_login(make_user(Role.HHC))
    matching = reverse("lettings:case-matching", args=[register["case"].pk])
    data = {"void": register["void"].pk, "application": register["h2h"].pk, "next": matching}
    response = client.post(reverse("lettings:bid-place"), data)
    assert response.status_code == 302 and response.url == matching
    bid = Bid.objects.get(application=register["h2h"])
    event = AuditEvent.objects.get(object_type="bid")
    assert (event.action, event.person_id, event.object_id) == (
        AuditEvent.Action.CREATE,
        register["case"].person_id,
        str(bid.pk),
    )
    html = client.get(matching).content.decode()
    assert "Bid placed" in html and "Withdraw bid" in html
    again = client.post(reverse("lettings:bid-place"), data, follow=True).content.decode()
    assert "Bid not placed: H2H-APP-1 already has a bid" in again
    assert Bid.objects.filter(application=register["h2h"]).count() == 1
    client.post(reverse("lettings:bid-withdraw", args=[bid.pk]), {"next": matching})
    bid.refresh_from_db()
    assert bid.withdrawn


def test_a_lettings_officer_bids_for_a_general_applicant_by_reference(client, register):
    client.force_login(make_user(Role.LETTINGS_OFFICER))
    newcomer = make_application("GN-NEW")
    shortlist_url = reverse("lettings:void-shortlist", args=[register["void"].pk])
    response = client.post(
        reverse("lettings:bid-place"),
        {"void": register["void"].pk, "reference": "gn-new", "next": shortlist_url},
        follow=True,
    )
    assert "Bid placed for GN-NEW" in response.content.decode()
    assert Bid.objects.filter(application=newcomer).exists()
    unknown = client.post(
        reverse("lettings:bid-place"), {"void": register["void"].pk, "reference": "GN-NONE"}, follow=True
    ).content.decode()
    assert "no application with the reference GN-NONE" in unknown
    refused = client.post(
        reverse("lettings:bid-place"),
        {"void": register["void"].pk, "application": register["h2h"].pk},
        follow=True,
    )
    assert "placed by a coordinator or project manager" in refused.content.decode()


def test_a_bid_after_the_closing_date_is_refused_with_a_message(client, register, today):
    void = register["void"]
    Void.objects.filter(pk=void.pk).update(advert_closes_on=today - timedelta(days=1))
    client.force_login(make_user(Role.HHC))
    response = client.post(
        reverse("lettings:bid-place"), {"void": void.pk, "application": register["h2h"].pk}, follow=True
    )
    assert response.status_code == 200
    assert (
        "Bid not placed: Bids for" in response.content.decode() and "closed on" in response.content.decode()
    )


def test_an_offsite_next_address_is_ignored(client, register):
    client.force_login(make_user(Role.HHC))
    response = client.post(
        reverse("lettings:bid-place"),
        {"void": register["void"].pk, "application": register["h2h"].pk, "next": "https://example.com/"},
    )
    assert response.url == reverse("lettings:void-shortlist", args=[register["void"].pk])


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        from django.db import transaction

        from h2h.demo.generate import generate

        with transaction.atomic():
            generate(seed=7, referrals=120)
            yield
            transaction.set_rollback(True)


def test_the_pages_render_on_demo_data(demo, client):
    from h2h.accounts.models import User
    from h2h.lettings.models import Application

    voids = Void.objects.exclude(status=Void.Status.LET)
    cases = Application.objects.filter(status="live", case__isnull=False).values_list("case_id", flat=True)
    assert voids.exists() and cases
    for username in ("hhc", "lettings"):
        client.force_login(User.objects.get(username=username))
        assert client.get(reverse("lettings:cycle")).status_code == 200
        for void in voids:
            assert client.get(reverse("lettings:void-shortlist", args=[void.pk])).status_code == 200
    client.force_login(User.objects.get(username="hhc"))
    for case_id in cases:
        assert client.get(reverse("lettings:case-matching", args=[case_id])).status_code == 200
