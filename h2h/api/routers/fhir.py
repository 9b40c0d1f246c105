"""FHIR R4 for a referrer's system: a transaction Bundle creates a referral; its status is read back as the
ServiceRequest or a Task. Bundle format and mapping: docs/formats/fhir-referral-bundle.md.

FHIR clients expect FHIR errors, so everything these operations answer with (403, 404, 413 included) is an
OperationOutcome in application/fhir+json. Only a missing or bad token is refused before the view runs, with
the problem details every other operation gives. The body is read here rather than by ninja: a Bundle is too
open a shape for a schema, and fhir.resources checks it properly (h2h/api/fhir_intake.py).
"""

import re

from django.core.exceptions import RequestDataTooBig
from ninja import Router

from h2h.accounts.roles import Role
from h2h.api.fhir_intake import BundleRefused, bundle_read
from h2h.api.fhir_out import (
    FHIR_JSON,
    Issue,
    fhir_response,
    outcome_response,
    service_request,
    task,
    transaction_response,
)
from h2h.audit.models import AuditEvent
from h2h.audit.services import audit_record
from h2h.referrals.models import Referral
from h2h.referrals.selectors import referral_queryset_for_user
from h2h.referrals.services import referral_submit

router = Router(tags=["FHIR"])

REFERENCE = re.compile(r"R(\d{1,9})")

# The OpenAPI description of FHIR content: any resource (fhir.resources validates it), and OperationOutcome.
_RESOURCE = {"type": "object", "required": ["resourceType"],
             "properties": {"resourceType": {"type": "string"}}, "additionalProperties": True}
_BUNDLE = {
    "type": "object",
    "required": ["resourceType", "type"],
    "properties": {
        "resourceType": {"const": "Bundle"},
        "type": {"const": "transaction"},
        "entry": {"type": "array", "items": {"type": "object"}},
    },
    "additionalProperties": True,
    "description": "A FHIR R4 transaction Bundle: a UK Core Patient, a ServiceRequest and a Consent, with "
                   "any Encounter, Practitioner, PractitionerRole, Organization or Location they refer to.",
}
_OUTCOME = {
    "type": "object",
    "required": ["resourceType", "issue"],
    "properties": {
        "resourceType": {"const": "OperationOutcome"},
        "issue": {"type": "array", "minItems": 1, "items": {
            "type": "object",
            "required": ["severity", "code"],
            "properties": {"severity": {"type": "string"}, "code": {"type": "string"},
                           "diagnostics": {"type": "string"},
                           "expression": {"type": "array", "items": {"type": "string"}}},
        }},
    },
}
_PROBLEM = {"$ref": "#/components/schemas/Problem"}  # h2h/api/problems.py, as every other operation


def _content(description: str, schema: dict, media_type: str = FHIR_JSON) -> dict:
    return {"description": description, "content": {media_type: {"schema": schema}}}


_NOT_SIGNED_IN = _content("No valid client token (problem details, like every other operation)", _PROBLEM,
                          "application/problem+json")
_FORBIDDEN = _content("The client is not a referrer's system", _OUTCOME)
POST_RESPONSES = {
    200: _content("transaction-response Bundle; entry.response.location is ServiceRequest/<reference>",
                  _RESOURCE),
    400: _content("Not JSON, not a transaction Bundle, or not valid FHIR R4", _OUTCOME),
    401: _NOT_SIGNED_IN,
    403: _FORBIDDEN,
    413: _content("The Bundle is too large", _OUTCOME),
    422: _content("Valid FHIR, but not a referral H2H can take (each issue names the element)", _OUTCOME),
}
READ_RESPONSES = {
    200: _content("The resource", _RESOURCE),
    401: _NOT_SIGNED_IN,
    403: _FORBIDDEN,
    404: _content("No such referral made by this client's organisation", _OUTCOME),
}


def _forbidden(request):
    """FHIR operations answer a wrong role with an OperationOutcome, not problem details."""
    if request.user.role == Role.REFERRER:
        return None
    return outcome_response(403, [Issue("forbidden", "Only a referrer's system may send or read referrals; "
                                                     f"this client acts as {request.user.role}.")])


@router.post(
    "",
    response=dict.fromkeys(POST_RESPONSES),
    summary="Create a referral from a FHIR R4 transaction Bundle",
    openapi_extra={
        "requestBody": {"required": True, "content": {FHIR_JSON: {"schema": _BUNDLE},
                                                      "application/json": {"schema": _BUNDLE}}},
        "responses": POST_RESPONSES,
    },
)
def fhir_transaction(request):
    refused = _forbidden(request)
    if refused:
        return refused
    try:
        raw = request.body
    except RequestDataTooBig:
        return outcome_response(413, [Issue("too-costly", "The Bundle is larger than H2H accepts: send one "
                                                          "referral per Bundle, without attachments.")])
    try:
        intake = bundle_read(raw)
    except BundleRefused as refusal:
        return outcome_response(refusal.status, refusal.issues)
    referral = referral_submit(
        answers=intake.answers,
        by=request.user,
        referrer_organisation=request.user.organisation,
        received_via=Referral.ReceivedVia.API,
    )
    audit_record(request, AuditEvent.Action.CREATE, object_type="referral", object_id=referral.pk,
                 person_id=referral.person_id, summary=f"Referral {referral.reference} received as FHIR")
    body = transaction_response(entry_count=intake.entry_count,
                                service_request_index=intake.service_request_index, referral=referral)
    return fhir_response(body)


def _read(request, reference: str, what: str):
    """The referral if this client's organisation made it, audited as a view; else a 404 OperationOutcome."""
    refused = _forbidden(request)
    if refused:
        return None, refused
    match = REFERENCE.fullmatch(reference)
    referral = None
    if match:
        referral = (referral_queryset_for_user(request.user).select_related("person", "case")
                    .filter(pk=int(match.group(1))).first())
    if referral is None:
        return None, outcome_response(404, [Issue("not-found", f"There is no such {what}, or it is not a "
                                                               "referral this client's organisation made.")])
    audit_record(request, AuditEvent.Action.VIEW, object_type="referral", object_id=referral.pk,
                 person_id=referral.person_id, summary=f"Referral {referral.reference} read as FHIR {what}")
    return referral, None


@router.get(
    "/ServiceRequest/{reference}",
    response=dict.fromkeys(READ_RESPONSES),
    summary="A referral as a FHIR ServiceRequest, with its status",
    openapi_extra={"responses": READ_RESPONSES},
)
def fhir_service_request(request, reference: str):
    referral, refused = _read(request, reference, "ServiceRequest")
    return refused or fhir_response(service_request(referral))


@router.get(
    "/Task/{reference}",
    response=dict.fromkeys(READ_RESPONSES),
    summary="The service's work on a referral as a FHIR Task: status only",
    openapi_extra={"responses": READ_RESPONSES},
)
def fhir_task(request, reference: str):
    referral, refused = _read(request, reference, "Task")
    return refused or fhir_response(task(referral))
