"""The survey's items, in one registry: what is asked of whom and when, on what scale, and which way is better.

Labels here are neutral descriptions, never the instruments' wording: EQ-5D (EuroQol) and SWEMWBS (Warwick,
Edinburgh, NHS Health Scotland) wording is licensed, so a registered service enters its own wording on the
"Survey wording" page (LicensedWording) and the forms show it in place of these labels. The scales for the
service's own questions are the service's choice and are documented in docs/surveys.md.

Every answer is stored as a whole number (or as declined / not answered, never as a number): EQ-5D levels
1..5 (1..3 for a 3L value set), EQ VAS 0..100, SWEMWBS items 1..5, 0..10 scales, and yes = 1 / no = 0.
"""

from dataclasses import dataclass, field

PERSON, CARER = "person", "carer"
BASELINE, FOLLOW_UP = "baseline", "follow_up"
BOTH = frozenset({BASELINE, FOLLOW_UP})

EQ5D_LEVELS = "eq5d"  # levels come from the value set (5L or 3L), so they are not fixed here
NUMBER = "number"  # typed in (EQ VAS 0..100): too many values for radios


@dataclass(frozen=True)
class Item:
    code: str
    section: str
    label: str
    scale: str | tuple[tuple[int, str], ...]  # EQ5D_LEVELS, NUMBER, or (value, label) pairs best first
    hint: str = ""
    minimum: int = 0
    maximum: int = 0
    respondents: frozenset = frozenset({PERSON})
    timepoints: frozenset = BOTH
    higher_is_better: bool = True
    # Values that count as the good outcome when the answer is reported as a share ("feels safe").
    good: frozenset = field(default_factory=frozenset)

    def choices(self, eq5d_levels: int) -> list[tuple[int, str]]:
        """(value, neutral label) for each answer a radio can give; empty for a typed number."""
        if self.scale == NUMBER:
            return []
        if self.scale == EQ5D_LEVELS:
            return [(level, str(level)) for level in range(1, eq5d_levels + 1)]
        return list(self.scale)

    def hint_for(self, eq5d_levels: int) -> str:
        if self.scale == EQ5D_LEVELS:
            return f"Level 1 (best) to {eq5d_levels} (worst)"
        return self.hint

    def range_for(self, eq5d_levels: int) -> tuple[int, int]:
        if self.scale == EQ5D_LEVELS:
            return 1, eq5d_levels
        return self.minimum, self.maximum


def _numbers(low: int, high: int) -> tuple[tuple[int, str], ...]:
    return tuple((n, str(n)) for n in range(low, high + 1))


EQ5D = "EQ-5D"
SWEMWBS = "SWEMWBS"
WELLBEING = "Life satisfaction"
SERVICE = "The service's own questions"

_EQ5D = {"section": EQ5D, "scale": EQ5D_LEVELS, "higher_is_better": False}
_SWEMWBS = {"section": SWEMWBS, "scale": _numbers(1, 5), "minimum": 1, "maximum": 5,
            "hint": "1 (lowest) to 5 (highest)"}
_ZERO_TEN = {"scale": _numbers(0, 10), "minimum": 0, "maximum": 10, "hint": "0 (lowest) to 10 (highest)"}

ITEMS: tuple[Item, ...] = (
    Item("eq5d_mo", label="EQ-5D: mobility", **_EQ5D),
    Item("eq5d_sc", label="EQ-5D: self-care", **_EQ5D),
    Item("eq5d_ua", label="EQ-5D: usual activities", **_EQ5D),
    Item("eq5d_pd", label="EQ-5D: pain or discomfort", **_EQ5D),
    Item("eq5d_ad", label="EQ-5D: anxiety or depression", **_EQ5D),
    Item("eq_vas", section=EQ5D, label="EQ VAS: self-rated health today", scale=NUMBER, minimum=0, maximum=100,
         hint="A whole number from 0 (worst) to 100 (best)"),
    *(Item(f"swemwbs_{n}", label=f"SWEMWBS item {n}", **_SWEMWBS) for n in range(1, 8)),
    Item("life_satisfaction", section=WELLBEING, label="Life satisfaction", respondents=frozenset({PERSON, CARER}),
         **_ZERO_TEN),
    Item("social_contact", section=SERVICE, label="Social contact", minimum=1, maximum=3, higher_is_better=False,
         scale=((1, "As much as wanted"), (2, "Some, but not enough"), (3, "Little or none")),
         good=frozenset({1})),
    Item("feeling_safe", section=SERVICE, label="Feeling safe at home", minimum=1, maximum=4, higher_is_better=False,
         scale=((1, "Very safe"), (2, "Fairly safe"), (3, "A bit unsafe"), (4, "Very unsafe")),
         good=frozenset({1, 2})),
    Item("financial_comfort", section=SERVICE, label="Financial comfort", minimum=1, maximum=4,
         higher_is_better=False,
         scale=((1, "Living comfortably"), (2, "Doing all right"), (3, "Just about getting by"),
                (4, "Finding it difficult")),
         good=frozenset({1, 2})),
    Item("managing_health", section=SERVICE, label="Managing own health", minimum=1, maximum=4,
         higher_is_better=False,
         scale=((1, "Yes, fully"), (2, "Mostly"), (3, "A little"), (4, "Not at all")),
         good=frozenset({1, 2})),
    Item("satisfaction", section=SERVICE, label="Satisfaction with the service", timepoints=frozenset({FOLLOW_UP}),
         **_ZERO_TEN),
    Item("could_not_have_moved", section=SERVICE,
         label="Could not have moved without the coordinator's support", timepoints=frozenset({FOLLOW_UP}),
         scale=((1, "Yes"), (0, "No")), minimum=0, maximum=1, good=frozenset({1})),
)
ITEMS_BY_CODE: dict[str, Item] = {item.code: item for item in ITEMS}
EQ5D_ITEMS = ("eq5d_mo", "eq5d_sc", "eq5d_ua", "eq5d_pd", "eq5d_ad")
SWEMWBS_ITEMS = tuple(f"swemwbs_{n}" for n in range(1, 8))

if len(ITEMS_BY_CODE) != len(ITEMS):
    raise ValueError("Survey item codes must be unique")


def items_for(respondent: str, timepoint: str) -> list[Item]:
    """The items asked of this respondent at this timepoint, in the order the form shows them."""
    return [item for item in ITEMS if respondent in item.respondents and timepoint in item.timepoints]
