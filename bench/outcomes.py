"""Benchmark: import and link a 10-million-row admissions file for 100,000 cases, and measure before and after.

    .venv/bin/python bench/outcomes.py                      # an SQLite file, var/bench-outcomes.sqlite3
    DATABASE_URL=postgres://h2h:h2h@127.0.0.1:5432/h2h_bench_outcomes .venv/bin/python bench/outcomes.py \\
        --data-dir var/bench-outcomes-pg

The database is emptied and rebuilt, so it must be a dedicated one: the SQLite file (H2H_SQLITE_PATH, default
var/bench-outcomes.sqlite3) and the PostgreSQL database (DATABASE_URL, created if missing) must have "bench" in
their name. It builds the cases with bulk_create and the admissions CSV with DuckDB (timed separately: not part
of the target), then, each in a child process whose peak memory is read when it ends:

1. H2H: h2h.hospital.imports.import_extract on the file (validate, link, keep), then the before/after measures
   of every case (h2h.hospital.selectors_outcomes + h2h.hospital.measures). Target: ≤ 60 s and ≤ 4 GiB.
2. A plain pandas version of the same linkage and measures on the same file.

Both write every case's figures; they must agree (counts equal, rates within 1e-9) or the script exits 1. It
exits 2 when they agree but a target is missed. Options: --cases N (100,000), --rows N (10,000,000), --seed N,
--keep (reuse the cases and file built by an earlier run with the same options), --data-dir (where the file
and results go, default var/bench-outcomes/). See bench/README.md.
"""

# ruff: noqa: T201, S608 (a script that prints its figures; SQL text built from its own constants and integers)

import argparse
import csv
import json
import math
import os
import resource
import subprocess
import sys
import time
from importlib import metadata
from datetime import UTC, date, datetime, time as clock, timedelta
from pathlib import Path
from urllib.parse import unquote, urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_SECONDS = 60
TARGET_BYTES = 4 * 1024**3
# The admissions CSV's columns (docs/formats/hospital-admissions-csv.md).
COLUMNS = ("nhs_number", "date_of_birth", "admission_date", "discharge_date", "admission_type", "excess_bed_days")
# The file covers the 850 days up to yesterday: the referrals spread over two years and most of their before
# windows; the earliest referrals' before windows are only partly covered (the first file starting after the
# service did), so partial coverage is part of what both versions must agree on.
FILE_DAYS = 850
COHORT_SHARE = 0.05  # of the file's rows belong to the service's people (about 500,000 of 10 million)
ROWS_A_PERSON = 5  # so a 10-million-row file has about 2 million different people
CONSENT_SHARE = 0.90
RECORDED_SHARE = 0.99  # people with an NHS number on their record
REHOUSED_SHARE = 0.85
TWO_CASES_EVERY = 50  # one person in 50 has an earlier, withdrawn case as well
DOB_MISMATCH_PER_MILLE = 5  # of the service's people's rows give another date of birth: review, not linked
WINDOW_COLUMNS = ("status", "observed_days", "admissions", "emergency_admissions", "bed_days", "excess_bed_days",
                  "length_of_stay", "excess_share", "admissions_per_year", "emergency_admissions_per_year",
                  "bed_days_per_year", "attendances")
RESULT_COLUMNS = ("case_id", "summary_status", *(f"{w}_{c}" for w in ("before", "after") for c in WINDOW_COLUMNS))


# ------------------------------------------------------------------------------------------------ the database


def _database() -> dict:
    """Which database the benchmark empties and fills, refusing anything not named for it."""
    url = os.environ.get("DATABASE_URL", "")
    if url:
        parts = urlparse(url)
        name = unquote(parts.path.lstrip("/"))
        if parts.scheme not in {"postgres", "postgresql"} or name == "h2h" or "bench" not in name:
            sys.exit(f"bench: refusing to empty the database '{name}': name a dedicated PostgreSQL database "
                     "with 'bench' in it, e.g. postgres://h2h:h2h@127.0.0.1:5432/h2h_bench_outcomes")
        return {"engine": "postgresql", "name": name, "url": url}
    path = Path(os.environ.get("H2H_SQLITE_PATH") or ROOT / "var" / "bench-outcomes.sqlite3").resolve()
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


# ------------------------------------------------------------------------------------------------ NHS numbers


def check_digits(first_nine):
    """The mod-11 check digit of each nine-digit number (an array), 10 where no valid number has them: the
    rule of h2h.lib.identifiers.nhs_number_check_digit, for arrays (tests/test_bench_outcomes.py compares)."""
    import numpy as np

    weights = np.array([10, 9, 8, 7, 6, 5, 4, 3, 2], dtype=np.int64)
    digits = (first_nine[:, None] // 10 ** np.arange(8, -1, -1, dtype=np.int64)) % 10
    check = 11 - (digits @ weights) % 11
    return np.where(check == 11, 0, check)


def valid_nhs_numbers(first: int, last: int, count: int, rng) -> list[str]:
    """count different valid NHS numbers whose first nine digits are between first and last."""
    import numpy as np

    found = np.empty(0, dtype=np.int64)
    while len(found) < count:
        draw = rng.integers(first, last + 1, size=int((count - len(found)) * 1.25) + 1000, dtype=np.int64)
        check = check_digits(draw)
        numbers = draw[check != 10] * 10 + check[check != 10]
        found = np.unique(np.concatenate([found, numbers]))
    rng.shuffle(found)
    return [f"{n:010d}" for n in found[:count]]


# ------------------------------------------------------------------------------------------------ building


def build(cases: int, rows: int, seed: int, csv_path: Path, today: date) -> dict:
    """The service's cases in the database, and the admissions file. Returns what was built."""
    import numpy as np
    from django.core.management import call_command
    from django.db import transaction

    from h2h.accounts.models import Organisation, User
    from h2h.accounts.roles import Role
    from h2h.area.config import get_area
    from h2h.cases.models import Case, CaseEvent
    from h2h.cases.stages import Stage
    from h2h.referrals.models import Person, Referral

    rng = np.random.default_rng(seed)
    area = get_area()
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    people_count = cases - cases // TWO_CASES_EVERY
    first_day = today - timedelta(days=FILE_DAYS)
    with transaction.atomic():
        service = Organisation.objects.create(code=area.service_organisation, name="Service",
                                              kind=Organisation.Kind.HOUSING_PROVIDER)
        hospital = Organisation.objects.create(code="BENCH-NUH", name="Hospital", kind=Organisation.Kind.ACUTE_TRUST)
        hhc = User.objects.create(username="bench-hhc", role=Role.HHC, organisation=service)
        User.objects.create(username="bench-evaluator", role=Role.EVALUATOR, organisation=hospital)
        # The service's people: NHS numbers from the 999 test range (never issued), most recorded.
        numbers = valid_nhs_numbers(999_000_000, 999_999_999, people_count, rng)
        recorded = rng.random(people_count) < RECORDED_SHARE
        ages = rng.integers(55 * 365, 95 * 365, size=people_count)
        people = Person.objects.bulk_create(
            (Person(first_name=f"Bench{n}", last_name="Person", date_of_birth=today - timedelta(days=int(ages[n])),
                    nhs_number=numbers[n] if recorded[n] else "", address_line_1=f"{n} Bench Street",
                    town="Nottingham", postcode="NG7 2UH") for n in range(people_count)),
            batch_size=5000)
        # Cases: referred over the last two years; the first people also have an earlier withdrawn case.
        plans = []  # (person index, referred_on, tenancy start or None, closed)
        for n in range(cases // TWO_CASES_EVERY):
            plans.append((n, today - timedelta(days=int(rng.integers(500, 731))), None, True))
        for n in range(people_count):
            referred = today - timedelta(days=int(rng.integers(20, 400 if n < cases // TWO_CASES_EVERY else 731)))
            moved = referred + timedelta(days=int(rng.integers(14, 151)))
            rehoused = rng.random() < REHOUSED_SHARE and moved < today
            plans.append((n, referred, moved if rehoused else None, False))
        consent = rng.random(len(plans)) < CONSENT_SHARE
        referrals = Referral.objects.bulk_create(
            (Referral(service=service, person=people[n], received_at=datetime.combine(referred, clock(10), UTC),
                      received_via="online", created_by=hhc, setting="acute_hospital", reasons=["accessibility"],
                      tenure="council_tenant", mobility="walking_aid", wheelchair_use="none", benefits=[],
                      referrer_organisation=hospital, referrer_name="Rita Referrer",
                      referrer_role="Discharge coordinator", consent="given",
                      consent_sharing=["housing", "evaluation"] if consent[i] else ["housing"])
             for i, (n, referred, _, _) in enumerate(plans)),
            batch_size=5000)
        cohorts = [c.code for c in area.cohorts]
        case_rows = Case.objects.bulk_create(
            (Case(service=service, person=people[n], referral=referral, referred_on=referred,
                  stage=Stage.CLOSED if closed else Stage.TENANCY_START if moved else Stage.APPLICATION_LIVE,
                  closing_reason="withdrawn" if closed else "", cohort=cohorts[i % len(cohorts)],
                  stage_changed_on=moved or referred, assigned_to=hhc)
             for i, ((n, referred, moved, closed), referral) in enumerate(zip(plans, referrals, strict=True))),
            batch_size=5000)
        CaseEvent.objects.bulk_create(
            (CaseEvent(case=case, kind=CaseEvent.Kind.STAGE, from_stage=Stage.OFFER, to_stage=Stage.TENANCY_START,
                       on=moved, by=hhc)
             for case, (_, _, moved, _) in zip(case_rows, plans, strict=True) if moved),
            batch_size=5000)
    # Activity crowds into the months before each person's (first) referral, as it does for the people
    # referred; the rest is spread over the file's period.
    focus = {}
    for n, referred, _, _ in plans:
        focus[n] = min(focus.get(n, referred), referred)
    ours = [(numbers[n], people[n].date_of_birth, focus[n] - timedelta(days=183))
            for n in range(people_count) if recorded[n]]
    others = max(rows // ROWS_A_PERSON - len(ours), 1000)
    # Everyone else: valid numbers outside the test range and outside the ranges issued in England and Wales.
    other_numbers = valid_nhs_numbers(800_000_000, 998_999_999, others, rng)
    other_ages = rng.integers(3 * 365, 100 * 365, size=others)  # born before the file starts
    pool = ours + [(other_numbers[k], today - timedelta(days=int(other_ages[k])), None) for k in range(others)]
    write_admissions_csv(csv_path, pool, len(ours), rows, seed, first_day, today - timedelta(days=1))
    return {"people": people_count, "cases": len(plans), "people_in_file": len(pool),
            "period_start": first_day.isoformat(), "period_end": (today - timedelta(days=1)).isoformat()}


def write_admissions_csv(path: Path, pool, ours: int, rows: int, seed: int, first_day: date, last_day: date):
    """rows admissions: COHORT_SHARE of them for the service's people (pool[:ours]), the rest for everyone else.
    Lengths of stay are skewed (most a few days, a few weeks long); about 65% are emergencies; stays over 14
    days are excess beyond that in a third of them; a few of our people's rows give another date of birth."""
    import duckdb
    import pandas as pd

    frame = pd.DataFrame({"idx": range(len(pool)), "nhs": [p[0] for p in pool],
                          "dob": pd.to_datetime([p[1] for p in pool]),
                          "focus": pd.to_datetime([p[2] for p in pool])})
    con = duckdb.connect()
    con.execute("SET threads=2; SET memory_limit='2GB'; SET enable_progress_bar=false")
    con.register("pool_frame", frame)
    con.execute("CREATE TABLE pool AS SELECT idx, nhs, CAST(dob AS DATE) AS dob, CAST(focus AS DATE) AS focus "
                "FROM pool_frame")
    days = (last_day - first_day).days + 1
    others = len(pool) - ours
    permille = round(COHORT_SHARE * 1000)
    con.execute(f"""
        COPY (
          WITH drawn AS (
            SELECT i, hash(i, {seed}) AS h1, hash(i, {seed} + 1) AS h2, hash(i, {seed} + 2) AS h3,
                   hash(i, {seed} + 3) AS h4
            FROM range({rows}) AS t(i)
          ), who AS (
            SELECT i, h3, h4, h1 % 1000 < {permille} AS ours,
                   CASE WHEN h1 % 1000 < {permille} THEN h2 % {ours} ELSE {ours} + h2 % {others} END AS idx
            FROM drawn
          ), dated AS (
            SELECT w.i, w.h3, w.h4, w.ours, p.nhs, p.dob,
                   CASE WHEN w.ours AND (w.h3 >> 12) % 2 = 0
                        THEN GREATEST(p.focus + CAST((w.h3 >> 14) % 183 AS INTEGER), DATE '{first_day}')
                        ELSE DATE '{first_day}' + CAST((w.h3 >> 14) % {days} AS INTEGER) END AS admitted,
                   CAST(floor(-ln(1 - (w.h4 % 1000000) / 1000000.0) * 6) AS INTEGER) AS stay
            FROM who w JOIN pool p ON p.idx = w.idx
          ), stays AS (
            SELECT *, CAST(LEAST(stay, 120, DATE '{last_day}' - admitted) AS INTEGER) AS los FROM dated
          )
          SELECT nhs AS nhs_number,
                 strftime(CASE WHEN ours AND (h3 >> 40) % 1000 < {DOB_MISMATCH_PER_MILLE} THEN dob + 1 ELSE dob END,
                          '%Y-%m-%d') AS date_of_birth,
                 strftime(admitted, '%Y-%m-%d') AS admission_date,
                 strftime(admitted + los, '%Y-%m-%d') AS discharge_date,
                 CASE WHEN (h4 >> 20) % 100 < 65 THEN 'emergency' ELSE 'elective' END AS admission_type,
                 CASE WHEN los > 14 AND (h4 >> 30) % 3 = 0 THEN los - 14 ELSE 0 END AS excess_bed_days
          FROM stays ORDER BY i
        ) TO '{path}' (HEADER, DELIMITER ',')
    """)
    con.close()


def child_build(options) -> dict:
    _setup_django()
    return build(options.cases, options.rows, options.seed, Path(options.file), date.fromisoformat(options.today))


def reset_hospital_activity() -> None:
    """Every timed run starts with no hospital activity held (so --keep times a first import too)."""
    from django.db import connection, transaction

    from h2h.hospital.models import Admission, Attendance, Extract, LinkReview

    with transaction.atomic():
        LinkReview.candidates.through.objects.all().delete()
        LinkReview.objects.all().delete()
        Admission.objects.all().delete()
        Attendance.objects.all().delete()
        Extract.objects.update(replaces=None)
        Extract.objects.all().delete()
    connection.close()


# ------------------------------------------------------------------------------------------------ results


def _cell(value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return repr(float(value)) if isinstance(value, float) else str(value)


def write_results(path: Path, rows) -> int:
    """Each case's figures, one row per case, floats written exactly (repr)."""
    n = 0
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(RESULT_COLUMNS)
        for row in rows:
            writer.writerow([_cell(row[c]) for c in RESULT_COLUMNS])
            n += 1
    return n


def compare_results(ours: Path, theirs: Path) -> list[str]:
    """Differences between two results files: missing cases, different statuses or counts, rates apart by more
    than 1e-9."""
    def load(path):
        with path.open(newline="") as f:
            return {row["case_id"]: row for row in csv.DictReader(f)}

    a, b = load(ours), load(theirs)
    problems = [f"case {k} only in {ours.name}" for k in sorted(a.keys() - b.keys())[:5]]
    problems += [f"case {k} only in {theirs.name}" for k in sorted(b.keys() - a.keys())[:5]]
    for key in sorted(a.keys() & b.keys(), key=int):
        for column in RESULT_COLUMNS[1:]:
            x, y = a[key][column], b[key][column]
            if x == y:
                continue
            try:
                same = math.isclose(float(x), float(y), rel_tol=1e-9, abs_tol=1e-9)
            except ValueError:
                same = False
            if not same:
                problems.append(f"case {key} {column}: h2h {x!r}, pandas {y!r}")
        if len(problems) > 20:
            break
    return problems


# ------------------------------------------------------------------------------------------------ child: H2H


def _peak_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports KiB


def child_h2h(options) -> dict:
    _setup_django()
    from h2h.accounts.models import User
    from h2h.cases.models import Case
    from h2h.hospital.imports import import_extract
    from h2h.hospital.measures import cohort_summary
    from h2h.hospital.selectors_outcomes import before_after, outcome_inputs

    today = date.fromisoformat(options.today)
    user = User.objects.get(username="bench-evaluator")
    path = Path(options.file)
    stages = {}
    start = time.perf_counter()
    extract = import_extract(path, kind="admissions", file_format="csv", file_name=path.name,
                             provider="Bench hospital", uploaded_by=user,
                             period_start=date.fromisoformat(options.period_start),
                             period_end=date.fromisoformat(options.period_end))
    stages["import_extract (validate, link, keep)"] = time.perf_counter() - start
    if extract.status != "applied":
        print(json.dumps({"error": f"extract {extract.status}", "errors": extract.errors[:10]}))
        sys.exit(3)
    mark = time.perf_counter()
    inputs = outcome_inputs(Case.objects.all())
    stages["read cases and linked rows"] = time.perf_counter() - mark
    mark = time.perf_counter()
    measures = before_after(inputs, today=today, window_months=options.window)
    summary = cohort_summary(measures)
    stages["before/after measures and summary"] = time.perf_counter() - mark
    total = time.perf_counter() - start
    peak = _peak_rss_bytes()

    def figures(x):
        row = {"case_id": x.case.case_id, "summary_status": x.summary_status}
        for name, w in (("before", x.before), ("after", x.after)):
            for column in WINDOW_COLUMNS:
                row[f"{name}_{column}"] = getattr(w, column)
        return row

    write_results(Path(options.out), (figures(x) for x in measures))
    return {
        "stages": stages, "total": total, "peak_rss": peak, "cases": len(measures),
        "extract": {k: getattr(extract, k) for k in ("rows_read", "rows_linked", "rows_for_review",
                                                      "rows_already_held", "rows_not_ours", "rows_no_consent")},
        "summary": {"measured": summary.measured, "not_yet_due": summary.not_yet_due,
                    "no_tenancy": summary.no_tenancy, "no_data": summary.no_data,
                    "before": [summary.before.admissions_per_person_year, summary.before.length_of_stay,
                               summary.before.excess_share],
                    "after": [summary.after.admissions_per_person_year, summary.after.length_of_stay,
                              summary.after.excess_share]},
    }


# ------------------------------------------------------------------------------------------------ child: pandas


def child_pandas(options) -> dict:
    """The same linkage and measures written plainly with pandas: read_csv, merge, groupby."""
    import pandas as pd

    _setup_django()
    from django.db import connection

    from h2h.cases.models import Case, CaseEvent
    from h2h.hospital.models import Extract
    from h2h.referrals.models import Person, Referral

    today = pd.Timestamp(options.today)
    window = options.window
    stages = {}
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT c.id, c.person_id, c.referred_on, r.consent_sharing, p.nhs_number, p.date_of_birth "
                       f"FROM {Case._meta.db_table} c JOIN {Referral._meta.db_table} r ON r.id = c.referral_id "
                       f"JOIN {Person._meta.db_table} p ON p.id = c.person_id")
        cases = pd.DataFrame(cursor.fetchall(), columns=["case_id", "person_id", "referred_on", "sharing", "nhs",
                                                         "dob"])
        cursor.execute(f"SELECT case_id, {connection.ops.quote_name('on')}, at, id FROM {CaseEvent._meta.db_table} "
                       "WHERE kind = 'stage' AND to_stage = 'tenancy_start'")
        events = pd.DataFrame(cursor.fetchall(), columns=["case_id", "on", "at", "id"])
        cursor.execute(f"SELECT period_start, period_end FROM {Extract._meta.db_table} "
                       "WHERE status = 'applied' AND kind = 'admissions'")
        periods = cursor.fetchall()
    if len(periods) != 1:
        sys.exit("pandas version: expects exactly one applied admissions file")
    cover_first, cover_last = (pd.Timestamp(d) for d in periods[0])
    cases["consent"] = [("evaluation" in (json.loads(s) if isinstance(s, str) else s)) for s in cases["sharing"]]
    cases["referred_on"] = pd.to_datetime(cases["referred_on"])
    cases["dob"] = pd.to_datetime(cases["dob"])
    latest = events.sort_values(["at", "id"]).drop_duplicates("case_id", keep="last")
    cases = cases.merge(latest[["case_id", "on"]].rename(columns={"on": "tenancy"}), on="case_id", how="left")
    cases["tenancy"] = pd.to_datetime(cases["tenancy"])
    stages["read people and cases"] = time.perf_counter() - start

    # Linkage: a number held by exactly one person, the same date of birth, and a case with consent.
    mark = time.perf_counter()
    people = cases[cases["nhs"] != ""].groupby("person_id").agg(nhs=("nhs", "first"), dob=("dob", "first"),
                                                                 consent=("consent", "any")).reset_index()
    holders = people.groupby("nhs")["person_id"].transform("size")
    people = people[(holders == 1) & people["consent"]]
    admissions = pd.read_csv(options.file, dtype={c: "str" for c in COLUMNS[:5]} | {"excess_bed_days": "int64"})
    rows_read = len(admissions)
    admissions = admissions.merge(people[["nhs", "dob", "person_id"]], left_on="nhs_number", right_on="nhs")
    admissions["date_of_birth"] = pd.to_datetime(admissions["date_of_birth"], format="%Y-%m-%d")
    review = int((admissions["date_of_birth"] != admissions["dob"]).sum())
    linked = admissions[admissions["date_of_birth"] == admissions["dob"]].copy()
    linked["admitted"] = pd.to_datetime(linked["admission_date"], format="%Y-%m-%d")
    linked["bed_days"] = (pd.to_datetime(linked["discharge_date"], format="%Y-%m-%d") - linked["admitted"]).dt.days
    linked["emergency"] = (linked["admission_type"] == "emergency").astype("int64")
    linked = linked[["person_id", "admitted", "bed_days", "emergency", "excess_bed_days"]]
    del admissions
    stages["read_csv and link"] = time.perf_counter() - mark

    # Measures: the windows, the days observed in them, and what happened on those days.
    mark = time.perf_counter()
    measured = cases[cases["consent"] & (cases["nhs"] != "")].copy()
    offset, day = pd.DateOffset(months=window), pd.Timedelta(days=1)
    windows = {"before": (measured["referred_on"] - offset, measured["referred_on"] - day),
               "after": (measured["tenancy"], measured["tenancy"] + offset - day)}
    for name, (first, last) in windows.items():
        seen_first = first.clip(lower=cover_first)  # a missing tenancy start stays missing
        seen_last = last.clip(upper=min(cover_last, today))
        measured[f"{name}_seen_first"], measured[f"{name}_seen_last"] = seen_first, seen_last
        days = (seen_last - seen_first).dt.days + 1
        measured[f"{name}_observed_days"] = days.where(days > 0, 0).fillna(0).astype("int64")
    joined = linked.merge(measured[["case_id", "person_id", "before_seen_first", "before_seen_last",
                                    "after_seen_first", "after_seen_last"]], on="person_id")
    for name in windows:
        inside = joined[(joined["admitted"] >= joined[f"{name}_seen_first"])
                        & (joined["admitted"] <= joined[f"{name}_seen_last"])]
        sums = inside.groupby("case_id").agg(admissions=("admitted", "size"), emergency_admissions=("emergency", "sum"),
                                             bed_days=("bed_days", "sum"), excess_bed_days=("excess_bed_days", "sum"))
        sums = sums.reindex(measured["case_id"], fill_value=0).add_prefix(f"{name}_")
        measured = measured.merge(sums, left_on="case_id", right_index=True)
    after_last = windows["after"][1]
    measured["before_status"] = "measured"
    measured.loc[measured["before_observed_days"] == 0, "before_status"] = "no data"
    measured["after_status"] = "measured"
    measured.loc[measured["after_observed_days"] == 0, "after_status"] = "no data"
    measured.loc[after_last >= today, "after_status"] = "not yet due"
    measured.loc[measured["tenancy"].isna(), "after_status"] = "no tenancy"
    measured["summary_status"] = "measured"
    measured.loc[(measured["before_status"] == "no data") | (measured["after_status"] == "no data"),
                 "summary_status"] = "no data"
    for status in ("not yet due", "no tenancy"):
        measured.loc[measured["after_status"] == status, "summary_status"] = status
    for name in windows:
        unseen = measured[f"{name}_status"] != "measured"
        counts = [f"{name}_{c}" for c in ("admissions", "emergency_admissions", "bed_days", "excess_bed_days")]
        for column in counts:
            measured[column] = measured[column].astype("float64").mask(unseen)
        measured.loc[unseen, f"{name}_observed_days"] = 0
        per_day = measured[f"{name}_observed_days"].where(~unseen)
        measured[f"{name}_admissions_per_year"] = measured[f"{name}_admissions"] * 365 / per_day
        measured[f"{name}_emergency_admissions_per_year"] = measured[f"{name}_emergency_admissions"] * 365 / per_day
        measured[f"{name}_bed_days_per_year"] = measured[f"{name}_bed_days"] * 365 / per_day
        admitted = measured[f"{name}_admissions"].where(measured[f"{name}_admissions"] > 0)
        measured[f"{name}_length_of_stay"] = measured[f"{name}_bed_days"] / admitted
        stayed = measured[f"{name}_bed_days"].where(measured[f"{name}_bed_days"] > 0)
        measured[f"{name}_excess_share"] = measured[f"{name}_excess_bed_days"] / stayed
        measured[f"{name}_attendances"] = None  # no A&E file in the benchmark
    measured = measured.sort_values("case_id")
    stages["before/after measures"] = time.perf_counter() - mark
    total = time.perf_counter() - start
    peak = _peak_rss_bytes()

    def records():
        for row in measured[list(RESULT_COLUMNS)].to_dict("records"):
            for key, value in row.items():
                if key.endswith(("admissions", "_bed_days", "observed_days")) and isinstance(value, float) \
                        and not math.isnan(value):
                    row[key] = int(value)
            yield row

    write_results(Path(options.out), records())
    return {"stages": stages, "total": total, "peak_rss": peak, "cases": len(measured), "rows_read": rows_read,
            "rows_linked": len(linked), "rows_for_review": review}


# ------------------------------------------------------------------------------------------------ the parent


def run_child(kind: str, extra: list[str], log: Path) -> tuple[dict, int, float]:
    """Run one timed pipeline in its own Python; its peak resident memory comes from the kernel when it ends."""
    command = [sys.executable, str(Path(__file__).resolve()), "--child", kind, *extra]
    with log.open("w") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=os.environ.copy())
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    text = log.read_text()
    if process.returncode != 0:
        print(text[-4000:])
        sys.exit(f"bench: the {kind} run failed (exit {process.returncode}); its output is in {log}")
    result = json.loads(text.strip().splitlines()[-1])
    return result, usage.ru_maxrss * 1024, usage.ru_utime + usage.ru_stime


def _gib(n: int) -> str:
    return f"{n / 1024**3:.2f} GiB"


def _rate(x) -> str:
    return "–" if x is None else f"{x:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="reuse the cases and file of an earlier run")
    parser.add_argument("--data-dir", default=str(ROOT / "var" / "bench-outcomes"))
    parser.add_argument("--child", choices=["build", "h2h", "pandas"], help=argparse.SUPPRESS)
    for hidden in ("--file", "--out", "--today", "--period-start", "--period-end"):
        parser.add_argument(hidden, help=argparse.SUPPRESS)
    parser.add_argument("--window", type=int, help=argparse.SUPPRESS)
    options = parser.parse_args()
    database = _database()
    if options.child:
        result = {"build": child_build, "h2h": child_h2h, "pandas": child_pandas}[options.child](options)
        print(json.dumps(result))
        return

    args = " ".join(sys.argv[1:])
    print("H2H benchmark: hospital activity import, linkage and before/after measures")
    prefix = f"DATABASE_URL={database['url']} " if database["engine"] == "postgresql" else ""
    print(f"Command: {prefix}.venv/bin/python bench/outcomes.py{' ' + args if args else ''}")
    if database["engine"] == "postgresql":
        _create_postgres_database_if_missing(database["url"], database["name"])
    data_dir = Path(options.data_dir).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    csv_path = data_dir / f"admissions-{options.cases}-{options.rows}-{options.seed}.csv"
    marker = data_dir / "built.json"
    wanted = {"cases": options.cases, "rows": options.rows, "seed": options.seed, "database": database["name"],
              "file": str(csv_path)}
    built = json.loads(marker.read_text()) if marker.exists() else {}
    keep = options.keep and csv_path.exists() and all(built.get(k) == v for k, v in wanted.items())
    if database["engine"] == "sqlite" and not keep:
        Path(database["name"]).unlink(missing_ok=True)
    # The parent stays small (no pandas, no data): Linux carries a process's peak memory into the children it
    # starts, so a large parent would raise the peak read for each child. Building is a child of its own too.
    _setup_django()
    from django.db import connection

    from h2h.area.config import get_area

    with connection.cursor() as cursor:
        cursor.execute("SELECT sqlite_version()" if database["engine"] == "sqlite" else "SHOW server_version")
        version = cursor.fetchone()[0]
    connection.close()
    print(f"{'SQLite ' if database['engine'] == 'sqlite' else 'PostgreSQL '}{version}, {database['name']}; "
          f"Python {sys.version.split()[0]}, DuckDB {metadata.version('duckdb')}, pandas "
          f"{metadata.version('pandas')}; {os.cpu_count()} CPUs")
    if keep:
        print(f"Reusing the cases and the file built on {built['today']} (--keep)")
    else:
        marker.unlink(missing_ok=True)
        today = date.today()
        start = time.perf_counter()
        info, _, _ = run_child("build", ["--cases", str(options.cases), "--rows", str(options.rows),
                                      "--seed", str(options.seed), "--file", str(csv_path),
                                      "--today", today.isoformat()], data_dir / "build.log")
        built = {**wanted, **info, "today": today.isoformat(), "seconds": time.perf_counter() - start}
        marker.write_text(json.dumps(built))
        print(f"Built {built['cases']:,} cases ({built['people']:,} people) and a {options.rows:,}-row admissions "
              f"file ({csv_path.stat().st_size / 1024**2:,.0f} MiB, {built['people_in_file']:,} people) in "
              f"{built['seconds']:.0f} s (not timed against the target)")
    reset_hospital_activity()
    window = get_area().outcomes.window_months
    extra = ["--file", str(csv_path), "--today", built["today"], "--period-start", built["period_start"],
             "--period-end", built["period_end"], "--window", str(window)]
    ours_out, pandas_out = data_dir / "results-h2h.csv", data_dir / "results-pandas.csv"

    parent_peak = _peak_rss_bytes()
    h2h, h2h_peak, h2h_cpu = run_child("h2h", [*extra, "--out", str(ours_out)], data_dir / "h2h.log")
    e = h2h["extract"]
    print(f"\nH2H, in a child process (window {window} months, today {built['today']}):")
    for stage, seconds in h2h["stages"].items():
        print(f"  {stage:<40} {seconds:7.1f} s")
    print(f"  {'total':<40} {h2h['total']:7.1f} s   peak RSS {_gib(h2h_peak)}   "
          f"(CPU {h2h_cpu:.0f} s for the whole child)")
    print(f"  rows read {e['rows_read']:,}; kept: linked {e['rows_linked']:,}, for review {e['rows_for_review']:,}; "
          f"discarded: not ours {e['rows_not_ours']:,}, no consent {e['rows_no_consent']:,}; "
          f"already held {e['rows_already_held']:,}")
    s = h2h["summary"]
    print(f"  {h2h['cases']:,} cases measured: {s['measured']:,} in both windows, {s['not_yet_due']:,} not yet due, "
          f"{s['no_tenancy']:,} not rehoused, {s['no_data']:,} no data")
    print(f"  admissions per person per year {_rate(s['before'][0])} → {_rate(s['after'][0])}; length of stay "
          f"{_rate(s['before'][1])} → {_rate(s['after'][1])} days; excess bed days "
          f"{_rate(100 * s['before'][2])}% → {_rate(100 * s['after'][2])}%")
    time_ok, memory_ok = h2h["total"] <= TARGET_SECONDS, h2h_peak <= TARGET_BYTES
    print(f"  target ≤ {TARGET_SECONDS} s: {'met' if time_ok else 'NOT MET'};  target ≤ 4 GiB: "
          f"{'met' if memory_ok else 'NOT MET'}")

    theirs, pandas_peak, pandas_cpu = run_child("pandas", [*extra, "--out", str(pandas_out)],
                                                data_dir / "pandas.log")
    print("\npandas (read_csv, merge, groupby), in a child process:")
    for stage, seconds in theirs["stages"].items():
        print(f"  {stage:<40} {seconds:7.1f} s")
    print(f"  {'total':<40} {theirs['total']:7.1f} s   peak RSS {_gib(pandas_peak)}   "
          f"(CPU {pandas_cpu:.0f} s for the whole child)")
    print(f"  rows read {theirs['rows_read']:,}; linked {theirs['rows_linked']:,}, "
          f"date of birth differs {theirs['rows_for_review']:,}")
    print(f"  pandas / H2H: {theirs['total'] / h2h['total']:.1f}× the time, {pandas_peak / h2h_peak:.1f}× the memory")

    problems = compare_results(ours_out, pandas_out)
    if (e["rows_read"], e["rows_linked"], e["rows_for_review"]) != (
            theirs["rows_read"], theirs["rows_linked"], theirs["rows_for_review"]):
        problems.append(f"rows read/linked/for review: h2h {e['rows_read']}/{e['rows_linked']}/"
                        f"{e['rows_for_review']}, pandas {theirs['rows_read']}/{theirs['rows_linked']}/"
                        f"{theirs['rows_for_review']}")
    if problems:
        print(f"\nDISAGREE: H2H and pandas differ ({len(problems)} shown):")
        for problem in problems[:20]:
            print(f"  {problem}")
        sys.exit(1)
    print(f"\nAgreement: both give the same figures for all {h2h['cases']:,} cases (counts equal, rates within "
          f"1e-9) and the same rows linked ({e['rows_linked']:,}) and for review ({e['rows_for_review']:,}).")
    print(f"(Peak RSS: each child's ru_maxrss, read with wait4 when it ends. The parent had peaked at "
          f"{_gib(parent_peak)} when it started them, a floor under those readings.)")
    if not (time_ok and memory_ok):
        sys.exit(2)


if __name__ == "__main__":
    main()
