"""FHIR R4 Encounter bundles, rewritten as the canonical CSV (h2h/hospital/formats.py) so they get the same
checks as a CSV file. Documented in docs/formats/hospital-activity-fhir.md; keep the two in step.

Each resource is validated with the R4B models of fhir.resources (R4B is the R4-compatible release the
library ships; its default is R5, which refuses R4 Encounters). Errors are reported by entry number, counting
the first entry of Bundle.entry as 1, so that line 0 still means "the file as a whole".
"""

import json
from pathlib import Path

import pydantic
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.resource import Resource

from h2h.hospital.formats import ADMISSIONS, Canonical, CanonicalWriter, KindSpec, Problem

NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"
# H2H's own extension on Encounter; FHIR has no element for excess bed days. The .example domain says it is a
# name, not an address to fetch.
EXCESS_BED_DAYS_URL = "https://housing-to-health.example/fhir/StructureDefinition/excess-bed-days"
BUNDLE_TYPES = ("collection", "batch", "transaction", "searchset")
# Encounter.class (v3-ActCode): which Encounters are admissions and which A&E attendances. Others are ignored.
CLASSES = {"admissions": {"IMP", "ACUTE", "NONAC"}, "attendances": {"EMER"}}
IGNORED_STATUSES = {"planned", "cancelled", "entered-in-error"}
# Encounter.priority (v3-ActPriority) → admission type.
PRIORITIES = {"EM": "emergency", "EL": "elective", "R": "elective"}
# Where each canonical column comes from, as shown in the error report.
COLUMN_PATHS = {
    "nhs_number": f"Patient.identifier ({NHS_NUMBER_SYSTEM})",
    "date_of_birth": "Patient.birthDate",
    "admission_date": "Encounter.period.start",
    "discharge_date": "Encounter.period.end",
    "admission_type": "Encounter.priority",
    "excess_bed_days": "Encounter.extension (excess bed days)",
    "attendance_date": "Encounter.period.start",
}
_ERRORS_PER_ENTRY = 5


def _load(source: Path, result: Canonical):
    try:
        text = source.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        result.refuse("The file is not UTF-8 text, so it is not a FHIR JSON bundle.")
        return None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        result.refuse(f"The file is not valid JSON: {error.msg} (text line {error.lineno}, "
                      f"character {error.colno}).")
        return None
    except RecursionError:  # JSON nested thousands of levels deep: no FHIR bundle looks like that
        result.refuse("The file's JSON is nested too deeply to be a FHIR bundle.")
        return None
    if not isinstance(data, dict) or data.get("resourceType") != "Bundle":
        result.refuse("The file is JSON but not a FHIR Bundle (its resourceType must be \"Bundle\").")
        return None
    if data.get("type") not in BUNDLE_TYPES:
        result.refuse(f"The Bundle's type is {data.get('type')!r}; it must be one of "
                      f"{', '.join(BUNDLE_TYPES)}.")
        return None
    entries = data.get("entry") or []
    if not isinstance(entries, list):
        result.refuse("Bundle.entry must be a list of entries.")
        return None
    return entries


def _validate(number: int, resource, result: Canonical) -> bool:
    """Check one resource against its R4B model; report what is wrong with it by entry number."""
    if not isinstance(resource, dict) or not isinstance(resource.get("resourceType"), str):
        result.add(Problem(number, "resource", "has no resourceType"))
        return False
    kind = resource["resourceType"]
    try:
        model = get_fhir_model_class(kind)
    except (KeyError, ValueError):  # fhir.resources 8 raises ValueError for a name it does not know
        model = None
    # The lookup also knows data types (HumanName, Period…), which are not resources.
    if model is None or not issubclass(model, Resource):
        result.add(Problem(number, "resourceType", f"{kind!r} is not a FHIR R4 resource type"))
        return False
    try:
        model.model_validate(resource)
    except pydantic.ValidationError as error:
        for detail in error.errors()[:_ERRORS_PER_ENTRY]:
            where = ".".join(str(part) for part in detail["loc"] if part != "root")
            result.add(Problem(number, f"{kind}.{where}".rstrip("."), detail["msg"]))
        return False
    return True


def _class_code(encounter: dict) -> str | None:
    """Encounter.class is one Coding in R4 (a list in R5, which validation then reports)."""
    coding = encounter.get("class")
    return coding.get("code") if isinstance(coding, dict) else None


def _date_part(value) -> str:
    """The date of a FHIR date or dateTime as written (a dateTime's local date, whatever its offset)."""
    return value.split("T")[0] if isinstance(value, str) else ""


def _nhs_number(patient: dict) -> str:
    for identifier in patient.get("identifier") or []:
        if identifier.get("system") == NHS_NUMBER_SYSTEM:
            return identifier.get("value") or ""
    return ""


def _excess_bed_days(encounter: dict) -> str:
    for extension in encounter.get("extension") or []:
        if extension.get("url") == EXCESS_BED_DAYS_URL:
            for key in ("valueUnsignedInt", "valueInteger", "valuePositiveInt"):
                if key in extension:
                    return str(extension[key])
            return ""
    return "0"


def _admission_type(number: int, encounter: dict, result: Canonical) -> str:
    codes = [coding.get("code") for coding in (encounter.get("priority") or {}).get("coding") or []]
    types = {PRIORITIES[code] for code in codes if code in PRIORITIES}
    if len(types) == 1:
        return types.pop()
    reason = ("is missing" if not codes else f"has the code(s) {', '.join(map(str, codes))}") + \
        "; it must be EM (emergency), EL (elective) or R (routine, elective) from v3-ActPriority"
    result.add(Problem(number, "Encounter.priority", reason))
    return "emergency"  # stands in so the entry's other values are still checked; the file is refused anyway


def canonical_from_fhir(source: Path, target: Path, spec: KindSpec) -> Canonical:
    result = Canonical(path=target)
    entries = _load(source, result)
    if entries is None:
        return result
    patients, encounters = {}, []
    for index, entry in enumerate(entries):
        number = index + 1
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if resource is None:
            continue  # e.g. a DELETE in a transaction: nothing to read
        wanted = (isinstance(resource, dict) and resource.get("resourceType") == "Encounter"
                  and _class_code(resource) in CLASSES[spec.kind]
                  and resource.get("status") not in IGNORED_STATUSES)
        if not _validate(number, resource, result):
            if wanted:
                result.rows += 1
            continue
        if resource["resourceType"] == "Patient":
            if entry.get("fullUrl"):
                patients[entry["fullUrl"]] = resource
            if resource.get("id"):
                patients[f"Patient/{resource['id']}"] = resource
        elif wanted:
            encounters.append((number, resource))
    writer = CanonicalWriter(target, spec)
    try:
        for number, encounter in encounters:
            result.rows += 1
            reference = (encounter.get("subject") or {}).get("reference") or ""
            # By fullUrl, or as Patient/<id> (also when written as an absolute URL ending so).
            patient = patients.get(reference) or patients.get("Patient/" + reference.rsplit("Patient/")[-1])
            if patient is None:
                result.add(Problem(
                    number, "Encounter.subject",
                    f"refers to {reference!r}, which is not a Patient in this bundle" if reference else
                    "is missing: each Encounter must refer to a Patient in the bundle"))
                continue
            period = encounter.get("period") or {}
            values = {"nhs_number": _nhs_number(patient), "date_of_birth": patient.get("birthDate") or ""}
            if spec is ADMISSIONS:
                values |= {"admission_date": _date_part(period.get("start")),
                           "discharge_date": _date_part(period.get("end")),
                           "admission_type": _admission_type(number, encounter, result),
                           "excess_bed_days": _excess_bed_days(encounter)}
            else:
                values["attendance_date"] = _date_part(period.get("start"))
            writer.write(number, values)
    finally:
        writer.close()
    return result
