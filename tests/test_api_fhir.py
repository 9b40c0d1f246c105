"""FHIR R4 referrals: a transaction Bundle creates a referral, a bad one gets an OperationOutcome naming the
element, and the status reads back as a ServiceRequest or a Task.

h2h/api/routers/fhir.py, h2h/api/fhir_intake.py, h2h/api/fhir_out.py; format in
docs/formats/fhir-referral-bundle.md; the example Bundles and their sources in tests/data/fhir/README.md.
"""

import copy
import json
import re
import types
import typing
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from fhir.resources.R4B import get_fhir_model_class
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from h2h.accounts.roles import Role
from h2h.api import status
from h2h.api.services import client_create
from h2h.audit.models import AuditEvent
from h2h.cases.models import Case
from h2h.cases.stages import ClosingReason, Stage
from h2h.referrals.models import Referral
from tests.factories import make_org, make_user, referrer_org, service_org

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent / "data" / "fhir"
UKCORE_BUNDLE = DATA / "ukcore-referral-bundle.json"
H2H_BUNDLE = DATA / "h2h-referral-bundle.json"
H2H = "https://housing-to-health.example/fhir"
FHIR_JSON = "application/fhir+json"


def _bundle(path: Path = UKCORE_BUNDLE) -> dict:
    return json.loads(path.read_text())


def _token(role=Role.REFERRER, organisation=None) -> str:
    service_org()  # the service the referral is sent to (nottingham.toml names NCH)
    _, token = client_create(name=f"{role} system", organisation=organisation or referrer_org(), role=role,
                             by=make_user(Role.ADMINISTRATOR))
    return token


@pytest.fixture
def token():
    return _token()


def _post(client, token, body, content_type=FHIR_JSON):
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    return client.post("/api/v1/fhir", data=data, content_type=content_type,
                       headers={"Authorization": f"Bearer {token}"})


def _get(client, token, path):
    return client.get(f"/api/v1/fhir/{path}", headers={"Authorization": f"Bearer {token}"})


def _outcome(response, status_code) -> list[dict]:
    assert response.status_code == status_code, response.content
    assert response["Content-Type"] == FHIR_JSON
    body = response.json()
    get_fhir_model_class("OperationOutcome").model_validate(body)
    assert all(issue["severity"] == "error" and issue["diagnostics"] for issue in body["issue"])
    return body["issue"]


def _expressions(issues) -> set[str]:
    return {expression for issue in issues for expression in issue.get("expression", [])}


# --- the UK Core example ----------------------------------------------------------------------------------

NS = "{http://hl7.org/fhir}"
XHTML = "{http://www.w3.org/1999/xhtml}"


def _unwrap(annotation) -> tuple[bool, object]:
    is_list = False
    while True:
        origin, args = typing.get_origin(annotation), typing.get_args(annotation)
        if origin in (typing.Union, types.UnionType):
            annotation = next(a for a in args if a is not type(None))
        elif origin is list:
            is_list, annotation = True, args[0]
        else:
            return is_list, annotation


def _xml_element(elem, model, raw: str) -> dict:
    """FHIR XML to JSON, led by the R4B model (which elements repeat, which primitives are booleans or
    numbers): enough for the guide's examples, so the JSON Bundle can be checked against the XML published."""
    out = {key: elem.attrib[key] for key in ("id", "url") if key in elem.attrib}
    for child in elem:
        if not isinstance(child.tag, str):
            continue  # an XML comment
        tag = child.tag.replace(NS, "").replace(XHTML, "")
        if tag == "div":
            out["div"] = re.search(r'<div xmlns="http://www.w3.org/1999/xhtml">.*?</div>', raw, re.S).group(0)
            continue
        field = next(f for f in model.model_fields.values() if f.alias == tag)
        is_list, inner = _unwrap(field.annotation)
        if "value" in child.attrib:
            base = typing.get_args(inner)[0] if typing.get_origin(inner) is typing.Annotated else inner
            text = child.attrib["value"]
            value = text == "true" if base is bool else int(text) if base is int else text
        else:
            value = _xml_element(child, get_fhir_model_class(inner.__name__.removesuffix("Type")), raw)
        if is_list:
            out.setdefault(tag, []).append(value)
        else:
            out[tag] = value
    return out


def _from_xml(path: Path) -> dict:
    raw = path.read_text()
    root = ET.fromstring(raw)  # noqa: S314 (our copies of the guide's published examples)
    kind = root.tag.replace(NS, "")
    return {"resourceType": kind, **_xml_element(root, get_fhir_model_class(kind), raw)}


def _without_h2h(value):
    """The resource with every element H2H added (anything naming an H2H URL or system) taken out."""
    if isinstance(value, dict):
        if any(isinstance(v, str) and v.startswith(H2H) for k, v in value.items() if k in ("url", "system")):
            return None
        kept = {k: _without_h2h(v) for k, v in value.items()}
        return {k: v for k, v in kept.items() if v not in (None, [], {})}
    if isinstance(value, list):
        return [v for v in (_without_h2h(item) for item in value) if v not in (None, [], {})]
    return value


def test_ukcore_bundle_holds_the_guides_examples_verbatim_plus_only_h2h_elements():
    bundle = _bundle()
    kinds = []
    for entry in bundle["entry"]:
        resource = entry["resource"]
        kinds.append(resource["resourceType"])
        published = _from_xml(DATA / "ukcore" / f"{resource['id']}.xml")
        assert _without_h2h(resource) == published, resource["id"]
        assert entry["fullUrl"].endswith(f"/{resource['resourceType']}/{resource['id']}")
    assert kinds[:3] == ["Patient", "ServiceRequest", "Consent"]
    # What H2H added: the referral extension and a reason on the ServiceRequest; the consent basis and two
    # sharing purposes on the Consent.
    added = json.dumps(bundle).count(H2H)
    assert added == 1 + 1 + 1 + 2


def test_ukcore_example_bundle_creates_a_referral(client, token):
    response = _post(client, token, _bundle())
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == FHIR_JSON
    body = response.json()
    get_fhir_model_class("Bundle").model_validate(body)
    referral = Referral.objects.get()
    assert body["type"] == "transaction-response" and len(body["entry"]) == 8
    assert body["entry"][1]["response"]["status"] == "201 Created"
    assert body["entry"][1]["response"]["location"] == f"ServiceRequest/{referral.reference}"
    assert {e["response"]["status"] for i, e in enumerate(body["entry"]) if i != 1} == {"200 OK"}

    person = referral.person
    assert (person.first_name, person.last_name) == ("Richard", "SMITH")
    assert person.date_of_birth == date(1970, 9, 11)
    assert person.nhs_number == "9912003888"
    assert (person.address_line_1, person.town, person.postcode, person.phone) == (
        "4 Sandmoor Drive", "LEEDS", "LS17 7DF", "01131231234")
    assert referral.received_via == Referral.ReceivedVia.API
    assert referral.created_by.api_client.name == "referrer system"
    assert referral.referrer_organisation == referrer_org()
    # The Encounter finished in 2019, so says nothing about now: the person is at home, as the extension says.
    assert (referral.setting, referral.hospital, referral.admission_date) == ("community", "", None)
    assert referral.reasons == ["accessibility"]
    assert (referral.tenure, referral.household_size, referral.has_carer) == ("owner_occupier", 1, False)
    assert (referral.mobility, referral.wheelchair_use, referral.benefits) == ("walking_aid", "none", [])
    assert (referral.referrer_name, referral.referrer_role, referral.referrer_phone) == (
        "Dr Paul Rastall", "General practitioner", "0113 6323200")
    assert (referral.consent, referral.consent_sharing) == ("given", ["housing", "health"])
    # Clinical detail the form does not ask for (colonoscopy, abdominal distension) is not kept anywhere.
    assert "olonoscopy" not in json.dumps(Referral.objects.values().get(), default=str)
    assert referral.case.stage == Stage.REFERRAL_RECEIVED
    event = AuditEvent.objects.get(object_type="referral", action=AuditEvent.Action.CREATE)
    assert event.person_id == person.pk and event.object_id == str(referral.pk)


def test_ukcore_bundle_with_a_wrong_nhs_number_check_digit_is_refused(client, token):
    bundle = _bundle()
    bundle["entry"][0]["resource"]["identifier"][0]["value"] = "9912003887"
    issues = _outcome(_post(client, token, bundle), 422)
    assert len(issues) == 1 and issues[0]["code"] == "invalid"
    assert issues[0]["expression"] == ["Bundle.entry[0].resource.identifier[0].value"]
    assert "check digit" in issues[0]["diagnostics"]
    assert not Referral.objects.exists()


def test_ukcore_bundle_with_a_current_encounter_reads_where_the_person_is(client, token):
    bundle = _bundle()
    encounter = bundle["entry"][3]["resource"]
    encounter["status"] = "in-progress"
    del encounter["period"]["end"]
    bundle["entry"][1]["resource"]["extension"][1]["extension"][0]["valueCode"] = "acute_hospital"
    assert _post(client, token, bundle).status_code == 200
    referral = Referral.objects.get()
    assert (referral.setting, referral.hospital, referral.ward, referral.admission_date) == (
        "acute_hospital", "LEEDS TEACHING HOSPITALS NHS TRUST", "CARDIOLOGY SJUH", date(2019, 12, 10))


# --- H2H's own example: everything the form asks -----------------------------------------------------------


def test_h2h_example_bundle_carries_every_answer(client, token):
    response = _post(client, token, _bundle(H2H_BUNDLE), content_type="application/json")
    assert response.status_code == 200, response.content
    referral = Referral.objects.get()
    assert referral.person.nhs_number == "9990000018" and referral.person.address_line_2 == "Lenton"
    assert (referral.setting, referral.hospital, referral.ward) == (
        "acute_hospital", "Queen's Medical Centre", "Ward C52")
    assert (referral.admission_date, referral.medically_ready_date) == (date(2026, 1, 5), date(2026, 1, 20))
    assert referral.reasons == ["accessibility", "delayed_discharge"]
    assert referral.housing_details == "Stairs to the front door; bathroom upstairs."
    assert referral.benefits == ["attendance_allowance"] and referral.wheelchair_use == "occasional"
    assert (referral.referrer_name, referral.referrer_role, referral.referrer_email) == (
        "Rita Referrer", "Discharge coordinator", "discharge.team@nuh.example")
    assert referral.in_footprint


def test_a_second_bundle_for_the_same_person_is_linked_to_the_open_case(client, token):
    assert _post(client, token, _bundle(H2H_BUNDLE)).status_code == 200
    assert _post(client, token, _bundle(H2H_BUNDLE)).status_code == 200
    first, second = Referral.objects.order_by("id")
    assert second.person == first.person and second.linked_to_open_case and second.case == first.case


# --- refused: 400 for what is not a FHIR transaction Bundle ---------------------------------------------

# The H2H example's entries: 0 Patient, 1 ServiceRequest, 2 Consent, 3 Encounter, 4 PractitionerRole.
PATIENT, REQUEST, CONSENT = (f"Bundle.entry[{n}].resource" for n in range(3))


def _mutated(change, path=H2H_BUNDLE) -> dict:
    bundle = _bundle(path)
    change(bundle)
    return bundle


def _set(path: str, value):
    """A change to the Bundle: set the element at a dotted path (numbers index lists); None deletes it."""
    def change(bundle):
        *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
        target = bundle
        for part in parents:
            target = target[part]
        if value is None:
            del target[last]
        else:
            target[last] = value
    return change


def _bad(path, value) -> dict:
    return _mutated(_set(path, value))


@pytest.mark.parametrize(("body", "expression", "words"), [
    pytest.param(b"{not json", None, "not valid JSON", id="not-json"),
    pytest.param(b"\xff\xfe", None, "not UTF-8", id="not-utf8"),
    pytest.param(b'{"resourceType": "Bundle", "id": "\\ud800"}', None, "surrogate", id="not-text"),
    pytest.param(b"[1, 2]", None, "must be a FHIR Bundle", id="array"),
    pytest.param('{"resourceType": "Patient"}', "Bundle.resourceType", "not a Bundle", id="patient"),
    pytest.param(_bad("type", "collection"), "Bundle.type", "transaction", id="collection"),
    pytest.param(_bad("type", None), "Bundle.type", "required", id="no-type"),
    pytest.param(_bad("entry.0.resource.birthDate", "11/09/1948"), f"{PATIENT}.birthDate", "FHIR R4",
                 id="bad-birthdate"),
    pytest.param(_bad("entry.0.resource.gender", 3), f"{PATIENT}.gender", "FHIR R4", id="bad-gender"),
    pytest.param(_bad("entry.0.resource.shoeSize", 9), f"{PATIENT}.shoeSize", "Unknown element",
                 id="unknown-element"),
    pytest.param(_bad("entry.3.resource.resourceType", "Stay"), "Bundle.entry[3].resource.resourceType",
                 "'Stay'", id="unknown-resource"),
    pytest.param(_bad("entry.3.resource.resourceType", "HumanName"), "Bundle.entry[3].resource.resourceType",
                 "not a FHIR R4 resource", id="data-type"),
    pytest.param(_bad("entry.1.request", None), "Bundle.entry[1].request", "request", id="no-request"),
    pytest.param(_bad("entry.2.resource", None), "Bundle.entry[2].resource", "resource", id="no-resource"),
    pytest.param(_bad("entry", [1, "two"]), "Bundle.entry[0]", "FHIR R4", id="entries-not-objects"),
])
def test_what_is_not_a_fhir_transaction_bundle_is_a_400(client, token, body, expression, words):
    issues = _outcome(_post(client, token, body), 400)
    if expression:
        assert expression in _expressions(issues)
    assert any(words in issue["diagnostics"] for issue in issues), issues
    assert not Referral.objects.exists()


TRANSACTION = {"resourceType": "Bundle", "type": "transaction"}


@pytest.mark.parametrize("body", [
    pytest.param(TRANSACTION | {"entry": [{"request": {"method": "POST", "url": "Bundle"}, "resource": {
        "resourceType": "Bundle", "type": "collection", "entry": [{"resource": {"resourceType": "Nope"}}]}}]},
                 id="nested-unknown"),
    pytest.param(TRANSACTION | {"entry": None}, id="null-entry"),
    pytest.param(TRANSACTION | {"entry": [{}]}, id="empty-entry"),
    pytest.param(TRANSACTION | {"entry": [None]}, id="null-in-entries"),
    pytest.param(TRANSACTION | {"entry": [{"resource": {"resourceType": 7}}]}, id="numeric-type"),
    pytest.param(TRANSACTION | {"entry": [{"resource": []}]}, id="list-resource"),
    pytest.param(TRANSACTION | {"type": ["transaction"]}, id="list-type"),
    pytest.param(TRANSACTION | {"entry": [{"resource": {"resourceType": "Patient", "name": {"given": "x"}}}]},
                 id="wrong-shapes"),
    pytest.param(TRANSACTION | {"entry": [{"request": {"method": "POST", "url": "Patient"},
                                           "resource": {"resourceType": "Patient"}}]}, id="only-a-patient"),
    pytest.param({"resourceType": None}, id="null-type"),
    pytest.param({}, id="empty"),
])
def test_odd_json_is_refused_never_a_server_error(client, token, body):
    response = _post(client, token, body)
    assert response.status_code in (400, 422)
    _outcome(response, response.status_code)


# --- refused: 422 for a valid Bundle that is not a referral H2H can take -----------------------------------


def _drop(kind):
    def change(bundle):
        bundle["entry"] = [e for e in bundle["entry"] if e["resource"]["resourceType"] != kind]
    return change


def _extension_without(sub):
    def change(bundle):
        extension = bundle["entry"][1]["resource"]["extension"][0]
        extension["extension"] = [e for e in extension["extension"] if e["url"] != sub]
    return change


def _duplicate_patient(bundle):
    bundle["entry"].append(copy.deepcopy(bundle["entry"][0]) | {"fullUrl": "urn:uuid:another"})


def _future(bundle):
    bundle["entry"][0]["resource"]["birthDate"] = (timezone.localdate() + timedelta(days=3)).isoformat()


HEALTH_ONLY = [{"system": f"{H2H}/CodeSystem/consent-sharing", "code": "health"}]
SUB = f"{REQUEST}.extension[0].extension"


@pytest.mark.parametrize(("change", "code", "expression", "words"), [
    pytest.param(_drop("Patient"), "required", "Bundle.entry", "no Patient", id="no-patient"),
    pytest.param(_drop("ServiceRequest"), "required", "Bundle.entry", "no ServiceRequest", id="no-request"),
    pytest.param(_drop("Consent"), "required", "Bundle.entry", "never assumes consent", id="no-consent"),
    pytest.param(_duplicate_patient, "not-supported", "Bundle.entry[5]", "one referral", id="two-patients"),
    pytest.param(_set("entry.0.resource.identifier.0.value", "9990000019"), "invalid",
                 f"{PATIENT}.identifier[0].value", "check digit", id="nhs-check-digit"),
    pytest.param(_set("entry.0.resource.identifier.0.value", "99900"), "invalid",
                 f"{PATIENT}.identifier[0].value", "10 digits", id="nhs-length"),
    pytest.param(_future, "invalid", f"{PATIENT}.birthDate", "today or in the past", id="future-birthdate"),
    pytest.param(_set("entry.0.resource.birthDate", "1948"), "invalid", f"{PATIENT}.birthDate", "full date",
                 id="partial-birthdate"),
    pytest.param(_set("entry.0.resource.birthDate", None), "required", f"{PATIENT}.birthDate",
                 "Date of birth", id="no-birthdate"),
    pytest.param(_set("entry.0.resource.name.0.family", "Test\x00person"), "invalid",
                 f"{PATIENT}.name[0].family", "Null characters", id="nul-in-name"),
    pytest.param(_set("entry.0.resource.address.0.postalCode", "NG7"), "invalid",
                 f"{PATIENT}.address[0].postalCode", "real postcode", id="bad-postcode"),
    pytest.param(_set("entry.0.resource.deceasedBoolean", True), "business-rule",
                 f"{PATIENT}.deceasedBoolean", "died", id="deceased"),
    pytest.param(_set("entry.1.resource.status", "draft"), "business-rule", f"{REQUEST}.status", "active",
                 id="draft-request"),
    pytest.param(_set("entry.1.resource.subject", {"reference": "Patient/someone-else"}), "invalid",
                 f"{REQUEST}.subject", "Patient in this Bundle", id="subject-elsewhere"),
    pytest.param(_extension_without("tenure"), "required", f"{REQUEST}.extension", "'tenure' sub-extension",
                 id="no-tenure"),
    pytest.param(_set("entry.1.resource.extension.0.extension.0.valueCode", "hotel"), "invalid",
                 f"{SUB}[0].valueCode", "hotel", id="unknown-setting"),
    pytest.param(_set("entry.1.resource.extension.0.extension.3.url", "householdSise"), "invalid",
                 f"{SUB}[3].url", "not a sub-extension", id="unknown-sub-extension"),
    pytest.param(_set("entry.1.resource.reasonCode", None), "required", f"{REQUEST}.reasonCode",
                 "housing affects their health", id="no-reasons"),
    pytest.param(_set("entry.1.resource.encounter", None), "required", f"{REQUEST}.encounter",
                 "hospital, unit or care home", id="no-encounter"),
    pytest.param(_set("entry.3.resource.period.start", "2026-01-25"), "invalid", f"{SUB}[1].valueDate",
                 "on or after the date admitted", id="ready-before-admitted"),
    pytest.param(_set("entry.4.resource.code", None), "required", f"{REQUEST}.requester", "Job title",
                 id="no-role"),
    pytest.param(_set("entry.2.resource.status", "proposed"), "business-rule", f"{CONSENT}.status", "active",
                 id="consent-proposed"),
    pytest.param(_set("entry.2.resource.provision.type", "deny"), "business-rule",
                 f"{CONSENT}.provision.type", "denies", id="consent-denies"),
    pytest.param(_set("entry.2.resource.policyRule", None), "required", f"{CONSENT}.policyRule",
                 "agreed to this referral", id="no-consent-basis"),
    pytest.param(_set("entry.2.resource.provision.purpose", HEALTH_ONLY), "invalid",
                 f"{CONSENT}.provision.purpose[0].code", "housing provider", id="sharing-without-housing"),
    pytest.param(_set("entry.2.resource.policyRule.coding.0.code", "best_interests"), "required",
                 f"{CONSENT}.performer", "best-interests decision", id="best-interests-without-who"),
    pytest.param(_set("entry.1.request.method", "DELETE"), "not-supported", "Bundle.entry[1].request.method",
                 "DELETE", id="delete"),
])
def test_a_referral_the_form_would_refuse_is_a_422_naming_the_element(client, token, change, code,
                                                                       expression, words):
    issues = _outcome(_post(client, token, _mutated(change)), 422)
    named = [issue for issue in issues if expression in issue.get("expression", [])]
    assert named, issues
    assert any(issue["code"] == code and words in issue["diagnostics"] for issue in named), named
    assert not Referral.objects.exists()


def _leaves(value, path=()):
    """Every place in a Bundle a value sits: dict keys and list indexes, leaves and branches alike."""
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return
    for key, item in items:
        yield (*path, key)
        yield from _leaves(item, (*path, key))


EXAMPLE_PATHS = list(_leaves(_bundle(H2H_BUNDLE)))
FIRST_UUID = "6f0c2a3e-7b1d-4c5e-9a2f-1d3b5c7e9f01"  # the Patient's fullUrl
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12)
    | st.sampled_from(["", "Patient", "1948-04-03", "best_interests", f"urn:uuid:{FIRST_UUID}"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)


@given(changes=st.lists(st.tuples(st.sampled_from(EXAMPLE_PATHS), JSON_VALUES), min_size=1, max_size=3))
@hypothesis_settings(max_examples=60, derandomize=True, database=None, deadline=None,
          suppress_health_check=list(HealthCheck))
def test_any_change_to_a_good_bundle_is_taken_or_refused_never_a_server_error(client, token, changes):
    bundle = _bundle(H2H_BUNDLE)
    for path, value in changes:
        target = bundle
        try:
            for part in path[:-1]:
                target = target[part]
            target[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change took this path away
    response = _post(client, token, bundle)
    assert response.status_code in (200, 400, 422), response.content
    assert response["Content-Type"] == FHIR_JSON


def test_a_best_interests_decision_names_who_made_it(client, token):
    def change(bundle):
        consent = bundle["entry"][2]["resource"]
        consent["policyRule"]["coding"][0]["code"] = "best_interests"
        consent["performer"] = [{"display": "Dr Asha Patel, consultant geriatrician"}]
    assert _post(client, token, _mutated(change)).status_code == 200
    referral = Referral.objects.get()
    assert (referral.consent, referral.consent_decision_maker) == (
        "best_interests", "Dr Asha Patel, consultant geriatrician")


def test_a_bundle_too_large_is_a_413(client, token, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    _outcome(_post(client, token, _bundle(H2H_BUNDLE)), 413)


# --- who may call ------------------------------------------------------------------------------------------


def test_only_a_referrers_system_may_send_or_read(client):
    token = _token(Role.LETTINGS_OFFICER, organisation=service_org())
    assert _outcome(_post(client, token, _bundle(H2H_BUNDLE)), 403)[0]["code"] == "forbidden"
    assert _outcome(_get(client, token, "Task/R000001"), 403)[0]["code"] == "forbidden"


def test_no_token_is_a_401_problem(client):
    response = client.post("/api/v1/fhir", data=json.dumps(_bundle(H2H_BUNDLE)), content_type=FHIR_JSON)
    assert response.status_code == 401 and response["Content-Type"] == "application/problem+json"


# --- reading the status back -------------------------------------------------------------------------------


def _submitted(client, token) -> Referral:
    assert _post(client, token, _bundle(H2H_BUNDLE)).status_code == 200
    return Referral.objects.select_related("case").latest("id")


def test_service_request_and_task_read_back_with_the_status_and_nothing_else(client, token):
    referral = _submitted(client, token)
    response = _get(client, token, f"ServiceRequest/{referral.reference}")
    assert response.status_code == 200 and response["Content-Type"] == FHIR_JSON
    body = response.json()
    get_fhir_model_class("ServiceRequest").model_validate(body)
    assert (body["id"], body["status"], body["intent"]) == (referral.reference, "active", "order")
    assert body["subject"] == {"identifier": {"system": "https://fhir.nhs.uk/Id/nhs-number",
                                              "value": "9990000018"}}

    body = _get(client, token, f"Task/{referral.reference}").json()
    get_fhir_model_class("Task").model_validate(body)
    assert body["status"] == "requested"
    assert body["focus"] == {"reference": f"ServiceRequest/{referral.reference}"}
    code, label, updated_on = status.referral_status(referral)
    assert body["businessStatus"]["text"] == label and body["businessStatus"]["coding"][0]["code"] == code
    assert body["lastModified"] == updated_on.isoformat()
    # Status and reference only: no name, no health or housing detail.
    text = json.dumps(body)
    assert not any(word in text for word in ("Testperson", "9990000018", "Stairs", "acute"))
    assert "for" not in body and "subject" not in body
    views = AuditEvent.objects.filter(object_type="referral", action=AuditEvent.Action.VIEW)
    assert views.count() == 2 and {v.person_id for v in views} == {referral.person_id}


def _case_at(case: Case, stage=None, *, decision="", closing_reason=""):
    case.stage = stage or case.stage
    case.decision = decision
    case.closing_reason = closing_reason
    case.save()


@pytest.mark.parametrize(("stage", "decision", "closing_reason", "request_status", "task_status"), [
    (Stage.SCREENED, "accepted", "", "active", "accepted"),
    (Stage.CLOSED, "declined", ClosingReason.NOT_ELIGIBLE, "revoked", "rejected"),
    (Stage.TENANCY_START, "accepted", "", "completed", "completed"),
    (Stage.CLOSED, "accepted", ClosingReason.REHOUSED, "completed", "completed"),
    (Stage.CLOSED, "accepted", ClosingReason.WITHDRAWN, "revoked", "cancelled"),
])
def test_status_follows_the_case(client, token, stage, decision, closing_reason, request_status, task_status):
    referral = _submitted(client, token)
    _case_at(referral.case, stage, decision=decision, closing_reason=closing_reason)
    assert _get(client, token, f"ServiceRequest/{referral.reference}").json()["status"] == request_status
    assert _get(client, token, f"Task/{referral.reference}").json()["status"] == task_status


def test_a_linked_referral_reads_as_the_case_it_joined(client, token):
    first = _submitted(client, token)
    _case_at(first.case, Stage.SCREENED, decision="accepted")
    second = _submitted(client, token)
    task = _get(client, token, f"Task/{second.reference}").json()
    assert task["status"] == "accepted" and task["businessStatus"]["coding"][0]["code"] == "linked"
    assert task["businessStatus"]["text"].startswith("Linked to the person's open referral")


@pytest.mark.parametrize("path", ["ServiceRequest/R999999", "Task/R000000", "Task/R1x", "Task/%20",
                                  "ServiceRequest/R00000000000000000001"])
def test_unknown_references_are_a_404_outcome(client, token, path):
    assert _outcome(_get(client, token, path), 404)[0]["code"] == "not-found"


def test_another_organisations_referral_is_not_found(client, token):
    referral = _submitted(client, token)
    other = _token(organisation=make_org("SFH", name="Sherwood Forest Hospitals"))
    _outcome(_get(client, other, f"ServiceRequest/{referral.reference}"), 404)
    _outcome(_get(client, other, f"Task/{referral.reference}"), 404)
    assert not AuditEvent.objects.filter(object_type="referral", action=AuditEvent.Action.VIEW).exists()


# --- the OpenAPI description -------------------------------------------------------------------------------


def test_openapi_documents_every_fhir_response_as_fhir_json(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    operations = [(paths["/api/v1/fhir"]["post"], {"200", "400", "401", "403", "413", "422"})]
    for kind in ("ServiceRequest", "Task"):
        operations.append((paths[f"/api/v1/fhir/{kind}/{{reference}}"]["get"], {"200", "401", "403", "404"}))
    for operation, codes in operations:
        assert set(operation["responses"]) == codes
        for code, response in operation["responses"].items():
            expected = "application/problem+json" if code == "401" else FHIR_JSON
            assert list(response["content"]) == [expected], (code, response)
    body = operations[0][0]["requestBody"]["content"]
    assert set(body) == {FHIR_JSON, "application/json"}
