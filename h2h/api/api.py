"""The H2H API: one django-ninja API whose OpenAPI 3 description is served at /api/v1/openapi.json and kept
in the repository as docs/api/openapi.json (tests/test_api_openapi.py keeps the two equal).

Routers live with their stage's code (h2h/api/routers/…); this module wires authentication and the problem
details every error is answered with.
"""

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from h2h.api.auth import TokenAuth
from h2h.api.problems import ApiProblem, field_name, problem

api = NinjaAPI(
    title="H2H API",
    version="1",
    description=(
        "Create referrals and read their status, push stock and void changes, upload hospital activity files "
        "and read aggregate KPIs. Every call needs a client token (`Authorization: Bearer …`) and is audited. "
        "Errors are RFC 9457 problem details naming the field at fault. Guide: docs/api.md."
    ),
    auth=TokenAuth(),
    urls_namespace="api",
    docs_url=None,  # the interactive page loads scripts from a CDN; the description and docs/api.md suffice
)


@api.exception_handler(ValidationError)
def _invalid(request, exc):
    errors = [{"field": field_name(e.get("loc", ())), "message": e.get("msg", "Not valid")} for e in exc.errors]
    count = len(errors)
    return problem(422, "Invalid request", f"{count} field{'s' if count != 1 else ''} not valid.", errors)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    response = problem(401, "Not signed in", "Send a valid, unrevoked client token as 'Authorization: Bearer …'.")
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(ApiProblem)
def _problem(request, exc):
    return problem(exc.status, exc.title, exc.detail, exc.errors)


@api.exception_handler(HttpError)
def _http_error(request, exc):
    return problem(exc.status_code, str(exc) or "Error")


@api.exception_handler(Http404)
def _not_found(request, exc):
    return problem(404, "Not found", "There is no such record, or this client may not see it.")


def _add_routers() -> None:
    # Imported here so that each router module can import `api`-free helpers without a cycle.
    from h2h.api.routers import ROUTERS

    for prefix, router in ROUTERS:
        api.add_router(prefix, router)


_add_routers()
