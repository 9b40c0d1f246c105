"""Scoring the survey instruments: EQ-5D index values from the published value sets, SWEMWBS raw → metric,
and missing answers never scored. No database needed."""

from decimal import Decimal

import pytest

from h2h.surveys.instruments import (
    EQ5D_VALUE_SETS,
    SWEMWBS_NORM,
    life_satisfaction_band,
    survey_scores,
    swemwbs_metric,
    swemwbs_raw,
)
from h2h.surveys.items import BASELINE, CARER, FOLLOW_UP, ITEMS, PERSON, items_for

ENGLAND, UK, DOLAN = EQ5D_VALUE_SETS["england-2018"], EQ5D_VALUE_SETS["uk-2026"], EQ5D_VALUE_SETS["uk-3l-dolan-1997"]


@pytest.mark.parametrize(("state", "index"), [
    # Worked values for Devlin et al. 2018 (reference-data.md 1.1), and the set's range.
    ("12345", "0.322"), ("33333", "0.593"), ("22222", "0.701"), ("44444", "-0.094"), ("54321", "0.436"),
    ("11115", "0.711"), ("51111", "0.726"), ("55555", "-0.285"), ("11111", "1"),
])
def test_england_2018_index_matches_the_worked_values(state, index):
    assert ENGLAND.index(state) == Decimal(index)


# Rowen et al. 2026 coefficients (reference-data.md 1.2), typed here independently of the data file, so a
# mistyped coefficient in h2h/surveys/data/eq5d_value_sets.toml fails the test.
UK_DECREMENTS = {
    "MO": (0, 0.032, 0.058, 0.179, 0.279), "SC": (0, 0.038, 0.060, 0.162, 0.206),
    "UA": (0, 0.049, 0.086, 0.184, 0.212), "PD": (0, 0.056, 0.066, 0.371, 0.479),
    "AD": (0, 0.041, 0.126, 0.313, 0.391),
}


def test_uk_2026_worst_state_is_its_published_minimum():
    assert UK.index("55555") == Decimal("-0.567")


@pytest.mark.parametrize("state", ["12345", "33333", "21111", "11112", "54321", "24135", "44444"])
def test_uk_2026_index_is_one_minus_the_dimension_decrements(state):
    dims = ("MO", "SC", "UA", "PD", "AD")
    by_hand = 1 - sum(UK_DECREMENTS[dim][int(level) - 1] for dim, level in zip(dims, state, strict=True))
    assert UK.index(state) == Decimal(str(round(by_hand, 3)))


def test_uk_2026_two_states_worked_in_full():
    # 12345: 1 − (0 + 0.038 + 0.086 + 0.371 + 0.391) = 0.114; 33333: 1 − (0.058+0.060+0.086+0.066+0.126) = 0.604
    assert UK.index("12345") == Decimal("0.114")
    assert UK.index("33333") == Decimal("0.604")


@pytest.mark.parametrize(("state", "index"), [
    ("22222", "0.516"),  # 1 − 0.081 − (0.069+0.104+0.036+0.123+0.071)
    ("33333", "-0.594"),  # 1 − 0.081 − (0.314+0.214+0.094+0.386+0.236) − 0.269 (N3)
    ("11111", "1"),
    ("11112", "0.848"),  # 1 − 0.081 − 0.071
])
def test_dolan_3l_index_applies_the_constant_and_n3(state, index):
    assert DOLAN.index(state) == Decimal(index)


def test_a_3l_set_refuses_a_5l_level():
    with pytest.raises(ValueError, match="outside 1–3"):
        DOLAN.index("11114")


def test_a_missing_dimension_gives_no_index():
    assert ENGLAND.index({"MO": 1, "SC": 2, "UA": None, "PD": 1, "AD": 1}) is None
    assert ENGLAND.index({"MO": 1, "SC": 2, "PD": 1, "AD": 1}) is None


# The conversion table (reference-data.md section 2), typed here independently of h2h/surveys/data/swemwbs.toml.
SWEMWBS_TABLE = {
    7: "7.00", 8: "9.51", 9: "11.25", 10: "12.40", 11: "13.33", 12: "14.08", 13: "14.75", 14: "15.32",
    15: "15.84", 16: "16.36", 17: "16.88", 18: "17.43", 19: "17.98", 20: "18.59", 21: "19.25", 22: "19.98",
    23: "20.73", 24: "21.54", 25: "22.35", 26: "23.21", 27: "24.11", 28: "25.03", 29: "26.02", 30: "27.03",
    31: "28.13", 32: "29.31", 33: "30.70", 34: "32.55", 35: "35.00",
}


def _items_summing_to(raw: int) -> list[int]:
    """Seven items of 1..5 that add up to raw, spread unevenly so the sum, not the pattern, is tested."""
    items, left = [], raw
    for remaining in range(7, 0, -1):
        value = min(5, left - (remaining - 1))
        items.append(value)
        left -= value
    return items


@pytest.mark.parametrize("raw", range(7, 36))
def test_every_swemwbs_raw_total_converts_to_the_table_value(raw):
    items = _items_summing_to(raw)
    assert all(1 <= i <= 5 for i in items)
    assert swemwbs_raw(items) == raw
    assert swemwbs_metric(swemwbs_raw(items)) == Decimal(SWEMWBS_TABLE[raw])


def test_a_missing_swemwbs_item_gives_no_score():
    assert swemwbs_raw([3, 3, 3, None, 3, 3, 3]) is None
    assert swemwbs_metric(None) is None
    assert swemwbs_raw([3, 3, 3, 3, 3, 3]) is None


def test_survey_scores_need_every_item_they_use_and_never_fill_one_in():
    values = {"eq5d_mo": 2, "eq5d_sc": 2, "eq5d_ua": 2, "eq5d_pd": 2, "eq5d_ad": 2, "eq_vas": 0,
              **{f"swemwbs_{n}": 4 for n in range(1, 8)}}
    scores = survey_scores(values, ENGLAND)
    assert scores.eq5d_index == Decimal("0.701")
    assert scores.eq_vas == 0  # an answered 0 is kept as 0
    assert (scores.swemwbs_raw, scores.swemwbs_metric) == (28, Decimal("25.03"))
    del values["eq5d_ad"], values["swemwbs_7"], values["eq_vas"]
    scores = survey_scores(values, ENGLAND)
    assert (scores.eq5d_index, scores.eq_vas, scores.swemwbs_raw, scores.swemwbs_metric) == (None, None, None, None)


def test_the_swemwbs_norm_is_between_the_published_means_for_men_and_women():
    assert Decimal("23.2") <= SWEMWBS_NORM <= Decimal("23.7")


@pytest.mark.parametrize(("score", "band"), [(0, "Low"), (4, "Low"), (5, "Medium"), (6, "Medium"), (7, "High"),
                                             (8, "High"), (9, "Very high"), (10, "Very high"), (None, None)])
def test_life_satisfaction_bands_follow_the_ons_thresholds(score, band):
    assert life_satisfaction_band(score) == band


def test_the_carer_survey_asks_only_life_satisfaction_and_follow_up_adds_two_questions():
    assert [i.code for i in items_for(CARER, BASELINE)] == ["life_satisfaction"]
    assert [i.code for i in items_for(CARER, FOLLOW_UP)] == ["life_satisfaction"]
    baseline = {i.code for i in items_for(PERSON, BASELINE)}
    follow_up = {i.code for i in items_for(PERSON, FOLLOW_UP)}
    assert follow_up - baseline == {"satisfaction", "could_not_have_moved"}
    assert len(baseline) == 5 + 1 + 7 + 1 + 4


def test_no_item_carries_licensed_wording():
    # Labels are neutral: they name the instrument and dimension; the question text comes from the service.
    for item in ITEMS:
        assert "?" not in item.label
        assert len(item.label) < 60
