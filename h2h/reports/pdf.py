"""The monthly report as a tagged PDF (PDF/UA-1), from the same template as the page with print CSS."""

import logging

from django.conf import settings
from django.template.loader import render_to_string

from h2h.reports.charts import with_charts
from h2h.reports.monthly import MonthlyReport

# Arial is not installed on the server; Liberation Sans has the same metrics, DejaVu Sans is the last resort.
FONT_STACK = "Arial, 'Liberation Sans', 'DejaVu Sans', sans-serif"
# WeasyPrint logs every layout step at INFO; a report is one request, not worth seven log lines.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def monthly_report_html(report: MonthlyReport) -> str:
    """The standalone print document (also what `h2h report monthly … --format html` writes)."""
    sections = with_charts(report.sections)
    return render_to_string(
        "reports/monthly_pdf.html", {"report": report, "sections": sections, "font": FONT_STACK}
    )


def monthly_report_pdf(report: MonthlyReport) -> bytes:
    from weasyprint import HTML  # loads Pango and fonts: only when a PDF is made

    document = HTML(string=monthly_report_html(report), base_url=str(settings.BASE_DIR))
    return document.write_pdf(pdf_variant="pdf/ua-1")
