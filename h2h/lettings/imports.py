"""Loading stock and voids from a housing management system's CSV export.

The format, every column and what a row does to a property's voids are documented in
docs/formats/stock-and-voids-csv.md; keep the two in step.

The file is checked whole before anything is written, and every bad row is reported with its line, column and
reason. One bad row means nothing at all is written: a half-loaded export would leave some homes on the old
figures and some on the new, and nobody could tell which. Checks that need the database (landlord codes, the
voids H2H is already letting) run inside the same transaction that applies the file, with the affected rows
locked, so a void cannot be advertised or offered between the check and the write.
"""

import csv
import io
import logging
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from h2h.accounts.models import Organisation, User
from h2h.accounts.roles import Role
from h2h.area import valuesets
from h2h.area.config import get_area
from h2h.lettings.models import Hold, Offer, Property, Void
from h2h.lib.identifiers import postcode_is_valid, postcode_normalise

logger = logging.getLogger(__name__)

COLUMNS = (
    "property_ref", "landlord_code", "scheme", "address_line_1", "address_line_2", "town", "postcode",
    "lettings_area", "property_type", "bedrooms", "floor", "has_lift", "wheelchair_standard",
    "level_access_shower", "ramp", "adapted", "features", "min_age", "weekly_rent", "demand",
    "empty_on", "ready_on", "let_on",
)
PROPERTY_FIELDS = COLUMNS[1:20]  # everything stored on the Property row except the reference itself
DEFAULT_MAX_IMPORT_BYTES = 20 * 1024 * 1024
STOCK_IMPORT_ROLES = frozenset({Role.LETTINGS_OFFICER, Role.PROJECT_MANAGER})
LANDLORD_KINDS = frozenset({Organisation.Kind.HOUSING_PROVIDER, Organisation.Kind.PARTNER_LANDLORD})
# A void in one of these states is being let through H2H: its dates are H2H's, not the export's.
H2H_VOID_STATUSES = frozenset({Void.Status.ADVERTISED, Void.Status.HELD, Void.Status.OFFERED})
COUNT_NAMES = (
    "properties_created", "properties_updated", "properties_unchanged",
    "voids_opened", "voids_updated", "voids_let", "voids_unchanged",
)
_CHUNK = 500  # rows per IN (...) query; well under SQLite's limit on query parameters


def max_import_bytes() -> int:
    return getattr(settings, "H2H_MAX_IMPORT_BYTES", DEFAULT_MAX_IMPORT_BYTES)


def size_label(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{round(size / 1024):g} KB"
    return f"{round(size / (1024 * 1024), 1):g} MB"


class StockImportRefused(Exception):
    """The user may not load stock; the message is shown as it is."""


@dataclass(frozen=True)
class RowError:
    """One problem. line is the file's line number (the header is line 1), None for the file as a whole;
    column is empty when the problem is not in one column."""

    line: int | None
    column: str
    reason: str


@dataclass
class ImportResult:
    filename: str
    rows: int = 0
    rows_checked: bool = False
    applied: bool = False
    errors: list[RowError] = field(default_factory=list)
    rejected_lines: set[int] = field(default_factory=set)
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNT_NAMES, 0))

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def rows_rejected(self) -> int:
        return len(self.rejected_lines)

    @property
    def rows_accepted(self) -> int:
        return self.rows - self.rows_rejected

    def reject(self, line: int, column: str, reason: str) -> None:
        self.errors.append(RowError(line, column, reason))
        self.rejected_lines.add(line)

    def refuse(self, reason: str, *, line: int | None = None, column: str = "") -> None:
        """A problem with the file as a whole: its rows cannot be checked."""
        self.errors.append(RowError(line, column, reason))

    def summary(self) -> str:
        c = self.counts
        if not self.ok:
            if not self.rows_checked:
                return f"{self.filename} could not be read: nothing was imported."
            if not self.rejected_lines:
                return f"{self.filename}: nothing was imported. {self.errors[0].reason}"
            return (f"{self.filename}: {self.rows_rejected} of {self.rows} rows have errors "
                    f"({len(self.errors)} in all); nothing was imported.")
        return (f"{self.filename}: {self.rows} rows. Properties: {c['properties_created']} created, "
                f"{c['properties_updated']} updated, {c['properties_unchanged']} unchanged. Voids: "
                f"{c['voids_opened']} opened, {c['voids_updated']} updated, {c['voids_let']} let, "
                f"{c['voids_unchanged']} unchanged.")


class _Bad(ValueError):
    """A value that does not pass its column's check; the message is the reason shown."""


# --- one parser per column: raw text (stripped) → the value stored, or _Bad ------------------------------

def _text(max_length: int, *, required: bool = False) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        if required and not raw:
            raise _Bad("is blank; a value is needed")
        if len(raw) > max_length:
            raise _Bad(f"is {len(raw)} characters long; at most {max_length} are allowed")
        return raw
    return parse


def _whole(low: int, high: int, *, blank_ok: bool = False) -> Callable[[str], int | None]:
    def parse(raw: str) -> int | None:
        if not raw and blank_ok:
            return None
        if not re.fullmatch(r"-?\d+", raw):
            raise _Bad(f"must be a whole number from {low} to {high}, not {raw!r}")
        value = int(raw)
        if not low <= value <= high:
            raise _Bad(f"must be from {low} to {high}, not {value}")
        return value
    return parse


def _yes_no(raw: str) -> bool:
    word = raw.lower()
    if word not in {"yes", "no"}:
        raise _Bad(f"must be yes or no, not {raw!r}" if raw else "is blank; write yes or no")
    return word == "yes"


def _choice(values: Iterable[str]) -> Callable[[str], str]:
    allowed = tuple(values)

    def parse(raw: str) -> str:
        if raw not in allowed:
            raise _Bad(f"{raw!r} is not one of: {', '.join(allowed)}" if raw else
                       f"is blank; use one of: {', '.join(allowed)}")
        return raw
    return parse


def _postcode(raw: str) -> str:
    if not raw:
        raise _Bad("is blank; a value is needed")
    if not postcode_is_valid(raw):
        raise _Bad(f"{raw!r} is not a valid UK postcode")
    return postcode_normalise(raw)


def _features(raw: str) -> list[str]:
    codes = [code.strip() for code in raw.split(";") if code.strip()]
    for code in codes:
        if not re.fullmatch(r"[a-z0-9_]{1,40}", code):
            raise _Bad(f"{code!r} is not a feature code "
                       "(lower-case letters, digits and _, e.g. concrete_floor)")
    # Sorted, so that the same features in another order are not a change.
    return sorted(set(codes))


def _rent(raw: str) -> Decimal:
    if not re.fullmatch(r"\d{1,5}(\.\d{1,2})?", raw):
        raise _Bad(f"must be an amount in pounds such as 95.50, with no £ sign or commas, not {raw!r}"
                   if raw else "is blank; a value is needed")
    value = Decimal(raw)
    if value <= 0:
        raise _Bad("must be more than 0")
    return value


def _date(raw: str) -> date | None:
    if not raw:
        return None
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        raise _Bad(f"must be a date written yyyy-mm-dd, such as 2025-03-31, not {raw!r}")
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise _Bad(f"{raw!r} is not a real date") from None


PARSERS: dict[str, Callable[[str], object]] = {
    "property_ref": _text(Property._meta.get_field("ref").max_length, required=True),
    "landlord_code": _text(Organisation._meta.get_field("code").max_length, required=True),
    "scheme": _text(200),
    "address_line_1": _text(200, required=True),
    "address_line_2": _text(200),
    "town": _text(100, required=True),
    "postcode": _postcode,
    "lettings_area": _text(100),
    "property_type": _choice(valuesets.PropertyType.values),
    "bedrooms": _whole(0, 20),
    "floor": _whole(-1, 99),
    "has_lift": _yes_no,
    "wheelchair_standard": _yes_no,
    "level_access_shower": _yes_no,
    "ramp": _yes_no,
    "adapted": _yes_no,
    "features": _features,
    "min_age": _whole(16, 100, blank_ok=True),
    "weekly_rent": _rent,
    "demand": _choice(Property.Demand.values),
    "empty_on": _date,
    "ready_on": _date,
    "let_on": _date,
}
assert set(PARSERS) == set(COLUMNS)  # noqa: S101 — a column added to one and not the other is a bug here


@dataclass
class _Row:
    line: int
    values: dict[str, object]

    def __getattr__(self, name):
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None


# --- reading the file ---------------------------------------------------------------------------------------

def _decode(file_bytes: bytes, result: ImportResult) -> str | None:
    if file_bytes.startswith((b"\xff\xfe", b"\xfe\xff")):
        result.refuse("The file is saved as UTF-16. Save it as UTF-8 (in Excel: Save as, then 'CSV UTF-8').")
        return None
    try:
        return file_bytes.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = file_bytes[: error.start].count(b"\n") + 1
        result.refuse(f"The file is not UTF-8 text: the byte 0x{file_bytes[error.start]:02X} on line {line} "
                      "cannot be read. It may be saved as Windows (Latin-1) text; save it as UTF-8 "
                      "(in Excel: Save as, then 'CSV UTF-8').", line=line)
        return None


def _header(reader, result: ImportResult) -> dict[str, int] | None:
    try:
        header = next(reader, None)
    except csv.Error as error:
        result.refuse(f"The header cannot be read as CSV: {error}", line=1)
        return None
    if not header or not any(name.strip() for name in header):
        result.refuse("The file is empty: the first line must be the header naming the columns.", line=1)
        return None
    names = [name.strip().lower() for name in header]
    if len(names) == 1 and (";" in names[0] or "\t" in names[0]):
        found = "semicolons" if ";" in names[0] else "tabs"
        result.refuse(f"The columns are separated by {found}; they must be separated by commas.", line=1)
        return None
    problems = []
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        problems.append(f"Column(s) named more than once: {', '.join(repeated)}.")
    missing = [name for name in COLUMNS if name not in names]
    if missing:
        problems.append(f"Missing column(s): {', '.join(missing)}.")
    if "" in names:
        problems.append("A column has no name (an extra comma at the end of the header?).")
    unknown = [name for name in names if name and name not in COLUMNS]
    if unknown:
        problems.append(f"Unknown column(s): {', '.join(unknown)}. The columns are: {', '.join(COLUMNS)}.")
    for problem in problems:
        result.refuse(problem, line=1)
    return None if problems else {name: names.index(name) for name in COLUMNS}


def _parse_row(line: int, cells: list[str], index: dict[str, int], result: ImportResult,
               today: date) -> _Row | None:
    values: dict[str, object] = {}
    bad = False
    for column in COLUMNS:
        raw = cells[index[column]].strip()
        try:
            if "\x00" in raw:
                raise _Bad("contains a NUL byte; the file may be damaged or not a text file")
            if "\n" in raw or "\r" in raw:
                raise _Bad("contains a line break; values must fit on one line")
            values[column] = PARSERS[column](raw)
        except _Bad as problem:
            result.reject(line, column, str(problem))
            bad = True
    if bad:
        return None
    row = _Row(line, values)
    dates_wrong = False
    for column in ("empty_on", "ready_on", "let_on"):
        if row.values[column] is not None and row.values[column] > today:
            result.reject(line, column,
                          f"{row.values[column]} is in the future; export a date once it has happened")
            dates_wrong = True
    if row.empty_on is None:
        for column in ("ready_on", "let_on"):
            if row.values[column] is not None:
                result.reject(line, column, f"is given but empty_on is blank; a {column[:-3]} date belongs "
                                            "to a void, which starts on the date the home became empty")
                dates_wrong = True
    else:
        if row.ready_on is not None and row.ready_on < row.empty_on:
            result.reject(line, "ready_on", f"{row.ready_on} is before empty_on ({row.empty_on})")
            dates_wrong = True
        if row.let_on is not None:
            if row.ready_on is None:
                result.reject(line, "ready_on",
                              "is blank but let_on is given; a home is let only once it is ready")
                dates_wrong = True
            elif row.let_on < row.ready_on:
                result.reject(line, "let_on", f"{row.let_on} is before ready_on ({row.ready_on})")
                dates_wrong = True
    return None if dates_wrong else row


def _read_rows(text: str, result: ImportResult) -> list[_Row] | None:
    """The rows whose values all pass their checks; the others are reported in result. None when the file
    cannot be read as a whole (its header, or its CSV structure)."""
    # newline="" leaves line endings to the csv module, as its documentation asks.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    index = _header(reader, result)
    if index is None:
        return None
    rows, first_seen, today = [], {}, timezone.localdate()
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            result.refuse(f"The file stops being valid CSV here ({error}); the rows after it cannot be read. "
                          "Check for a stray quotation mark.", line=line)
            return None
        if not any(cell.strip() for cell in cells):
            continue  # blank lines, and spreadsheet rows of empty cells, carry nothing
        result.rows += 1
        if len(cells) != len(index):
            result.reject(line, "", f"has {len(cells)} values; the header has {len(index)} columns")
            continue
        row = _parse_row(line, cells, index, result, today)
        ref = cells[index["property_ref"]].strip()
        if ref and ref in first_seen:
            result.reject(line, "property_ref", f"{ref!r} is also on line {first_seen[ref]}; "
                                                "each property appears once")
            continue
        first_seen.setdefault(ref, line)
        if row is not None:
            rows.append(row)
    if result.rows == 0:
        result.refuse("The file has a header but no rows.", line=2)
        return None
    result.rows_checked = True
    return rows


# --- deciding what each row changes (inside the transaction, rows locked) ----------------------------------

def _chunks(items: list, size: int = _CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _locked_state(rows: list[_Row]):
    refs = [row.property_ref for row in rows]
    properties: dict[str, Property] = {}
    for chunk in _chunks(refs):
        properties.update((p.ref, p) for p in Property.objects.select_for_update().filter(ref__in=chunk))
    voids: dict[int, list[Void]] = defaultdict(list)
    for chunk in _chunks([p.pk for p in properties.values()]):
        for void in Void.objects.select_for_update().filter(property_id__in=chunk).order_by("empty_on", "id"):
            voids[void.property_id].append(void)
    managed = {v.pk for vs in voids.values() for v in vs if v.status in H2H_VOID_STATUSES}
    void_ids = [v.pk for vs in voids.values() for v in vs]
    for chunk in _chunks(void_ids):
        # A requested hold or any live offer also means H2H is letting the void, whatever its status says;
        # a signed-up offer means H2H let it, and the tenancy start date is the let date.
        managed.update(Hold.objects.filter(void_id__in=chunk, status__in=[Hold.Status.REQUESTED,
                                                                          Hold.Status.APPROVED])
                       .values_list("void_id", flat=True))
        managed.update(Offer.objects.filter(void_id__in=chunk, status__in=[Offer.Status.OFFERED,
                                                                           Offer.Status.ACCEPTED,
                                                                           Offer.Status.SIGNED_UP])
                       .values_list("void_id", flat=True))
    return properties, voids, managed


class _Conflict(ValueError):
    def __init__(self, column: str, reason: str):
        super().__init__(reason)
        self.column = column


def _void_status(ready_on: date | None, let_on: date | None) -> str:
    if let_on is not None:
        return Void.Status.LET
    return Void.Status.READY if ready_on is not None else Void.Status.NOT_READY


def _check_overlap(row: _Row, others: list[Void]) -> None:
    end = row.let_on or date.max
    for other in others:
        other_end = other.let_on or date.max
        if row.empty_on < other_end and other.empty_on < end:
            let = f", let on {other.let_on}" if other.let_on else ", still open"
            raise _Conflict("empty_on", f"the void {row.empty_on} to {row.let_on or 'now'} overlaps the void "
                                        f"from {other.empty_on}{let}")


def _plan_void(row: _Row, voids: list[Void], managed: set[int]) -> tuple[str, Void | None]:
    """What the row does to its property's voids: one of "none", "opened", "let", "updated", "unchanged",
    with the existing void it applies to (None for a new one). Raises _Conflict for a row H2H must refuse."""
    open_void = next((v for v in voids if v.let_on is None), None)
    if row.empty_on is None:
        if open_void is not None:
            raise _Conflict("empty_on", f"is blank, but H2H has this home empty since {open_void.empty_on}. "
                                        "To close that void give its empty_on, ready_on and let_on dates")
        return "none", None
    target = next((v for v in voids if v.empty_on == row.empty_on), None) or open_void
    if target is None:
        _check_overlap(row, voids)
        return ("let" if row.let_on else "opened"), None
    wanted = {"empty_on": row.empty_on, "ready_on": row.ready_on, "let_on": row.let_on}
    if target.pk in managed:
        # The export may repeat H2H's dates, or lag behind them (blank where H2H has a date), but not differ.
        for column, value in wanted.items():
            held = getattr(target, column)
            if value is not None and value != held:
                raise _Conflict(column, f"is {value}, but the void from {target.empty_on} is being let "
                                        f"through H2H ({target.get_status_display().lower()}) and H2H has "
                                        f"{column} {held or 'blank'}. Resolve it in H2H, not by import")
        return "unchanged", target
    if target.let_on is not None and row.let_on is None:
        raise _Conflict("let_on", f"is blank, but the void from {target.empty_on} was let on "
                                  f"{target.let_on}; an import cannot undo a let")
    if all(getattr(target, column) == value for column, value in wanted.items()):
        return "unchanged", target
    _check_overlap(row, [v for v in voids if v.pk != target.pk])
    return ("let" if target.let_on is None and row.let_on else "updated"), target


def _property_changes(home: Property, row: _Row, landlord: Organisation) -> list[str]:
    changed = []
    for name in PROPERTY_FIELDS:
        current = home.landlord_id if name == "landlord_code" else getattr(home, name)
        wanted = landlord.pk if name == "landlord_code" else row.values[name]
        if name == "features":
            current = sorted(set(current or []))
        if current != wanted:
            changed.append("landlord" if name == "landlord_code" else name)
    return changed


def _property_values(row: _Row, landlord: Organisation) -> dict:
    values = {name: row.values[name] for name in PROPERTY_FIELDS if name != "landlord_code"}
    return {**values, "landlord": landlord}


def _plan_and_apply(rows: list[_Row], result: ImportResult) -> None:
    codes = {row.landlord_code for row in rows}
    landlords = {org.code: org for org in Organisation.objects.filter(code__in=codes)}
    properties, voids, managed = _locked_state(rows)
    new_homes: list[Property] = []
    home_updates: list[tuple[Property, list[str]]] = []
    void_plans: list[tuple[_Row, Property, str, Void | None]] = []
    for row in rows:
        landlord = landlords.get(row.landlord_code)
        if landlord is None:
            result.reject(row.line, "landlord_code",
                          f"no organisation in H2H has the code {row.landlord_code!r}")
        elif landlord.kind not in LANDLORD_KINDS:
            result.reject(row.line, "landlord_code", f"{landlord.code} is {landlord.name}, "
                                                     f"{landlord.get_kind_display().lower()}, not a landlord")
        home = properties.get(row.property_ref)
        try:
            action, void = _plan_void(row, voids[home.pk] if home else [], managed)
        except _Conflict as conflict:
            result.reject(row.line, conflict.column, str(conflict))
            continue
        if row.line in result.rejected_lines:
            continue
        if home is None:
            home = Property(ref=row.property_ref, **_property_values(row, landlord))
            new_homes.append(home)
            result.counts["properties_created"] += 1
        else:
            changed = _property_changes(home, row, landlord)
            if changed:
                for name, value in _property_values(row, landlord).items():
                    setattr(home, name, value)
                home_updates.append((home, changed))
            result.counts["properties_updated" if changed else "properties_unchanged"] += 1
        if action != "none":
            void_plans.append((row, home, action, void))
            result.counts[f"voids_{action}"] += 1
    if result.errors:
        return
    Property.objects.bulk_create(new_homes, batch_size=_CHUNK)
    for home, changed in home_updates:
        home.save(update_fields=changed)
    new_voids = []
    for row, home, action, void in void_plans:
        if action == "unchanged":
            continue
        status = _void_status(row.ready_on, row.let_on)
        if void is None:
            new_voids.append(Void(property=home, empty_on=row.empty_on, ready_on=row.ready_on,
                                  let_on=row.let_on, status=status))
        else:
            void.empty_on, void.ready_on, void.let_on = row.empty_on, row.ready_on, row.let_on
            void.status = status
            void.save(update_fields=["empty_on", "ready_on", "let_on", "status"])
    Void.objects.bulk_create(new_voids, batch_size=_CHUNK)
    result.applied = True


# --- the service ---------------------------------------------------------------------------------------

def stock_import(*, file_bytes: bytes, filename: str, by: User) -> ImportResult:
    """Check a stock-and-voids CSV whole and, only if every row is right, apply it in one transaction.

    Returns the result either way: the counts of what changed, or every error found. Importing the same file
    again changes nothing (every count is "unchanged"). Raises StockImportRefused for a user who may not load
    stock (a lettings officer or project manager of the service organisation may).
    """
    service_code = get_area().service_organisation
    if not (by.is_active and by.role in STOCK_IMPORT_ROLES and by.organisation is not None
            and by.organisation.code == service_code):
        raise StockImportRefused("Only a lettings officer or project manager of the service can load stock.")
    result = ImportResult(filename=filename)
    limit = max_import_bytes()
    if len(file_bytes) > limit:
        size = size_label(len(file_bytes))
        result.refuse(f"The file is {size}; it must be {size_label(limit)} or smaller. "
                      "Split it, or export only the properties that changed.")
        return result
    text = _decode(file_bytes, result)
    if text is None:
        return result
    rows = _read_rows(text, result)
    if rows is None:
        return result
    try:
        with transaction.atomic():
            _plan_and_apply(rows, result)
    except IntegrityError:
        # Another import (or a letting) changed the same homes between our locks and our writes: a property
        # created twice, or a second open void. Nothing of this file was written.
        logger.warning("Stock import %s by %s collided with another change", filename, by.username)
        result.counts = dict.fromkeys(COUNT_NAMES, 0)
        result.refuse("Another change to the same properties was saved at the same time, so nothing was "
                      "imported. Import the file again.")
        return result
    if result.ok:
        logger.info("Stock import %s by %s: %s", filename, by.username, result.summary())
    else:
        result.counts = dict.fromkeys(COUNT_NAMES, 0)
    return result

