"""The "Hospital activity before and after" pages: who sees what, suppression outside the service, the
per-case list by reference only, the CSV download (spreadsheet-safe, audited)."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from h2h.accounts.roles import Role
from h2h.audit.models import AuditEvent
from h2h.cases.models import Case, CaseEvent
from h2h.cases.stages import Stage
from h2h.hospital import measures as m
from h2h.hospital import views_outcomes
from h2h.hospital.models import Admission, Extract
from h2h.hospital.selectors_outcomes import before_after, outcome_inputs
from h2h.lib.identifiers import nhs_number_check_digit
from tests.factories import make_case, make_org, make_person, make_user

pytestmark = pytest.mark.django_db

NHS_NUMBERS = [f"{n:09d}{nhs_number_check_digit(f'{n:09d}')}"
               for n in range(999000300, 999000500) if nhs_number_check_digit(f"{n:09d}") is not None]


def _case(n, *, hhc, extract, cohort="older_people", moved_days_ago=300, admissions_before=2,
          admissions_after=1, service=None):
    today = timezone.localdate()
    person = make_person(nhs_number=NHS_NUMBERS[n], last_name=f"Zebedee{n:03d}",
                         date_of_birth=date(1941, 2, 3))
    case = make_case(Stage.TENANCY_START, person=person, cohort=cohort, service=service)
    referred = today - timedelta(days=moved_days_ago + 100)
    tenancy = today - timedelta(days=moved_days_ago)
    Case.objects.filter(pk=case.pk).update(referred_on=referred)
    case.referral.consent_sharing = ["housing", "evaluation"]
    case.referral.save(update_fields=["consent_sharing"])
    CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.STAGE, from_stage=Stage.OFFER,
                             to_stage=Stage.TENANCY_START, on=tenancy, by=hhc)
    days = [referred - timedelta(days=30 + 40 * i) for i in range(admissions_before)]
    days += [tenancy + timedelta(days=20 + 40 * i) for i in range(admissions_after)]
    for i, day in enumerate(days):
        Admission.objects.create(extract=extract, person=person, nhs_number=person.nhs_number,
                                 date_of_birth=person.date_of_birth, row_key=f"{n}-{i}", line=i + 2,
                                 admitted_on=day, discharged_on=day + timedelta(days=5 + i),
                                 emergency=i % 2 == 0, excess_bed_days=i)
    return case


@pytest.fixture
def people():
    """12 measured older people, 3 measured wheelchair users, 3 older people not yet due."""
    today = timezone.localdate()
    hhc = make_user(Role.HHC)
    users = {role: make_user(role) for role in (Role.EVALUATOR, Role.PROJECT_MANAGER, Role.COMMISSIONER)}
    users[Role.COMMISSIONER].organisation = make_org("ICB")
    users[Role.COMMISSIONER].save()
    extract = Extract.objects.create(kind="admissions", file_format="csv", file_name="a.csv", sha256="x",
                                     size_bytes=1, provider="Trust",
                                     period_start=today - timedelta(days=1200), period_end=today,
                                     uploaded_by=users[Role.EVALUATOR], status="applied")
    cases = [_case(n, hhc=hhc, extract=extract) for n in range(12)]
    cases += [_case(n, hhc=hhc, extract=extract, cohort="wheelchair_users") for n in range(12, 15)]
    cases += [_case(n, hhc=hhc, extract=extract, moved_days_ago=30) for n in range(15, 18)]
    return users, cases


def _get(client, user, name, **query):
    client.force_login(user)
    return client.get(reverse(name), query)


def _summary_for(cases):
    return m.cohort_summary(before_after(outcome_inputs(cases)))


def test_project_manager_sees_exact_figures(client, people):
    users, _ = people
    response = _get(client, users[Role.PROJECT_MANAGER], "outcomes:before-after")
    assert response.status_code == 200
    body = response.content.decode()
    summary = _summary_for(Case.objects.all())
    assert (summary.measured, summary.not_yet_due) == (15, 3)
    assert f"{summary.before.admissions_per_person_year:.1f}" in body
    assert f"{summary.after.admissions_per_person_year:.1f}" in body
    assert f"{summary.before.length_of_stay:.1f}" in body
    assert f"{100 * summary.before.excess_share:.1f}%" in body
    rows = {row["label"]: row for row in response.context["rows"]}
    assert rows["People with admissions data in both windows"]["before"] == "15"
    assert dict(response.context["counts"])["Not yet due: moved in less than the window ago"] == "3"
    assert "Zebedee" not in body


def test_commissioner_gets_suppressed_counts_and_no_case_list(client, people):
    users, cases = people
    response = _get(client, users[Role.COMMISSIONER], "outcomes:before-after")
    assert response.status_code == 200
    counts = dict(response.context["counts"])
    assert counts["Measured: both windows have data"] == "15"  # rounded to the nearest 5
    assert counts["Not yet due: moved in less than the window ago"] == "*"
    body = response.content.decode()
    assert reverse("outcomes:cases") not in body
    assert all(c.reference not in body for c in cases)
    assert _get(client, users[Role.COMMISSIONER], "outcomes:cases").status_code == 404
    assert _get(client, users[Role.COMMISSIONER], "outcomes:cases-csv").status_code == 404


def test_a_small_cohort_hides_its_rates_outside_the_service(client, people):
    users, _ = people
    response = _get(client, users[Role.COMMISSIONER], "outcomes:before-after", cohort="wheelchair_users")
    rows = {row["label"]: row for row in response.context["rows"]}
    assert rows["People with admissions data in both windows"]["before"] == "*"
    assert rows["Admissions per person per year"]["before"] == "*"
    # The project manager (inside the service) sees the same cohort exactly.
    response = _get(client, users[Role.PROJECT_MANAGER], "outcomes:before-after", cohort="wheelchair_users")
    rows = {row["label"]: row for row in response.context["rows"]}
    summary = _summary_for(Case.objects.filter(cohort="wheelchair_users"))
    assert rows["People with admissions data in both windows"]["before"] == "3"
    expected = f"{summary.before.admissions_per_person_year:.1f}"
    assert rows["Admissions per person per year"]["before"] == expected


@pytest.mark.parametrize("role", [Role.HHC, Role.REFERRER, Role.LETTINGS_OFFICER, Role.ADMINISTRATOR])
def test_other_roles_get_not_found(client, people, role):
    user = make_user(role)
    for name in ("outcomes:before-after", "outcomes:cases", "outcomes:cases-csv"):
        assert _get(client, user, name).status_code == 404


def test_evaluator_lists_cases_by_reference_only_and_it_is_audited(client, people, monkeypatch):
    users, cases = people
    monkeypatch.setattr(views_outcomes, "CASES_PER_PAGE", 5)
    response = _get(client, users[Role.EVALUATOR], "outcomes:cases", page=2)
    assert response.status_code == 200
    body = response.content.decode()
    ordered = sorted(cases, key=lambda c: c.pk)
    assert [r["reference"] for r in response.context["rows"]] == [c.reference for c in ordered[5:10]]
    assert ordered[0].reference not in body
    for case in ordered:
        assert case.person.last_name not in body and case.person.nhs_number not in body
    assert "3 Feb 1941" not in body and "1941-02-03" not in body
    assert "Page 2 of 4" in body
    event = AuditEvent.objects.get(action=AuditEvent.Action.LIST, object_type="outcomes")
    assert "page 2 of 4" in event.summary and event.username == users[Role.EVALUATOR].username


def test_the_status_filter_lists_the_cases_not_yet_due(client, people):
    users, cases = people
    response = _get(client, users[Role.EVALUATOR], "outcomes:cases", status=m.NOT_YET_DUE)
    assert [r["reference"] for r in response.context["rows"]] == [c.reference for c in cases[15:]]
    assert all(r["status"] == m.NOT_YET_DUE for r in response.context["rows"])


def test_project_manager_sees_only_the_services_cases(client, people):
    users, cases = people
    other = make_org("OTHER", kind="housing_provider")
    hhc = make_user(Role.HHC, organisation=other)
    stranger = _case(40, hhc=hhc, extract=Extract.objects.get(), service=other)
    response = _get(client, users[Role.PROJECT_MANAGER], "outcomes:cases")
    references = [r["reference"] for r in response.context["rows"]]
    assert stranger.reference not in references and len(references) == len(cases)
    response = _get(client, users[Role.EVALUATOR], "outcomes:cases")
    assert stranger.reference in [r["reference"] for r in response.context["rows"]]


def test_csv_download_has_every_case_its_figures_and_is_audited(client, people):
    users, cases = people
    Case.objects.filter(pk=cases[0].pk).update(cohort="=HYPERLINK(\"http://x\")")
    response = _get(client, users[Role.EVALUATOR], "outcomes:cases-csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["case_reference"] for r in rows] == [c.reference for c in sorted(cases, key=lambda c: c.pk)]
    assert rows[0]["cohort"] == "'=HYPERLINK(\"http://x\")"
    measured = {x.case.case_id: x for x in before_after(outcome_inputs(Case.objects.all()))}
    for row, case in zip(rows, sorted(cases, key=lambda c: c.pk), strict=True):
        x = measured[case.pk]
        assert row["summary_status"] == x.summary_status
        assert row["before_admissions"] == str(x.before.admissions)
        assert float(row["before_admissions_per_year"]) == pytest.approx(x.before.admissions_per_year,
                                                                         abs=1e-6)
        assert row["after_admissions"] == ("" if x.after.admissions is None else str(x.after.admissions))
        assert row["after_attendances"] == ""  # no A&E file: not observed, so empty rather than 0
    body = response.content.decode()
    assert all(c.person.nhs_number not in body and c.person.last_name not in body for c in cases)
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT, object_type="outcomes")
    assert "18 cases" in event.summary


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_spreadsheet_safe_cells(text):
    assert views_outcomes.spreadsheet_safe(text) == "'" + text
    assert views_outcomes.spreadsheet_safe("older_people") == "older_people"
    assert views_outcomes.spreadsheet_safe(-1) == -1  # numbers are numbers, not text
