"""Hospital activity pages: the extracts uploaded, uploading one, its report (counts, or every bad row), and
the linkage reviews.

Evaluators upload and review; the project manager may read the list and the reports; anyone else gets "not
found" (h2h/hospital/access.py). A report holds counts and error messages, not a person's record, so reading
one is not audited; its download, the review pages (which show NHS numbers and dates of birth), uploads and
decisions are.
"""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from h2h.audit.models import AuditEvent
from h2h.audit.services import audit_record
from h2h.hospital.access import may_upload, require_evaluator, require_reader
from h2h.hospital.forms import DecisionForm, UploadForm
from h2h.hospital.imports import import_extract
from h2h.hospital.models import Extract, LinkReview
from h2h.hospital.selectors import candidates_for, extract_list, open_reviews
from h2h.hospital.services import ReviewRefused, review_decide, review_rows
from h2h.lib.spreadsheet import spreadsheet_safe

EXTRACTS_PER_PAGE = 50
ERRORS_PER_PAGE = 500
# Read as a formula by Excel, LibreOffice and Google Sheets when a cell starts with one of these (OWASP "CSV
# injection"); tab and carriage return too, as some programs strip them first.


def where_label(extract: Extract) -> str:
    """What the error report's first column counts."""
    return {Extract.Format.XLSX: "Row", Extract.Format.FHIR: "Entry"}.get(extract.file_format, "Line")


@login_required
def extract_list_page(request):
    require_reader(request)
    page = Paginator(extract_list(), EXTRACTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "hospital/extract_list.html", {
        "page": page, "can_upload": may_upload(request.user),
        "open_reviews": open_reviews().count() if may_upload(request.user) else 0,
    })


@login_required
@require_http_methods(["GET", "POST"])
def upload_page(request):
    require_evaluator(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data["file"]
        try:
            extract = import_extract(upload, kind=data["kind"], file_format=data["file_format"],
                                     file_name=upload.name, provider=data["provider"],
                                     uploaded_by=request.user, period_start=data["period_start"],
                                     period_end=data["period_end"], replaces=data["replaces"],
                                     request=request)
        except ValueError as refused:  # e.g. the file it corrects was superseded meanwhile
            form.add_error("replaces", str(refused))
            return render(request, "hospital/upload.html", {"form": form})
        if extract.unchanged:
            messages.info(request, f"{upload.name} is the same file as one already applied: nothing has "
                                   "changed")
        elif extract.status == Extract.Status.APPLIED:
            messages.success(request, f"{upload.name} imported")
        return redirect("hospital:extract", extract_id=extract.pk)
    return render(request, "hospital/upload.html", {"form": form})


@login_required
def extract_page(request, extract_id: int):
    require_reader(request)
    extract = get_object_or_404(Extract.objects.select_related("uploaded_by", "replaces"), pk=extract_id)
    errors = Paginator(extract.errors, ERRORS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "hospital/extract.html", {
        "extract": extract, "errors": errors, "where": where_label(extract),
        "not_stored": extract.error_count - len(extract.errors),
        "replaced_by": Extract.objects.filter(replaces=extract).first(),
        "open_reviews": extract.reviews.filter(status=LinkReview.Status.OPEN).count(),
        "can_upload": may_upload(request.user),
    })


@login_required
def extract_errors_csv(request, extract_id: int):
    require_reader(request)
    extract = get_object_or_404(Extract, pk=extract_id)
    if not extract.errors:
        raise Http404
    audit_record(request, AuditEvent.Action.EXPORT, object_type="hospital_extract", object_id=extract.pk,
                 summary=f"Error report of {extract.file_name[:80]}: {len(extract.errors)} errors")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="extract-{extract.pk}-errors.csv"'
    response.write("\ufeff")  # so Excel reads the file as UTF-8
    writer = csv.writer(response)
    writer.writerow([where_label(extract).lower(), "column", "reason"])
    for error in extract.errors:
        writer.writerow([error["line"] or "whole file", spreadsheet_safe(error["column"]),
                         spreadsheet_safe(error["reason"])])
    return response


@login_required
def review_list_page(request):
    require_evaluator(request)
    reviews = list(open_reviews())
    candidates = candidates_for(reviews)
    audit_record(request, AuditEvent.Action.LIST, object_type="hospital_link_review",
                 summary=f"Linkage reviews: {len(reviews)} open shown")
    return render(request, "hospital/review_list.html", {
        "rows": [(review, candidates[review.pk]) for review in reviews],
    })


@login_required
@require_http_methods(["GET", "POST"])
def review_page(request, review_id: int):
    require_evaluator(request)
    review = get_object_or_404(LinkReview.objects.select_related("extract", "decided_by", "person")
                               .prefetch_related("candidates"), pk=review_id)
    candidates = candidates_for([review])[review.pk]
    form = DecisionForm(request.POST or None, candidates=candidates)
    if request.method == "POST" and review.status == LinkReview.Status.OPEN and form.is_valid():
        try:
            review_decide(review_id=review.pk, person_id=form.person_id(), note=form.cleaned_data["note"],
                          by=request.user, request=request)
        except ReviewRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, "Decision saved")
            return redirect(reverse("hospital:reviews"))
    if request.method == "GET":
        for candidate in candidates:
            audit_record(request, AuditEvent.Action.VIEW, object_type="hospital_link_review",
                         object_id=review.pk, person_id=candidate.person_id,
                         summary=f"Linkage review {review.pk}: case reference and date of birth shown as a "
                                 "candidate")
    return render(request, "hospital/review.html", {
        "review": review, "candidates": candidates, "form": form,
        "noun": "admission" if review.extract.kind == Extract.Kind.ADMISSIONS else "A&E attendance",
        "rows": review_rows(review).count() if review.status == LinkReview.Status.OPEN else review.rows,
    })
