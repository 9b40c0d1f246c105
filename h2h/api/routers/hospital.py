"""Hospital activity files from an information team: the upload page's form, checks and import, by API.

The form fields are checked by the upload page's own form (h2h/hospital/forms.py) and the file imported by the
same import_extract, audited the same way (docs/hospital-activity.md). A file with a bad row keeps nothing and
is answered 422 with every bad row; the same file twice changes nothing and is answered 200.
"""

from django.http import Http404
from ninja import File, Form, Router, Status, UploadedFile

from h2h.accounts.roles import Role
from h2h.api.auth import TokenAuth
from h2h.api.problems import COMMON_RESPONSES, ApiProblem, Problem
from h2h.api.schemas import ExtractOut, ExtractUploadIn, as_form_data
from h2h.hospital.forms import UploadForm
from h2h.hospital.imports import import_extract
from h2h.hospital.models import Extract
from h2h.hospital.views import where_label

router = Router(tags=["Hospital activity"], auth=TokenAuth(Role.EVALUATOR))


def extract_errors(extract: Extract) -> list[dict]:
    """Each stored bad row as a field error: `line 7: admission_date` (`row 7`, `entry 7` for XLSX, FHIR), or
    `file` for the file as a whole."""
    where = where_label(extract).lower()
    errors = []
    for error in extract.errors:
        field = f"{where} {error['line']}" + (f": {error['column']}" if error["column"] else "")
        errors.append({"field": field if error["line"] else "file", "message": error["reason"]})
    return errors


def _checked_form(payload: ExtractUploadIn, file: UploadedFile) -> UploadForm:
    """The upload page's form, filled in: it checks the choices, the dates, the file's name and size, and that
    the extract replaced is an applied one of the same kind."""
    values = payload.model_dump()
    values["replaces"] = values["replaces"] or ""
    form = UploadForm(as_form_data(values), {"file": file})
    if not form.is_valid():
        errors = [{"field": name if name != "__all__" else "file", "message": message}
                  for name, messages in form.errors.items() for message in messages]
        raise ApiProblem(422, "Invalid upload", "Nothing was imported.", errors)
    return form


@router.post("", response={201: ExtractOut, 200: ExtractOut, 400: Problem, **COMMON_RESPONSES},
             summary="Upload a hospital activity file")
def extract_upload(request, file: File[UploadedFile], payload: Form[ExtractUploadIn]):
    """201 with the counts once the file is applied; 200 with the earlier extract when the same file was
    already applied (nothing changed); 422 with every bad row when one row is wrong (nothing kept)."""
    data = _checked_form(payload, file).cleaned_data
    try:
        extract = import_extract(file, kind=data["kind"], file_format=data["file_format"],
                                 file_name=file.name, provider=data["provider"], uploaded_by=request.user,
                                 period_start=data["period_start"], period_end=data["period_end"],
                                 replaces=data["replaces"], request=request)
    except ValueError as refused:  # e.g. the extract it replaces was superseded meanwhile
        raise ApiProblem(422, "Invalid upload", "Nothing was imported.",
                         [{"field": "replaces", "message": str(refused)}]) from None
    if extract.status == Extract.Status.REJECTED:
        count = extract.error_count
        detail = (f"Extract {extract.pk}: {count} error{'s' if count != 1 else ''} in {extract.rows_read} "
                  "rows; nothing was kept.")
        if count > len(extract.errors):
            detail += f" The first {len(extract.errors)} are listed."
        raise ApiProblem(422, "File not imported", detail, extract_errors(extract))
    if extract.unchanged:
        return ExtractOut.model_validate(extract)
    return Status(201, ExtractOut.model_validate(extract))


@router.get("/{extract_id}", response={200: ExtractOut, 404: Problem, **COMMON_RESPONSES},
            summary="An uploaded file's report")
def extract_read(request, extract_id: int):
    """The counts of an extract (rejected ones included: error_count says how many rows were wrong)."""
    extract = Extract.objects.filter(pk=extract_id).first() if 0 < extract_id < 2**31 else None
    if extract is None:
        raise Http404
    return ExtractOut.model_validate(extract)
