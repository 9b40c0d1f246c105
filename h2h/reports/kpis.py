"""The service's KPIs: one plain query function per figure, over the records the service keeps.

Every function takes the service (the housing provider whose HHCs run it) and a Period (first and last day,
both included) and returns plain numbers; the dashboard, the monthly report, its PDF and XLSX and the command
line all call these same functions, and small-number suppression is applied afterwards
(h2h/reports/figures.py), never here. Dates come from the case history (CaseEvent), not from the case's
current fields: the stage a case is at now says nothing about when it got there. Two shortcuts read the case
row where the history guarantees the same answer and a history scan would be slow (tests check both ways): a
closed case's stage_changed_on is its closing date (closing is final), and today a case's coordinator and
stage are where its history ends. What each figure means is written for its readers in docs/reports.md.

Speed (bench/dashboard.py): each figure is one or two grouped queries; none reads rows into Python except the
period's rehoused cases (for the median and the bands).
"""

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.utils import timezone

from h2h.accounts.models import Organisation, User
from h2h.accounts.roles import Role
from h2h.area import valuesets
from h2h.area.config import get_area
from h2h.cases.models import Case, CaseEvent
from h2h.cases.stages import Stage
from h2h.hardship.models import COMMITTED_STATUSES, Budget, SpendRequest, financial_year
from h2h.hardship.selectors import BudgetPosition
from h2h.lettings.models import Offer
from h2h.referrals.models import Referral
from h2h.reports.periods import Period
from h2h.support.models import Visit

ZERO = Decimal("0.00")


def _within(period: Period, column: str) -> Q:
    return Q(**{f"{column}__gte": period.start, f"{column}__lte": period.end})


def _within_datetime(period: Period, column: str) -> Q:
    start, end = period.aware_bounds
    return Q(**{f"{column}__gte": start, f"{column}__lt": end})


def _cases(service: Organisation) -> QuerySet[Case]:
    return Case.objects.filter(service=service)


def _of_service(queryset: QuerySet, path: str, service: Organisation) -> QuerySet:
    """Rows of the service's cases, reached through `path` (ending "case__service").

    Where the database holds no other service's cases (the usual deployment: one provider runs the service),
    the filter is left out: it would join every row to the cases table, which over a large service's year is
    most of each report query's time, for the same answer.
    """
    others = getattr(service, "_h2h_other_services_cases", None)  # asked once per report, not per figure
    if others is None:
        # Two probes of the (service, stage) index: any case of a service numbered below or above this one.
        others = Case.objects.filter(service_id__lt=service.pk).exists() or Case.objects.filter(
            service_id__gt=service.pk
        ).exists()
        service._h2h_other_services_cases = others
    if not others:
        # Still only rows of some case (an offer may be to a general-register applicant with none).
        return queryset.filter(**{f"{path.removesuffix('__service')}__isnull": False})
    return queryset.filter(**{path: service})


def _stage_events(service: Organisation) -> QuerySet[CaseEvent]:
    return _of_service(CaseEvent.objects.filter(kind=CaseEvent.Kind.STAGE), "case__service", service)


# ------------------------------------------------------------------------------------------------- referrals
# A referral here is a new case: a person referred who had no open case (Case.referred_on, the day the first
# referral was received, starts the rehousing clock). Where they were and who referred them come from that
# originating referral. A further referral for someone whose case is already open is linked to that case and
# counted on its own (further_referrals), so nobody is counted twice.


def referrals_received(service: Organisation, period: Period) -> int:
    """New referrals (cases) received in the period."""
    return _cases(service).filter(_within(period, "referred_on")).count()


def further_referrals(service: Organisation, period: Period) -> int:
    """Referrals in the period for people who already had an open case (linked to it, not a new case)."""
    return (
        Referral.objects.filter(service=service, linked_to_open_case=True)
        .filter(_within_datetime(period, "received_at"))
        .count()
    )


def referrals_by_month(service: Organisation, period: Period) -> list[tuple[date, int]]:
    """New referrals in each calendar month of the period (months with none included, as 0)."""
    # Grouped by day in the database and by month here: truncating dates in SQL costs a function call a row on
    # SQLite, and a period has at most a few hundred days.
    by_day = (
        _cases(service)
        .filter(_within(period, "referred_on"))
        .values_list("referred_on")
        .annotate(n=Count("id"))
        .values_list("referred_on", "n")
    )
    counts: dict[date, int] = {}
    for day, n in by_day:
        counts[day.replace(day=1)] = counts.get(day.replace(day=1), 0) + n
    return [(month, counts.get(month, 0)) for month in period.month_starts()]


@dataclass(frozen=True)
class ReferralMix:
    """New referrals in a period counted by who referred, how, from where, and the screening outcome: one
    query for the four breakdowns below (each also has its own function)."""

    # (referrer kind, route, setting, cohort, decision, number of cases)
    rows: tuple[tuple[str, str, str, str, str, int], ...]

    def _count(self, index: int) -> dict[str, int]:
        counts: dict[str, int] = {}
        for row in self.rows:
            counts[row[index]] = counts.get(row[index], 0) + row[-1]
        return counts

    def by_source(self) -> list[tuple[str, int]]:
        counts = self._count(0)
        return [(label, counts.get(kind, 0)) for kind, label in Organisation.Kind.choices]

    def by_route(self) -> list[tuple[str, int]]:
        counts = self._count(1)
        return [(label, counts.get(via, 0)) for via, label in Referral.ReceivedVia.choices]

    def by_setting(self) -> list[tuple[str, int]]:
        counts = self._count(2)
        return [(label, counts.get(setting, 0)) for setting, label in valuesets.Setting.choices]

    def by_cohort(self) -> list[tuple[str, int]]:
        counts: dict[str, int] = {}
        for _, _, _, cohort, decision, n in self.rows:
            key = cohort or (DECLINED if decision == Case.Decision.DECLINED else NOT_SCREENED)
            counts[key] = counts.get(key, 0) + n
        known = [(c.name, counts.pop(c.code, 0)) for c in get_area().cohorts]
        # A cohort since removed from the area file still counts, under its code.
        removed = [(code, n) for code, n in sorted(counts.items()) if code not in {DECLINED, NOT_SCREENED}]
        rest = [(DECLINED, counts.get(DECLINED, 0)), (NOT_SCREENED, counts.get(NOT_SCREENED, 0))]
        return known + removed + rest


def referral_mix(service: Organisation, period: Period) -> ReferralMix:
    """New referrals in the period, grouped by referrer kind, route, setting, cohort and screening decision.
    """
    rows = (
        _cases(service)
        .filter(_within(period, "referred_on"))
        .values_list(
            "referral__referrer_organisation__kind", "referral__received_via", "referral__setting", "cohort",
            "decision",
        )
        .annotate(n=Count("id"))
        .order_by()
    )
    return ReferralMix(tuple(rows))


def referrals_by_source(service: Organisation, period: Period) -> list[tuple[str, int]]:
    """New referrals by the kind of organisation that referred (acute trust, council…), every kind listed."""
    return referral_mix(service, period).by_source()


def referrals_by_route(service: Organisation, period: Period) -> list[tuple[str, int]]:
    """New referrals by how they reached the service (online form, phone, email, referrer's system)."""
    return referral_mix(service, period).by_route()


def referrals_by_setting(service: Organisation, period: Period) -> list[tuple[str, int]]:
    """New referrals by where the person was when referred (acute bed, mental-health ward, at home…)."""
    return referral_mix(service, period).by_setting()


NOT_SCREENED = "Not screened yet, or withdrawn before screening"
DECLINED = "Declined (did not fit a cohort)"


def referrals_by_cohort(service: Organisation, period: Period) -> list[tuple[str, int]]:
    """New referrals by the cohort they were accepted into; declined and unscreened ones on their own."""
    return referral_mix(service, period).by_cohort()


# ------------------------------------------------------------------------------------------------- screening


@dataclass(frozen=True)
class Screening:
    accepted: int
    declined: int

    @property
    def screened(self) -> int:
        return self.accepted + self.declined


def screening(service: Organisation, period: Period) -> Screening:
    """Screening decisions made in the period: accepted into a cohort, or declined with an onward referral.

    A case is screened by the one move out of 'referral received' (to 'screened' when accepted, to 'closed' as
    not eligible when declined); a case withdrawn before screening has no decision and is not counted. The
    acceptance rate is accepted / screened.
    """
    # Only one move can leave 'referral received' (nothing moves back to it), so counting moves counts cases.
    counts = dict(
        _stage_events(service)
        .filter(_within(period, "on"), to_stage__in=[Stage.SCREENED, Stage.CLOSED])
        .filter(from_stage=Stage.REFERRAL_RECEIVED)
        .filter(case__decision__in=[Case.Decision.ACCEPTED, Case.Decision.DECLINED])
        .values_list("case__decision")
        .annotate(n=Count("id"))
        .values_list("case__decision", "n")
        .order_by()
    )
    return Screening(
        accepted=counts.get(Case.Decision.ACCEPTED, 0), declined=counts.get(Case.Decision.DECLINED, 0)
    )


# ------------------------------------------------------------------------------------------------- caseload


def closed_by(day: date) -> Q:
    """Cases closed on or before `day`. Closing is final and is a case's last move, so a closed case's
    stage_changed_on is the date of its 'closed' move in the history: read from the case row, not the history,
    so that no history scan is needed."""
    return Q(stage=Stage.CLOSED, stage_changed_on__lte=day)


def open_cases_on(service: Organisation, day: date) -> QuerySet[Case]:
    """Cases open at the end of `day`: referred on or before it and not closed by then."""
    return _cases(service).filter(referred_on__lte=day).exclude(closed_by(day))


def caseload_per_hhc(service: Organisation, day: date) -> list[tuple[User | None, int]]:
    """Open cases at the end of `day` by the coordinator holding each then; None is 'not assigned'.

    Today, the holder is the case's coordinator now. On a past day it comes from the assignment and handover
    history (the latest on or before the day); a case with no assignment history at all counts under its
    current coordinator. Every active coordinator of the service is listed, with 0 when they held none.
    """
    open_cases = open_cases_on(service, day)
    counts: dict[int | None, int] = {}
    if day >= timezone.localdate():
        # Today the holder is the current coordinator: every assignment and handover sets it, and none is
        # dated after today. No history to read.
        for holder, n in open_cases.values_list("assigned_to_id").annotate(n=Count("id")).order_by():
            counts[holder] = n
    else:
        assignments = CaseEvent.objects.filter(
            case=OuterRef("pk"), kind__in=[CaseEvent.Kind.ASSIGNED, CaseEvent.Kind.HANDOVER]
        )
        # The user id is read as text and cast, which reads the same on SQLite and PostgreSQL.
        holder_then = (
            assignments.filter(on__lte=day)
            .order_by("-on", "-at", "-id")
            .annotate(to_user=Cast(KeyTextTransform("to_user", "payload"), IntegerField()))
            .values("to_user")[:1]
        )
        rows = open_cases.annotate(
            holder=Subquery(holder_then, output_field=IntegerField()), has_history=Exists(assignments)
        ).values_list("holder", "has_history", "assigned_to_id")
        for holder, has_history, current in rows:
            key = holder if has_history else current
            counts[key] = counts.get(key, 0) + 1
    coordinators = User.objects.filter(organisation=service, role=Role.HHC, is_active=True)
    people = {
        u.pk: u for u in User.objects.filter(Q(pk__in=[k for k in counts if k]) | Q(pk__in=coordinators))
    }
    ordered = sorted(people.values(), key=lambda u: (u.first_name, u.last_name, u.pk))
    result: list[tuple[User | None, int]] = [(u, counts.get(u.pk, 0)) for u in ordered]
    return result + [(None, counts.get(None, 0))]


# ------------------------------------------------------------------------------------------------- funnel

FUNNEL_STAGES = [stage for stage in Stage if stage != Stage.CLOSED]
# Stages a case can reach more than once (h2h/cases/stages.py: a refused offer sends it back to searching).
REPEATABLE_STAGES = [Stage.APPLICATION_LIVE, Stage.OFFER]


def funnel(service: Organisation, period: Period, as_of: date) -> list[tuple[Stage, int]]:
    """Of the cases referred in the period, how many had reached each stage by `as_of` (from their history).

    Every case counts as having reached 'referral received'. A case that went back from an offer to searching
    still counts once at 'offer made'.
    """
    cases = _cases(service).filter(_within(period, "referred_on"))
    if as_of >= timezone.localdate():
        return _funnel_now(cases)
    return funnel_from_history(cases, as_of)


def funnel_from_history(cases: QuerySet[Case], as_of: date) -> list[tuple[Stage, int]]:
    """The funnel of `cases` on a given day, counted from their stage history."""

    # Driven from the cases, reaching their history through its index by case (not a scan of all of it). Only
    # the offer loop (refused offer → searching again) can reach a stage twice, so the other stages are
    # counted by their moves and only those two by distinct cases (distinct counts need a sort).
    def moves(stages):
        # One filter() call, so that each condition applies to the same history row.
        return cases.filter(
            events__kind=CaseEvent.Kind.STAGE, events__on__lte=as_of, events__to_stage__in=stages
        ).values_list("events__to_stage")

    once = [stage for stage in FUNNEL_STAGES if stage not in REPEATABLE_STAGES]
    reached = dict(moves(once).annotate(n=Count("id")).values_list("events__to_stage", "n").order_by())
    reached |= dict(
        moves(REPEATABLE_STAGES)
        .annotate(n=Count("id", distinct=True))
        .values_list("events__to_stage", "n")
        .order_by()
    )
    reached[Stage.REFERRAL_RECEIVED] = cases.count()
    return [(stage, reached.get(stage, 0)) for stage in FUNNEL_STAGES]


def _funnel_now(cases: QuerySet[Case]) -> list[tuple[Stage, int]]:
    """The funnel of `cases` today, from where each case is, without reading its whole history.

    The stages follow one another in FUNNEL_STAGES order (h2h/cases/stages.py), so a case has reached every
    stage up to the furthest it has reached: for an open case the stage it is at, for a closed case the stage
    it was closed from. The one way back, a refused offer, leaves a case at 'application live' having reached
    'offer': those few are looked up in the history. Tested to agree with funnel_from_history.
    """
    furthest: dict[str, int] = {}
    for stage, n in cases.exclude(stage=Stage.CLOSED).values_list("stage").annotate(n=Count("id")).order_by():
        furthest[stage] = furthest.get(stage, 0) + n
    closing = {"events__kind": CaseEvent.Kind.STAGE, "events__to_stage": Stage.CLOSED}
    closed = cases.filter(stage=Stage.CLOSED, **closing)
    for stage, n in closed.values_list("events__from_stage").annotate(n=Count("id")).order_by():
        furthest[stage] = furthest.get(stage, 0) + n

    def ever(**move) -> Exists:
        return Exists(CaseEvent.objects.filter(case_id=OuterRef("pk"), kind=CaseEvent.Kind.STAGE, **move))

    # Two counts, not one with OR: an EXISTS inside OR cannot be planned as a semi-join, and PostgreSQL then
    # probes the history once for every case in the period.
    had_offer = cases.filter(ever(to_stage=Stage.OFFER))
    back_to_searching = had_offer.filter(stage=Stage.APPLICATION_LIVE).count() + had_offer.filter(
        ever(to_stage=Stage.CLOSED, from_stage=Stage.APPLICATION_LIVE), stage=Stage.CLOSED
    ).count()
    furthest[Stage.APPLICATION_LIVE] = furthest.get(Stage.APPLICATION_LIVE, 0) - back_to_searching
    furthest[Stage.OFFER] = furthest.get(Stage.OFFER, 0) + back_to_searching
    # A closed case with no recorded closing move (entered before the history was kept) reached referral only.
    unrecorded = cases.count() - sum(furthest.values())
    furthest[Stage.REFERRAL_RECEIVED] = furthest.get(Stage.REFERRAL_RECEIVED, 0) + unrecorded
    result, reached = [], 0
    for stage in reversed(FUNNEL_STAGES):
        reached += furthest.get(stage, 0)
        result.append((stage, reached))
    return list(reversed(result))


# ------------------------------------------------------------------------------------------------- rehousing


@dataclass(frozen=True, slots=True)
class Rehoused:
    """One case whose tenancy started: the clock from referral to tenancy start, and where the person was."""

    case_id: int
    referred_on: date
    tenancy_on: date
    setting: str

    @property
    def days(self) -> int:
        return (self.tenancy_on - self.referred_on).days

    @property
    def in_bed(self) -> bool:
        return self.setting in valuesets.BED_SETTINGS


def rehoused(service: Organisation, period: Period) -> list[Rehoused]:
    """Cases whose tenancy started in the period: the 'tenancy started' move in each case's history."""
    tenancy = _stage_events(service).filter(to_stage=Stage.TENANCY_START)
    rows = (
        tenancy.filter(_within(period, "on"))
        .values_list("case_id", "case__referred_on", "on", "case__referral__setting")
        .order_by("case_id", "on", "id")
    )
    # The transitions allow one tenancy start a case (nothing leads back to an offer once it has started);
    # should a start have been recorded twice in the period all the same, the first counts.
    found: dict[int, Rehoused] = {}
    for case_id, referred_on, on, setting in rows:
        if case_id not in found:
            found[case_id] = Rehoused(case_id, referred_on, on, setting)
    return list(found.values())


# Bands of rehousing time in days, edges included: up to 4 weeks, 4–8, 8–13, 13–26 (the 182-day baseline is 26
# weeks), and longer. Presentation only; the baseline itself is the area's.
REHOUSING_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("Up to 4 weeks (0 to 28 days)", 0, 28),
    ("4 to 8 weeks (29 to 56 days)", 29, 56),
    ("8 to 13 weeks (57 to 91 days)", 57, 91),
    ("13 to 26 weeks (92 to 182 days)", 92, 182),
    ("Over 26 weeks (183 days or more)", 183, None),
)


@dataclass(frozen=True)
class RehousingTime:
    """Days from referral to tenancy start for each case rehoused, against the area's baseline wait."""

    days: tuple[int, ...]
    baseline: int

    @property
    def count(self) -> int:
        return len(self.days)

    @property
    def mean(self) -> float | None:
        return statistics.fmean(self.days) if self.days else None

    @property
    def median(self) -> float | None:
        return statistics.median(self.days) if self.days else None

    @property
    def longer_than_baseline(self) -> int:
        return sum(1 for d in self.days if d > self.baseline)

    @property
    def bands(self) -> list[tuple[str, int]]:
        return [
            (label, sum(1 for d in self.days if d >= low and (high is None or d <= high)))
            for label, low, high in REHOUSING_BANDS
        ]


def rehousing_time(
    service: Organisation, period: Period, *, rows: list[Rehoused] | None = None
) -> RehousingTime:
    """Rehousing time (referral → tenancy start) of every case whose tenancy started in the period. rows: the
    period's rehoused(), when the caller already has them."""
    rows = rehoused(service, period) if rows is None else rows
    return RehousingTime(tuple(r.days for r in rows), get_area().baseline_wait_days)


@dataclass(frozen=True)
class BedDaysAvoided:
    """Bed days avoided by faster rehousing, for the people referred from a bed.

    Each person: baseline − their rehousing time. Someone rehoused after longer than the baseline counts with
    a negative figure (the service took longer than the wait it is compared with) rather than zero, so the
    total is people × (baseline − their mean rehousing time), the seed's arithmetic, and never flatters the
    service.
    """

    baseline: int
    days: tuple[int, ...]  # rehousing time of each person rehoused from a bed
    by_setting: tuple[tuple[str, int, int], ...] = field(default=())  # (setting label, people, days avoided)

    @property
    def people(self) -> int:
        return len(self.days)

    @property
    def total(self) -> int:
        return sum(self.baseline - d for d in self.days)

    @property
    def per_person(self) -> float | None:
        return self.total / self.people if self.people else None

    @property
    def mean_rehousing_days(self) -> float | None:
        return statistics.fmean(self.days) if self.days else None

    @property
    def longer_than_baseline(self) -> int:
        return sum(1 for d in self.days if d > self.baseline)


def bed_days_avoided(
    service: Organisation, period: Period, *, rows: list[Rehoused] | None = None
) -> BedDaysAvoided:
    """Bed days avoided by the people rehoused in the period who were referred from a bed (hospital,
    mental-health ward, step-down unit, intermediate-care bed or temporary care-home placement:
    valuesets.BED_SETTINGS)."""
    baseline = get_area().baseline_wait_days
    from_bed: list[int] = []
    by_bed: dict[str, list[int]] = defaultdict(list)
    for r in rehoused(service, period) if rows is None else rows:
        if r.in_bed:
            days = r.days
            from_bed.append(days)
            by_bed[r.setting].append(days)
    by_setting = tuple(
        (label, len(by_bed[setting]), sum(baseline - d for d in by_bed[setting]))
        for setting, label in valuesets.Setting.choices
        if setting in valuesets.BED_SETTINGS
    )
    return BedDaysAvoided(baseline=baseline, days=tuple(from_bed), by_setting=by_setting)


# ------------------------------------------------------------------------------------------------- follow-ups


@dataclass(frozen=True)
class FollowUps:
    """Follow-up visits of one kind: due and done in the period, and overdue at its end."""

    kind: str
    due: int
    done: int
    done_on_time: int
    overdue: int


def follow_ups(service: Organisation, period: Period, as_of: date) -> list[FollowUps]:
    """For each kind of follow-up visit (2 weeks, 6 months after the move):

    due: visits due in the period; done: visits recorded as done in the period (whenever due); done on time:
    of those, done on or before their due date; overdue: at the end of `as_of`, visits past their due date and
    not done by then, on cases still open then (a closed case's visit is no longer owed).
    """
    done = _within(period, "done_on")
    overdue = (
        Q(due_on__lt=as_of)
        & (Q(done_on__isnull=True) | Q(done_on__gt=as_of))
        # closed_by(as_of), through the visit's case
        & ~Q(case__stage=Stage.CLOSED, case__stage_changed_on__lte=as_of)
    )
    counts = {
        row["kind"]: row
        for row in _of_service(Visit.objects.all(), "case__service", service)
        .values("kind")
        .annotate(
            due=Count("id", filter=_within(period, "due_on")),
            done=Count("id", filter=done),
            done_on_time=Count("id", filter=done & Q(done_on__lte=F("due_on"))),
            overdue=Count("id", filter=overdue),
        )
        .order_by()
    }
    empty = {"due": 0, "done": 0, "done_on_time": 0, "overdue": 0}
    return [
        FollowUps(kind=label, **{k: counts.get(kind, empty)[k] for k in empty})
        for kind, label in Visit.Kind.choices
    ]


# ------------------------------------------------------------------------------------------------- surveys


@dataclass(frozen=True)
class SurveyCompletion:
    """Surveys owed in the period and what happened to them."""

    timepoint: str
    due: int
    recorded: int
    declined: int

    @property
    def missing(self) -> int:
        return self.due - self.recorded - self.declined


def survey_completion(service: Organisation, period: Period) -> list[SurveyCompletion]:
    """The person's baseline survey is owed by each case whose first visit was in the period, the follow-up
    survey by each case whose 6-month follow-up was; recorded and declined are counted among those cases.
    Carer surveys are optional and not counted here."""
    from h2h.surveys.models import Survey  # the surveys app builds on cases; imported late like other readers

    owed_by = {Survey.Timepoint.BASELINE: Stage.FIRST_VISIT, Survey.Timepoint.FOLLOW_UP: Stage.FOLLOW_UP_6M}

    def survey(declined: bool) -> Q:
        # The person's survey at the timepoint the move owes, recorded (or declined).
        return Q(
            *[
                Q(to_stage=stage)
                & Exists(
                    Survey.objects.filter(
                        case_id=OuterRef("case_id"),
                        timepoint=timepoint,
                        respondent=Survey.Respondent.PERSON,
                        declined=declined,
                    )
                )
                for timepoint, stage in owed_by.items()
            ],
            _connector=Q.OR,
        )

    # One pass over the period's moves to those two stages. A case reaches each of them once (only the offer
    # loop repeats a stage: h2h/cases/stages.py), so moves are counted without a distinct, which needs a sort.
    counts = {
        row["to_stage"]: row
        for row in _stage_events(service)
        .filter(_within(period, "on"), to_stage__in=list(owed_by.values()))
        .values("to_stage")
        .annotate(
            due=Count("case_id"),
            recorded=Count("case_id", filter=survey(declined=False)),
            declined=Count("case_id", filter=survey(declined=True)),
        )
        .order_by()
    }
    empty = {"due": 0, "recorded": 0, "declined": 0}
    return [
        SurveyCompletion(timepoint=label, **{k: counts.get(owed_by[timepoint], empty)[k] for k in empty})
        for timepoint, label in Survey.Timepoint.choices
    ]


# ------------------------------------------------------------------------------------------------- lettings


@dataclass(frozen=True)
class Lettings:
    offers_accepted: int  # offers to the service's cases accepted in the period
    lets: int  # tenancies signed up through an offer, tenancy starting in the period: voids let through H2H
    direct_offer_lets: int  # of lets, from a held void offered directly rather than from the shortlist
    long_term_voids_let: int  # of lets, homes that had been empty longer than the area's long-term threshold
    long_term_void_days: int


def lettings(service: Organisation, period: Period) -> Lettings:
    """Voids let through the service: offers of empty homes to the service's cases, accepted and signed up."""
    threshold = get_area().lettings.long_term_void_days
    let = Q(status=Offer.Status.SIGNED_UP) & _within(period, "tenancy_start")
    accepted_in_period = Q(status__in=[Offer.Status.ACCEPTED, Offer.Status.SIGNED_UP]) & _within_datetime(
        period, "decided_at"
    )
    # Only offers accepted or let in the period are joined to their case (for the service) and void.
    counts = (
        _of_service(Offer.objects.filter(accepted_in_period | let), "application__case__service", service)
        .aggregate(
            offers_accepted=Count("id", filter=accepted_in_period),
            lets=Count("id", filter=let),
            direct_offer_lets=Count("id", filter=let & Q(kind=Offer.Kind.DIRECT)),
            # The same rule as the voids list: void days (empty → let) more than the threshold.
            long_term_voids_let=Count(
                "id", filter=let & Q(void__empty_on__lt=F("void__let_on") - timedelta(days=threshold))
            ),
        )
    )
    return Lettings(**counts, long_term_void_days=threshold)


# ------------------------------------------------------------------------------------------------- hardship


@dataclass(frozen=True)
class HardshipSpend:
    approved_count: int
    approved: Decimal  # approved in the period (and not refused since): committed
    paid_count: int
    paid: Decimal  # paid out in the period
    position: BudgetPosition  # the financial year the period ends in
    year_committed_count: int  # requests committed (approved or paid) in that year


def hardship_spend(service: Organisation, period: Period) -> HardshipSpend:
    """Hardship fund spend: requests approved in the period (still approved or since paid), payments made in
    the period, and the budget position of the financial year the period ends in."""
    approved = Q(status__in=COMMITTED_STATUSES) & _within_datetime(period, "decided_at")
    paid = Q(status=SpendRequest.Status.PAID) & _within_datetime(period, "paid_at")
    year = financial_year(period.end)
    in_year = Q(year=year)
    # One pass for the period's figures and the year's position (the sums budget_position makes, here at
    # once).
    totals = _of_service(SpendRequest.objects.all(), "case__service", service).aggregate(
        approved_count=Count("id", filter=approved),
        approved=Sum("amount", filter=approved),
        paid_count=Count("id", filter=paid),
        paid=Sum("amount", filter=paid),
        year_committed_count=Count("id", filter=in_year & Q(status__in=COMMITTED_STATUSES)),
        year_committed=Sum("amount", filter=in_year & Q(status__in=COMMITTED_STATUSES)),
        year_paid=Sum("amount", filter=in_year & Q(status=SpendRequest.Status.PAID)),
        year_awaiting=Sum("amount", filter=in_year & Q(status=SpendRequest.Status.REQUESTED)),
    )
    budget = Budget.objects.filter(service=service, year=year).first()
    return HardshipSpend(
        approved_count=totals["approved_count"],
        approved=totals["approved"] or ZERO,
        paid_count=totals["paid_count"],
        paid=totals["paid"] or ZERO,
        position=BudgetPosition(
            year=year,
            budget=budget.amount if budget else ZERO,
            budget_set=budget is not None,
            committed=totals["year_committed"] or ZERO,
            paid=totals["year_paid"] or ZERO,
            awaiting=totals["year_awaiting"] or ZERO,
        ),
        year_committed_count=totals["year_committed_count"],
    )
