"""Referrals from a referrer's own system: create one, read its status, list the organisation's referrals.

A referral made here is checked by the web form's own forms (h2h/referrals/forms.py) and saved by the same
referral_submit, so it is the same referral a person typing it in would make: linked to the person's open case
if they have one, allocated to a coordinator otherwise. A referrer's system sees its own organisation's
referrals only; anyone else's reference is "not found", so the API does not say that it exists.
"""

import re

from django.http import Http404
from ninja import Query, Router, Status

from h2h.accounts.roles import Role
from h2h.api.auth import TokenAuth
from h2h.api.problems import COMMON_RESPONSES, ApiProblem, Problem
from h2h.api.schemas import ReferralIn, ReferralPageOut, ReferralStatusOut, as_form_data
from h2h.api.status import referral_status
from h2h.audit.models import AuditEvent
from h2h.audit.services import audit_record
from h2h.referrals.forms import STEPS, PersonForm, ReferrerForm
from h2h.referrals.models import Referral
from h2h.referrals.selectors import referral_queryset_for_user
from h2h.referrals.services import referral_submit

router = Router(tags=["Referrals"], auth=TokenAuth(Role.REFERRER))

PAGE_SIZE = 50
MAX_PAGE = 10_000  # beyond any real list; keeps the OFFSET a database can take
REFERENCE = re.compile(r"R(\d{1,9})")


def referral_answers(payload: ReferralIn) -> dict:
    """The cleaned answers, checked step by step by the web form's forms; ApiProblem 422 naming every field
    at fault (`person.nhs_number`, `referral.consent_sharing`) otherwise."""
    sections = {"person": as_form_data(payload.person.model_dump()),
                "referral": as_form_data(payload.referral.model_dump())}
    answers, errors = {}, []
    for form_class in STEPS.values():
        section = "person" if form_class is PersonForm else "referral"
        data = sections[section]
        # A referrer's system refers for its own organisation, as a referrer online does.
        form = form_class(data, keyed_by_staff=False) if form_class is ReferrerForm else form_class(data)
        if form.is_valid():
            answers.update(form.cleaned_data)
            continue
        for name, messages in form.errors.items():
            field = section if name == "__all__" else f"{section}.{name}"
            errors.extend({"field": field, "message": message} for message in messages)
    if errors:
        count = len(errors)
        raise ApiProblem(422, "Invalid referral", f"{count} answer{'s' if count != 1 else ''} not valid: "
                                                  "nothing was saved.", errors)
    return answers


def status_out(referral: Referral) -> ReferralStatusOut:
    code, label, updated_on = referral_status(referral)
    return ReferralStatusOut(reference=referral.reference, status=code, status_label=label,
                             received_at=referral.received_at, updated_on=updated_on)


@router.post("", response={201: ReferralStatusOut, 400: Problem, **COMMON_RESPONSES},
             summary="Make a referral")
def referral_create(request, payload: ReferralIn):
    """Checked as the web form checks it. A missing, misspelt or mistyped field is refused first (422); then
    every answer the web form would refuse is named in one 422 problem. A person with an open case gets the
    referral linked to it (status `linked`)."""
    answers = referral_answers(payload)
    referral = referral_submit(answers=answers, by=request.user,
                               referrer_organisation=request.user.organisation,
                               received_via=Referral.ReceivedVia.API)
    audit_record(request, AuditEvent.Action.CREATE, object_type="referral", object_id=referral.pk,
                 person_id=referral.person_id, summary=f"Referral {referral.reference} submitted by API")
    return Status(201, status_out(referral))


@router.get("", response={200: ReferralPageOut, **COMMON_RESPONSES}, summary="The organisation's referrals")
def referral_list(request, page: int = Query(1, ge=1, le=MAX_PAGE)):
    """Newest first, 50 to a page; the statuses only, never what the referral said."""
    referrals = referral_queryset_for_user(request.user).select_related("case")
    referrals = referrals.order_by("-received_at", "-id")
    start = (page - 1) * PAGE_SIZE
    items = list(referrals[start:start + PAGE_SIZE])
    audit_record(request, AuditEvent.Action.LIST, object_type="referral",
                 summary=f"Referral statuses by API: page {page}, {len(items)} shown")
    return ReferralPageOut(count=referrals.count(), page=page, page_size=PAGE_SIZE,
                           items=[status_out(r) for r in items])


@router.get("/{reference}", response={200: ReferralStatusOut, 404: Problem, **COMMON_RESPONSES},
            summary="A referral's status")
def referral_read(request, reference: str):
    """Only a referral made by this client's organisation; any other reference is 404."""
    match = REFERENCE.fullmatch(reference)
    referral = None
    if match:
        referral = referral_queryset_for_user(request.user).select_related("case").filter(
            pk=int(match[1])).first()
    if referral is None:
        raise Http404
    audit_record(request, AuditEvent.Action.VIEW, object_type="referral", object_id=referral.pk,
                 person_id=referral.person_id, summary=f"Referral {referral.reference} status read by API")
    return status_out(referral)
