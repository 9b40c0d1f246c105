"""KPIs by API (h2h/api/routers/kpis.py): the published monthly report's figures — the same numbers, through
the commissioner's suppression — and nothing about any person."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from h2h.accounts.models import User
from h2h.accounts.roles import Role
from h2h.api.services import client_create
from h2h.cases.services import case_note_add
from h2h.demo.generate import generate
from h2h.referrals.models import Person, Referral
from h2h.reports.figures import Shown
from h2h.reports.monthly import build_monthly_report
from h2h.reports.periods import Period
from tests.factories import make_org, make_user, referrer_org, service_org
from tests.test_monthly_report import MONTH, october  # noqa: F401 - the fixture is used by name

pytestmark = pytest.mark.django_db

URL = "/api/v1/kpis"


def bearer(role=Role.COMMISSIONER, organisation=None) -> dict:
    _, token = client_create(name="ICB dashboard", organisation=organisation or make_org("ICB"), role=role,
                             by=make_user(Role.ADMINISTRATOR))
    return {"Authorization": f"Bearer {token}"}


def kpis(client, month="2025-10", headers=None):
    return client.get(URL, {"month": month}, headers=headers or bearer())


def test_the_figures_are_the_published_monthly_reports(client, october):
    response = kpis(client)
    assert response.status_code == 200, response.content
    answer = response.json()
    report = build_monthly_report(service_org(), *MONTH, Shown(exact=False))
    assert answer["month"] == "2025-10"
    assert (answer["month_start"], answer["month_end"]) == ("2025-10-01", "2025-10-31")
    assert answer["year_to_date_start"] == "2025-04-01" and answer["complete"] is True
    assert answer["suppression"] == Shown(exact=False).rule
    assert [s["key"] for s in answer["sections"]] == [s.key for s in report.sections]
    for section, expected in zip(answer["sections"], report.sections, strict=True):
        for table, want in zip(section["tables"], expected.tables, strict=True):
            assert table["key"] == want.key and table["caption"] == want.caption
            assert table["rows"] == json.loads(json.dumps(want.rows, default=float)), want.key
    summary = {row[0]: row[1:] for row in answer["sections"][0]["tables"][0]["rows"]}
    # Three new referrals in the month are suppressed; the thirteen of the year are rounded to 15.
    assert summary["New referrals"] == ["*", 15]
    assert summary["People rehoused (tenancy started)"] == [10, 10]


def test_no_person_and_no_health_detail_is_in_the_answer(client, october):
    canaries = ["Zebedee-Canary", "NG7 9ZZ", "9990000026", "999 000 0026", "HYPERLINK"]
    Referral.objects.filter(pk=october.referral_id).update(
        housing_details="Canary-housing-41d7", ward="Canary-ward-41d7", consent_notes="Canary-consent-41d7")
    case_note_add(case=october, by=make_user(Role.HHC), text="Canary-note-41d7")
    canaries += ["Canary-housing-41d7", "Canary-ward-41d7", "Canary-consent-41d7", "Canary-note-41d7"]
    body = kpis(client).content.decode()
    assert "Coordinator 1" in body  # coordinators by number, not by name
    leaked = [c for c in canaries if c in body]
    assert not leaked


def test_over_the_demo_data_no_month_names_anyone(client):
    """As tests/test_commissioner_sees_no_person.py does for the pages: every month of the demo's year."""
    generate(seed=3, referrals=80)
    people = list(Person.objects.all())
    secrets = {p.last_name for p in people if len(p.last_name) > 3}
    secrets |= {p.nhs_number for p in people if p.nhs_number} | {p.postcode for p in people}
    secrets |= {u.last_name for u in User.objects.filter(role=Role.HHC) if len(u.last_name) > 3}
    assert len(secrets) > 100
    headers = bearer()
    month = timezone.localdate().replace(day=1)
    for _ in range(13):
        response = kpis(client, f"{month:%Y-%m}", headers)
        assert response.status_code == 200
        body = response.content.decode()
        leaked = [s for s in secrets if s in body]
        assert not leaked, (month, leaked[:3])
        month = (month - timedelta(days=1)).replace(day=1)


@pytest.mark.parametrize("month", ["2025-13", "2025-1", "October", "1999-12", "2025-10-01", ""])
def test_a_month_that_is_not_one_is_a_422_naming_it(client, month):
    response = kpis(client, month)
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "month"


def test_a_month_not_yet_started_is_a_422(client):
    service_org()
    response = kpis(client, "2999-01")
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "month"


def test_without_a_month_is_a_422(client):
    response = client.get(URL, headers=bearer())
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "month"


def test_a_running_month_is_reported_to_today(client):
    service_org()
    today = timezone.localdate()
    answer = kpis(client, f"{today:%Y-%m}").json()
    assert answer["month_end"] == today.isoformat()
    # Complete only on its last day, when "to today" is the whole month.
    assert answer["complete"] is (today == Period.month(today.year, today.month).end)


@pytest.mark.parametrize("role", [Role.REFERRER, Role.LETTINGS_OFFICER, Role.EVALUATOR])
def test_other_roles_are_refused_with_a_403_problem(client, october, role):
    organisation = referrer_org() if role == Role.REFERRER else make_org("NCH")
    response = kpis(client, headers=bearer(role, organisation))
    assert response.status_code == 403 and response["Content-Type"] == "application/problem+json"
    assert "Zebedee" not in response.content.decode()
