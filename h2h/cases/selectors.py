"""Reading cases: who may see which, and what each case needs next."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from h2h.accounts.models import User
from h2h.area.config import Area
from h2h.cases.models import Case
from h2h.cases.stages import Stage


def case_queryset_for_user(user: User) -> QuerySet[Case]:
    """Cases a user may open: staff of the service that holds them, and nobody else."""
    if not user.is_authenticated or not user.in_service:
        return Case.objects.none()
    return Case.objects.filter(service_id=user.organisation_id)


def add_months(day: date, months: int) -> date:
    """Same day of the month, months later; the month's last day where that day does not exist."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class NextAction:
    text: str
    due: date | None = None

    @property
    def overdue(self) -> bool:
        return self.due is not None and self.due < timezone.localdate()


NEXT_ACTION_TEXT = {
    Stage.REFERRAL_RECEIVED: "Screen the referral",
    Stage.SCREENED: "Make the first visit",
    Stage.FIRST_VISIT: "Get the application signed off",
    Stage.APPLICATION_LIVE: "Find a property: bid or direct offer",
    Stage.OFFER: "Viewing and sign-up",
    Stage.TENANCY_START: "2-week follow-up visit",
    Stage.FOLLOW_UP_2W: "6-month visit and follow-up survey",
    Stage.FOLLOW_UP_6M: "Close the case",
}


def next_action(case: Case, area: Area) -> NextAction | None:
    if case.stage == Stage.CLOSED:
        return None
    text = NEXT_ACTION_TEXT[Stage(case.stage)]
    if case.stage == Stage.TENANCY_START:
        return NextAction(text, case.stage_changed_on + timedelta(days=area.first_follow_up_days))
    if case.stage == Stage.FOLLOW_UP_2W:
        tenancy = case.events.filter(to_stage=Stage.TENANCY_START).order_by("-at").first()
        start = tenancy.on if tenancy else case.stage_changed_on
        return NextAction(text, add_months(start, area.second_follow_up_months))
    return NextAction(text)


def days_since_referral(case: Case, today: date | None = None) -> int:
    return ((today or timezone.localdate()) - case.referred_on).days
