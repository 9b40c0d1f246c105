"""Errors as RFC 9457 problem details (application/problem+json), each naming the field at fault.

Every error the API returns has this shape, so a client needs one error handler:

    {"type": "about:blank", "title": "Invalid request", "status": 422,
     "detail": "2 fields are not valid.", "errors": [{"field": "person.nhs_number", "message": "..."}]}
"""

from django.http import JsonResponse
from ninja import Schema

PROBLEM_TYPE = "application/problem+json"


class FieldError(Schema):
    field: str
    message: str


class Problem(Schema):
    type: str = "about:blank"
    title: str
    status: int
    detail: str = ""
    errors: list[FieldError] = []


def problem(status: int, title: str, detail: str = "", errors: list[dict] | None = None) -> JsonResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, "errors": errors or []}
    return JsonResponse(body, status=status, content_type=PROBLEM_TYPE)


class ApiProblem(Exception):
    """Raised by an endpoint to answer with a problem; `errors` name the fields."""

    def __init__(self, status: int, title: str, detail: str = "", errors: list[dict] | None = None):
        super().__init__(detail or title)
        self.status, self.title, self.detail, self.errors = status, title, detail, errors or []


SOURCES = ("body", "query", "path", "form", "file", "header", "cookie")


def field_name(loc) -> str:
    """ninja/pydantic's error location ('body', 'payload', 'person', 'nhs_number') as a dotted field name.

    Only the leading source and the `payload` parameter go: a multipart field named `file` stays `file`.
    """
    parts = [str(p) for p in loc]
    if parts and parts[0] in SOURCES:
        parts = parts[1:]
    if parts and parts[0] == "payload":
        parts = parts[1:]
    return ".".join(parts) or "body"


# Declared on every operation so the OpenAPI description lists each status the API can answer with
# (schemathesis checks that every response is documented).
COMMON_RESPONSES = {401: Problem, 403: Problem, 422: Problem}
