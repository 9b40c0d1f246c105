"""Pages for hospital activity before and after the move (definitions: h2h/hospital/measures.py).

- "Hospital activity before and after": the cohort summary, for the evaluator, the project manager and the
  commissioner. Aggregate only; counts shown to roles outside the service are suppressed (h2h.lib.disclosure),
  and so are the rates worked out from a suppressed number of people.
- The per-case list and its CSV download, for the evaluator and the project manager: cases are named by their
  reference only (no name, NHS number or date of birth). Each list page and download is audited.

The project manager sees the service's own cases; the evaluator and the commissioner all cases.
"""

import csv

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from h2h.accounts.roles import SERVICE_ROLES, Role
from h2h.area.config import get_area
from h2h.audit.models import AuditEvent
from h2h.audit.services import audit_record
from h2h.cases.models import Case
from h2h.hospital import measures as m
from h2h.hospital.selectors_outcomes import before_after, linked_cases, outcome_inputs, page_inputs
from h2h.lib.disclosure import SUPPRESSED, suppress
from h2h.lib.spreadsheet import spreadsheet_safe

SUMMARY_ROLES = frozenset({Role.EVALUATOR, Role.PROJECT_MANAGER, Role.COMMISSIONER})
CASE_LIST_ROLES = frozenset({Role.EVALUATOR, Role.PROJECT_MANAGER})
CASES_PER_PAGE = 50
NOT_AVAILABLE = "–"


def _cases_for(user):
    if user.role not in SUMMARY_ROLES:
        raise Http404
    if user.role == Role.PROJECT_MANAGER:
        return Case.objects.filter(service_id=user.organisation_id)
    return Case.objects.all()


def _chosen_cohort(request, area) -> str:
    code = request.GET.get("cohort", "")
    return code if area.cohort(code) else ""


# ------------------------------------------------------------------------------------------ formatting


def _number(value, places=1) -> str:
    return NOT_AVAILABLE if value is None else f"{value:,.{places}f}"


def _percent(value) -> str:
    return NOT_AVAILABLE if value is None else f"{100 * value:.1f}%"


def _change(before, after, *, percent=False) -> str:
    if before is None or after is None:
        return NOT_AVAILABLE
    difference = (after - before) * (100 if percent else 1)
    sign = "+" if difference > 0 else "−" if difference < 0 else ""
    return f"{sign}{abs(difference):.1f}{' points' if percent else ''}"


def _summary_rows(summary: m.CohortSummary, exact: bool) -> list[dict]:
    """The table's rows: label, before, after, change. A rate over a suppressed number of people is hidden."""
    before, after = summary.before, summary.after
    count = (lambda n: f"{n:,}") if exact else suppress
    hide_admissions = not exact and suppress(before.people) == SUPPRESSED
    hide_attendances = not exact and suppress(before.attendance_people) == SUPPRESSED

    def rate(label, attribute, *, percent=False, hidden=hide_admissions):
        b, a = getattr(before, attribute), getattr(after, attribute)
        if hidden:
            return {"label": label, "before": SUPPRESSED, "after": SUPPRESSED, "change": SUPPRESSED}
        shown = _percent if percent else _number
        return {"label": label, "before": shown(b), "after": shown(a),
                "change": _change(b, a, percent=percent)}

    return [
        {"label": "People with admissions data in both windows", "before": count(before.people),
         "after": count(after.people), "change": ""},
        rate("Admissions per person per year", "admissions_per_person_year"),
        rate("Emergency admissions per person per year", "emergency_admissions_per_person_year"),
        rate("Bed days per person per year", "bed_days_per_person_year"),
        rate("Length of stay per admission (days)", "length_of_stay"),
        rate("Share of bed days that were excess bed days", "excess_share", percent=True),
        {"label": "People with A&E data in both windows", "before": count(before.attendance_people),
         "after": count(after.attendance_people), "change": ""},
        rate("A&E attendances per person per year", "attendances_per_person_year", hidden=hide_attendances),
    ]


@login_required
def summary_view(request):
    user = request.user
    cases = _cases_for(user)
    area = get_area()
    cohort = _chosen_cohort(request, area)
    if cohort:
        cases = cases.filter(cohort=cohort)
    inputs = outcome_inputs(cases)
    measures = before_after(inputs, window_months=area.outcomes.window_months)
    summary = m.cohort_summary(measures)
    exact = user.role in SERVICE_ROLES
    count = (lambda n: f"{n:,}") if exact else suppress
    waiting = sum(1 for x in measures if x.case.person_id in inputs.waiting_for_review)
    return render(request, "outcomes/before_after.html", {
        "exact": exact,
        "window_months": area.outcomes.window_months,
        "cohorts": area.cohort_choices,
        "cohort": cohort,
        "cohort_name": area.cohort(cohort).name if cohort else "",
        "rows": _summary_rows(summary, exact),
        "counts": [
            ("Measured: both windows have data", count(summary.measured)),
            ("Not yet due: moved in less than the window ago", count(summary.not_yet_due)),
            ("Not rehoused (no tenancy start)", count(summary.no_tenancy)),
            ("No data: no hospital file covers a window", count(summary.no_data)),
            ("Left out: no consent to link hospital activity", count(inputs.no_consent)),
            ("Left out: no NHS number recorded", count(inputs.no_nhs_number)),
        ],
        "waiting": count(waiting),
        "can_list": user.role in CASE_LIST_ROLES,
    })


# ------------------------------------------------------------------------------------------ per case

WINDOW_COLUMNS = (
    "status", "first_day", "last_day", "observed_days", "admissions", "emergency_admissions", "bed_days",
    "excess_bed_days", "length_of_stay", "excess_share", "admissions_per_year",
    "emergency_admissions_per_year", "bed_days_per_year", "attendance_observed_days", "attendances",
    "attendances_per_year",
)
CSV_HEADER = ("case_reference", "cohort", "referred_on", "tenancy_start", "summary_status",
              *(f"{window}_{column}" for window in ("before", "after") for column in WINDOW_COLUMNS),
              "linkage_decision_waiting")
STATUS_CHOICES = ((m.MEASURED, "Measured"), (m.NOT_YET_DUE, "Not yet due"), (m.NO_TENANCY, "Not rehoused"),
                  (m.NO_DATA, "No data"))


def _reference(case_id: int) -> str:
    return Case(pk=case_id).reference


def _case_list(request):
    """The cases of the list (cohort and status filters applied) and whether every case had to be measured."""
    user = request.user
    if user.role not in CASE_LIST_ROLES:
        raise Http404
    area = get_area()
    cases = _cases_for(user)
    cohort = _chosen_cohort(request, area)
    if cohort:
        cases = cases.filter(cohort=cohort)
    status = request.GET.get("status", "")
    status = status if status in dict(STATUS_CHOICES) else ""
    return area, cases, cohort, status


@login_required
def case_list_view(request):
    area, cases, cohort, status = _case_list(request)
    window = area.outcomes.window_months
    if status:  # the status is only known once measured: measure every case, then page
        inputs = outcome_inputs(cases)
        measured = [x for x in before_after(inputs, window_months=window) if x.summary_status == status]
        page = Paginator(measured, CASES_PER_PAGE).get_page(request.GET.get("page"))
        rows = list(page)
    else:  # measure only the page's cases
        linked, _, _ = linked_cases(cases)
        page = Paginator(linked, CASES_PER_PAGE).get_page(request.GET.get("page"))
        inputs = page_inputs(list(page))
        rows = before_after(inputs, window_months=window)
    audit_record(request, AuditEvent.Action.LIST, object_type="outcomes",
                 summary=f"Hospital activity before and after, per case: page {page.number} of "
                         f"{page.paginator.num_pages} ({page.paginator.count} cases)")
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "outcomes/cases.html", {
        "page": page,
        "rows": [_row(x, inputs.waiting_for_review, dict(area.cohort_choices)) for x in rows],
        "query": query.urlencode(),
        "cohorts": area.cohort_choices,
        "cohort": cohort,
        "statuses": STATUS_CHOICES,
        "status": status,
        "window_months": window,
    })


def _row(x: m.CaseMeasures, waiting: set[int], cohort_names: dict[str, str]) -> dict:
    labels = dict(STATUS_CHOICES)

    def window(w: m.WindowMeasures) -> dict:
        measured = w.status == m.MEASURED
        return {
            "status": labels[w.status],
            "measured": measured,
            "days": w.observed_days if measured else NOT_AVAILABLE,
            "admissions": NOT_AVAILABLE if w.admissions is None else w.admissions,
            "per_year": _number(w.admissions_per_year),
            "bed_days": NOT_AVAILABLE if w.bed_days is None else w.bed_days,
            "attendances": NOT_AVAILABLE if w.attendances is None else w.attendances,
        }

    return {"reference": _reference(x.case.case_id), "cohort": cohort_names.get(x.case.cohort, x.case.cohort),
            "referred_on": x.case.referred_on, "tenancy_start": x.case.tenancy_start,
            "status": x.summary_status, "status_label": labels[x.summary_status],
            "windows": (window(x.before), window(x.after)), "waiting": x.case.person_id in waiting}


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, float):
        return round(value, 6)
    return spreadsheet_safe(value if isinstance(value, int | float) else str(value))


def csv_rows(measures: list[m.CaseMeasures], waiting: set[int]):
    yield CSV_HEADER
    for x in measures:
        row = [_reference(x.case.case_id), x.case.cohort, x.case.referred_on, x.case.tenancy_start,
               x.summary_status]
        for w in (x.before, x.after):
            row += [getattr(w, column) for column in WINDOW_COLUMNS]
        row.append("yes" if x.case.person_id in waiting else "no")
        yield [_csv_value(v) for v in row]


@login_required
def case_csv_view(request):
    area, cases, cohort, status = _case_list(request)
    inputs = outcome_inputs(cases)
    measured = before_after(inputs, window_months=area.outcomes.window_months)
    if status:
        measured = [x for x in measured if x.summary_status == status]
    audit_record(request, AuditEvent.Action.EXPORT, object_type="outcomes",
                 summary=f"Hospital activity before and after, per case: CSV of {len(measured)} cases"
                         f"{f', cohort {cohort}' if cohort else ''}{f', {status}' if status else ''}")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="hospital-activity-before-after-{timezone.localdate().isoformat()}.csv"')
    response["Cache-Control"] = "no-store"
    csv.writer(response).writerows(csv_rows(measured, inputs.waiting_for_review))
    return response


app_name = "outcomes"
urlpatterns = [
    path("", summary_view, name="before-after"),
    path("cases/", case_list_view, name="cases"),
    path("cases.csv", case_csv_view, name="cases-csv"),
]
