"""What the FHIR endpoints answer with: OperationOutcome, the transaction-response Bundle, and the
ServiceRequest and Task a referrer's system reads a referral's status from. Plain dicts shaped as FHIR R4
(the tests validate them with the fhir.resources R4B models). Documented in
docs/formats/fhir-referral-bundle.md.

The ServiceRequest and Task carry the reference and a coarse status (h2h/api/status.py) only: never the health
or housing details the referrer sent, and nothing the service has learnt since.
"""

from dataclasses import dataclass
from datetime import date

from django.http import JsonResponse
from django.utils import timezone

from h2h.api import status
from h2h.referrals.models import Referral

FHIR_JSON = "application/fhir+json"
H2H_FHIR = "https://housing-to-health.example/fhir"  # a name, not an address to fetch (.example)
REFERRAL_ID_SYSTEM = f"{H2H_FHIR}/Id/referral"
REFERRAL_STATUS_SYSTEM = f"{H2H_FHIR}/CodeSystem/referral-status"
NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"

# Our status codes (h2h/api/status.py) as FHIR statuses. ServiceRequest.status is the request's own lifecycle
# (active until it ends, completed when the person is rehoused, revoked when it ended any other way);
# Task.status is the service's answer to it.
SERVICE_REQUEST_STATUS = {
    status.RECEIVED: "active",
    status.ACCEPTED: "active",
    status.DECLINED: "revoked",
    status.REHOUSED: "completed",
    status.CLOSED: "revoked",
}
TASK_STATUS = {
    status.RECEIVED: "requested",
    status.ACCEPTED: "accepted",
    status.DECLINED: "rejected",
    status.REHOUSED: "completed",
    status.CLOSED: "cancelled",
}


@dataclass
class Issue:
    """One OperationOutcome.issue: `code` from FHIR's issue-type value set; `expression` names the element."""

    code: str
    diagnostics: str
    expression: str = ""
    severity: str = "error"


def operation_outcome(issues: list[Issue]) -> dict:
    body = []
    for issue in issues:
        item = {"severity": issue.severity, "code": issue.code, "diagnostics": issue.diagnostics}
        if issue.expression:
            item["expression"] = [issue.expression]
        body.append(item)
    return {"resourceType": "OperationOutcome", "issue": body}


def fhir_response(body: dict, status_code: int = 200) -> JsonResponse:
    return JsonResponse(body, status=status_code, content_type=FHIR_JSON)


def outcome_response(status_code: int, issues: list[Issue]) -> JsonResponse:
    return fhir_response(operation_outcome(issues), status_code)


def _fhir_status(referral: Referral) -> tuple[str, str, str, date]:
    """(code the FHIR status comes from, our code, label, updated_on). A linked referral follows its case."""
    code, label, updated_on = status.referral_status(referral)
    mapped = code
    if code == status.LINKED:
        mapped = status.case_status(referral.case)[0]
    return mapped, code, label, updated_on


def _identifier(referral: Referral) -> list[dict]:
    return [{"system": REFERRAL_ID_SYSTEM, "value": referral.reference}]


def _instant(value) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds")


def service_request(referral: Referral) -> dict:
    """The referral as the ServiceRequest the referrer sent, with its status now. The subject is named by NHS
    number where known (the referrer's system sent it), else by name."""
    mapped, _, _, _ = _fhir_status(referral)
    person = referral.person
    if person.nhs_number:
        subject = {"identifier": {"system": NHS_NUMBER_SYSTEM, "value": person.nhs_number}}
    else:
        subject = {"display": person.full_name}
    return {
        "resourceType": "ServiceRequest",
        "id": referral.reference,
        "identifier": _identifier(referral),
        "status": SERVICE_REQUEST_STATUS[mapped],
        "intent": "order",
        "code": {"text": "Housing to Health referral"},
        "subject": subject,
        "authoredOn": _instant(referral.received_at),
    }


def task(referral: Referral) -> dict:
    """The service's work on the referral: status, our label for it, and the referral. Nothing else."""
    mapped, code, label, updated_on = _fhir_status(referral)
    return {
        "resourceType": "Task",
        "id": referral.reference,
        "identifier": _identifier(referral),
        "status": TASK_STATUS[mapped],
        "businessStatus": {"coding": [{"system": REFERRAL_STATUS_SYSTEM, "code": code}], "text": label},
        "intent": "order",
        "focus": {"reference": f"ServiceRequest/{referral.reference}"},
        "authoredOn": _instant(referral.received_at),
        "lastModified": updated_on.isoformat(),
    }


def transaction_response(*, entry_count: int, service_request_index: int, referral: Referral) -> dict:
    """One response entry per request entry, in order (FHIR's rule for transactions). Only the ServiceRequest
    becomes something that can be read back; the other resources were read into the referral, so they answer
    200 OK without a location."""
    entries = []
    for index in range(entry_count):
        if index == service_request_index:
            response = {
                "status": "201 Created",
                "location": f"ServiceRequest/{referral.reference}",
                "lastModified": _instant(referral.received_at),
            }
        else:
            response = {"status": "200 OK"}
        entries.append({"response": response})
    return {"resourceType": "Bundle", "type": "transaction-response", "entry": entries}
