"""Cohort rules (h2h/area/eligibility.py) evaluated against hand-built facts, no database."""

from dataclasses import replace

import pytest

from h2h.area.config import load_area
from h2h.area.eligibility import CohortResult, Facts, evaluate_all
from tests.factories import NOTTINGHAM_TOML


@pytest.fixture(scope="module")
def area():
    return load_area(NOTTINGHAM_TOML)


def facts(**overrides) -> Facts:
    base = {
        "age": 45,
        "benefits": frozenset(),
        "setting": "community",
        "wheelchair": "none",
        "mobility": "independent",
        "household_size": 2,
        "reasons": frozenset(),
        "tenure": "council_tenant",
        "medically_ready": False,
    }
    base.update(overrides)
    if isinstance(base["benefits"], set | list | tuple):
        base["benefits"] = frozenset(base["benefits"])
    if isinstance(base["reasons"], set | list | tuple):
        base["reasons"] = frozenset(base["reasons"])
    return Facts(**base)


def result_for(area, the_facts: Facts, code: str) -> CohortResult:
    results = {r.code: r for r in evaluate_all(area, the_facts)}
    return results[code]


def rule(result: CohortResult, label: str):
    return next(r for r in result.rules if r.label == label)


# --- older people -----------------------------------------------------------------------------------------


def test_it_accepts_a_61_year_old_in_an_acute_hospital_as_an_older_person(area):
    result = result_for(area, facts(age=61, setting="acute_hospital"), "older_people")
    assert result.passed is True
    assert all(r.passed for r in result.rules)
    assert "aged 61" in result.rules[0].why
    assert "Acute hospital" in result.rules[1].why


def test_it_accepts_a_57_year_old_receiving_pip(area):
    result = result_for(area, facts(age=57, benefits={"pip"}, setting="acute_hospital"), "older_people")
    assert result.passed is True
    assert "PIP" in result.rules[0].why


def test_it_refuses_a_57_year_old_with_no_disability_benefit_and_says_why(area):
    result = result_for(area, facts(age=57, setting="acute_hospital"), "older_people")
    assert result.passed is False
    age_rule = result.rules[0]
    assert age_rule.passed is False
    assert "57" in age_rule.why
    assert "under 60" in age_rule.why
    assert "DLA" in age_rule.why and "PIP" in age_rule.why
    assert result.rules[1].passed is True  # in hospital, so only the age rule failed


def test_it_refuses_a_57_year_old_on_attendance_allowance_only(area):
    result = result_for(
        area, facts(age=57, benefits={"attendance_allowance"}, setting="acute_hospital"), "older_people"
    )
    assert result.passed is False


def test_it_refuses_a_54_year_old_even_with_pip(area):
    result = result_for(area, facts(age=54, benefits={"pip"}, setting="acute_hospital"), "older_people")
    assert result.passed is False
    assert "aged 54" in result.rules[0].why


@pytest.mark.parametrize(("age", "passed"), [(59, False), (60, True)])
def test_it_draws_the_older_people_age_line_at_60(area, age, passed):
    assert result_for(area, facts(age=age, setting="care_home"), "older_people").passed is passed


def test_it_accepts_an_older_person_at_home_only_with_a_housing_reason(area):
    at_home = facts(age=70, setting="community")
    assert result_for(area, at_home, "older_people").passed is False
    assert result_for(area, replace(at_home, reasons=frozenset({"disrepair"})), "older_people").passed is True
    # delayed discharge is not one of the reasons listed for people at home
    assert (
        result_for(area, replace(at_home, reasons=frozenset({"delayed_discharge"})), "older_people").passed
        is False
    )


# --- essential wheelchair users ---------------------------------------------------------------------------


def test_it_accepts_an_essential_wheelchair_user_aged_30_in_an_acute_hospital(area):
    result = result_for(
        area, facts(age=30, wheelchair="essential", setting="acute_hospital"), "wheelchair_users"
    )
    assert result.passed is True


def test_it_refuses_an_essential_wheelchair_user_in_the_community_on_the_hospital_bed_rule(area):
    result = result_for(area, facts(age=30, wheelchair="essential", setting="community"), "wheelchair_users")
    assert result.passed is False
    failed = [r for r in result.rules if not r.passed]
    assert [r.label for r in failed] == ["Occupying a high-demand hospital bed"]
    assert "At home in the community" in failed[0].why


def test_it_refuses_an_occasional_wheelchair_user_in_hospital(area):
    result = result_for(
        area, facts(age=30, wheelchair="occasional", setting="acute_hospital"), "wheelchair_users"
    )
    assert result.passed is False
    assert rule(result, "Essential wheelchair user").passed is False


# --- mental-health move-on --------------------------------------------------------------------------------


def test_it_accepts_a_single_person_ready_to_leave_a_mental_health_ward(area):
    the_facts = facts(age=35, setting="mental_health_ward", household_size=1, medically_ready=True)
    assert result_for(area, the_facts, "mental_health").passed is True


def test_it_refuses_a_household_of_two_for_mental_health_move_on_and_says_why(area):
    the_facts = facts(age=35, setting="mental_health_ward", household_size=2, medically_ready=True)
    result = result_for(area, the_facts, "mental_health")
    assert result.passed is False
    household = rule(result, "Single person (household of one)")
    assert household.passed is False
    assert "household of 2" in household.why


def test_it_refuses_mental_health_move_on_before_the_person_is_medically_ready(area):
    the_facts = facts(age=35, setting="mental_health_ward", household_size=1, medically_ready=False)
    result = result_for(area, the_facts, "mental_health")
    assert result.passed is False
    assert "no date medically ready" in rule(result, "Ready to move on (date medically ready recorded)").why


# --- the shape of the results -----------------------------------------------------------------------------

EXAMPLES = [
    facts(age=61, setting="acute_hospital"),
    facts(age=57, benefits={"pip"}, setting="acute_hospital"),
    facts(age=57, setting="acute_hospital"),
    facts(age=30, wheelchair="essential", setting="acute_hospital"),
    facts(age=30, wheelchair="essential", setting="community"),
    facts(age=35, setting="mental_health_ward", household_size=1, medically_ready=True),
    facts(age=35, setting="mental_health_ward", household_size=2, medically_ready=True),
    facts(age=80, setting="step_down_unit", household_size=1, medically_ready=True, wheelchair="essential"),
]


@pytest.mark.parametrize("the_facts", EXAMPLES)
def test_it_gives_one_result_per_cohort_and_one_rule_result_per_configured_rule(area, the_facts):
    results = evaluate_all(area, the_facts)
    assert [r.code for r in results] == [c.code for c in area.cohorts]
    for result, cohort in zip(results, area.cohorts, strict=True):
        assert result.name == cohort.name
        assert [r.label for r in result.rules] == [r.label for r in cohort.rules]
        assert result.passed == all(r.passed for r in result.rules)
        assert all(r.why for r in result.rules)


def test_it_lets_one_person_fit_more_than_one_cohort(area):
    # 80, essential wheelchair user, single, ready to leave a step-down unit: older people and mental-health.
    passed = {r.code for r in evaluate_all(area, EXAMPLES[-1]) if r.passed}
    assert passed == {"older_people", "mental_health"}


def test_it_gives_results_that_serialise_for_the_case_record(area):
    as_dict = evaluate_all(area, EXAMPLES[0])[0].as_dict()
    assert as_dict["code"] == "older_people"
    assert as_dict["passed"] is True
    assert as_dict["rules"][0]["label"] == "Aged 60 or over, or 55 or over and receiving DLA or PIP"
    assert set(as_dict["rules"][0]) == {"label", "passed", "why"}
