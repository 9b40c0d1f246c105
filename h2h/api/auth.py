"""Bearer-token authentication: the token names a client, the client's service account is the request's user."""

from ninja.security import HttpBearer

from h2h.api.problems import ApiProblem
from h2h.api.services import client_for_token


class TokenAuth(HttpBearer):
    """A valid token, and (when roles are given) a client acting in one of them.

    The role is checked here, before the body is read: a client that may not make the call is told so (403)
    whatever it sent, rather than having its body validated first.
    """

    openapi_description = "An API client token (`Authorization: Bearer h2h_…`), issued by an administrator."

    def __init__(self, *roles: str):
        super().__init__()
        self.roles = frozenset(roles)

    def authenticate(self, request, token):
        client = client_for_token(token)
        if client is None:
            return None
        # From here on the request is the client's service account: views, scoping and the audit trail
        # treat it as a user with the client's role and organisation.
        request.user = client.user
        request.api_client = client
        if self.roles:
            require_role(request, *self.roles)
        return client


def require_role(request, *roles: str) -> None:
    """Refuse the call unless the client acts in one of these roles."""
    if request.user.role not in roles:
        raise ApiProblem(
            403, "Not allowed", f"This client's token does not allow this call (it acts as {request.user.role})."
        )
