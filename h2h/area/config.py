"""Loading and checking an area's configuration file.

Why a checked-in file and not admin-edited records: see docs/adr/0003-area-configuration-as-a-file.md.
The file is read once per process (at start-up, from h2h/area/apps.py) and validated whole: a mistake stops
the service with the key that is wrong.
"""

import re
import tomllib
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from django.conf import settings

from h2h.area import valuesets
from h2h.cases.stages import Stage
from h2h.lib.identifiers import postcode_normalise

CONDITION_KEYS = {
    "age_min": int,
    "age_max": int,
    "benefits_any": list,
    "settings": list,
    "wheelchair": list,
    "mobility": list,
    "household_size_max": int,
    "reasons_any": list,
    "tenures": list,
    "medically_ready": bool,
}


_FOOTPRINT_ENTRY = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?( [0-9])?$")


class AreaConfigError(ValueError):
    pass


@dataclass(frozen=True)
class Rule:
    label: str
    alternatives: tuple[dict, ...]


@dataclass(frozen=True)
class Cohort:
    code: str
    name: str
    description: str
    property_types: tuple[str, ...]
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class Band:
    """A priority band; rank 0 is the highest priority."""

    code: str
    name: str
    rank: int
    label: str
    alternatives: tuple[dict, ...]
    default: bool


@dataclass(frozen=True)
class Lettings:
    accelerator_months: int
    cycle_days: int
    long_term_void_days: int


@dataclass(frozen=True)
class Repairs:
    emergency_hours: int
    urgent_working_days: int
    routine_working_days: int


@dataclass(frozen=True)
class StepDown:
    max_stay_days: int
    warning_days: int
    care_plan_due_hours: int


@dataclass(frozen=True)
class TaskTemplate:
    """A wrap-around task every case gets on reaching `stage` (for the listed cohorts; none listed = all)."""

    code: str
    title: str
    stage: str
    cohorts: tuple[str, ...]
    due_days: int

    def applies_to(self, cohort: str) -> bool:
        return not self.cohorts or cohort in self.cohorts


@dataclass(frozen=True)
class Outcomes:
    """How outcomes are measured: the before/after window for hospital activity and the EQ-5D value set."""

    window_months: int
    eq5d_value_set: str


@dataclass(frozen=True)
class Area:
    name: str
    service_name: str
    service_organisation: str
    baseline_wait_days: int
    footprint: tuple[str, ...]
    first_follow_up_days: int
    second_follow_up_months: int
    reasons: dict[str, str]
    cohorts: tuple[Cohort, ...]
    lettings: Lettings
    bands: tuple[Band, ...]
    repairs: Repairs
    stepdown: StepDown
    outcomes: Outcomes
    task_templates: tuple[TaskTemplate, ...] = ()

    def tasks_for(self, stage: str, cohort: str) -> list[TaskTemplate]:
        return [t for t in self.task_templates if t.stage == stage and t.applies_to(cohort)]

    def band(self, code: str) -> Band | None:
        return next((b for b in self.bands if b.code == code), None)

    @property
    def band_choices(self) -> list[tuple[str, str]]:
        return [(b.code, b.name) for b in self.bands]

    def cohort(self, code: str) -> Cohort | None:
        return next((c for c in self.cohorts if c.code == code), None)

    @property
    def cohort_choices(self) -> list[tuple[str, str]]:
        return [(c.code, c.name) for c in self.cohorts]

    @property
    def reason_choices(self) -> list[tuple[str, str]]:
        return list(self.reasons.items())

    def in_footprint(self, postcode: str) -> bool:
        """A postcode is in the footprint if its district or sector is listed."""
        normal = postcode_normalise(postcode)
        district = normal.split(" ")[0]
        sector = normal[:-2]
        return district in self.footprint or sector in self.footprint


def _require(table: dict, key: str, kind: type, where: str):
    if key not in table:
        raise AreaConfigError(f"{where}: '{key}' is missing")
    value = table[key]
    if kind is int and isinstance(value, bool) or not isinstance(value, kind):
        raise AreaConfigError(f"{where}: '{key}' must be {kind.__name__}, not {value!r}")
    return value


def _allowed_values(key: str, reasons: dict[str, str]) -> set[str] | None:
    return {
        "benefits_any": set(valuesets.Benefit.values),
        "settings": set(valuesets.Setting.values),
        "wheelchair": set(valuesets.WheelchairUse.values),
        "mobility": set(valuesets.Mobility.values),
        "tenures": set(valuesets.Tenure.values),
        "reasons_any": set(reasons),
    }.get(key)


def _only_known_keys(table, known: set[str], where: str) -> None:
    """A misspelt key is an error, not a setting silently ignored."""
    if not isinstance(table, dict):
        raise AreaConfigError(f"{where}: must be a table, not {table!r}")
    unknown = sorted(set(table) - known)
    if unknown:
        raise AreaConfigError(f"{where}: unknown key(s) {', '.join(unknown)} (known: {', '.join(sorted(known))})")


def _parse_condition(raw: dict, reasons: dict[str, str], where: str) -> dict:
    if not isinstance(raw, dict) or not raw:
        raise AreaConfigError(f"{where}: an alternative must be a non-empty table of conditions")
    for key, value in raw.items():
        if key not in CONDITION_KEYS:
            raise AreaConfigError(f"{where}: unknown condition '{key}' (known: {', '.join(CONDITION_KEYS)})")
        _require(raw, key, CONDITION_KEYS[key], where)
        allowed = _allowed_values(key, reasons)
        if allowed is not None:
            unknown = set(value) - allowed
            if unknown:
                raise AreaConfigError(f"{where}: '{key}' has unknown values {sorted(unknown)}")
            if not value:
                raise AreaConfigError(f"{where}: '{key}' needs at least one value")
    return dict(raw)


def parse_area(data: dict) -> Area:
    _only_known_keys(data, {"area", "intervals", "reasons", "cohorts", "lettings", "bands", "repairs",
                            "stepdown", "task_templates", "outcomes"}, "file")
    area = _require(data, "area", dict, "file")
    _only_known_keys(area, {"name", "service_name", "service_organisation", "baseline_wait_days", "footprint"}, "area")
    intervals = _require(data, "intervals", dict, "file")
    _only_known_keys(intervals, {"first_follow_up_days", "second_follow_up_months"}, "intervals")
    reasons_raw = _require(data, "reasons", list, "file")
    if not reasons_raw:
        raise AreaConfigError("reasons: at least one reason for referral is needed")
    reasons = {}
    for i, item in enumerate(reasons_raw, 1):
        where = f"reasons[{i}]"
        _only_known_keys(item, {"code", "label"}, where)
        code = _require(item, "code", str, where)
        if code in reasons:
            raise AreaConfigError(f"{where}: reason code '{code}' is used twice")
        reasons[code] = _require(item, "label", str, where)
    cohorts = []
    for i, raw in enumerate(_require(data, "cohorts", list, "file"), 1):
        where = f"cohorts[{i}]"
        _only_known_keys(raw, {"code", "name", "description", "property_types", "rules"}, where)
        code = _require(raw, "code", str, where)
        where = f"cohort '{code}'"
        if not isinstance(raw.get("description", ""), str):
            raise AreaConfigError(f"{where}: 'description' must be text")
        types = _require(raw, "property_types", list, where)
        unknown = set(types) - set(valuesets.PropertyType.values)
        if unknown:
            raise AreaConfigError(f"{where}: unknown property_types {sorted(unknown)}")
        rules = []
        for j, rule in enumerate(_require(raw, "rules", list, where), 1):
            rwhere = f"{where} rule {j}"
            _only_known_keys(rule, {"label", "any"}, rwhere)
            alternatives = _require(rule, "any", list, rwhere)
            if not alternatives:
                raise AreaConfigError(f"{rwhere}: 'any' needs at least one alternative")
            rules.append(
                Rule(
                    label=_require(rule, "label", str, rwhere),
                    alternatives=tuple(_parse_condition(a, reasons, rwhere) for a in alternatives),
                )
            )
        cohorts.append(
            Cohort(
                code=code,
                name=_require(raw, "name", str, where),
                description=raw.get("description", ""),
                property_types=tuple(types),
                rules=tuple(rules),
            )
        )
    codes = [c.code for c in cohorts]
    repeated = sorted({code for code in codes if codes.count(code) > 1})
    if repeated:
        raise AreaConfigError(f"cohorts: each cohort code must be unique; repeated: {', '.join(repeated)}")
    if not cohorts:
        raise AreaConfigError("cohorts: at least one cohort is needed")
    baseline = _require(area, "baseline_wait_days", int, "area")
    if baseline <= 0:
        raise AreaConfigError("area: 'baseline_wait_days' must be more than 0")
    # Districts ("NG7") and sectors ("NG9 1"), upper-cased with single spaces, as in_footprint compares them.
    footprint = []
    for entry in _require(area, "footprint", list, "area"):
        if not isinstance(entry, str):
            raise AreaConfigError(f"area: 'footprint' entries must be text like \"NG7\" or \"NG9 1\", not {entry!r}")
        normal = " ".join(entry.upper().split())
        if not _FOOTPRINT_ENTRY.match(normal):
            raise AreaConfigError(f"area: 'footprint' entry {entry!r} is not a postcode district or sector")
        footprint.append(normal)
    for key in ("first_follow_up_days", "second_follow_up_months"):
        if _require(intervals, key, int, "intervals") <= 0:
            raise AreaConfigError(f"intervals: '{key}' must be more than 0")
    lettings_raw = _require(data, "lettings", dict, "file")
    _only_known_keys(lettings_raw, {"accelerator_months", "cycle_days", "long_term_void_days"}, "lettings")
    lettings = Lettings(
        accelerator_months=_require(lettings_raw, "accelerator_months", int, "lettings"),
        cycle_days=_require(lettings_raw, "cycle_days", int, "lettings"),
        long_term_void_days=_require(lettings_raw, "long_term_void_days", int, "lettings"),
    )
    if lettings.accelerator_months < 0 or lettings.cycle_days <= 0 or lettings.long_term_void_days <= 0:
        raise AreaConfigError("lettings: accelerator_months must be 0 or more, the other two more than 0")
    bands = []
    for rank, raw in enumerate(_require(data, "bands", list, "file")):
        where = f"bands[{rank + 1}]"
        _only_known_keys(raw, {"code", "name", "label", "any", "default"}, where)
        code = _require(raw, "code", str, where)
        alternatives = raw.get("any", [])
        if not isinstance(alternatives, list):
            raise AreaConfigError(f"band '{code}': 'any' must be a list of conditions")
        bands.append(
            Band(
                code=code,
                name=_require(raw, "name", str, where),
                rank=rank,
                label=_require(raw, "label", str, where),
                alternatives=tuple(_parse_condition(a, reasons, f"band '{code}'") for a in alternatives),
                default=bool(raw.get("default", False)),
            )
        )
    band_codes = [b.code for b in bands]
    if not bands or len(set(band_codes)) != len(band_codes):
        raise AreaConfigError("bands: at least one band is needed, each with its own code")
    if sum(b.default for b in bands) != 1:
        raise AreaConfigError("bands: exactly one band must be marked default = true")
    repairs_raw = _require(data, "repairs", dict, "file")
    repair_keys = ("emergency_hours", "urgent_working_days", "routine_working_days")
    _only_known_keys(repairs_raw, set(repair_keys), "repairs")
    repairs = Repairs(**{key: _require(repairs_raw, key, int, "repairs") for key in repair_keys})
    if min(repairs.emergency_hours, repairs.urgent_working_days, repairs.routine_working_days) <= 0:
        raise AreaConfigError("repairs: every deadline must be more than 0")
    stepdown_raw = _require(data, "stepdown", dict, "file")
    stepdown_keys = ("max_stay_days", "warning_days", "care_plan_due_hours")
    _only_known_keys(stepdown_raw, set(stepdown_keys), "stepdown")
    stepdown = StepDown(**{key: _require(stepdown_raw, key, int, "stepdown") for key in stepdown_keys})
    if min(stepdown.max_stay_days, stepdown.warning_days, stepdown.care_plan_due_hours) < 1:
        raise AreaConfigError("stepdown: every value must be at least 1")
    if stepdown.warning_days >= stepdown.max_stay_days:
        raise AreaConfigError("stepdown: 'warning_days' must be fewer than 'max_stay_days'")
    outcomes = _parse_outcomes(_require(data, "outcomes", dict, "file"))
    task_templates = _parse_task_templates(
        _require(data, "task_templates", list, "file"), {c.code for c in cohorts}
    )
    return Area(
        outcomes=outcomes,
        task_templates=task_templates,
        stepdown=stepdown,
        repairs=repairs,
        lettings=lettings,
        bands=tuple(bands),
        name=_require(area, "name", str, "area"),
        service_name=_require(area, "service_name", str, "area"),
        service_organisation=_require(area, "service_organisation", str, "area"),
        baseline_wait_days=baseline,
        footprint=tuple(footprint),
        first_follow_up_days=_require(intervals, "first_follow_up_days", int, "intervals"),
        second_follow_up_months=_require(intervals, "second_follow_up_months", int, "intervals"),
        reasons=reasons,
        cohorts=tuple(cohorts),
    )


def _parse_outcomes(raw: dict) -> Outcomes:
    # Imported here: the value sets live with the survey instruments, which read nothing from the area.
    from h2h.surveys.instruments import EQ5D_VALUE_SETS

    _only_known_keys(raw, {"window_months", "eq5d_value_set"}, "outcomes")
    outcomes = Outcomes(
        window_months=_require(raw, "window_months", int, "outcomes"),
        eq5d_value_set=_require(raw, "eq5d_value_set", str, "outcomes"),
    )
    if outcomes.window_months <= 0:
        raise AreaConfigError("outcomes: 'window_months' must be more than 0")
    if outcomes.eq5d_value_set not in EQ5D_VALUE_SETS:
        raise AreaConfigError(
            f"outcomes: 'eq5d_value_set' must be one of {', '.join(sorted(EQ5D_VALUE_SETS))}, "
            f"not {outcomes.eq5d_value_set!r}"
        )
    return outcomes


def _parse_task_templates(raw_list: list, cohort_codes: set[str]) -> tuple[TaskTemplate, ...]:
    templates = []
    for i, raw in enumerate(raw_list, 1):
        where = f"task_templates[{i}]"
        _only_known_keys(raw, {"code", "title", "stage", "cohorts", "due_days"}, where)
        code = _require(raw, "code", str, where)
        where = f"task template '{code}'"
        stage = _require(raw, "stage", str, where)
        if stage not in Stage.values or stage == Stage.CLOSED:
            raise AreaConfigError(f"{where}: 'stage' {stage!r} is not a stage a case moves to "
                                  f"(one of {', '.join(s for s in Stage.values if s != Stage.CLOSED)})")
        cohorts = raw.get("cohorts", [])
        if not isinstance(cohorts, list) or not all(isinstance(c, str) for c in cohorts):
            raise AreaConfigError(f"{where}: 'cohorts' must be a list of cohort codes")
        unknown = sorted(set(cohorts) - cohort_codes)
        if unknown:
            raise AreaConfigError(f"{where}: 'cohorts' has unknown cohort codes {unknown}")
        due_days = _require(raw, "due_days", int, where)
        if due_days < 0:
            raise AreaConfigError(f"{where}: 'due_days' must be 0 or more")
        templates.append(TaskTemplate(code=code, title=_require(raw, "title", str, where), stage=stage,
                                      cohorts=tuple(cohorts), due_days=due_days))
    codes = [t.code for t in templates]
    repeated = sorted({code for code in codes if codes.count(code) > 1})
    if repeated:
        raise AreaConfigError(f"task_templates: each code must be unique; repeated: {', '.join(repeated)}")
    return tuple(templates)


def load_area(path: str | Path) -> Area:
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise AreaConfigError(f"area file not found: {path}") from None
    except tomllib.TOMLDecodeError as error:
        raise AreaConfigError(f"{path}: not valid TOML: {error}") from None
    return parse_area(data)


@cache
def _cached(path: str) -> Area:
    return load_area(path)


def get_area() -> Area:
    return _cached(str(settings.H2H_AREA_FILE))


def age_on(date_of_birth: date, on: date) -> int:
    years = on.year - date_of_birth.year
    if (on.month, on.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years
