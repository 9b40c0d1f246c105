"""Reading what the before-and-after measures need from the database, in a few flat queries.

Built for the whole service at once (about 100,000 cases and 500,000 linked rows): a handful of queries (none
per case), rows grouped by person in Python. The measures themselves are h2h/hospital/measures.py.
"""

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db import connection
from django.db.models import CharField, F, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone

from h2h.area.config import get_area
from h2h.cases.models import Case, CaseEvent
from h2h.cases.stages import Stage
from h2h.hospital.measures import (
    ADMISSIONS,
    ATTENDANCES,
    AdmissionFacts,
    CaseDates,
    CaseMeasures,
    Coverage,
    measures_for_cases,
    merge_periods,
)
from h2h.hospital.models import Admission, Attendance, Extract, LinkReview
from h2h.lib.ids import by_ids
from h2h.referrals.models import Referral

EVALUATION = Referral.Sharing.EVALUATION


@dataclass
class OutcomeInputs:
    cases: list[CaseDates]
    admissions_by_person: dict[int, list[AdmissionFacts]]
    attendances_by_person: dict[int, list[date]]
    coverage: dict[str, Coverage]
    # Cases left out, and why: their referral has no consent to link hospital activity, or the person has no
    # NHS number (nothing can link to them, so zero admissions would be false).
    no_consent: int = 0
    no_nhs_number: int = 0
    # People in the measures with a linkage decision still waiting: their figures may change.
    waiting_for_review: set[int] = field(default_factory=set)


def _rows(values_list: QuerySet):
    """The rows of a values_list query without the ORM's per-value converters, which cost more than the query
    itself at half a million rows. JSON comes as parsed values or as text (_json); dates see _date."""
    sql, params = values_list.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(20_000):
            yield from batch


def _date(field: str):
    """A date column for _rows. SQLite's driver turns dates into Python dates with a slow converter: read them
    as ISO text there and make dates with _day (several times faster). PostgreSQL's driver is quick."""
    return Cast(field, output_field=CharField()) if connection.vendor == "sqlite" else F(field)


def _day(value) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _json(value):
    return json.loads(value) if isinstance(value, str) else value


def linked_cases(case_queryset: QuerySet[Case]) -> tuple[list[CaseDates], int, int]:
    """The cases measured (their referral consents to linkage and the person has an NHS number), in case
    order, with the numbers left out for each reason."""
    rows = case_queryset.order_by("id").values_list("id", "person_id", _date("referred_on"), "cohort",
                                                    "referral__consent_sharing", "person__nhs_number")
    starts = tenancy_starts(case_queryset)
    cases, no_consent, no_nhs_number = [], 0, 0
    for case_id, person_id, referred_on, cohort, sharing, nhs_number in _rows(rows):
        # Consent is filtered here, not in SQL: JSON "contains" is not available on SQLite.
        if EVALUATION not in (_json(sharing) or ()):
            no_consent += 1
        elif not nhs_number:
            no_nhs_number += 1
        else:
            cases.append(CaseDates(case_id, person_id, _day(referred_on), starts.get(case_id), cohort))
    return cases, no_consent, no_nhs_number


def tenancy_starts(case_queryset: QuerySet[Case]) -> dict[int, date]:
    """Each case's tenancy start: the date of its latest recorded move to "tenancy start"."""
    events = CaseEvent.objects.filter(kind=CaseEvent.Kind.STAGE, to_stage=Stage.TENANCY_START)
    if case_queryset.query.where:  # a scoped list (one service, one page): only its cases' events
        events = events.filter(case_id__in=case_queryset.order_by().values("id"))
    # Later rows overwrite earlier ones in the dict: the latest recorded move wins.
    rows = events.order_by("at", "id").values_list("case_id", _date("on"))
    return {case_id: _day(on) for case_id, on in _rows(rows)}


def linked_activity(person_ids=None) -> tuple[dict[int, list[AdmissionFacts]], dict[int, list[date]]]:
    """Admissions and A&E attendances linked to people (rows waiting for a linkage decision are left out): all
    of them, or those of the people whose ids are given (read by the person index)."""
    admissions = Admission.objects.filter(person__isnull=False).order_by()
    attendances = Attendance.objects.filter(person__isnull=False).order_by()
    if person_ids is None:
        chunks = [(admissions, attendances)]
    else:
        # A list of ids, not a subquery: PostgreSQL may plan "person_id IN (cohort query)" as a subplan run once
        # for every activity row.
        person_ids = list(person_ids)
        chunks = list(zip(by_ids(admissions, "person_id", person_ids),
                          by_ids(attendances, "person_id", person_ids), strict=True))
    by_person: dict[int, list[AdmissionFacts]] = defaultdict(list)
    attended: dict[int, list[date]] = defaultdict(list)
    day = date.fromisoformat if connection.vendor == "sqlite" else (lambda value: value)
    for admitted, present in chunks:
        rows = admitted.values_list("person_id", _date("admitted_on"), _date("discharged_on"), "emergency",
                                    "excess_bed_days")
        for person_id, admitted_on, discharged_on, emergency, excess in _rows(rows):
            # Plain tuples in AdmissionFacts' order: half a million named tuples take a noticeable while to make.
            by_person[person_id].append((day(admitted_on), day(discharged_on), bool(emergency), excess))
        for person_id, attended_on in _rows(present.values_list("person_id", _date("attended_on"))):
            attended[person_id].append(day(attended_on))
    return dict(by_person), dict(attended)


def data_coverage() -> dict[str, Coverage]:
    """Per kind, the days covered by the applied files (a file without its period dates covers nothing)."""
    periods = defaultdict(list)
    for kind, first, last in Extract.objects.filter(status=Extract.Status.APPLIED).values_list(
            "kind", "period_start", "period_end"):
        if first and last:
            periods[kind].append((first, last))
    return {kind: merge_periods(periods[kind]) for kind in (ADMISSIONS, ATTENDANCES)}


def people_waiting_for_review() -> set[int]:
    through = LinkReview.candidates.through
    waiting = through.objects.filter(linkreview__status=LinkReview.Status.OPEN)
    return set(waiting.values_list("person_id", flat=True))


def outcome_inputs(case_queryset: QuerySet[Case]) -> OutcomeInputs:
    """Everything the measures need for these cases."""
    cases, no_consent, no_nhs_number = linked_cases(case_queryset)
    admissions, attendances = linked_activity()
    return OutcomeInputs(cases, admissions, attendances, data_coverage(), no_consent, no_nhs_number,
                         people_waiting_for_review())


def page_inputs(cases: list[CaseDates]) -> OutcomeInputs:
    """The same for a few cases already read by linked_cases (a page of a list): only their people's rows."""
    admissions, attendances = linked_activity({c.person_id for c in cases})
    return OutcomeInputs(list(cases), admissions, attendances, data_coverage(),
                         waiting_for_review=people_waiting_for_review())


def before_after(inputs: OutcomeInputs, *, today: date | None = None,
                 window_months: int | None = None) -> list[CaseMeasures]:
    if window_months is None:
        window_months = get_area().outcomes.window_months
    return measures_for_cases(inputs.cases, inputs.admissions_by_person, inputs.attendances_by_person,
                              inputs.coverage, window_months, today or timezone.localdate())
