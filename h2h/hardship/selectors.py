"""Reading the hardship fund: who may see it, the budget position for a year, and the ledgers."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet, Sum

from h2h.accounts.models import Organisation, User
from h2h.accounts.roles import Role
from h2h.cases.models import Case
from h2h.hardship.models import COMMITTED_STATUSES, Budget, SpendRequest

ZERO = Decimal("0.00")
# Who sees the fund: the coordinators who request, the managers who decide, admin support who pay.
HARDSHIP_ROLES = frozenset({Role.HHC, Role.PROJECT_MANAGER, Role.HOUSING_MANAGER, Role.ADMIN_OFFICER})
REQUEST_ROLES = frozenset({Role.HHC, Role.PROJECT_MANAGER})
DECIDE_ROLES = frozenset({Role.HOUSING_MANAGER, Role.PROJECT_MANAGER})
PAY_ROLES = frozenset({Role.PROJECT_MANAGER, Role.HOUSING_MANAGER, Role.ADMIN_OFFICER})


def spend_queryset_for_user(user: User) -> QuerySet[SpendRequest]:
    """Requests on cases held by the user's service, for the roles that work the fund; none for anyone else."""
    if not user.is_authenticated or not user.in_service or user.role not in HARDSHIP_ROLES:
        return SpendRequest.objects.none()
    return SpendRequest.objects.filter(case__service_id=user.organisation_id)


def _total(requests: QuerySet[SpendRequest]) -> Decimal:
    return requests.aggregate(total=Sum("amount"))["total"] or ZERO


def committed_spend(service: Organisation, year: int) -> Decimal:
    """Approved plus paid spend charged to the service's fund in the financial year."""
    return _total(SpendRequest.objects.filter(case__service=service, year=year, status__in=COMMITTED_STATUSES))


def budget_amount(service: Organisation, year: int) -> Decimal:
    """The year's budget; £0 when none is set."""
    budget = Budget.objects.filter(service=service, year=year).first()
    return budget.amount if budget else ZERO


@dataclass(frozen=True)
class BudgetPosition:
    year: int
    budget: Decimal
    budget_set: bool
    committed: Decimal
    paid: Decimal
    awaiting: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.budget - self.committed

    @property
    def percent_committed(self) -> Decimal | None:
        """Committed as a share of the budget, to one decimal place; None when there is no budget to divide by."""
        if not self.budget:
            return None
        return (self.committed * 100 / self.budget).quantize(Decimal("0.1"))

    @property
    def over_budget(self) -> bool:
        return self.committed > self.budget


def budget_position(service: Organisation, year: int) -> BudgetPosition:
    requests = SpendRequest.objects.filter(case__service=service, year=year)
    budget = Budget.objects.filter(service=service, year=year).first()
    return BudgetPosition(
        year=year,
        budget=budget.amount if budget else ZERO,
        budget_set=budget is not None,
        committed=_total(requests.filter(status__in=COMMITTED_STATUSES)),
        paid=_total(requests.filter(status=SpendRequest.Status.PAID)),
        awaiting=_total(requests.filter(status=SpendRequest.Status.REQUESTED)),
    )


@dataclass(frozen=True)
class Ledger:
    rows: list[SpendRequest]
    committed: Decimal
    paid: Decimal
    awaiting: Decimal
    refused: Decimal


def _ledger(requests: QuerySet[SpendRequest]) -> Ledger:
    rows = list(requests.select_related("case", "requested_by", "decided_by", "paid_by"))
    by_status = {status: ZERO for status in SpendRequest.Status}
    for row in rows:
        by_status[row.status] += row.amount
    return Ledger(
        rows=rows,
        committed=by_status[SpendRequest.Status.APPROVED] + by_status[SpendRequest.Status.PAID],
        paid=by_status[SpendRequest.Status.PAID],
        awaiting=by_status[SpendRequest.Status.REQUESTED],
        refused=by_status[SpendRequest.Status.REFUSED],
    )


def case_ledger(case: Case) -> Ledger:
    """Every request on one case, across years, oldest first."""
    return _ledger(SpendRequest.objects.filter(case=case))


def year_ledger(service: Organisation, year: int) -> Ledger:
    """Every request charged to the service's fund in one financial year, oldest first."""
    return _ledger(SpendRequest.objects.filter(case__service=service, year=year))


def approval_queue(user: User) -> QuerySet[SpendRequest]:
    return spend_queryset_for_user(user).filter(status=SpendRequest.Status.REQUESTED).select_related(
        "case", "requested_by"
    )
