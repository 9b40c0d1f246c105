"""A FHIR R4 transaction Bundle (UK Core Patient, ServiceRequest, Consent) read into a referral's answers.

The mapping is documented in docs/formats/fhir-referral-bundle.md; keep the two in step. Three passes, each
refusing with OperationOutcome issues that name the element at fault:

1. structure (400): JSON, a Bundle of type transaction, every resource valid FHIR R4 (the fhir.resources R4B
   models: the library's default is R5, which refuses R4 resources);
2. what a referral needs (422): one Patient, one active ServiceRequest about them, one active Consent;
3. the referral's own rules (422): the values go through h2h/referrals/forms.py, the web journey's forms, so
   each rule is written once; a form error is reported at the element its value was read from.
"""

import json
import re
from dataclasses import dataclass

import pydantic
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.resource import Resource

from h2h.api.fhir_out import H2H_FHIR, NHS_NUMBER_SYSTEM, Issue
from h2h.referrals.forms import STEPS, ReferrerForm

REFERRAL_EXTENSION = f"{H2H_FHIR}/StructureDefinition/housing-referral"
REASON_SYSTEM = f"{H2H_FHIR}/CodeSystem/housing-reason"
CONSENT_SYSTEM = f"{H2H_FHIR}/CodeSystem/consent"
SHARING_SYSTEM = f"{H2H_FHIR}/CodeSystem/consent-sharing"
# The sub-extensions of REFERRAL_EXTENSION: what FHIR has no element for. `benefit` may repeat.
SUB_EXTENSIONS = {
    "setting": "setting",
    "medicallyReadyDate": "medically_ready_date",
    "tenure": "tenure",
    "householdSize": "household_size",
    "householdDetails": "household_details",
    "hasCarer": "has_carer",
    "carerDetails": "carer_details",
    "mobility": "mobility",
    "wheelchairUse": "wheelchair_use",
    "benefit": "benefits",
}
LIST_FIELDS = {"reasons", "benefits", "consent_sharing"}
DATE_FIELDS = {"date_of_birth", "admission_date", "medically_ready_date"}
FULL_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
CONSENT_FIELDS = {"consent", "consent_decision_maker", "consent_sharing", "consent_notes"}
# An Encounter in one of these says where the person is now; a planned or finished one does not.
CURRENT_ENCOUNTER = {"arrived", "triaged", "in-progress", "onleave"}
ACCEPTED_METHODS = {"POST", "PUT"}
MAX_ISSUES = 50
_ERRORS_PER_RESOURCE = 10

# Where each answer is read from, in words, for the diagnostics.
SOURCES = {
    "first_name": "Patient.name.given",
    "last_name": "Patient.name.family",
    "date_of_birth": "Patient.birthDate",
    "nhs_number": f"Patient.identifier with system {NHS_NUMBER_SYSTEM}",
    "address_line_1": "Patient.address.line",
    "address_line_2": "Patient.address.line",
    "town": "Patient.address.city",
    "postcode": "Patient.address.postalCode",
    "phone": "Patient.telecom (phone)",
    "email": "Patient.telecom (email)",
    "hospital": "the serviceProvider of the current Encounter (ServiceRequest.encounter)",
    "ward": "the location of the current Encounter (ServiceRequest.encounter)",
    "admission_date": "period.start of the current Encounter (ServiceRequest.encounter)",
    "reasons": f"ServiceRequest.reasonCode, codes from {REASON_SYSTEM}",
    "housing_details": "ServiceRequest.note",
    "referrer_name": "ServiceRequest.requester (a Practitioner or PractitionerRole, or its display)",
    "referrer_role": "the code of the requester's PractitionerRole",
    "referrer_phone": "the requester's telecom (phone)",
    "referrer_email": "the requester's telecom (email)",
    "consent": f"Consent.policyRule, a code from {CONSENT_SYSTEM}",
    "consent_decision_maker": "Consent.performer",
    "consent_sharing": f"Consent.provision.purpose, codes from {SHARING_SYSTEM}",
} | {field: f"the '{sub}' sub-extension of the ServiceRequest's extension {REFERRAL_EXTENSION}"
     for sub, field in SUB_EXTENSIONS.items()}
NEEDED = {
    "Patient": "H2H needs the person being referred, as a (UK Core) Patient.",
    "ServiceRequest": "H2H reads the referral from a ServiceRequest.",
    "Consent": "H2H takes a referral only with the person's agreement, or a best-interests decision, "
               "recorded as a Consent resource. It never assumes consent.",
}


class BundleRefused(Exception):  # noqa: N818 (named like cases.services.CaseActionRefused)
    def __init__(self, status: int, issues: list[Issue]):
        super().__init__(f"{status}: {len(issues)} issue(s)")
        self.status, self.issues = status, issues[:MAX_ISSUES]


@dataclass
class Intake:
    answers: dict  # as the referral form cleans them, ready for referral_submit
    entry_count: int
    service_request_index: int


def bundle_read(raw: bytes) -> Intake:
    entries = _check_structure(_parse(raw))
    bundle = _Entries(entries)
    issues: list[Issue] = []
    patient = _one(bundle, "Patient", issues)
    request = _one(bundle, "ServiceRequest", issues)
    consent = _one(bundle, "Consent", issues)
    _check_methods(entries, issues)
    if patient is None or request is None:
        raise BundleRefused(422, issues)
    _check_patient(patient, issues)
    _check_request(bundle, request, patient, issues)
    answers = _Answers(patient[0], request[0], consent[0] if consent else None)
    _read_patient(answers, patient[1])
    _read_request(answers, bundle, request[1], issues)
    if consent is not None:
        _check_consent(bundle, consent, patient, issues)
        _read_consent(answers, bundle, consent[1])
    cleaned, form_issues = _validate(answers)
    # Without a Consent the Bundle is refused for that already: its fields' own errors would say it again.
    issues += [issue for field, issue in form_issues if consent is not None or field not in CONSENT_FIELDS]
    if issues:
        raise BundleRefused(422, issues)
    return Intake(answers=cleaned, entry_count=len(entries), service_request_index=request[0])


# --- 1. structure (400) ----------------------------------------------------------------------------------


def _shown(value) -> str:
    """A value the sender gave, quoted in a diagnostic and cut short: a diagnostic never echoes a body."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _refuse(status: int, code: str, diagnostics: str, expression: str = ""):
    raise BundleRefused(status, [Issue(code, diagnostics, expression)])


def _parse(raw: bytes) -> dict:
    try:
        data = json.loads(raw.decode("utf-8-sig"))
        # "\ud800" is valid JSON but not text: refused here rather than failing in the database.
        json.dumps(data, ensure_ascii=False).encode()
    except UnicodeDecodeError:
        _refuse(400, "structure", "The request body is not UTF-8 text, so it is not FHIR JSON.")
    except UnicodeEncodeError:
        _refuse(400, "structure", "The request body holds a lone surrogate (such as \\ud800): not text.")
    except json.JSONDecodeError as error:
        _refuse(400, "structure", f"The request body is not valid JSON: {error.msg} "
                                  f"(line {error.lineno}, character {error.colno}).")
    except RecursionError:
        _refuse(400, "structure", "The request body is nested too deeply to be a FHIR Bundle.")
    if not isinstance(data, dict):
        _refuse(400, "structure", "The request body must be a FHIR Bundle: a JSON object with resourceType "
                                  "\"Bundle\".")
    if data.get("resourceType") != "Bundle":
        _refuse(400, "structure", f"The resource is a {_shown(data.get('resourceType'))}, not a Bundle: send "
                                  "a transaction Bundle holding a Patient, a ServiceRequest and a Consent.",
                "Bundle.resourceType")
    return data


def _fhir_path(where: str, loc) -> str:
    path = where
    for part in loc:
        if part != "root":
            path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def _model_issues(model, data: dict, where: str) -> list[Issue]:
    try:
        model.model_validate(data)
    except pydantic.ValidationError as error:
        issues = []
        for detail in error.errors()[:_ERRORS_PER_RESOURCE]:
            kind, loc = detail.get("type", ""), detail.get("loc", ())
            if kind == "extra_forbidden":
                issues.append(Issue("structure", "Not valid FHIR R4: Unknown element.",
                                    _fhir_path(where, loc)))
                continue
            code = "required" if "missing" in kind else "invalid"
            message = str(detail.get("msg", "Not valid")).removeprefix("Value error, ").rstrip(".")
            issues.append(Issue(code, f"Not valid FHIR R4: {message}.", _fhir_path(where, loc)))
        return issues
    except (KeyError, TypeError, ValueError, AttributeError, RecursionError):
        # fhir.resources raises these, not a ValidationError, for some shapes (e.g. an unknown resourceType
        # inside a nested Bundle).
        return [Issue("structure", "Not valid FHIR R4.", where)]
    return []


def _resource_model(kind):
    """The R4B model of a resource type; None for anything else (the lookup knows data types too)."""
    try:
        model = get_fhir_model_class(kind) if isinstance(kind, str) else None
    except (KeyError, ValueError):
        return None
    return model if model is not None and issubclass(model, Resource) else None


def _check_structure(data: dict) -> list[dict]:
    """The Bundle without its resources, then each resource on its own, so that an error names its entry."""
    entries = data.get("entry")
    skeleton = dict(data)
    if isinstance(entries, list):
        skeleton["entry"] = [{k: v for k, v in e.items() if k != "resource"} if isinstance(e, dict) else e
                             for e in entries]
    issues = _model_issues(Bundle, skeleton, "Bundle")
    if issues:
        raise BundleRefused(400, issues)
    if data.get("type") != "transaction":
        _refuse(400, "structure", f"The Bundle's type is {_shown(data.get('type'))}: a referral is sent as "
                                  "a Bundle of type \"transaction\".", "Bundle.type")
    entries = entries or []
    for index, entry in enumerate(entries):
        where = f"Bundle.entry[{index}]"
        if not isinstance(entry, dict):  # a JSON null, which fhir.resources lets through
            issues.append(Issue("structure", "Each entry must be a JSON object.", where))
            continue
        resource = entry.get("resource")
        if not isinstance(resource, dict):
            issues.append(Issue("required", "Each entry of a referral Bundle carries a resource to create.",
                                f"{where}.resource"))
            continue
        model = _resource_model(resource.get("resourceType"))
        if model is None:
            issues.append(Issue("structure", f"{_shown(resource.get('resourceType'))} is not a FHIR R4 "
                                             "resource type.", f"{where}.resource.resourceType"))
            continue
        issues += _model_issues(model, resource, f"{where}.resource")
        if not entry.get("request"):
            issues.append(Issue("required", "Each entry of a transaction needs a request (method and url).",
                                f"{where}.request"))
    if issues:
        raise BundleRefused(400, issues)
    return entries


# --- 2. what a referral needs (422) ----------------------------------------------------------------------


class _Entries:
    """The Bundle's resources by entry index, and references resolved within the Bundle."""

    def __init__(self, entries: list[dict]):
        self.resources = [entry["resource"] for entry in entries]
        self.by_url: dict[str, int] = {}
        for index, entry in enumerate(entries):
            resource = entry["resource"]
            if isinstance(entry.get("fullUrl"), str):
                self.by_url[entry["fullUrl"]] = index
            if resource.get("id"):
                self.by_url.setdefault(f"{resource['resourceType']}/{resource['id']}", index)

    def of_type(self, kind: str) -> list[tuple[int, dict]]:
        return [(index, r) for index, r in enumerate(self.resources) if r["resourceType"] == kind]

    def resolve(self, reference) -> tuple[int, dict] | None:
        """By fullUrl (urn:uuid:… or absolute), else as Type/id (relative, or an absolute URL's tail)."""
        ref = reference.get("reference") if isinstance(reference, dict) else None
        if not isinstance(ref, str) or not ref:
            return None
        index = self.by_url.get(ref)
        if index is None:
            index = self.by_url.get("/".join(ref.rstrip("/").split("/")[-2:]))
        return (index, self.resources[index]) if index is not None else None

    def refers_to(self, reference, index: int) -> bool:
        found = self.resolve(reference)
        return found is not None and found[0] == index


def _one(bundle: _Entries, kind: str, issues: list[Issue]) -> tuple[int, dict] | None:
    found = bundle.of_type(kind)
    if len(found) == 1:
        return found[0]
    if not found:
        issues.append(Issue("required", f"The Bundle has no {kind}. {NEEDED[kind]}", "Bundle.entry"))
    else:
        issues.append(Issue("not-supported", f"The Bundle has {len(found)} {kind} resources: send one "
                                             "referral, for one person, per Bundle.",
                            f"Bundle.entry[{found[1][0]}]"))
    return None


def _check_methods(entries: list[dict], issues: list[Issue]) -> None:
    for index, entry in enumerate(entries):
        method = (entry.get("request") or {}).get("method")
        if method not in ACCEPTED_METHODS:
            issues.append(Issue("not-supported", "A referral Bundle only creates (POST or PUT), not "
                                                 f"{_shown(method)}.",
                                f"Bundle.entry[{index}].request.method"))


def _check_patient(patient, issues: list[Issue]) -> None:
    index, resource = patient
    for key in ("deceasedBoolean", "deceasedDateTime"):
        if resource.get(key):
            issues.append(Issue("business-rule", "The Patient is recorded as having died: there is nobody to "
                                                 "rehouse.", f"Bundle.entry[{index}].resource.{key}"))


def _check_request(bundle: _Entries, request, patient, issues: list[Issue]) -> None:
    index, resource = request
    where = f"Bundle.entry[{index}].resource"
    if resource.get("status") != "active":
        status = _shown(resource.get("status"))
        issues.append(Issue("business-rule", f"The ServiceRequest's status is {status}: only an active "
                                             "request is a referral.", f"{where}.status"))
    if not bundle.refers_to(resource.get("subject"), patient[0]):
        issues.append(Issue("invalid", "ServiceRequest.subject must refer to the Patient in this Bundle.",
                            f"{where}.subject"))


def _check_consent(bundle: _Entries, consent, patient, issues: list[Issue]) -> None:
    index, resource = consent
    where = f"Bundle.entry[{index}].resource"
    if resource.get("status") != "active":
        issues.append(Issue("business-rule", f"The Consent's status is {_shown(resource.get('status'))}: H2H "
                                             "takes a referral only with active consent.", f"{where}.status"))
    if not bundle.refers_to(resource.get("patient"), patient[0]):
        issues.append(Issue("invalid", "Consent.patient must refer to the Patient in this Bundle.",
                            f"{where}.patient"))
    if (resource.get("provision") or {}).get("type") == "deny":
        issues.append(Issue("business-rule", "The Consent denies: H2H takes a referral only with consent "
                                             "that permits it.", f"{where}.provision.type"))


# --- 3. the values, through the referral form (422) -----------------------------------------------------


class _Answers:
    """Each answer's value and the element it came from (or, while missing, where it would be read)."""

    def __init__(self, patient: int, request: int, consent: int | None):
        p, s = f"Bundle.entry[{patient}].resource", f"Bundle.entry[{request}].resource"
        c = f"Bundle.entry[{consent}].resource" if consent is not None else "Bundle.entry"
        self.patient, self.request, self.consent = p, s, c
        self.values: dict = {}
        self.where = {
            "first_name": f"{p}.name", "last_name": f"{p}.name", "date_of_birth": f"{p}.birthDate",
            "nhs_number": f"{p}.identifier", "phone": f"{p}.telecom", "email": f"{p}.telecom",
            "hospital": f"{s}.encounter", "ward": f"{s}.encounter", "admission_date": f"{s}.encounter",
            "reasons": f"{s}.reasonCode", "housing_details": f"{s}.note",
            "consent": f"{c}.policyRule", "consent_decision_maker": f"{c}.performer",
            "consent_sharing": f"{c}.provision.purpose", "consent_notes": c,
        }
        self.where |= dict.fromkeys(("address_line_1", "address_line_2", "town", "postcode"), f"{p}.address")
        self.where |= dict.fromkeys(SUB_EXTENSIONS.values(), f"{s}.extension")
        self.where |= dict.fromkeys(("referrer_name", "referrer_role", "referrer_phone", "referrer_email"),
                                    f"{s}.requester")

    def put(self, field: str, value, where: str) -> None:
        if value in (None, "", []):
            return
        if field in LIST_FIELDS:
            if field not in self.values:
                self.where[field] = where
            self.values.setdefault(field, []).append(value)
        else:
            self.values[field], self.where[field] = value, where


def _dicts(value) -> list:
    """A list of elements, read defensively: fhir.resources lets JSON nulls through as absent values."""
    return [item if isinstance(item, dict) else {} for item in value] if isinstance(value, list) else []


def _strings(value) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _pick(items, prefer: tuple[str, ...]) -> tuple[int, dict] | tuple[None, None]:
    """The item whose `use` comes first in `prefer`, else the first not marked old."""
    items = _dicts(items)
    for use in prefer:
        for index, item in enumerate(items):
            if item.get("use") == use:
                return index, item
    for index, item in enumerate(items):
        if item.get("use") != "old":
            return index, item
    return None, None


def _person_name(name: dict) -> str:
    if name.get("text"):
        return name["text"]
    parts = [*_strings(name.get("prefix")), *_strings(name.get("given")), name.get("family") or ""]
    return " ".join(parts).strip()


def _telecom(answers: _Answers, resource: dict, where: str, fields: dict[str, str]) -> None:
    """The first phone and the first email: `fields` maps a telecom system to the answer."""
    for index, point in enumerate(_dicts(resource.get("telecom"))):
        field = fields.get(point.get("system"))
        if field and field not in answers.values:
            answers.put(field, point.get("value"), f"{where}.telecom[{index}].value")


def _read_patient(answers: _Answers, patient: dict) -> None:
    p = answers.patient
    index, name = _pick(patient.get("name"), ("official", "usual"))
    if name is not None:
        answers.put("first_name", " ".join(_strings(name.get("given"))), f"{p}.name[{index}].given")
        answers.put("last_name", name.get("family"), f"{p}.name[{index}].family")
    answers.put("date_of_birth", patient.get("birthDate"), f"{p}.birthDate")
    for i, identifier in enumerate(_dicts(patient.get("identifier"))):
        if identifier.get("system") == NHS_NUMBER_SYSTEM:
            answers.put("nhs_number", identifier.get("value"), f"{p}.identifier[{i}].value")
            break
    index, address = _pick(patient.get("address"), ("home",))
    if address is not None:
        a, lines = f"{p}.address[{index}]", _strings(address.get("line"))
        answers.put("address_line_1", lines[0] if lines else "", f"{a}.line[0]")
        answers.put("address_line_2", ", ".join(lines[1:]), f"{a}.line[1]")
        town = "city" if address.get("city") else "district"
        answers.put("town", address.get(town), f"{a}.{town}")
        answers.put("postcode", address.get("postalCode"), f"{a}.postalCode")
    _telecom(answers, patient, p, {"phone": "phone", "email": "email"})


def _read_extension(answers: _Answers, request: dict, issues: list[Issue]) -> None:
    for i, extension in enumerate(_dicts(request.get("extension"))):
        if extension.get("url") != REFERRAL_EXTENSION:
            continue
        for j, sub in enumerate(_dicts(extension.get("extension"))):
            where = f"{answers.request}.extension[{i}].extension[{j}]"
            field = SUB_EXTENSIONS.get(sub.get("url"))
            if field is None:
                issues.append(Issue("invalid", f"{_shown(sub.get('url'))} is not a sub-extension of "
                                               f"{REFERRAL_EXTENSION}; they are: "
                                               f"{', '.join(SUB_EXTENSIONS)}.", f"{where}.url"))
                continue
            key = next((key for key in sub if key.startswith("value")), "")
            answers.put(field, sub.get(key), f"{where}.{key}" if key else where)


def _named(bundle: _Entries, reference: dict, where: str) -> tuple[str, str]:
    """The name of what a reference points at: the resource's own if it is in the Bundle, else the display."""
    found = bundle.resolve(reference)
    if found is not None:
        index, resource = found
        name = resource.get("name")
        if isinstance(name, str):
            return name, f"Bundle.entry[{index}].resource.name"
        if _dicts(name):
            return _person_name(_dicts(name)[0]), f"Bundle.entry[{index}].resource.name[0]"
    return reference.get("display") or "", f"{where}.display"


def _read_encounter(answers: _Answers, bundle: _Entries, request: dict) -> None:
    found = bundle.resolve(request.get("encounter"))
    if found is None or found[1]["resourceType"] != "Encounter":
        return
    index, encounter = found
    if encounter.get("status") not in CURRENT_ENCOUNTER:
        return  # a finished or planned stay says nothing about where the person is now
    e = f"Bundle.entry[{index}].resource"
    # The date as written, whatever the offset. str(): fhir.resources lets a number through as a dateTime.
    start = (encounter.get("period") or {}).get("start")
    answers.put("admission_date", str(start).split("T")[0] if start else None, f"{e}.period.start")
    answers.put("hospital", *_named(bundle, encounter.get("serviceProvider") or {}, f"{e}.serviceProvider"))
    locations = _dicts(encounter.get("location"))
    if locations:
        answers.put("ward", *_named(bundle, locations[0].get("location") or {}, f"{e}.location[0].location"))


def _read_requester(answers: _Answers, bundle: _Entries, request: dict) -> None:
    """The referrer: a Practitioner (and its PractitionerRole, if in the Bundle), or a PractitionerRole."""
    requester = request.get("requester") or {}
    found = bundle.resolve(requester)
    kind = found[1]["resourceType"] if found else None
    role = practitioner = None
    if kind == "PractitionerRole":
        role, practitioner = found, bundle.resolve(found[1].get("practitioner"))
    elif kind == "Practitioner":
        practitioner = found
        role = next((r for r in bundle.of_type("PractitionerRole")
                     if bundle.refers_to(r[1].get("practitioner"), found[0])), None)
    names = _dicts(practitioner[1].get("name")) if practitioner is not None else []
    if names:
        answers.put("referrer_name", _person_name(names[0]),
                    f"Bundle.entry[{practitioner[0]}].resource.name[0]")
    elif role is not None:
        answers.put("referrer_name", (role[1].get("practitioner") or {}).get("display"),
                    f"Bundle.entry[{role[0]}].resource.practitioner.display")
    else:
        answers.put("referrer_name", requester.get("display"), f"{answers.request}.requester.display")
    for source in (role, practitioner):  # the role's own (work) contact details first
        if source is not None:
            _telecom(answers, source[1], f"Bundle.entry[{source[0]}].resource",
                     {"phone": "referrer_phone", "email": "referrer_email"})
    if role is not None:
        r = f"Bundle.entry[{role[0]}].resource"
        for i, concept in enumerate(_dicts(role[1].get("code"))):
            display = (_dicts(concept.get("coding")) or [{}])[0].get("display")
            if concept.get("text"):
                answers.put("referrer_role", concept["text"], f"{r}.code[{i}].text")
            else:
                answers.put("referrer_role", display, f"{r}.code[{i}].coding[0].display")
            if "referrer_role" in answers.values:
                break


def _read_request(answers: _Answers, bundle: _Entries, request: dict, issues: list[Issue]) -> None:
    s = answers.request
    _read_extension(answers, request, issues)
    for i, concept in enumerate(_dicts(request.get("reasonCode"))):
        for j, coding in enumerate(_dicts(concept.get("coding"))):
            if coding.get("system") == REASON_SYSTEM:
                answers.put("reasons", coding.get("code"), f"{s}.reasonCode[{i}].coding[{j}].code")
    notes = [note.get("text") or "" for note in _dicts(request.get("note"))]
    answers.put("housing_details", "\n\n".join(text for text in notes if text), f"{s}.note[0].text")
    _read_encounter(answers, bundle, request)
    _read_requester(answers, bundle, request)


def _read_consent(answers: _Answers, bundle: _Entries, consent: dict) -> None:
    c = answers.consent
    for j, coding in enumerate(_dicts((consent.get("policyRule") or {}).get("coding"))):
        if coding.get("system") == CONSENT_SYSTEM:
            answers.put("consent", coding.get("code"), f"{c}.policyRule.coding[{j}].code")
            break
    performers = _dicts(consent.get("performer"))
    if answers.values.get("consent") == "best_interests" and performers:
        answers.put("consent_decision_maker", *_named(bundle, performers[0], f"{c}.performer[0]"))
    for j, coding in enumerate(_dicts((consent.get("provision") or {}).get("purpose"))):
        if coding.get("system") == SHARING_SYSTEM:
            answers.put("consent_sharing", coding.get("code"), f"{c}.provision.purpose[{j}].code")


def _form_data(values: dict) -> dict:
    """The answers as the web form posts them (three boxes for a date, yes or no for a carer)."""
    data = {}
    for field, value in values.items():
        if field in DATE_FIELDS:
            year, month, day = (str(value).split("-") + ["", ""])[:3]
            data |= {f"{field}_year": year, f"{field}_month": month, f"{field}_day": day}
        elif field in LIST_FIELDS:
            data[field] = [str(item) for item in value]
        elif field == "has_carer":  # valueBoolean only: repr() makes anything else an invalid choice
            data[field] = ("yes" if value else "no") if isinstance(value, bool) else repr(value)
        else:
            data[field] = str(value)
    return data


def _validate(answers: _Answers) -> tuple[dict, list[tuple[str, Issue]]]:
    """Every step of the web form, validated: the cleaned answers, and (field, issue) for each error."""
    data = _form_data(answers.values)
    # FHIR allows a year, or a year and month; the form's words for that ("Enter a complete value") don't fit.
    partial = {field for field in DATE_FIELDS
               if field in answers.values and not FULL_DATE.fullmatch(str(answers.values[field]))}
    cleaned, issues = {}, []
    for form_class in STEPS.values():
        form = form_class(data, keyed_by_staff=False) if form_class is ReferrerForm else form_class(data)
        if form.is_valid():
            cleaned |= form.cleaned_data
            continue
        for field, errors in form.errors.as_data().items():
            label = str(form.fields[field].label).rstrip("?:") if field in form.fields else "The referral"
            source = SOURCES.get(field, "the ServiceRequest")
            for error in errors:
                # A rule asking for a missing answer (the hospital, for someone in a bed) is "required" too.
                missing = error.code == "required" or field not in answers.values
                messages = ["Enter the full date: year, month, day"] if field in partial else error.messages
                for message in messages:
                    diagnostics = f"{label}: {message.rstrip('.')}. H2H reads this from {source}."
                    issues.append((field, Issue("required" if missing else "invalid", diagnostics,
                                                answers.where.get(field, answers.request))))
    return cleaned, issues
