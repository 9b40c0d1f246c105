"""Stock and voids pages: the open voids, one property and its void history, and loading the HMS export.

Only lettings-side users of the service organisation see these; anyone else gets "not found". The pages hold
no personal data (no applicant or tenant appears), so viewing them is not audited; loading a file is.
"""

from datetime import date, timedelta

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils import timezone

from h2h.accounts.roles import LETTINGS_ROLES
from h2h.area import valuesets
from h2h.area.config import get_area
from h2h.audit.models import AuditEvent
from h2h.audit.services import audit_record
from h2h.lettings.access import require_service_lettings
from h2h.lettings.imports import (
    COLUMNS,
    STOCK_IMPORT_ROLES,
    StockImportRefused,
    max_import_bytes,
    size_label,
    stock_import,
)
from h2h.lettings.models import Property, Void

OPEN_STATUSES = [(value, label) for value, label in Void.Status.choices if value != Void.Status.LET]
VOIDS_PER_PAGE = 50
# Tags carry their text; the colour only repeats it.
STATUS_TAG = {
    Void.Status.NOT_READY: "govuk-tag--grey",
    Void.Status.READY: "govuk-tag--green",
    Void.Status.ADVERTISED: "govuk-tag--blue",
    Void.Status.HELD: "govuk-tag--purple",
    Void.Status.OFFERED: "govuk-tag--yellow",
    Void.Status.LET: "govuk-tag--grey",
}
# A file of 100,000 bad rows would make a page nobody can use; the command prints them all.
ERRORS_SHOWN = 1000


def _require_lettings(request, roles=LETTINGS_ROLES) -> None:
    require_service_lettings(request, roles)


def void_days(void: Void, today: date) -> int:
    """Days the home stood empty: to the let date, or to today while it is still empty."""
    return ((void.let_on or today) - void.empty_on).days


def void_is_long_term(void: Void, today: date) -> bool:
    return void_days(void, today) > get_area().lettings.long_term_void_days


def _void_row(void: Void, today: date) -> dict:
    return {"void": void, "days": void_days(void, today), "long_term": void_is_long_term(void, today),
            "tag": STATUS_TAG[void.status]}


class VoidFilterForm(forms.Form):
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "Any status"), *OPEN_STATUSES])
    type = forms.ChoiceField(label="Property type", required=False,
                             choices=[("", "Any type"), *valuesets.PropertyType.choices])
    long_term = forms.BooleanField(label="Long-term voids only", required=False)


@login_required
def voids(request):
    """Every open void, the longest empty first."""
    _require_lettings(request)
    area = get_area()
    today = timezone.localdate()
    threshold = area.lettings.long_term_void_days
    queryset = Void.objects.filter(let_on__isnull=True).select_related("property", "property__landlord")
    long_term_cutoff = today - timedelta(days=threshold)  # void days > threshold ⇔ empty before this day
    totals = {"open": queryset.count(), "long_term": queryset.filter(empty_on__lt=long_term_cutoff).count()}
    form = VoidFilterForm(request.GET or None)
    filtered = form.is_valid() and any(form.cleaned_data.values())
    if filtered:
        if form.cleaned_data["status"]:
            queryset = queryset.filter(status=form.cleaned_data["status"])
        if form.cleaned_data["type"]:
            queryset = queryset.filter(property__property_type=form.cleaned_data["type"])
        if form.cleaned_data["long_term"]:
            queryset = queryset.filter(empty_on__lt=long_term_cutoff)
    page = Paginator(queryset.order_by("empty_on", "id"), VOIDS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "lettings/stock/voids.html", {
        "form": form,
        "page": page,
        "rows": [_void_row(void, today) for void in page],
        "totals": totals,
        "filtered": filtered,
        "threshold": threshold,
        "query": query.urlencode(),
        "can_import": request.user.role in STOCK_IMPORT_ROLES,
    })


@login_required
def property_detail(request, pk: int):
    _require_lettings(request)
    home = get_object_or_404(Property.objects.select_related("landlord"), pk=pk)
    today = timezone.localdate()
    threshold = get_area().lettings.long_term_void_days
    history = [_void_row(void, today) for void in home.voids.order_by("-empty_on", "-id")]
    return render(request, "lettings/stock/property.html", {
        "home": home, "history": history, "threshold": threshold,
    })


class StockFileForm(forms.Form):
    file = forms.FileField(label="Upload a file", help_text="")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = (f"A CSV file exported from the housing management system, "
                                         f"{size_label(max_import_bytes())} or smaller")
        self.fields["file"].error_messages["required"] = "Select a CSV file"
        self.fields["file"].error_messages["empty"] = "The selected file is empty"

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".csv"):
            raise forms.ValidationError("The selected file must be a CSV")
        if upload.size > max_import_bytes():
            limit = size_label(max_import_bytes())
            raise forms.ValidationError(f"The selected file must be smaller than {limit}")
        return upload


def _why_not(result) -> str:
    if result.rows_rejected:
        n = result.rows_rejected
        return f"{n} row{'s' if n != 1 else ''} {'has' if n == 1 else 'have'} errors"
    if not result.rows_checked:
        return "the file could not be read"
    return "another change was saved at the same time; load the file again"


@login_required
def stock_import_page(request):
    """Upload the HMS export; show every error, or what changed."""
    _require_lettings(request, STOCK_IMPORT_ROLES)
    result = None
    if request.method == "POST":
        form = StockFileForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = stock_import(file_bytes=upload.read(), filename=upload.name, by=request.user)
            except StockImportRefused as refused:  # pragma: no cover — the role check above comes first
                raise Http404 from refused
            if result.ok:
                audit_record(request, AuditEvent.Action.CHANGE, object_type="stock_import",
                             object_id=upload.name[:50], summary=result.summary())
                form = StockFileForm()
            else:
                form.add_error("file", f"The file was not imported: {_why_not(result)}. Nothing has been changed")
    else:
        form = StockFileForm()
    return render(request, "lettings/stock/import.html", {
        "form": form,
        "result": result,
        "errors_shown": result.errors[:ERRORS_SHOWN] if result else [],
        "errors_hidden": max(0, len(result.errors) - ERRORS_SHOWN) if result else 0,
        "columns": COLUMNS,
    })


urlpatterns = [
    path("voids/", voids, name="voids"),
    path("properties/<int:pk>/", property_detail, name="property-detail"),
    path("stock/import/", stock_import_page, name="stock-import"),
]
