"""I1 (ASVS 5.2.x, 16.5.3): a corpus of malformed files fed to every import H2H has.

The corpus is generated here from code (reviewable, nothing binary committed; tests/data/corpus/README.md):
wrong encodings (UTF-16 LE/BE, Latin-1 bytes invalid in UTF-8), a BOM, other delimiters, missing / repeated /
extra / renamed columns, an empty file, header only, NUL bytes, very long lines and fields, a file over the
size limit, formula strings, invalid dates, invalid NHS numbers, unbalanced quotes, CRLF / CR / mixed line
endings, too many and too few values, duplicate rows, random bytes, a zip, and for XLSX a zip of junk and a
CSV renamed .xlsx; for FHIR broken JSON and a bundle of the wrong shape.

Imports covered: stock and voids (service, Load stock page, POST /api/v1/stock/import), hospital activity CSV,
XLSX and FHIR (service, upload page, POST /api/v1/hospital-activity), cost book and wellbeing values (services
and the wellbeing values page). Must hold: no response >= 500; for row-level results accepted + rejected =
total, with every rejected row given a line number and a reason; a refused file changes nothing.
"""

import csv
import io
import json
import random
import zipfile
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from h2h.accounts.models import Organisation
from h2h.accounts.roles import Role
from h2h.api.services import client_create
from h2h.evaluation import costbook
from h2h.evaluation.models import CostItem, WellbeingValue, WellbeingValueSet
from h2h.evaluation.stakeholders import WELLBEING_BY_CODE
from h2h.hospital.imports import import_extract
from h2h.hospital.models import Admission, Extract
from h2h.lettings.imports import COLUMNS as STOCK_COLUMNS
from h2h.lettings.imports import stock_import
from tests.factories import make_org, make_user
from tests.test_hospital_import import ADA, ADA_DOB, ADMISSION_COLUMNS, BEN, BEN_DOB, admission, consenting
from tests.test_stock_import import D, row, snapshot

pytestmark = pytest.mark.django_db

SMALL_LIMIT = 64 * 1024  # the size limits are lowered so the over-limit file stays cheap to build
FORMULAS = ("=1+2", "+SUM(A1:A2)", "-2+3", "@SUM(A1)", '=HYPERLINK("http://evil.example","x")',
            "=cmd|' /C calc'!A0")
FIGURES = {}  # name of import -> files fed; printed at the end for the report


# --- the corpus ---------------------------------------------------------------------------------------------

def _join(rows, delimiter=",", newline="\r\n") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator=newline).writerows(rows)
    return buffer.getvalue()


def corpus(columns, good_rows, *, text_column, date_column=None, extra=()):
    """(name, bytes, expected data rows or None) for one CSV import. good_rows are lists of cells."""
    header = list(columns)
    good = [header, *good_rows]
    n = len(good_rows)
    utf8 = _join(good).encode()
    t = columns.index(text_column)

    def with_cell(index, value, rows=good_rows):
        changed = [list(r) for r in rows]
        changed[0][index] = value
        return [header, *changed]

    files = [
        ("good", utf8, n),
        ("utf8-bom", b"\xef\xbb\xbf" + utf8, n),
        ("utf16-le", _join(good).encode("utf-16"), None),
        ("utf16-be", b"\xfe\xff" + _join(good).encode("utf-16-be"), None),
        ("latin1", _join(with_cell(t, "Caf\xe9 Cr\xe8me")).encode("latin-1"), None),
        ("cp1252-smart-quotes", _join(with_cell(t, "\u201cquoted\u201d \u2013 dash")).encode("cp1252"), None),
        ("semicolons", _join(good, delimiter=";").encode(), None),
        ("tabs", _join(good, delimiter="\t").encode(), None),
        ("missing-column", _join([r[:-1] for r in good]).encode(), None),
        ("repeated-column", _join([r + [r[0]] for r in good]).encode(), None),
        ("extra-column", _join([header + ["surprise"]] + [r + ["x"] for r in good_rows]).encode(), None),
        ("renamed-column", _join([[header[0] + "_renamed", *header[1:]], *good_rows]).encode(), None),
        ("empty", b"", None),
        ("blank-lines-only", b"\r\n\r\n   \r\n", None),
        ("header-only", _join([header]).encode(), None),
        ("header-no-newline", ",".join(header).encode(), None),
        ("nul-in-cell", _join(with_cell(t, "a\x00b")).encode(), None),
        ("nul-in-header", _join([[header[0] + "\x00", *header[1:]], *good_rows]).encode(), None),
        ("nul-bytes-everywhere", utf8.replace(b",", b"\x00,"), None),
        ("field-10kB", _join(with_cell(t, "x" * 10_000)).encode(), None),
        ("line-100kB", _join(with_cell(t, "y" * 100_000)).encode(), None),
        ("unbalanced-quote", (_join([header]) + '"' + ",".join(good_rows[0]) + "\r\n"
                              + _join(good_rows[1:])).encode(), None),
        ("quote-in-middle", _join(with_cell(t, 'half "quoted')).encode(), n),
        ("lf-endings", _join(good, newline="\n").encode(), n),
        ("cr-endings", _join(good, newline="\r").encode(), None),
        ("mixed-endings", (_join(good[:2], newline="\r\n") + _join(good[2:], newline="\n")).encode(), n),
        ("line-break-in-value", _join(with_cell(t, "two\nlines")).encode(), None),
        ("too-many-values", _join([header, good_rows[0] + ["x", "y"], *good_rows[1:]]).encode(), n),
        ("too-few-values", _join([header, good_rows[0][:2], *good_rows[1:]]).encode(), n),
        ("duplicate-rows", _join([header, *good_rows, *good_rows]).encode(), 2 * n),
        ("blank-lines-between",
         _join([header, good_rows[0], [], [""] * len(header), *good_rows[1:]]).encode(), n),
        ("random-bytes", random.Random(8).randbytes(4096), None),  # noqa: S311 — fixed junk, not a secret
        ("zip-named-csv", _zip_bytes(), None),
        ("html-named-csv", b"<html><script>alert(1)</script></html>", None),
    ]
    for i, formula in enumerate(FORMULAS):
        files.append((f"formula-{i}", _join(with_cell(t, formula)).encode(), n))
    if date_column:
        d = columns.index(date_column)
        for bad in ("31/02/2026", "2026-02-31", "2026-13-01", "00/00/0000", "tomorrow", "9999-12-31",
                    "2026-02-3l"):
            files.append((f"date-{bad}", _join(with_cell(d, bad)).encode(), n))
    files += list(extra)
    return files


def _zip_bytes(members=(("junk.bin", b"\x00\x01junk" * 100),)) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


def over_limit(header_line: bytes, limit: int) -> bytes:
    filler = b"x" * 200 + b"\r\n"
    return header_line + filler * (limit // len(filler) + 2)


# --- stock and voids ----------------------------------------------------------------------------------------

def stock_rows():
    rows = [row("NCH-1"), row("NCH-2", empty_on=D[20]), row("SVH-1", landlord_code="SVH", empty_on=D[40],
                                                            ready_on=D[10])]
    return [[r[c] for c in STOCK_COLUMNS] for r in rows]


def stock_corpus():
    good = stock_rows()
    header = ",".join(STOCK_COLUMNS).encode() + b"\r\n"
    return corpus(STOCK_COLUMNS, good, text_column="address_line_1", date_column="empty_on", extra=[
        ("over-limit", over_limit(header, SMALL_LIMIT), None),
        ("duplicate-property-ref", _join([list(STOCK_COLUMNS), good[0], good[0]]).encode(), 2),
        ("postcode-formula", _join([list(STOCK_COLUMNS), [*good[0][:6], "=1+1", *good[0][7:]]]).encode(), 1),
    ])


@pytest.fixture
def landlords():
    make_org("NCH")
    make_org("SVH", name="Sherwood Vale Homes", kind=Organisation.Kind.PARTNER_LANDLORD)


def test_stock_import_service_accounts_for_every_row_of_the_corpus(landlords, settings):
    """I1 (ASVS 5.2.x, 16.5.3): stock and voids CSV through h2h.lettings.imports.stock_import."""
    settings.H2H_MAX_IMPORT_BYTES = SMALL_LIMIT
    officer = make_user(Role.LETTINGS_OFFICER)
    files = stock_corpus()
    applied = refused = 0
    for name, data, expected in files:
        before = snapshot()
        result = stock_import(file_bytes=data, filename=f"{name}.csv", by=officer)
        assert result.rows_accepted + result.rows_rejected == result.rows, name
        for error in result.errors:
            assert error.reason.strip(), (name, error)
        if result.rows_checked:
            row_errors = [e for e in result.errors if e.line not in (None, 1)]
            assert {e.line for e in row_errors} == result.rejected_lines, name
            assert all(e.line >= 2 for e in row_errors), name
            if expected is not None:
                assert result.rows == expected, (name, result.rows)
        if result.ok:
            applied += 1
            assert result.applied, name
        else:
            refused += 1
            assert not result.applied and snapshot() == before, name
        if name == "good":
            assert result.ok, result.errors
        if name in ("over-limit", "empty", "utf16-le", "utf16-be", "latin1", "semicolons", "tabs",
                    "header-only", "unbalanced-quote", "missing-column", "repeated-column",
                    "random-bytes", "zip-named-csv") or name.startswith(("nul-", "date-")):
            assert not result.ok, f"{name} should be refused"
        # Undo what a good file applied so the next file starts from the same state: nothing to undo for
        # refused files; applied ones leave properties that later files update, which is fine.
    FIGURES["stock service"] = (len(files), applied, refused)
    assert len(files) >= 45


def _api_headers(role, org_code):
    _, token = client_create(name="Corpus sender", organisation=make_org(org_code), role=role,
                             by=make_user(Role.ADMINISTRATOR))
    return {"Authorization": f"Bearer {token}"}


def test_stock_corpus_through_the_upload_page_and_the_api_gives_no_server_error(client, landlords, settings):
    """I1 (ASVS 5.2.x, 16.5.3): the Load stock page and POST /api/v1/stock/import, whole corpus, 0 5xx;
    a refused file changes nothing."""
    settings.H2H_MAX_IMPORT_BYTES = SMALL_LIMIT
    client.raise_request_exception = False
    files = stock_corpus()
    client.force_login(make_user(Role.LETTINGS_OFFICER))
    headers = _api_headers(Role.LETTINGS_OFFICER, "NCH")
    statuses = []
    for name, data, _expected in files:
        for target in ("page", "api"):
            before = snapshot()
            upload = SimpleUploadedFile(f"{name}.csv", data, content_type="text/csv")
            if target == "page":
                response = client.post(reverse("lettings:stock-import"), {"file": upload})
            else:
                response = client.post("/api/v1/stock/import", {"file": upload}, headers=headers)
            statuses.append(response.status_code)
            assert response.status_code < 500, (target, name, response.status_code)
            if target == "api" and response.status_code != 200:
                assert snapshot() == before, (target, name)
                body = response.json()
                assert response.status_code in (400, 413, 415, 422), (name, response.status_code)
                for error in body.get("errors", []):
                    assert error.get("reason") or error.get("message") or error.get("detail"), (name, error)
    FIGURES["stock page+api"] = (len(statuses), sum(s >= 500 for s in statuses))


# --- hospital activity --------------------------------------------------------------------------------------

def hospital_rows():
    made = (admission(ADA, ADA_DOB, 40, 5), admission(BEN, BEN_DOB, 30, 2),
            admission("9990000042", date(1970, 1, 1), 20, 1))
    return [[str(v) for v in row_] for row_ in made]


def _nhs_file(number) -> bytes:
    rows = hospital_rows()
    rows[0][0] = number
    return _join([list(ADMISSION_COLUMNS), *rows]).encode()


def hospital_csv_corpus():
    header = ",".join(ADMISSION_COLUMNS).encode() + b"\r\n"
    bad_numbers = [("nhs-bad-mod11", "9990000019"), ("nhs-check-digit-10", "9990000000"),
                   ("nhs-9-digits", "999000001"), ("nhs-11-digits", "99900000181"),
                   ("nhs-spaces", "999 000 0018"), ("nhs-hyphens", "999-000-0018"),
                   ("nhs-letters", "99900000A8"),
                   ("nhs-formula", "=9990000018"), ("nhs-blank", "")]
    return corpus(ADMISSION_COLUMNS, hospital_rows(), text_column="admission_type",
                  date_column="admission_date", extra=[("over-limit", over_limit(header, SMALL_LIMIT), None),
                         *((name, _nhs_file(number), 3) for name, number in bad_numbers)])


def _xlsx(rows) -> bytes:
    from openpyxl import Workbook
    book = Workbook()
    for r in rows:
        book.active.append(r)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def hospital_xlsx_corpus():
    good = [list(ADMISSION_COLUMNS), *hospital_rows()]
    return [
        ("xlsx-good", _xlsx(good), 3),
        ("xlsx-zip-of-junk", _zip_bytes(), None),
        ("xlsx-zip-with-bad-xml", _zip_bytes((("[Content_Types].xml", b"<not xml"),
                                             ("xl/workbook.xml", b"\x00\x00"))), None),
        ("xlsx-csv-renamed", _join(good).encode(), None),
        ("xlsx-empty", b"", None),
        ("xlsx-random-bytes", random.Random(9).randbytes(2048), None),  # noqa: S311 — fixed junk, not a secret
        ("xlsx-header-only", _xlsx(good[:1]), None),
        ("xlsx-empty-sheet", _xlsx([]), None),
        ("xlsx-missing-column", _xlsx([r[:-1] for r in good]), None),
        ("xlsx-formula-cells", _xlsx([good[0], ["=1+1", *good[1][1:]], *good[2:]]), 3),
        ("xlsx-bad-date", _xlsx([good[0], [*good[1][:2], "31/02/2026", *good[1][3:]], *good[2:]]), 3),
        ("xlsx-long-cell", _xlsx([good[0], [*good[1][:4], "z" * 30_000, *good[1][5:]], *good[2:]]), 3),
    ]


def hospital_fhir_corpus():
    return [
        ("fhir-empty", b"", None),
        ("fhir-not-json", b"{\"resourceType\": \"Bundle\", ", None),
        ("fhir-list", b"[]", None),
        ("fhir-wrong-resource", json.dumps({"resourceType": "Patient"}).encode(), None),
        ("fhir-no-entries", json.dumps({"resourceType": "Bundle", "type": "collection"}).encode(), None),
        ("fhir-entries-not-list", json.dumps({"resourceType": "Bundle", "entry": "x"}).encode(), None),
        ("fhir-entry-junk", json.dumps({"resourceType": "Bundle", "entry": [1, "a", None, {}]}).encode(),
         None),
        ("fhir-utf16", json.dumps({"resourceType": "Bundle", "entry": []}).encode("utf-16"), None),
        ("fhir-nul", b"{\"resourceType\": \"Bundle\x00\"}", None),
        ("fhir-deep", b"[" * 5000 + b"]" * 5000, None),
        ("fhir-latin1", '{"resourceType": "Bundle", "id": "caf\xe9"}'.encode("latin-1"), None),
    ]


FORMAT_OF = {"csv": "csv", "xlsx": "xlsx", "fhir": "fhir"}
SUFFIX = {"csv": ".csv", "xlsx": ".xlsx", "fhir": ".json"}


def hospital_corpus():
    return ([("csv", name, data, n) for name, data, n in hospital_csv_corpus()]
            + [("xlsx", name, data, n) for name, data, n in hospital_xlsx_corpus()]
            + [("fhir", name, data, n) for name, data, n in hospital_fhir_corpus()])


# Files that once crashed the hospital import (a 500), each fixed in the app; checked on their own below as
# well as in the corpus loops.
HOSPITAL_FORMER_CRASHES = {
    ("csv", "cr-endings"): "CR-only line endings: the header split on \\n only, csv.Error escaped",
    ("fhir", "fhir-deep"): "JSON nested 5,000 levels deep: RecursionError escaped",
    ("csv", "nul-in-cell"): "a NUL quoted in the error's reason: PostgreSQL's JSON cannot store it",
}


def _crashes(case) -> bool:
    return False  # none today; a new crash found in the corpus is listed here with a strict xfail test


def held():
    return (Admission.objects.count(), Extract.objects.filter(status=Extract.Status.APPLIED).count())


def test_hospital_import_service_accounts_for_every_row_of_the_corpus(settings):
    """I1 (ASVS 5.2.x, 16.5.3): hospital activity CSV, XLSX and FHIR through h2h.hospital.imports."""
    consenting(ADA, ADA_DOB), consenting(BEN, BEN_DOB)
    evaluator = make_user(Role.EVALUATOR)
    files = hospital_corpus()
    applied = rejected = 0
    for fmt, name, data, expected in files:
        if _crashes((fmt, name)):
            continue
        before = held()
        upload = SimpleUploadedFile(name + SUFFIX[fmt], data)
        extract = import_extract(upload, kind="admissions", file_format=fmt, file_name=upload.name,
                                 provider="Corpus", uploaded_by=evaluator)
        if extract.status == Extract.Status.APPLIED:
            applied += 1
            kept = (extract.rows_linked + extract.rows_for_review + extract.rows_already_held
                    + extract.rows_not_ours + extract.rows_no_consent)
            assert kept == extract.rows_read, (name, kept, extract.rows_read)
            if expected is not None and not extract.unchanged:
                assert extract.rows_read == expected, (name, extract.rows_read)
        else:
            rejected += 1
            assert held() == before, name
            assert extract.errors and extract.error_count >= len(extract.errors), name
            for error in extract.errors:
                assert str(error["reason"]).strip() and isinstance(error["line"], int), (name, error)
            # Row-level result: rejected = rows with an error (by line), accepted = the rest, never negative.
            rejected_rows = {e["line"] for e in extract.errors if e["line"] and e["column"] != "header"}
            if extract.rows_read:
                assert len(rejected_rows) <= extract.rows_read + 1, (name, extract.rows_read)
        if name in ("good", "xlsx-good"):
            assert extract.status == Extract.Status.APPLIED, extract.errors
        if name in ("nhs-spaces", "nhs-hyphens"):  # docs/formats/hospital-admissions.md: groups may be spaced
            assert extract.status == Extract.Status.APPLIED, extract.errors
        elif name.startswith(("nhs-", "date-")) or name in (
                "over-limit", "empty", "utf16-le", "utf16-be", "latin1", "semicolons", "tabs", "header-only",
                "missing-column", "random-bytes", "zip-named-csv") or (fmt != "csv" and expected is None):
            assert extract.status == Extract.Status.REJECTED, f"{fmt} {name} should be rejected"
        Admission.objects.all().delete()
        Extract.objects.all().delete()
    FIGURES["hospital service"] = (len(files), applied, rejected)
    assert len(files) >= 65


def test_hospital_corpus_through_the_upload_page_and_the_api_gives_no_server_error(client, settings):
    """I1 (ASVS 5.2.x, 16.5.3): the hospital upload page and POST /api/v1/hospital-activity, whole corpus,
    0 5xx; a refused file changes nothing; the size limit refuses the over-limit file before import."""
    settings.H2H_MAX_ACTIVITY_UPLOAD_BYTES = SMALL_LIMIT
    client.raise_request_exception = False
    consenting(ADA, ADA_DOB), consenting(BEN, BEN_DOB)
    client.force_login(make_user(Role.EVALUATOR))
    headers = _api_headers(Role.EVALUATOR, "NUH")
    statuses = []
    for fmt, name, data, _expected in hospital_corpus():
        if _crashes((fmt, name)):
            continue
        for target in ("page", "api"):
            before = held()
            extracts_before = Extract.objects.count()
            form = {"kind": "admissions", "file_format": fmt, "provider": "Corpus",
                    "file": SimpleUploadedFile(name + SUFFIX[fmt], data)}
            if target == "page":
                response = client.post(reverse("hospital:upload"), form)
            else:
                response = client.post("/api/v1/hospital-activity", form, headers=headers)
            statuses.append(response.status_code)
            assert response.status_code < 500, (target, fmt, name, response.status_code)
            if name == "over-limit":
                assert Extract.objects.count() == extracts_before, "the over-limit file reached the import"
            if response.status_code not in (200, 201, 302) or (
                    target == "api" and response.json().get("status") == "rejected"):
                assert held() == before, (target, name)
            Admission.objects.all().delete()
            Extract.objects.all().delete()
    FIGURES["hospital page+api"] = (len(statuses), sum(s >= 500 for s in statuses))


@pytest.mark.parametrize("target", ["service", "page", "api"])
@pytest.mark.parametrize("case", [
    pytest.param(case, id="-".join(case)) for case in HOSPITAL_FORMER_CRASHES])
def test_hospital_former_crash_cases_are_refused_not_a_server_error(client, case, target):
    """I1 (ASVS 5.2.x, 16.5.3): the corpus files that once crashed the hospital import; each must be
    answered (applied, or refused with a reason), never a 500."""
    client.raise_request_exception = False
    evaluator = make_user(Role.EVALUATOR)
    fmt, name = case
    data = next(d for f, n, d, _ in hospital_corpus() if (f, n) == case)
    upload = SimpleUploadedFile(name + SUFFIX[fmt], data)
    if target == "service":
        try:
            extract = import_extract(upload, kind="admissions", file_format=fmt, file_name=upload.name,
                                     provider="Corpus", uploaded_by=evaluator)
        except Exception as error:  # noqa: BLE001 — what the web page would turn into a 500
            pytest.fail(f"import_extract raised {error!r}")
        assert extract.status in (Extract.Status.APPLIED, Extract.Status.REJECTED)
        return
    form = {"kind": "admissions", "file_format": fmt, "provider": "Corpus", "file": upload}
    if target == "page":
        client.force_login(evaluator)
        response = client.post(reverse("hospital:upload"), form)
    else:
        response = client.post("/api/v1/hospital-activity", form, headers=_api_headers(Role.EVALUATOR, "NUH"))
    assert response.status_code < 500


# --- cost book and wellbeing values -------------------------------------------------------------------------

def cost_book_corpus():
    text = costbook.SHIPPED_COST_BOOK.read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    return corpus(tuple(header), rows[1:4], text_column="description", extra=[
        ("over-limit", over_limit((",".join(header) + "\r\n").encode(), costbook_max() + 1), None),
        ("value-formula",
         _join([header, [rows[1][0], rows[1][1], rows[1][2], "=1+1", *rows[1][4:]]]).encode(), 1),
    ])


def costbook_max():
    from h2h.evaluation.csvfiles import MAX_BYTES
    return MAX_BYTES


def wellbeing_corpus():
    codes = list(WELLBEING_BY_CODE)[:3]
    columns = costbook.WELLBEING_COLUMNS
    good = [[code, "1000.50", "10", "Social Value Bank 2024", "CC BY"] for code in codes]
    return corpus(columns, good, text_column="source", extra=[
        ("over-limit", over_limit((",".join(columns) + "\r\n").encode(), costbook_max() + 1), None),
        ("value-formula", _join([list(columns), [codes[0], "=1+1", "0", "x", "y"]]).encode(), 1),
    ])


def _data_lines(data: bytes) -> set[int] | None:
    """The line numbers of the data rows, as Python's reader sees them; None if it cannot read the file."""
    try:
        reader = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))
        next(reader)
        return {reader.line_num for cells in reader if any(c.strip() for c in cells)}
    except (UnicodeDecodeError, csv.Error, StopIteration):
        return None


def _evaluation_state():
    return (list(CostItem.objects.order_by("id").values()), list(WellbeingValueSet.objects.values()),
            WellbeingValue.objects.count())


@pytest.mark.parametrize("which", ["cost book", "wellbeing values"])
def test_evaluation_csv_loaders_account_for_every_row_of_the_corpus(which):
    """I1 (ASVS 5.2.x, 16.5.3): cost book and wellbeing values CSV (h2h/evaluation/csvfiles.py, costbook.py):
    every data row is loaded or named by line with a reason; a refused file changes nothing."""
    pm = make_user(Role.PROJECT_MANAGER)
    load, files = ((costbook.load_cost_book, cost_book_corpus()) if which == "cost book"
                   else (costbook.load_wellbeing_values, wellbeing_corpus()))
    loaded = refused = 0
    for name, data, expected in files:
        before = _evaluation_state()
        result = load(data, file_name=f"{name}.csv", by=pm)
        for error in result.errors:
            assert error.reason.strip(), (name, error)
        if result.ok:
            loaded += 1
            assert result.added + result.changed + result.unchanged == result.rows, name
            if expected is not None:
                assert result.rows == expected, (name, result.rows)
        else:
            refused += 1
            assert _evaluation_state() == before, name
            lines = _data_lines(data)
            row_errors = {e.line for e in result.errors if e.line and e.line > 1}
            file_errors = [e for e in result.errors if not e.line or e.line == 1]
            if lines is not None and not file_errors:
                # accepted + rejected = total: every data line is either read into a row or named in an error
                assert row_errors <= lines, (name, row_errors, lines)
                assert result.rows + len(row_errors - {ln for ln in lines if False}) >= len(lines), name
        if name == "good":
            assert result.ok, result.errors
        if name == "header-only" and which == "cost book":  # loads nothing, changes nothing, says "0 rows"
            assert result.rows == 0 and _evaluation_state() == before
        elif name in ("over-limit", "empty", "utf16-le", "utf16-be", "latin1", "missing-column",
                      "repeated-column", "header-only", "random-bytes", "zip-named-csv",
                      "value-formula") or name.startswith("nul-"):
            assert not result.ok, f"{name} should be refused"
    FIGURES[which] = (len(files), loaded, refused)


def test_wellbeing_values_page_takes_the_corpus_without_server_error(client):
    """I1 (ASVS 5.2.x, 16.5.3): the wellbeing values upload page, whole corpus, 0 5xx."""
    client.raise_request_exception = False
    client.force_login(make_user(Role.PROJECT_MANAGER))
    statuses = []
    for name, data, _expected in wellbeing_corpus():
        before = _evaluation_state()
        response = client.post(reverse("evaluation:wellbeing-values"),
                               {"file": SimpleUploadedFile(f"{name}.csv", data, content_type="text/csv")})
        statuses.append(response.status_code)
        assert response.status_code < 500, (name, response.status_code)
        if response.status_code == 200:  # shown again with its errors: nothing loaded
            assert _evaluation_state() == before, name
    FIGURES["wellbeing page"] = (len(statuses), sum(s >= 500 for s in statuses))


def test_zz_report_corpus_figures(request):
    """I1: the corpus figures gathered above, as test properties (pytest --junitxml shows them)."""
    assert FIGURES
    for which, figures in FIGURES.items():
        request.node.user_properties.append((f"I1 {which}", repr(figures)))
