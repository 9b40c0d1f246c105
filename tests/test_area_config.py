"""The area file (h2h/area/config.py): the shipped Nottingham file, another area's file, and each mistake."""

import tomllib
from datetime import date

import pytest

from h2h.area.config import AreaConfigError, age_on, get_area, load_area, parse_area
from tests.factories import NOTTINGHAM_TOML


@pytest.fixture(scope="module")
def nottingham():
    return load_area(NOTTINGHAM_TOML)


# --- the shipped file -----------------------------------------------------------------------------------


def test_it_loads_the_shipped_nottingham_file(nottingham):
    assert nottingham.name == "Nottingham"
    assert nottingham.service_organisation == "NCH"


def test_it_has_three_cohorts_in_the_nottingham_file(nottingham):
    assert [c.code for c in nottingham.cohorts] == ["older_people", "wheelchair_users", "mental_health"]
    assert nottingham.cohort("wheelchair_users").name == "Essential wheelchair users"
    assert nottingham.cohort("no_such_cohort") is None
    assert nottingham.cohort_choices[0] == ("older_people", "Older people")


def test_it_reads_the_baseline_wait_and_follow_up_intervals(nottingham):
    assert nottingham.baseline_wait_days == 182
    assert nottingham.first_follow_up_days == 14
    assert nottingham.second_follow_up_months == 6


def test_it_reads_the_reasons_for_referral_in_file_order(nottingham):
    codes = [code for code, _ in nottingham.reason_choices]
    assert codes[0] == "accessibility"
    assert {"disrepair", "unsafe", "delayed_discharge", "isolation"} <= set(codes)
    assert len(codes) == len(set(codes)) == 7


def test_it_reads_each_cohorts_rules_and_property_types(nottingham):
    older = nottingham.cohort("older_people")
    assert older.property_types == ("independent_living_flat",)
    assert len(older.rules) == 2
    assert older.rules[0].alternatives == ({"age_min": 60}, {"age_min": 55, "benefits_any": ["dla", "pip"]})
    assert len(nottingham.cohort("mental_health").rules) == 3


def test_it_uses_the_nottingham_file_when_no_other_is_configured():
    assert get_area().name == "Nottingham"


# --- the footprint ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("postcode", ["NG7 2UH", "ng7 2uh", "NG72UH", "NG1 5DT", "NG11 8NS"])
def test_it_puts_a_postcode_in_a_listed_district_in_the_footprint(nottingham, postcode):
    assert nottingham.in_footprint(postcode) is True


@pytest.mark.parametrize("postcode", ["NG9 1AA", "ng9 2ab", "NG91AA"])
def test_it_puts_a_postcode_in_a_listed_sector_in_the_footprint(nottingham, postcode):
    assert nottingham.in_footprint(postcode) is True


@pytest.mark.parametrize("postcode", ["NG9 3AA", "DE1 1AA", "NG10 1AA", "NG4 1AA", "LE1 1AA"])
def test_it_leaves_other_districts_and_sectors_out_of_the_footprint(nottingham, postcode):
    assert nottingham.in_footprint(postcode) is False


def test_it_does_not_match_a_district_by_its_prefix(nottingham):
    # NG1 is listed; NG10 and NG12 are different districts.
    assert nottingham.in_footprint("NG12 1AA") is False


# --- another area, configured with a file and no code ----------------------------------------------------

OTHER_AREA = """
[area]
name = "Exampleshire"
service_name = "Home First"
service_organisation = "EXH"
baseline_wait_days = 90
footprint = ["ex1", "EX2"]

[intervals]
first_follow_up_days = 7
second_follow_up_months = 3

[outcomes]
window_months = 12
eq5d_value_set = "uk-2026"

[lettings]
accelerator_months = 6
cycle_days = 14
long_term_void_days = 60

[stepdown]
max_stay_days = 28
warning_days = 5
care_plan_due_hours = 24

[repairs]
emergency_hours = 12
urgent_working_days = 2
routine_working_days = 10

[[bands]]
code = "Gold"
name = "Gold"
label = "Urgent"
any = [{ reasons_any = ["damp"] }]

[[bands]]
code = "Silver"
name = "Silver"
label = "Everyone else"
default = true

[[reasons]]
code = "damp"
label = "Damp and mould"
[[reasons]]
code = "stairs"
label = "Cannot manage the stairs"

[[cohorts]]
code = "young_disabled"
name = "Young disabled adults"
property_types = ["bungalow", "flat"]

  [[cohorts.rules]]
  label = "Aged 18 to 40"
  any = [{ age_min = 18, age_max = 40 }]

  [[cohorts.rules]]
  label = "Cannot manage stairs"
  any = [{ mobility = ["limited", "bed_bound"] }, { wheelchair = ["essential"], reasons_any = ["stairs"] }]

[[cohorts]]
code = "tenants_in_damp"
name = "Tenants in damp homes"
property_types = ["house", "maisonette"]

  [[cohorts.rules]]
  label = "Renting"
  any = [{ tenures = ["private_rented", "council_tenant"], household_size_max = 6, medically_ready = false }]

[[task_templates]]
code = "dehumidifier"
title = "Dehumidifier fitted"
stage = "tenancy_start"
cohorts = ["tenants_in_damp"]
due_days = 2

[[task_templates]]
code = "keys"
title = "Spare keys cut"
stage = "offer"
due_days = 5
"""


def write(tmp_path, text, name="area.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_it_loads_another_areas_file_with_no_code_change(tmp_path):
    area = load_area(write(tmp_path, OTHER_AREA))
    assert area.name == "Exampleshire"
    assert area.service_name == "Home First"
    assert area.service_organisation == "EXH"
    assert area.baseline_wait_days == 90
    assert (area.first_follow_up_days, area.second_follow_up_months) == (7, 3)
    assert [c.code for c in area.cohorts] == ["young_disabled", "tenants_in_damp"]
    assert area.cohort("young_disabled").property_types == ("bungalow", "flat")
    assert area.cohort("young_disabled").description == ""
    assert area.reasons == {"damp": "Damp and mould", "stairs": "Cannot manage the stairs"}
    assert area.footprint == ("EX1", "EX2")
    assert area.in_footprint("ex1 1aa") is True
    assert area.in_footprint("NG7 2UH") is False


def test_it_accepts_a_path_as_a_string(tmp_path):
    assert load_area(str(write(tmp_path, OTHER_AREA))).name == "Exampleshire"


# --- mistakes: each stops loading and names the key ------------------------------------------------------


def load_error(tmp_path, text) -> str:
    with pytest.raises(AreaConfigError) as raised:
        load_area(write(tmp_path, text))
    return str(raised.value)


def test_it_refuses_a_file_missing_baseline_wait_days(tmp_path):
    message = load_error(tmp_path, OTHER_AREA.replace("baseline_wait_days = 90\n", ""))
    assert "baseline_wait_days" in message
    assert "missing" in message


@pytest.mark.parametrize("value", ["0", "-5", '"ninety"', "true", "90.5"])
def test_it_refuses_a_baseline_wait_that_is_not_a_positive_whole_number(tmp_path, value):
    message = load_error(
        tmp_path, OTHER_AREA.replace("baseline_wait_days = 90", f"baseline_wait_days = {value}")
    )
    assert "baseline_wait_days" in message


@pytest.mark.parametrize(
    "key", ["name", "service_organisation", "footprint", "first_follow_up_days", "second_follow_up_months"]
)
def test_it_refuses_a_file_missing_any_other_required_key(tmp_path, key):
    # Only the first line setting the key goes (the [area] or [intervals] one, not a cohort's name).
    lines = OTHER_AREA.splitlines()
    lines.remove(next(line for line in lines if line.startswith(f"{key} =")))
    message = load_error(tmp_path, "\n".join(lines))
    assert "cohort" not in message
    assert f"'{key}'" in message


def test_it_refuses_an_unknown_condition_key(tmp_path):
    message = load_error(
        tmp_path, OTHER_AREA.replace("{ age_min = 18, age_max = 40 }", "{ age_minimum = 18 }")
    )
    assert "age_minimum" in message
    assert "young_disabled" in message


def test_it_refuses_an_unknown_setting_value(tmp_path):
    text = OTHER_AREA.replace(
        '{ mobility = ["limited", "bed_bound"] }', '{ settings = ["acute_hospital", "hotel"] }'
    )
    message = load_error(tmp_path, text)
    assert "settings" in message
    assert "hotel" in message
    assert "acute_hospital" not in message


def test_it_refuses_an_unknown_reason_code_in_reasons_any(tmp_path):
    message = load_error(tmp_path, OTHER_AREA.replace('reasons_any = ["stairs"]', 'reasons_any = ["lift"]'))
    assert "reasons_any" in message
    assert "lift" in message


def test_it_refuses_a_reason_code_from_another_areas_file(tmp_path):
    # "accessibility" is a Nottingham reason, not one of this area's.
    message = load_error(
        tmp_path, OTHER_AREA.replace('reasons_any = ["stairs"]', 'reasons_any = ["accessibility"]')
    )
    assert "reasons_any" in message
    assert "accessibility" in message


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ('mobility = ["limited", "bed_bound"]', 'mobility = ["flying"]', "mobility"),
        ('wheelchair = ["essential"]', 'wheelchair = ["sometimes"]', "wheelchair"),
        ('tenures = ["private_rented", "council_tenant"]', 'tenures = ["castle"]', "tenures"),
        ("household_size_max = 6", 'household_size_max = "six"', "household_size_max"),
        ("medically_ready = false", 'medically_ready = "no"', "medically_ready"),
        ("age_max = 40", "age_max = true", "age_max"),
        ('mobility = ["limited", "bed_bound"]', 'mobility = "limited"', "mobility"),
    ],
)
def test_it_refuses_a_condition_value_of_the_wrong_kind_or_not_in_its_value_set(tmp_path, old, new, key):
    assert old in OTHER_AREA
    message = load_error(tmp_path, OTHER_AREA.replace(old, new))
    assert key in message


def test_it_refuses_a_duplicate_cohort_code(tmp_path):
    message = load_error(tmp_path, OTHER_AREA.replace('code = "tenants_in_damp"', 'code = "young_disabled"'))
    assert "cohort code" in message
    assert "unique" in message


def test_it_refuses_an_unknown_property_type(tmp_path):
    message = load_error(tmp_path, OTHER_AREA.replace('["house", "maisonette"]', '["house", "castle"]'))
    assert "property_types" in message
    assert "castle" in message
    assert "tenants_in_damp" in message


def test_it_refuses_a_rule_with_no_alternatives(tmp_path):
    message = load_error(tmp_path, OTHER_AREA.replace("any = [{ age_min = 18, age_max = 40 }]", "any = []"))
    assert "'any'" in message


def test_it_refuses_an_empty_alternative(tmp_path):
    message = load_error(tmp_path, OTHER_AREA.replace("any = [{ age_min = 18, age_max = 40 }]", "any = [{}]"))
    assert "alternative" in message


def test_it_refuses_a_file_with_no_cohorts(tmp_path):
    head = OTHER_AREA.split("[[cohorts]]")[0]
    message = load_error(tmp_path, head + "cohorts = []\n")
    assert "cohort" in message


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ('footprint = ["ex1", "EX2"]', 'footprint = ["EX1", 7]', "footprint"),
        ('footprint = ["ex1", "EX2"]', 'footprint = ["EX1", "not a postcode"]', "footprint"),
        ("first_follow_up_days = 7", "first_follow_up_days = -7", "first_follow_up_days"),
    ],
    ids=["number-in-footprint", "not-a-district-or-sector", "negative-interval"],
)
def test_it_refuses_a_footprint_entry_or_interval_that_cannot_be_right(tmp_path, old, new, key):
    assert old in OTHER_AREA
    assert key in load_error(tmp_path, OTHER_AREA.replace(old, new))


def test_it_refuses_a_file_that_is_not_valid_toml(tmp_path):
    path = write(tmp_path, OTHER_AREA.replace('name = "Exampleshire"', 'name = "Exampleshire'))
    with pytest.raises(AreaConfigError) as raised:
        load_area(path)
    assert "not valid TOML" in str(raised.value)
    assert str(path) in str(raised.value)


def test_it_refuses_a_file_that_does_not_exist(tmp_path):
    with pytest.raises(AreaConfigError, match="not found"):
        load_area(tmp_path / "missing.toml")


def test_it_parses_the_same_data_without_a_file():
    area = parse_area(tomllib.loads(OTHER_AREA))
    assert area.baseline_wait_days == 90


def test_it_raises_area_config_error_as_a_value_error(tmp_path):
    with pytest.raises(ValueError):
        load_area(write(tmp_path, OTHER_AREA.replace("baseline_wait_days = 90\n", "")))


# --- age on a date ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        (date(1960, 6, 15), date(2024, 6, 14), 63),  # the day before the birthday
        (date(1960, 6, 15), date(2024, 6, 15), 64),  # on the birthday
        (date(1960, 6, 15), date(2024, 6, 16), 64),
        (date(1960, 6, 15), date(2024, 12, 31), 64),
        (date(1960, 6, 15), date(2025, 1, 1), 64),
        (date(1960, 12, 31), date(2025, 1, 1), 64),  # New Year's Eve birthday, next day
        (date(1964, 2, 29), date(2024, 2, 29), 60),  # leap-day birthday in a leap year
        (date(1964, 2, 29), date(2023, 2, 28), 58),  # not yet 59 on 28 February in a common year
        (date(1964, 2, 29), date(2023, 3, 1), 59),  # 59 from 1 March in a common year
        (date(2000, 1, 1), date(2000, 1, 1), 0),
    ],
)
def test_it_counts_age_in_whole_years_across_birthdays(born, on, age):
    assert age_on(born, on) == age
