"""Evaluating a referral against each cohort's rules, with the reason each rule passed or failed.

Rules come from the area file (h2h/area/config.py). The facts are plain values taken from the referral, so
this module knows nothing of models and is tested without a database.
"""

from dataclasses import dataclass

from h2h.area import valuesets
from h2h.area.config import Area, Cohort


@dataclass(frozen=True)
class Facts:
    age: int
    benefits: frozenset[str]
    setting: str
    wheelchair: str
    mobility: str
    household_size: int
    reasons: frozenset[str]
    tenure: str
    medically_ready: bool


@dataclass(frozen=True)
class RuleResult:
    label: str
    passed: bool
    why: str


@dataclass(frozen=True)
class CohortResult:
    code: str
    name: str
    passed: bool
    rules: tuple[RuleResult, ...]

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "name": self.name,
            "passed": self.passed,
            "rules": [{"label": r.label, "passed": r.passed, "why": r.why} for r in self.rules],
        }


def _labels(choices, values) -> str:
    names = dict(choices.choices)
    return " or ".join(names.get(v, v) for v in values)


def _check(key: str, wanted, facts: Facts, reasons: dict[str, str]) -> tuple[bool, str]:
    """One condition: whether it holds and, in words a coordinator would use, why."""
    if key == "age_min":
        return facts.age >= wanted, f"aged {facts.age} ({'at least' if facts.age >= wanted else 'under'} {wanted})"
    if key == "age_max":
        return facts.age <= wanted, f"aged {facts.age} ({'at most' if facts.age <= wanted else 'over'} {wanted})"
    if key == "benefits_any":
        held = facts.benefits & set(wanted)
        if held:
            return True, f"receives {_labels(valuesets.Benefit, sorted(held))}"
        return False, f"does not receive {_labels(valuesets.Benefit, wanted)}"
    if key == "settings":
        now = valuesets.Setting(facts.setting).label
        return facts.setting in wanted, f"currently: {now}"
    if key == "wheelchair":
        now = valuesets.WheelchairUse(facts.wheelchair).label
        return facts.wheelchair in wanted, now
    if key == "mobility":
        now = valuesets.Mobility(facts.mobility).label
        return facts.mobility in wanted, now
    if key == "tenures":
        now = valuesets.Tenure(facts.tenure).label
        return facts.tenure in wanted, f"tenure: {now}"
    if key == "household_size_max":
        ok = facts.household_size <= wanted
        return ok, f"household of {facts.household_size} ({'within' if ok else 'more than'} {wanted})"
    if key == "reasons_any":
        held = facts.reasons & set(wanted)
        if held:
            return True, "housing affects health: " + "; ".join(reasons.get(r, r) for r in sorted(held))
        return False, "none of the listed housing reasons was given"
    if key == "medically_ready":
        if facts.medically_ready == wanted:
            return True, "date medically ready recorded" if wanted else "no date medically ready"
        return False, "no date medically ready recorded" if wanted else "already medically ready"
    raise KeyError(key)


def check_alternative(alternative: dict, facts: Facts, reasons: dict[str, str]) -> list[tuple[bool, str]]:
    """Each condition of one alternative, with whether it holds and why. The alternative passes when all do."""
    return [_check(key, wanted, facts, reasons) for key, wanted in alternative.items()]


def evaluate_cohort(cohort: Cohort, facts: Facts, reasons: dict[str, str]) -> CohortResult:
    results = []
    for rule in cohort.rules:
        failures = []
        passed_why = None
        for alternative in rule.alternatives:
            checks = check_alternative(alternative, facts, reasons)
            if all(ok for ok, _ in checks):
                passed_why = "; ".join(why for _, why in checks)
                break
            failures.append("; ".join(why for ok, why in checks if not ok))
        if passed_why is not None:
            results.append(RuleResult(rule.label, True, passed_why))
        else:
            results.append(RuleResult(rule.label, False, " / ".join(dict.fromkeys(failures))))
    return CohortResult(cohort.code, cohort.name, all(r.passed for r in results), tuple(results))


def evaluate_all(area: Area, facts: Facts) -> list[CohortResult]:
    return [evaluate_cohort(cohort, facts, area.reasons) for cohort in area.cohorts]
