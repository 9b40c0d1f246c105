"""A referral made in the browser-facing forms reaches an HHC's caseload; who can see it, and the audit."""

import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from h2h.accounts.models import Organisation, User
from h2h.accounts.roles import Role
from h2h.audit.models import AuditEvent
from h2h.cases.models import Case
from h2h.referrals.models import Person, Referral

pytestmark = pytest.mark.django_db

PERSON = {
    "first_name": "Edith",
    "last_name": "Canary-Marchbanks",
    "date_of_birth_day": "3",
    "date_of_birth_month": "4",
    "date_of_birth_year": "1948",
    "nhs_number": "999 000 0018",
    "address_line_1": "12 Sycamore Walk",
    "town": "Nottingham",
    "postcode": "ng7 2uh",
}
WHERE_NOW = {
    "setting": "acute_hospital",
    "hospital": "Queen's Medical Centre",
    "ward": "B47",
    "admission_date_day": "1",
    "admission_date_month": "9",
    "admission_date_year": "2026",
    "medically_ready_date_day": "10",
    "medically_ready_date_month": "9",
    "medically_ready_date_year": "2026",
}
HOUSING = {"reasons": ["accessibility", "delayed_discharge"], "tenure": "private_rented",
           "housing_details": "Two flights of stairs to the front door"}
HOUSEHOLD = {"household_size": "1", "has_carer": "no", "mobility": "walking_aid", "wheelchair_use": "none",
             "benefits": ["pip"]}
REFERRER = {"referrer_name": "Sam Okafor", "referrer_role": "Discharge coordinator", "referrer_phone": "0115 496 0000"}
CONSENT = {"consent": "given", "consent_sharing": ["housing", "health"]}


def make_user(username, role, organisation, **extra):
    return User.objects.create_user(username=username, password="a-long-test-password", role=role,
                                    organisation=organisation, first_name=username.title(), **extra)


@pytest.fixture
def world(db):
    nch = Organisation.objects.create(code="NCH", name="Nottingham City Homes", kind="housing_provider")
    nuh = Organisation.objects.create(code="NUH", name="Nottingham University Hospitals", kind="acute_trust")
    other = Organisation.objects.create(code="MHT", name="Mental Health Trust", kind="mental_health_trust")
    icb = Organisation.objects.create(code="ICB", name="The ICB", kind="commissioner")
    return {
        "hhc": make_user("alice", Role.HHC, nch),
        "pm": make_user("bob", Role.PROJECT_MANAGER, nch),
        "referrer": make_user("carol", Role.REFERRER, nuh, job_title="Discharge coordinator"),
        "colleague": make_user("carl", Role.REFERRER, nuh),
        "outsider": make_user("dana", Role.REFERRER, other),
        "commissioner": make_user("erin", Role.COMMISSIONER, icb),
        "admin": make_user("frank", Role.ADMINISTRATOR, nch),
    }


def submit_referral(client, steps=None):
    steps = steps or {"person": PERSON, "where-now": WHERE_NOW, "housing": HOUSING, "household": HOUSEHOLD,
                      "referrer": REFERRER, "consent": CONSENT}
    client.get(reverse("referrals:start"))
    for step, data in steps.items():
        response = client.post(reverse("referrals:step", args=[step]), data)
        assert response.status_code == 302, (step, response.content.decode()[:2000])
    check = client.get(reverse("referrals:check"))
    assert check.status_code == 200
    response = client.post(reverse("referrals:check"))
    assert response.status_code == 302
    return Referral.objects.latest("id"), check


def test_it_puts_a_referrers_referral_on_the_hhcs_caseload_with_screening_results(client, world):
    client.force_login(world["referrer"])
    referral, check = submit_referral(client)
    assert "Edith" in check.content.decode()
    assert "Personal Independence Payment" in check.content.decode()
    case = referral.case
    assert case.assigned_to == world["hhc"]
    assert referral.referrer_organisation.code == "NUH"
    assert referral.person.nhs_number == "9990000018"
    assert referral.person.postcode == "NG7 2UH"

    client.force_login(world["hhc"])
    page = client.get(reverse("cases:caseload")).content.decode()
    assert "Edith Canary-Marchbanks" in page
    # Older people fits (aged 78 in hospital); the other two cohorts do not.
    assert re.search(r"Fits</span>\s*Older people", page)
    assert re.search(r"Does not fit</span>\s*Essential wheelchair users", page)

    screening = client.get(reverse("cases:screening", args=[case.pk])).content.decode()
    assert "Aged 60 or over" in screening
    assert "Occupying a high-demand hospital bed" in screening
    response = client.post(reverse("cases:screening", args=[case.pk]),
                           {"decision": "accept", "cohort": "older_people"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.stage == "screened" and case.cohort == "older_people"

    client.force_login(world["referrer"])
    listing = client.get(reverse("referrals:list")).content.decode()
    assert "Accepted: Older people" in listing


def test_it_records_a_decline_with_onward_referral_that_the_referrer_sees(client, world):
    client.force_login(world["referrer"])
    referral, _ = submit_referral(client)
    client.force_login(world["hhc"])
    url = reverse("cases:screening", args=[referral.case_id])
    response = client.post(url, {"decision": "decline"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Enter the reason for declining" in page
    client.post(url, {"decision": "decline", "reason": "Owns a suitable bungalow",
                      "onward_referral": "Referred to Adult Social Care for adaptations"})
    client.force_login(world["colleague"])
    detail = client.get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    assert "Not accepted" in detail
    assert "Referred to Adult Social Care for adaptations" in detail


def test_it_answers_not_found_to_a_referrer_from_another_organisation(client, world):
    client.force_login(world["referrer"])
    referral, _ = submit_referral(client)
    client.force_login(world["outsider"])
    assert client.get(reverse("referrals:detail", args=[referral.pk])).status_code == 404
    assert client.get(reverse("cases:detail", args=[referral.case_id])).status_code == 404
    assert "Canary" not in client.get(reverse("referrals:list")).content.decode()
    # A colleague in the same organisation can follow it.
    client.force_login(world["colleague"])
    assert client.get(reverse("referrals:detail", args=[referral.pk])).status_code == 200
    # But a referrer never opens the case record itself.
    assert client.get(reverse("cases:detail", args=[referral.case_id])).status_code == 404


def test_it_shows_a_commissioner_no_page_with_a_name_or_nhs_number(client, world):
    client.force_login(world["referrer"])
    referral, _ = submit_referral(client)
    client.force_login(world["commissioner"])
    pages = [reverse("home"), reverse("cases:overview"), reverse("cases:list"), reverse("cases:caseload"),
             reverse("cases:team"), reverse("referrals:list"), reverse("directory:list"),
             reverse("cases:detail", args=[referral.case_id]), reverse("referrals:detail", args=[referral.pk]),
             reverse("cases:screening", args=[referral.case_id]), reverse("audit:search")]
    for url in pages:
        response = client.get(url, follow=True)
        body = response.content.decode()
        assert "Canary" not in body, url
        assert "999 000 0018" not in body and "9990000018" not in body, url
    overview = client.get(reverse("cases:overview")).content.decode()
    assert "Cases by stage" in overview


def test_it_audits_each_view_of_the_persons_record(client, world):
    client.force_login(world["referrer"])
    referral, _ = submit_referral(client)
    person_id = referral.person_id
    assert AuditEvent.objects.filter(action="create", person_id=person_id).count() == 1
    client.force_login(world["hhc"])
    for _ in range(3):
        client.get(reverse("cases:detail", args=[referral.case_id]))
    views = AuditEvent.objects.filter(action="view", person_id=person_id, username="alice")
    assert views.count() == 3
    # The administrator finds them by NHS number, and by user.
    client.force_login(world["admin"])
    page = client.get(reverse("audit:search"), {"person": "999 000 0018"}).content.decode()
    assert page.count(f"case {referral.case_id}") == 3
    page = client.get(reverse("audit:search"), {"username": "carol"}).content.decode()
    assert "Referral R" in page


@pytest.mark.parametrize(
    ("step", "changes", "field", "message"),
    [
        ("person", {"nhs_number": "999 000 0019"}, "nhs_number", "fails the check digit"),
        ("person", {"postcode": "QA1 1AA"}, "postcode", "Enter a real postcode"),
        ("person", {"date_of_birth_year": "2099"}, "date_of_birth", "must be today or in the past"),
        ("person", {"date_of_birth_month": "13"}, "date_of_birth", "must be a real date"),
        ("where-now", {"medically_ready_date_month": "8"}, "medically_ready_date", "on or after the date admitted"),
        ("consent", {"consent": ""}, "consent", "Select whether the person agreed"),
    ],
)
def test_it_rerenders_bad_input_with_an_error_summary_and_keeps_what_was_typed(
    client, world, step, changes, field, message
):
    base = {"person": PERSON, "where-now": WHERE_NOW, "consent": CONSENT}[step]
    data = {**base, **changes}
    client.force_login(world["referrer"])
    client.get(reverse("referrals:start"))
    response = client.post(reverse("referrals:step", args=[step]), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert message in page
    assert f'href="#id_{field}' in page
    for key, value in data.items():
        if isinstance(value, str) and value:
            assert f'value="{escape(value)}"' in page, key
    assert Person.objects.count() == 0 and Case.objects.count() == 0


def test_it_flags_and_links_a_second_referral_for_someone_with_an_open_case(client, world):
    client.force_login(world["referrer"])
    first, _ = submit_referral(client)
    second, _ = submit_referral(client)
    assert Case.objects.count() == 1
    assert second.case_id == first.case_id and second.linked_to_open_case
    submitted = client.get(reverse("referrals:submitted", args=[second.pk])).content.decode()
    assert "already being supported" in submitted


def test_it_lets_staff_key_a_phone_referral_for_another_organisation(client, world):
    client.force_login(world["hhc"])
    nuh = Organisation.objects.get(code="NUH")
    steps = {"person": PERSON, "where-now": WHERE_NOW, "housing": HOUSING, "household": HOUSEHOLD,
             "referrer": {**REFERRER, "referrer_organisation": str(nuh.pk), "received_via": "phone"},
             "consent": CONSENT}
    referral, _ = submit_referral(client, steps)
    assert referral.received_via == "phone"
    assert referral.referrer_organisation == nuh
    assert referral.created_by == world["hhc"]


def test_it_does_not_attach_a_referral_to_someone_else_when_the_birth_date_differs(client, world):
    client.force_login(world["referrer"])
    first, _ = submit_referral(client)
    other_person = {**PERSON, "first_name": "Elsie", "date_of_birth_year": "1950"}
    steps = {"person": other_person, "where-now": WHERE_NOW, "housing": HOUSING, "household": HOUSEHOLD,
             "referrer": REFERRER, "consent": CONSENT}
    second, _ = submit_referral(client, steps)
    assert second.person_id != first.person_id
    assert not second.linked_to_open_case
    first.person.refresh_from_db()
    assert first.person.first_name == "Edith"


def test_it_offers_acceptance_only_through_the_screening_page(client, world):
    client.force_login(world["referrer"])
    referral, _ = submit_referral(client)
    client.force_login(world["hhc"])
    page = client.get(reverse("cases:detail", args=[referral.case_id])).content.decode()
    assert 'value="screened"' not in page and 'value="not_eligible"' not in page
    assert 'value="withdrawn"' in page
    response = client.post(reverse("cases:move", args=[referral.case_id]),
                           {"to_stage": "screened", "on_day": "1", "on_month": "1", "on_year": "2026"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    referral.case.refresh_from_db()
    assert referral.case.stage == "referral_received"
