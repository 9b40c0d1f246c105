"""Benchmark: the KPI dashboard page, and the monthly report, over 100,000 cases.

    .venv/bin/python bench/dashboard.py                     # an SQLite file, var/bench-dashboard.sqlite3
    DATABASE_URL=postgres://h2h:h2h@127.0.0.1:5432/h2h_bench .venv/bin/python bench/dashboard.py

The database is emptied and rebuilt, so it must be a dedicated one: the SQLite file (H2H_SQLITE_PATH, default
var/bench-dashboard.sqlite3) and the PostgreSQL database (DATABASE_URL, created if missing) must have "bench"
in their name. It writes three years of cases with bulk_create (not timed): a referral each, the stage history
(screening, first visit, application, offer, tenancy start, follow-ups, closing), an assignment to one of 20
coordinators (some handed over), follow-up visits, lets through offers and hardship requests. Then it times,
after a warm-up, the dashboard page for the last twelve months as the project manager and as the commissioner
(through Django's test client: view, queries and template), the monthly report page, and its XLSX. Target: the
dashboard page ≤ 1 s. Options: --cases N (100,000), --seed N, --keep (reuse the data of an earlier run). See
bench/README.md.
"""

# ruff: noqa: T201, S311 (a script that prints its figures; random data, not secrets)

import argparse
import math
import os
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote, urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_SECONDS = 1.0
COORDINATORS = 20
YEARS = 3
BATCH = 5_000


def _database() -> dict:
    """Which database the benchmark empties and fills, refusing anything not named for it."""
    url = os.environ.get("DATABASE_URL", "")
    if url:
        parts = urlparse(url)
        name = unquote(parts.path.lstrip("/"))
        if parts.scheme not in {"postgres", "postgresql"} or name == "h2h" or "bench" not in name:
            sys.exit(
                f"bench: refusing to empty the database '{name}': name a dedicated PostgreSQL database "
                "with 'bench' in it, e.g. postgres://h2h:h2h@127.0.0.1:5432/h2h_bench"
            )
        return {"engine": "postgresql", "name": name, "url": url}
    path = Path(os.environ.get("H2H_SQLITE_PATH") or ROOT / "var" / "bench-dashboard.sqlite3").resolve()
    if "bench" not in path.name:
        sys.exit(f"bench: refusing to empty the SQLite file {path}: its name must contain 'bench'")
    os.environ["H2H_SQLITE_PATH"] = str(path)
    return {"engine": "sqlite", "name": str(path)}


def _create_postgres_database_if_missing(url: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    maintenance = urlparse(url)._replace(path="/postgres").geturl()
    with psycopg.connect(maintenance, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "h2h.settings")
    os.environ.setdefault("H2H_ALLOW_INSECURE_KEY", "1")
    os.environ.setdefault("H2H_MANIFEST_STATIC", "false")
    os.environ.setdefault("H2H_DEBUG", "false")
    import django

    django.setup()


# ------------------------------------------------------------------------------------------------ building


def _rehousing_days(rng: random.Random) -> int:
    """Days from referral to tenancy: log-normal around 55 (the seed's average), 20 to 240."""
    sigma = 0.45
    return max(20, min(240, round(rng.lognormvariate(math.log(55) - sigma * sigma / 2, sigma))))


def build(cases: int, seed: int, today: date) -> None:
    from django.core.management import call_command
    from django.db import transaction

    from h2h.accounts.models import Organisation, User
    from h2h.accounts.roles import Role
    from h2h.area import valuesets
    from h2h.area.config import get_area
    from h2h.cases.models import Case, CaseEvent
    from h2h.cases.stages import Stage
    from h2h.hardship.models import SpendRequest, financial_year
    from h2h.lettings.models import Application, Offer, Property, Void
    from h2h.referrals.models import Person, Referral
    from h2h.support.models import Visit

    call_command("flush", interactive=False, verbosity=0)
    rng = random.Random(seed)
    area = get_area()
    kinds = Organisation.Kind
    service = Organisation.objects.create(
        code=area.service_organisation, name="Bench Homes", kind=kinds.HOUSING_PROVIDER
    )
    referrers = [
        Organisation.objects.create(code=f"REF{i}", name=f"Referrer {i}", kind=kind)
        for i, kind in enumerate(
            [kinds.ACUTE_TRUST, kinds.COMMUNITY_PROVIDER, kinds.MENTAL_HEALTH_TRUST, kinds.COUNCIL]
        )
    ]
    icb = Organisation.objects.create(code="BENCHICB", name="Bench ICB", kind=kinds.COMMISSIONER)
    hhcs = [
        User.objects.create(
            username=f"hhc{i}",
            first_name="Coordinator",
            last_name=str(i),
            role=Role.HHC,
            organisation=service,
        )
        for i in range(COORDINATORS)
    ]
    User.objects.create(username="pm", role=Role.PROJECT_MANAGER, organisation=service)
    User.objects.create(username="commissioner", role=Role.COMMISSIONER, organisation=icb)
    recorder = User.objects.create(username="recorder", role=Role.ADMIN_OFFICER, organisation=service)
    settings = [s for s, _ in valuesets.Setting.choices]
    cohorts = [c.code for c in area.cohorts]
    first_day = today - timedelta(days=365 * YEARS)

    def at(day: date) -> datetime:
        return datetime(day.year, day.month, day.day, 10, 0, tzinfo=UTC)

    made = 0
    while made < cases:
        n = min(BATCH, cases - made)
        with transaction.atomic():
            people = Person.objects.bulk_create(
                Person(
                    first_name="Bench",
                    last_name=f"Person{made + i}",
                    date_of_birth=date(1950, 1, 1),
                    address_line_1="1 Bench Street",
                    town="Nottingham",
                    postcode="NG7 2UH",
                )
                for i in range(n)
            )
            referred = [first_day + timedelta(days=rng.randint(0, 365 * YEARS)) for _ in range(n)]
            referrals = Referral.objects.bulk_create(
                Referral(
                    service=service,
                    person=person,
                    received_at=at(day),
                    received_via=rng.choice(["online", "online", "phone", "email"]),
                    created_by=recorder,
                    setting=rng.choice(settings),
                    reasons=["accessibility"],
                    tenure="council_tenant",
                    mobility="walking_aid",
                    wheelchair_use="none",
                    referrer_organisation=rng.choice(referrers),
                    referrer_name="R",
                    referrer_role="R",
                    consent="given",
                    consent_sharing=["housing"],
                )
                for person, day in zip(people, referred, strict=True)
            )
            rows, events, visits, lets, spend = [], [], [], [], []
            for referral, day in zip(referrals, referred, strict=True):
                hhc = rng.choice(hhcs)
                plan = {
                    "referral": referral,
                    "day": day,
                    "hhc": hhc,
                    "stages": [(Stage.REFERRAL_RECEIVED, day)],
                }
                accepted = rng.random() < 0.85
                screened_on = day + timedelta(days=rng.randint(0, 3))
                if screened_on > today:
                    plan["decision"], plan["cohort"] = "", ""
                elif not accepted:
                    plan["decision"], plan["cohort"] = "declined", ""
                    plan["stages"].append((Stage.CLOSED, screened_on))
                    plan["closing"] = "not_eligible"
                else:
                    plan["decision"], plan["cohort"] = "accepted", rng.choice(cohorts)
                    tenancy = day + timedelta(days=_rehousing_days(rng))
                    for stage, on in (
                        (Stage.SCREENED, screened_on),
                        (Stage.FIRST_VISIT, screened_on + timedelta(days=5)),
                        (Stage.APPLICATION_LIVE, screened_on + timedelta(days=6)),
                        (Stage.OFFER, tenancy - timedelta(days=4)),
                        (Stage.TENANCY_START, tenancy),
                        (Stage.FOLLOW_UP_2W, tenancy + timedelta(days=14)),
                        (Stage.FOLLOW_UP_6M, tenancy + timedelta(days=183)),
                        (Stage.CLOSED, tenancy + timedelta(days=190)),
                    ):
                        if on > today or on < plan["stages"][-1][1]:
                            break
                        plan["stages"].append((stage, on))
                    if plan["stages"][-1][0] == Stage.CLOSED:
                        plan["closing"] = "rehoused"
                    plan["tenancy"] = tenancy if tenancy <= today else None
                rows.append(plan)
            case_rows = Case.objects.bulk_create(
                Case(
                    service=service,
                    person=plan["referral"].person,
                    referral=plan["referral"],
                    stage=plan["stages"][-1][0],
                    referred_on=plan["day"],
                    stage_changed_on=plan["stages"][-1][1],
                    assigned_to=plan["hhc"],
                    cohort=plan["cohort"],
                    decision=plan["decision"],
                    closing_reason=plan.get("closing", ""),
                )
                for plan in rows
            )
            for case, plan in zip(case_rows, rows, strict=True):
                previous = ""
                for stage, on in plan["stages"]:
                    events.append(
                        CaseEvent(
                            case=case, kind="stage", from_stage=previous, to_stage=stage, on=on, by=recorder
                        )
                    )
                    previous = stage
                events.append(
                    CaseEvent(
                        case=case,
                        kind="assigned",
                        on=plan["day"],
                        by=recorder,
                        payload={"to_user": plan["hhc"].pk},
                    )
                )
                tenancy = plan.get("tenancy")
                if tenancy:
                    for kind, due in (
                        ("two_week", tenancy + timedelta(days=14)),
                        ("six_month", tenancy + timedelta(days=182)),
                    ):
                        done = due + timedelta(days=rng.randint(-2, 10))
                        done = done if done <= today and rng.random() < 0.95 else None
                        visits.append(
                            Visit(
                                case=case,
                                kind=kind,
                                due_on=due,
                                owner=plan["hhc"],
                                done_on=done,
                                done_by=plan["hhc"] if done else None,
                            )
                        )
                    lets.append((case, plan, tenancy))
                    if rng.random() < 0.3:
                        spend.append(
                            SpendRequest(
                                case=case,
                                year=financial_year(tenancy),
                                what="Carpets",
                                supplier="Carpet Co",
                                amount=Decimal(rng.randint(50, 400)),
                                requested_by=plan["hhc"],
                                requested_at=at(tenancy),
                                status="paid",
                                decided_by=recorder,
                                decided_at=at(tenancy),
                                paid_by=recorder,
                                paid_at=at(tenancy),
                            )
                        )
            CaseEvent.objects.bulk_create(events, batch_size=BATCH)
            Visit.objects.bulk_create(visits, batch_size=BATCH)
            SpendRequest.objects.bulk_create(spend, batch_size=BATCH)
            homes = Property.objects.bulk_create(
                Property(
                    ref=f"B{case.pk}",
                    landlord=service,
                    address_line_1="1 Let Road",
                    town="Nottingham",
                    postcode="NG7 1AA",
                    property_type="flat",
                    bedrooms=1,
                    floor=0,
                    weekly_rent=Decimal("90"),
                )
                for case, _, _ in lets
            )
            voids = Void.objects.bulk_create(
                Void(
                    property=home,
                    empty_on=tenancy - timedelta(days=rng.randint(10, 150)),
                    status="let",
                    let_on=tenancy,
                )
                for home, (_, _, tenancy) in zip(homes, lets, strict=True)
            )
            applications = Application.objects.bulk_create(
                Application(
                    case=case,
                    reference=f"BA{case.pk}",
                    applicant_name="-",
                    date_of_birth=date(1950, 1, 1),
                    band="A",
                    application_date=plan["day"],
                    effective_date=plan["day"],
                    status="housed",
                )
                for case, plan, _ in lets
            )
            Offer.objects.bulk_create(
                Offer(
                    void=void,
                    application=application,
                    kind=rng.choice(["shortlist", "direct"]),
                    status="signed_up",
                    made_by=recorder,
                    decided_at=at(tenancy),
                    tenancy_start=tenancy,
                )
                for void, application, (_, _, tenancy) in zip(voids, applications, lets, strict=True)
            )
        made += n
        print(f"  {made:,} cases", end="\r", flush=True)
    print()


# ------------------------------------------------------------------------------------------------ timing


def _timed(call, repeat: int) -> tuple[float, float]:
    from django.db import connection

    call()  # warm-up: template compilation, first queries
    # Django closes the database connection after each request (the test client does not): closing it here
    # as a server would lets the SQLite backend refresh the planner's statistics (h2h/lib/sqlite/base.py).
    connection.close()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times), max(times)


def measure(today: date, repeat: int) -> bool:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from h2h.accounts.models import Organisation, User
    from h2h.area.config import get_area
    from h2h.cases.models import Case, CaseEvent
    from h2h.reports.figures import Shown
    from h2h.reports.monthly import build_monthly_report
    from h2h.reports.xlsx import monthly_report_xlsx

    print(f"{Case.objects.count():,} cases, {CaseEvent.objects.count():,} history rows ({connection.vendor})")
    ok = True
    client = Client(HTTP_HOST="127.0.0.1")
    for username in ("pm", "commissioner"):
        client.force_login(User.objects.get(username=username))

        def page():
            response = client.get("/reports/", secure=True)
            assert response.status_code == 200, response.status_code

        median, slowest = _timed(page, repeat)
        with CaptureQueriesContext(connection) as queries:
            page()
        verdict = "ok" if median <= TARGET_SECONDS else "OVER TARGET"
        ok &= median <= TARGET_SECONDS
        print(
            f"dashboard page, last 12 months, as {username:12s} median {median * 1000:6.0f} ms, "
            f"slowest {slowest * 1000:6.0f} ms, {len(queries.captured_queries)} queries  [{verdict}]"
        )
    last_month = today.replace(day=1) - timedelta(days=1)
    month = f"/reports/monthly/{last_month:%Y-%m}/"
    median, slowest = _timed(lambda: client.get(month, secure=True), repeat)
    print(
        f"monthly report page {last_month:%B %Y} (published)        median {median * 1000:6.0f} ms, "
        f"slowest {slowest * 1000:6.0f} ms"
    )
    service = Organisation.objects.get(code=get_area().service_organisation)
    median, slowest = _timed(
        lambda: monthly_report_xlsx(
            build_monthly_report(service, last_month.year, last_month.month, Shown(exact=True))
        ),
        repeat,
    )
    print(
        f"monthly report XLSX (exact)                       median {median * 1000:6.0f} ms, "
        f"slowest {slowest * 1000:6.0f} ms"
    )
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5, help="timed calls after the warm-up (default 5)")
    parser.add_argument("--keep", action="store_true", help="reuse the data an earlier run built")
    options = parser.parse_args()
    database = _database()
    if database["engine"] == "postgresql":
        _create_postgres_database_if_missing(database["url"], database["name"])
    _setup_django()
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    today = timezone.localdate()
    if not options.keep:
        started = time.perf_counter()
        print(f"Building {options.cases:,} cases in {database['name']} …")
        build(options.cases, options.seed, today)
        print(f"built in {time.perf_counter() - started:.0f} s (not part of the target)")
    sys.exit(0 if measure(today, options.repeat) else 2)


if __name__ == "__main__":
    main()
