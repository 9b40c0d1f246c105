"""API client tokens: issued once, stored as a hash, revocable; every call audited; errors as problem details."""

import pytest
from django.test import Client

from h2h.accounts.roles import Role
from h2h.api.models import ApiClient, token_digest
from h2h.api.services import ApiClientRefused, client_create, client_revoke
from h2h.audit.models import AuditEvent
from tests.factories import make_user, referrer_org

pytestmark = pytest.mark.django_db


def _client(role=Role.REFERRER):
    admin = make_user(Role.ADMINISTRATOR)
    return client_create(name="NUH discharge system", organisation=referrer_org(), role=role, by=admin)


def test_token_is_stored_only_as_its_hash():
    client, token = _client()
    stored = ApiClient.objects.get(pk=client.pk)
    assert token.startswith("h2h_") and token not in (stored.token_hash, stored.token_prefix)
    assert stored.token_hash == token_digest(token)
    assert not stored.user.has_usable_password()


def test_service_roles_cannot_hold_tokens():
    with pytest.raises(ApiClientRefused):
        _client(role=Role.HHC)


def test_me_answers_with_the_clients_role_and_audits_the_call(client):
    api_client, token = _client()
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json() == {"client": "NUH discharge system", "role": "referrer", "organisation": "NUH"}
    event = AuditEvent.objects.filter(object_type="api_call").latest("id")
    assert event.username == api_client.user.username and event.action == "view"
    assert "GET /api/v1/me → 200" in event.summary


@pytest.mark.parametrize("header", ["", "Bearer nonsense", "Bearer h2h_abcd_wrong", "Basic dXNlcjpwYXNz"])
def test_missing_or_wrong_token_is_a_401_problem(client, header):
    _client()
    response = client.get("/api/v1/me", headers={"Authorization": header} if header else {})
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 401 and response["WWW-Authenticate"] == "Bearer"
    assert AuditEvent.objects.filter(object_type="api_call", action="denied").count() == 1


def test_revoked_token_stops_working_at_once(client):
    api_client, token = _client()
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    client_revoke(client=api_client, by=make_user(Role.ADMINISTRATOR))
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_openapi_description_is_served_without_a_token(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.json()["openapi"].startswith("3.")


def test_a_client_in_the_wrong_role_is_refused_before_its_body_is_read(client):
    _, token = _client(role=Role.COMMISSIONER)
    response = client.post(
        "/api/v1/referrals", data="{not json", content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 403 and response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("path", ["/api/v1/nothing-here", "/api/v1/fhir/Task/", "/api/v2/referrals"])
def test_an_address_under_api_that_is_no_endpoint_answers_in_json(path):
    client = Client(enforce_csrf_checks=True)  # as a system calling the API: no CSRF cookie or token
    for response in (client.get(path), client.post(path, data={})):
        assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"
    assert AuditEvent.objects.filter(object_type="api_call", summary__contains="→ 404").exists()
