"""The annual evaluation as a PDF (WeasyPrint, the page's content with print CSS) and as an XLSX workbook.

Both reuse the monthly report's pieces (h2h/reports/pdf.py's font stack, h2h/reports/xlsx.py's safe cell
writers), so a text cell can never be read as a formula and numbers stay numbers.
"""

import io

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from h2h.evaluation.report import EvaluationReport
from h2h.reports.charts import with_charts
from h2h.reports.figures import Table
from h2h.reports.pdf import FONT_STACK
from h2h.reports.xlsx import XLSX_CONTENT_TYPE, write_text, write_value

__all__ = ["XLSX_CONTENT_TYPE", "evaluation_html", "evaluation_pdf", "evaluation_xlsx"]
BOLD = Font(bold=True)
SHEET_NAMES = {
    "summary": "Summary", "stakeholders": "Stakeholders", "value": "Value made up", "cost": "Service cost",
    "hospital": "Hospital use", "social": "Social value", "wellbeing": "Wellbeing", "completeness": "Completeness",
    "cost-book": "Cost book",
}


def evaluation_html(report: EvaluationReport) -> str:
    return render_to_string("evaluation/evaluation_pdf.html", {
        "report": report, "sections": with_charts(report.sections), "font": FONT_STACK})


def evaluation_pdf(report: EvaluationReport) -> bytes:
    from weasyprint import HTML  # loads Pango and fonts: only when a PDF is made

    return HTML(string=evaluation_html(report), base_url=str(settings.BASE_DIR)).write_pdf(pdf_variant="pdf/ua-1")


def _table(sheet, table: Table, row: int) -> int:
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


def evaluation_xlsx(report: EvaluationReport) -> bytes:
    workbook = Workbook()
    read_me = workbook.active
    read_me.title = "Read me"
    generated = timezone.localtime(report.generated_at)
    facts = [
        ("Report", report.title),
        ("Service", report.service.name),
        ("Period", report.period.label),
        ("Version", report.audience),
        ("Generated at", f"{generated:%d %B %Y %H:%M} ({generated.tzname()})"),
        ("Suppression rule", report.shown.rule),
        ("Methods", "docs/evaluation.md: every formula, which cases count, and the assumptions."),
        ("Sheets", "; ".join(f"{SHEET_NAMES[s.key]}: {s.title}" for s in report.sections)),
    ]
    for row, (label, text) in enumerate(facts, start=1):
        write_text(read_me.cell(row, 1), label)
        read_me.cell(row, 1).font = BOLD
        write_text(read_me.cell(row, 2), text)
        read_me.cell(row, 2).alignment = Alignment(wrap_text=True, vertical="top")
    read_me.column_dimensions["A"].width = 20
    read_me.column_dimensions["B"].width = 100
    for section in report.sections:
        sheet = workbook.create_sheet(SHEET_NAMES[section.key])
        row = 1
        for table in section.tables:
            row = _table(sheet, table, row)
        sheet.column_dimensions["A"].width = 55
        for col in range(2, max(len(t.columns) for t in section.tables) + 1):
            sheet.column_dimensions[get_column_letter(col)].width = 20
    workbook.properties.title = report.title
    workbook.properties.creator = "H2H"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
