"""A1 and A2: every route × every role answers what h2h/access_matrix.toml says.

A1 (ASVS 8.1.1/8.2.1; Primero ability_spec): get_resolver() is walked; each route's <…> arguments are filled
with
real objects of the demo service (one the service's staff may see), and a GET is sent as each of the ten roles
(anonymous included). Every answer must match its matrix cell; a route missing from the matrix fails, naming
it.
A2 (Zulip PublicURLTest): anonymous reaches only the allow-list, everything else sends it to sign-in (pages)
or
answers 401 (API); a commissioner reaches only aggregate routes.
"""

import hashlib
import re

import pytest
from django.utils import timezone

from h2h.accounts.models import User
from h2h.lib.access_matrix import (
    OUTCOMES,
    ROLES,
    all_routes,
    expected,
    load_matrix,
    outcome_of,
    route_entries,
)

pytestmark = pytest.mark.django_db

FEED_TOKEN = "a1-calendar-feed-token-for-tests"  # noqa: S105 - a test feed token
DEMO_USERNAMES = {
    "referrer": "referrer",
    "hhc": "hhc",
    "admin_officer": "admin-officer",
    "housing_manager": "housing-manager",
    "project_manager": "project-manager",
    "commissioner": "commissioner",
    "evaluator": "evaluator",
    "lettings_officer": "lettings",
    "administrator": "administrator",
}


def build_demo(evidence_text: str = "%PDF-1.4 a1 evidence"):
    """The demo service at a small size, plus a calendar feed whose token the test knows and one evidence file
    (the demo has none). Callers point settings.MEDIA_ROOT at a temporary directory first."""
    from django.core.files.base import ContentFile

    from h2h.calendar.models import CalendarFeed
    from h2h.demo.generate import generate
    from h2h.lettings.models import Application, EvidenceFile

    generate(seed=5, referrals=40)
    hhc = User.objects.get(username="hhc")
    application = Application.objects.filter(case__isnull=False).order_by("pk").first()
    evidence = EvidenceFile(
        application=application,
        original_name="letter.pdf",
        content_type="application/pdf",
        size=len(evidence_text),
        uploaded_by=hhc,
    )
    evidence.file.save("letter.pdf", ContentFile(evidence_text.encode()), save=True)
    CalendarFeed.objects.update_or_create(
        user=hhc,
        defaults={
            "token_hash": hashlib.sha256(FEED_TOKEN.encode()).hexdigest(),
            "created_at": timezone.now(),
            "revoked_at": None,
        },
    )
    return {role: User.objects.get(username=name) for role, name in DEMO_USERNAMES.items()}


def _first(model, **filters):
    obj = model.objects.filter(**filters).order_by("pk").first()
    assert obj is not None, f"the demo data holds no {model.__name__} matching {filters}"
    return obj


def sample_values(route) -> dict[str, str]:
    """A value for each argument of a route: an object of the demo service that its staff may open."""
    from h2h.api.models import ApiClient
    from h2h.cases.models import Case
    from h2h.evaluation.models import CostItem, Funding
    from h2h.hardship.models import SpendRequest
    from h2h.hospital.models import Extract, LinkReview
    from h2h.lettings.models import Bid, EvidenceFile, Hold, Offer, Property, Void
    from h2h.referrals.forms import STEPS
    from h2h.referrals.models import Referral
    from h2h.repairs.models import Job
    from h2h.stepdown.models import Placement
    from h2h.support.models import SafeguardingConcern, Task, Visit
    from h2h.surveys.items import ITEMS_BY_CODE

    name = route.name
    evidence = _first(EvidenceFile)
    values = {}
    for _conv, arg in route.args:
        if arg == "referral_id":
            values[arg] = _first(Referral, referrer_organisation__code="NUH").pk
        elif arg == "user_id":
            values[arg] = User.objects.get(username="hhc").pk
        elif arg == "case_id":
            if name == "lettings:application-new":
                values[arg] = _first(Case, application__isnull=True).pk
            else:
                values[arg] = evidence.application.case_id or _first(Case).pk
        elif arg == "pk":
            values[arg] = _first(Funding).pk if name.startswith("evaluation:") else _first(Property).pk
        elif arg == "application_id":
            values[arg] = evidence.application_id
        elif arg == "evidence_id":
            values[arg] = evidence.pk
        elif arg == "void_id":
            values[arg] = _first(Void).pk
        elif arg == "bid_id":
            values[arg] = _first(Bid).pk
        elif arg == "hold_id":
            values[arg] = _first(Hold).pk
        elif arg == "offer_id":
            values[arg] = _first(Offer).pk
        elif arg == "job_id":
            values[arg] = _first(Job).pk
        elif arg == "placement_id":
            values[arg] = _first(Placement).pk
        elif arg == "spend_id":
            values[arg] = _first(SpendRequest).pk
        elif arg == "concern_id":
            values[arg] = _first(SafeguardingConcern).pk
        elif arg == "task_id" or (arg == "item_id" and "task" in name):
            values[arg] = _first(Task).pk
        elif arg == "visit_id" or (arg == "item_id" and "visit" in name):
            values[arg] = _first(Visit).pk
        elif arg == "extract_id" and name == "hospital:extract-errors":
            values[arg] = _first(Extract, status=Extract.Status.REJECTED).pk
        elif arg == "extract_id":
            values[arg] = _first(Extract).pk
        elif arg == "review_id":
            values[arg] = _first(LinkReview).pk
        elif arg == "client_id":
            values[arg] = _first(ApiClient).pk
        elif arg == "token":
            values[arg] = FEED_TOKEN
        elif arg == "step":
            values[arg] = next(iter(STEPS))
        elif arg == "item":
            values[arg] = next(iter(ITEMS_BY_CODE))
        elif arg == "timepoint":
            values[arg] = "baseline"
        elif arg == "respondent":
            values[arg] = "person"
        elif arg == "month":
            values[arg] = timezone.localdate().replace(day=1).strftime("%Y-%m")
        elif arg == "code":
            values[arg] = _first(CostItem).code
        elif arg == "kind":
            values[arg] = "adaptation"
        elif arg == "reference":
            values[arg] = _first(Referral).reference
        elif arg == "rest":
            values[arg] = "no-such-endpoint"
        else:
            raise AssertionError(
                f"{route.name}: no sample value for argument {arg!r}; add one to sample_values()"
            )
    return {k: str(v) for k, v in values.items()}


def url_for(route, values) -> str:
    url = route.pattern
    for _conv, arg in route.args:
        url = re.sub(rf"\(\?P<{arg}>[^)]*\)", values[arg], url)
        url = re.sub(rf"<(?:\w+:)?{arg}>", values[arg], url)
    return "/" + url.lstrip("^").rstrip("$")


# Routes reachable by everyone by design; not row-level data. A2 allows them to the commissioner too.
PUBLIC_ROUTES = {"login", "healthz", "calendar:feed", "api:openapi-json"}
NO_SUCH_ID = "987654"


def _missing_id_url(route, values) -> str | None:
    """The route's URL with every integer argument an id no object has; None for routes without one."""
    int_args = [arg for conv, arg in route.args if conv == "int"]
    if not int_args:
        return None
    return url_for(route, {**values, **dict.fromkeys(int_args, NO_SUCH_ID)})


def test_every_route_and_role_answers_what_the_access_matrix_says(client, settings, tmp_path):
    """A1 (ASVS 8.1.1/8.2.1): 100% of routes are in h2h/access_matrix.toml; every role × route cell matches.

    Also, where a role gets in, an id that no object has answers "not found" (no other answer, no 500)."""
    settings.MEDIA_ROOT = str(tmp_path)
    entries = route_entries()
    routes = all_routes()
    keys = [r.key for r in routes]
    missing = [r.pattern + " (" + r.key + ")" for r in routes if r.key not in entries]
    assert not missing, f"routes missing from h2h/access_matrix.toml: {missing}"
    stale = sorted(set(entries) - set(keys))
    assert not stale, f"the access matrix lists routes the project no longer has: {stale}"
    for key, entry in entries.items():
        unknown = set(entry) - set(ROLES) - {"default", "aggregate"}
        assert not unknown, f"{key}: unknown roles {unknown}"
        words = {v for k, v in entry.items() if k != "aggregate"} - set(OUTCOMES)
        assert not words, f"{key}: unknown outcomes {words}"

    users = build_demo()
    urls = {r.key: url_for(r, sample_values(r)) for r in routes}
    missing_urls = {r.key: _missing_id_url(r, sample_values(r)) for r in routes}
    mismatches, cells, missing_checked = [], 0, 0
    for role in ROLES:
        client.logout()
        if role != "anonymous":
            client.force_login(users[role])
        for route in routes:
            entry = entries[route.key]
            want = expected(route.key, role)
            got = outcome_of(client.get(urls[route.key]))
            cells += 1
            if got != want:
                mismatches.append(f"{role} GET {urls[route.key]} ({route.key}): matrix {want}, got {got}")
            if want in ("ok", "redirect") and missing_urls[route.key]:
                got_missing = outcome_of(client.get(missing_urls[route.key]))
                missing_checked += 1
                if got_missing != "not_found":
                    mismatches.append(
                        f"{role} GET {missing_urls[route.key]}: no such object, got {got_missing}"
                    )
    # Django's own admin: only its index, as every role.
    admin = load_matrix()["django_admin"]
    for role in ROLES:
        client.logout()
        if role != "anonymous":
            client.force_login(users[role])
        got = outcome_of(client.get(admin["index"]))
        cells += 1
        if got != admin.get(role, admin["default"]):
            mismatches.append(
                f"{role} GET {admin['index']}: matrix {admin.get(role, admin['default'])}, got {got}"
            )
    defined = len(entries) * len(ROLES) + len(ROLES)
    figures = (
        f"A1: {len(routes)} routes × {len(ROLES)} roles + admin index: {cells} cells tested / {defined} "
        f"defined; {missing_checked} no-such-id probes; {len(mismatches)} mismatches"
    )
    print(figures)  # noqa: T201 - the measured figures, shown with pytest -s
    assert cells == defined
    assert not mismatches, "\n".join(mismatches)


def test_anonymous_reaches_only_the_allow_list(client):
    """A2 (Zulip PublicURLTest; ASVS 8.2.1): anonymous gets sign-in (pages), 401 (API) or 405 (POST-only) on
    every route outside the allow-list, live over every route with placeholder arguments, and in the
    matrix."""
    matrix = load_matrix()
    allow = set(matrix["anonymous"]["allow_list"])
    refusals = {"login", "unauthorised", "not_allowed"}
    in_matrix = [
        k
        for k, e in route_entries().items()
        if k not in allow and e.get("anonymous", e.get("default")) not in refusals
    ]
    assert not in_matrix, f"the matrix lets anonymous reach {in_matrix}"
    unexpected = []
    checked = 0
    for route in all_routes():
        if route.key in allow:
            continue
        values = {
            arg: ("1" if conv == "int" else "2026-01" if conv == "yearmonth" else "x")
            for conv, arg in route.args
        }
        got = outcome_of(client.get(url_for(route, values)))
        checked += 1
        if got not in refusals:
            unexpected.append(f"{url_for(route, values)} ({route.key}): {got}")
    figures = (
        f"A2: anonymous: {checked} routes outside the allow-list of {len(allow)}; "
        f"unexpected answers {len(unexpected)}"
    )
    print(figures)  # noqa: T201 - the measured figures, shown with pytest -s
    assert checked > 100
    assert not unexpected, unexpected


def test_the_commissioner_reaches_only_aggregate_routes():
    """A2 (Zulip PublicURLTest; Caldicott 3-4): in the matrix, whose every cell test A1 checks live, the
    commissioner reaches (ok or redirect) only routes marked aggregate, plus the public ones."""
    reached = [
        k for k, e in route_entries().items() if e.get("commissioner", e.get("default")) in ("ok", "redirect")
    ]
    row_level = [
        k for k in reached if not route_entries()[k].get("aggregate") and k not in PUBLIC_ROUTES | {"home"}
    ]
    assert not row_level, f"the commissioner reaches row-level routes: {row_level}"
    assert len(reached) >= 10
