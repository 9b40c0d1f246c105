"""A7 (ASVS 7.4.2, 8.3.2; Zulip CVE-2016-4427): revocation takes effect on the very next request.

A user holds a live session (a real sign-in through the sign-in page, so the session row exists) and opens a
case; then, without signing out, they are deactivated, moved to another role or organisation, or their API
client's token is revoked. The next request on the same session (or with the same token) is refused.
"""

from importlib import import_module

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from h2h.accounts.roles import Role
from tests.factories import make_case, make_org, make_user, referrer_org, service_org

pytestmark = pytest.mark.django_db
PASSWORD = "a7-Correct-Horse-Battery"  # noqa: S105 - a test password


def _signed_in(user) -> Client:
    user.set_password(PASSWORD)
    user.save()
    client = Client()
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302 and "sign-in" not in response["Location"], "sign-in failed"
    return client


def _sessions_of(user) -> int:
    """Server-side session rows that hold this user (database sessions)."""
    store = import_module(django_settings.SESSION_ENGINE).SessionStore
    return sum(
        1
        for s in Session.objects.all()
        if store().decode(s.session_data).get("_auth_user_id") == str(user.pk)
    )


@pytest.fixture
def hhc_with_case():
    user = make_user(Role.HHC)
    case = make_case(assigned_to=user)
    return user, case


def test_deactivated_user_is_refused_on_the_next_request(hhc_with_case):
    """A7: deactivation ends access at once; the old session cookie is sent to sign-in."""
    user, case = hhc_with_case
    client = _signed_in(user)
    url = reverse("cases:detail", args=[case.pk])
    assert client.get(url).status_code == 200
    user.is_active = False
    user.save()
    response = client.get(url)
    assert response.status_code == 302 and "/sign-in/" in response["Location"]
    assert (
        client.post(reverse("cases:note", args=[case.pk]), {"text": "after deactivation"}).status_code == 302
    )
    assert not case.notes.filter(text__contains="after deactivation").exists()


def test_deactivation_deletes_the_users_sessions(hhc_with_case):
    """A7: all of a deactivated user's server-side sessions are deleted (remaining rows = 0)."""
    user, _case = hhc_with_case
    _signed_in(user)
    _signed_in(user)
    assert _sessions_of(user) == 2
    user.is_active = False
    user.save()
    assert _sessions_of(user) == 0


@pytest.mark.parametrize("new_role", [Role.COMMISSIONER, Role.REFERRER, Role.LETTINGS_OFFICER, ""])
def test_role_change_takes_effect_on_the_next_request(hhc_with_case, new_role):
    """A7: a role removed mid-session: the next request shows only the new role's scope (case "not found")."""
    user, case = hhc_with_case
    client = _signed_in(user)
    urls = [
        reverse("cases:detail", args=[case.pk]),
        reverse("support:case", args=[case.pk]),
        reverse("cases:list"),
    ]
    assert [client.get(u).status_code for u in urls] == [200, 200, 200]
    user.role = new_role
    user.save()
    answers = [client.get(u).status_code for u in urls[:2]]
    assert answers == [404, 404], answers
    body = client.get(urls[2]).content.decode()
    assert case.person.last_name not in body


def test_move_to_another_organisation_takes_effect_on_the_next_request(hhc_with_case):
    """A7: moved to another service mid-session: the old service's case is "not found" on the next request."""
    user, case = hhc_with_case
    client = _signed_in(user)
    url = reverse("cases:detail", args=[case.pk])
    assert client.get(url).status_code == 200
    user.organisation = make_org("OTHERSVC", name="Another housing service")
    user.save()
    assert client.get(url).status_code == 404


def test_case_transferred_to_another_service_leaves_the_old_scope(hhc_with_case):
    """A7: a case moved to another service is "not found" to the old service's staff on the next request."""
    user, case = hhc_with_case
    client = _signed_in(user)
    url = reverse("cases:detail", args=[case.pk])
    assert client.get(url).status_code == 200
    case.service = make_org("OTHERSVC", name="Another housing service")
    case.save(update_fields=["service"])
    assert client.get(url).status_code == 404


def test_revoked_api_token_is_refused_on_the_next_request(client):
    """A7: an API client's token revoked by the administrator (through the revoke page) is refused (401)
    on the very next call; the client's service account is deactivated."""
    from h2h.api.models import ApiClient
    from h2h.api.services import client_create

    administrator = make_user(Role.ADMINISTRATOR, organisation=service_org())
    api_client, token = client_create(
        name="Ward system", organisation=referrer_org(), role=Role.REFERRER, by=administrator
    )
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.get("/api/v1/me").status_code == 200
    assert api.get("/api/v1/referrals").status_code == 200
    admin = _signed_in(administrator)
    assert admin.post(reverse("api_clients:revoke", args=[api_client.pk])).status_code == 302
    assert api.get("/api/v1/me").status_code == 401
    assert api.get("/api/v1/referrals").status_code == 401
    api_client = ApiClient.objects.select_related("user").get(pk=api_client.pk)
    assert api_client.revoked_at is not None and not api_client.user.is_active


def test_deactivated_api_service_account_is_refused(client):
    """A7: deactivating an API client's service account (without revoking) stops its token at once."""
    from h2h.api.services import client_create

    administrator = make_user(Role.ADMINISTRATOR, organisation=service_org())
    api_client, token = client_create(
        name="Lettings feed", organisation=service_org(), role=Role.LETTINGS_OFFICER, by=administrator
    )
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.get("/api/v1/me").status_code == 200
    api_client.user.is_active = False
    api_client.user.save()
    assert api.get("/api/v1/me").status_code == 401
