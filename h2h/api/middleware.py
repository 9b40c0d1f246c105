from h2h.audit.models import AuditEvent
from h2h.audit.services import audit_record

API_PREFIX = "/api/"
_ACTIONS = {"GET": AuditEvent.Action.VIEW, "HEAD": AuditEvent.Action.VIEW, "POST": AuditEvent.Action.CREATE}


class ApiAuditMiddleware:
    """Every API call leaves an audit row, refused ones included: who (client), what (method, path), result.

    Endpoints that touch a person's record add their own row naming the person; this one is the trail of calls.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(API_PREFIX):
            client = getattr(request, "api_client", None)
            if response.status_code in (401, 403):
                action = AuditEvent.Action.DENIED
            else:
                action = _ACTIONS.get(request.method, AuditEvent.Action.CHANGE)
            audit_record(
                request,
                action,
                object_type="api_call",
                object_id=client.token_prefix if client else "",
                summary=f"{request.method} {request.path} → {response.status_code}"
                + (f" ({client.name})" if client else ""),
            )
        return response
