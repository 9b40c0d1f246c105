"""NHS number and postcode rules (h2h/lib/identifiers.py) against reference-data.md section 4."""

import pytest

from h2h.lib.identifiers import (
    nhs_number_check_digit,
    nhs_number_format,
    nhs_number_is_valid,
    nhs_number_normalise,
    postcode_district,
    postcode_is_valid,
    postcode_normalise,
    postcode_sector,
)

# reference-data.md 4.1, every row of the table.
NHS_NUMBER_TABLE = [
    ("943 476 5919", True),  # widely used documentation example
    ("943 476 5910", False),  # check digit should be 9
    ("999 000 0018", True),
    ("999 000 0026", True),
    ("999 000 0034", True),
    ("123 456 7890", False),  # check would be 10
    ("999 123 4560", False),  # check would be 10 (shown as an "example" elsewhere, but fails mod 11)
    ("999 000 0000", False),  # lower bound of the test range is itself invalid
    ("987 654 4321", False),  # format example only
    ("000 000 0000", False),  # passes mod 11 but is not a real number
]


@pytest.mark.parametrize(("number", "valid"), NHS_NUMBER_TABLE, ids=[n for n, _ in NHS_NUMBER_TABLE])
def test_it_checks_each_nhs_number_in_the_reference_table(number, valid):
    assert nhs_number_is_valid(number) is valid
    assert nhs_number_is_valid(number.replace(" ", "")) is valid


@pytest.mark.parametrize(
    "number",
    ["999 000 001", "999000001", "99900000018", "999 000 001A", "ABC DEF GHIJ", "999.000.0018", "", "   "],
)
def test_it_rejects_nhs_numbers_that_are_not_ten_digits(number):
    assert nhs_number_is_valid(number) is False


def test_it_rejects_a_missing_nhs_number():
    assert nhs_number_is_valid(None) is False


@pytest.mark.parametrize(("first_nine", "check"), [("943476591", 9), ("999000001", 8), ("999000002", 6)])
def test_it_computes_the_modulus_11_check_digit(first_nine, check):
    assert nhs_number_check_digit(first_nine) == check


@pytest.mark.parametrize("first_nine", ["123456789", "999123456", "999000000"])
def test_it_gives_no_check_digit_when_the_remainder_makes_it_ten(first_nine):
    assert nhs_number_check_digit(first_nine) is None


def test_it_uses_zero_as_the_check_digit_when_the_remainder_is_zero():
    # 000 000 000 sums to 0: 11 - 0 = 11, which is written 0.
    assert nhs_number_check_digit("000000000") == 0


@pytest.mark.parametrize(
    "typed",
    ["999 000 0018", "999-000-0018", " 999 000 0018 ", "999  000\t0018", "999-000 0018", "9990000018"],
)
def test_it_normalises_the_spaces_and_dashes_people_type(typed):
    assert nhs_number_normalise(typed) == "9990000018"
    assert nhs_number_is_valid(typed) is True


def test_it_normalises_nothing_to_an_empty_string():
    assert nhs_number_normalise(None) == ""
    assert nhs_number_normalise("") == ""


@pytest.mark.parametrize("typed", ["9990000018", "999-000-0018", "999 000 0018", "999 0000018"])
def test_it_formats_an_nhs_number_as_3_3_4(typed):
    assert nhs_number_format(typed) == "999 000 0018"


def test_it_leaves_a_value_that_is_not_ten_digits_as_it_was_when_formatting():
    assert nhs_number_format("12345") == "12345"


# reference-data.md 4.2: accepted by the BS7666 pattern.
POSTCODES_ACCEPTED = [
    "SW1A 1AA",  # AA9A
    "EC1A 1BB",  # AA9A
    "W1A 0AX",  # A9A
    "M1 1AE",  # A9
    "B33 8TH",  # A99
    "CR2 6XH",  # AA9
    "DN55 1PT",  # AA99
    "GIR 0AA",  # the special case
    "NG1 5DT",
    "NG7 2UH",
    "EH12 9EB",
]


@pytest.mark.parametrize("postcode", POSTCODES_ACCEPTED)
def test_it_accepts_each_postcode_on_the_reference_accept_list(postcode):
    assert postcode_is_valid(postcode) is True


@pytest.mark.parametrize("postcode", POSTCODES_ACCEPTED)
def test_it_accepts_the_same_postcodes_in_lower_case_and_without_the_space(postcode):
    assert postcode_is_valid(postcode.lower()) is True
    assert postcode_is_valid(postcode.replace(" ", "")) is True
    assert postcode_is_valid(postcode.replace(" ", "").lower()) is True
    assert postcode_is_valid(f"  {postcode.lower()}  ") is True


@pytest.mark.parametrize(
    "postcode",
    [
        "QA1 1AA",  # Q never first
        "AB1 1CA",  # C never in the inward code
        "VA1 1AA",  # V never first
        "AI1 1AA",  # I never second
        "NG7 2UI",  # I never in the inward code
        "",
        "NG7",
        "12345",
        "NG7 2U",
        "NG77 2UHH",
        "N G 7 2 U H X",
    ],
)
def test_it_rejects_each_postcode_on_the_reference_reject_list(postcode):
    assert postcode_is_valid(postcode) is False


def test_it_rejects_a_missing_postcode():
    assert postcode_is_valid(None) is False


@pytest.mark.parametrize(
    ("typed", "normal"),
    [("ng72uh", "NG7 2UH"), ("  ng7   2uh ", "NG7 2UH"), ("sw1a1aa", "SW1A 1AA"), ("NG7 2UH", "NG7 2UH")],
)
def test_it_normalises_a_postcode_to_upper_case_with_one_space(typed, normal):
    assert postcode_normalise(typed) == normal


@pytest.mark.parametrize(
    ("postcode", "district", "sector"),
    [
        ("NG7 2UH", "NG7", "NG7 2"),
        ("ng72uh", "NG7", "NG7 2"),
        ("NG11 8NS", "NG11", "NG11 8"),
        ("EC1A 1BB", "EC1A", "EC1A 1"),
        ("M1 1AE", "M1", "M1 1"),
        ("NG9 1AA", "NG9", "NG9 1"),
    ],
)
def test_it_gives_the_district_and_sector_of_a_postcode(postcode, district, sector):
    assert postcode_district(postcode) == district
    assert postcode_sector(postcode) == sector
