"""The H2H API: one django-ninja API whose OpenAPI 3 description is served at /api/v1/openapi.json and kept
in the repository as docs/api/openapi.json (tests/test_api_openapi.py keeps the two equal).

Routers live with their stage's code (h2h/api/routers/…); this module wires authentication and the problem
details every error is answered with.
"""

import json
from http import HTTPStatus

from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from h2h.api.auth import TokenAuth
from h2h.api.problems import PROBLEM_TYPE, ApiProblem, field_name, problem

PROBLEM_REF = "#/components/schemas/Problem"


class JsonParser(Parser):
    def parse_body(self, request):
        data = json.loads(request.body)
        # "\ud800" is valid JSON but no valid text: refused here (400) rather than failing in the database.
        json.dumps(data, ensure_ascii=False).encode()
        return data


class H2HApi(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """ninja documents every response as application/json; errors are answered as problem details
        (application/problem+json), and the description must say so for clients and for schemathesis."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for operations in schema["paths"].values():
            for operation in operations.values():
                for response in operation.get("responses", {}).values():
                    content = response.get("content", {})
                    if content.get("application/json", {}).get("schema") == {"$ref": PROBLEM_REF}:
                        content[PROBLEM_TYPE] = content.pop("application/json")
        return schema


api = H2HApi(
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
    parser=JsonParser(),
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
    # ninja raises HttpError(400) for a body that is not JSON
    return problem(exc.status_code, HTTPStatus(exc.status_code).phrase, str(exc))


@api.exception_handler(MultiPartParserError)
@api.exception_handler(RequestDataTooBig)
def _unreadable(request, exc):
    return problem(400, "Bad Request", "The request body could not be read.")


@api.exception_handler(Http404)
def _not_found(request, exc):
    return problem(404, "Not found", "There is no such record, or this client may not see it.")


def _add_routers() -> None:
    # Imported here so that each router module can import `api`-free helpers without a cycle.
    from h2h.api.routers import ROUTERS

    for prefix, router in ROUTERS:
        api.add_router(prefix, router)


_add_routers()


@csrf_exempt  # API clients send no CSRF token: a POST to a wrong address must also get the JSON 404
def no_such_endpoint(request, rest=""):
    """Any /api/ address that is not an endpoint answers as the API does (JSON), not with the HTML 404 page."""
    return problem(404, "Not found", f"There is no API endpoint at {request.path}. See /api/v1/openapi.json.")
