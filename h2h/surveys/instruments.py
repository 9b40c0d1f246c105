"""Scoring for the survey instruments, from the published tables in h2h/surveys/data/ (facts, never wording).

Plain functions: given responses, return the score, or None when any needed item is missing. A missing
item is never scored as zero (or as any other level).
"""

import tomllib
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

DATA = Path(__file__).parent / "data"
EQ5D_DIMENSIONS = ("MO", "SC", "UA", "PD", "AD")


@dataclass(frozen=True)
class ValueSet:
    key: str
    name: str
    version: str  # "5L" or "3L": how many levels each dimension has
    year: int
    source: str
    constant: Decimal
    n3: Decimal
    decrements: dict[str, tuple[Decimal, ...]]

    @property
    def levels(self) -> int:
        return int(self.version[0])

    def index(self, state: dict[str, int | None] | str) -> Decimal | None:
        """The index value for a health state ({"MO": 1, …} or "12345"), to 3 decimal places.

        None if any dimension is missing. Full health (all level 1) is exactly 1.
        """
        if isinstance(state, str):
            state = dict(zip(EQ5D_DIMENSIONS, (int(c) for c in state), strict=True))
        levels = [state.get(dim) for dim in EQ5D_DIMENSIONS]
        if any(level is None for level in levels):
            return None
        for dim, level in zip(EQ5D_DIMENSIONS, levels, strict=True):
            if not 1 <= level <= self.levels:
                raise ValueError(f"{dim} level {level} is outside 1–{self.levels} for {self.name}")
        if all(level == 1 for level in levels):
            return Decimal("1.000")
        total = self.constant + sum(
            self.decrements[dim][level - 1] for dim, level in zip(EQ5D_DIMENSIONS, levels, strict=True)
        )
        if any(level == 3 for level in levels):
            total += self.n3
        return (Decimal(1) - total).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)


def _decimal(value) -> Decimal:
    # Through str so 0.058 stays 0.058, not the nearest binary float.
    return Decimal(str(value))


def _load_value_sets() -> dict[str, ValueSet]:
    raw = tomllib.loads((DATA / "eq5d_value_sets.toml").read_text(encoding="utf-8"))
    sets = {}
    for key, table in raw.items():
        sets[key] = ValueSet(
            key=key, name=table["name"], version=table["version"], year=table["year"], source=table["source"],
            constant=_decimal(table["constant"]), n3=_decimal(table["n3"]),
            decrements={dim: tuple(_decimal(v) for v in table[dim]) for dim in EQ5D_DIMENSIONS},
        )
        if any(len(sets[key].decrements[dim]) != sets[key].levels for dim in EQ5D_DIMENSIONS):
            raise ValueError(f"EQ-5D value set {key}: each dimension needs {sets[key].levels} levels")
    return sets


EQ5D_VALUE_SETS: dict[str, ValueSet] = _load_value_sets()

_SWEMWBS = tomllib.loads((DATA / "swemwbs.toml").read_text(encoding="utf-8"))
SWEMWBS_METRIC: dict[int, Decimal] = {int(raw): _decimal(v) for raw, v in _SWEMWBS["metric"].items()}
SWEMWBS_ITEMS = 7


def swemwbs_raw(items: list[int | None]) -> int | None:
    """The raw total 7–35, or None unless all seven items are answered (the published scoring has no rule
    for missing items)."""
    if len(items) != SWEMWBS_ITEMS or any(item is None for item in items):
        return None
    if any(not 1 <= item <= 5 for item in items):
        raise ValueError("SWEMWBS items are scored 1–5")
    return sum(items)


def swemwbs_metric(raw: int | None) -> Decimal | None:
    """The metric score for a raw total, from the conversion table."""
    return None if raw is None else SWEMWBS_METRIC[raw]


_NORMS = tomllib.loads((DATA / "norms.toml").read_text(encoding="utf-8"))
# The population figure a SWEMWBS metric mean is compared with (see data/norms.toml for why one figure).
SWEMWBS_NORM = _decimal(_NORMS["swemwbs"]["comparator"])
SWEMWBS_NORM_SOURCE = f"{_NORMS['swemwbs']['survey']}; {_NORMS['swemwbs']['source']}"
LIFE_SATISFACTION_BANDS: tuple[tuple[int, int, str], ...] = tuple(
    (int(low), int(high), str(name)) for low, high, name in _NORMS["life_satisfaction"]["bands"]
)


def life_satisfaction_band(score: int | None) -> str | None:
    """The ONS band ("Low", "Medium", "High", "Very high") for a 0–10 answer; None when not answered."""
    if score is None:
        return None
    for low, high, name in LIFE_SATISFACTION_BANDS:
        if low <= score <= high:
            return name
    raise ValueError("Life satisfaction is scored 0–10")


@dataclass(frozen=True)
class Scores:
    """The derived scores of one survey; each None when an item it needs was not answered."""

    eq5d_index: Decimal | None = None
    eq_vas: int | None = None
    swemwbs_raw: int | None = None
    swemwbs_metric: Decimal | None = None


def eq5d_state(values: dict[str, int | None]) -> dict[str, int | None]:
    """The EQ-5D health state from survey answers keyed by item code (eq5d_mo … eq5d_ad)."""
    return {dim: values.get(f"eq5d_{dim.lower()}") for dim in EQ5D_DIMENSIONS}


def survey_scores(values: dict[str, int | None], value_set: ValueSet | None) -> Scores:
    """Scores from one survey's answered values (item code → value; declined or not answered → None/absent).

    EQ-5D index with the survey's value set, only when all five dimensions are answered; EQ VAS as given;
    SWEMWBS raw and metric only when all seven items are answered.
    """
    index = value_set.index(eq5d_state(values)) if value_set is not None else None
    raw = swemwbs_raw([values.get(f"swemwbs_{n}") for n in range(1, SWEMWBS_ITEMS + 1)])
    return Scores(eq5d_index=index, eq_vas=values.get("eq_vas"), swemwbs_raw=raw,
                  swemwbs_metric=swemwbs_metric(raw))
