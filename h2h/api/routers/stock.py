"""Stock and voids from a housing management system: the same CSV file, and the same all-or-nothing import,
as the Load stock and voids page (docs/formats/stock-and-voids-csv.md)."""

from ninja import File, Router, UploadedFile

from h2h.accounts.roles import Role
from h2h.api.auth import TokenAuth
from h2h.api.problems import COMMON_RESPONSES, ApiProblem, Problem
from h2h.api.schemas import StockImportOut
from h2h.audit.models import AuditEvent
from h2h.audit.services import audit_record
from h2h.lettings.imports import StockImportRefused, max_import_bytes, size_label, stock_import

router = Router(tags=["Stock and voids"], auth=TokenAuth(Role.LETTINGS_OFFICER))


def row_error(error) -> dict:
    """A RowError as a problem's field error: `line 7: weekly_rent`, `line 7`, or `file`."""
    if error.line is None:
        field = "file"
    else:
        field = f"line {error.line}" + (f": {error.column}" if error.column else "")
    return {"field": field, "message": error.reason}


@router.post("/import", response={200: StockImportOut, 400: Problem, **COMMON_RESPONSES},
             summary="Load a stock-and-voids CSV file")
def stock_import_file(request, file: File[UploadedFile]):
    """Checked whole: one bad row and nothing is saved, with every bad row in the 422 problem. Loading the
    same file again changes nothing (every count is 'unchanged')."""
    limit = max_import_bytes()
    if file.size > limit:  # before reading it: the file is on disk, not yet in memory
        message = f"The file is {size_label(file.size)}; it must be {size_label(limit)} or smaller."
        raise ApiProblem(422, "File too large", "Nothing was imported.",
                         [{"field": "file", "message": message}])
    name = file.name or "upload.csv"
    try:
        result = stock_import(file_bytes=file.read(), filename=name, by=request.user)
    except StockImportRefused as refused:  # a lettings officer of another landlord
        raise ApiProblem(403, "Not allowed", str(refused)) from None
    if not result.ok:
        raise ApiProblem(422, "File not imported", result.summary(), [row_error(e) for e in result.errors])
    audit_record(request, AuditEvent.Action.CHANGE, object_type="stock_import", object_id=name[:50],
                 summary=result.summary())
    return StockImportOut(file=name, rows=result.rows, summary=result.summary(), **result.counts)
