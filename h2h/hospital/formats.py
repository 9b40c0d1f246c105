"""The two kinds of file (admissions, A&E attendances), their columns, and turning a spreadsheet or an awkward
CSV into the canonical CSV the checks read.

Every format ends up as the same columns, so there is one set of checks (h2h/hospital/checks.py). A plain CSV
is read where it lies by DuckDB. A file DuckDB cannot number line by line (blank lines, a value running over
two lines, a row with the wrong number of values), an XLSX workbook or a FHIR bundle is first rewritten as a
canonical CSV whose first column is the line, spreadsheet row or entry the row came from, so that every error
still points at the place in the file the sender sees. Documented in docs/formats/hospital-admissions.md and
docs/formats/ae-attendances.md; keep them in step.
"""

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

from h2h.hospital.models import Admission, Attendance, Extract

MAX_PROBLEMS = 10_000  # kept in full; beyond this only counted (a file can have millions of bad rows)


@dataclass(frozen=True)
class KindSpec:
    """What a file of one kind holds. columns are the canonical names, in the order errors are listed."""

    kind: str
    columns: tuple[str, ...]
    activity_column: str  # the date that places a row in time (and sets the file's period)
    model: type
    noun: str  # "admission", "attendance": for messages and the page


ADMISSIONS = KindSpec(
    kind=Extract.Kind.ADMISSIONS,
    columns=("nhs_number", "date_of_birth", "admission_date", "discharge_date", "admission_type",
             "excess_bed_days"),
    activity_column="admission_date",
    model=Admission,
    noun="admission",
)
ATTENDANCES = KindSpec(
    kind=Extract.Kind.ATTENDANCES,
    columns=("nhs_number", "date_of_birth", "attendance_date"),
    activity_column="attendance_date",
    model=Attendance,
    noun="attendance",
)
SPECS = {spec.kind: spec for spec in (ADMISSIONS, ATTENDANCES)}


@dataclass(frozen=True, order=True)
class Problem:
    """One error. line is the line (CSV), spreadsheet row (XLSX) or entry number (FHIR, counting from 1);
    0 for the file as a whole. column is the canonical column name, or "" when the problem is the whole
    row."""

    line: int
    column: str
    reason: str

    def as_dict(self) -> dict:
        # A reason may quote the bad value; control characters (a NUL cannot even be stored in PostgreSQL's
        # JSON) are shown as "?" so the report can always be kept and shown.
        return {"line": self.line, "column": _printable(self.column), "reason": _printable(self.reason)}


def _printable(text: str) -> str:
    return "".join(c if c >= " " or c == "\t" else "?" for c in text) if isinstance(text, str) else text


@dataclass
class Canonical:
    """A file rewritten as canonical CSV (line, then the spec's columns), or the problems that stopped it."""

    path: Path | None = None
    rows: int = 0  # rows read, including those with problems found while rewriting
    problems: list[Problem] = field(default_factory=list)  # the first MAX_PROBLEMS of them
    problem_total: int = 0
    stop: bool = False  # a problem with the file as a whole: its rows are not checked

    def add(self, problem: Problem) -> None:
        self.problem_total += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)

    def refuse(self, reason: str, line: int = 0, column: str = "") -> "Canonical":
        self.add(Problem(line, column, reason))
        self.stop = True
        return self


def header_key(name: str) -> str:
    """Header names match whatever their case, spaces, hyphens and underscores: "NHS Number" is nhs_number."""
    return re.sub(r"[\s_\-]+", "", (name or "").strip().lstrip("\ufeff").lower())


def match_header(names: list[str], spec: KindSpec) -> tuple[dict[str, int], list[Problem]]:
    """Where each of the spec's columns is in a header, or the problems (missing or repeated columns).
    Other columns are ignored: hospital extracts carry many more than H2H needs."""
    keys = [header_key(name) for name in names]
    if len(names) == 1 and (";" in names[0] or "\t" in names[0]):
        found = "semicolons" if ";" in names[0] else "tabs"
        return {}, [Problem(0, "", f"The columns are separated by {found}; they must be separated by "
                                   "commas.")]
    positions, problems = {}, []
    for column in spec.columns:
        found = [i for i, key in enumerate(keys) if key == header_key(column)]
        if not found:
            problems.append(Problem(0, column, f"The column {column} is missing. An {spec.kind} file needs "
                                               f"the columns {', '.join(spec.columns)}, in any order."))
        elif len(found) > 1:
            problems.append(Problem(0, column, f"The column {column} is named {len(found)} times; "
                                               "name it once."))
        else:
            positions[column] = found[0]
    return positions, problems


class CanonicalWriter:
    """Writes the canonical CSV: a line column, then the spec's columns as text."""

    def __init__(self, path: Path, spec: KindSpec):
        self.path, self.spec = path, spec
        self._file = path.open("w", encoding="utf-8", newline="")
        self._csv = csv.writer(self._file)
        self._csv.writerow(["line", *spec.columns])

    def write(self, line: int, values: dict[str, str]) -> None:
        self._csv.writerow([line, *(values.get(column, "") for column in self.spec.columns)])

    def close(self) -> None:
        self._file.close()


def _blank(cells) -> bool:
    """Nothing in any of the cells. (Whitespace counts as something: DuckDB, reading the same CSV, sees
    it.)"""
    return not any(cell not in (None, "") for cell in cells)


# --- CSV that DuckDB cannot number line by line ------------------------------------------------------

def canonical_from_csv(source: Path, target: Path, spec: KindSpec) -> Canonical:
    """Rewrite a UTF-8 CSV with Python's csv module, which knows the line each row starts on. Slower than
    DuckDB, so only for files with blank lines, values over two lines, or rows of the wrong length."""
    result = Canonical(path=target)
    writer = CanonicalWriter(target, spec)
    try:
        with source.open(encoding="utf-8-sig", newline="") as file:
            reader = csv.reader(file, strict=True)
            header = next(reader, None)
            if header is None or _blank(header):
                return result.refuse("The first line is blank: it must be the header naming the columns.", 1)
            positions, problems = match_header(header, spec)
            if problems:
                for problem in problems:
                    result.add(problem)
                result.stop = True
                return result
            while True:
                line = reader.line_num + 1
                try:
                    cells = next(reader)
                except StopIteration:
                    break
                except csv.Error as error:
                    result.rows += 1
                    return result.refuse(f"The file stops being valid CSV here ({error}); the rows after it "
                                         "cannot be read. Check for a stray quotation mark.", line)
                if not cells or (len(cells) == len(header) and _blank(cells[i] for i in positions.values())):
                    continue  # blank lines, and rows with nothing in the columns H2H reads, carry nothing
                result.rows += 1
                if len(cells) != len(header):
                    result.add(Problem(line, "", f"has {len(cells)} values; the header has {len(header)} "
                                                 "columns"))
                    continue
                writer.write(line, {column: cells[i] for column, i in positions.items()})
    finally:
        writer.close()
    return result


# --- XLSX ------------------------------------------------------------------------------------------------

def _cell_text(value) -> str:
    """A spreadsheet cell as the text a CSV export would hold: dates as yyyy-mm-dd, whole numbers without
    a decimal point (an NHS number typed as a number, 2.0 excess bed days)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_rows(source: Path) -> Iterator[tuple[int, tuple]]:
    from openpyxl import load_workbook  # imported here: only XLSX uploads need it

    # Opened as a file object: openpyxl refuses a path whose name does not end .xlsx (an upload's may not).
    with source.open("rb") as file:
        book = load_workbook(file, read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]
            for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield number, row
        finally:
            book.close()


def canonical_from_xlsx(source: Path, target: Path, spec: KindSpec) -> Canonical:
    """The first sheet of a workbook, its first row the header; errors point at spreadsheet row numbers."""
    result = Canonical(path=target)
    writer = CanonicalWriter(target, spec)
    try:
        rows = _xlsx_rows(source)
        try:
            first = next(rows, None)
        except Exception:  # noqa: BLE001 — openpyxl raises many kinds of error for what is not a workbook
            return result.refuse("The file cannot be opened as an Excel workbook (XLSX). Save it from Excel "
                                 "as 'Excel Workbook (.xlsx)', or export a CSV file instead.")
        if first is None or _blank(first[1]):
            return result.refuse("The first row of the first sheet is blank: it must be the header naming "
                                 "the columns." if first else "The first sheet is empty.", 1 if first else 0)
        header = [_cell_text(cell) for cell in first[1]]
        positions, problems = match_header(header, spec)
        if problems:
            for problem in problems:
                result.add(problem)
            result.stop = True
            return result
        try:
            for number, row in rows:
                if _blank(row[i] for i in positions.values() if i < len(row)):
                    continue
                result.rows += 1
                writer.write(number, {column: _cell_text(row[i]) if i < len(row) else ""
                                      for column, i in positions.items()})
        except Exception as error:  # noqa: BLE001 — a damaged workbook can fail part-way through
            return result.refuse(f"The workbook could not be read to the end ({type(error).__name__}); "
                                 "save it again from Excel and upload it again.")
    finally:
        writer.close()
    return result
