"""Hardship-fund pages: a case's spend with the request form, the managers' approval queue with the decision
page, recording payment, and the year's ledger against the budget.

Only the service's HHCs, managers and admin support see these pages; anyone else gets "not found".
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from h2h.audit.models import AuditEvent
from h2h.audit.services import audit_record
from h2h.cases.access import get_case_for_user
from h2h.hardship.forms import DecideForm, RequestForm
from h2h.hardship.models import SpendRequest, financial_year, financial_year_label
from h2h.hardship.selectors import (
    DECIDE_ROLES,
    HARDSHIP_ROLES,
    PAY_ROLES,
    REQUEST_ROLES,
    approval_queue,
    budget_position,
    case_ledger,
    spend_queryset_for_user,
    year_ledger,
)
from h2h.hardship.services import SpendActionRefused, spend_approve, spend_mark_paid, spend_refuse, spend_request
from h2h.hardship.templatetags.hardship_money import pounds


def _require_role(request, roles=HARDSHIP_ROLES) -> None:
    if not request.user.in_service or request.user.role not in roles:
        raise Http404


def _get_spend_for_user(request, spend_id: int) -> SpendRequest:
    _require_role(request)
    try:
        return spend_queryset_for_user(request.user).select_related("case", "requested_by").get(pk=spend_id)
    except SpendRequest.DoesNotExist:
        raise Http404("No such request") from None


def _audit(request, action: str, spend: SpendRequest, summary: str) -> None:
    audit_record(request, action, object_type="hardship_spend", object_id=spend.pk,
                 person_id=spend.case.person_id, summary=summary)


@login_required
@require_http_methods(["GET", "POST"])
def case_spend(request, case_id: int):
    _require_role(request)
    case = get_case_for_user(request, case_id, audit_view=request.method == "GET")
    can_request = request.user.role in REQUEST_ROLES and case.is_open
    form = RequestForm(request.POST or None) if can_request else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                spend = spend_request(case=case, by=request.user, **form.cleaned_data)
            except SpendActionRefused as refused:
                form.add_error(None, str(refused))
            else:
                _audit(request, AuditEvent.Action.CREATE, spend,
                       f"{spend.reference} requested: {pounds(spend.amount)}")
                messages.success(request, f"{spend.reference} for {pounds(spend.amount)} sent for approval")
                return redirect("hardship:case", case_id=case.pk)
    return render(request, "hardship/case.html", {"case": case, "ledger": case_ledger(case), "form": form,
                                                  "can_pay": request.user.role in PAY_ROLES})


@login_required
def queue(request):
    """Requests awaiting a decision; a manager's own requests are shown but cannot be decided by them."""
    _require_role(request, DECIDE_ROLES)
    rows = list(approval_queue(request.user))
    audit_record(request, AuditEvent.Action.LIST, object_type="hardship_spend",
                 summary=f"Hardship approval queue: {len(rows)} shown")
    year = financial_year(timezone.localdate())
    return render(request, "hardship/queue.html", {
        "rows": rows, "position": budget_position(request.user.organisation, year),
        "year_label": financial_year_label(year),
    })


@login_required
@require_http_methods(["GET", "POST"])
def decide(request, spend_id: int):
    _require_role(request, DECIDE_ROLES)
    spend = _get_spend_for_user(request, spend_id)
    form = DecideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == "approve":
                spend = spend_approve(spend=spend, by=request.user, note=data["note"], override=data["override"],
                                      override_reason=data["override_reason"])
            else:
                spend = spend_refuse(spend=spend, by=request.user, note=data["note"])
        except SpendActionRefused as refused:
            form.add_error(None, str(refused))
        else:
            summary = f"{spend.reference} {spend.get_status_display().lower()}: {pounds(spend.amount)}"
            if spend.over_budget_override:
                summary += f"; over-budget override: {spend.override_reason}"
            _audit(request, AuditEvent.Action.CHANGE, spend, summary)
            messages.success(request, f"{spend.reference} {spend.get_status_display().lower()}")
            return redirect("hardship:queue")
    elif request.method == "GET":
        _audit(request, AuditEvent.Action.VIEW, spend, f"{spend.reference} viewed")
    return render(request, "hardship/decide.html", {
        "spend": spend, "form": form, "position": budget_position(spend.case.service, spend.year),
        "own_request": spend.requested_by_id == request.user.pk,
    })


@login_required
@require_POST
def mark_paid(request, spend_id: int):
    _require_role(request, PAY_ROLES)
    spend = _get_spend_for_user(request, spend_id)
    try:
        spend = spend_mark_paid(spend=spend, by=request.user)
    except SpendActionRefused as refused:
        messages.error(request, str(refused))
    else:
        _audit(request, AuditEvent.Action.CHANGE, spend, f"{spend.reference} paid: {pounds(spend.amount)}")
        messages.success(request, f"{spend.reference} recorded as paid")
    if request.POST.get("next") == "case":
        return redirect("hardship:case", case_id=spend.case_id)
    return redirect("hardship:ledger")


@login_required
def ledger(request):
    """The year's requests against the budget; ?year=2025 shows 2025/26."""
    _require_role(request)
    this_year = financial_year(timezone.localdate())
    try:
        year = int(request.GET.get("year", this_year))
    except ValueError:
        year = this_year
    if not 2000 <= year <= this_year + 1:
        year = this_year
    service = request.user.organisation
    book = year_ledger(service, year)
    audit_record(request, AuditEvent.Action.LIST, object_type="hardship_spend",
                 summary=f"Hardship ledger {financial_year_label(year)}: {len(book.rows)} shown")
    return render(request, "hardship/ledger.html", {
        "ledger": book, "position": budget_position(service, year), "year": year,
        "year_label": financial_year_label(year), "previous": year - 1,
        "next": year + 1 if year < this_year + 1 else None,
        "can_pay": request.user.role in PAY_ROLES,
    })


app_name = "hardship"
urlpatterns = [
    path("", ledger, name="ledger"),
    path("queue/", queue, name="queue"),
    path("case/<int:case_id>/", case_spend, name="case"),
    path("<int:spend_id>/decide/", decide, name="decide"),
    path("<int:spend_id>/paid/", mark_paid, name="paid"),
]
