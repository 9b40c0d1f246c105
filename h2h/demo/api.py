"""Demo API clients: one for each use in the API guide (docs/api.md), with fixed tokens so that the guide's
curl examples run as written against the demo (bin/demo), plus one revoked client to show that a revoked token
is refused.

The tokens are published on purpose and are for the demo only: a real client's token is random and shown once.
Each prefix (the part after "h2h_") fits ApiClient.token_prefix (12 characters).
"""

from h2h.accounts.models import Organisation, User
from h2h.accounts.roles import Role
from h2h.api.models import ApiClient
from h2h.api.services import client_create, client_revoke

DEMO_SECRET = "DEMO-ONLY-not-a-secret"  # noqa: S105 - published on purpose: it calls the API on fake data only
REFERRER_TOKEN = f"h2h_demoreferrer_{DEMO_SECRET}"
LETTINGS_TOKEN = f"h2h_demolettings_{DEMO_SECRET}"
EVALUATOR_TOKEN = f"h2h_demoeval_{DEMO_SECRET}"
COMMISSIONER_TOKEN = f"h2h_democomm_{DEMO_SECRET}"
REVOKED_TOKEN = f"h2h_demorevoked_{DEMO_SECRET}"

SERVICE = "@service"  # the area's service organisation (the housing provider), as in h2h/demo/generate.py

# (name, organisation code, role, contact email, token)
CLIENTS = (
    ("NUH discharge system (demo)", "NUH", Role.REFERRER, "discharge.system@example.org", REFERRER_TOKEN),
    ("Housing management system (demo)", SERVICE, Role.LETTINGS_OFFICER, "hms.support@example.org",
     LETTINGS_TOKEN),
    ("Information team uploads (demo)", "ICB", Role.EVALUATOR, "information.team@example.org",
     EVALUATOR_TOKEN),
    ("ICB KPI dashboard (demo)", "ICB", Role.COMMISSIONER, "", COMMISSIONER_TOKEN),
)
REVOKED = ("Old NUH discharge system (demo)", "NUH", Role.REFERRER, "discharge.system@example.org",
           REVOKED_TOKEN)


def seed_api_clients(*, orgs: dict[str, Organisation], by: User) -> list[ApiClient]:
    """Create the demo clients, `by` the demo administrator; the last one revoked."""
    clients = []
    for name, org, role, email, token in (*CLIENTS, REVOKED):
        client, _ = client_create(name=name, organisation=orgs[org], role=role, by=by, contact_email=email,
                                  token=token)
        clients.append(client)
    client_revoke(client=clients[-1], by=by)
    return clients
