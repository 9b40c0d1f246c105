"""The administrator's API client pages: list, create (token shown once), revoke; administrators only."""

import pytest

from h2h.accounts.roles import Role
from h2h.api.models import ApiClient, token_digest
from h2h.api.services import client_create
from h2h.audit.models import AuditEvent
from tests.factories import make_user, referrer_org

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client):
    user = make_user(Role.ADMINISTRATOR, first_name="Chris", last_name="Bell")
    client.force_login(user)
    return user


def _answers(**overrides):
    return {"name": "NUH discharge system", "organisation": str(referrer_org().pk), "role": "referrer",
            "contact_email": "it@example.org", **overrides}


def test_creating_a_client_shows_its_token_once_and_audits_it(client, admin):
    response = client.post("/api-clients/new/", _answers())
    assert response.status_code == 200
    stored = ApiClient.objects.get()
    body = response.content.decode()
    token = body.split('id="api-token" type="text" value="')[1].split('"')[0]
    assert token.startswith(f"h2h_{stored.token_prefix}_") and token_digest(token) == stored.token_hash
    assert "Copy the token now" in body and "only time it is shown" in body
    assert "no-store" in response["Cache-Control"]
    assert (stored.name, stored.user.role, stored.user.organisation.code, stored.contact_email) == (
        "NUH discharge system", Role.REFERRER, "NUH", "it@example.org")
    assert stored.created_by == admin
    event = AuditEvent.objects.get(object_type="api_client")
    assert (event.action, event.username, event.object_id) == ("create", admin.username, stored.token_prefix)
    # The token works, and is never shown again: not on the list, not in the audit trail.
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    listing = client.get("/api-clients/").content.decode()
    assert "NUH discharge system" in listing and f"<code>{stored.token_prefix}</code>" in listing
    assert token not in listing
    assert not AuditEvent.objects.filter(summary__contains=token.split("_", 2)[2]).exists()


@pytest.mark.parametrize(("overrides", "message", "anchor"), [
    ({"name": "  "}, "Enter the name of the system", "id_name"),
    ({"organisation": ""}, "Choose the organisation the system belongs to", "id_organisation"),
    ({"role": "hhc"}, "Select one of the roles listed", "id_role_0"),
    ({"role": ""}, "Select what the system may do", "id_role_0"),
    ({"contact_email": "not an address"}, "Enter an email address in the correct format", "id_contact_email"),
])
def test_bad_answers_are_listed_and_what_was_typed_is_kept(client, admin, overrides, message, anchor):
    response = client.post("/api-clients/new/", _answers(**overrides))
    assert response.status_code == 200 and not ApiClient.objects.exists()
    body = response.content.decode()
    assert "There is a problem" in body and f'href="#{anchor}"' in body and message in body
    assert "<title>Error: " in body
    if "name" not in overrides:
        assert 'value="NUH discharge system"' in body
    if "contact_email" in overrides:
        assert 'value="not an address"' in body


def test_the_form_offers_the_api_roles_only(client, admin):
    body = client.get("/api-clients/new/").content.decode()
    assert body.count('class="govuk-radios__input"') == 4
    for role in ("referrer", "lettings_officer", "evaluator", "commissioner"):
        assert f'value="{role}"' in body
    assert 'value="hhc"' not in body


def test_revoking_asks_first_then_stops_the_token_and_audits_it(client, admin):
    api_client, token = client_create(name="HMS", organisation=referrer_org(), role=Role.LETTINGS_OFFICER,
                                      by=admin, contact_email="hms@example.org")
    page = client.get(f"/api-clients/{api_client.pk}/revoke/")
    assert page.status_code == 200 and "Are you sure you want to revoke HMS?" in page.content.decode()
    assert ApiClient.objects.get().revoked_at is None  # a GET changes nothing
    response = client.post(f"/api-clients/{api_client.pk}/revoke/", follow=True)
    body = response.content.decode()
    assert response.redirect_chain[-1][0] == "/api-clients/"
    assert "HMS can no longer call the API" in body and "hms@example.org" in body and "Revoked" in body
    revoked = ApiClient.objects.get()
    assert revoked.revoked_at is not None and revoked.revoked_by == admin
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    event = AuditEvent.objects.get(object_type="api_client")
    assert (event.action, event.object_id) == ("change", api_client.token_prefix)
    # Revoking again changes nothing and says so.
    again = client.get(f"/api-clients/{api_client.pk}/revoke/").content.decode()
    assert "already revoked" in again
    client.post(f"/api-clients/{api_client.pk}/revoke/")
    assert AuditEvent.objects.filter(object_type="api_client").count() == 1


def test_the_list_shows_each_clients_details(client, admin):
    client_create(name="ICB dashboard", organisation=referrer_org(), role=Role.COMMISSIONER, by=admin)
    body = client.get("/api-clients/").content.decode()
    for text in ("ICB dashboard", "NUH", "Commissioner", "Chris Bell", "Never", "Revoke"):
        assert text in body


@pytest.mark.parametrize("role", [r for r in Role if r != Role.ADMINISTRATOR])
def test_only_administrators_reach_the_pages(client, role):
    other = make_user(role)
    api_client, _ = client_create(name="HMS", organisation=referrer_org(), role=Role.REFERRER,
                                  by=make_user(Role.ADMINISTRATOR))
    client.force_login(other)
    for url in ("/api-clients/", "/api-clients/new/", f"/api-clients/{api_client.pk}/revoke/"):
        assert client.get(url).status_code == 404
    assert client.post("/api-clients/new/", _answers()).status_code == 404
    assert client.post(f"/api-clients/{api_client.pk}/revoke/").status_code == 404
    assert ApiClient.objects.get().revoked_at is None and ApiClient.objects.count() == 1


def test_signed_out_people_are_sent_to_sign_in(client):
    response = client.get("/api-clients/")
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")


def test_the_administrator_has_an_api_clients_link(client, admin):
    body = client.get("/api-clients/").content.decode()
    assert 'href="/api-clients/"' in body and "API clients" in body
