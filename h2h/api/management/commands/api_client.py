"""Create, list and revoke API clients from the command line, as on the administrator's API clients page.

    h2h api_client create --name "NUH discharge system" --organisation NUH --role referrer \
        [--email it@example.org] --user ADMINISTRATOR
    h2h api_client list
    h2h api_client revoke PREFIX --user ADMINISTRATOR

`create` prints the token once; it cannot be shown again.
"""

from types import SimpleNamespace

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.utils import timezone

from h2h.accounts.models import Organisation, User
from h2h.accounts.roles import Role
from h2h.api.models import ApiClient
from h2h.api.services import API_ROLES, ApiClientRefused, client_create, client_revoke
from h2h.audit.models import AuditEvent
from h2h.audit.services import audit_record


class Command(BaseCommand):
    help = "Create, list or revoke API clients. The token of a new client is printed once."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{create,list,revoke}")
        create = actions.add_parser("create", help="Create a client and print its token")
        create.add_argument("--name", required=True, help="What the system is, e.g. 'NUH discharge system'")
        create.add_argument("--organisation", required=True,
                            help="Code of the organisation it belongs to, e.g. NUH")
        create.add_argument("--role", required=True, choices=list(API_ROLES), help="What it may do")
        create.add_argument("--email", default="", help="Who to tell when its token is revoked")
        create.add_argument("--user", required=True,
                            help="Username of the administrator creating it (audited)")
        actions.add_parser("list", help="List the clients (never their tokens)")
        revoke = actions.add_parser("revoke", help="Stop a client's token working, at once")
        revoke.add_argument("prefix", help="The token's prefix: the part after h2h_, as the list shows it")
        revoke.add_argument("--user", required=True,
                            help="Username of the administrator revoking it (audited)")

    def handle(self, *args, action, **options):
        getattr(self, f"_{action}")(**options)

    def _create(self, *, name, organisation, role, email, user, **_):
        by = _administrator(user)
        org = Organisation.objects.filter(code__iexact=organisation).first()
        if org is None:
            codes = ", ".join(Organisation.objects.values_list("code", flat=True))
            raise CommandError(f"No organisation has the code {organisation!r}. Codes: {codes or 'none yet'}")
        if email:
            try:
                validate_email(email)
            except ValidationError:
                raise CommandError(f"{email!r} is not an email address") from None
        try:
            client, token = client_create(name=name, organisation=org, role=role, by=by, contact_email=email)
        except ApiClientRefused as refused:
            raise CommandError(str(refused)) from None
        _audit(by, AuditEvent.Action.CREATE, client, f"API client created: {client.name} ({org.code}, "
                                                     f"{Role(role).label})")
        self.stdout.write(f"Created {client.name} ({org.code}, {Role(role).label}).")
        self.stdout.write("Its token, shown only this once (copy it now):")
        self.stdout.write(token)

    def _list(self, **_):
        rows = [
            (f"h2h_{c.token_prefix}_…", c.name, c.user.organisation.code if c.user.organisation else "",
             c.user.role, _when(c.created_at), _when(c.last_used_at) or "never",
             _status(c))
            for c in ApiClient.objects.select_related("user__organisation")
        ]
        if not rows:
            self.stdout.write("No API clients.")
            return
        header = ("Token", "Name", "Organisation", "Role", "Created", "Last used", "Status")
        widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
        for row in [header, *rows]:
            self.stdout.write("  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())

    def _revoke(self, *, prefix, user, **_):
        by = _administrator(user)
        prefix = prefix.removeprefix("h2h_").split("_")[0]
        client = ApiClient.objects.filter(token_prefix=prefix).first()
        if client is None:
            raise CommandError(f"No API client's token starts h2h_{prefix}_ (see: h2h api_client list)")
        if client.revoked_at is not None:
            self.stdout.write(f"{client.name} was already revoked on {_when(client.revoked_at)}.")
            return
        client_revoke(client=client, by=by)
        _audit(by, AuditEvent.Action.CHANGE, client, f"API client revoked: {client.name}")
        tell = f" Tell {client.contact_email}." if client.contact_email else ""
        self.stdout.write(f"Revoked {client.name}: its token no longer works.{tell}")


def _administrator(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None or not user.has_role(Role.ADMINISTRATOR):
        raise CommandError(f"{username!r} is not an active administrator's username")
    return user


def _audit(by: User, action: str, client: ApiClient, summary: str) -> None:
    # audit_record reads the user, address and path from a request; a command has none of its own.
    stand_in = SimpleNamespace(user=by, META={}, path="h2h api_client")
    audit_record(stand_in, action, object_type="api_client", object_id=client.token_prefix, summary=summary)


def _status(client: ApiClient) -> str:
    if client.revoked_at:
        return f"revoked {_when(client.revoked_at)}"
    return "active" if client.active else "account inactive"


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""
