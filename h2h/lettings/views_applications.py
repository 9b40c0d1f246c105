"""Pages of the fast-track application: the HHC's form and "check your answers", the housing manager's
sign-off queue and decision, the panel's review, and medical evidence files (served only through a view that
checks access). Rules live in h2h/lettings/applications.py; views validate a form, call one function and
redirect."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from h2h.accounts.roles import Role
from h2h.area import valuesets
from h2h.area.config import get_area
from h2h.audit.models import AuditEvent
from h2h.audit.services import audit_record
from h2h.cases.access import get_case_for_user
from h2h.cases.services import CaseActionRefused
from h2h.cases.stages import Stage
from h2h.lettings import applications as apps
from h2h.lettings.forms_applications import (
    ACCESS_NEEDS,
    ApplicationForm,
    DecisionForm,
    EvidenceForm,
    PanelReviewForm,
    feature_label,
)
from h2h.lettings.models import Application

QUEUE_ROLES = frozenset({Role.HOUSING_MANAGER, Role.PROJECT_MANAGER})
# Multipart framing around one file is far below this; a bigger body than limit + this is refused unread.
UPLOAD_OVERHEAD_BYTES = 64 * 1024


def _require_role(request, roles) -> None:
    if request.user.role not in roles:
        raise Http404


def _audit_change(request, application: Application, summary: str, action=AuditEvent.Action.CHANGE) -> None:
    audit_record(request, action, object_type="application", object_id=application.pk,
                 person_id=application.case.person_id, summary=summary)


def _application_form(request, *, initial):
    return ApplicationForm(request.POST or None, initial=initial, areas=apps.stock_lettings_areas(),
                           features=apps.stock_features())


def answer_rows(application: Application) -> list[tuple[str, str]]:
    """The HHC's answers as a person reads them, for "check your answers" and the application page."""
    access = [label for name, label in ACCESS_NEEDS if getattr(application, name)]
    types = dict(valuesets.PropertyType.choices)
    people = application.household_size
    return [
        ("Household", f"{people} {'person' if people == 1 else 'people'}"),
        ("Bedrooms needed", str(application.bedrooms_needed)),
        ("Access needs", "\n".join(access) or "None"),
        ("Special features", "\n".join(feature_label(f) for f in application.needs_features) or "None"),
        ("Preferred lettings areas", "\n".join(application.preferred_areas) or "Any area"),
        ("Types of home", "\n".join(str(types.get(t, t)) for t in application.preferred_types) or "Any type"),
        ("Medical evidence", application.medical_evidence or ""),
    ]


def _months_between(earlier, later) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def _page_context(application: Application) -> dict:
    """What every page about one application shows: band and why, dates, answers, evidence."""
    area = get_area()
    band = area.band(application.band)
    decision = apps.band_for_case(application.case)
    return {
        "application": application,
        "case": application.case,
        "person": application.case.person,
        "band": band,
        # The reasons are today's reading of the rules; shown only while they still give the stored band.
        "band_why": decision.why if decision.band.code == application.band else "",
        # From the stored dates, so a later change to the area file does not misdescribe this application.
        "accelerator_months": _months_between(application.effective_date, application.application_date),
        "answers": answer_rows(application),
        "evidence_files": application.evidence_files.select_related("uploaded_by").order_by("uploaded_at"),
    }


@login_required
@require_http_methods(["GET", "POST"])
def application_new(request, case_id: int):
    case = get_case_for_user(request, case_id, audit_view=request.method == "GET")
    existing = Application.objects.filter(case=case).first()
    if existing is not None:
        return redirect("lettings:application-detail", application_id=existing.pk)
    _require_role(request, apps.EDITORS)
    if case.stage not in (Stage.SCREENED, Stage.FIRST_VISIT):
        messages.info(request, "A fast-track application is made once the referral is accepted and before "
                               f"sign-off; this case is at '{case.get_stage_display()}'.")
        return redirect("cases:detail", case_id=case.pk)
    form = _application_form(request, initial=ApplicationForm.initial_for_case(case))
    if request.method == "POST" and form.is_valid():
        try:
            application = apps.application_create(case=case, by=request.user, data=form.answers())
        except CaseActionRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            _audit_change(request, application, f"Application {application.reference} started",
                          AuditEvent.Action.CREATE)
            messages.success(request, "Application saved as a draft")
            return redirect("lettings:application-submit", application_id=application.pk)
    return render(request, "lettings/applications/form.html", {
        "form": form, "case": case, "person": case.person, "title": "Fast-track application",
        "back": reverse("cases:detail", args=[case.pk]),
    })


@login_required
@require_http_methods(["GET", "POST"])
def application_edit(request, application_id: int):
    application = apps.get_application_for_user(request, application_id, audit_view=request.method == "GET")
    _require_role(request, apps.EDITORS)
    if application.status not in apps.CHANGEABLE:
        messages.info(request, f"The application is {application.get_status_display().lower()}: "
                               "it can be changed only as a draft or once returned.")
        return redirect("lettings:application-detail", application_id=application.pk)
    form = _application_form(request, initial=ApplicationForm.initial_for_application(application))
    if request.method == "POST" and form.is_valid():
        try:
            apps.application_update(application=application, by=request.user, data=form.answers())
        except CaseActionRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            _audit_change(request, application, f"Application {application.reference} changed")
            return redirect("lettings:application-submit", application_id=application.pk)
    return render(request, "lettings/applications/form.html", {
        "form": form, "case": application.case, "person": application.case.person, "application": application,
        "title": "Change the application",
        "back": reverse("lettings:application-submit", args=[application.pk]),
    })


@login_required
@require_http_methods(["GET", "POST"])
def application_submit(request, application_id: int):
    """Check your answers, then send the application to the housing manager's sign-off queue."""
    application = apps.get_application_for_user(request, application_id, audit_view=request.method == "GET")
    _require_role(request, apps.EDITORS)
    if application.status not in apps.CHANGEABLE:
        return redirect("lettings:application-detail", application_id=application.pk)
    # An empty form, bound on POST, carries the service's refusal to the error summary.
    problems = forms.Form(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        problems.is_valid()
        try:
            apps.application_submit(application=application, by=request.user)
        except CaseActionRefused as refusal:
            problems.add_error(None, str(refusal))
        else:
            _audit_change(request, application, f"Application {application.reference} sent for sign-off")
            messages.success(request, "Application sent to the housing manager for sign-off")
            return redirect("lettings:application-detail", application_id=application.pk)
    context = {**_page_context(application), "problems": problems}
    return render(request, "lettings/applications/check.html", context)


@login_required
def application_detail(request, application_id: int):
    application = apps.get_application_for_user(request, application_id, audit_view=True)
    user = request.user
    status = application.status
    return render(request, "lettings/applications/detail.html", {
        **_page_context(application),
        "history": apps.application_history(application),
        "waited_words": apps.duration_words(apps.submission_to_live(application)),
        "can_change": user.role in apps.EDITORS and status in apps.CHANGEABLE,
        "can_decide": user.role in apps.SIGNERS and status == Application.Status.SUBMITTED,
        "can_review": user.role in apps.PANEL_RECORDERS and status in apps.APPROVED
        and application.panel_reviewed_on is None and application.decided_at is not None,
        "can_add_evidence": user.role in apps.EVIDENCE_ADDERS
        and status not in (Application.Status.HOUSED, Application.Status.CANCELLED),
    })


@login_required
def signoff_queue(request):
    """The housing manager's queue: what is waiting, the longest wait first, and what came in today."""
    _require_role(request, QUEUE_ROLES)
    service_id = request.user.organisation_id
    rows = apps.signoff_queue(service_id)
    audit_record(request, AuditEvent.Action.LIST, object_type="application",
                 summary=f"Sign-off queue: {len(rows)} applications shown")
    return render(request, "lettings/applications/queue.html", {
        "rows": [{"row": r, "waited": apps.duration_words(r.waited)} for r in rows],
        "today_count": sum(r.came_in_today for r in rows),
        "median": apps.duration_words(apps.median_submission_to_live(service_id)),
        "can_decide": request.user.role in apps.SIGNERS,
    })


@login_required
@require_http_methods(["GET", "POST"])
def application_decide(request, application_id: int):
    application = apps.get_application_for_user(request, application_id, audit_view=request.method == "GET")
    _require_role(request, apps.SIGNERS)
    if request.method == "GET" and application.status != Application.Status.SUBMITTED:
        messages.info(request, f"The application is {application.get_status_display().lower()}, "
                               "not waiting for sign-off.")
        return redirect("lettings:application-detail", application_id=application.pk)
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            if approve:
                apps.application_approve(application=application, by=request.user)
            else:
                apps.application_return(application=application, by=request.user,
                                        reason=form.cleaned_data["reason"])
        except CaseActionRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            outcome = "approved" if approve else "returned"
            _audit_change(request, application, f"Application {application.reference} {outcome}")
            person = application.case.person.full_name
            messages.success(request, f"{person}'s application is live" if approve
                             else f"{person}'s application was returned to the coordinator")
            return redirect("lettings:signoff-queue")
    return render(request, "lettings/applications/decide.html", {**_page_context(application), "form": form})


@login_required
def panel(request):
    """Applications signed off since the last panel: the panel reviews each one after the fact."""
    _require_role(request, apps.PANEL_RECORDERS)
    queue = list(apps.panel_queue(request.user.organisation_id))
    audit_record(request, AuditEvent.Action.LIST, object_type="application",
                 summary=f"Panel review list: {len(queue)} applications shown")
    return render(request, "lettings/applications/panel.html", {"queue": queue})


@login_required
@require_http_methods(["GET", "POST"])
def panel_review(request, application_id: int):
    application = apps.get_application_for_user(request, application_id, audit_view=request.method == "GET")
    _require_role(request, apps.PANEL_RECORDERS)
    form = PanelReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            apps.panel_review_record(application=application, by=request.user,
                                     on=form.cleaned_data["reviewed_on"], note=form.cleaned_data["note"])
        except CaseActionRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            _audit_change(request, application, f"Panel review of {application.reference} recorded")
            messages.success(request, f"Panel review recorded for {application.case.person.full_name}")
            return redirect("lettings:panel")
    context = {**_page_context(application), "form": form}
    return render(request, "lettings/applications/panel_review.html", context)


def _content_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


@csrf_exempt
@login_required
@require_http_methods(["GET", "POST"])
def evidence_upload(request, application_id: int):
    """CSRF is checked below, after the size guard: Django's CSRF check reads (and spools to disk) the whole
    body, which an oversized upload should not get the chance to do."""
    application = apps.get_application_for_user(request, application_id, audit_view=request.method == "GET")
    _require_role(request, apps.EVIDENCE_ADDERS)
    limit = apps.evidence_max_bytes()
    if request.method == "POST" and _content_length(request) > limit + UPLOAD_OVERHEAD_BYTES:
        form = EvidenceForm(data={}, files={}, max_bytes=limit)
        form.errors.clear()
        form.add_error("file", f"The selected file must be smaller than {limit // (1024 * 1024)} MB")
        context = {**_page_context(application), "form": form}
        return render(request, "lettings/applications/evidence.html", context, status=413)
    return _evidence_upload_checked(request, application)


@csrf_protect
def _evidence_upload_checked(request, application: Application):
    form = EvidenceForm(request.POST or None, request.FILES or None, max_bytes=apps.evidence_max_bytes())
    if request.method == "POST" and form.is_valid():
        try:
            evidence = apps.evidence_add(application=application, by=request.user,
                                         uploaded_file=form.cleaned_data["file"])
        except CaseActionRefused as refusal:
            form.add_error("file", str(refusal))
        else:
            _audit_change(request, application,
                          f"Evidence file {evidence.pk} added to {application.reference}")
            messages.success(request, f"{evidence.original_name} uploaded")
            return redirect("lettings:application-detail", application_id=application.pk)
    context = {**_page_context(application), "form": form}
    return render(request, "lettings/applications/evidence.html", context)


@login_required
def evidence_download(request, application_id: int, evidence_id: int):
    """The only way to a stored evidence file: it is never under a public URL."""
    application = apps.get_application_for_user(request, application_id)
    evidence = application.evidence_files.filter(pk=evidence_id).first()
    if evidence is None:
        raise Http404("No such file")
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing from storage") from None
    audit_record(request, AuditEvent.Action.EXPORT, object_type="evidence_file", object_id=evidence.pk,
                 person_id=application.case.person_id,
                 summary=f"Evidence file {evidence.pk} of {application.reference} downloaded")
    response = FileResponse(handle, as_attachment=True, filename=apps.evidence_download_name(evidence),
                            content_type=evidence.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    # Even if a browser rendered it, the file could run nothing and load nothing.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


urlpatterns = [
    path("applications/new/<int:case_id>/", application_new, name="application-new"),
    path("applications/sign-off/", signoff_queue, name="signoff-queue"),
    path("applications/panel/", panel, name="panel"),
    path("applications/<int:application_id>/", application_detail, name="application-detail"),
    path("applications/<int:application_id>/edit/", application_edit, name="application-edit"),
    path("applications/<int:application_id>/check/", application_submit, name="application-submit"),
    path("applications/<int:application_id>/decide/", application_decide, name="application-decide"),
    path("applications/<int:application_id>/panel/", panel_review, name="panel-review"),
    path("applications/<int:application_id>/evidence/", evidence_upload, name="evidence-upload"),
    path("applications/<int:application_id>/evidence/<int:evidence_id>/", evidence_download,
         name="evidence-download"),
]
