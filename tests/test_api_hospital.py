"""Hospital activity by API (h2h/api/routers/hospital.py): the upload page's form, import and audit — all or
nothing with every bad row, the same file twice changes nothing, a corrected file replaces the earlier one."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from h2h.accounts.roles import Role
from h2h.api.services import client_create
from h2h.audit.models import AuditEvent
from h2h.hospital.models import Admission, Extract
from tests.factories import make_org, make_user, referrer_org
from tests.test_hospital_import import ADA, ADA_DOB, BEN, BEN_DOB, admission, consenting, csv_bytes

pytestmark = pytest.mark.django_db

URL = "/api/v1/hospital-activity"


def bearer(role=Role.EVALUATOR, organisation=None) -> dict:
    _, token = client_create(name="Trust information team", organisation=organisation or make_org("NUH"),
                             role=role, by=make_user(Role.ADMINISTRATOR))
    return {"Authorization": f"Bearer {token}"}


def send(client, headers, data: bytes, name="admissions.csv", **fields):
    form = {"kind": "admissions", "file_format": "csv", "provider": "NUH information team", **fields,
            "file": SimpleUploadedFile(name, data, content_type="text/csv")}
    return client.post(URL, form, headers=headers)


@pytest.fixture
def people():
    return consenting(ADA, ADA_DOB), consenting(BEN, BEN_DOB)


def good_file() -> bytes:
    rows = [admission(ADA, ADA_DOB, 40, 5), admission(BEN, BEN_DOB, 30, 2), admission("9990000042")]
    return csv_bytes(rows)


def test_a_good_file_is_applied_and_audited_as_the_upload_page_does(client, people):
    response = send(client, bearer(), good_file())
    assert response.status_code == 201, response.content
    answer = response.json()
    extract = Extract.objects.get()
    assert answer["id"] == extract.pk and answer["status"] == "applied" and not answer["unchanged"]
    assert (answer["rows_read"], answer["rows_linked"], answer["rows_not_ours"]) == (3, 2, 1)
    assert Admission.objects.count() == 2
    event = AuditEvent.objects.get(object_type="hospital_extract", object_id=str(extract.pk))
    assert event.action == "create" and event.path == URL and event.username.startswith("api-")


def test_the_same_file_twice_changes_nothing_and_is_answered_200(client, people):
    headers = bearer()
    first = send(client, headers, good_file()).json()
    again = send(client, headers, good_file(), name="resent.csv")
    assert again.status_code == 200
    assert again.json()["id"] == first["id"] and again.json()["unchanged"] is True
    assert Extract.objects.count() == 1 and Admission.objects.count() == 2


def test_a_file_with_bad_rows_keeps_nothing_and_lists_every_bad_row(client, people):
    rows = [admission(ADA, ADA_DOB), admission(nhs="9990000019"), admission(BEN, BEN_DOB, kind="urgent")]
    response = send(client, bearer(), csv_bytes(rows))
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert {e["field"] for e in problem["errors"]} == {"line 3: nhs_number", "line 4: admission_type"}
    extract = Extract.objects.get()
    assert extract.status == Extract.Status.REJECTED and f"Extract {extract.pk}" in problem["detail"]
    assert not Admission.objects.exists()


@pytest.mark.parametrize(("fields", "name", "field"), [
    ({"kind": "ae"}, "admissions.csv", "kind"),
    ({"file_format": "xlsx"}, "admissions.csv", "file"),  # the name must end .xlsx
    ({"period_start": "2026-02-01", "period_end": "2026-01-01"}, "admissions.csv", "period_end"),
    ({"period_start": "1 Feb 2026"}, "admissions.csv", "period_start"),
    ({"replaces": "999"}, "admissions.csv", "replaces"),
    ({"provider": ""}, "admissions.csv", "provider"),
])
def test_the_upload_forms_own_checks_name_the_field(client, people, fields, name, field):
    response = send(client, bearer(), good_file(), name=name, **fields)
    assert response.status_code == 422
    assert field in {e["field"] for e in response.json()["errors"]}
    assert not Extract.objects.exists()


def test_blank_optional_fields_are_answers_not_given(client, people):
    response = send(client, bearer(), good_file(), period_start="", period_end="", replaces="")
    assert response.status_code == 201, response.content
    assert response.json()["period_start"] is not None  # the earliest date in the file, as when left out


def test_a_corrected_file_replaces_the_earlier_one(client, people):
    headers = bearer()
    first = send(client, headers, csv_bytes([admission(ADA, ADA_DOB, 40, 5)])).json()
    second = send(client, headers, good_file(), replaces=str(first["id"]))
    assert second.status_code == 201 and second.json()["replaces"] == first["id"]
    assert Extract.objects.get(pk=first["id"]).status == Extract.Status.SUPERSEDED


def test_an_extracts_report_is_read_back(client, people):
    headers = bearer()
    made = send(client, headers, good_file()).json()
    response = client.get(f"{URL}/{made['id']}", headers=headers)
    assert response.status_code == 200 and response.json()["rows_linked"] == 2
    assert client.get(f"{URL}/{made['id'] + 1}", headers=headers).status_code == 404
    assert client.get(f"{URL}/99999999999", headers=headers).status_code == 404


@pytest.mark.parametrize("role", [Role.REFERRER, Role.LETTINGS_OFFICER, Role.COMMISSIONER])
def test_other_roles_are_refused_with_a_403_problem(client, people, role):
    headers = bearer(role, referrer_org() if role == Role.REFERRER else make_org("NCH"))
    assert send(client, headers, good_file()).status_code == 403
    response = client.get(f"{URL}/1", headers=headers)
    assert response.status_code == 403 and response["Content-Type"] == "application/problem+json"
    assert not Extract.objects.exists()
