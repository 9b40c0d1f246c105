"""The OpenAPI description: the one served is the one kept in the repository, and it documents every error
the API answers with (the fuzzing in test_api_fuzz.py holds the API to it)."""

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db

KEPT = Path(__file__).resolve().parent.parent / "docs" / "api" / "openapi.json"
REGENERATE = (
    "H2H_ALLOW_INSECURE_KEY=1 .venv/bin/python manage.py export_openapi_schema --api h2h.api.api.api "
    "--output docs/api/openapi.json --indent 2"
)


@pytest.fixture
def served(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def _operations(description):
    for path, operations in description["paths"].items():
        for method, operation in operations.items():
            yield f"{method.upper()} {path}", operation


def test_the_served_description_is_the_one_kept_in_the_repository(served):
    kept = json.loads(KEPT.read_text(encoding="utf-8"))
    assert served == kept, f"docs/api/openapi.json is out of date: regenerate it with\n    {REGENERATE}"


def test_every_operation_needs_a_token_and_documents_refusals(served):
    names = []
    for name, operation in _operations(served):
        names.append(name)
        assert operation.get("security") == [{"TokenAuth": []}], name
        assert {"401", "403"} <= set(operation["responses"]), name
        assert any(status.startswith("2") for status in operation["responses"]), name
    assert {"POST /api/v1/referrals", "GET /api/v1/referrals/{reference}", "POST /api/v1/stock/import",
            "POST /api/v1/hospital-activity", "GET /api/v1/kpis"} <= set(names)


def test_errors_are_documented_as_problem_details(served):
    for name, operation in _operations(served):
        if "/fhir" in name:
            continue  # FHIR answers its errors as OperationOutcome (application/fhir+json)
        for status, response in operation["responses"].items():
            if status.startswith("4"):
                assert list(response["content"]) == ["application/problem+json"], (name, status)
                assert response["content"]["application/problem+json"]["schema"] == {
                    "$ref": "#/components/schemas/Problem"}
            else:
                assert list(response["content"]) == ["application/json"], (name, status)


def test_every_operation_with_a_body_documents_an_unreadable_one(served):
    for name, operation in _operations(served):
        if "requestBody" in operation:
            assert "400" in operation["responses"], name
