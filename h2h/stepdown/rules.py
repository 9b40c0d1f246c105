"""The step-down thresholds, from the area file's [stepdown] table (h2h/area/config.py checks them).

Nottingham's figures follow the scheme in seed 003: a stay of up to six weeks and a care and support plan within
48 hours of arrival; the board warns a week before the maximum stay.
"""

from h2h.area.config import StepDown, get_area


def stepdown_rules() -> StepDown:
    return get_area().stepdown
