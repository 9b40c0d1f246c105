"""Small-number suppression (h2h/lib/disclosure.py): 1–7 hidden, other counts rounded to the nearest 5."""

import pytest

from h2h.lib.disclosure import SUPPRESSED, suppress


def test_it_shows_zero_as_zero():
    assert suppress(0) == "0"


@pytest.mark.parametrize("count", range(1, 8))
def test_it_hides_every_count_from_one_to_seven(count):
    assert suppress(count) == "*"
    assert SUPPRESSED == "*"


@pytest.mark.parametrize(
    ("count", "shown"),
    [
        (8, "10"),
        (9, "10"),
        (10, "10"),
        (11, "10"),
        (12, "10"),
        (13, "15"),
        (17, "15"),
        (18, "20"),
        (100, "100"),
        (102, "100"),
        (103, "105"),
    ],
)
def test_it_rounds_other_counts_to_the_nearest_five(count, shown):
    assert suppress(count) == shown
