"""The declarative role × route access matrix (h2h/access_matrix.toml) and the helpers its tests use.

The matrix says, for every URL route the project serves and every role (plus "anonymous"), what a GET answers.
Tests (tests/test_security_routes.py) walk get_resolver(), fill each route's arguments with real objects and
compare every cell with the answer; a route the matrix does not list fails the build. Read with tomllib: no
YAML dependency.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.urls import URLPattern, URLResolver, get_resolver

MATRIX_PATH = Path(__file__).resolve().parent.parent / "access_matrix.toml"

ROLES = (
    "anonymous",
    "referrer",
    "hhc",
    "admin_officer",
    "housing_manager",
    "project_manager",
    "commissioner",
    "evaluator",
    "lettings_officer",
    "administrator",
)

# What a GET may answer, by the word the matrix uses.
OUTCOMES = {
    "ok": "200",
    "login": "302 to the sign-in page",
    "redirect": "302/303 elsewhere",
    "not_found": "404",
    "forbidden": "403",
    "unauthorised": "401 (API without a token)",
    "not_allowed": "405 (the route takes POST only)",
}

# Prefixes the matrix does not list route by route: Django's own admin site (its URLs are generated per
# registered model; the administrator is its only user — see the [django_admin] section of the matrix, which
# the tests check by sampling).
UNLISTED_PREFIXES = ("django-admin/",)


@dataclass(frozen=True)
class Route:
    pattern: str  # the full pattern, e.g. "cases/<int:case_id>/"
    name: str  # the namespaced URL name, e.g. "cases:detail"; the pattern itself when unnamed

    @property
    def key(self) -> str:
        return self.name

    @property
    def args(self) -> list[tuple[str, str]]:
        """(converter, name) for each argument in the pattern."""
        found = re.findall(r"<(?:(\w+):)?(\w+)>", self.pattern)
        found += [("re", name) for name in re.findall(r"\(\?P<(\w+)>", self.pattern)]
        return [(conv or "str", name) for conv, name in found]


def _walk(resolver, prefix: str, namespace: str | None):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            pattern = prefix + str(entry.pattern)
            name = f"{namespace}:{entry.name}" if namespace and entry.name else (entry.name or pattern)
            yield Route(pattern=pattern, name=name)


def all_routes(*, include_unlisted: bool = False) -> list[Route]:
    """Every URL pattern get_resolver() knows, in order (Django's admin only when asked)."""
    routes = list(_walk(get_resolver(), "", None))
    if not include_unlisted:
        routes = [r for r in routes if not r.pattern.startswith(UNLISTED_PREFIXES)]
    return routes


@cache
def load_matrix() -> dict:
    with MATRIX_PATH.open("rb") as f:
        return tomllib.load(f)


def expected(route_key: str, role: str) -> str:
    """The matrix's answer for one cell; KeyError when the route or the role is missing."""
    entry = load_matrix()["routes"][route_key]
    return entry[role] if role in entry else entry["default"]


def route_entries() -> dict[str, dict]:
    return load_matrix()["routes"]


def outcome_of(response) -> str:
    """The matrix word for what a response answered."""
    code = response.status_code
    if code == 200:
        return "ok"
    if code in (301, 302, 303, 307, 308):
        return "login" if response["Location"].split("?")[0].endswith("/sign-in/") else "redirect"
    return {404: "not_found", 403: "forbidden", 401: "unauthorised", 405: "not_allowed"}.get(
        code, f"status_{code}"
    )
