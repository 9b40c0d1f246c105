"""Aggregate KPIs for a commissioner's system: the monthly management report's tables, as JSON.

Built by the same build_monthly_report as the report page, PDF and XLSX, through the commissioner's disclosure
rule (h2h/reports/figures.py), so the API cannot give a number the published report would not. No person's
record is read out: only counts, rates and totals, and coordinators by number.
"""

import re
from decimal import Decimal

from django.http import Http404
from django.utils import timezone
from ninja import Query, Router

from h2h.accounts.models import Organisation
from h2h.accounts.roles import Role
from h2h.api.auth import TokenAuth
from h2h.api.problems import COMMON_RESPONSES, ApiProblem, Problem
from h2h.api.schemas import KpiColumn, KpiReportOut, KpiSection, KpiTable
from h2h.area.config import get_area
from h2h.reports.figures import Shown, Table
from h2h.reports.monthly import NoSuchMonth, build_monthly_report

router = Router(tags=["KPIs"], auth=TokenAuth(Role.COMMISSIONER))

MONTH = re.compile(r"(\d{4})-(\d{2})")
FIRST_YEAR = 2000  # before any service; also keeps the financial year arithmetic on real dates


def _month(text: str) -> tuple[int, int]:
    match = MONTH.fullmatch(text)
    if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < FIRST_YEAR:
        raise ApiProblem(422, "Invalid request", "The month is not valid.",
                         [{"field": "month", "message": f"Enter a month as YYYY-MM, from {FIRST_YEAR} on"}])
    return int(match[1]), int(match[2])


def _value(value):
    # Money is a Decimal in the report; JSON has numbers.
    return float(value) if isinstance(value, Decimal) else value


def _table(table: Table) -> KpiTable:
    return KpiTable(key=table.key, caption=table.caption, note=table.note,
                    columns=[KpiColumn(label=c.label, kind=c.kind) for c in table.columns],
                    rows=[[_value(v) for v in row] for row in table.rows])


@router.get("", response={200: KpiReportOut, 404: Problem, **COMMON_RESPONSES},
            summary="The month's KPIs, as in the published monthly report")
def kpi_report(request, month: str = Query(..., description="YYYY-MM, e.g. 2026-10", examples=["2026-10"])):
    """Each figure for the month and the financial year to date; a month still running is reported to today.
    Counts from 1 to 7 are "*", other counts rounded to 5 (see `suppression`)."""
    year, number = _month(month)
    service = Organisation.objects.filter(code=get_area().service_organisation).first()
    if service is None:
        raise Http404
    try:
        report = build_monthly_report(service, year, number, Shown(exact=False), today=timezone.localdate())
    except NoSuchMonth as future:
        raise ApiProblem(422, "Invalid request", str(future),
                         [{"field": "month", "message": "Choose a month that has started"}]) from None
    return KpiReportOut(
        service=service.name, month=f"{year:04d}-{number:02d}", month_start=report.month.start,
        month_end=report.month.end, year_to_date_start=report.year_to_date.start, complete=report.complete,
        suppression=report.shown.rule,
        sections=[KpiSection(key=s.key, title=s.title, intro=s.intro, tables=[_table(t) for t in s.tables])
                  for s in report.sections],
    )

