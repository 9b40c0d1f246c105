"""Fuzzing the API from its own OpenAPI description (schemathesis), against the real application and database.

For every operation schemathesis sends the description's examples, requests built to cover each parameter's
edges (the coverage phase) and random ones (fuzzing), each with the token of a client in the role the
operation is for, and checks that the API never fails (5xx) and that every answer — its status, content type
and body — is one the description documents. The known-good requests at the end reach each success answer
for certain, which random data rarely does (a valid NHS number, a file without a bad row).

Bounded so that it runs in the normal test run on SQLite and PostgreSQL: few examples per operation, a fixed
seed (derandomize) and no example database, so the same requests are sent every time.
"""

from io import BytesIO

import pytest
import schemathesis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from werkzeug.test import Client

from h2h.accounts.models import Organisation
from h2h.accounts.roles import Role
from h2h.api.api import api
from h2h.api.services import client_create
from h2h.hospital.imports import import_extract
from h2h.referrals.models import Referral
from h2h.referrals.services import referral_submit
from h2h.wsgi import application
from tests.factories import make_org, make_user, referral_answers, referrer_org, service_org
from tests.test_api_referrals import body as referral_body
from tests.test_hospital_import import ADA, ADA_DOB, BEN, BEN_DOB, admission, consenting, csv_bytes
from tests.test_stock_import import good_file as stock_file

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Which client calls which operation: the role the operation is for, so that fuzzing reaches past the role
# check into the code that does the work. Refusals of the other roles are tested in each test_api_*.py.
ROLE_BY_PATH = (
    ("/api/v1/stock", Role.LETTINGS_OFFICER),
    ("/api/v1/hospital-activity", Role.EVALUATOR),
    ("/api/v1/kpis", Role.COMMISSIONER),
    ("/api/v1/", Role.REFERRER),  # referrals, FHIR and /me
)


@pytest.fixture
def wsgi_app(db):
    """The project's WSGI application, inside the test's transaction.

    Django closes the database connection at the end of every request; inside a test's transaction that
    would end the transaction. Django's own test client stops it the same way.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield application
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(db) -> dict[str, str]:
    """One client per API role, and something for each to find: referrals, a consenting person, an extract."""
    admin = make_user(Role.ADMINISTRATOR)
    make_user(Role.HHC)
    service, icb = service_org(), make_org("ICB", name="Integrated Care Board")
    make_org("SVH", name="Sherwood Vale Homes", kind=Organisation.Kind.PARTNER_LANDLORD)  # in the stock file
    referrer = make_user(Role.REFERRER)
    for n in range(3):
        referral_submit(answers=referral_answers(last_name=f"Fuzzed{n}", nhs_number=""), by=referrer,
                        referrer_organisation=referrer_org(), received_via="online")
    consenting(ADA, ADA_DOB)
    seed_file = SimpleUploadedFile("seed.csv", csv_bytes([admission(ADA, ADA_DOB, 40, 5)]))
    import_extract(seed_file, kind="admissions", file_format="csv", file_name="seed.csv", provider="NUH",
                   uploaded_by=make_user(Role.EVALUATOR))
    organisation = {Role.REFERRER: referrer_org(), Role.LETTINGS_OFFICER: service}
    return {
        role: client_create(name=f"Fuzzing {role}", organisation=organisation.get(role, icb), role=role,
                            by=admin)[1]
        for role in (Role.REFERRER, Role.LETTINGS_OFFICER, Role.EVALUATOR, Role.COMMISSIONER)
    }


def authorised(operation, tokens) -> dict[str, str]:
    role = next(role for prefix, role in ROLE_BY_PATH if operation.path.startswith(prefix))
    return {"Authorization": f"Bearer {tokens[role]}"}


# The description as /api/v1/openapi.json serves it (the view calls this same method); test_api_openapi.py
# keeps it equal to docs/api/openapi.json. Built here rather than fetched: collection has no test database,
# and every call to /api/ writes an audit row. (schemathesis' from_fixture loader would fetch it inside the
# test, but schemathesis 4.32.5's lazy loader does not run on pytest 9.2: it uses the removed Node._nodeid.)
schema = schemathesis.openapi.from_dict(api.get_openapi_schema())


@schema.parametrize()
@settings(max_examples=12, derandomize=True, database=None, deadline=None,
          suppress_health_check=list(HealthCheck))
def test_every_answer_is_one_the_description_documents(case, tokens, wsgi_app):
    case.call_and_validate(headers=authorised(case.operation, tokens), checks=CHECKS, app=wsgi_app)


def test_each_success_answer_is_one_the_description_documents(tokens, wsgi_app):
    """Requests known to succeed, answered as documented: the answers random data seldom reaches."""
    client = Client(wsgi_app)

    def call(method, template, role, expected, params=None, **kwargs):
        response = client.open(template.format(**params or {}), method=method, headers={
            "Authorization": f"Bearer {tokens[role]}"}, **kwargs)
        assert response.status_code == expected, (template, response.get_data(as_text=True)[:500])
        schema[template][method].Case(path_parameters=params).validate_response(response, checks=CHECKS)
        return response.get_json()

    made = call("POST", "/api/v1/referrals", Role.REFERRER, 201, json=referral_body())
    reference = made["reference"]
    call("GET", "/api/v1/referrals/{reference}", Role.REFERRER, 200, {"reference": reference})
    listed = call("GET", "/api/v1/referrals", Role.REFERRER, 200)
    assert listed["count"] == Referral.objects.filter(referrer_organisation=referrer_org()).count() > 1
    for what in ("ServiceRequest", "Task"):
        call("GET", f"/api/v1/fhir/{what}/{{reference}}", Role.REFERRER, 200, {"reference": reference})

    call("POST", "/api/v1/stock/import", Role.LETTINGS_OFFICER, 200,
         data={"file": (BytesIO(stock_file()), "stock.csv")})

    upload = {"kind": "admissions", "file_format": "csv", "provider": "NUH information team"}
    activity = csv_bytes([admission(ADA, ADA_DOB, 30, 2), admission(BEN, BEN_DOB, 20, 2)])
    extract = call("POST", "/api/v1/hospital-activity", Role.EVALUATOR, 201,
                   data={**upload, "file": (BytesIO(activity), "admissions.csv")})
    call("POST", "/api/v1/hospital-activity", Role.EVALUATOR, 200,
         data={**upload, "file": (BytesIO(activity), "admissions.csv")})
    call("GET", "/api/v1/hospital-activity/{extract_id}", Role.EVALUATOR, 200, {"extract_id": extract["id"]})

    this_month = f"{timezone.localdate():%Y-%m}"
    call("GET", "/api/v1/kpis", Role.COMMISSIONER, 200, query_string={"month": this_month})
