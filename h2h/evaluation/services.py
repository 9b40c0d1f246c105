"""Changing the evaluation's records: avoided outcomes on a case and funding rows. Views audit each change."""

from decimal import Decimal

from django.db import transaction

from h2h.cases.models import Case
from h2h.evaluation.models import AvoidedOutcome, Funding


def avoided_outcome_record(*, case: Case, kind: str, on, note: str, quantity: Decimal | None, by) -> AvoidedOutcome:
    """Record (or correct) that this case avoided `kind`; one record of each kind per case."""
    if kind == AvoidedOutcome.Kind.HOMELESSNESS or quantity is None:
        quantity = Decimal("1")
    with transaction.atomic():
        outcome, _ = AvoidedOutcome.objects.select_for_update().update_or_create(
            case=case, kind=kind, defaults={"on": on, "note": note, "quantity": quantity, "recorded_by": by})
    return outcome


def avoided_outcome_remove(*, outcome: AvoidedOutcome) -> None:
    outcome.delete()


def funding_add(*, by, **fields) -> Funding:
    return Funding.objects.create(entered_by=by, **fields)


def funding_remove(*, funding: Funding) -> None:
    funding.delete()
