"""Linking a file's rows to the people the service knows, by NHS number and date of birth. Never by name.

The people are written from Django to a small CSV (person id, NHS number, date of birth, consent to linkage
for the evaluation) and joined to the file in DuckDB. For each row:

- nobody holds the NHS number: not the service's; counted and discarded;
- the number is held, but nobody holding it agreed to linkage for the evaluation: counted and discarded;
- exactly one person holds it, and the date of birth matches: linked automatically;
- the date of birth does not match, or more than one person holds the number: kept unlinked, for the
  evaluator to decide (one LinkReview per NHS number and date of birth in the file).

Consent comes from the originating referral of any of the person's cases ("evaluation" in consent_sharing).
"""

import csv
from collections import defaultdict
from pathlib import Path

import duckdb

from h2h.cases.models import Case
from h2h.hospital.checks import sql_text, typed_columns
from h2h.hospital.formats import ADMISSIONS, KindSpec
from h2h.referrals.models import Person, Referral

EVALUATION = Referral.Sharing.EVALUATION.value


def consenting_people() -> set[int]:
    """Ids of people with a case whose originating referral agreed to linkage for the evaluation.
    Read in Python: SQLite cannot search inside a JSON list."""
    return {person_id for person_id, sharing in
            Case.objects.values_list("person_id", "referral__consent_sharing").iterator(chunk_size=5000)
            if sharing and EVALUATION in sharing}


def load_people(con: duckdb.DuckDBPyConnection, work_dir: Path) -> dict[str, list[int]]:
    """Put the service's people into DuckDB as `numbers` (one row per NHS number). Returns, for each number,
    the people holding it who agreed to linkage: the candidates a reviewer may link to."""
    consenting = consenting_people()
    candidates: dict[str, list[int]] = defaultdict(list)
    path = work_dir / "people.csv"
    with path.open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["person_id", "nhs_number", "date_of_birth", "consent"])
        people = Person.objects.exclude(nhs_number="").values_list("id", "nhs_number", "date_of_birth")
        for person_id, nhs_number, date_of_birth in people.iterator(chunk_size=5000):
            consent = person_id in consenting
            writer.writerow([person_id, nhs_number, date_of_birth.isoformat(), str(consent).lower()])
            if consent:
                candidates[nhs_number].append(person_id)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE numbers AS
        SELECT nhs_number AS nhs, count(*) AS n_all, count(*) FILTER (WHERE consent) AS n_consent,
               CASE WHEN count(*) = 1 THEN min(person_id) END AS n_person_id,
               CASE WHEN count(*) = 1 THEN min(date_of_birth) END AS n_date_of_birth
        FROM read_csv({sql_text(str(path))}, header = true, auto_detect = false,
                      columns = {{'person_id': 'BIGINT', 'nhs_number': 'VARCHAR', 'date_of_birth': 'DATE',
                                  'consent': 'BOOLEAN'}})
        GROUP BY nhs_number
    """)
    return candidates


def _canonical(spec: KindSpec) -> list[str]:
    """The values that make a row what it is, as text: the same row in any format hashes the same."""
    values = [sql_text(spec.kind), "p_nhs_number", "strftime(p_date_of_birth, '%Y-%m-%d')"]
    if spec is ADMISSIONS:
        return [*values, "strftime(p_admission_date, '%Y-%m-%d')", "strftime(p_discharge_date, '%Y-%m-%d')",
                "CASE WHEN p_admission_type THEN 'emergency' ELSE 'elective' END",
                "CAST(p_excess_bed_days AS VARCHAR)"]
    return [*values, "strftime(p_attendance_date, '%Y-%m-%d')"]


def keep(con: duckdb.DuckDBPyConnection, spec: KindSpec) -> tuple[int, int]:
    """Make `kept`: the rows of a checked file whose NHS number a consenting person holds, each with the
    person (when linked automatically), the reason it needs review (when not), and its row_key. Returns how
    many rows carry a number someone holds, and how many of those nobody holding it agreed to linkage.

    row_key is an md5 of the row's canonical values plus "#" and how many identical rows came before it in
    the file: the same file again, or the same rows in another order, make the same keys.
    """
    canonical = _canonical(spec)
    activity = [f"p_{c}" for c in spec.columns[2:]]
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE matched AS
        SELECT r.line, n.*, {', '.join(typed_columns(spec))}
        FROM raw r JOIN numbers n ON h2h_nhs(r.nhs_number) = n.nhs
        WHERE NOT r.blank
    """)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE kept AS
        SELECT line, p_nhs_number AS nhs_number, p_date_of_birth AS date_of_birth, {', '.join(activity)},
               CASE WHEN n_all = 1 AND n_date_of_birth = p_date_of_birth THEN n_person_id END AS person_id,
               CASE WHEN n_all > 1 THEN 'several_people'
                    WHEN n_date_of_birth <> p_date_of_birth THEN 'dob_mismatch' END AS reason,
               md5(concat_ws('|', {', '.join(canonical)})) || '#' ||
               CAST(row_number() OVER (PARTITION BY {', '.join(f"p_{c}" for c in spec.columns)} ORDER BY line)
                    AS VARCHAR) AS row_key
        FROM matched WHERE n_consent > 0
    """)
    matched, no_consent = con.execute("SELECT count(*), count(*) FILTER (WHERE n_consent = 0) FROM matched")\
        .fetchone()
    return matched, no_consent


def review_reasons(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], str]:
    """(NHS number, date of birth as yyyy-mm-dd) → why those kept rows could not be linked."""
    rows = con.execute("SELECT DISTINCT nhs_number, strftime(date_of_birth, '%Y-%m-%d'), reason FROM kept "
                       "WHERE person_id IS NULL").fetchall()
    return {(nhs, dob): reason for nhs, dob, reason in rows}
