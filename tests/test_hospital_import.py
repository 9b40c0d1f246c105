"""Importing hospital activity extracts (h2h/hospital/imports.py; docs/formats/hospital-admissions.md,
ae-attendances.md, hospital-activity-fhir.md): each file checked whole, applied all or nothing with every bad
row reported; the same file twice changes nothing; a corrected file supersedes the one it replaces."""

import io
import json
from datetime import date, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from h2h.accounts.roles import Role
from h2h.audit.models import AuditEvent
from h2h.hospital.fhir import EXCESS_BED_DAYS_URL, NHS_NUMBER_SYSTEM
from h2h.hospital.imports import MAX_STORED_ERRORS, import_extract
from h2h.hospital.models import Admission, Attendance, Extract, LinkReview
from h2h.referrals.models import Referral
from tests.factories import make_case, make_person, make_user

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
ADMISSION_COLUMNS = ("nhs_number", "date_of_birth", "admission_date", "discharge_date", "admission_type",
                     "excess_bed_days")
# Valid 999-range numbers (mod 11 checked in test_linkage.py against h2h.lib.identifiers).
ADA, BEN, CAL, DEV = "9990000018", "9990000026", "9990000034", "9990000042"
ADA_DOB, BEN_DOB, CAL_DOB = date(1950, 3, 27), date(1962, 7, 1), date(1944, 12, 31)


def ago(days: int) -> str:
    return (TODAY - timedelta(days=days)).isoformat()


def csv_bytes(rows, columns=ADMISSION_COLUMNS, *, newline="\n") -> bytes:
    lines = [",".join(columns), *(",".join(str(v) for v in row) for row in rows)]
    return (newline.join(lines) + newline).encode()


def admission(nhs=ADA, dob=ADA_DOB, admitted=40, days=5, kind="emergency", excess=0) -> tuple:
    return (nhs, dob.isoformat() if isinstance(dob, date) else dob, ago(admitted), ago(admitted - days), kind,
            excess)


def consenting(nhs: str, dob: date, *, consent=True, last_name="Person"):
    person = make_person(nhs_number=nhs, date_of_birth=dob, last_name=last_name)
    case = make_case(person=person)
    sharing = ["housing", "health", *(["evaluation"] if consent else [])]
    Referral.objects.filter(pk=case.referral_id).update(consent_sharing=sharing)
    return person


@pytest.fixture
def evaluator():
    return make_user(Role.EVALUATOR)


@pytest.fixture
def people():
    return {"ada": consenting(ADA, ADA_DOB), "ben": consenting(BEN, BEN_DOB), "cal": consenting(CAL, CAL_DOB)}


def upload(data: bytes, by, *, kind="admissions", file_format="csv", name="extract.csv", **kwargs) -> Extract:
    return import_extract(SimpleUploadedFile(name, data), kind=kind, file_format=file_format, file_name=name,
                          provider="Nottingham University Hospitals", uploaded_by=by, **kwargs)


def errors(extract: Extract) -> list[tuple]:
    return [(e["line"], e["column"], e["reason"]) for e in extract.errors]


def test_a_good_file_applies_and_links_by_nhs_number_and_date_of_birth(evaluator, people):
    rows = [admission(ADA, ADA_DOB, 40, 5, "emergency", 1), admission(BEN, BEN_DOB, 30, 2, "elective"),
            admission(DEV, date(1970, 1, 1), 20, 3)]
    extract = upload(csv_bytes(rows), evaluator)
    assert extract.status == Extract.Status.APPLIED and not extract.unchanged
    assert (extract.rows_read, extract.rows_linked, extract.rows_not_ours) == (3, 2, 1)
    held = Admission.objects.get(person=people["ada"])
    assert (held.admitted_on, held.discharged_on, held.emergency, held.excess_bed_days, held.line) == (
        TODAY - timedelta(days=40), TODAY - timedelta(days=35), True, 1, 2)
    assert Admission.objects.get(person=people["ben"]).emergency is False
    assert not Admission.objects.filter(nhs_number=DEV).exists()
    assert extract.period_start == TODAY - timedelta(days=40)
    assert extract.period_end == TODAY - timedelta(days=20)
    event = AuditEvent.objects.get(object_type="hospital_extract", object_id=str(extract.pk))
    assert event.action == AuditEvent.Action.CREATE
    assert "extract.csv" in event.summary and "2 linked" in event.summary


def test_it_reports_every_bad_row_with_its_line_and_column_and_keeps_nothing(evaluator, people):
    rows = [
        admission(),                                               # line 2: fine
        admission(nhs="9990000019"),                               # line 3: check digit
        (ADA, ADA_DOB.isoformat(), ago(10), ago(12), "emergency", 0),  # line 4: discharge before admission
        admission(dob="1950-02-30"),                               # line 5: not a real date
        admission(kind="maternity"),                               # line 6: bad type
        admission(days=2, excess=3),                               # line 7: excess over the stay
        (ADA, "27/03/1950", ago(50), ago(45), "22", 0),            # line 8: fine (dd/mm/yyyy, method code)
        admission(nhs="12345"),                                    # line 9: not 10 digits
        (ADA, ADA_DOB.isoformat(), "last week", ago(3), "elective", 0),  # line 10: not a date
    ]
    extract = upload(csv_bytes(rows), evaluator)
    assert extract.status == Extract.Status.REJECTED
    found = {(line, column) for line, column, _ in errors(extract)}
    assert found == {(3, "nhs_number"), (4, "discharge_date"), (5, "date_of_birth"), (6, "admission_type"),
                     (7, "excess_bed_days"), (9, "nhs_number"), (10, "admission_date")}
    assert extract.error_count == 7 and extract.rows_read == 9
    reasons = dict(((line, column), reason) for line, column, reason in errors(extract))
    assert "check digit" in reasons[(3, "nhs_number")]
    assert "before the admission date" in reasons[(4, "discharge_date")]
    assert "more than the length of stay (2 days)" in reasons[(7, "excess_bed_days")]
    assert Admission.objects.count() == 0 and LinkReview.objects.count() == 0


def test_a_missing_column_is_one_error_naming_it(evaluator, people):
    columns = ("nhs_number", "date_of_birth", "admission_date", "admission_type", "excess_bed_days")
    extract = upload(csv_bytes([(ADA, ADA_DOB, ago(3), "elective", 0)], columns), evaluator)
    assert extract.status == Extract.Status.REJECTED
    assert len(extract.errors) == 1 and extract.errors[0]["line"] == 0
    assert "discharge_date" in extract.errors[0]["reason"]


def test_every_line_with_latin1_bytes_is_reported(evaluator, people):
    data = csv_bytes([admission(), admission(admitted=60), admission(admitted=70)])
    lines = data.split(b"\n")
    lines[1] += b",Jos\xe9"   # an extra value in a name column would be ignored; its encoding is not
    lines[3] = lines[3].replace(b"emergency", b"emerg\xe8ncy")
    extract = upload(b"\n".join(lines), evaluator)
    assert extract.status == Extract.Status.REJECTED
    assert [e["line"] for e in extract.errors] == [2, 4]
    assert "UTF-8" in extract.errors[0]["reason"]


def test_an_empty_file_is_refused(evaluator):
    assert upload(b"", evaluator).errors[0]["reason"] == "The file is empty."
    header_only = upload(csv_bytes([]), evaluator)
    assert header_only.status == Extract.Status.REJECTED
    assert "no admissions" in header_only.errors[0]["reason"]


def test_the_same_file_twice_changes_nothing(evaluator, people):
    data = csv_bytes([admission(), admission(), admission(BEN, BEN_DOB)])
    first = upload(data, evaluator)
    again = upload(data, evaluator, name="renamed.csv")
    assert again.pk == first.pk and again.unchanged
    assert Admission.objects.count() == 3 and Extract.objects.count() == 1
    assert AuditEvent.objects.filter(object_type="hospital_extract").count() == 2


def test_the_same_rows_in_another_order_add_nothing(evaluator, people):
    rows = [admission(), admission(), admission(BEN, BEN_DOB), admission(CAL, CAL_DOB, 100, 10)]
    upload(csv_bytes(rows), evaluator)
    second = upload(csv_bytes(list(reversed(rows))), evaluator)
    assert second.status == Extract.Status.APPLIED and not second.unchanged
    assert (second.rows_already_held, second.rows_linked) == (4, 0)
    assert Admission.objects.count() == 4


def test_a_corrected_file_supersedes_the_one_it_replaces(evaluator, people):
    wrong = upload(csv_bytes([admission(days=5), admission(BEN, BEN_DOB)]), evaluator)
    right = upload(csv_bytes([admission(days=7), admission(BEN, BEN_DOB)]), evaluator, replaces=wrong)
    wrong.refresh_from_db()
    assert wrong.status == Extract.Status.SUPERSEDED and right.replaces == wrong
    assert right.rows_linked == 2 and right.rows_already_held == 0
    assert not Admission.objects.filter(extract=wrong).exists()
    assert Admission.objects.get(person=people["ada"]).bed_days == 7


def test_uploading_a_superseded_file_again_is_refused(evaluator, people):
    data = csv_bytes([admission(days=5)])
    wrong = upload(data, evaluator)
    upload(csv_bytes([admission(days=7)]), evaluator, replaces=wrong)
    again = upload(data, evaluator)
    assert again.status == Extract.Status.REJECTED and "superseded" in again.errors[0]["reason"]
    assert Admission.objects.count() == 1


def test_attendances(evaluator, people):
    data = csv_bytes([(ADA, ADA_DOB, ago(9)), ("999 000 0026", BEN_DOB, ago(8))],
                     ("NHS Number", "Date of Birth", "Attendance Date"))
    extract = upload(data, evaluator, kind="attendances")
    assert extract.status == Extract.Status.APPLIED and extract.rows_linked == 2
    assert set(Attendance.objects.values_list("person_id", flat=True)) == {people["ada"].pk, people["ben"].pk}


def test_columns_in_any_order_with_extra_columns_crlf_and_quotes(evaluator, people):
    columns = ("Spell ID", "Admission Type", "Discharge_Date", "ADMISSION DATE", "nhs-number",
               "Excess Bed Days", "Date of birth", "Diagnosis")
    rows = [("S1", "21", ago(30), ago(33), "999 000 0042", "0", "1970-01-01", '"Fall, at home"'),
            ("S2", "12", ago(10), ago(12), ADA, "", ADA_DOB.isoformat(), '"Hip ""replacement"""')]
    extract = upload(csv_bytes(rows, columns, newline="\r\n"), evaluator)
    assert extract.status == Extract.Status.APPLIED, extract.errors
    assert (extract.rows_read, extract.rows_linked, extract.rows_not_ours) == (2, 1, 1)
    held = Admission.objects.get()
    assert (held.emergency, held.excess_bed_days, held.line) == (False, 0, 3)


def test_lines_stay_right_with_blank_lines_and_values_over_two_lines(evaluator, people):
    columns = (*ADMISSION_COLUMNS, "note")
    data = (",".join(columns) + "\n" + ",".join(map(str, admission())) + ',"two\nlines"\n\n'
            + ",".join(map(str, admission(nhs="9990000019"))) + ",x\n").encode()
    extract = upload(data, evaluator)
    assert errors(extract) == [(5, "nhs_number", "'9990000019' is not a valid NHS number (the check digit "
                                                 "does not match)")]
    short = csv_bytes([admission(), admission()[:4]])
    assert errors(upload(short, evaluator))[0][:2] == (3, "")


def test_a_given_period_must_cover_every_row(evaluator, people):
    extract = upload(csv_bytes([admission(admitted=40), admission(admitted=400)]), evaluator,
                     period_start=TODAY - timedelta(days=100), period_end=TODAY)
    assert [(e["line"], e["column"]) for e in extract.errors] == [(3, "admission_date")]


def test_errors_stored_are_capped_but_counted(evaluator, people):
    rows = [admission(nhs="1234567890")] * (MAX_STORED_ERRORS + 5)
    extract = upload(csv_bytes(rows), evaluator)
    assert extract.error_count == MAX_STORED_ERRORS + 5 and len(extract.errors) == MAX_STORED_ERRORS


PRIORITY = "http://terminology.hl7.org/CodeSystem/v3-ActPriority"


def _xlsx(rows, columns=ADMISSION_COLUMNS) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(list(columns))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _kept():
    return sorted(Admission.objects.values_list(
        "row_key", "person_id", "nhs_number", "date_of_birth", "admitted_on", "discharged_on", "emergency",
        "excess_bed_days"))


def test_xlsx_keeps_the_same_rows_as_the_csv(evaluator, people):
    rows = [admission(ADA, ADA_DOB, 40, 5, "emergency", 1), admission(BEN, BEN_DOB, 30, 2, "elective"),
            admission(BEN, BEN_DOB, 30, 2, "elective"), admission(DEV, date(1970, 1, 1))]
    upload(csv_bytes(rows), evaluator)
    from_csv = _kept()
    Admission.objects.all().delete()
    typed = [(int(nhs), date.fromisoformat(dob), date.fromisoformat(a), date.fromisoformat(d), kind, float(x))
             for nhs, dob, a, d, kind, x in rows]
    extract = upload(_xlsx(typed), evaluator, file_format="xlsx", name="extract.xlsx")
    assert extract.status == Extract.Status.APPLIED, extract.errors
    assert _kept() == from_csv and len(from_csv) == 3


def test_xlsx_errors_give_spreadsheet_rows(evaluator, people):
    rows = [admission(), (None, None, None, None, None, None), admission(dob="31/02/1950")]
    extract = upload(_xlsx(rows), evaluator, file_format="xlsx", name="bad.xlsx")
    assert errors(extract) == [(4, "date_of_birth", "'31/02/1950' is not a real date")]
    assert upload(b"not a workbook", evaluator, file_format="xlsx", name="x.xlsx").status == "rejected"


def fhir_bundle(rows, *, extra_entries=()) -> bytes:
    entries, patients = [], {}
    for nhs, dob, admitted, discharged, kind, excess in rows:
        if nhs not in patients:
            patients[nhs] = f"urn:uuid:patient-{nhs}"
            entries.append({"fullUrl": patients[nhs], "resource": {
                "resourceType": "Patient", "birthDate": dob,
                "identifier": [{"system": NHS_NUMBER_SYSTEM, "value": nhs}]}})
        encounter = {"resourceType": "Encounter", "status": "finished",
                     "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "IMP"},
                     "priority": {"coding": [{"system": PRIORITY,
                                              "code": "EM" if kind == "emergency" else "EL"}]},
                     "subject": {"reference": patients[nhs]},
                     "period": {"start": f"{admitted}T10:30:00+00:00", "end": discharged}}
        if excess:
            encounter["extension"] = [{"url": EXCESS_BED_DAYS_URL, "valueUnsignedInt": excess}]
        entries.append({"resource": encounter})
    entries += list(extra_entries)
    return json.dumps({"resourceType": "Bundle", "type": "collection", "entry": entries}).encode()


def test_a_fhir_bundle_keeps_the_same_rows_as_the_csv(evaluator, people):
    rows = [admission(ADA, ADA_DOB, 40, 5, "emergency", 1), admission(BEN, BEN_DOB, 30, 2, "elective"),
            admission(BEN, BEN_DOB, 30, 2, "elective"), admission(DEV, date(1970, 1, 1))]
    upload(csv_bytes(rows), evaluator)
    from_csv = _kept()
    Admission.objects.all().delete()
    emergency_visit = {"resource": {"resourceType": "Encounter", "status": "finished",
                                    "class": {"code": "EMER"}, "period": {"start": ago(3)},
                                    "subject": {"reference": f"urn:uuid:patient-{ADA}"}}}
    extract = upload(fhir_bundle(rows, extra_entries=[emergency_visit]), evaluator, file_format="fhir",
                     name="bundle.json")
    assert extract.status == Extract.Status.APPLIED, extract.errors
    assert extract.rows_read == 4
    assert _kept() == from_csv


def test_fhir_errors_are_reported_by_entry(evaluator, people):
    bundle = json.loads(fhir_bundle([admission(), admission(BEN, BEN_DOB, 10, 12)]))
    bundle["entry"][1]["resource"]["period"]["start"] = "2024-13-01"       # entry 2: not a FHIR dateTime
    bundle["entry"].append({"resource": {"resourceType": "Encounter", "status": "finished",
                                         "class": {"code": "IMP"}, "subject": {"reference": "Patient/nobody"},
                                         "period": {"start": ago(4)}}})
    extract = upload(json.dumps(bundle).encode(), evaluator, file_format="fhir", name="bundle.json")
    assert extract.status == Extract.Status.REJECTED
    found = [(line, column) for line, column, _ in errors(extract)]
    assert found == [(2, "Encounter.period.start"), (4, "Encounter.period.end"), (5, "Encounter.subject")]
    assert upload(b"{not json", evaluator, file_format="fhir", name="b.json").errors[0]["line"] == 0
    r5 = json.loads(fhir_bundle([admission()]))
    r5["entry"][1]["resource"]["class"] = [r5["entry"][1]["resource"]["class"]]  # R5 shape: a list
    extract = upload(json.dumps(r5).encode(), evaluator, file_format="fhir", name="r5.json")
    assert [(e["line"], e["column"]) for e in extract.errors] == [(2, "Encounter.class")]


def test_an_entry_that_is_not_a_fhir_resource_is_reported(evaluator, people):
    bundle = json.loads(fhir_bundle([admission()]))
    bundle["entry"] += [{"resource": {"resourceType": "NotAResource"}},
                        {"resource": {"resourceType": "HumanName", "family": "Smith"}}]  # a data type
    extract = upload(json.dumps(bundle).encode(), evaluator, file_format="fhir", name="bundle.json")
    assert extract.status == Extract.Status.REJECTED
    assert [(e["line"], e["column"]) for e in extract.errors] == [(3, "resourceType"), (4, "resourceType")]


def test_the_command_prints_counts_or_errors(evaluator, people, tmp_path):
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes([admission()]))
    out = StringIO()
    call_command("import_activity", str(good), kind="admissions", format="csv", provider="NUH",
                 user=evaluator.username, stdout=out)
    assert "1 linked" in out.getvalue()
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([admission(nhs="9990000019")]))
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_activity", str(bad), kind="admissions", format="csv", provider="NUH",
                     user=evaluator.username, stdout=StringIO(), stderr=err)
    assert "line 2, nhs_number" in err.getvalue()


def test_the_demo_imports_its_files_like_any_upload():
    from h2h.cases.models import CaseEvent
    from h2h.demo.generate import generate
    from django.db import transaction

    def demo():
        # generate() seeds the hospital files itself (after the cases); run it again here only for its counts.
        generate(seed=4, referrals=60, today=TODAY)
        result = {"open_reviews": LinkReview.objects.filter(status=LinkReview.Status.OPEN).count()}
        return result, list(Extract.objects.order_by("id").values_list("sha256", flat=True))

    with transaction.atomic():
        _, files = demo()
        transaction.set_rollback(True)
    result, again = demo()
    assert again == files  # the same seed and day make the same files
    statuses = sorted(Extract.objects.values_list("kind", "status"))
    assert statuses == [("admissions", "applied"), ("admissions", "applied"), ("admissions", "rejected"),
                        ("admissions", "superseded"), ("attendances", "applied")]
    rejected = Extract.objects.get(status=Extract.Status.REJECTED)
    assert [e["column"] for e in rejected.errors] == ["nhs_number", "discharge_date", "admission_type"]
    assert 2 <= result["open_reviews"] <= 3
    assert all(r.reason == LinkReview.Reason.DOB_MISMATCH for r in LinkReview.objects.all())
    applied = Extract.objects.filter(status=Extract.Status.APPLIED)
    assert all(e.rows_not_ours > 0 for e in applied)
    assert Admission.objects.filter(person__isnull=False).exists()
    assert Attendance.objects.filter(person__isnull=False).exists()
    # Fewer admissions a person a day after the tenancy starts than before it, across the demo people.
    moved = dict(CaseEvent.objects.filter(to_stage="tenancy_start").values_list("case__person_id", "on"))
    first = min(applied.values_list("period_start", flat=True))
    before = after = days_before = days_after = 0
    for person_id, on in moved.items():
        held = Admission.objects.filter(person_id=person_id)
        before += held.filter(admitted_on__lt=on).count()
        after += held.filter(admitted_on__gte=on).count()
        days_before += max(0, (on - first).days)
        days_after += (TODAY - on).days
    assert after / days_after < before / days_before


EXAMPLES = Path(__file__).resolve().parent / "data" / "hospital"


def test_the_documented_examples_import_and_agree(evaluator, people):
    """The example files in docs/formats/ (tests/data/hospital/) are valid, and the CSV and FHIR examples of
    the same admissions keep the same rows."""
    from_csv = import_extract(EXAMPLES / "admissions.csv", kind="admissions", file_format="csv",
                              file_name="admissions.csv", provider="NUH", uploaded_by=evaluator)
    assert from_csv.status == Extract.Status.APPLIED, from_csv.errors
    assert (from_csv.rows_read, from_csv.rows_linked, from_csv.rows_not_ours) == (4, 3, 1)
    kept = _kept()
    Admission.objects.all().delete()
    from_fhir = import_extract(EXAMPLES / "admissions-fhir.json", kind="admissions", file_format="fhir",
                               file_name="admissions-fhir.json", provider="NUH", uploaded_by=evaluator)
    assert from_fhir.status == Extract.Status.APPLIED, from_fhir.errors
    assert _kept() == kept
    attendances = import_extract(EXAMPLES / "ae-attendances.csv", kind="attendances", file_format="csv",
                                 file_name="ae-attendances.csv", provider="NUH", uploaded_by=evaluator)
    assert (attendances.status, attendances.rows_linked, attendances.rows_not_ours) == ("applied", 2, 1)
    fhir_attendances = import_extract(EXAMPLES / "admissions-fhir.json", kind="attendances",
                                      file_format="fhir", file_name="admissions-fhir.json", provider="NUH",
                                      uploaded_by=evaluator)
    assert (fhir_attendances.rows_read, fhir_attendances.rows_already_held) == (1, 1)


def test_odd_but_readable_csv_files(evaluator, people):
    rows = [admission(), admission(BEN, BEN_DOB)]
    no_final_newline = csv_bytes(rows).rstrip(b"\n")
    with_bom_and_blank_end = b"\xef\xbb\xbf" + csv_bytes(rows) + b"\n\n"
    for data in (no_final_newline, with_bom_and_blank_end):
        extract = upload(data, evaluator)
        assert extract.status == Extract.Status.APPLIED, extract.errors
    assert Admission.objects.count() == 2


@pytest.mark.parametrize(("data", "reason"), [
    ("nhs_number,date_of_birth\n".encode("utf-16"), "UTF-16"),
    (b"nhs_number;date_of_birth;admission_date;discharge_date;admission_type;excess_bed_days\n", "semicolons"),
    (b"\n9990000018,1950-03-27\n", "first line is blank"),
    (b"nhs_number,nhs_number,date_of_birth,admission_date,discharge_date,admission_type,excess_bed_days\n",
     "named 2 times"),
])
def test_files_that_cannot_be_read_are_refused_with_one_reason(evaluator, data, reason):
    extract = upload(data, evaluator)
    assert extract.status == Extract.Status.REJECTED and reason in extract.errors[0]["reason"]


def test_an_unterminated_quote_is_reported_where_it_starts(evaluator, people):
    data = csv_bytes([admission()]) + b'9990000026,"1962-07-01,2026-01-01,2026-01-02,elective,0\n'
    extract = upload(data, evaluator)
    assert extract.status == Extract.Status.REJECTED
    assert extract.errors[-1]["line"] == 3 and "quotation mark" in extract.errors[-1]["reason"]
