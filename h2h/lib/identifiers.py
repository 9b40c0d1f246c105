"""NHS number and UK postcode rules (sources in docs/reference-data.md)."""

import re

NHS_NUMBER_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)
NHS_TEST_RANGE_PREFIX = "999"  # 999 000 0000 – 999 999 9999 is reserved for testing and never issued


def nhs_number_normalise(value: str) -> str:
    """Strip the spaces and dashes people type between the 3-3-4 groups."""
    return re.sub(r"[\s-]", "", value or "")


def nhs_number_check_digit(first_nine: str) -> int | None:
    """The modulus-11 check digit for nine digits, or None where the number cannot be valid (remainder 10)."""
    total = sum(int(d) * w for d, w in zip(first_nine, NHS_NUMBER_WEIGHTS, strict=True))
    check = 11 - (total % 11)
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def nhs_number_is_valid(value: str) -> bool:
    digits = nhs_number_normalise(value)
    if not re.fullmatch(r"\d{10}", digits) or digits == "0000000000":
        return False
    return nhs_number_check_digit(digits[:9]) == int(digits[9])


def nhs_number_format(value: str) -> str:
    """Display form 999 000 0018."""
    digits = nhs_number_normalise(value)
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}" if len(digits) == 10 else value


# BS7666 postcode structure: outward code A9, A99, AA9, AA99, A9A or AA9A, then inward code 9AA.
# Letter restrictions per position, plus the special GIR 0AA.
_POSTCODE = re.compile(
    r"^(?:GIR 0AA|"
    r"(?:[A-PR-UWYZ][0-9][0-9]?"  # A9, A99
    r"|[A-PR-UWYZ][A-HK-Y][0-9][0-9]?"  # AA9, AA99
    r"|[A-PR-UWYZ][0-9][A-HJKPSTUW]"  # A9A
    r"|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY]"  # AA9A
    r") [0-9][ABD-HJLNP-UW-Z]{2})$"
)


def postcode_normalise(value: str) -> str:
    """Upper-case and put exactly one space before the three-character inward code."""
    compact = re.sub(r"\s+", "", (value or "").upper())
    if len(compact) < 5:
        return compact
    return f"{compact[:-3]} {compact[-3:]}"


def postcode_is_valid(value: str) -> bool:
    return bool(_POSTCODE.match(postcode_normalise(value)))


def postcode_district(value: str) -> str:
    """The outward code: NG7 2UH → NG7."""
    return postcode_normalise(value).split(" ")[0]


def postcode_sector(value: str) -> str:
    """Outward code plus the inward digit: NG7 2UH → NG7 2."""
    normal = postcode_normalise(value)
    return normal[:-2]
