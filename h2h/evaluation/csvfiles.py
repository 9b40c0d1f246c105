"""Reading the small CSV files the evaluation loads (cost book, wellbeing values) and writing safe cells.

Files are read whole and checked before anything is saved; every problem is reported with the line as in the
file (the header is line 1), the column and the reason.
"""

import csv
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

MAX_BYTES = 2 * 1024 * 1024  # these files have tens of rows; anything this big is the wrong file
# A cell starting with one of these is read as a formula by Excel, LibreOffice and Google Sheets (OWASP
# "CSV injection"); tab and carriage return too, as some programs strip them first.


@dataclass(frozen=True)
class RowError:
    line: int | None  # None: the file as a whole
    column: str
    reason: str

    def __str__(self):
        where = f"Line {self.line}" if self.line else "File"
        return f"{where}{', ' + self.column if self.column else ''}: {self.reason}"


def read_rows(file_bytes: bytes, columns: tuple[str, ...]) -> tuple[list[tuple[int, dict[str, str]]], list[RowError]]:
    """The file's rows as (line, {column: trimmed value}), or the file-level errors that stop it being read."""
    if len(file_bytes) > MAX_BYTES:
        return [], [RowError(None, "", f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB")]
    try:
        text = file_bytes.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = file_bytes[: error.start].count(b"\n") + 1
        return [], [RowError(line, "", "The file is not UTF-8 text: save it as CSV UTF-8 and load it again")]
    if "\x00" in text:
        return [], [RowError(None, "", "The file contains NUL bytes: it is not a CSV file")]
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        return [], [RowError(None, "", "The file is empty")]
    except csv.Error as error:
        return [], [RowError(1, "", f"The header cannot be read ({error})")]
    names = [name.strip().lower() for name in header]
    errors = []
    for name in sorted({n for n in names if names.count(n) > 1}):
        errors.append(RowError(1, name, "This column appears more than once"))
    for name in [n for n in names if n and n not in columns]:
        errors.append(RowError(1, name, f"Unknown column (the columns are: {', '.join(columns)})"))
    for name in [c for c in columns if c not in names]:
        errors.append(RowError(1, name, "This column is missing"))
    if errors:
        return [], errors
    rows = []
    try:
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(names):
                errors.append(RowError(line, "", f"The row has {len(cells)} values; the header has {len(names)}"))
                continue
            row = {name: cell.strip() for name, cell in zip(names, cells, strict=True) if name}
            if any("\n" in value or "\r" in value for value in row.values()):
                errors.append(RowError(line, "", "A value contains a line break"))
                continue
            rows.append((line, row))
    except csv.Error as error:
        errors.append(RowError(reader.line_num, "", f"The row cannot be read ({error})"))
    return rows, errors


def parse_decimal(text: str, *, places: int = 2) -> Decimal | None:
    """A plain number ("5419", "32.14"); None if it is not one or has more than `places` decimal places."""
    if not text or any(ch in text for ch in "£,$ e E"):
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    if not value.is_finite() or value.as_tuple().exponent < -places:
        return None
    return value
