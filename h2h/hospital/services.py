"""Linkage decisions: the evaluator links a review's rows to one of its candidates, or does not link them.

A LinkReview is open until decided, then linked (its rows get the person) or not linked (its rows are
deleted: activity the service cannot tie to one of its people is not kept). Only an open review of an applied
extract can be decided, once; a note saying why is required either way, for the audit trail. Every decision is
audited against each person it concerns. Nothing here links by name: the reviewer sees case references and
dates of birth.
"""

from django.db import transaction
from django.utils import timezone

from h2h.audit.models import AuditEvent
from h2h.audit.services import audit_record
from h2h.cases.models import Case
from h2h.hospital.formats import SPECS
from h2h.hospital.linkage import EVALUATION
from h2h.hospital.models import Extract, LinkReview


class ReviewRefused(Exception):
    """The decision cannot be made; the message is shown as it is."""


def person_consents(person_id: int) -> bool:
    """Whether any of the person's cases came from a referral agreeing to linkage for the evaluation."""
    return any(sharing and EVALUATION in sharing for sharing in
               Case.objects.filter(person_id=person_id).values_list("referral__consent_sharing", flat=True))


def review_rows(review: LinkReview):
    """The rows a review is about: its extract's unlinked rows with its NHS number and date of birth."""
    return SPECS[review.extract.kind].model.objects.filter(
        extract_id=review.extract_id, nhs_number=review.nhs_number, date_of_birth=review.date_of_birth,
        person__isnull=True)


def review_decide(*, review_id: int, person_id: int | None, note: str, by, request) -> LinkReview:
    """Link the review's rows to person_id (one of its candidates), or, with person_id None, do not link
    them."""
    note = (note or "").strip()
    if not note:
        raise ReviewRefused("Say why you made this decision")
    with transaction.atomic():
        review = LinkReview.objects.select_for_update().select_related("extract").get(pk=review_id)
        if review.status != LinkReview.Status.OPEN:
            raise ReviewRefused("This review has already been decided")
        if review.extract.status != Extract.Status.APPLIED:
            raise ReviewRefused("This file has been superseded by a corrected file: nothing to decide")
        candidates = list(review.candidates.values_list("id", flat=True))
        rows = review_rows(review)
        noun = review.extract.get_kind_display().lower()
        if person_id is not None:
            if person_id not in candidates:
                raise ReviewRefused("Choose one of the people listed, or do not link")
            if not person_consents(person_id):
                raise ReviewRefused("This person no longer has consent to linkage for the evaluation")
            count = rows.update(person_id=person_id)
            review.status, review.person_id = LinkReview.Status.LINKED, person_id
        else:
            count, _ = rows.delete()
            review.status = LinkReview.Status.NOT_LINKED
        review.decided_by, review.decided_at, review.note = by, timezone.now(), note
        review.save(update_fields=["status", "person", "decided_by", "decided_at", "note"])
        what = f"Linkage review {review.pk}: {count} rows ({noun}) from extract {review.extract_id}"
        for concerned in [person_id] if person_id is not None else candidates:
            audit_record(request, AuditEvent.Action.CHANGE, object_type="hospital_link_review",
                         object_id=review.pk, person_id=concerned,
                         summary=f"{what} linked to this person" if person_id is not None else
                         f"{what} not linked to this person, and discarded")
    return review
