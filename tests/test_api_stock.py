"""Stock and voids by API (h2h/api/routers/stock.py): the same file and import as the Load stock page —
all or nothing, every bad row in the 422 problem, the same file twice changes nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from h2h.accounts.models import Organisation
from h2h.accounts.roles import Role
from h2h.api.services import client_create
from h2h.audit.models import AuditEvent
from h2h.lettings.models import Property, Void
from tests.factories import make_org, make_user, referrer_org
from tests.test_stock_import import csv_bytes, good_file, row, snapshot

pytestmark = pytest.mark.django_db

URL = "/api/v1/stock/import"


@pytest.fixture(autouse=True)
def landlords():
    make_org("NCH")
    make_org("SVH", name="Sherwood Vale Homes", kind=Organisation.Kind.PARTNER_LANDLORD)


def bearer(role=Role.LETTINGS_OFFICER, organisation=None) -> dict:
    _, token = client_create(name="Housing management system", organisation=organisation or make_org("NCH"),
                             role=role, by=make_user(Role.ADMINISTRATOR))
    return {"Authorization": f"Bearer {token}"}


def send(client, headers, data: bytes, name="stock.csv"):
    upload = SimpleUploadedFile(name, data, content_type="text/csv")
    return client.post(URL, {"file": upload}, headers=headers)


def test_a_good_file_is_loaded_and_audited(client):
    response = send(client, bearer(), good_file())
    assert response.status_code == 200, response.content
    answer = response.json()
    assert (answer["file"], answer["rows"], answer["properties_created"]) == ("stock.csv", 4, 4)
    assert (answer["voids_opened"], answer["voids_let"]) == (2, 1)  # one void was let in the HMS already
    assert Property.objects.count() == 4 and Void.objects.count() == 3
    event = AuditEvent.objects.get(object_type="stock_import")
    assert event.action == "change" and "4 rows" in event.summary


def test_the_same_file_twice_changes_nothing(client):
    headers = bearer()
    send(client, headers, good_file())
    before = snapshot()
    again = send(client, headers, good_file()).json()
    assert snapshot() == before
    assert again["properties_unchanged"] == 4
    assert again["properties_created"] == again["properties_updated"] == 0
    assert again["voids_opened"] == again["voids_updated"] == again["voids_let"] == 0


def test_a_file_with_bad_rows_saves_nothing_and_lists_every_bad_row(client):
    data = csv_bytes(row("NCH-1"), row("NCH-2", weekly_rent="lots"),
                     row("NCH-3", bedrooms="40", postcode="XX"))
    response = send(client, bearer(), data)
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert {e["field"] for e in problem["errors"]} == {
        "line 3: weekly_rent", "line 4: bedrooms", "line 4: postcode"}
    assert "nothing was imported" in problem["detail"]
    assert not Property.objects.exists()
    assert not AuditEvent.objects.filter(object_type="stock_import").exists()


def test_a_file_that_cannot_be_read_is_a_422_naming_the_file(client):
    response = send(client, bearer(), "property_ref;landlord_code\n".encode("utf-16"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] in {"file", "line 1"}


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(client, settings):
    settings.H2H_MAX_IMPORT_BYTES = 100
    response = send(client, bearer(), good_file())
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "file"


def test_a_broken_multipart_body_is_a_400_problem(client):
    response = client.post(URL, b"--nonsense", content_type="multipart/form-data; boundary=",
                           headers=bearer())
    assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"


def test_no_file_is_a_422_naming_it(client):
    response = client.post(URL, {}, headers=bearer())
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "file"


@pytest.mark.parametrize(("role", "organisation"), [
    (Role.REFERRER, referrer_org),
    (Role.EVALUATOR, lambda: make_org("NCH")),
    # A lettings officer of a partner landlord: stock is loaded by the service's own officers.
    (Role.LETTINGS_OFFICER, lambda: make_org("SVH")),
])
def test_other_clients_are_refused_with_a_403_problem(client, role, organisation):
    response = send(client, bearer(role, organisation()), good_file())
    assert response.status_code == 403 and response["Content-Type"] == "application/problem+json"
    assert not Property.objects.exists()
