"""The administrator's pages for API clients: the list, creating one (its token shown once), revoking one.

Administrators only; anyone else gets "not found". The token is shown only in the body of the answer to the
POST that made it (never in a redirect, a link or a message that lands in history, logs or the session), and
the page is not stored by the browser (h2h.lib.middleware.NoStoreMiddleware). Creating and revoking a client
are audited; the list holds no one's personal data, so viewing it is not.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from h2h.accounts.roles import Role
from h2h.api.forms import ClientForm
from h2h.api.models import ApiClient
from h2h.api.services import ApiClientRefused, client_create, client_revoke
from h2h.audit.models import AuditEvent
from h2h.audit.services import audit_record


def _require_administrator(request) -> None:
    if not request.user.has_role(Role.ADMINISTRATOR):
        raise Http404


@login_required
def client_list(request):
    _require_administrator(request)
    clients = ApiClient.objects.select_related("user__organisation", "created_by", "revoked_by")
    clients = sorted(clients, key=lambda c: (not c.active, c.name))
    return render(request, "api/list.html", {"clients": clients})


@login_required
@require_http_methods(["GET", "POST"])
def client_new(request):
    _require_administrator(request)
    form = ClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            client, token = client_create(
                name=data["name"], organisation=data["organisation"], role=data["role"], by=request.user,
                contact_email=data["contact_email"],
            )
        except ApiClientRefused as refused:
            form.add_error(None, str(refused))
        else:
            audit_record(request, AuditEvent.Action.CREATE, object_type="api_client",
                         object_id=client.token_prefix,
                         summary=f"API client created: {client.name} ({data['organisation'].code}, "
                                 f"{Role(data['role']).label})")
            return render(request, "api/created.html", {"client": client, "token": token})
    return render(request, "api/new.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def client_revoke_page(request, client_id: int):
    _require_administrator(request)
    clients = ApiClient.objects.select_related("user__organisation", "revoked_by")
    client = get_object_or_404(clients, pk=client_id)
    if request.method == "POST" and client.revoked_at is None:
        client_revoke(client=client, by=request.user)
        audit_record(request, AuditEvent.Action.CHANGE, object_type="api_client",
                     object_id=client.token_prefix, summary=f"API client revoked: {client.name}")
        tell = f" Tell {client.contact_email} that it has stopped working." if client.contact_email else ""
        messages.success(request, f"{client.name} can no longer call the API.{tell}")
        return redirect("api_clients:list")
    return render(request, "api/revoke.html", {"client": client})
