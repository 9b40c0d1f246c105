"""The row checks, in DuckDB SQL, so a file of ten million rows is checked without loading it into Python.

Every value arrives as text, exactly as in the file. typed_view() gives each row its typed values (p_*:
NULL where the text is not a valid value) and one flag, ok, true when every rule holds. Only the rows that are
not ok get reasons (reasons_sql(): one column per canonical column, NULL when that value is fine), so a good
file never pays for building messages. Each reason is one error in the report; ok and the reasons state the
same rules and must be kept in step (tests/test_hospital_import.py breaks each rule on its own).

Values already in the plain form (2024-03-01, emergency, 9990000018) are read as they are: that is nearly
every value in a real extract, and trimming ten million strings costs more than the rest of the checks.
Anything else goes the slower way (trimmed, spaces taken out of NHS numbers, dd/mm/yyyy dates, method codes).

The NHS number check digit here must agree with h2h.lib.identifiers (tests/test_linkage.py checks both on the
same numbers).
"""

from datetime import date
from pathlib import Path

import duckdb

from h2h.hospital.formats import ADMISSIONS, KindSpec

# Admission method codes (NHS Data Dictionary, ADMISSION METHOD (HOSPITAL PROVIDER SPELL)) as hospital
# extracts carry them: 11–13 elective; 21–28 and 2A–2D emergency. Patterns, not IN lists: DuckDB turns an
# IN list into a join that it works out for every row, even rows the CASE around it never reaches.
ELECTIVE_CODES = "1[1-3]"
EMERGENCY_CODES = "2[1-8A-Da-d]"

_MACROS = rf"""
CREATE OR REPLACE MACRO h2h_clean(v) AS nullif(trim(v, ' ' || chr(9)), '');
CREATE OR REPLACE MACRO h2h_nhs(v) AS
    CASE WHEN length(v) = 10 THEN v ELSE regexp_replace(coalesce(v, ''), '[\s-]', '', 'g') END;
CREATE OR REPLACE MACRO h2h_nhs_digits(n) AS regexp_full_match(n, '[0-9]{{10}}');
-- Modulus 11 on the number as an integer x (digits taken by division: much cheaper than slicing text):
-- weights 10..2 on the first nine digits; 11 - remainder is the check digit (11 → 0; 10 is never valid,
-- and the final % 11 keeps it 10, which no digit equals).
CREATE OR REPLACE MACRO h2h_nhs_check(x) AS x <> 0 AND
    (11 - (10 * (x // 1000000000 % 10) + 9 * (x // 100000000 % 10) + 8 * (x // 10000000 % 10)
         + 7 * (x // 1000000 % 10) + 6 * (x // 100000 % 10) + 5 * (x // 10000 % 10) + 4 * (x // 1000 % 10)
         + 3 * (x // 100 % 10) + 2 * (x // 10 % 10)) % 11) % 11 = x % 10;
CREATE OR REPLACE MACRO h2h_date_shape(v) AS
    v LIKE '____-__-__' OR (v LIKE '%/%/%' AND regexp_full_match(v, '[0-9]{{1,2}}/[0-9]{{1,2}}/[0-9]{{4}}'));
CREATE OR REPLACE MACRO h2h_date_slow(v) AS CASE
    WHEN v LIKE '____-__-__' THEN try_cast(v AS DATE)
    WHEN v LIKE '%/%/%' AND regexp_full_match(v, '[0-9]{{1,2}}/[0-9]{{1,2}}/[0-9]{{4}}')
        THEN CAST(try_strptime(v, '%d/%m/%Y') AS DATE)
    END;
CREATE OR REPLACE MACRO h2h_date(v) AS
    CASE WHEN v LIKE '____-__-__' THEN try_cast(v AS DATE) ELSE h2h_date_slow(h2h_clean(v)) END;
CREATE OR REPLACE MACRO h2h_type_slow(v) AS CASE
    WHEN lower(v) = 'emergency' OR regexp_full_match(v, '{EMERGENCY_CODES}') THEN true
    WHEN lower(v) = 'elective' OR regexp_full_match(v, '{ELECTIVE_CODES}') THEN false
    END;
CREATE OR REPLACE MACRO h2h_type(v) AS
    CASE v WHEN 'emergency' THEN true WHEN 'elective' THEN false ELSE h2h_type_slow(h2h_clean(v)) END;
CREATE OR REPLACE MACRO h2h_days_slow(v) AS CASE
    WHEN v IS NULL THEN 0 WHEN regexp_full_match(v, '[0-9]{{1,5}}') THEN CAST(v AS INTEGER) END;
CREATE OR REPLACE MACRO h2h_days(v) AS CASE
    WHEN v IS NULL THEN 0 WHEN length(v) = 1 AND v BETWEEN '0' AND '9' THEN CAST(v AS INTEGER)
    ELSE h2h_days_slow(h2h_clean(v)) END;
CREATE OR REPLACE MACRO h2h_quote(v) AS
    '''' || left(v, 40) || CASE WHEN length(v) > 40 THEN '…' ELSE '' END || '''';
"""


def connect(work_dir: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB that spills to work_dir, kept to two threads and 1 GB (the web server's share)."""
    con = duckdb.connect(":memory:")
    con.execute(f"SET temp_directory = {sql_text(str(work_dir))}")
    con.execute("SET threads = 2")
    con.execute("SET memory_limit = '1GB'")
    con.execute("SET enable_progress_bar = false")
    con.execute("SET preserve_insertion_order = true")
    con.execute(_MACROS)
    return con


def sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def sql_date(value: date) -> str:
    return f"DATE '{value.isoformat()}'"


def raw_from_csv(path: Path, fields: int, positions: dict[str, int]) -> str:
    """The rows of a CSV as DuckDB reads it: numbered 2, 3, … (the header is line 1). Only right when each row
    is one line and there are no blank lines in between; imports.py checks that against the file's line count.
    Rows with nothing in any of the columns H2H reads are marked blank: they are skipped, but still take their
    line. (Only those columns: testing every column would make DuckDB read a wide extract's other columns.)"""
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(fields)) + "}"
    every = ", ".join(f"c{i}" for i in positions.values())
    chosen = ", ".join(f"c{i} AS {name}" for name, i in positions.items())
    return (f"SELECT ordinality + 1 AS line, coalesce({every}) IS NULL AS blank, {chosen} "
            f"FROM read_csv({sql_text(str(path))}, header = false, skip = 1, delim = ',', quote = '\"', "
            f"escape = '\"', columns = {columns}, auto_detect = false) WITH ORDINALITY")


def raw_from_canonical(path: Path, spec: KindSpec) -> str:
    columns = "{'line': 'BIGINT', " + ", ".join(f"'{c}': 'VARCHAR'" for c in spec.columns) + "}"
    return (f"SELECT line, false AS blank, {', '.join(spec.columns)} FROM read_csv({sql_text(str(path))}, "
            f"header = true, delim = ',', quote = '\"', escape = '\"', columns = {columns}, "
            "auto_detect = false)")


def typed_columns(spec: KindSpec, prefix: str = "r.") -> list[str]:
    """The raw text as typed values p_*: NULL where the text is not a valid value."""
    r = prefix
    typed = [f"h2h_nhs({r}nhs_number) AS p_nhs_number", f"h2h_date({r}date_of_birth) AS p_date_of_birth"]
    if spec is ADMISSIONS:
        return [*typed,
                f"h2h_date({r}admission_date) AS p_admission_date",
                f"h2h_date({r}discharge_date) AS p_discharge_date",
                f"h2h_type({r}admission_type) AS p_admission_type",
                f"h2h_days({r}excess_bed_days) AS p_excess_bed_days"]
    return [*typed, f"h2h_date({r}attendance_date) AS p_attendance_date"]


def _period_rules(spec: KindSpec, period) -> list[tuple[str, str]]:
    """(condition that breaks the rule, reason) for the optional period the file says it covers."""
    activity, (first, last), rules = f"p_{spec.activity_column}", period, []
    if first:
        rules.append((f"{activity} < {sql_date(first)}",
                      f"strftime({activity}, '%Y-%m-%d') || ' is before the start of the period the file "
                      f"covers ({first.isoformat()})'"))
    if last:
        rules.append((f"{activity} > {sql_date(last)}",
                      f"strftime({activity}, '%Y-%m-%d') || ' is after the end of the period the file "
                      f"covers ({last.isoformat()})'"))
    return rules


def ok_sql(spec: KindSpec, today: date, period) -> str:
    """True when every rule holds for the row. Must say the same as reasons_sql()."""
    t, activity = sql_date(today), f"p_{spec.activity_column}"
    rules = ["h2h_nhs_check(p_nhs_int)", f"p_date_of_birth <= {t}", f"{activity} <= {t}",
             f"{activity} >= p_date_of_birth"]
    if spec is ADMISSIONS:
        rules += ["p_discharge_date >= p_admission_date", f"p_discharge_date <= {t}",
                  "p_admission_type IS NOT NULL", "p_excess_bed_days <= p_discharge_date - p_admission_date"]
    rules += [f"NOT ({condition})" for condition, _ in _period_rules(spec, period)]
    # A NULL (a value that is not valid) makes a comparison NULL: coalesce turns it into "not ok".
    return "coalesce(" + " AND ".join(rules) + ", false)"


def typed_view(spec: KindSpec, today: date, period) -> str:
    """The rows with their typed values, the NHS number as an integer (p_nhs_int, NULL unless 10 digits), and
    ok. Each step is its own SELECT so that a value used by several rules is worked out once."""
    return (f"SELECT *, {ok_sql(spec, today, period)} AS ok FROM "
            "(SELECT *, CASE WHEN h2h_nhs_digits(p_nhs_number) THEN CAST(p_nhs_number AS BIGINT) END "
            f"AS p_nhs_int FROM (SELECT r.*, {', '.join(typed_columns(spec))} FROM raw r))")


def _date_reason(column: str, after: list[str]) -> str:
    """A date column's reason: blank, not a date, not a real date, then the column's own rules in order."""
    value = f"p_{column}"
    return "CASE " + " ".join([
        f"WHEN h2h_clean({column}) IS NULL THEN 'is blank; a date is needed'",
        f"WHEN {value} IS NULL AND h2h_date_shape(h2h_clean({column})) THEN h2h_quote({column}) || "
        "' is not a real date'",
        f"WHEN {value} IS NULL THEN 'must be a date written yyyy-mm-dd (or dd/mm/yyyy), not ' || "
        f"h2h_quote({column})",
        *after,
    ]) + " END"


def reasons_sql(spec: KindSpec, today: date, period) -> list[str]:
    """One expression per canonical column (in spec order): why its value is wrong, or NULL."""
    t = sql_date(today)

    def future(c: str) -> str:
        return f"WHEN p_{c} > {t} THEN strftime(p_{c}, '%Y-%m-%d') || ' is in the future'"

    activity = spec.activity_column
    activity_rules = [
        future(activity),
        f"WHEN p_date_of_birth IS NOT NULL AND p_{activity} < p_date_of_birth THEN "
        f"strftime(p_{activity}, '%Y-%m-%d') || ' is before the date of birth (' || "
        f"strftime(p_date_of_birth, '%Y-%m-%d') || ')'",
        *(f"WHEN {condition} THEN {reason}" for condition, reason in _period_rules(spec, period)),
    ]
    reasons = {
        "nhs_number": "CASE WHEN h2h_clean(nhs_number) IS NULL THEN 'is blank; every row needs the NHS "
                      "number' WHEN NOT h2h_nhs_digits(p_nhs_number) THEN h2h_quote(nhs_number) || "
                      "' is not 10 digits' WHEN NOT h2h_nhs_check(p_nhs_int) THEN h2h_quote(nhs_number) || "
                      "' is not a valid NHS number (the check digit does not match)' END",
        "date_of_birth": _date_reason("date_of_birth", [future("date_of_birth")]),
        activity: _date_reason(activity, activity_rules),
    }
    if spec is ADMISSIONS:
        reasons["discharge_date"] = _date_reason("discharge_date", [
            "WHEN p_admission_date IS NOT NULL AND p_discharge_date < p_admission_date THEN "
            "strftime(p_discharge_date, '%Y-%m-%d') || ' is before the admission date (' || "
            "strftime(p_admission_date, '%Y-%m-%d') || ')'",
            future("discharge_date"),
        ])
        reasons["admission_type"] = (
            "CASE WHEN h2h_clean(admission_type) IS NULL THEN 'is blank; write emergency or elective' "
            "WHEN p_admission_type IS NULL THEN h2h_quote(admission_type) || ' is not emergency or elective "
            "(nor an admission method code: 11–13 elective, 21–28 or 2A–2D emergency)' END")
        reasons["excess_bed_days"] = (
            "CASE WHEN p_excess_bed_days IS NULL THEN 'must be a whole number of days, 0 or more, not ' || "
            "h2h_quote(excess_bed_days) "
            "WHEN p_admission_date IS NOT NULL AND p_discharge_date >= p_admission_date "
            "AND p_excess_bed_days > p_discharge_date - p_admission_date THEN "
            "CAST(p_excess_bed_days AS VARCHAR) || ' is more than the length of stay (' || "
            "CAST(p_discharge_date - p_admission_date AS VARCHAR) || ' days)' END")
    return [f"{reasons[c]} AS e_{c}" for c in spec.columns]


def first_errors_sql(spec: KindSpec, limit: int) -> str:
    """The first `limit` errors of the `bad` table, by line and then by the column's place in the spec."""
    order = "CASE name " + " ".join(f"WHEN 'e_{c}' THEN {i}" for i, c in enumerate(spec.columns)) + " END"
    columns = ", ".join(f"e_{c}" for c in spec.columns)
    return (f"SELECT line, substr(name, 3) AS column_name, reason FROM "
            f"(UNPIVOT (SELECT line, {columns} FROM bad) ON {columns} INTO NAME name VALUE reason) "
            f"ORDER BY line, {order} LIMIT {int(limit)}")


def error_total_sql(spec: KindSpec) -> str:
    """How many errors the `bad` table holds, and how many of its rows have no reason (which would be a bug:
    ok_sql() and reasons_sql() disagreeing)."""
    columns = [f"e_{c}" for c in spec.columns]
    count = " + ".join(f"({c} IS NOT NULL)::INTEGER" for c in columns)
    none = f"coalesce({', '.join(columns)}) IS NULL"
    return (f"SELECT coalesce(sum({count}), 0), count(*) FILTER (WHERE {none}), "
            f"min(line) FILTER (WHERE {none}) FROM bad")
