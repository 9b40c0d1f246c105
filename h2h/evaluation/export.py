"""The pseudonymised case-level export for external evaluators: one row per case, nobody named.

Never in it: names, addresses, postcodes, phone numbers, email addresses, dates of birth (an age band instead),
NHS numbers (a keyed hash instead, h2h/evaluation/pseudonyms.py), free text (notes, reasons written by hand),
staff names, organisation names. Dates can be shifted by a per-person offset that keeps every interval.
The columns are documented in docs/formats/pseudonymised-export-csv.md; keep the two in step.
"""

import csv
import io
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from django.db.models import Min, Q, Sum

from h2h.accounts.models import Organisation
from h2h.area.config import get_area
from h2h.area.valuesets import BED_SETTINGS
from h2h.cases.models import Case, CaseEvent
from h2h.cases.stages import Stage
from h2h.evaluation import pseudonyms
from h2h.evaluation.inputs import rehoused_queryset
from h2h.evaluation.models import AvoidedOutcome
from h2h.hardship.models import COMMITTED_STATUSES, SpendRequest
from h2h.hospital import measures, selectors_outcomes
from h2h.lettings.models import Offer
from h2h.lib.spreadsheet import spreadsheet_safe
from h2h.referrals.models import Referral
from h2h.reports import kpis
from h2h.surveys.selectors import paired_changes

WINDOW_FIELDS = ("status", "observed_days", "admissions", "emergency_admissions", "bed_days", "excess_bed_days",
                 "ae_observed_days", "ae_attendances")
COLUMNS = (
    "person_key", "case_key", "hospital_linkage_consent", "dates_shifted",
    "age_band_at_referral", "cohort", "decision", "referral_setting", "referred_from_bed", "tenure_at_referral",
    "referral_reasons", "referrer_kind", "mobility", "wheelchair_use", "household_size", "has_carer",
    "stage", "closing_reason", "referred_on", "tenancy_start", "closed_on", "days_to_tenancy",
    "bed_days_avoided", "referred_in_period", "rehoused_in_period",
    *(f"before_{f}" for f in WINDOW_FIELDS), *(f"after_{f}" for f in WINDOW_FIELDS),
    "baseline_eq5d_index", "follow_up_eq5d_index", "baseline_eq_vas", "follow_up_eq_vas",
    "baseline_swemwbs_metric", "follow_up_swemwbs_metric", "baseline_anxiety_depression",
    "follow_up_anxiety_depression", "satisfaction", "could_not_have_moved",
    "carer_baseline_life_satisfaction", "carer_follow_up_life_satisfaction",
    "adaptations_avoided", "homelessness_prevented", "home_care_hours_a_week_avoided", "long_term_void_let",
    "hardship_spend",
)
TOP_AGE_BAND = 90  # ages of 90 and over share one band, as in most published health statistics


def age_band(born: date, on: date) -> str:
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    if age >= TOP_AGE_BAND:
        return f"{TOP_AGE_BAND}+"
    low = age // 5 * 5
    return f"{low}-{low + 4}"


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


@dataclass(frozen=True)
class ExportResult:
    content: str
    rows: int


def export_cases(service: Organisation, period: kpis.Period):
    """Cases referred in the period or rehoused in it."""
    return Case.objects.filter(service=service).filter(
        Q(referred_on__gte=period.start, referred_on__lte=period.end) | Q(id__in=rehoused_queryset(service, period)))


def _window_cells(window: measures.WindowMeasures | None) -> list:
    if window is None:
        return [""] * len(WINDOW_FIELDS)
    measured = window.status == measures.MEASURED
    return [window.status, window.observed_days if measured else "", window.admissions, window.emergency_admissions,
            window.bed_days, window.excess_bed_days, window.attendance_observed_days if measured else "",
            window.attendances]


def export_rows(service: Organisation, period: kpis.Period, *, key: bytes, shift_dates: bool,
                today: date) -> Iterator[list]:
    area = get_area()
    cases = export_cases(service, period)
    rows = list(cases.order_by("id").values_list(
        "id", "person_id", "person__nhs_number", "person__date_of_birth", "cohort", "decision", "stage",
        "closing_reason", "referred_on", "referral__setting", "referral__tenure", "referral__reasons",
        "referral__referrer_organisation__kind", "referral__mobility", "referral__wheelchair_use",
        "referral__household_size", "referral__has_carer", "referral__consent_sharing"))
    stage_events = CaseEvent.objects.filter(case__in=cases, kind=CaseEvent.Kind.STAGE)
    tenancy = dict(stage_events.filter(to_stage=Stage.TENANCY_START).values("case_id").annotate(on=Min("on"))
                   .values_list("case_id", "on"))
    closed = dict(stage_events.filter(to_stage=Stage.CLOSED).values("case_id").annotate(on=Min("on"))
                  .values_list("case_id", "on"))
    rehoused_ids = set(rehoused_queryset(service, period).values_list("id", flat=True))
    hospital_inputs = selectors_outcomes.outcome_inputs(cases)
    hospital = {m.case.case_id: m for m in selectors_outcomes.before_after(hospital_inputs, today=today)}
    pairs = {p.case_id: p for p in paired_changes(cases)}
    avoided: dict[int, dict[str, object]] = defaultdict(dict)
    for case_id, kind, quantity in AvoidedOutcome.objects.filter(case__in=cases).values_list("case_id", "kind",
                                                                                           "quantity"):
        avoided[case_id][kind] = quantity
    threshold = area.lettings.long_term_void_days
    long_term = {case_id for case_id, empty, let in Offer.objects.filter(
        application__case__in=cases, status=Offer.Status.SIGNED_UP).values_list(
        "application__case_id", "void__empty_on", "void__let_on") if let and (let - empty).days > threshold}
    hardship = dict(SpendRequest.objects.filter(case__in=cases, status__in=COMMITTED_STATUSES)
                    .values("case_id").annotate(total=Sum("amount")).values_list("case_id", "total"))
    for (case_id, person_id, nhs_number, born, cohort, decision, stage, closing_reason, referred_on, setting, tenure,
         reasons, referrer_kind, mobility, wheelchair, household, has_carer, sharing) in rows:
        consent = Referral.Sharing.EVALUATION in (sharing or ())
        # The NHS number is the basis of the pseudonym only with consent to link for the evaluation: it is what
        # lets an evaluator join other data to this person.
        person_key = pseudonyms.person_pseudonym(key, nhs_number=nhs_number if consent else "", person_id=person_id)
        offset = pseudonyms.date_shift(key, f"person:{person_id}") if shift_dates else None
        started, ended = tenancy.get(case_id), closed.get(case_id)
        days = (started - referred_on).days if started else None
        measured = hospital.get(case_id)
        pair = pairs.get(case_id)
        person = pair.person if pair else None

        def score(survey, field):
            return getattr(survey, field) if survey is not None and not survey.declined else None

        anxiety = person.changes.get("anxiety_depression") if person else None
        carer = pair.carer.changes.get("life_satisfaction") if pair else None
        follow_values = person.follow_up_values if person else {}
        yield [
            person_key, pseudonyms.case_pseudonym(key, case_id), _yes(consent), _yes(shift_dates),
            age_band(born, referred_on), cohort, decision, setting, _yes(setting in BED_SETTINGS), tenure,
            ";".join(reasons or ()), referrer_kind, mobility, wheelchair, household, _yes(has_carer),
            stage, closing_reason, pseudonyms.shifted(referred_on, offset), pseudonyms.shifted(started, offset),
            pseudonyms.shifted(ended, offset), days,
            area.baseline_wait_days - days if days is not None and setting in BED_SETTINGS else None,
            _yes(period.start <= referred_on <= period.end), _yes(case_id in rehoused_ids),
            *_window_cells(measured.before if measured else None),
            *_window_cells(measured.after if measured else None),
            score(person.baseline if person else None, "eq5d_index"),
            score(person.follow_up if person else None, "eq5d_index"),
            score(person.baseline if person else None, "eq_vas"), score(person.follow_up if person else None, "eq_vas"),
            score(person.baseline if person else None, "swemwbs_metric"),
            score(person.follow_up if person else None, "swemwbs_metric"),
            anxiety.before if anxiety else None, anxiety.after if anxiety else None,
            follow_values.get("satisfaction"), follow_values.get("could_not_have_moved"),
            carer.before if carer else None, carer.after if carer else None,
            avoided[case_id].get(AvoidedOutcome.Kind.ADAPTATION), _yes(AvoidedOutcome.Kind.HOMELESSNESS
                                                                      in avoided[case_id]),
            avoided[case_id].get(AvoidedOutcome.Kind.SOCIAL_CARE), _yes(case_id in long_term),
            hardship.get(case_id),
        ]


def export_csv(service: Organisation, period: kpis.Period, *, key: bytes, shift_dates: bool,
               today: date) -> ExportResult:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    count = 0
    for row in export_rows(service, period, key=key, shift_dates=shift_dates, today=today):
        writer.writerow(["" if value is None else spreadsheet_safe(value) for value in row])
        count += 1
    return ExportResult(buffer.getvalue(), count)
