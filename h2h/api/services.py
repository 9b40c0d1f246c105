"""Issuing, finding and revoking API client tokens."""

import hmac
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from h2h.accounts.models import Organisation, User
from h2h.accounts.roles import Role
from h2h.api.models import ApiClient, token_digest

# The roles a system may act in, and what each is for (docs/api.md). Service roles are people's work:
# no system moves a case on a coordinator's behalf.
API_ROLES = {
    Role.REFERRER: "create referrals and read their status",
    Role.LETTINGS_OFFICER: "push stock and void changes",
    Role.EVALUATOR: "upload hospital activity files",
    Role.COMMISSIONER: "read aggregate KPIs",
}
TOKEN_START = "h2h_"
# last_used_at is a hint for administrators, not an audit record (the audit log has every call): writing it
# on every request would turn each read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=5)


class ApiClientRefused(Exception):
    """A client that cannot be created as asked; the message names what is wrong."""


def client_create(
    *, name: str, organisation: Organisation, role: str, by: User, contact_email: str = "",
    token: str | None = None,
) -> tuple[ApiClient, str]:
    """A new client with its own service account. Returns the client and the token, shown only this once.

    `token` is for the demo only, so that the documented curl examples work against it.
    """
    if role not in API_ROLES:
        allowed = ", ".join(Role(r).label for r in API_ROLES)
        raise ApiClientRefused(f"An API client acts as one of: {allowed}.")
    name = name.strip()
    if not name:
        raise ApiClientRefused("Enter the name of the system.")
    token = token or f"{TOKEN_START}{secrets.token_hex(4)}_{secrets.token_urlsafe(32)}"
    prefix = token.split("_", 2)[1]  # h2h_<prefix>_<secret>
    with transaction.atomic():
        user = User(
            username=f"api-{prefix}",
            first_name=name[:150],
            organisation=organisation,
            role=role,
            job_title="API client",
        )
        user.set_unusable_password()  # a service account never signs in to the web pages
        user.save()
        client = ApiClient.objects.create(
            name=name, user=user, token_prefix=prefix, token_hash=token_digest(token),
            contact_email=contact_email, created_by=by,
        )
    return client, token


def client_revoke(*, client: ApiClient, by: User) -> ApiClient:
    """Stop the token working at once. The client and its audit trail stay."""
    if client.revoked_at is None:
        client.revoked_at = timezone.now()
        client.revoked_by = by
        client.save(update_fields=["revoked_at", "revoked_by"])
        User.objects.filter(pk=client.user_id).update(is_active=False)
    return client


def client_for_token(token: str) -> ApiClient | None:
    """The active client whose token this is; None for an unknown, revoked or malformed token."""
    if not token or len(token) > 200 or not token.startswith(TOKEN_START):
        return None
    digest = token_digest(token)
    client = (
        ApiClient.objects.select_related("user", "user__organisation")
        .filter(token_hash=digest, revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if client is None or not hmac.compare_digest(client.token_hash, digest):
        return None
    now = timezone.now()
    if client.last_used_at is None or now - client.last_used_at > LAST_USED_RESOLUTION:
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
        client.last_used_at = now
    return client
