"""Issue 3's journey in Chromium: an H2H case goes from its fast-track application, through the housing
manager's sign-off, a bid and a shortlist offer, a refusal (the next bidder is offered the home), a hold and a
direct offer, to a tenancy start date.

Coordinator (HHC), housing manager and lettings officer each work in their own browser; the coordinator
records the refusal and the sign-up on a phone. Where a page has no link to the next page of the journey yet,
the test goes there by its address and says so in a comment.
"""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from h2h.accounts.models import Organisation, User
from h2h.accounts.roles import Role
from h2h.area import valuesets
from h2h.area.config import get_area
from h2h.cases.stages import Stage
from h2h.lettings.models import Application, Bid, Offer, Property, Void
from tests.factories import make_case, make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-password"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def lettings_world(transactional_db):
    """Staff of the service, a case at 'first visit done' (in her seventies, in an acute bed: band A), an
    advertised home with one general-needs bidder (band C), and a ready home that is not advertised."""
    today = timezone.localdate()
    nch = Organisation.objects.create(code=get_area().service_organisation, name="Nottingham City Homes",
                                      kind=Organisation.Kind.HOUSING_PROVIDER)
    partner = Organisation.objects.create(code="MHA", name="Meadow Housing Association",
                                          kind=Organisation.Kind.PARTNER_LANDLORD)

    def staff(username, role, first, last):
        return User.objects.create_user(username, password=PASSWORD, role=role, organisation=nch,
                                        first_name=first, last_name=last)

    hhc = staff("alice", Role.HHC, "Alice", "Moss")
    staff("harriet", Role.HOUSING_MANAGER, "Harriet", "Okafor")
    lettings = staff("leo", Role.LETTINGS_OFFICER, "Leo", "Grant")

    person = make_person(first_name="Edna", last_name="Lettingsworth", nhs_number="",
                         date_of_birth=date(today.year - 75, 1, 1))
    case = make_case(Stage.FIRST_VISIT, service=nch, person=person, assigned_to=hhc, cohort="older_people")

    def home(ref, address, landlord, **fields):
        return Property.objects.create(ref=ref, landlord=landlord, address_line_1=address, town="Nottingham",
                                       postcode="NG3 2AB", lettings_area="Sneinton", bedrooms=1, floor=0,
                                       weekly_rent=Decimal("92.40"), **fields)

    advertised = Void.objects.create(
        property=home("BRW-0001", "4 Bluebell Court", partner, property_type=valuesets.PropertyType.FLAT),
        empty_on=today - timedelta(days=21), ready_on=today - timedelta(days=2),
        status=Void.Status.ADVERTISED, advert_opens_on=today, advert_closes_on=today + timedelta(days=7))
    ready = Void.objects.create(
        property=home("BRW-0002", "9 Willow Lodge", nch, min_age=60, level_access_shower=True,
                      property_type=valuesets.PropertyType.INDEPENDENT_LIVING_FLAT),
        empty_on=today - timedelta(days=14), ready_on=today - timedelta(days=1), status=Void.Status.READY)

    general = Application.objects.create(
        reference="GN-40012", applicant_name="Gary General", date_of_birth=date(1981, 6, 2), household_size=1,
        bedrooms_needed=1, band="C", application_date=today - timedelta(days=200),
        effective_date=today - timedelta(days=200), status=Application.Status.LIVE)
    Bid.objects.create(void=advertised, application=general, placed_by=lettings)
    return {"case": case, "advertised": advertised, "ready": ready, "general": general}


def sign_in(browser, base, username, viewport=DESKTOP):
    page = browser.new_context(viewport=viewport).new_page()
    page.goto(base + "/sign-in/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("main")).to_be_visible()
    return page


def nav(page, label):
    """Follow a link in the service navigation, opening the menu first where a phone shows it collapsed."""
    toggle = page.locator(".govuk-service-navigation__toggle")
    if toggle.is_visible():
        toggle.click()
    page.locator(".govuk-service-navigation__list").get_by_role("link", name=label).click()


def no_sideways_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def fill_date(page, name, day):
    page.fill(f"#id_{name}_day", str(day.day))
    page.fill(f"#id_{name}_month", str(day.month))
    page.fill(f"#id_{name}_year", str(day.year))


def success(page):
    return page.locator(".govuk-notification-banner--success")


def test_it_takes_a_case_from_its_application_to_a_tenancy_start_date(live_server, browser, lettings_world):
    base = live_server.url
    case, advertised, ready = lettings_world["case"], lettings_world["advertised"], lettings_world["ready"]
    today = timezone.localdate()

    # 1. The coordinator starts the fast-track application from the case page and sends it for sign-off.
    hhc = sign_in(browser, base, "alice")
    expect(hhc.get_by_role("heading", level=1)).to_have_text("My caseload")
    hhc.get_by_role("link", name="Edna Lettingsworth").click()
    expect(hhc.locator("main")).to_contain_text("First visit done")
    hhc.get_by_role("link", name="Start the fast-track application").click()
    expect(hhc.locator("#id_household_size")).to_have_value("1")
    hhc.get_by_label("Ground floor or a lift: cannot manage stairs").check()
    hhc.fill("#id_medical_evidence", "COPD and a fall at home; cannot manage the stairs to her bathroom. "
                                     "Letter from Dr Shah, respiratory consultant, this month.")
    hhc.get_by_role("button", name="Save and continue").click()
    expect(hhc.get_by_role("heading", level=1)).to_have_text(
        "Check the application before sending it for sign-off")
    expect(hhc.locator("main")).to_contain_text("Ground floor or a lift")
    hhc.get_by_role("button", name="Send for sign-off").click()
    expect(success(hhc)).to_contain_text("Application sent to the housing manager for sign-off")
    expect(hhc.locator("main")).to_contain_text("Waiting for sign-off")

    # 2. The housing manager signs it off from the queue: the case is "Application live".
    manager = sign_in(browser, base, "harriet")
    expect(manager.get_by_role("heading", level=1)).to_have_text("Applications waiting for sign-off")
    manager.get_by_role("link", name="Edna Lettingsworth").click()
    manager.get_by_label("Approve: the application goes live today").check()
    manager.get_by_role("button", name="Save decision").click()
    expect(success(manager)).to_contain_text("Edna Lettingsworth's application is live")
    nav(hhc, "My caseload")
    hhc.get_by_role("link", name="Edna Lettingsworth").click()
    expect(hhc.locator("main .govuk-tag").first).to_have_text("Application live")
    expect(hhc.locator("main")).to_contain_text("Band A")

    # 3. The coordinator bids for the advertised home from the case's matching page.
    # No link from the case page to its matching page yet (templates/lettings/applications/_case_panel.html).
    hhc.goto(base + reverse("lettings:case-matching", args=[case.pk]))
    expect(hhc.get_by_role("heading", level=1)).to_have_text("Homes that match")
    hhc.get_by_role("button", name="Place bid for BRW-0001").click()
    expect(success(hhc)).to_contain_text("Bid placed for")
    bids = hhc.locator("table", has=hhc.locator("caption", has_text="Homes bid on"))
    # First on the shortlist: band A (an acute bed) ranks ahead of the general-needs bidder in band C.
    expect(bids.locator("tr", has_text="BRW-0001").locator("td").nth(2)).to_have_text("1")

    # 4. The lettings officer offers the home to the top of its shortlist: the H2H case, ahead of band C.
    officer = sign_in(browser, base, "leo")
    # The lettings cycle page is not in the navigation yet (h2h/lib/context_processors.py), nor linked from
    # the voids pages.
    officer.goto(base + reverse("lettings:cycle"))
    officer.get_by_role("link", name="BRW-0001 shortlist").click()
    shortlist = officer.locator("table", has=officer.locator("caption", has_text="Shortlist in order"))
    rows = shortlist.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text(f"H2H-APP-{case.pk}")
    expect(rows.nth(1)).to_contain_text("GN-40012")
    # The shortlist page has no link to make the offer yet (templates/lettings/cbl/shortlist.html).
    officer.goto(base + reverse("lettings:offer-make", args=[advertised.pk]))
    expect(officer.get_by_role("heading", level=1)).to_have_text(
        "Offer this home to the next on the shortlist")
    expect(officer.locator("main")).to_contain_text("Edna Lettingsworth")
    expect(officer.locator("main")).to_contain_text("Number 1 on the shortlist")
    officer.get_by_role("button", name="Make the offer").click()
    expect(success(officer)).to_contain_text("offered to Edna Lettingsworth")

    # 5. On a phone, the coordinator records the refusal; the next on the shortlist is offered the home.
    phone = sign_in(browser, base, "alice", viewport=PHONE)
    nav(phone, "Offers")
    phone.get_by_role("link", name=re.compile("4 Bluebell Court")).click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Offer to Edna Lettingsworth")
    phone.get_by_role("link", name="Record a refusal").click()
    phone.get_by_role("button", name="Record the refusal").click()
    expect(phone.locator(".govuk-error-summary")).to_contain_text("Enter why the offer was refused")
    assert no_sideways_scroll(phone)
    phone.fill("#id_reason", "She wants to stay near her daughter in Sneinton; this flat is too far from "
                             "her.")
    phone.get_by_role("button", name="Record the refusal").click()
    expect(success(phone)).to_contain_text("offered to the next person on the shortlist, Gary General")
    expect(phone.locator("main")).to_contain_text("Refused")
    expect(phone.locator("main")).to_contain_text("too far from her")
    expect(phone.locator("main li", has_text="Gary General")).to_contain_text("Offered")
    assert no_sideways_scroll(phone)

    # 6. The coordinator asks to hold the ready home, the manager approves, and the coordinator offers it
    # directly. No page links to the request to hold a home yet (e.g. the matching page's "ready, not yet
    # advertised" rows).
    hhc.goto(base + reverse("lettings:hold-request", args=[ready.pk]) + f"?application={case.application.pk}")
    expect(hhc.get_by_role("heading", level=1)).to_have_text("Ask to hold this home for a direct offer")
    hhc.fill("#id_reason", "Ground floor with a level-access shower, close to her daughter; she is ready "
                           "to leave hospital now.")
    hhc.get_by_role("button", name="Send the request").click()
    expect(success(hhc)).to_contain_text("Request sent to the housing manager")

    nav(manager, "Holds to decide")
    manager.get_by_role("link", name="Edna Lettingsworth").click()
    manager.get_by_label("Approve: hold the home").check()
    manager.get_by_role("button", name="Save the decision").click()
    expect(success(manager)).to_contain_text("Request approved: the home is held")

    # The coordinator has no way back to the hold in the navigation or on the case page yet.
    hhc.goto(base + reverse("lettings:holds"))
    hhc.get_by_role("link", name="Edna Lettingsworth").click()
    expect(hhc.locator("main")).to_contain_text("Approved")
    hhc.get_by_role("link", name="Make a direct offer").click()
    expect(hhc.get_by_role("heading", level=1)).to_have_text("Make a direct offer")
    fill_date(hhc, "viewing_on", today)
    hhc.get_by_role("button", name="Make the offer").click()
    expect(success(hhc)).to_contain_text("offered to Edna Lettingsworth")
    hhc.get_by_role("button", name="Record acceptance").click()
    expect(success(hhc)).to_contain_text("Acceptance recorded")

    # The sign-up, on the phone again, with the GOV.UK date boxes.
    nav(phone, "Offers")
    phone.get_by_role("link", name=re.compile("9 Willow Lodge")).click()
    phone.get_by_role("link", name="Record the sign-up").click()
    fill_date(phone, "tenancy_start", today)
    assert no_sideways_scroll(phone)
    phone.get_by_role("button", name="Record the sign-up").click()
    expect(success(phone)).to_contain_text(f"Tenancy start recorded: {today.day} {today:%B %Y}")
    expect(phone.locator("main")).to_contain_text("Signed up")
    assert no_sideways_scroll(phone)

    # 7. The case page shows the tenancy has started, and the history has it.
    nav(hhc, "My caseload")
    hhc.get_by_role("link", name="Edna Lettingsworth").click()
    expect(hhc.locator("main .govuk-tag").first).to_have_text("Tenancy started")
    tenancy = hhc.locator(".h2h-timeline__item", has_text="Tenancy at")
    expect(tenancy).to_contain_text("Tenancy started")
    expect(tenancy).to_contain_text("9 Willow Lodge")
    expect(hhc.locator(".h2h-timeline__item", has_text="refused")).to_contain_text("too far from her")
    for page in (hhc, manager, officer, phone):
        page.context.close()

    case.refresh_from_db()
    assert case.stage == Stage.TENANCY_START and case.stage_changed_on == today
    ready.refresh_from_db()
    assert ready.status == Void.Status.LET and ready.let_on == today
    application = Application.objects.get(case=case)
    assert application.status == Application.Status.HOUSED and application.band == "A"
    refused = Offer.objects.get(void=advertised, application=application)
    assert refused.status == Offer.Status.REFUSED and "too far from her" in refused.refusal_reason
    signed = Offer.objects.get(void=ready, application=application)
    assert signed.kind == Offer.Kind.DIRECT and signed.status == Offer.Status.SIGNED_UP
    assert signed.tenancy_start == today
    second = Offer.objects.get(void=advertised, application=lettings_world["general"])
    assert second.status == Offer.Status.OFFERED
