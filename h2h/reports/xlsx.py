"""The monthly report as an XLSX workbook: a "Read me" sheet, then one sheet per section (docs/formats/
monthly-report-xlsx.md).

Numbers are written as numbers (with a number format), everything else as text cells: a text value can never
be read as a formula, even one starting with = + - @ or a tab (it is stored as a string, with Excel's quote
prefix so that editing the cell keeps it text).
"""

import io
from decimal import Decimal

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from h2h.lib.spreadsheet import FORMULA_TRIGGER
from h2h.reports.figures import COUNT, DAYS, MONEY, PERCENT, Table
from h2h.reports.monthly import MonthlyReport

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_NAMES = {
    "summary": "Summary",
    "referrals": "Referrals",
    "rehousing": "Rehousing",
    "caseload": "Caseload",
    "follow-up": "Follow-up",
    "lettings": "Lettings and hardship",
}
NUMBER_FORMATS = {COUNT: "#,##0", DAYS: "#,##0.0", PERCENT: "0.0%", MONEY: "£#,##0.00"}
# Characters that make a spreadsheet treat a typed value as a formula (or a DDE call), also after leading
# spaces.
BOLD = Font(bold=True)
SOURCE = (
    "H2H records of the service: cases and their stage history, referrals, follow-up visits, surveys, offers "
    "and lets, and the hardship fund. How each figure is worked out: docs/reports.md."
)


def write_text(cell, text: str) -> None:
    """Put text in a cell as a string, never a formula."""
    cell.value = text
    cell.data_type = "s"
    if FORMULA_TRIGGER.match(text):
        cell.quotePrefix = True


def write_value(cell, value, kind: str) -> None:
    if value is None:
        write_text(cell, "–")
    elif isinstance(value, str):
        write_text(cell, value)
        cell.alignment = Alignment(horizontal="right")
    elif kind == PERCENT:
        cell.value = float(value) / 100  # a spreadsheet percentage is a fraction
        cell.number_format = NUMBER_FORMATS[PERCENT]
    else:
        cell.value = value if isinstance(value, int | float | Decimal) else str(value)
        if kind == DAYS and isinstance(value, int):
            cell.number_format = NUMBER_FORMATS[COUNT]
        else:
            cell.number_format = NUMBER_FORMATS.get(kind, "General")


def _write_table(sheet, table: Table, row: int) -> int:
    """Write a table from `row` down: caption, header, rows, note; return the next free row (after a gap)."""
    write_text(sheet.cell(row, 1), table.caption)
    sheet.cell(row, 1).font = BOLD
    row += 1
    for col, column in enumerate(table.columns, start=1):
        write_text(sheet.cell(row, col), column.label)
        sheet.cell(row, col).font = BOLD
    row += 1
    for r, values in enumerate(table.rows):
        for c, value in enumerate(values):
            cell = sheet.cell(row, c + 1)
            if c == 0:
                write_text(cell, str(value))
            else:
                write_value(cell, value, table.kind_of(r, c))
        row += 1
    if table.note:
        write_text(sheet.cell(row, 1), table.note)
        row += 1
    return row + 1


def _read_me(sheet, report: MonthlyReport) -> None:
    generated = timezone.localtime(report.generated_at)
    rows = [
        ("Report", report.title),
        ("Service", report.service.name),
        ("Month", report.month.label + ("" if report.complete else " (the month so far)")),
        ("Year to date", report.year_to_date.label),
        ("Version", report.audience),
        ("Generated at", f"{generated:%d %B %Y %H:%M} ({generated.tzname()})"),
        ("Source", SOURCE),
        ("Suppression rule", report.shown.rule),
        ("Blank figures", "– means there is nothing to work it out from (no one in the group)."),
        ("Sheets", "; ".join(SHEET_NAMES.get(s.key, s.title[:31]) + ": " + s.title for s in report.sections)),
    ]
    for row, (label, text) in enumerate(rows, start=1):
        write_text(sheet.cell(row, 1), label)
        sheet.cell(row, 1).font = BOLD
        write_text(sheet.cell(row, 2), text)
        sheet.cell(row, 2).alignment = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions["A"].width = 20
    sheet.column_dimensions["B"].width = 100


def monthly_report_xlsx(report: MonthlyReport) -> bytes:
    workbook = Workbook()
    read_me = workbook.active
    read_me.title = "Read me"
    _read_me(read_me, report)
    for section in report.sections:
        sheet = workbook.create_sheet(SHEET_NAMES.get(section.key, section.title[:31]))
        row = 1
        for table in section.tables:
            row = _write_table(sheet, table, row)
        widest = max(len(t.columns) for t in section.tables)
        sheet.column_dimensions["A"].width = 55
        for col in range(2, widest + 1):
            sheet.column_dimensions[get_column_letter(col)].width = 18
    workbook.properties.title = report.title
    workbook.properties.creator = "H2H"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
