"""Import a hospital activity extract (admissions or A&E attendances): check it whole, link it, keep it.

The file is checked whole before anything is kept. One bad row and nothing is kept: the Extract is saved as
rejected with every error (line, column, reason). Otherwise, in one transaction, the rows for the service's
people are kept (see h2h/hospital/linkage.py) and the rest counted and discarded. The raw file is never
stored: only its sha256, size, counts and errors. The same file twice changes nothing; a corrected file names
the extract it replaces, whose rows go in the same transaction. Formats: docs/formats/hospital-admissions.md,
ae-attendances.md and hospital-activity-fhir.md. Why it works this way: docs/adr/0007-hospital-activity.md.

Speed: a CSV is read where it lies by DuckDB (ten million rows in seconds), and only the kept rows come back
through Python into the database.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import logging
import os
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from time import perf_counter
from types import SimpleNamespace

import duckdb
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from h2h.audit.models import AuditEvent
from h2h.audit.services import audit_record
from h2h.hospital import checks, linkage
from h2h.hospital.fhir import COLUMN_PATHS, canonical_from_fhir
from h2h.hospital.formats import (
    SPECS,
    Canonical,
    KindSpec,
    Problem,
    canonical_from_csv,
    canonical_from_xlsx,
    match_header,
)
from h2h.hospital.models import Extract, LinkReview

logger = logging.getLogger(__name__)

MAX_STORED_ERRORS = 10_000  # a file of bad rows can have millions of errors; the count is always kept whole
_CHUNK = 4 * 1024 * 1024
_FETCH = 50_000  # kept rows per round trip on SQLite


def import_extract(source, *, kind: str, file_format: str, file_name: str, provider: str, uploaded_by,
                   period_start: date | None = None, period_end: date | None = None,
                   replaces: Extract | None = None, request=None) -> Extract:
    """Check, link and keep one file. Returns the saved Extract: applied (rows kept, counts set) or rejected
    (errors set, nothing kept).

    source is a filesystem path (str or Path) or a binary file object (e.g. Django's UploadedFile).
    If an applied extract of the same kind has the same sha256, nothing changes and that Extract is returned
    with `unchanged = True` (False on every other return). period_start and period_end default to the first
    and last activity dates in the file (admission or attendance dates); given, every row must fall inside.
    replaces: an applied extract of the same kind that this corrected file supersedes.
    request: the web request, for the audit trail's address; without it the upload is still audited.
    The upload is audited either way (AuditEvent CREATE, object_type "hospital_extract").
    The returned instance also carries `timings`: seconds spent in each stage, for benchmarks and logs.
    """
    spec = SPECS.get(kind)
    if spec is None:
        raise ValueError(f"Unknown kind of hospital activity file: {kind!r}")
    if file_format not in Extract.Format.values:
        raise ValueError(f"Unknown file format: {file_format!r}")
    if replaces is not None and (replaces.kind != kind or replaces.status != Extract.Status.APPLIED):
        raise ValueError("A corrected file can only replace an applied extract of the same kind.")
    if period_start and period_end and period_start > period_end:
        raise ValueError("The period's start is after its end.")
    audit_as = request or SimpleNamespace(user=uploaded_by, META={}, path="hospital activity import")

    clock = _Stopwatch()
    with tempfile.TemporaryDirectory(prefix="h2h-activity-") as tmp:
        work = Path(tmp)
        stored = _store(source, work, text=file_format == Extract.Format.CSV)
        clock.lap("read and hash")
        earlier = (Extract.objects.filter(kind=kind, sha256=stored.sha256)
                   .exclude(status=Extract.Status.REJECTED).order_by("-id").first())
        if earlier is not None and earlier.status == Extract.Status.APPLIED:
            earlier.unchanged = True
            earlier.timings = clock.laps
            _audit(audit_as, earlier, f"{_short(file_name)}: the same file as extract {earlier.pk}, "
                                      "already applied; nothing changed")
            return earlier
        extract = Extract(kind=kind, file_format=file_format, file_name=file_name[:255],
                          provider=provider[:100], sha256=stored.sha256, size_bytes=stored.size,
                          uploaded_by=uploaded_by, period_start=period_start, period_end=period_end)
        extract.unchanged = False
        extract.timings = clock.laps
        con = checks.connect(work)
        try:
            if earlier is not None:  # superseded: applying it again would bring back what was corrected
                outcome = Outcome(problems=[Problem(0, "", (
                    f"This file is the same as extract {earlier.pk}, which a corrected file superseded; "
                    "it has not been applied again."))], error_count=1)
            else:
                outcome = _check(con, stored, spec, file_format, work, (period_start, period_end))
            clock.lap("check")
            if outcome.error_count:
                _reject(extract, outcome, spec, audit_as)
            else:
                _apply(con, extract, outcome, spec, work, replaces, audit_as, clock)
        finally:
            con.close()
    return extract


# --- the file on disk: hash, size, and for CSV its encoding and line count in the same pass --------------

@dataclass
class Stored:
    path: Path
    sha256: str = ""
    size: int = 0
    newlines: int = 0
    head: bytes = b""
    tail: bytes = b""
    utf8: bool = True


def _store(source, work: Path, *, text: bool) -> Stored:
    """Read the file once: hash it, measure it and, for CSV, check it decodes as UTF-8 and count its lines.
    A file object that is not already on disk is copied into the work directory for DuckDB to read."""
    copy = None
    if isinstance(source, str | os.PathLike):
        path, reader = Path(source), Path(source).open("rb")
    elif hasattr(source, "temporary_file_path"):  # Django's TemporaryUploadedFile: already on disk
        path = Path(source.temporary_file_path())
        reader = path.open("rb")
    else:
        path, reader = work / "upload", source
        copy = path.open("wb")
        if hasattr(source, "seek"):
            source.seek(0)
    stored = Stored(path=path)
    digest, decoder = hashlib.sha256(), codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := reader.read(_CHUNK):
            digest.update(chunk)
            stored.size += len(chunk)
            if copy:
                copy.write(chunk)
            if text:
                if len(stored.head) < 65536:
                    stored.head += chunk[:65536]
                stored.tail = (stored.tail + chunk)[-4096:]
                stored.newlines += chunk.count(b"\n")
                if stored.utf8:
                    try:
                        decoder.decode(chunk)
                    except UnicodeDecodeError:
                        stored.utf8 = False
        if text and stored.utf8:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                stored.utf8 = False
    finally:
        if copy:
            copy.close()
        if reader is not source:
            reader.close()
    stored.sha256 = digest.hexdigest()
    return stored


def _encoding_problems(path: Path) -> tuple[list[Problem], int]:
    """Every line holding bytes that are not UTF-8 (the first MAX_STORED_ERRORS of them, and how many)."""
    problems, total = [], 0
    with path.open("rb") as file:
        for number, raw in enumerate(file, start=1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as error:
                total += 1
                if len(problems) < MAX_STORED_ERRORS:
                    problems.append(Problem(number, "", (
                        f"has a byte that is not UTF-8 text (0x{raw[error.start]:02X}, {error.start + 1} "
                        "bytes into the line). The file may be saved as Windows (Latin-1) text: save it as "
                        "UTF-8 (in Excel: Save as, then 'CSV UTF-8')")))
    return problems, total


# --- checking ----------------------------------------------------------------------------------------------

@dataclass
class Outcome:
    """What checking a file found: its problems, or its rows and the period it covers."""

    rows: int = 0
    bad_rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    error_count: int = 0
    first: date | None = None
    last: date | None = None


def _refused(problem: Problem) -> Outcome:
    return Outcome(problems=[problem], error_count=1)


def _stopped(canonical: Canonical) -> Outcome:
    return Outcome(rows=canonical.rows, problems=canonical.problems, error_count=canonical.problem_total)


def _check(con, stored: Stored, spec: KindSpec, file_format: str, work: Path,
           period: tuple[date | None, date | None]) -> Outcome:
    canonical = None
    if file_format == Extract.Format.CSV:
        early = _csv_file_problems(stored, spec)
        if early is not None:
            return early
        fields, positions = _csv_header(stored, spec)
        con.execute(f"CREATE OR REPLACE VIEW raw AS {checks.raw_from_csv(stored.path, fields, positions)}")
    else:
        convert = canonical_from_xlsx if file_format == Extract.Format.XLSX else canonical_from_fhir
        canonical = convert(stored.path, work / "canonical.csv", spec)
        if canonical.stop:
            return _stopped(canonical)
        con.execute(f"CREATE OR REPLACE VIEW raw AS {checks.raw_from_canonical(canonical.path, spec)}")
    today = timezone.localdate()
    try:
        outcome, records = _summary(con, spec, today, period)
    except duckdb.Error:
        if canonical is not None:
            raise  # H2H wrote that file itself: a failure to read it is a bug, not the sender's problem
        outcome = records = None  # DuckDB could not read the file as it stands: the slower reader says where
    if canonical is None and records != _content_lines(stored) - 1:
        # Blank lines, a value over two lines, or a row DuckDB refused: number the rows with Python's reader.
        canonical = canonical_from_csv(stored.path, work / "canonical.csv", spec)
        if canonical.stop:
            return _stopped(canonical)
        con.execute(f"CREATE OR REPLACE VIEW raw AS {checks.raw_from_canonical(canonical.path, spec)}")
        outcome, records = _summary(con, spec, today, period)
    if canonical is not None:
        outcome.rows = canonical.rows
        outcome.problems = list(canonical.problems)
        outcome.error_count = canonical.problem_total
    if outcome.bad_rows:
        problems, total = _sql_problems(con, spec, today, period)
        outcome.problems += problems
        outcome.error_count += total
    # By line; within a line, in the order found (the columns in the order of the format).
    outcome.problems = sorted(outcome.problems, key=lambda problem: problem.line)[:MAX_STORED_ERRORS]
    if file_format == Extract.Format.FHIR:
        outcome.problems = [Problem(p.line, COLUMN_PATHS.get(p.column, p.column), p.reason)
                            for p in outcome.problems]
    if not outcome.rows and not outcome.error_count:
        return _refused(Problem(0, "", f"The file has no {spec.noun}s in it: there is nothing to import."))
    return outcome


def _csv_file_problems(stored: Stored, spec: KindSpec) -> Outcome | None:
    """Problems with a CSV file as a whole: empty, not UTF-8, or a header without the columns."""
    if stored.head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _refused(Problem(0, "", "The file is saved as UTF-16 text. Save it as UTF-8 (in Excel: Save "
                                       "as, then 'CSV UTF-8')."))
    if not stored.head.strip():
        return _refused(Problem(0, "", "The file is empty."))
    if not stored.utf8:
        problems, total = _encoding_problems(stored.path)
        return Outcome(problems=problems, error_count=total)
    if b"\r" in stored.head and b"\n" not in stored.head:
        return _refused(Problem(0, "", "The file's lines end with a carriage return only (an old Mac format). "
                                       "Save it as CSV UTF-8 and upload it again."))
    line = stored.head.split(b"\n", 1)[0].decode("utf-8-sig", errors="replace").rstrip("\r")
    try:
        names = next(csv.reader([line]), [])
    except csv.Error as error:
        return _refused(Problem(1, "", f"The header line cannot be read as CSV: {error}."))
    if not any(name.strip() for name in names):
        return _refused(Problem(1, "", "The first line is blank: it must be the header naming the "
                                       "columns."))
    _positions, problems = match_header(names, spec)
    if problems:
        return Outcome(problems=problems, error_count=len(problems))
    return None


def _csv_header(stored: Stored, spec: KindSpec) -> tuple[int, dict[str, int]]:
    line = stored.head.split(b"\n", 1)[0].decode("utf-8-sig").rstrip("\r")
    names = next(csv.reader([line]))
    positions, _problems = match_header(names, spec)
    return len(names), positions


def _content_lines(stored: Stored) -> int:
    """Lines in the file up to its last non-empty one (line endings at the very end do not count)."""
    trailing = len(stored.tail) - len(stored.tail.rstrip(b"\r\n"))
    return stored.newlines - stored.tail[len(stored.tail) - trailing:].count(b"\n") + 1


def _summary(con, spec: KindSpec, today: date, period) -> tuple[Outcome, int]:
    """One pass over the file: its rows (and records, blank ones included), bad rows, and the period it
    covers."""
    con.execute(f"CREATE OR REPLACE VIEW typed AS {checks.typed_view(spec, today, period)}")
    activity = f"p_{spec.activity_column}"
    rows, records, bad_rows, first, last = con.execute(f"""
        SELECT count(*) FILTER (WHERE NOT blank), count(*), count(*) FILTER (WHERE NOT blank AND NOT ok),
               min({activity}) FILTER (WHERE NOT blank AND ok),
               max({activity}) FILTER (WHERE NOT blank AND ok)
        FROM typed
    """).fetchone()
    return Outcome(rows=rows, bad_rows=bad_rows, first=first, last=last), records


def _sql_problems(con, spec: KindSpec, today: date, period) -> tuple[list[Problem], int]:
    """The first MAX_STORED_ERRORS errors in the bad rows, by line, and how many errors there are in all."""
    reasons = ", ".join(checks.reasons_sql(spec, today, period))
    con.execute(f"CREATE OR REPLACE TEMP TABLE bad AS SELECT line, {reasons} FROM typed "
                "WHERE NOT blank AND NOT ok")
    total, unexplained, first_unexplained = con.execute(checks.error_total_sql(spec)).fetchone()
    problems = [Problem(int(line), column, reason) for line, column, reason in
                con.execute(checks.first_errors_sql(spec, MAX_STORED_ERRORS)).fetchall()]
    if unexplained:  # the checks and their messages disagree: still refuse the file, and say so
        logger.error("%s bad rows without a reason, the first on line %s", unexplained, first_unexplained)
        problems.append(Problem(int(first_unexplained), "", "has a value H2H could not check"))
        total += unexplained
    return problems, int(total)


# --- keeping ---------------------------------------------------------------------------------------------

def _reject(extract: Extract, outcome: Outcome, spec: KindSpec, audit_as) -> None:
    extract.status = Extract.Status.REJECTED
    extract.rows_read = outcome.rows
    extract.errors = [problem.as_dict() for problem in outcome.problems[:MAX_STORED_ERRORS]]
    extract.error_count = outcome.error_count
    with transaction.atomic():
        extract.save()
        _audit(audit_as, extract, f"{_short(extract.file_name)}: {extract.get_kind_display()} "
                                  f"({extract.file_format}) from {_short(extract.provider)}: rejected, "
                                  f"{extract.error_count} error(s) in {extract.rows_read} rows; nothing kept")
    logger.info("Hospital extract %s rejected: %s errors", extract.pk, extract.error_count)


def _apply(con, extract: Extract, outcome: Outcome, spec: KindSpec, work: Path, replaces: Extract | None,
           audit_as, clock: "_Stopwatch") -> None:
    candidates = linkage.load_people(con, work)
    clock.lap("people")
    matched, no_consent = linkage.keep(con, spec)
    (kept,) = con.execute("SELECT count(*) FROM kept").fetchone()
    reasons = linkage.review_reasons(con)
    clock.lap("link")
    extract.status = Extract.Status.APPLIED
    extract.period_start = extract.period_start or outcome.first
    extract.period_end = extract.period_end or outcome.last
    extract.rows_read = outcome.rows
    extract.rows_not_ours = outcome.rows - matched
    extract.rows_no_consent = no_consent
    with transaction.atomic():
        if replaces is not None:
            _supersede(replaces, spec)
            extract.replaces = replaces
        extract.save()
        _insert(con, spec, extract, work)
        clock.lap("insert")
        held = spec.model.objects.filter(extract=extract).aggregate(total=Count("id"), linked=Count("person"))
        extract.rows_linked = held["linked"]
        extract.rows_for_review = held["total"] - held["linked"]
        extract.rows_already_held = kept - held["total"]
        extract.save(update_fields=["rows_linked", "rows_for_review", "rows_already_held"])
        if extract.rows_for_review:
            _open_reviews(extract, spec, reasons, candidates)
        summary = (f"{_short(extract.file_name)}: {extract.get_kind_display()} ({extract.file_format}) from "
                   f"{_short(extract.provider)}: applied, {extract.rows_read} rows: {extract.rows_linked} "
                   f"linked, {extract.rows_for_review} for review, {extract.rows_already_held} already held, "
                   f"{extract.rows_not_ours} not the service's, {extract.rows_no_consent} without consent")
        if replaces is not None:
            summary += f"; supersedes extract {replaces.pk}"
        _audit(audit_as, extract, summary)
    clock.lap("reviews and audit")
    logger.info("Hospital extract %s applied: %s rows kept; seconds: %s", extract.pk, held["total"],
                clock.laps)


def _supersede(old: Extract, spec: KindSpec) -> None:
    """The replaced extract's rows and open reviews go; it stays, marked superseded, for the record."""
    old_now = Extract.objects.select_for_update().get(pk=old.pk)
    if old_now.status != Extract.Status.APPLIED:
        raise ValueError(f"Extract {old.pk} is no longer applied: it cannot be replaced.")
    spec.model.objects.filter(extract=old_now).delete()
    LinkReview.objects.filter(extract=old_now, status=LinkReview.Status.OPEN).delete()
    old_now.status = old.status = Extract.Status.SUPERSEDED
    old_now.save(update_fields=["status"])


_INSERT_COLUMNS = ("person_id", "nhs_number", "date_of_birth", "row_key", "line")
_ACTIVITY_FIELDS = {
    "admissions": (("admitted_on", "admission_date"), ("discharged_on", "discharge_date"),
                   ("emergency", "admission_type"), ("excess_bed_days", "excess_bed_days")),
    "attendances": (("attended_on", "attendance_date"),),
}


def _insert(con, spec: KindSpec, extract: Extract, work: Path) -> None:
    """Insert the kept rows, skipping any whose row_key is already held (from this or another extract).

    Plain SQL rather than bulk_create: a file can keep a million rows, and building a model instance for each
    would take longer than reading the whole file. PostgreSQL gets them with COPY; SQLite with executemany.
    """
    meta = spec.model._meta
    activity = _ACTIVITY_FIELDS[spec.kind]
    columns = ["extract_id", *_INSERT_COLUMNS, *(name for name, _ in activity)]
    values = [str(int(extract.pk)), "person_id", "nhs_number", "strftime(date_of_birth, '%Y-%m-%d')",
              "row_key", "line"]
    for name, column in activity:
        is_date = meta.get_field(name).get_internal_type() == "DateField"
        values.append(f"strftime(p_{column}, '%Y-%m-%d')" if is_date else f"p_{column}")
    # In row_key order: the unique index on row_key is then filled from one end, not torn up at random.
    select = f"SELECT {', '.join(values)} FROM kept ORDER BY row_key"
    fields = [meta.get_field(c.removesuffix("_id")) for c in columns]
    quote = connection.ops.quote_name
    column_list = ", ".join(quote(f.column) for f in fields)
    table = quote(meta.db_table)
    conflict = f"ON CONFLICT ({quote('row_key')}) DO NOTHING"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            path = work / "kept.csv"
            con.execute(f"COPY ({select}) TO {checks.sql_text(str(path))} (FORMAT csv, HEADER false)")
            incoming = f"h2h_incoming_{int(extract.pk)}"
            types = ", ".join(f"{quote(f.column)} {f.db_type(connection)}" for f in fields)
            cursor.execute(f"CREATE TEMP TABLE {incoming} ({types})")
            with cursor.cursor.copy(f"COPY {incoming} ({column_list}) FROM STDIN (FORMAT csv)") as copy, \
                    path.open("rb") as file:
                while chunk := file.read(_CHUNK):
                    copy.write(chunk)
            cursor.execute(f"INSERT INTO {table} ({column_list}) SELECT {column_list} FROM {incoming} "
                           f"{conflict}")
            cursor.execute(f"DROP TABLE {incoming}")
        else:
            result = con.execute(select)
            placeholders = ", ".join(["%s"] * len(columns))
            sql = f"INSERT INTO {table} ({column_list}) VALUES ({placeholders}) {conflict}"
            # SQLite's default page cache (2 MB) makes a million inserts thrash the indexes; 256 MB for this.
            cursor.execute("PRAGMA cache_size")
            (cache_size,) = cursor.fetchone()
            cursor.execute("PRAGMA cache_size = -262144")
            try:
                while batch := result.fetchmany(_FETCH):
                    cursor.executemany(sql, batch)
            finally:
                cursor.execute(f"PRAGMA cache_size = {int(cache_size)}")


def _open_reviews(extract: Extract, spec: KindSpec, reasons: dict, candidates: dict[str, list[int]]) -> None:
    """One LinkReview per NHS number and date of birth whose rows this file added without a person."""
    waiting = (spec.model.objects.filter(extract=extract, person__isnull=True)
               .values_list("nhs_number", "date_of_birth").annotate(n=Count("id"))
               .order_by("nhs_number", "date_of_birth"))
    reviews = [LinkReview(extract=extract, nhs_number=nhs, date_of_birth=dob, rows=n,
                          reason=reasons[(nhs, dob.isoformat())]) for nhs, dob, n in waiting]
    LinkReview.objects.bulk_create(reviews)
    through = LinkReview.candidates.through
    through.objects.bulk_create([through(linkreview_id=review.pk, person_id=person_id) for review in reviews
                                 for person_id in candidates.get(review.nhs_number, [])])


class _Stopwatch:
    def __init__(self):
        self.laps: dict[str, float] = {}
        self._last = perf_counter()

    def lap(self, name: str) -> None:
        now = perf_counter()
        self.laps[name] = round(now - self._last, 3)
        self._last = now


def _short(text: str, length: int = 60) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def _audit(audit_as, extract: Extract, summary: str) -> None:
    audit_record(audit_as, AuditEvent.Action.CREATE, object_type="hospital_extract", object_id=extract.pk,
                 summary=summary)
