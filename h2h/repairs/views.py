"""Pages for repair, adaptation and handyperson jobs: a case's jobs with the form to raise one, recording
completion or cancellation, and the service-wide list with the on-time rate per priority.

Only the HHCs, project manager and admin support of the service holding the case see these pages; anyone
else gets "not found", as for the case itself.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from h2h.audit.models import AuditEvent
from h2h.audit.services import audit_record
from h2h.cases.access import get_case_for_user
from h2h.repairs.forms import CancelForm, CompleteForm, RaiseForm
from h2h.repairs.models import Job
from h2h.repairs.selectors import JOB_ROLES, job_queryset_for_user, on_time_by_priority, overdue_jobs
from h2h.repairs.services import JobActionRefused, job_cancel, job_complete, job_raise

FILTERS = {"open": "Open", "overdue": "Overdue", "completed": "Completed", "all": "All"}


def _require_job_role(request) -> None:
    if not request.user.in_service or request.user.role not in JOB_ROLES:
        raise Http404


def _get_job_for_user(request, job_id: int) -> Job:
    _require_job_role(request)
    try:
        jobs = job_queryset_for_user(request.user).select_related("case", "case__person", "contractor")
        return jobs.get(pk=job_id)
    except Job.DoesNotExist:
        raise Http404("No such job") from None


def _audit_change(request, job: Job, summary: str) -> None:
    audit_record(request, AuditEvent.Action.CHANGE, object_type="repair_job", object_id=job.pk,
                 person_id=job.case.person_id, summary=summary)


@login_required
@require_http_methods(["GET", "POST"])
def case_jobs(request, case_id: int):
    _require_job_role(request)
    case = get_case_for_user(request, case_id, audit_view=request.method == "GET")
    form = RaiseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = job_raise(case=case, by=request.user, **form.cleaned_data)
        except JobActionRefused as refused:
            form.add_error(None, str(refused))
        else:
            audit_record(request, AuditEvent.Action.CREATE, object_type="repair_job", object_id=job.pk,
                         person_id=case.person_id, summary=f"{job.get_kind_display()} {job.reference} raised")
            due = timezone.localtime(job.due_at)
            messages.success(request, f"{job.reference} raised, due {due:%-d %B %Y %H:%M}")
            return redirect("repairs:case", case_id=case.pk)
    jobs = list(case.jobs.select_related("contractor", "raised_by", "completed_by"))
    return render(request, "repairs/case_jobs.html",
                  {"case": case, "jobs": jobs, "form": form, "now": timezone.now()})


@login_required
@require_http_methods(["GET", "POST"])
def job_complete_view(request, job_id: int):
    job = _get_job_for_user(request, job_id)
    form = CompleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = job_complete(job=job, by=request.user, completed_at=form.completed_at,
                               note=form.cleaned_data["note"])
        except JobActionRefused as refused:
            form.add_error(None, str(refused))
        else:
            _audit_change(request, job, f"{job.reference} completion recorded")
            messages.success(request, f"{job.reference}: {job.status_label.lower()}")
            return redirect("repairs:case", case_id=job.case_id)
    elif request.method == "GET":
        audit_record(request, AuditEvent.Action.VIEW, object_type="repair_job", object_id=job.pk,
                     person_id=job.case.person_id, summary=f"{job.reference} viewed")
    return render(request, "repairs/job_action.html",
                  {"job": job, "form": form, "title": "Record the job as done", "button": "Save"})


@login_required
@require_http_methods(["GET", "POST"])
def job_cancel_view(request, job_id: int):
    job = _get_job_for_user(request, job_id)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = job_cancel(job=job, by=request.user, reason=form.cleaned_data["reason"])
        except JobActionRefused as refused:
            form.add_error(None, str(refused))
        else:
            _audit_change(request, job, f"{job.reference} cancelled")
            messages.success(request, f"{job.reference} cancelled")
            return redirect("repairs:case", case_id=job.case_id)
    return render(request, "repairs/job_action.html",
                  {"job": job, "form": form, "title": "Cancel the job", "button": "Cancel the job",
                   "warning": True})


@login_required
def job_list(request):
    """Every job of the service, filtered; the on-time rate per priority is over all its completed jobs."""
    _require_job_role(request)
    show = request.GET.get("show", "open")
    if show not in FILTERS:
        show = "open"
    now = timezone.now()
    jobs = job_queryset_for_user(request.user)
    shown = {
        "open": jobs.filter(completed_at__isnull=True, cancelled=False),
        "overdue": overdue_jobs(jobs, now),
        "completed": jobs.filter(completed_at__isnull=False).order_by("-completed_at", "-id"),
        "all": jobs,
    }[show].select_related("case", "case__person", "contractor")
    rows = list(shown)
    audit_record(request, AuditEvent.Action.LIST, object_type="repair_job",
                 summary=f"Service jobs ({show}): {len(rows)} shown")
    return render(request, "repairs/list.html", {
        "rows": rows, "show": show, "caption": f"{FILTERS[show]} jobs", "filters": FILTERS, "now": now,
        "rates": on_time_by_priority(jobs.filter(completed_at__isnull=False)),
        "overdue_count": overdue_jobs(jobs, now).count(),
    })


app_name = "repairs"
urlpatterns = [
    path("", job_list, name="list"),
    path("case/<int:case_id>/", case_jobs, name="case"),
    path("<int:job_id>/complete/", job_complete_view, name="complete"),
    path("<int:job_id>/cancel/", job_cancel_view, name="cancel"),
]
