"""Requesting, deciding and paying hardship-fund spend. Each runs in a transaction; views call these and never
save a SpendRequest themselves.

The budget rule: approving a request must not take the year's committed spend (approved + paid) over the
year's budget, unless the deciding manager sets an override and gives a reason. The check and the approval
happen with the service's Organisation row locked, so two managers approving at once cannot both squeeze
under the same remaining budget.
"""

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from h2h.accounts.models import Organisation, User
from h2h.cases.models import Case
from h2h.hardship.models import PENNY, SpendRequest, financial_year, financial_year_label
from h2h.hardship.selectors import DECIDE_ROLES, PAY_ROLES, REQUEST_ROLES, budget_amount, committed_spend
from h2h.hardship.templatetags.hardship_money import pounds


class SpendActionRefused(Exception):
    """A change the rules do not allow; the message is shown to the user as it is."""


def _check_money(amount: Decimal) -> Decimal:
    if not isinstance(amount, Decimal):
        # A float here would already have lost pennies; refuse rather than round.
        raise SpendActionRefused("The amount must be given in pounds and pence.")
    if amount <= 0:
        raise SpendActionRefused("The amount must be more than £0.")
    if amount != amount.quantize(PENNY):
        raise SpendActionRefused("The amount cannot include fractions of a penny.")
    return amount.quantize(PENNY)


def _same_service(user: User, case: Case) -> bool:
    return user.in_service and user.organisation_id == case.service_id


def spend_request(
    *, case: Case, what: str, supplier: str, amount: Decimal, by: User, requested_at: datetime | None = None
) -> SpendRequest:
    """An HHC or the project manager asks for spend on an open case; it is charged to the year it is asked in."""
    requested_at = requested_at or timezone.now()
    if by.role not in REQUEST_ROLES or not _same_service(by, case):
        raise SpendActionRefused("Only a coordinator or the project manager of the service can request spend.")
    if not case.is_open:
        raise SpendActionRefused("Spend cannot be requested on a closed case.")
    amount = _check_money(amount)
    if not what.strip() or not supplier.strip():
        raise SpendActionRefused("Say what is being bought and who supplies it.")
    with transaction.atomic():
        return SpendRequest.objects.create(
            case=case, year=financial_year(timezone.localtime(requested_at).date()), what=what.strip(),
            supplier=supplier.strip(), amount=amount, requested_by=by, requested_at=requested_at,
        )


def _locked(spend: SpendRequest) -> SpendRequest:
    return SpendRequest.objects.select_for_update().select_related("case").get(pk=spend.pk)


def spend_approve(
    *, spend: SpendRequest, by: User, note: str = "", override: bool = False, override_reason: str = ""
) -> SpendRequest:
    """Approve a waiting request. Over the year's budget only with override=True and a reason.

    over_budget_override is stored only when the approval actually took committed spend over the budget, so
    the flag always marks a real breach.
    """
    with transaction.atomic():
        locked = _check_decider(spend, by)
        service = Organisation.objects.select_for_update().get(pk=locked.case.service_id)
        budget = budget_amount(service, locked.year)
        after = committed_spend(service, locked.year) + locked.amount
        over = after > budget
        if over and not override:
            raise SpendActionRefused(
                f"Approving {pounds(locked.amount)} would take committed spend to {pounds(after)}, over the "
                f"{financial_year_label(locked.year)} budget of {pounds(budget)}. A manager can approve it only "
                "with an override and a reason."
            )
        if over and not override_reason.strip():
            raise SpendActionRefused("Give the reason for approving spend over the budget.")
        locked.status = SpendRequest.Status.APPROVED
        locked.over_budget_override = over
        locked.override_reason = override_reason.strip() if over else ""
        return _decided(locked, by, note)


def spend_refuse(*, spend: SpendRequest, by: User, note: str = "") -> SpendRequest:
    with transaction.atomic():
        locked = _check_decider(spend, by)
        if not note.strip():
            raise SpendActionRefused("Give the reason for refusing the request.")
        locked.status = SpendRequest.Status.REFUSED
        return _decided(locked, by, note)


def _check_decider(spend: SpendRequest, by: User) -> SpendRequest:
    locked = _locked(spend)
    if by.role not in DECIDE_ROLES or not _same_service(by, locked.case):
        raise SpendActionRefused("Only a housing manager or the project manager of the service can decide.")
    if locked.requested_by_id == by.pk:
        raise SpendActionRefused("You asked for this spend, so another manager must decide it.")
    if locked.status != SpendRequest.Status.REQUESTED:
        raise SpendActionRefused("This request has already been decided.")
    return locked


def _decided(locked: SpendRequest, by: User, note: str) -> SpendRequest:
    locked.decided_by, locked.decided_at, locked.decision_note = by, timezone.now(), note.strip()
    locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "over_budget_override",
                               "override_reason"])
    return locked


def spend_mark_paid(*, spend: SpendRequest, by: User) -> SpendRequest:
    """Record that the approved money went out; the spend stays committed."""
    with transaction.atomic():
        locked = _locked(spend)
        if by.role not in PAY_ROLES or not _same_service(by, locked.case):
            raise SpendActionRefused("Only managers or admin support of the service can record a payment.")
        if locked.status != SpendRequest.Status.APPROVED:
            raise SpendActionRefused("Only an approved request can be marked as paid.")
        locked.status, locked.paid_by, locked.paid_at = SpendRequest.Status.PAID, by, timezone.now()
        locked.save(update_fields=["status", "paid_by", "paid_at"])
        return locked
