"""Demo health and wellbeing surveys: a baseline for each case past its first visit, a follow-up for each past its
6-month visit, and carers' surveys where the referral records a carer. Runs after the cases exist
(h2h/demo/generate.py) and records everything through h2h.surveys.services, as a coordinator would.

The answers are made up to look like the Nottingham review on average (EQ-5D index about +19%, EQ VAS about +20%,
SWEMWBS from below the population norm to above it, feeling safe from two-thirds to nearly everyone, satisfaction
about 9.7, about 94% could not have moved without the coordinator, carers' life satisfaction about +40%), with a
few items declined or not answered and a few whole surveys declined. Deterministic for a seed.
"""

import random
from datetime import date

from h2h.accounts.models import User
from h2h.accounts.roles import Role
from h2h.cases.models import Case, CaseEvent
from h2h.cases.stages import Stage
from h2h.surveys.items import BASELINE, CARER, EQ5D_ITEMS, FOLLOW_UP, PERSON, items_for
from h2h.surveys.models import SurveyAnswer
from h2h.surveys.services import survey_decline, survey_record, survey_value_set

ANSWERED, DECLINED, NOT_ANSWERED = (SurveyAnswer.Status.ANSWERED, SurveyAnswer.Status.DECLINED,
                                    SurveyAnswer.Status.NOT_ANSWERED)
# Baseline EQ-5D level weights (levels 1..5) per dimension: people whose home is harming their health.
EQ5D_BASELINE = {
    "eq5d_mo": (5, 20, 35, 30, 10), "eq5d_sc": (25, 35, 25, 12, 3), "eq5d_ua": (5, 25, 35, 25, 10),
    "eq5d_pd": (10, 25, 35, 25, 5), "eq5d_ad": (15, 30, 30, 20, 5),
}
FIVE_TO_THREE = {1: 1, 2: 2, 3: 2, 4: 3, 5: 3}  # when the area scores with a 3L value set
DECLINE_SURVEY = 0.03
DECLINE_ITEM, SKIP_ITEM = 0.015, 0.005
REASONS = ("Did not want to do it today.", "Too unwell at the visit.", "Said the questions were too personal.")


def _clip(value: float, low: int, high: int) -> int:
    return max(low, min(high, round(value)))


def _level(rng: random.Random, weights) -> int:
    return rng.choices((1, 2, 3, 4, 5), weights=weights)[0]


def _person_baseline(rng: random.Random) -> dict[str, int]:
    values = {code: _level(rng, weights) for code, weights in EQ5D_BASELINE.items()}
    values["eq_vas"] = _clip(rng.gauss(50, 15), 5, 95)
    values.update({f"swemwbs_{n}": _level(rng, (8, 22, 38, 24, 8)) for n in range(1, 8)})
    values["life_satisfaction"] = _clip(rng.gauss(4.8, 1.8), 0, 10)
    values["social_contact"] = rng.choices((1, 2, 3), weights=(55, 30, 15))[0]
    values["feeling_safe"] = rng.choices((1, 2, 3, 4), weights=(25, 42, 23, 10))[0]
    values["financial_comfort"] = rng.choices((1, 2, 3, 4), weights=(10, 25, 40, 25))[0]
    values["managing_health"] = rng.choices((1, 2, 3, 4), weights=(15, 30, 35, 20))[0]
    return values


def _person_follow_up(rng: random.Random, before: dict[str, int]) -> dict[str, int]:
    after = {}
    for code in EQ5D_ITEMS:
        # A level better is −1. Some get a little worse, but a move rarely brings severe new problems.
        step = rng.choices((-1, 0, 1), weights=(33, 59, 8))[0]
        if step == 1 and before[code] >= 3:
            step = 0
        after[code] = _clip(before[code] + step, 1, 5)
    after["eq_vas"] = _clip(before["eq_vas"] * 1.2 + rng.gauss(0, 8), 0, 100)
    for n in range(1, 8):
        step = rng.choices((-1, 0, 1, 2), weights=(3, 19, 63, 15))[0]
        after[f"swemwbs_{n}"] = _clip(before[f"swemwbs_{n}"] + step, 1, 5)
    after["life_satisfaction"] = _clip(before["life_satisfaction"] + rng.gauss(2, 1.2), 0, 10)
    after["social_contact"] = rng.choices((1, 2, 3), weights=(88, 9, 3))[0]
    after["feeling_safe"] = rng.choices((1, 2, 3), weights=(75, 24, 1))[0]
    after["financial_comfort"] = _clip(before["financial_comfort"] - rng.choices((0, 1), weights=(55, 45))[0], 1, 4)
    after["managing_health"] = _clip(before["managing_health"] - rng.choices((0, 1), weights=(45, 55))[0], 1, 4)
    after["satisfaction"] = rng.choices((10, 9, 8), weights=(75, 20, 5))[0]
    after["could_not_have_moved"] = 1 if rng.random() < 0.94 else 0
    return after


def _answers(rng: random.Random, values: dict[str, int], respondent: str, timepoint: str,
             levels: int) -> dict:
    answers = {}
    for item in items_for(respondent, timepoint):
        roll = rng.random()
        if roll < DECLINE_ITEM:
            answers[item.code] = (DECLINED, None)
        elif roll < DECLINE_ITEM + SKIP_ITEM:
            answers[item.code] = (NOT_ANSWERED, None)
        else:
            value = values[item.code]
            if item.code in EQ5D_ITEMS and levels == 3:
                value = FIVE_TO_THREE[value]
            answers[item.code] = (ANSWERED, value)
    return answers


def _stage_dates(stage: str) -> dict[int, date]:
    """The date each case (first) reached a stage."""
    dates: dict[int, date] = {}
    for case_id, on in (CaseEvent.objects.filter(kind=CaseEvent.Kind.STAGE, to_stage=stage)
                        .order_by("case_id", "at", "id").values_list("case_id", "on")):
        dates.setdefault(case_id, on)
    return dates


def seed_surveys(*, seed: int, today: date) -> dict:
    """Record the demo surveys for every case that has reached its first visit; returns what was made."""
    rng = random.Random(seed * 7919 + 17)  # noqa: S311 - made-up demo data, nothing secret
    first_visits, six_months = _stage_dates(Stage.FIRST_VISIT), _stage_dates(Stage.FOLLOW_UP_6M)
    made = {"baseline": 0, "follow_up": 0, "carer": 0, "declined": 0}
    cases = (Case.objects.filter(pk__in=first_visits).select_related("referral", "assigned_to")
             .order_by("id"))
    staff: dict[int, tuple[list[User], list[User]]] = {}
    for case in cases:
        if case.service_id not in staff:
            users = User.objects.filter(organisation_id=case.service_id, is_active=True).order_by("id")
            staff[case.service_id] = ([u for u in users if u.role == Role.HHC],
                                      [u for u in users if u.role == Role.ADMIN_OFFICER])
        hhcs, admins = staff[case.service_id]
        assigned = case.assigned_to if case.assigned_to and case.assigned_to.role == Role.HHC else None
        by = admins[0] if admins and rng.random() < 0.15 else (assigned or (hhcs[0] if hhcs else None))
        if by is None:
            continue
        levels = survey_value_set(None, PERSON).levels
        before = _person_baseline(rng)
        after = _person_follow_up(rng, before)
        carer_before = _clip(rng.gauss(5, 1.5), 0, 10)
        carer_after = _clip(carer_before * 1.4 + rng.gauss(0, 0.8), 0, 10)
        plan = [(BASELINE, first_visits[case.pk], before, carer_before)]
        if (today - first_visits[case.pk]).days < 3 and case.pk not in six_months and rng.random() < 0.5:
            plan = []  # visited in the last few days: the survey is still to be keyed in
        if case.pk in six_months:
            plan.append((FOLLOW_UP, six_months[case.pk], after, carer_after))
        for timepoint, on, values, carer_value in plan:
            respondents = [(PERSON, values)] + ([(CARER, {"life_satisfaction": carer_value})]
                                                if case.referral.has_carer else [])
            for respondent, answers_from in respondents:
                common = {"case": case, "timepoint": timepoint, "respondent": respondent, "completed_on": on,
                          "by": by, "today": today}
                if rng.random() < DECLINE_SURVEY:
                    survey_decline(reason=rng.choice(REASONS), **common)
                    made["declined"] += 1
                    continue
                answers = _answers(rng, answers_from, respondent, timepoint, levels)
                if not any(status == ANSWERED for status, _ in answers.values()):
                    survey_decline(reason="Answered none of the questions.", **common)
                    made["declined"] += 1
                    continue
                survey_record(answers=answers, **common)
                made["carer" if respondent == CARER else timepoint] += 1
    return made
