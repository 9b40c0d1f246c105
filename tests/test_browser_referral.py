"""The referral → screening journey in Chromium, as a referrer on a phone and an HHC on a desktop."""

import re

import pytest
from playwright.sync_api import expect

from h2h.accounts.models import Organisation, User
from h2h.accounts.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-password"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def people(transactional_db):
    nch = Organisation.objects.create(code="NCH", name="Nottingham City Homes", kind="housing_provider")
    nuh = Organisation.objects.create(code="NUH", name="Nottingham University Hospitals", kind="acute_trust")
    referrer = User.objects.create_user("carol", password=PASSWORD, role=Role.REFERRER, organisation=nuh,
                                        first_name="Carol", last_name="Ward", job_title="Discharge coordinator")
    hhc = User.objects.create_user("alice", password=PASSWORD, role=Role.HHC, organisation=nch,
                                   first_name="Alice", last_name="Moss")
    return referrer, hhc


def sign_in(page, base, username):
    page.goto(base + "/sign-in/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def no_sideways_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def fill_date(page, name, day, month, year):
    page.fill(f"#id_{name}_day", day)
    page.fill(f"#id_{name}_month", month)
    page.fill(f"#id_{name}_year", year)


def test_it_takes_a_referral_from_a_phone_to_screening_on_a_desktop(live_server, browser, people):
    base = live_server.url
    phone = browser.new_context(viewport=PHONE)
    page = phone.new_page()
    sign_in(page, base, "carol")
    page.get_by_role("link", name="Make a referral").first.click()

    # Step 1, with a mistake first: the error summary names the field and what was typed stays.
    page.fill("#id_first_name", "Edith")
    page.fill("#id_last_name", "Browserton")
    fill_date(page, "date_of_birth", "3", "4", "1948")
    page.fill("#id_nhs_number", "999 000 0019")
    page.fill("#id_address_line_1", "12 Sycamore Walk")
    page.fill("#id_town", "Nottingham")
    page.fill("#id_postcode", "NG7 2UH")
    page.get_by_role("button", name="Continue").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("fails the check digit")
    expect(page.locator("#id_first_name")).to_have_value("Edith")
    assert no_sideways_scroll(page)
    summary.get_by_role("link").first.click()
    expect(page.locator("#id_nhs_number")).to_be_focused()
    page.fill("#id_nhs_number", "999 000 0018")
    page.get_by_role("button", name="Continue").click()

    page.get_by_label("Acute hospital").check()
    page.fill("#id_hospital", "Queen's Medical Centre")
    page.fill("#id_ward", "B47")
    fill_date(page, "admission_date", "1", "9", "2026")
    page.get_by_role("button", name="Continue").click()

    page.get_by_label(re.compile("^Home is not accessible")).check()
    page.get_by_label("Private rented").check()
    page.get_by_role("button", name="Continue").click()

    page.fill("#id_household_size", "1")
    page.locator("#id_has_carer_1").check()
    page.get_by_label("Walks with an aid").check()
    page.get_by_label("Does not use a wheelchair").check()
    page.get_by_role("button", name="Continue").click()

    expect(page.locator("#id_referrer_name")).to_have_value("Carol Ward")
    page.fill("#id_referrer_phone", "0115 496 0000")
    page.get_by_role("button", name="Continue").click()

    page.get_by_label("The person agreed to this referral").check()
    page.get_by_label(re.compile("^Housing provider")).check()
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Check your answers")
    expect(page.locator("main")).to_contain_text("Queen's Medical Centre")
    assert no_sideways_scroll(page)
    page.get_by_role("button", name="Send referral").click()
    expect(page.locator(".govuk-panel")).to_contain_text("Referral sent")
    assert no_sideways_scroll(page)
    phone.close()

    desk = browser.new_context(viewport={"width": 1280, "height": 900})
    page = desk.new_page()
    sign_in(page, base, "alice")
    expect(page.get_by_role("heading", level=1)).to_have_text("My caseload")
    row = page.locator("tr", has_text="Edith Browserton")
    expect(row).to_contain_text("Fits Older people")
    row.get_by_role("link", name="Edith Browserton").click()
    page.get_by_role("link", name="Screen this referral").click()
    expect(page.locator("main")).to_contain_text("Aged 60 or over, or 55 or over and receiving DLA or PIP")
    page.get_by_label("Accept into a cohort").check()
    page.locator("input[name=cohort][value=older_people]").check()
    page.get_by_role("button", name="Record decision").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Accepted into Older people")
    expect(page.locator("main")).to_contain_text("Screened and accepted")
    desk.close()

    # Back on the phone, the referrer sees the decision.
    phone = browser.new_context(viewport=PHONE)
    page = phone.new_page()
    sign_in(page, base, "carol")
    expect(page.locator("main")).to_contain_text("Accepted: Older people")
    assert no_sideways_scroll(page)
    phone.close()
