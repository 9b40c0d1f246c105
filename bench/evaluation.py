"""Benchmark: the annual evaluation for 100,000 cases with a 10-million-row admissions file already imported.

    .venv/bin/python bench/evaluation.py                    # SQLite: var/bench-evaluation.sqlite3
    DATABASE_URL=postgres://h2h:h2h@127.0.0.1:5432/h2h_bench .venv/bin/python bench/evaluation.py

The data are bench/outcomes.py's: 100,000 cases of 98,000 people referred over two years, and its 10-million-row
admissions file imported and linked (about 500,000 rows kept for the service's people). If that benchmark's
database is not there yet (or was built with other options), run it first, or pass --build to have this script
run it (never run two at once: it empties its database). This script then works on a
copy, never on that database itself: var/bench-evaluation.sqlite3, or the PostgreSQL database named in
DATABASE_URL with "_evaluation" added (made from it as a template). To the copy it adds, untimed, what an
evaluation also reads: the shipped cost book, a year's funding, wellbeing values (made up for the benchmark,
not real ones), a mix of referral settings, baseline and follow-up surveys for 40% of the people rehoused,
coordinators' avoided outcomes for 10%, and long-term voids let for 5%.

Timed: h2h.evaluation.report.build_evaluation_report for the last twelve whole months (every query, the
before/after measures of the people rehoused, the surveys, the engine and the report tables), as the page,
the PDF and the XLSX call it; then the XLSX workbook and the PDF from it. Target: the evaluation ≤ 10 s.
Options: --cases, --rows, --seed (as given to bench/outcomes.py), --fresh (copy the outcomes database again),
--build (run bench/outcomes.py first when its data are missing), --outcomes-dir (bench/outcomes.py's --data-dir,
default var/bench-outcomes/).
"""

# ruff: noqa: T201, S311, S608 (a script that prints its figures; random data; SQL from its own constants)

import argparse
import json
import os
import random
import sqlite3
import subprocess
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote, urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_SECONDS = 10
OUTCOMES_SQLITE = ROOT / "var" / "bench-outcomes.sqlite3"
OUTCOMES_DIR = ROOT / "var" / "bench-outcomes"  # bench/outcomes.py's --data-dir
OUR_SQLITE = ROOT / "var" / "bench-evaluation.sqlite3"
SURVEYED_SHARE = 0.40
AVOIDED_SHARE = 0.10
VOID_SHARE = 0.05
SETTINGS = (("acute_hospital", 40), ("community", 35), ("community_hospital", 10), ("mental_health_ward", 8),
            ("step_down_unit", 4), ("care_home", 3))
# Made up for the benchmark so that the social value has something to multiply; not values from any bank.
BENCH_WELLBEING = ("outcome,value,deadweight_percent,source,licence\n"
                   "relief_from_anxiety_depression,1000,20,Benchmark figure (not a real value),\n"
                   "feeling_safe,500,20,Benchmark figure (not a real value),\n"
                   "adequate_social_contact,400,20,Benchmark figure (not a real value),\n")


# ------------------------------------------------------------------------------------------------ databases


def _databases() -> dict:
    url = os.environ.get("DATABASE_URL", "")
    if url:
        parts = urlparse(url)
        name = unquote(parts.path.lstrip("/"))
        if parts.scheme not in {"postgres", "postgresql"} or name == "h2h" or "bench" not in name:
            sys.exit(f"bench: refusing to use the database '{name}': name the outcomes benchmark's PostgreSQL "
                     "database, with 'bench' in it, e.g. postgres://h2h:h2h@127.0.0.1:5432/h2h_bench")
        ours = f"{name}_evaluation"
        return {"engine": "postgresql", "source": name, "ours": ours, "url": url,
                "our_url": parts._replace(path=f"/{ours}").geturl()}
    return {"engine": "sqlite", "source": str(OUTCOMES_SQLITE), "ours": str(OUR_SQLITE)}


def _count_admissions(db: dict) -> int:
    try:
        if db["engine"] == "sqlite":
            if not OUTCOMES_SQLITE.exists():
                return 0
            with sqlite3.connect(OUTCOMES_SQLITE) as conn:
                return conn.execute("SELECT count(*) FROM hospital_admission WHERE person_id IS NOT NULL").fetchone()[0]
        import psycopg

        with psycopg.connect(db["url"]) as conn:
            return conn.execute("SELECT count(*) FROM hospital_admission WHERE person_id IS NOT NULL").fetchone()[0]
    except Exception:  # noqa: BLE001 (no database or no table yet: it has to be built)
        return 0


def ensure_outcomes_data(db: dict, options) -> dict:
    """bench/outcomes.py's database with its file imported. With --build, run that benchmark first when it is
    not there; never otherwise, as it empties its database (another run of it may be using it)."""
    wanted = {"cases": options.cases, "rows": options.rows, "seed": options.seed}
    marker = Path(options.outcomes_dir) / "built.json"
    built = json.loads(marker.read_text()) if marker.exists() else {}
    same = all(built.get(k) == v for k, v in wanted.items()) and built.get("database") == db["source"]
    if same and _count_admissions(db):
        return built
    if not options.build:
        sys.exit("bench: bench/outcomes.py's database (with its admissions file imported) is not there, or was "
                 "built with other options. Run bench/outcomes.py with the same options first, or pass --build "
                 "to have this script run it.")
    print("Running bench/outcomes.py first (its output follows).\n")
    command = [sys.executable, str(ROOT / "bench" / "outcomes.py"), "--cases", str(options.cases),
               "--rows", str(options.rows), "--seed", str(options.seed), "--keep",
               "--data-dir", str(options.outcomes_dir)]
    env = {**os.environ}
    if db["engine"] == "sqlite":
        env.pop("H2H_SQLITE_PATH", None)
    result = subprocess.run(command, env=env, check=False)  # noqa: S603 (this repository's own script)
    if result.returncode not in (0, 2) or not _count_admissions(db):  # 2: its targets missed, data good
        sys.exit(f"bench: bench/outcomes.py failed (exit {result.returncode})")
    print()
    return json.loads(marker.read_text())


def copy_database(db: dict) -> None:
    if db["engine"] == "sqlite":
        OUR_SQLITE.unlink(missing_ok=True)
        with sqlite3.connect(OUTCOMES_SQLITE) as source, sqlite3.connect(OUR_SQLITE) as target:
            source.backup(target)  # consistent even if the file has a journal
        return
    import psycopg
    from psycopg import sql

    maintenance = urlparse(db["url"])._replace(path="/postgres").geturl()
    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(db["ours"])))
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(db["ours"]),
                                                                     sql.Identifier(db["source"])))


def _use_our_database(db: dict) -> None:
    if db["engine"] == "sqlite":
        os.environ["H2H_SQLITE_PATH"] = db["ours"]
        os.environ.pop("DATABASE_URL", None)
    else:
        os.environ["DATABASE_URL"] = db["our_url"]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "h2h.settings")
    os.environ.setdefault("H2H_ALLOW_INSECURE_KEY", "1")
    os.environ.setdefault("H2H_MANIFEST_STATIC", "false")
    import django

    django.setup()


# ------------------------------------------------------------------------------------------------ extras


def add_evaluation_records(period, today: date, seed: int) -> dict:
    """What an evaluation reads besides cases and hospital activity (untimed)."""
    from django.db import connection, transaction
    from django.db.models import F

    from h2h.accounts.models import Organisation, User
    from h2h.accounts.roles import Role
    from h2h.area.config import get_area
    from h2h.evaluation.costbook import SHIPPED_COST_BOOK, load_cost_book, load_wellbeing_values
    from h2h.evaluation.inputs import rehoused_queryset
    from h2h.evaluation.models import AvoidedOutcome, Funding
    from h2h.lettings.models import Application, Offer, Property, Void
    from h2h.referrals.models import Referral
    from h2h.surveys.items import EQ5D_ITEMS, SWEMWBS_ITEMS
    from h2h.surveys.models import Survey, SurveyAnswer

    rng = random.Random(seed)
    service = Organisation.objects.get(code=get_area().service_organisation)
    hhc = User.objects.filter(role=Role.HHC).first()
    pm = User.objects.get_or_create(username="bench-pm", defaults={"role": Role.PROJECT_MANAGER,
                                                                   "organisation": service})[0]
    assert load_cost_book(SHIPPED_COST_BOOK.read_bytes(), file_name=SHIPPED_COST_BOOK.name).ok
    assert load_wellbeing_values(BENCH_WELLBEING.encode(), file_name="bench-wellbeing.csv").ok
    # Where people were referred from, in shares like the service's (the outcomes data have acute beds only).
    with connection.cursor() as cursor:
        low = 0
        for setting, share in SETTINGS:
            cursor.execute(f"UPDATE referrals_referral SET setting = %s WHERE id %% 100 >= {low} "
                           f"AND id %% 100 < {low + share}", [setting])
            low += share
    cohort = list(rehoused_queryset(service, period).order_by("id").values_list("id", "referred_on"))
    with transaction.atomic():
        # Funding in proportion to the cohort (about what Nottingham's service costs for each person rehoused),
        # so that the returns per £1 come out at a believable scale.
        for funder, kind, per_person in (("nhs", "staff", 3500), ("council", "staff", 500),
                                         ("housing_provider", "hardship_fund", 200)):
            Funding.objects.create(funder=funder, kind=kind, period_start=period.start, period_end=period.end,
                                   amount=Decimal(per_person * len(cohort)), entered_by=pm)
        surveyed = [case_id for case_id, _ in cohort if rng.random() < SURVEYED_SHARE]
        surveys = []
        for case_id in surveyed:
            for timepoint in ("baseline", "follow_up"):
                surveys.append(Survey(case_id=case_id, timepoint=timepoint, respondent="person",
                                      completed_on=today, recorded_by=hhc, value_set="england-2018",
                                      eq_vas=rng.randint(20, 95), swemwbs_raw=rng.randint(10, 33),
                                      swemwbs_metric=Decimal(rng.randint(1200, 3000)) / 100,
                                      eq5d_index=Decimal(rng.randint(100, 1000)) / 1000))
        Survey.objects.bulk_create(surveys, batch_size=5000)
        answers = []
        for survey in Survey.objects.only("id", "timepoint").iterator(chunk_size=5000):  # all just made
            better = survey.timepoint == "follow_up"
            values = {item: rng.randint(1, 3 if better else 5) for item in EQ5D_ITEMS}
            values.update({item: rng.randint(2 if better else 1, 5) for item in SWEMWBS_ITEMS})
            values.update(life_satisfaction=rng.randint(3, 10), social_contact=rng.randint(1, 2 if better else 3),
                          feeling_safe=rng.randint(1, 2 if better else 4), financial_comfort=rng.randint(1, 4),
                          managing_health=rng.randint(1, 4))
            if better:
                values.update(satisfaction=rng.randint(7, 10), could_not_have_moved=int(rng.random() < 0.94))
            answers += [SurveyAnswer(survey_id=survey.id, item=item, status="answered", value=value)
                        for item, value in values.items()]
        SurveyAnswer.objects.bulk_create(answers, batch_size=10000)
        avoided = []
        for case_id, _ in cohort:
            if rng.random() < AVOIDED_SHARE:
                kind, quantity = rng.choice((("adaptation", rng.randint(1, 3)), ("homelessness", 1),
                                             ("social_care", rng.randint(3, 14))))
                avoided.append(AvoidedOutcome(case_id=case_id, kind=kind, quantity=Decimal(quantity),
                                              on=period.start + timedelta(days=rng.randint(0, 360)),
                                              note="Benchmark record", recorded_by=hhc))
        AvoidedOutcome.objects.bulk_create(avoided, batch_size=5000)
        let = [(case_id, referred) for case_id, referred in cohort if rng.random() < VOID_SHARE]
        homes = Property.objects.bulk_create(
            (Property(ref=f"BENCH-{i}", landlord=service, address_line_1=f"{i} Bench Road", town="Nottingham",
                      postcode="NG7 2UH", property_type="flat", bedrooms=1, floor=0,
                      weekly_rent=Decimal(rng.randint(8000, 12000)) / 100) for i in range(len(let))),
            batch_size=5000)
        starts = dict(rehoused_queryset(service, period).values_list("id", "stage_changed_on"))
        voids = Void.objects.bulk_create(
            (Void(property=home, empty_on=starts[case_id] - timedelta(days=rng.randint(20, 200)),
                  let_on=starts[case_id], status="let") for home, (case_id, _) in zip(homes, let, strict=True)),
            batch_size=5000)
        applications = Application.objects.bulk_create(
            (Application(case_id=case_id, reference=f"BENCH-A{case_id}", date_of_birth=date(1950, 1, 1), band="A",
                         application_date=referred, effective_date=referred, status="housed")
             for case_id, referred in let), batch_size=5000)
        Offer.objects.bulk_create(
            (Offer(void=void, application=application, kind="direct", status="signed_up", made_by=hhc,
                   tenancy_start=void.let_on) for void, application in zip(voids, applications, strict=True)),
            batch_size=5000)
    # One person rehoused in twenty was homeless when referred.
    every_twentieth = rehoused_queryset(service, period).annotate(r=F("id") % 20).filter(r=0).values("id")
    Referral.objects.filter(originated_case__in=every_twentieth).update(tenure="homeless")
    return {"rehoused": len(cohort), "surveyed": len(surveyed), "answers": len(answers), "avoided": len(avoided),
            "voids": len(let)}


def time_parts(service, period, today: date) -> dict[str, float]:
    """Where the time goes: the evaluation's reads, each timed on its own (h2h/evaluation/inputs.py)."""
    from h2h.area.config import get_area
    from h2h.evaluation import inputs
    from h2h.reports import kpis
    from h2h.surveys.models import Survey
    from h2h.surveys.selectors import paired_changes, survey_summary

    parts = {}

    def timed(label, call):
        start = time.perf_counter()
        result = call()
        parts[label] = time.perf_counter() - start
        return result

    cohort = inputs.rehoused_queryset(service, period)
    timed("rehoused (h2h.reports.kpis)", lambda: kpis.rehoused(service, period))
    timed("hospital before/after (inputs)", lambda: inputs.hospital_cases(
        cohort, window_months=get_area().outcomes.window_months, today=today))
    pairs = timed("survey pairs (h2h.surveys)", lambda: paired_changes(
        cohort.filter(id__in=Survey.objects.values("case_id"))))
    timed("survey summary (h2h.surveys)", lambda: survey_summary(cohort, pairs))
    return parts


# ------------------------------------------------------------------------------------------------ main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--fresh", action="store_true", help="copy the outcomes database again")
    parser.add_argument("--build", action="store_true", help="run bench/outcomes.py first if its data are missing")
    parser.add_argument("--outcomes-dir", default=str(OUTCOMES_DIR), help="bench/outcomes.py's --data-dir")
    options = parser.parse_args()
    db = _databases()
    print("H2H benchmark: the annual evaluation")
    built = ensure_outcomes_data(db, options)
    marker = Path(db["ours"] + ".json") if db["engine"] == "sqlite" else ROOT / "var" / f"{db['ours']}.json"
    prepared = json.loads(marker.read_text()) if marker.exists() else {}
    fresh = options.fresh or prepared.get("outcomes_built") != built.get("today") or prepared.get("seconds") is None
    if fresh:
        start = time.perf_counter()
        copy_database(db)
    _use_our_database(db)
    from django.db import connection

    from h2h.accounts.models import Organisation
    from h2h.area.config import get_area
    from h2h.evaluation.render import evaluation_pdf, evaluation_xlsx
    from h2h.evaluation.report import build_evaluation_report
    from h2h.evaluation.views import default_period
    from h2h.hospital.models import Admission, Extract
    from h2h.reports import kpis
    from h2h.reports.figures import Shown

    today = date.fromisoformat(built["today"])
    period = default_period(today)
    if fresh:
        if not Admission.objects.filter(person__isnull=False).exists():
            sys.exit("bench: the copy has no linked admissions (was bench/outcomes.py running while it was "
                     "copied?): run this script again with --fresh once it has finished")
        extras = add_evaluation_records(period, today, options.seed)
        prepared = {"outcomes_built": built["today"], "seconds": time.perf_counter() - start, **extras}
        marker.write_text(json.dumps(prepared))
    with connection.cursor() as cursor:
        cursor.execute("SELECT sqlite_version()" if db["engine"] == "sqlite" else "SHOW server_version")
        version = cursor.fetchone()[0]
    extract = Extract.objects.filter(kind="admissions", status="applied").first()
    print(f"{'SQLite' if db['engine'] == 'sqlite' else 'PostgreSQL'} {version}, {db['ours']}; "
          f"Python {sys.version.split()[0]}; {os.cpu_count()} CPUs")
    print(f"Data: {built['cases']:,} cases ({built['people']:,} people); admissions file of "
          f"{extract.rows_read if extract else 0:,} rows imported, {Admission.objects.count():,} kept "
          f"(linked {Admission.objects.filter(person__isnull=False).count():,})")
    print(f"Added (untimed{', reused' if not fresh else ''}): {prepared['surveyed']:,} people surveyed twice "
          f"({prepared['answers']:,} answers), {prepared['avoided']:,} avoided outcomes, {prepared['voids']:,} "
          f"voids let, funding, the cost book, wellbeing values; {prepared['seconds']:.0f} s")

    service = Organisation.objects.get(code=get_area().service_organisation)
    build_evaluation_report(service, kpis.Period(period.start, period.start), Shown(exact=True), today=today)  # warm
    start = time.perf_counter()
    report = build_evaluation_report(service, period, Shown(exact=True), today=today)
    seconds = time.perf_counter() - start
    parts = time_parts(service, period, today)
    start = time.perf_counter()
    workbook = evaluation_xlsx(report)
    xlsx_seconds = time.perf_counter() - start
    start = time.perf_counter()
    pdf = evaluation_pdf(report)
    pdf_seconds = time.perf_counter() - start

    ev, data = report.evaluation, report.data
    print(f"\nAnnual evaluation, {period.label} (today {today}):")
    print(f"  build_evaluation_report            {seconds:6.2f} s   target ≤ {TARGET_SECONDS} s: "
          f"{'met' if seconds <= TARGET_SECONDS else 'NOT MET'}")
    for label, part in parts.items():
        print(f"    of which, timed again alone: {label:<34} {part:6.2f} s")
    print(f"  then the XLSX workbook             {xlsx_seconds:6.2f} s ({len(workbook) / 1024:,.0f} KiB)")
    print(f"  then the PDF                       {pdf_seconds:6.2f} s ({len(pdf) / 1024:,.0f} KiB)")
    print(f"  rehoused in the period {len(data.rehoused):,}; from a bed {ev.rehoused_from_bed:,}, mean "
          f"{ev.mean_days_to_tenancy_from_bed:.1f} days to tenancy against {ev.inputs.baseline_wait_days}: "
          f"{ev.mean_bed_days_avoided:.1f} bed days avoided per person, {ev.bed_days_avoided:,} in all")
    h = data.hospital
    print(f"  hospital before/after: {h.measured:,} measured, {h.not_yet_due:,} not yet due, {h.no_data:,} no data, "
          f"{h.no_consent:,} without consent, {h.no_nhs_number:,} without an NHS number")
    for line in ev.lines:
        if line.quantity:
            value = "not valued (gap)" if line.value is None else f"£{line.value:,.2f}"
            print(f"    {line.label:<62} {line.quantity:>12,.2f} {line.quantity_unit:<16} {value}")
    print("  value by stakeholder: " + "; ".join(f"{k} £{v:,.0f}" for k, v in ev.value_by_stakeholder().items()))
    print(f"  gross value £{ev.gross_value:,.2f}; service cost £{ev.service_cost:,.2f}")
    print(f"  return per £1: gross £{ev.overall.gross:.2f} (value ÷ cost), net £{ev.overall.net:.2f} "
          f"((value − cost) ÷ cost)")
    for funder in ev.by_funder():
        gross = "–" if funder.ret.gross is None else f"£{funder.ret.gross:.2f}"
        print(f"    {funder.label:<36} paid £{funder.ret.cost:>12,.2f}  value £{funder.ret.value:>14,.2f}  "
              f"gross {gross}")
    print(f"  social value (benchmark values) £{ev.social_value:,.2f}: £{ev.social_return.gross:.2f} per £1")
    print(f"  not valued (gaps in the cost book): {', '.join(g.cost_code for g in ev.gaps) or 'none'}")
    sys.exit(0 if seconds <= TARGET_SECONDS else 2)


if __name__ == "__main__":
    main()
