"""Reading surveys: whether one is due, each case's paired change, and the summary for reports.

paired_changes() and survey_summary() are plain functions over a queryset of cases so that the annual
evaluation (issue 6) can reuse them on any cohort.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import QuerySet
from django.utils import timezone

from h2h.cases.models import Case, CaseEvent
from h2h.cases.stages import Stage
from h2h.lib.ids import by_ids
from h2h.support.models import Visit
from h2h.surveys.instruments import EQ5D_VALUE_SETS, SWEMWBS_NORM, survey_scores
from h2h.surveys.items import BASELINE, CARER, FOLLOW_UP, ITEMS_BY_CODE, PERSON
from h2h.surveys.models import Survey, SurveyAnswer

# The first visit and every stage after it: the baseline is taken at the first visit.
FIRST_VISIT_ONWARDS = frozenset({Stage.FIRST_VISIT, Stage.APPLICATION_LIVE, Stage.OFFER, Stage.TENANCY_START,
                                 Stage.FOLLOW_UP_2W, Stage.FOLLOW_UP_6M})


def _reached(case: Case, stages: frozenset) -> bool:
    """Whether the case is at one of these stages now or was moved to one (a closed case keeps its history)."""
    if case.stage in stages:
        return True
    return CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.STAGE, to_stage__in=stages).exists()


def survey_not_available(case: Case, timepoint: str, respondent: str, today: date | None = None) -> str | None:
    """Why this survey cannot be recorded yet, or None when it can.

    Baseline: once the case has reached the first visit. Follow-up: once the 6-month visit is done or due (or
    the case reached "6-month follow-up done"). A carer survey only when the referral records a carer.
    """
    today = today or timezone.localdate()
    if respondent == CARER and not case.referral.has_carer:
        return "The referral does not record a carer."
    if timepoint == BASELINE:
        if not _reached(case, FIRST_VISIT_ONWARDS):
            return "Not yet due: the baseline survey is done at the first visit."
        return None
    if _reached(case, frozenset({Stage.FOLLOW_UP_6M})):
        return None
    visit = Visit.objects.filter(case=case, kind=Visit.Kind.SIX_MONTH).first()
    if visit is not None and (visit.done_on is not None or visit.due_on <= today):
        return None
    if visit is None:
        return "Not yet due: the follow-up survey is done at the 6-month visit, scheduled when the tenancy starts."
    due = f"{visit.due_on.day} {visit.due_on:%B %Y}"
    return f"Not yet due: the follow-up survey is done at the 6-month visit, due {due}."


# ------------------------------------------------------------------------------------------------- paired change


@dataclass(frozen=True)
class Measure:
    """A figure compared between baseline and follow-up.

    kind: "score" (a number: mean before, after and change) or "share" (yes/no: the share who are "good").
    """

    key: str
    label: str
    kind: str
    higher_is_better: bool = True
    places: int = 1  # decimal places a mean is shown with


PERSON_MEASURES = (
    Measure("eq5d_index", "EQ-5D index", "score", places=3),
    Measure("eq_vas", "EQ VAS (self-rated health)", "score"),
    Measure("swemwbs_metric", "SWEMWBS metric score", "score", places=2),
    Measure("life_satisfaction", "Life satisfaction (0 to 10)", "score"),
    Measure("anxiety_depression", "EQ-5D anxiety or depression level", "score", higher_is_better=False),
    Measure("feeling_safe", "Feels safe at home (very or fairly)", "share"),
    Measure("social_contact", "Has as much social contact as wanted", "share"),
    Measure("financial_comfort", "Living comfortably or doing all right", "share"),
    Measure("managing_health", "Manages own health (fully or mostly)", "share"),
)
CARER_MEASURES = (Measure("life_satisfaction", "Carer's life satisfaction (0 to 10)", "score"),)
MEASURES_FOR = {PERSON: PERSON_MEASURES, CARER: CARER_MEASURES}
SHARE_ITEMS = ("feeling_safe", "social_contact", "financial_comfort", "managing_health")


@dataclass(frozen=True)
class Change:
    before: object
    after: object

    @property
    def change(self):
        """after − before for scores; None for yes/no measures."""
        if isinstance(self.before, bool) or self.before is None or self.after is None:
            return None
        return self.after - self.before


@dataclass(frozen=True, slots=True)
class SurveyFacts:
    """What a pair needs of a survey, read as plain values: a year's cohort has tens of thousands of surveys,
    and model instances cost several times more to build."""

    pk: int
    case_id: int
    respondent: str
    timepoint: str
    completed_on: date
    declined: bool
    value_set: str
    eq5d_index: Decimal | None
    eq_vas: int | None
    swemwbs_metric: Decimal | None


SURVEY_FACTS = ("pk", "case_id", "respondent", "timepoint", "completed_on", "declined", "value_set", "eq5d_index",
                "eq_vas", "swemwbs_metric")


@dataclass(frozen=True)
class Pair:
    """One respondent's baseline and follow-up on one case. changes holds only the measures present at both
    (each survey recorded, not declined, and the items answered); nothing is ever filled in."""

    respondent: str
    baseline: SurveyFacts | None = None
    follow_up: SurveyFacts | None = None
    changes: dict[str, Change] = field(default_factory=dict)
    # The follow-up's answered items: the follow-up-only questions (satisfaction…) need no pair.
    follow_up_values: dict[str, int] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return _recorded(self.baseline) and _recorded(self.follow_up)


@dataclass(frozen=True)
class CasePairs:
    case_id: int
    person: Pair
    carer: Pair


def _recorded(survey: SurveyFacts | None) -> bool:
    return survey is not None and not survey.declined


def _measure_values(survey: SurveyFacts, answers: dict[str, int], index) -> dict[str, object]:
    values: dict[str, object] = {
        "eq5d_index": index, "eq_vas": survey.eq_vas, "swemwbs_metric": survey.swemwbs_metric,
        "life_satisfaction": answers.get("life_satisfaction"), "anxiety_depression": answers.get("eq5d_ad"),
    }
    for code in SHARE_ITEMS:
        value = answers.get(code)
        values[code] = None if value is None else value in ITEMS_BY_CODE[code].good
    return values


def _indexes(baseline: SurveyFacts, follow_up: SurveyFacts, answers: dict[int, dict[str, int]]):
    """The two EQ-5D indexes on one value set. Each survey keeps the set it was scored with; when the area
    changed its set in between, both are re-scored with the follow-up's set if the levels are the same (5L
    with 5L), and not compared at all otherwise (3L levels are not 5L levels)."""
    if baseline.value_set == follow_up.value_set:
        return baseline.eq5d_index, follow_up.eq5d_index, True
    before_set, after_set = EQ5D_VALUE_SETS.get(baseline.value_set), EQ5D_VALUE_SETS.get(follow_up.value_set)
    if before_set is None or after_set is None or before_set.version != after_set.version:
        return None, None, False
    rescore = lambda s: survey_scores(answers[s.pk], after_set).eq5d_index  # noqa: E731
    return rescore(baseline), rescore(follow_up), True


def _pair(respondent: str, baseline: SurveyFacts | None, follow_up: SurveyFacts | None, answers) -> Pair:
    follow_up_values = answers[follow_up.pk] if _recorded(follow_up) else {}
    if not (_recorded(baseline) and _recorded(follow_up)):
        return Pair(respondent, baseline, follow_up, {}, follow_up_values)
    before_index, after_index, same_levels = _indexes(baseline, follow_up, answers)
    before = _measure_values(baseline, answers[baseline.pk], before_index)
    after = _measure_values(follow_up, answers[follow_up.pk], after_index)
    if not same_levels:
        before["anxiety_depression"] = after["anxiety_depression"] = None
    changes = {m.key: Change(before[m.key], after[m.key]) for m in MEASURES_FOR[respondent]
               if before[m.key] is not None and after[m.key] is not None}
    return Pair(respondent, baseline, follow_up, changes, follow_up_values)


def paired_changes(cases: QuerySet[Case]) -> list[CasePairs]:
    """Each case's baseline and follow-up surveys, for the person and for their carer, with the paired change.

    One CasePairs per case in the queryset (in id order), whether or not it has surveys. A change is given only
    when the same respondent has both surveys recorded (not declined) and the measure answered at both:
    EQ-5D index, EQ VAS, SWEMWBS metric, life satisfaction, the anxiety/depression level, and the yes/no
    measures (feels safe, social contact, financial comfort, managing own health) as before → after. The
    carer's pair has life satisfaction only.
    """
    # The cohort's ids are read once and then passed as ids (h2h.lib.ids): filtering by the queryset itself
    # would run it (for the annual evaluation, a grouped query over every stage change) for each table read.
    case_ids = list(cases.order_by("id").values_list("id", flat=True))
    surveys: list[SurveyFacts] = []
    for part in by_ids(Survey.objects.order_by(), "case_id", case_ids):
        surveys.extend(SurveyFacts(*row) for row in part.values_list(*SURVEY_FACTS))
    answers: dict[int, dict[str, int]] = defaultdict(dict)
    answered = SurveyAnswer.objects.filter(status=SurveyAnswer.Status.ANSWERED).order_by()
    for part in by_ids(answered, "survey_id", [s.pk for s in surveys if not s.declined]):
        for survey_id, item, value in part.values_list("survey_id", "item", "value"):
            answers[survey_id][item] = value
    by_case: dict[int, dict[tuple[str, str], SurveyFacts]] = defaultdict(dict)
    for survey in surveys:
        by_case[survey.case_id][(survey.respondent, survey.timepoint)] = survey
    result = []
    for case_id in case_ids:
        found = by_case.get(case_id, {})
        pairs = {who: _pair(who, found.get((who, BASELINE)), found.get((who, FOLLOW_UP)), answers)
                 for who in (PERSON, CARER)}
        result.append(CasePairs(case_id=case_id, person=pairs[PERSON], carer=pairs[CARER]))
    return result


# ------------------------------------------------------------------------------------------------------ summary

_THOUSANDTH, _TENTH = Decimal("0.001"), Decimal("0.1")


def _round(value: Decimal | None, places: Decimal = _THOUSANDTH) -> Decimal | None:
    return None if value is None else value.quantize(places, rounding=ROUND_HALF_UP)


def _mean(values: list) -> Decimal | None:
    if not values:
        return None
    return sum((Decimal(str(v)) for v in values), Decimal(0)) / len(values)


def _percent(part: int, whole: int) -> Decimal | None:
    return _round(Decimal(100 * part) / whole, _TENTH) if whole else None


@dataclass(frozen=True)
class ScoreChange:
    """Mean before, after and change over n pairs; percent_change = change in the mean ÷ |baseline mean|;
    improved = % of pairs better at follow-up. Means to 3 decimal places, percentages to 1."""

    n: int
    baseline: Decimal | None
    follow_up: Decimal | None
    change: Decimal | None
    percent_change: Decimal | None
    improved: Decimal | None


@dataclass(frozen=True)
class ShareChange:
    """% of the n pairs who were "good" (e.g. feel safe) at baseline and at follow-up."""

    n: int
    baseline: Decimal | None
    follow_up: Decimal | None


@dataclass(frozen=True)
class MeanValue:
    n: int
    mean: Decimal | None


@dataclass(frozen=True)
class ShareValue:
    n: int
    percent: Decimal | None


@dataclass(frozen=True)
class SurveySummary:
    """What the surveys show for a set of cases: completion counts and the paired changes."""

    counts: dict[str, int]
    person: dict[str, ScoreChange | ShareChange]
    carer: dict[str, ScoreChange]
    swemwbs_norm: Decimal
    swemwbs_at_or_above_norm: ShareChange
    anxiety_depression_any: ShareChange
    satisfaction: MeanValue
    could_not_have_moved: ShareValue


def _score_change(changes: list[Change], higher_is_better: bool) -> ScoreChange:
    n = len(changes)
    before = _mean([c.before for c in changes])
    after = _mean([c.after for c in changes])
    change = None if n == 0 else after - before
    percent = None if not before else _round(change * 100 / abs(before), _TENTH)
    improved = sum(1 for c in changes if (c.after > c.before if higher_is_better else c.after < c.before))
    return ScoreChange(n, _round(before), _round(after), _round(change), percent, _percent(improved, n))


def _share_change(pairs: list[tuple[bool, bool]]) -> ShareChange:
    n = len(pairs)
    return ShareChange(n, _percent(sum(b for b, _ in pairs), n), _percent(sum(a for _, a in pairs), n))


def survey_summary(cases: QuerySet[Case], pairs: list[CasePairs] | None = None) -> SurveySummary:
    """The survey results for a set of cases. Pass pairs from paired_changes to avoid reading them twice: over
    these cases, or over those of them that have surveys (the others add nothing).

    counts: "{person|carer}_{baseline|follow_up}_{recorded|declined}" → surveys, and "person_pairs",
    "carer_pairs" → respondents with both surveys recorded (keys with no surveys may be absent: read with .get).
    person: for each PERSON_MEASURES key, a ScoreChange (mean baseline, follow-up, change, % change, % improved)
    or a ShareChange (% "good" before and after), over the pairs that have that measure at both timepoints;
    the n can differ between measures because an item declined or not answered at either survey drops that
    person from that measure only. carer: the carer's life satisfaction, paired the same way.
    swemwbs_at_or_above_norm: % of pairs at or above the population norm (data/norms.toml) before and after.
    anxiety_depression_any: % reporting any anxiety or depression (EQ-5D level 2 or worse) before and after.
    satisfaction and could_not_have_moved: over every follow-up survey that answered them (no pair needed).
    """
    pairs = paired_changes(cases) if pairs is None else pairs
    counts: dict[str, int] = defaultdict(int)
    # Every survey of these cases is in a pair (one survey per case, respondent and timepoint).
    for survey in (s for p in pairs for pair in (p.person, p.carer) for s in (pair.baseline, pair.follow_up)):
        if survey is not None:
            counts[f"{survey.respondent}_{survey.timepoint}_{'declined' if survey.declined else 'recorded'}"] += 1
    counts["person_pairs"] = sum(p.person.complete for p in pairs)
    counts["carer_pairs"] = sum(p.carer.complete for p in pairs)

    def collect(respondent: str, key: str) -> list[Change]:
        return [c for p in pairs if (c := getattr(p, respondent).changes.get(key)) is not None]

    person: dict[str, ScoreChange | ShareChange] = {}
    for measure in PERSON_MEASURES:
        changes = collect(PERSON, measure.key)
        person[measure.key] = (_score_change(changes, measure.higher_is_better) if measure.kind == "score"
                               else _share_change([(c.before, c.after) for c in changes]))
    carer = {m.key: _score_change(collect(CARER, m.key), m.higher_is_better) for m in CARER_MEASURES}
    swemwbs = collect(PERSON, "swemwbs_metric")
    anxiety = collect(PERSON, "anxiety_depression")
    follow_ups = [p.person.follow_up_values for p in pairs if p.person.follow_up_values]
    satisfaction = [v["satisfaction"] for v in follow_ups if "satisfaction" in v]
    could_not = [v["could_not_have_moved"] for v in follow_ups if "could_not_have_moved" in v]
    return SurveySummary(
        counts=dict(counts), person=person, carer=carer, swemwbs_norm=SWEMWBS_NORM,
        swemwbs_at_or_above_norm=_share_change([(c.before >= SWEMWBS_NORM, c.after >= SWEMWBS_NORM)
                                                for c in swemwbs]),
        anxiety_depression_any=_share_change([(c.before > 1, c.after > 1) for c in anxiety]),
        satisfaction=MeanValue(len(satisfaction), _round(_mean(satisfaction))),
        could_not_have_moved=ShareValue(len(could_not), _percent(sum(v == 1 for v in could_not), len(could_not))),
    )
