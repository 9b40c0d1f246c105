"""Pages of the annual evaluation: the evaluation for any period (page, PDF, XLSX), the cost book, funding,
wellbeing values, the outcomes a coordinator records as avoided on a case, and the evaluator's pseudonymised
export.

Who may do what (anyone else gets "not found"):
- evaluation, cost book, funding, wellbeing values: read by the service's project manager (exact figures) and
  by the commissioner and the evaluator (small numbers suppressed), as for the dashboard
  (h2h.reports.views.audience); changed by the project manager only;
- avoided outcomes on a case: the coordinators and project manager of the service holding the case;
- the pseudonymised case-level export: the evaluator only.
"""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from h2h.accounts.roles import Role
from h2h.audit.models import AuditEvent
from h2h.audit.services import audit_record
from h2h.cases.access import get_case_for_user
from h2h.evaluation import costbook, pseudonyms, services
from h2h.evaluation.csvfiles import MAX_BYTES
from h2h.evaluation.forms import (
    AvoidedOutcomeForm,
    CostItemForm,
    ExportForm,
    FundingForm,
    PeriodForm,
    WellbeingUploadForm,
)
from h2h.evaluation.models import AvoidedOutcome, CostItem, Funding, WellbeingValueSet
from h2h.evaluation.report import EvaluationReport, build_evaluation_report
from h2h.evaluation.stakeholders import COST_CODES, COST_CODES_BY_CODE, WELLBEING_OUTCOMES
from h2h.reports import kpis
from h2h.reports.charts import with_charts
from h2h.reports.views import audience

EDITORS = frozenset({Role.PROJECT_MANAGER})
AVOIDED_ROLES = frozenset({Role.HHC, Role.PROJECT_MANAGER})
EXPORT_ROLES = frozenset({Role.EVALUATOR})
DEFAULT_MONTHS = 12


def _editor(request) -> bool:
    # Funding and the cost book are the area's: only the organisation running its service edits them.
    return request.user.role in EDITORS and request.user.in_areas_service


def _require_editor(request) -> None:
    audience(request)
    if not _editor(request):
        raise Http404


def default_period(today: date) -> kpis.Period:
    """The last twelve whole months."""
    this_month = today.replace(day=1)
    index = this_month.year * 12 + this_month.month - 1
    first = date((index - DEFAULT_MONTHS) // 12, (index - DEFAULT_MONTHS) % 12 + 1, 1)
    last = date((index - 1) // 12, (index - 1) % 12 + 1, 1)
    return kpis.Period.months(first, last)


def _period(request) -> tuple[PeriodForm, kpis.Period]:
    """The period asked for in the address, or the last twelve whole months (also put in the form)."""
    form = PeriodForm(request.GET if "from" in request.GET or "to" in request.GET else None)
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["period"]
    period = default_period(timezone.localdate())
    if not form.is_bound:
        form = PeriodForm(None, initial={"from": f"{period.start:%Y-%m}", "to": f"{period.end:%Y-%m}"})
    return form, period


def _query(period: kpis.Period) -> str:
    return f"?from={period.start:%Y-%m}&to={period.end:%Y-%m}"


# ------------------------------------------------------------------------------------------------ evaluation


def _report(request) -> tuple[PeriodForm, EvaluationReport]:
    service, shown = audience(request)
    form, period = _period(request)
    return form, build_evaluation_report(service, period, shown)


@login_required
def evaluation(request):
    form, report = _report(request)
    query = _query(report.period)
    return render(request, "evaluation/evaluation.html", {
        "form": form, "report": report, "sections": with_charts(report.sections),
        "pdf_url": reverse("evaluation:pdf") + query, "xlsx_url": reverse("evaluation:xlsx") + query,
        "can_edit": _editor(request), "can_export": request.user.role in EXPORT_ROLES,
    })


def _download(content: bytes | str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _audit_download(request, report: EvaluationReport, fmt: str) -> None:
    audit_record(request, AuditEvent.Action.EXPORT, object_type="report", object_id=f"evaluation-{report.slug}"[:50],
                 summary=f"Annual evaluation {report.period.label} as {fmt} ({report.audience})")


@login_required
def evaluation_pdf(request):
    from h2h.evaluation.render import evaluation_pdf as render_pdf  # WeasyPrint loads Pango: only when asked

    _, report = _report(request)
    content = render_pdf(report)
    _audit_download(request, report, "PDF")
    return _download(content, "application/pdf", f"{report.filename_stem}.pdf")


@login_required
def evaluation_xlsx(request):
    from h2h.evaluation.render import XLSX_CONTENT_TYPE
    from h2h.evaluation.render import evaluation_xlsx as render_xlsx

    _, report = _report(request)
    content = render_xlsx(report)
    _audit_download(request, report, "XLSX")
    return _download(content, XLSX_CONTENT_TYPE, f"{report.filename_stem}.xlsx")


# ------------------------------------------------------------------------------------------------ cost book


@login_required
def cost_book(request):
    audience(request)
    current = {item.code: item for item in CostItem.objects.filter(current=True).select_related("changed_by")}
    rows = [{"code": code, "item": current.get(code.code)} for code in COST_CODES]
    return render(request, "evaluation/cost_book.html", {
        "rows": rows, "can_edit": _editor(request), "gaps": sum(1 for r in rows if not r["item"] or r["item"].is_gap),
    })


@login_required
@require_http_methods(["GET", "POST"])
def cost_item(request, code: str):
    audience(request)
    if code not in COST_CODES_BY_CODE:
        raise Http404
    versions = list(CostItem.objects.filter(code=code).select_related("changed_by").order_by("-version"))
    current = next((v for v in versions if v.current), None)
    form = None
    if _editor(request):
        initial = costbook.cost_item_fields(current) if current else {
            "stakeholder": COST_CODES_BY_CODE[code].stakeholder, "unit": COST_CODES_BY_CODE[code].unit,
            "description": COST_CODES_BY_CODE[code].label}
        form = CostItemForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = dict(form.cleaned_data)
            reason = data.pop("change_reason")
            saved = costbook.cost_item_change(code=code, by=request.user, reason=reason, **data)
            if saved is None:
                messages.info(request, "Nothing changed: the cost is as it was")
            else:
                audit_record(request, AuditEvent.Action.CHANGE, object_type="cost_item", object_id=code,
                             summary=f"Cost {code} version {saved.version}: {reason}")
                messages.success(request, f"Saved as version {saved.version}")
            return redirect("evaluation:cost-item", code=code)
    elif request.method == "POST":
        raise Http404
    return render(request, "evaluation/cost_item.html", {
        "code": COST_CODES_BY_CODE[code], "versions": versions, "current": current, "form": form})


# ------------------------------------------------------------------------------------------------ funding


@login_required
@require_http_methods(["GET", "POST"])
def funding(request):
    audience(request)
    form = FundingForm(request.POST or None) if _editor(request) else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            row = services.funding_add(by=request.user, **form.cleaned_data)
            audit_record(request, AuditEvent.Action.CREATE, object_type="funding", object_id=row.pk,
                         summary=f"Funding added: {row} £{row.amount}")
            messages.success(request, "Funding added")
            return redirect("evaluation:funding")
    rows = Funding.objects.select_related("entered_by").order_by("-period_start", "funder", "id")
    return render(request, "evaluation/funding.html", {"rows": rows, "form": form})


@login_required
@require_POST
def funding_remove(request, pk: int):
    _require_editor(request)
    row = get_object_or_404(Funding, pk=pk)
    audit_record(request, AuditEvent.Action.CHANGE, object_type="funding", object_id=row.pk,
                 summary=f"Funding removed: {row} £{row.amount}")
    services.funding_remove(funding=row)
    messages.success(request, "Funding removed")
    return redirect("evaluation:funding")


# ------------------------------------------------------------------------------------------------ wellbeing values


@login_required
@require_http_methods(["GET", "POST"])
def wellbeing_values(request):
    audience(request)
    form = WellbeingUploadForm(request.POST or None, request.FILES or None) if _editor(request) else None
    result = None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            upload = form.cleaned_data["file"]
            # One byte over the limit is enough for the check to refuse it, without reading a huge file.
            result = costbook.load_wellbeing_values(upload.read(MAX_BYTES + 1), file_name=upload.name,
                                                    by=request.user)
            if result.ok:
                audit_record(request, AuditEvent.Action.CHANGE, object_type="wellbeing_values",
                             object_id=upload.name[:50], summary=result.summary())
                messages.success(request, "Nothing changed: these are the values already loaded"
                                 if result.unchanged else "Wellbeing values loaded")
                return redirect("evaluation:wellbeing-values")
    sets = list(WellbeingValueSet.objects.select_related("loaded_by").prefetch_related("values")[:10])
    current = next((s for s in sets if s.current), None)
    values = {v.outcome: v for v in current.values.all()} if current else {}
    rows = [{"outcome": o, "value": values.get(o.code)} for o in WELLBEING_OUTCOMES]
    return render(request, "evaluation/wellbeing_values.html", {
        "form": form, "result": result, "rows": rows, "current": current, "sets": sets})


# ------------------------------------------------------------------------------------------------ avoided outcomes


def _case_for_avoided(request, case_id: int, *, audit_view: bool):
    if request.user.role not in AVOIDED_ROLES or not request.user.in_service:
        raise Http404
    return get_case_for_user(request, case_id, audit_view=audit_view)


def _kind(kind: str) -> str:
    if kind not in AvoidedOutcome.Kind.values:
        raise Http404
    return kind


@login_required
def avoided(request, case_id: int):
    case = _case_for_avoided(request, case_id, audit_view=True)
    held = {o.kind: o for o in case.avoided_outcomes.select_related("recorded_by")}
    rows = [{"kind": kind, "label": label, "outcome": held.get(kind)} for kind, label in AvoidedOutcome.Kind.choices]
    return render(request, "evaluation/avoided.html", {"case": case, "rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def avoided_edit(request, case_id: int, kind: str):
    kind = _kind(kind)
    case = _case_for_avoided(request, case_id, audit_view=request.method == "GET")
    held = case.avoided_outcomes.filter(kind=kind).first()
    initial = {"on": held.on, "note": held.note, "quantity": held.quantity} if held else {}
    form = AvoidedOutcomeForm(request.POST or None, kind=kind, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = services.avoided_outcome_record(case=case, kind=kind, on=data["on"], note=data["note"],
                                                quantity=data.get("quantity"), by=request.user)
        audit_record(request, AuditEvent.Action.CHANGE if held else AuditEvent.Action.CREATE,
                     object_type="avoided_outcome", object_id=saved.pk, person_id=case.person_id,
                     summary=f"{saved.get_kind_display()} recorded on case {case.reference}")
        messages.success(request, f"{saved.get_kind_display()}: saved")
        return redirect("evaluation:avoided", case_id=case.pk)
    return render(request, "evaluation/avoided_edit.html", {
        "case": case, "form": form, "kind_label": AvoidedOutcome.Kind(kind).label, "held": held})


@login_required
@require_POST
def avoided_remove(request, case_id: int, kind: str):
    kind = _kind(kind)
    case = _case_for_avoided(request, case_id, audit_view=False)
    held = case.avoided_outcomes.filter(kind=kind).first()
    if held is None:
        raise Http404
    audit_record(request, AuditEvent.Action.CHANGE, object_type="avoided_outcome", object_id=held.pk,
                 person_id=case.person_id, summary=f"{held.get_kind_display()} removed from case {case.reference}")
    services.avoided_outcome_remove(outcome=held)
    messages.success(request, f"{AvoidedOutcome.Kind(kind).label}: removed")
    return redirect("evaluation:avoided", case_id=case.pk)


# ------------------------------------------------------------------------------------------------ export


def _exporter(request):
    if request.user.role not in EXPORT_ROLES or not request.user.is_active:
        raise Http404
    service, _ = audience(request)
    return service


@login_required
def export(request):
    _exporter(request)
    form, period = _period(request)
    return render(request, "evaluation/export.html", {"form": form, "period": period,
                                                       "export_form": ExportForm(),
                                                       "csv_url": reverse("evaluation:export-csv")})


@login_required
def export_csv(request):
    from h2h.evaluation.export import export_csv as build

    service = _exporter(request)
    form, period = _period(request)
    if form.is_bound and not form.is_valid():
        return render(request, "evaluation/export.html", {"form": form, "period": period,
                                                           "export_form": ExportForm(),
                                                           "csv_url": reverse("evaluation:export-csv")}, status=400)
    shift = request.GET.get("shift_dates", "") in {"on", "1", "true", "yes"}
    try:
        key = pseudonyms.pseudonym_key()
    except pseudonyms.PseudonymKeyMissing as missing:
        return render(request, "evaluation/export_unavailable.html", {"reason": str(missing)}, status=503)
    result = build(service, period, key=key, shift_dates=shift, today=timezone.localdate())
    audit_record(request, AuditEvent.Action.EXPORT, object_type="pseudonymised_export",
                 object_id=f"{period.start:%Y-%m}-{period.end:%Y-%m}",
                 summary=f"Pseudonymised case-level export, {period.label}: {result.rows} cases, "
                         f"dates {'shifted' if shift else 'not shifted'}")
    return _download(result.content.encode("utf-8-sig"), "text/csv; charset=utf-8",
                     f"h2h-evaluation-cases-{period.start:%Y-%m}-to-{period.end:%Y-%m}.csv")
