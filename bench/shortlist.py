"""Benchmark: one property's shortlist and one case's matching list, on a register of 100,000 applications.

    DATABASE_URL=postgres://h2h:h2h@127.0.0.1:5432/h2h_bench .venv/bin/python bench/shortlist.py

The database named in DATABASE_URL is created if missing (through the `postgres` maintenance database),
migrated and emptied: everything in it is replaced. So it refuses the development database `h2h` and any name
without "bench" in it. Options: --seed N (default 1), --calls N (default 200), --keep (reuse the data of an
earlier run with the same seed instead of building it again).

It builds the register with COPY (under a minute on a small machine), then times calls of the two selectors on
random voids and random H2H applications and prints p50, p95 and the slowest call. Target: p95 ≤ 50 ms each.
See bench/README.md.
"""

# ruff: noqa: T201, S311 (a script that prints its figures; random data, not secrets)

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import unquote, urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

APPLICATIONS = 100_000
H2H_APPLICATIONS = 1_000
VOIDS = 5_000
LETTINGS_AREAS = (
    "Aspley",
    "Bestwood",
    "Bulwell",
    "Clifton",
    "Meadows",
    "Radford",
    "Sneinton",
    "St Ann's",
    "Wollaton",
    "Basford",
    "Lenton",
    "Hyson Green",
)


def _database_name(url: str) -> str:
    parts = urlparse(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        sys.exit("bench: DATABASE_URL must be a postgres:// URL (the benchmark runs on PostgreSQL only)")
    name = unquote(parts.path.lstrip("/"))
    if name == "h2h" or "bench" not in name:
        sys.exit(
            f"bench: refusing to empty the database '{name}': name a dedicated one with 'bench' in it, "
            "e.g. postgres://h2h:h2h@127.0.0.1:5432/h2h_bench"
        )
    return name


def _create_database_if_missing(url: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urlparse(url)
    maintenance = parts._replace(path="/postgres").geturl()
    with psycopg.connect(maintenance, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"Created database {name}")


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "h2h.settings")
    os.environ.setdefault("H2H_ALLOW_INSECURE_KEY", "1")
    os.environ.setdefault("H2H_MANIFEST_STATIC", "false")
    os.environ.setdefault("H2H_DEBUG", "false")
    import django

    django.setup()


# ------------------------------------------------------------------------------------------------ the data


def _copy(cursor, table: str, columns: tuple[str, ...], rows) -> int:
    n = 0
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            n += 1
    # The table names are this script's own constants.
    sequence = f"pg_get_serial_sequence('{table}', 'id')"
    cursor.execute(f"SELECT setval({sequence}, (SELECT max(id) FROM {table}))")  # noqa: S608
    return n


def _dob(rng: random.Random, today: date, low: int, high: int) -> date:
    return today - timedelta(days=rng.randint(low * 365, high * 365 + 364))


def _h2h_people(rng, today, service, referrer_org, hhc):
    """1,000 H2H cases at "application live", each with a person and a referral (written to the tables)."""
    from h2h.cases.models import Case
    from h2h.cases.stages import Stage
    from h2h.referrals.models import Person, Referral

    people = Person.objects.bulk_create(
        Person(
            first_name=f"Bench{n}",
            last_name="Person",
            date_of_birth=_dob(rng, today, 55, 95),
            address_line_1=f"{n} Bench Street",
            town="Nottingham",
            postcode="NG7 2UH",
        )
        for n in range(H2H_APPLICATIONS)
    )
    now = datetime.now(UTC)
    referrals = Referral.objects.bulk_create(
        Referral(
            service=service,
            person=p,
            received_at=now - timedelta(days=rng.randint(20, 150)),
            received_via="online",
            created_by=hhc,
            setting=rng.choice(["acute_hospital", "community"]),
            reasons=["accessibility"],
            tenure="council_tenant",
            mobility="walking_aid",
            wheelchair_use="none",
            benefits=[],
            referrer_organisation=referrer_org,
            referrer_name="Rita Referrer",
            referrer_role="Discharge coordinator",
            consent="given",
            consent_sharing=["housing"],
        )
        for p in people
    )
    cases = Case.objects.bulk_create(
        Case(
            service=service,
            person=p,
            referral=r,
            stage=Stage.APPLICATION_LIVE,
            assigned_to=hhc,
            referred_on=r.received_at.date(),
            stage_changed_on=r.received_at.date() + timedelta(days=10),
        )
        for p, r in zip(people, referrals, strict=True)
    )
    return [(c.pk, p) for c, p in zip(cases, people, strict=True)]


def _application_rows(rng, today, area, h2h_cases):
    """Rows for lettings_application: the H2H fast-track applications first, then the general register."""
    from h2h.cases.selectors import add_months

    accelerator = area.lettings.accelerator_months
    codes = [band.code for band in area.bands]
    rows, ident = [], 0

    def row(
        case_id,
        ref,
        name,
        born,
        bedrooms,
        step_free,
        wheelchair,
        shower,
        features,
        areas,
        types,
        band,
        applied,
        effective,
    ):
        nonlocal ident
        ident += 1
        return (
            ident,
            case_id,
            ref,
            name,
            born,
            bedrooms,
            bedrooms,
            step_free,
            wheelchair,
            shower,
            json.dumps(features),
            json.dumps(areas),
            json.dumps(types),
            "",
            band,
            applied,
            effective,
            "live",
            "",
            "",
        )

    for case_id, person in h2h_cases:
        applied = today - timedelta(days=rng.randint(0, 120))
        wheelchair = rng.random() < 0.15
        rows.append(
            row(
                case_id,
                f"H2H-APP-{case_id}",
                person.full_name,
                person.date_of_birth,
                1 if rng.random() < 0.85 else 2,
                wheelchair or rng.random() < 0.45,
                wheelchair,
                wheelchair or rng.random() < 0.5,
                ["concrete_floor"] if rng.random() < 0.04 else [],
                rng.sample(LETTINGS_AREAS, 2),
                rng.sample(["independent_living_flat", "bungalow", "flat"], rng.randint(1, 2)),
                rng.choices(codes[:3], weights=[45, 40, 15])[0],
                applied,
                add_months(applied, -accelerator),
            )
        )
    for n in range(APPLICATIONS - len(h2h_cases)):
        applied = today - timedelta(days=rng.randint(0, 3650))
        band = rng.choices(codes, weights=[2, 8, 25, 65][: len(codes)])[0]
        # Bands above the lowest count from the date the band was awarded, after registration.
        effective = (
            min(today, applied + timedelta(days=rng.randint(0, 400))) if band != codes[-1] else applied
        )
        older = rng.random() < 0.3
        bedrooms = rng.choices([1, 2, 3, 4], weights=[50, 28, 17, 5])[0]
        wheelchair = rng.random() < 0.03
        rows.append(
            row(
                None,
                f"GN-{100000 + n}",
                f"General Applicant {n}",
                _dob(rng, today, 60, 95) if older else _dob(rng, today, 18, 59),
                bedrooms,
                wheelchair or rng.random() < 0.12,
                wheelchair,
                wheelchair or rng.random() < 0.08,
                ["concrete_floor"] if rng.random() < 0.005 else [],
                rng.sample(LETTINGS_AREAS, rng.randint(1, 3)),
                [],
                band,
                applied,
                effective,
            )
        )
    return rows


APPLICATION_COLUMNS = (
    "id",
    "case_id",
    "reference",
    "applicant_name",
    "date_of_birth",
    "household_size",
    "bedrooms_needed",
    "needs_step_free",
    "needs_wheelchair_standard",
    "needs_level_access_shower",
    "needs_features",
    "preferred_areas",
    "preferred_types",
    "medical_evidence",
    "band",
    "application_date",
    "effective_date",
    "status",
    "returned_reason",
    "panel_note",
)


def _home(rng, n, landlord_id):
    kind = rng.choices(
        ["independent_living_flat", "bungalow", "flat", "house", "maisonette"], weights=[15, 10, 45, 22, 8]
    )[0]
    bedrooms, floor, lift, min_age = 1, 0, False, None
    if kind == "independent_living_flat":
        floor, lift, min_age = rng.randint(0, 3), True, rng.choice((55, 60))
    elif kind == "bungalow":
        bedrooms = rng.randint(1, 2)
    elif kind == "flat":
        bedrooms, floor = rng.randint(1, 2), rng.randint(0, 8)
        lift = floor >= 3
    elif kind == "house":
        bedrooms = rng.choices([2, 3, 4], weights=[40, 50, 10])[0]
    else:
        bedrooms, floor = rng.randint(2, 3), rng.randint(1, 3)
    wheelchair = (kind == "bungalow" and rng.random() < 0.3) or (floor == 0 and rng.random() < 0.04)
    return (
        n,
        f"BENCH-{n:05d}",
        landlord_id,
        "",
        f"{n} Bench Road",
        "",
        "Nottingham",
        "NG7 2UH",
        rng.choice(LETTINGS_AREAS),
        kind,
        bedrooms,
        floor,
        lift,
        wheelchair,
        wheelchair or kind == "independent_living_flat" or rng.random() < 0.15,
        wheelchair or rng.random() < 0.1,
        wheelchair,
        json.dumps(["concrete_floor"] if wheelchair and rng.random() < 0.3 else []),
        min_age,
        f"{rng.randint(85, 145)}.00",
        rng.choice(["low", "medium", "high"]),
    )


PROPERTY_COLUMNS = (
    "id",
    "ref",
    "landlord_id",
    "scheme",
    "address_line_1",
    "address_line_2",
    "town",
    "postcode",
    "lettings_area",
    "property_type",
    "bedrooms",
    "floor",
    "has_lift",
    "wheelchair_standard",
    "level_access_shower",
    "ramp",
    "adapted",
    "features",
    "min_age",
    "weekly_rent",
    "demand",
)
VOID_COLUMNS = (
    "id",
    "property_id",
    "empty_on",
    "ready_on",
    "let_on",
    "status",
    "advert_opens_on",
    "advert_closes_on",
)


def _void(rng, n, today, cycle_days):
    empty = today - timedelta(days=rng.randint(5, 120))
    roll = rng.random()
    if roll < 0.05:
        return (n, n, empty, None, None, "not_ready", None, None)
    if roll < 0.13:
        return (n, n, empty, today - timedelta(days=1), None, "ready", None, None)
    if roll < 0.14:
        return (n, n, empty, today - timedelta(days=3), None, "held", None, None)
    # Most are advertised: this week's cycle and, about one in seven, last week's (closed for bids).
    opens = today - timedelta(
        days=rng.randint(0, cycle_days * 2 - 1) if rng.random() < 0.15 else rng.randint(0, cycle_days - 1)
    )
    return (n, n, empty, opens, None, "advertised", opens, opens + timedelta(days=cycle_days))


def build(seed: int) -> dict:
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from h2h.accounts.models import Organisation, User
    from h2h.accounts.roles import Role
    from h2h.area.config import get_area

    rng = random.Random(seed)
    area = get_area()
    today = timezone.localdate()
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    with transaction.atomic():
        service = Organisation.objects.create(
            code=area.service_organisation, name="Service", kind=Organisation.Kind.HOUSING_PROVIDER
        )
        referrer_org = Organisation.objects.create(
            code="BENCH-NUH", name="Hospital", kind=Organisation.Kind.ACUTE_TRUST
        )
        hhc = User.objects.create(username="bench-hhc", role=Role.HHC, organisation=service)
        officer = User.objects.create(
            username="bench-lettings", role=Role.LETTINGS_OFFICER, organisation=service
        )
        h2h_cases = _h2h_people(rng, today, service, referrer_org, hhc)
        with connection.cursor() as cursor:
            applications = _application_rows(rng, today, area, h2h_cases)
            _copy(cursor, "lettings_application", APPLICATION_COLUMNS, applications)
            homes = [_home(rng, n, service.pk) for n in range(1, VOIDS + 1)]
            _copy(cursor, "lettings_property", PROPERTY_COLUMNS, homes)
            voids = [_void(rng, n, today, area.lettings.cycle_days) for n in range(1, VOIDS + 1)]
            _copy(cursor, "lettings_void", VOID_COLUMNS, voids)
            bids = _bid_rows(rng, applications, homes, voids, officer.pk, hhc.pk)
            _copy(
                cursor,
                "lettings_bid",
                ("id", "void_id", "application_id", "placed_at", "placed_by_id", "withdrawn"),
                bids,
            )
    # As autovacuum would leave a live database: statistics gathered, hint bits and the visibility map set.
    # Straight after a bulk load the first reads of each page would otherwise pay for that.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return {"seed": seed, "built_on": today.isoformat()}


def _bid_rows(rng, applications, homes, voids, officer_id, hhc_id):
    """20 to 200 bids on each advertised void, mostly from applicants whose bedroom need the home meets (as
    people bid in practice), some from anyone; each H2H application bids on about eight homes of its size;
    3% withdrawn."""
    by_bedrooms: dict[int, list[int]] = {}
    h2h = []
    for row in applications:
        by_bedrooms.setdefault(row[6], []).append(row[0])
        if row[1] is not None:
            h2h.append((row[0], row[6]))
    everyone = [row[0] for row in applications]
    advertised = [v for v in voids if v[5] == "advertised"]
    bedrooms_of = {h[0]: h[10] for h in homes}
    by_home_size: dict[int, list[int]] = {}
    for v in advertised:
        by_home_size.setdefault(bedrooms_of[v[1]], []).append(v[0])
    now = datetime.now(UTC)
    pairs = set()
    for v in advertised:
        size = bedrooms_of[v[1]]
        suitable = by_bedrooms.get(size, []) + by_bedrooms.get(size - 1, [])
        k = rng.randint(20, 200)
        chosen = rng.sample(suitable, int(k * 0.8)) + rng.sample(everyone, k - int(k * 0.8))
        pairs.update((v[0], a) for a in chosen)
    for application_id, needed in h2h:
        homes_of_size = by_home_size.get(needed, []) + by_home_size.get(needed + 1, [])
        pairs.update((void_id, application_id) for void_id in rng.sample(homes_of_size, 8))
    h2h_ids = {a for a, _ in h2h}
    return [
        (
            n,
            void_id,
            application_id,
            now,
            hhc_id if application_id in h2h_ids else officer_id,
            rng.random() < 0.03,
        )
        for n, (void_id, application_id) in enumerate(sorted(pairs), 1)
    ]


# ------------------------------------------------------------------------------------------------ timing


def _stats(times_ms: list[float]) -> str:
    ordered = sorted(times_ms)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return (
        f"p50 {statistics.median(ordered):6.1f} ms   p95 {p95:6.1f} ms   max {ordered[-1]:6.1f} ms   "
        f"mean {statistics.fmean(ordered):6.1f} ms"
    )


def _time(calls, fn) -> tuple[list[float], list]:
    times, results = [], []
    for arg in calls:
        start = time.perf_counter()
        results.append(fn(arg))
        times.append((time.perf_counter() - start) * 1000)
    return times, results


def measure(calls: int, seed: int) -> None:
    from django.db import connection
    from django.db.models import Count
    from django.test.utils import CaptureQueriesContext

    from h2h.lettings.cbl import matching_for_application, matching_for_void, shortlist
    from h2h.lettings.models import Application, Bid, Void

    rng = random.Random(seed + 1)
    live = Application.objects.filter(status="live")
    print(
        f"Register: {live.count():,} live applications ({live.filter(case__isnull=False).count():,} H2H), "
        f"{Void.objects.count():,} voids ({Void.objects.filter(status='advertised').count():,} advertised, "
        f"{Void.objects.filter(status='ready').count():,} ready), {Bid.objects.count():,} bids "
        f"({Bid.objects.filter(withdrawn=False).count():,} active)"
    )
    bands = dict(live.order_by().values_list("band").annotate(n=Count("pk")))
    h2h_bands = dict(live.filter(case__isnull=False).order_by().values_list("band").annotate(n=Count("pk")))
    print(
        "Bands: "
        + ", ".join(
            f"{code} {bands.get(code, 0):,} ({h2h_bands.get(code, 0):,} H2H)" for code in sorted(bands)
        )
    )
    advertised = list(Void.objects.filter(status="advertised").values_list("pk", flat=True))
    h2h = list(Application.objects.filter(status="live", case__isnull=False).values_list("pk", flat=True))
    voids = list(Void.objects.select_related("property").filter(pk__in=rng.sample(advertised, calls)))
    rng.shuffle(voids)
    applications = list(Application.objects.filter(pk__in=rng.sample(h2h, calls)))
    rng.shuffle(applications)

    # Warm the connection and PostgreSQL's caches: the first calls after a build read from disk.
    for void in voids[:10]:
        shortlist(void)
    for application in applications[:10]:
        matching_for_application(application)

    with CaptureQueriesContext(connection) as queries:
        shortlist(voids[0])
    shortlist_queries = len(queries)
    with CaptureQueriesContext(connection) as queries:
        matching_for_application(applications[0])
    matching_queries = len(queries)

    times, results = _time(voids, shortlist)
    print(f"\nshortlist(void), {calls} random advertised voids ({shortlist_queries} query a call)")
    print(f"  {_stats(times)}")
    print(
        f"  rows: {statistics.fmean(len(r.ranked) + len(r.excluded) for r in results):.0f} active bids a "
        f"void on average, {statistics.fmean(len(r.ranked) for r in results):.0f} ranked, "
        f"{statistics.fmean(len(r.excluded) for r in results):.0f} left out with reasons"
    )

    times, results = _time(applications, matching_for_application)
    print(
        f"\nmatching_for_application(application), {calls} random H2H applications "
        f"({matching_queries} queries a call)"
    )
    print(f"  {_stats(times)}")
    print(
        f"  rows: {statistics.fmean(r.fit_count for r in results):.0f} open voids fit an application on "
        f"average (min {min(r.fit_count for r in results)}, max {max(r.fit_count for r in results)}), "
        f"{statistics.fmean(r.unfit_count for r in results):.0f} do not; each call returns the first page of "
        f"{len(results[0].fits)} of each with reasons and places, and the "
        f"{statistics.fmean(len(r.bids) for r in results):.1f} homes bid on; median place on the first page "
        f"{statistics.median(m.place for r in results for m in r.fits if m.place):.0f}"
    )

    times, results = _time(voids, lambda v: matching_for_void(v, listing=shortlist(v)))
    print(f"\nshortlist(void) + matching_for_void(void) (the void's page), {calls} random advertised voids")
    print(f"  {_stats(times)}")
    print(
        f"  rows: {statistics.fmean(len(r) for r in results):.0f} live H2H applications fit a void on average"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="reuse data built earlier with the same seed")
    options = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        sys.exit("bench: set DATABASE_URL, e.g. DATABASE_URL=postgres://h2h:h2h@127.0.0.1:5432/h2h_bench")
    name = _database_name(url)
    args = " ".join(sys.argv[1:])
    print("H2H benchmark: shortlists and matching on a large register")
    print(f"Command: DATABASE_URL={url} .venv/bin/python bench/shortlist.py{' ' + args if args else ''}")
    _create_database_if_missing(url, name)
    _setup_django()

    from django.db import connection

    marker = ROOT / "var" / f"bench-{name}.json"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    print(f"PostgreSQL {version}, database {name}, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    kept = options.keep and marker.exists() and json.loads(marker.read_text()).get("seed") == options.seed
    if kept:
        print(f"Reusing the data built on {json.loads(marker.read_text())['built_on']} (--keep)")
    else:
        start = time.perf_counter()
        info = build(options.seed)
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text(json.dumps(info))
        print(f"Built the register in {time.perf_counter() - start:.0f} s (seed {options.seed})")
    measure(options.calls, options.seed)
    print("\nTarget: p95 ≤ 50 ms for each of shortlist and matching_for_application.")


if __name__ == "__main__":
    main()
