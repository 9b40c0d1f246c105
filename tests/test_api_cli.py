"""`h2h api_client create | list | revoke`: the administrator's page, from the command line."""

import re
import shlex
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from h2h.accounts.roles import Role
from h2h.api.models import ApiClient
from h2h.api.services import client_create, client_for_token
from h2h.audit.models import AuditEvent
from tests.factories import make_user, referrer_org

pytestmark = pytest.mark.django_db


def _run(*args) -> str:
    out = StringIO()
    call_command("api_client", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def admin():
    referrer_org()
    return make_user(Role.ADMINISTRATOR, username="chris")


def _create(*extra) -> tuple[ApiClient, str]:
    out = _run("create", "--name", "NUH discharge system", "--organisation", "nuh", "--role", "referrer",
               "--user", "chris", *extra)
    token = out.strip().splitlines()[-1]
    return ApiClient.objects.get(), token


def test_create_prints_a_working_token_once_and_audits_it(admin):
    client, token = _create("--email", "it@example.org")
    assert client_for_token(token) == client
    assert (client.user.role, client.user.organisation.code, client.contact_email, client.created_by) == (
        Role.REFERRER, "NUH", "it@example.org", admin)
    event = AuditEvent.objects.get(object_type="api_client")
    assert (event.action, event.username, event.object_id) == ("create", "chris", client.token_prefix)
    assert token not in _run("list")


def test_list_shows_prefix_organisation_role_and_status(admin):
    client, _ = _create()
    out = _run("list")
    header, row = out.splitlines()
    assert header.split()[:4] == ["Token", "Name", "Organisation", "Role"]
    assert f"h2h_{client.token_prefix}_…" in row and "NUH" in row and "referrer" in row
    assert row.endswith("active") and "never" in row


def test_list_with_no_clients_says_so():
    assert _run("list").strip() == "No API clients."


def test_revoke_by_prefix_stops_the_token(admin):
    client, token = _create()
    out = _run("revoke", client.token_prefix, "--user", "chris")
    assert "Revoked NUH discharge system" in out
    assert client_for_token(token) is None
    client.refresh_from_db()
    assert client.revoked_by == admin
    assert "revoked " in _run("list").splitlines()[1]
    assert AuditEvent.objects.filter(object_type="api_client", action="change").count() == 1
    # The token's start, as the list prints it, is accepted too; a second revoke changes nothing.
    assert "already revoked" in _run("revoke", f"h2h_{client.token_prefix}_…", "--user", "chris")
    assert AuditEvent.objects.filter(object_type="api_client", action="change").count() == 1


@pytest.mark.parametrize(("args", "message"), [
    (["--organisation", "NOPE", "--role", "referrer", "--user", "chris"],
     "No organisation has the code 'NOPE'"),
    (["--organisation", "NUH", "--role", "referrer", "--user", "nobody"], "not an active administrator"),
    (["--organisation", "NUH", "--role", "referrer", "--user", "chris", "--email", "nope"], "not an email"),
])
def test_create_refuses_bad_input_and_creates_nothing(admin, args, message):
    with pytest.raises(CommandError, match=message):
        _run("create", "--name", "X", *args)
    assert not ApiClient.objects.exists()


def test_only_api_roles_are_accepted(admin):
    with pytest.raises(CommandError, match="invalid choice"):
        _run("create", "--name", "X", "--organisation", "NUH", "--role", "hhc", "--user", "chris")


def test_a_non_administrator_cannot_create_or_revoke(admin):
    client, _ = _create()
    make_user(Role.PROJECT_MANAGER, username="pm")
    with pytest.raises(CommandError, match="not an active administrator"):
        _run("revoke", client.token_prefix, "--user", "pm")
    assert ApiClient.objects.get().revoked_at is None


def test_revoking_an_unknown_prefix_is_an_error(admin):
    with pytest.raises(CommandError, match="No API client's token starts h2h_abcd1234_"):
        _run("revoke", "abcd1234", "--user", "chris")


def _guide_commands() -> list[list[str]]:
    """Each `h2h api_client …` command in docs/api.md, its continuation lines joined."""
    text = (Path(__file__).resolve().parent.parent / "docs" / "api.md").read_text(encoding="utf-8")
    text = re.sub(r"\\\n\s*", " ", text)
    lines = [line.strip() for line in text.splitlines()]
    return [shlex.split(line)[2:] for line in lines if line.startswith("h2h api_client ")]


def test_the_commands_in_the_api_guide_work_as_written():
    referrer_org()
    make_user(Role.ADMINISTRATOR, username="administrator")
    # The guide's revoke example names a client by the prefix 3f9a1c2e.
    client_create(name="Old system", organisation=referrer_org(), role=Role.REFERRER,
                  by=make_user(Role.ADMINISTRATOR), token="h2h_3f9a1c2e_not-a-real-secret")  # noqa: S106 - a test token
    commands = _guide_commands()
    assert [c[0] for c in commands] == ["create", "list", "revoke"]
    for command in commands:
        _run(*command)
    assert ApiClient.objects.get(name="NUH discharge system").active
    assert ApiClient.objects.get(token_prefix="3f9a1c2e").revoked_at is not None  # noqa: S106 - not a secret
