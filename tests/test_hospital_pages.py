"""Hospital activity pages (h2h/hospital/views.py): evaluators upload and decide linkage reviews, the project
manager reads the list and reports, everyone else gets "not found"."""

import csv
import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from h2h.accounts.roles import Role
from h2h.audit.models import AuditEvent
from h2h.hospital.models import Admission, Extract, LinkReview
from h2h.hospital.views import spreadsheet_safe
from tests.factories import make_user
from tests.test_hospital_import import ADA, ADA_DOB, admission, consenting, csv_bytes, upload

pytestmark = pytest.mark.django_db

TYPO = date(1950, 3, 28)


@pytest.fixture
def evaluator():
    return make_user(Role.EVALUATOR)


@pytest.fixture
def files(evaluator):
    """Ada (consenting), an applied file with one of her admissions and an open review, and a rejected
    file."""
    ada = consenting(ADA, ADA_DOB)
    applied = upload(csv_bytes([admission(ADA, ADA_DOB, 40), admission(ADA, TYPO, 20)]), evaluator,
                     name="good.csv")
    bad_rows = [admission(nhs="9990000019"), admission(kind="=HYPERLINK(\"x\")")]
    rejected = upload(csv_bytes(bad_rows), evaluator, name="bad.csv")
    return {"ada": ada, "applied": applied, "rejected": rejected, "review": LinkReview.objects.get()}


def _urls(files) -> dict[str, str]:
    return {
        "list": reverse("hospital:extracts"),
        "upload": reverse("hospital:upload"),
        "report": reverse("hospital:extract", args=[files["applied"].pk]),
        "errors": reverse("hospital:extract", args=[files["rejected"].pk]),
        "errors.csv": reverse("hospital:extract-errors", args=[files["rejected"].pk]),
        "reviews": reverse("hospital:reviews"),
        "review": reverse("hospital:review", args=[files["review"].pk]),
    }


@pytest.mark.parametrize("role", [Role.COMMISSIONER, Role.REFERRER, Role.HHC, Role.ADMIN_OFFICER,
                                  Role.HOUSING_MANAGER, Role.LETTINGS_OFFICER, Role.ADMINISTRATOR])
def test_everyone_else_gets_not_found(client, files, role):
    client.force_login(make_user(role))
    for name, url in _urls(files).items():
        assert client.get(url).status_code == 404, name


def test_the_project_manager_reads_the_list_and_reports_only(client, files):
    client.force_login(make_user(Role.PROJECT_MANAGER))
    urls = _urls(files)
    for name in ("list", "report", "errors", "errors.csv"):
        assert client.get(urls[name]).status_code == 200, name
    for name in ("upload", "reviews", "review"):
        assert client.get(urls[name]).status_code == 404, name
    assert b"Upload a file" not in client.get(urls["list"]).content


def test_the_list_shows_each_file_with_its_status(client, evaluator, files):
    client.force_login(evaluator)
    page = client.get(reverse("hospital:extracts")).content.decode()
    assert "good.csv" in page and "bad.csv" in page and "Rejected: nothing imported" in page
    assert "1 review open" in page and "Linkage reviews: 1 waiting" in page


def test_uploading_a_good_file_shows_its_counts(client, evaluator, files):
    client.force_login(evaluator)
    data = csv_bytes([admission(ADA, ADA_DOB, 100), admission("9990000042", date(1970, 1, 1), 90)])
    response = client.post(reverse("hospital:upload"), {
        "kind": "admissions", "file_format": "csv", "provider": "NUH information team",
        "file": SimpleUploadedFile("march.csv", data, content_type="text/csv"),
    }, follow=True)
    extract = Extract.objects.get(file_name="march.csv")
    assert response.redirect_chain[-1][0] == reverse("hospital:extract", args=[extract.pk])
    page = response.content.decode()
    assert "march.csv imported" in page and "Not the service's people: discarded" in page
    assert (extract.rows_linked, extract.rows_not_ours) == (1, 1)
    event = AuditEvent.objects.filter(object_type="hospital_extract", object_id=str(extract.pk)).get()
    assert event.user == evaluator and event.action == AuditEvent.Action.CREATE


def test_uploading_the_same_file_again_says_nothing_changed(client, evaluator, files):
    client.force_login(evaluator)
    data = csv_bytes([admission(ADA, ADA_DOB, 40), admission(ADA, TYPO, 20)])
    response = client.post(reverse("hospital:upload"), {
        "kind": "admissions", "file_format": "csv", "provider": "NUH",
        "file": SimpleUploadedFile("again.csv", data)}, follow=True)
    assert "nothing has changed" in response.content.decode()
    assert Extract.objects.count() == 2 and Admission.objects.count() == 2


def test_the_form_lists_its_errors_and_keeps_the_values(client, evaluator, files):
    client.force_login(evaluator)
    response = client.post(reverse("hospital:upload"), {
        "kind": "attendances", "file_format": "xlsx", "provider": "NUH",
        "period_start_day": "1", "period_start_month": "6", "period_start_year": "2026",
        "period_end_day": "1", "period_end_month": "5", "period_end_year": "2026",
        "replaces": files["applied"].pk, "file": SimpleUploadedFile("a.csv", b"x")})
    page = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in page
    assert "must be on or after the first day" in page
    assert "must also be a file of a&amp;e attendances" in page.lower()
    assert "its name must end .xlsx" in page
    assert 'value="NUH"' in page
    assert Extract.objects.count() == 2


def test_a_rejected_file_lists_every_error_and_downloads_them_safely(client, evaluator, files):
    client.force_login(evaluator)
    page = client.get(reverse("hospital:extract", args=[files["rejected"].pk])).content.decode()
    assert "Nothing from this file was kept: 2 errors" in page
    assert "the check digit does not match" in page and "admission_type" in page
    response = client.get(reverse("hospital:extract-errors", args=[files["rejected"].pk]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["line", "column", "reason"]
    assert [row[:2] for row in rows[1:]] == [["2", "nhs_number"], ["3", "admission_type"]]
    assert "=HYPERLINK" in rows[2][2] and not rows[2][2].startswith("=")
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, object_type="hospital_extract").exists()


def test_cells_a_spreadsheet_would_work_out_get_an_apostrophe():
    assert [spreadsheet_safe(v) for v in ("=1+1", "+44", "-2", "@sum", "\tx", "\rx", "fine", 3, "")] == [
        "'=1+1", "'+44", "'-2", "'@sum", "'\tx", "'\rx", "fine", 3, ""]


def test_the_review_shows_case_references_and_dates_of_birth_but_no_name(client, evaluator, files):
    client.force_login(evaluator)
    ada = files["ada"]
    page = client.get(reverse("hospital:review", args=[files["review"].pk])).content.decode()
    case = ada.cases.get()
    assert case.reference in page and "27 March 1950" in page and "28 March 1950" in page
    assert ada.last_name not in page and ada.first_name not in page and ada.postcode not in page
    assert AuditEvent.objects.filter(action=AuditEvent.Action.VIEW, object_type="hospital_link_review",
                                     person_id=ada.pk).exists()
    listing = client.get(reverse("hospital:reviews")).content.decode()
    assert case.reference in listing and ada.last_name not in listing


def test_deciding_a_review_links_the_rows(client, evaluator, files):
    client.force_login(evaluator)
    url = reverse("hospital:review", args=[files["review"].pk])
    missing = client.post(url, {"decision": str(files["ada"].pk)})
    assert "Say why you made this decision" in missing.content.decode()
    response = client.post(url, {"decision": str(files["ada"].pk), "note": "Day of birth one out"})
    assert response.status_code == 302
    assert Admission.objects.filter(person=files["ada"]).count() == 2
    assert LinkReview.objects.get().status == LinkReview.Status.LINKED
    assert "Nothing is waiting for a decision" in client.get(reverse("hospital:reviews")).content.decode()
