"""The dashboard and the monthly management report (page, PDF, XLSX): aggregate figures only, no person.

Who sees what: the project manager sees their own service's exact figures; the commissioner and the evaluator
see the area's service through the disclosure rule (h2h/reports/figures.py). Everyone else gets a 404.
Downloads are audited as exports of a report.
"""

from datetime import date

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from h2h.accounts.models import Organisation
from h2h.accounts.roles import Role
from h2h.area.config import get_area
from h2h.audit.models import AuditEvent
from h2h.audit.services import audit_record
from h2h.reports import kpis
from h2h.reports.charts import with_charts
from h2h.reports.dashboard import build_dashboard
from h2h.reports.figures import Shown
from h2h.reports.monthly import MonthlyReport, NoSuchMonth, build_monthly_report

OUTSIDE_READERS = frozenset({Role.COMMISSIONER, Role.EVALUATOR})
DEFAULT_MONTHS = 12


def audience(request) -> tuple[Organisation, Shown]:
    """The service whose figures this user may see, and how: 404 for anyone the reports are not for."""
    user = request.user
    if user.role == Role.PROJECT_MANAGER and user.in_service:
        return user.organisation, Shown(exact=True)
    if user.is_active and user.role in OUTSIDE_READERS:
        service = Organisation.objects.filter(code=get_area().service_organisation).first()
        if service is not None:
            return service, Shown(exact=False)
    raise Http404


def _months_available(service: Organisation, today: date) -> list[date]:
    """Each month from the service's first referral (or a year back, if later) to this month, newest first."""
    first = kpis.Period.months(today, today).start
    earliest = service.cases.order_by("referred_on").values_list("referred_on", flat=True).first()
    start = min(earliest or first, _months_back(first, DEFAULT_MONTHS - 1)).replace(day=1)
    return list(reversed(kpis.Period.months(start, today).month_starts()))


def _months_back(month_start: date, months: int) -> date:
    index = month_start.year * 12 + month_start.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


class PeriodForm(forms.Form):
    """The dashboard's period: whole months, from and to (GET, so a period can be bookmarked and shared)."""

    def __init__(self, data, *, months: list[date]):
        super().__init__(data)
        choices = [(f"{m:%Y-%m}", f"{m:%B %Y}") for m in months]
        self.fields["from"] = forms.ChoiceField(label="From", choices=choices)
        self.fields["to"] = forms.ChoiceField(label="To", choices=choices)
        for name in ("from", "to"):
            self.fields[name].error_messages["invalid_choice"] = f"Choose a month to show figures {name}"
            self.fields[name].error_messages["required"] = f"Choose a month to show figures {name}"

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("from"), cleaned.get("to")
        if start and end and start > end:
            self.add_error("to", "The month to show figures to must be the same as or after the month from")
        return cleaned

    def period(self) -> kpis.Period:
        start, end = (date.fromisoformat(self.cleaned_data[name] + "-01") for name in ("from", "to"))
        return kpis.Period.months(start, end)


@login_required
def dashboard(request):
    service, shown = audience(request)
    today = timezone.localdate()
    months = _months_available(service, today)
    default = kpis.Period.months(months[min(DEFAULT_MONTHS, len(months)) - 1], today)
    form = PeriodForm(request.GET or None, months=months)
    if form.is_bound and form.is_valid():
        period = form.period()
    else:
        # First arrival (or a period that could not be read): the last twelve months, shown in the form.
        period = default
        form.fields["from"].initial, form.fields["to"].initial = (
            f"{default.start:%Y-%m}",
            f"{default.end:%Y-%m}",
        )
    board = build_dashboard(service, period, shown, today)
    sections = with_charts(board.sections)
    return render(
        request,
        "reports/dashboard.html",
        {
            "form": form,
            "board": board,
            "sections": sections,
            "service": service,
            "monthly_url": reverse("reports:monthly-index"),
        },
    )


@login_required
def monthly_index(request):
    service, shown = audience(request)
    months = _months_available(service, timezone.localdate())
    return render(request, "reports/monthly_index.html", {"months": months, "shown": shown})


def _report(request, month: tuple[int, int]) -> MonthlyReport:
    service, shown = audience(request)
    try:
        return build_monthly_report(service, *month, shown)
    except NoSuchMonth:
        raise Http404 from None


@login_required
def monthly(request, month):
    report = _report(request, month)
    sections = with_charts(report.sections)
    return render(request, "reports/monthly.html", {"report": report, "sections": sections})


def _audit_export(request, report: MonthlyReport, fmt: str) -> None:
    audit_record(
        request,
        AuditEvent.Action.EXPORT,
        object_type="report",
        object_id=f"monthly-{report.slug}",
        summary=f"Monthly management report {report.month.start:%B %Y} as {fmt} ({report.audience})",
    )


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def monthly_pdf(request, month):
    from h2h.reports.pdf import monthly_report_pdf  # WeasyPrint loads Pango: only when a PDF is asked for

    report = _report(request, month)
    content = monthly_report_pdf(report)
    _audit_export(request, report, "PDF")
    return _download(content, "application/pdf", f"{report.filename_stem}.pdf")


@login_required
def monthly_xlsx(request, month):
    from h2h.reports.xlsx import XLSX_CONTENT_TYPE, monthly_report_xlsx

    report = _report(request, month)
    content = monthly_report_xlsx(report)
    _audit_export(request, report, "XLSX")
    return _download(content, XLSX_CONTENT_TYPE, f"{report.filename_stem}.xlsx")
