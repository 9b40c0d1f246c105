"""Adapters: read the service's records into the engine's inputs (h2h/evaluation/engine.py).

Each figure is read through the module that owns it, so the evaluation and the other reports agree:
- who was rehoused in the period, how long it took and where they were: h2h.reports.kpis.rehoused (the same
  function behind the dashboard's rehousing time and bed days avoided);
- hospital activity before and after: h2h.hospital.selectors_outcomes (cases with consent to link and an NHS
  number, the files' coverage) and h2h.hospital.measures.case_measures (the windows and their status). The
  evaluation also splits emergency admissions into short and long stays, which the measures do not, counting
  them over the same observed days with the same rule (_emergency_stays), from the same linked rows
  (selectors_outcomes.linked_activity);
- surveys: h2h.surveys.selectors.paired_changes and survey_summary;
- voids let, funding, avoided outcomes: read here, with the same long-term rule as the dashboard
  (void days, empty to let, more than the area's lettings.long_term_void_days).
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import Min, QuerySet
from django.utils import timezone

from h2h.accounts.models import Organisation
from h2h.area.config import get_area
from h2h.area.valuesets import Tenure
from h2h.cases.models import Case, CaseEvent
from h2h.cases.stages import Stage
from h2h.evaluation import engine
from h2h.evaluation.costbook import current_costs, current_wellbeing_rates
from h2h.evaluation.models import AvoidedOutcome, Funding
from h2h.hospital import measures, selectors_outcomes
from h2h.lettings.models import Offer
from h2h.referrals.models import Referral
from h2h.reports import kpis
from h2h.surveys.models import Survey
from h2h.surveys.selectors import CasePairs, SurveySummary, paired_changes, survey_summary


@dataclass
class HospitalCounts:
    """Where each rehoused case stands for the before-and-after comparison."""

    no_consent: int = 0
    no_nhs_number: int = 0
    measured: int = 0
    not_yet_due: int = 0
    no_data: int = 0
    summary: measures.CohortSummary | None = None


@dataclass
class EvaluationData:
    inputs: engine.EvaluationInputs
    rehoused: list[kpis.Rehoused]
    hospital: HospitalCounts
    surveys: SurveySummary
    hardship: kpis.HardshipSpend


# ------------------------------------------------------------------------------------------------ rehousing


def rehoused_queryset(service: Organisation, period: kpis.Period) -> QuerySet[Case]:
    """The cases kpis.rehoused lists (first tenancy start in the period), as a query to use in others: a year's
    cohort can be tens of thousands of cases, too many to pass as a list of ids."""
    first_starts = (CaseEvent.objects.filter(case__service=service, kind=CaseEvent.Kind.STAGE,
                                             to_stage=Stage.TENANCY_START)
                    .values("case_id").annotate(started=Min("on"))
                    .filter(started__gte=period.start, started__lte=period.end).values("case_id"))
    return Case.objects.filter(id__in=first_starts)


def rehoused_cases(rows: list[kpis.Rehoused]) -> list[engine.RehousedCase]:
    return [engine.RehousedCase(r.case_id, r.setting, r.days) for r in rows]


# ------------------------------------------------------------------------------------------------ hospital


def _emergency_stays(facts, window: measures.WindowMeasures, coverage: measures.Coverage,
                     today: date) -> tuple[int, int]:
    """(long, short) emergency admissions counted in a measured window: the same days and the same rule as
    h2h.hospital.measures.measure_window (admission date inside the window's observed stretches)."""
    stretches = measures.observed_stretches(window.first_day, window.last_day, coverage, today)
    long_ = short = 0
    for admitted, discharged, emergency, _ in facts:
        if emergency and any(first <= admitted <= last for first, last in stretches):
            if (discharged - admitted).days <= engine.SHORT_STAY_MAX_DAYS:
                short += 1
            else:
                long_ += 1
    return long_, short


def _window(whole: measures.WindowMeasures, facts, coverage: measures.Coverage, today: date) -> engine.HospitalWindow:
    long_ = short = None
    if whole.admissions is not None:
        long_, short = _emergency_stays(facts, whole, coverage, today)
    return engine.HospitalWindow(
        observed_days=whole.observed_days, long_stays=long_, short_stays=short,
        excess_bed_days=whole.excess_bed_days, attendance_days=whole.attendance_observed_days,
        attendances=whole.attendances,
    )


def hospital_cases(cases: QuerySet[Case], *, window_months: int,
                   today: date) -> tuple[list[engine.HospitalCase], HospitalCounts]:
    dated, no_consent, no_nhs_number = selectors_outcomes.linked_cases(cases)
    counts = HospitalCounts(no_consent=no_consent, no_nhs_number=no_nhs_number)
    if not dated:
        counts.summary = measures.cohort_summary([])
        return [], counts
    # The same rows as the outcomes pages (waiting-for-review rows left out), for this cohort's people only.
    admissions, attendances = selectors_outcomes.linked_activity({case.person_id for case in dated})
    coverage = selectors_outcomes.data_coverage()
    admitted_coverage = coverage.get(measures.ADMISSIONS, ())
    out, measured_all = [], []
    for case in dated:
        facts = admissions.get(case.person_id, ())
        whole = measures.case_measures(case, facts, attendances.get(case.person_id, ()), coverage, window_months,
                                       today)
        measured_all.append(whole)
        status = whole.summary_status
        if status == measures.NOT_YET_DUE:
            counts.not_yet_due += 1
        elif status != measures.MEASURED:  # a rehoused case always has a tenancy: the rest have no data
            counts.no_data += 1
        else:
            counts.measured += 1
            out.append(engine.HospitalCase(case.case_id, _window(whole.before, facts, admitted_coverage, today),
                                           _window(whole.after, facts, admitted_coverage, today)))
    counts.summary = measures.cohort_summary(measured_all)
    return out, counts


# ------------------------------------------------------------------------------------------------ council


def avoided_facts(service: Organisation, period: kpis.Period) -> list[engine.AvoidedFact]:
    rows = AvoidedOutcome.objects.filter(case__service=service, on__gte=period.start, on__lte=period.end)
    return [engine.AvoidedFact(case_id, kind, quantity)
            for case_id, kind, quantity in rows.values_list("case_id", "kind", "quantity")]


# ------------------------------------------------------------------------------------------------ housing


def voids_let(service: Organisation, period: kpis.Period, long_term_void_days: int) -> list[engine.VoidLet]:
    """Homes empty more than the long-term threshold, let through the service with a tenancy starting in the
    period (the dashboard's rule: h2h.reports.kpis.lettings)."""
    rows = (Offer.objects.filter(application__case__service=service, status=Offer.Status.SIGNED_UP,
                                 tenancy_start__gte=period.start, tenancy_start__lte=period.end)
            .values_list("application__case_id", "void__property__weekly_rent", "void__empty_on", "void__let_on"))
    out = []
    for case_id, rent, empty_on, let_on in rows:
        if let_on is not None and (let_on - empty_on).days > long_term_void_days:
            out.append(engine.VoidLet(case_id, rent, (let_on - empty_on).days))
    return out


# ------------------------------------------------------------------------------------------------ funding


def funding_shares(period: kpis.Period) -> list[engine.FundingShare]:
    """Each funding row's part in the period, pro rata by days (a row wholly inside counts in full)."""
    rows = Funding.objects.filter(period_start__lte=period.end, period_end__gte=period.start)
    out = []
    for row in rows:
        first, last = max(row.period_start, period.start), min(row.period_end, period.end)
        overlap = (last - first).days + 1
        amount = row.amount if overlap == row.days else engine.money(row.amount * overlap / row.days)
        out.append(engine.FundingShare(row.funder, row.kind, amount))
    return out


# ------------------------------------------------------------------------------------------------ wellbeing


def _went(change, before_test, after_test) -> bool:
    return change is not None and before_test(change.before) and after_test(change.after)


def wellbeing_counts(pairs: list[CasePairs], homeless_rehoused: int) -> dict[str, int]:
    """How many people reached each outcome valued by wellbeing valuation (definitions in stakeholders.py)."""
    counts: dict[str, int] = defaultdict(int)
    counts["secure_tenancy_from_homelessness"] = homeless_rehoused
    for pair in pairs:
        person = pair.person.changes
        counts["relief_from_anxiety_depression"] += _went(person.get("anxiety_depression"),
                                                          lambda b: b >= 3, lambda a: a == 1)
        for outcome, key in (("feeling_safe", "feeling_safe"), ("adequate_social_contact", "social_contact"),
                             ("financial_comfort", "financial_comfort"), ("managing_own_health", "managing_health")):
            counts[outcome] += _went(person.get(key), lambda b: b is False, lambda a: a is True)
        swemwbs = person.get("swemwbs_metric")
        counts["improved_mental_wellbeing"] += swemwbs is not None and swemwbs.after > swemwbs.before
        carer = pair.carer.changes.get("life_satisfaction")
        counts["carer_life_satisfaction"] += carer is not None and carer.after > carer.before
    return dict(counts)


# ------------------------------------------------------------------------------------------------ together


def _completeness(rehoused: list[kpis.Rehoused], hospital: HospitalCounts, surveys: SurveySummary,
                  avoided: list[engine.AvoidedFact]) -> list[engine.Completeness]:
    n = len(rehoused)
    counts = surveys.counts
    from_bed = sum(1 for r in rehoused if r.in_bed)
    rehoused_ids = {r.case_id for r in rehoused}
    return [
        engine.Completeness("Rehoused in the period (tenancy started)", n, n),
        engine.Completeness("Referred from a bed (bed days avoided)", from_bed, n),
        engine.Completeness("Consent to link hospital activity, with an NHS number",
                            n - hospital.no_consent - hospital.no_nhs_number, n,
                            f"{hospital.no_consent} without consent, {hospital.no_nhs_number} without an NHS number"),
        engine.Completeness("Hospital activity measured before and after", hospital.measured, n,
                            f"{hospital.not_yet_due} not yet due (under {get_area().outcomes.window_months} months "
                            f"since the move), {hospital.no_data} with no hospital data for a window"),
        engine.Completeness("Baseline survey recorded", counts.get("person_baseline_recorded", 0), n,
                            f"{counts.get('person_baseline_declined', 0)} declined"),
        engine.Completeness("Follow-up survey recorded", counts.get("person_follow_up_recorded", 0), n,
                            f"{counts.get('person_follow_up_declined', 0)} declined"),
        engine.Completeness("Baseline and follow-up both recorded (paired)", counts.get("person_pairs", 0), n),
        engine.Completeness("EQ-5D index at both", surveys.person["eq5d_index"].n, n),
        engine.Completeness("SWEMWBS at both", surveys.person["swemwbs_metric"].n, n),
        engine.Completeness("Carer surveyed at both", counts.get("carer_pairs", 0), n),
        engine.Completeness("Avoided outcome recorded by the coordinator",
                            len({f.case_id for f in avoided if f.case_id in rehoused_ids}), n,
                            "adaptations, homelessness or social care; records dated in the period may also "
                            "belong to cases rehoused earlier"),
    ]


def evaluation_data(service: Organisation, period: kpis.Period, *, today: date | None = None) -> EvaluationData:
    today = today or timezone.localdate()
    area = get_area()
    rehoused = kpis.rehoused(service, period)
    cohort = rehoused_queryset(service, period)
    hospital, hospital_counts = hospital_cases(cohort, window_months=area.outcomes.window_months, today=today)
    # Only cases with a survey can have a pair; the others would add empty pairs and nothing to any figure.
    pairs = paired_changes(cohort.filter(id__in=Survey.objects.values("case_id")))
    surveys = survey_summary(cohort, pairs)
    homeless = Referral.objects.filter(originated_case__in=cohort, tenure=Tenure.HOMELESS).count()
    avoided = avoided_facts(service, period)
    inputs = engine.EvaluationInputs(
        start=period.start, end=period.end, baseline_wait_days=area.baseline_wait_days,
        window_months=area.outcomes.window_months, costs=current_costs(), rehoused=rehoused_cases(rehoused),
        hospital=hospital, avoided=avoided,
        voids_let=voids_let(service, period, area.lettings.long_term_void_days),
        funding=funding_shares(period), wellbeing_counts=wellbeing_counts(pairs, homeless),
        wellbeing_rates=current_wellbeing_rates(),
        completeness=_completeness(rehoused, hospital_counts, surveys, avoided),
    )
    return EvaluationData(inputs=inputs, rehoused=rehoused, hospital=hospital_counts, surveys=surveys,
                          hardship=kpis.hardship_spend(service, period))


def evaluate(service: Organisation, period: kpis.Period, *, today: date | None = None):
    """The evaluation of `service` over `period`, with what was read to make it."""
    data = evaluation_data(service, period, today=today)
    return engine.evaluate(data.inputs), data

