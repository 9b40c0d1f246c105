"""The cost book and the wellbeing values: loading them from CSV, editing one cost, and reading the current book.

Loading is all or nothing (any bad row and nothing is saved) and idempotent (a row that matches the current
version changes nothing). Every change to a cost adds a version; nothing is overwritten.
Formats: docs/formats/cost-book-csv.md and docs/formats/wellbeing-values-csv.md; keep them in step.
"""

import hashlib
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from h2h.evaluation import engine
from h2h.evaluation.csvfiles import RowError, parse_decimal, read_rows
from h2h.evaluation.models import CostItem, WellbeingValue, WellbeingValueSet
from h2h.evaluation.stakeholders import COST_CODES_BY_CODE, WELLBEING_BY_CODE, Stakeholder

COST_BOOK_COLUMNS = ("code", "stakeholder", "description", "value", "unit", "price_year", "source", "edition", "note")
WELLBEING_COLUMNS = ("outcome", "value", "deadweight_percent", "source", "licence")
# The fields a version is compared on: a row equal on all of them is unchanged.
COST_FIELDS = ("stakeholder", "description", "value", "unit", "price_year", "source", "edition", "note")
PRICE_YEAR = re.compile(r"^\d{4}(/\d{2})?$")
SHIPPED_COST_BOOK = Path(__file__).parent / "data" / "cost_book_nottingham.csv"
LIMITS = {"description": 300, "unit": 100, "price_year": 20, "edition": 200}


@dataclass
class LoadResult:
    errors: list[RowError] = field(default_factory=list)
    rows: int = 0
    added: int = 0
    changed: int = 0
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        if not self.ok:
            return f"Nothing was loaded: {len(self.errors)} problem{'s' if len(self.errors) != 1 else ''} found"
        return (f"{self.rows} rows read: {self.added} new, {self.changed} changed (a new version each), "
                f"{self.unchanged} unchanged")


# ------------------------------------------------------------------------------------------------ cost book


def _check_cost_row(line: int, row: dict[str, str], seen: set[str]) -> tuple[dict | None, list[RowError]]:
    errors = []

    def bad(column, reason):
        errors.append(RowError(line, column, reason))

    code = row["code"]
    if code not in COST_CODES_BY_CODE:
        bad("code", f"Unknown code {code!r} (known: {', '.join(COST_CODES_BY_CODE)})")
    elif code in seen:
        bad("code", f"{code} appears more than once")
    seen.add(code)
    if row["stakeholder"] not in Stakeholder.values:
        bad("stakeholder", f"Must be one of {', '.join(Stakeholder.values)}")
    for column in ("description", "unit"):
        if not row[column]:
            bad(column, "Enter a value")
    for column, limit in LIMITS.items():
        if len(row[column]) > limit:
            bad(column, f"At most {limit} characters")
    value = None
    if row["value"]:
        value = parse_decimal(row["value"])
        if value is None:
            bad("value", "Enter a plain number of pounds with up to 2 decimal places, no £ or commas, e.g. 5419 "
                         "or 32.14; leave it blank for a cost nobody has checked yet")
        elif value < 0:
            bad("value", "A cost cannot be negative")
        elif not row["source"]:
            bad("source", "A value needs its source")
        elif not row["price_year"]:
            bad("price_year", "A value needs its price year, e.g. 2024/25")
    if row["price_year"] and not PRICE_YEAR.match(row["price_year"]):
        bad("price_year", "Write the price year as 2024/25 (financial year) or 2024")
    if errors:
        return None, errors
    return {**{key: row[key] for key in COST_FIELDS}, "code": code, "value": value}, []


def cost_item_fields(item: CostItem) -> dict:
    return {key: getattr(item, key) for key in COST_FIELDS}


def _save_version(code: str, fields: dict, *, by, reason: str, now) -> CostItem:
    """Add a version of `code` and make it current (the caller holds the transaction)."""
    current = CostItem.objects.select_for_update().filter(code=code, current=True).first()
    latest = CostItem.objects.filter(code=code).order_by("-version").values_list("version", flat=True).first()
    if current is not None:
        current.current = False
        current.save(update_fields=["current"])
    return CostItem.objects.create(code=code, version=(latest or 0) + 1, current=True, changed_by=by,
                                   changed_at=now, change_reason=reason[:300], **fields)


def load_cost_book(file_bytes: bytes, *, file_name: str, by=None) -> LoadResult:
    rows, errors = read_rows(file_bytes, COST_BOOK_COLUMNS)
    result = LoadResult(errors=errors, rows=len(rows))
    if errors and not rows:
        return result
    seen: set[str] = set()
    cleaned = []
    for line, row in rows:
        fields, row_errors = _check_cost_row(line, row, seen)
        result.errors += row_errors
        if fields:
            cleaned.append(fields)
    if not result.ok:
        return result
    now = timezone.now()
    with transaction.atomic():
        current = {item.code: item for item in CostItem.objects.select_for_update().filter(current=True)}
        for fields in cleaned:
            code = fields.pop("code")
            held = current.get(code)
            if held is not None and cost_item_fields(held) == fields:
                result.unchanged += 1
                continue
            _save_version(code, fields, by=by, reason=f"Loaded from {file_name}", now=now)
            if held is None:
                result.added += 1
            else:
                result.changed += 1
    return result


def cost_item_change(*, code: str, by, reason: str, **fields) -> CostItem | None:
    """Save a new version of one cost (fields as COST_FIELDS); None if nothing differs from the current one."""
    if code not in COST_CODES_BY_CODE:
        raise ValueError(f"Unknown cost code {code!r}")
    with transaction.atomic():
        held = CostItem.objects.select_for_update().filter(code=code, current=True).first()
        merged = {**(cost_item_fields(held) if held else {}), **fields}
        if held is not None and cost_item_fields(held) == merged:
            return None
        return _save_version(code, merged, by=by, reason=reason, now=timezone.now())


def current_costs() -> dict[str, engine.UnitCost]:
    """The current version of each cost, as the engine reads it."""
    return {
        item.code: engine.UnitCost(code=item.code, stakeholder=item.stakeholder, value=item.value, unit=item.unit,
                                   price_year=item.price_year, source=item.source, version=item.version,
                                   description=item.description)
        for item in CostItem.objects.filter(current=True)
    }


# ------------------------------------------------------------------------------------------------ wellbeing


def _check_wellbeing_row(line: int, row: dict[str, str], seen: set[str]) -> tuple[dict | None, list[RowError]]:
    errors = []
    outcome = row["outcome"]
    if outcome not in WELLBEING_BY_CODE:
        errors.append(RowError(line, "outcome", f"Unknown outcome {outcome!r} (known: {', '.join(WELLBEING_BY_CODE)})"))
    elif outcome in seen:
        errors.append(RowError(line, "outcome", f"{outcome} appears more than once"))
    seen.add(outcome)
    value = parse_decimal(row["value"])
    if value is None or value < 0:
        errors.append(RowError(line, "value", "Enter the value in pounds per person per year: a plain number with up "
                                              "to 2 decimal places, no £ or commas"))
    deadweight = parse_decimal(row["deadweight_percent"] or "0")
    if deadweight is None or not 0 <= deadweight <= 100:
        errors.append(RowError(line, "deadweight_percent", "Enter a percentage from 0 to 100, or leave it blank for 0"))
    if not row["source"]:
        errors.append(RowError(line, "source", "Enter where the value comes from (bank, edition, year)"))
    if len(row["licence"]) > 300:
        errors.append(RowError(line, "licence", "At most 300 characters"))
    if errors:
        return None, errors
    return {"outcome": outcome, "value": value, "deadweight_percent": deadweight, "source": row["source"],
            "licence": row["licence"]}, []


def _value_key(fields: dict) -> tuple:
    return (fields["outcome"], Decimal(fields["value"]).normalize(), Decimal(fields["deadweight_percent"]).normalize(),
            fields["source"], fields["licence"])


def load_wellbeing_values(file_bytes: bytes, *, file_name: str, by=None) -> LoadResult:
    """Replace the current wellbeing values with the file's. The same values again change nothing."""
    rows, errors = read_rows(file_bytes, WELLBEING_COLUMNS)
    result = LoadResult(errors=errors, rows=len(rows))
    if errors and not rows:
        return result
    seen: set[str] = set()
    cleaned = []
    for line, row in rows:
        fields, row_errors = _check_wellbeing_row(line, row, seen)
        result.errors += row_errors
        if fields:
            cleaned.append(fields)
    if not result.ok:
        return result
    if not cleaned:
        result.errors.append(RowError(None, "", "The file has a header but no values"))
        return result
    with transaction.atomic():
        held = WellbeingValueSet.objects.select_for_update().filter(current=True).first()
        if held is not None:
            held_keys = sorted(_value_key({"outcome": v.outcome, "value": v.value,
                                           "deadweight_percent": v.deadweight_percent, "source": v.source,
                                           "licence": v.licence}) for v in held.values.all())
            if held_keys == sorted(_value_key(f) for f in cleaned):
                result.unchanged = len(cleaned)
                return result
            held.current = False
            held.save(update_fields=["current"])
        value_set = WellbeingValueSet.objects.create(
            file_name=file_name[:255], sha256=hashlib.sha256(file_bytes).hexdigest(), current=True, loaded_by=by,
            loaded_at=timezone.now())
        WellbeingValue.objects.bulk_create(WellbeingValue(value_set=value_set, **fields) for fields in cleaned)
        result.added = len(cleaned)
    return result


def current_wellbeing_rates() -> dict[str, engine.WellbeingRate]:
    held = WellbeingValueSet.objects.filter(current=True).first()
    if held is None:
        return {}
    return {v.outcome: engine.WellbeingRate(v.outcome, v.value, v.deadweight_percent, v.source)
            for v in held.values.all()}
