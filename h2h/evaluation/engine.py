"""The annual evaluation's arithmetic: counts × unit costs, per stakeholder, against what each funder paid in.

Plain functions over plain values (no database, no Django settings): h2h/evaluation/inputs.py reads the
records into EvaluationInputs, and the page, the PDF, the workbook and the benchmark all call evaluate().
docs/evaluation.md states every formula below for evaluators and commissioners; keep the two in step.

- Money is Decimal. Each line's value = its quantity (to 2 decimal places) × its unit cost, rounded to the penny,
  so a reader can redo every line from the two numbers printed beside it. Totals add the rounded lines.
- A unit cost the cost book leaves empty (a gap) is never guessed: the line shows its quantity and no value,
  adds nothing to the totals, and is listed under "not valued".
- Return per £1, always labelled:
    gross = value / cost                 ("£X of value for every £1 spent")
    net   = (value − cost) / cost        ("£X of value over and above each £1 spent") = gross − 1.
  None when nothing was paid in (a ratio over £0 means nothing).
"""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from h2h.area.valuesets import BED_SETTINGS, Setting
from h2h.evaluation.stakeholders import (
    COST_CODES_BY_CODE,
    FUNDER_OF,
    WELLBEING_OUTCOMES,
    Funder,
    FundingKind,
    Stakeholder,
    bed_day_code,
)

ZERO = Decimal("0")
PENNY = Decimal("0.01")
HUNDRED = Decimal("100")
WEEKS_A_YEAR = Decimal("52")
MONTHS_A_YEAR = Decimal("12")
# An emergency admission of this many bed days or fewer is a short stay (NCC: zero or one day).
SHORT_STAY_MAX_DAYS = 1

SECTION_REHOUSING = "Bed days avoided by faster rehousing"
SECTION_HOSPITAL = "Hospital use after the move"
SECTION_COUNCIL = "Council services avoided"
SECTION_HOUSING = "The housing provider"


def money(amount: Decimal) -> Decimal:
    return amount.quantize(PENNY, rounding=ROUND_HALF_UP)


# ------------------------------------------------------------------------------------------------ inputs


@dataclass(frozen=True)
class UnitCost:
    """The cost book's current entry for a code, as the engine uses it."""

    code: str
    stakeholder: str
    value: Decimal | None
    unit: str = ""
    price_year: str = ""
    source: str = ""
    version: int = 1
    description: str = ""


@dataclass(frozen=True)
class RehousedCase:
    """A case whose tenancy started in the period."""

    case_id: int
    setting: str  # where the person was when referred (valuesets.Setting)
    days_to_tenancy: int  # referral to tenancy start, in days

    @property
    def from_bed(self) -> bool:
        return self.setting in BED_SETTINGS


@dataclass(frozen=True)
class HospitalWindow:
    """One window (before or after) of one case: counts over its observed days; None when not observed."""

    observed_days: int = 0
    long_stays: int | None = None  # emergency admissions of 2 bed days or more
    short_stays: int | None = None  # emergency admissions of 0 or 1 bed day
    excess_bed_days: int | None = None
    attendance_days: int = 0
    attendances: int | None = None


@dataclass(frozen=True)
class HospitalCase:
    """A rehoused case with both windows measured (the after window complete)."""

    case_id: int
    before: HospitalWindow
    after: HospitalWindow


@dataclass(frozen=True)
class AvoidedFact:
    case_id: int
    kind: str  # AvoidedOutcome.Kind value: adaptation, homelessness, social_care
    quantity: Decimal


@dataclass(frozen=True)
class VoidLet:
    """A home empty longer than the area's long-term threshold, let to a case through the service."""

    case_id: int
    weekly_rent: Decimal
    days_empty: int


@dataclass(frozen=True)
class FundingShare:
    """The part of one funding row that falls in the period."""

    funder: str
    kind: str
    amount: Decimal


@dataclass(frozen=True)
class WellbeingRate:
    outcome: str
    value: Decimal  # pounds per person per year
    deadweight_percent: Decimal = ZERO
    source: str = ""


@dataclass(frozen=True)
class Completeness:
    """How many of the cases in scope had a measure."""

    measure: str
    cases: int
    of: int
    note: str = ""


@dataclass(frozen=True)
class EvaluationInputs:
    start: date
    end: date
    baseline_wait_days: int
    window_months: int
    costs: Mapping[str, UnitCost]
    rehoused: Sequence[RehousedCase] = ()
    hospital: Sequence[HospitalCase] = ()
    avoided: Sequence[AvoidedFact] = ()
    voids_let: Sequence[VoidLet] = ()
    funding: Sequence[FundingShare] = ()
    wellbeing_counts: Mapping[str, int] = field(default_factory=dict)
    wellbeing_rates: Mapping[str, WellbeingRate] = field(default_factory=dict)
    completeness: Sequence[Completeness] = ()


# ------------------------------------------------------------------------------------------------ outputs


@dataclass(frozen=True)
class ValueLine:
    section: str
    label: str
    people: int  # cases contributing to the quantity
    quantity: Decimal
    quantity_unit: str
    cost_code: str
    unit_cost: Decimal | None
    unit: str
    stakeholder: str
    value: Decimal | None  # None: the cost book has no value for cost_code (a gap)

    @property
    def is_gap(self) -> bool:
        return self.value is None

    @property
    def stakeholder_label(self) -> str:
        return Stakeholder(self.stakeholder).label


@dataclass(frozen=True)
class Return:
    """Value against cost, as gross and net returns per £1."""

    value: Decimal
    cost: Decimal

    @property
    def gross(self) -> Decimal | None:
        return self.value / self.cost if self.cost > 0 else None

    @property
    def net(self) -> Decimal | None:
        return (self.value - self.cost) / self.cost if self.cost > 0 else None


@dataclass(frozen=True)
class FunderReturn:
    funder: str
    stakeholders: tuple[str, ...]
    ret: Return

    @property
    def label(self) -> str:
        return Funder(self.funder).label


@dataclass(frozen=True)
class BedTypeSummary:
    setting: str
    people: int
    mean_days_to_tenancy: Decimal | None
    days_avoided: int
    waited_longer_than_baseline: int  # these count negative days avoided

    @property
    def label(self) -> str:
        return Setting(self.setting).label

    @property
    def mean_days_avoided(self) -> Decimal | None:
        return Decimal(self.days_avoided) / self.people if self.people else None


@dataclass(frozen=True)
class SocialLine:
    outcome: str
    label: str
    people: int
    value_per_person: Decimal | None
    deadweight_percent: Decimal | None
    value: Decimal | None


@dataclass(frozen=True)
class Evaluation:
    inputs: EvaluationInputs
    lines: tuple[ValueLine, ...]
    bed_types: tuple[BedTypeSummary, ...]
    social_lines: tuple[SocialLine, ...]

    @property
    def valued_lines(self) -> list[ValueLine]:
        return [line for line in self.lines if not line.is_gap]

    @property
    def gaps(self) -> list[ValueLine]:
        """Lines with something to value but no unit cost in the cost book."""
        return [line for line in self.lines if line.is_gap and line.quantity != 0]

    @property
    def gross_value(self) -> Decimal:
        return sum((line.value for line in self.valued_lines), ZERO)

    def value_by_stakeholder(self) -> dict[str, Decimal]:
        totals = {s.value: ZERO for s in Stakeholder}
        for line in self.valued_lines:
            totals[line.stakeholder] += line.value
        return totals

    def value_by_section(self) -> dict[str, Decimal]:
        totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for line in self.valued_lines:
            totals[line.section] += line.value
        return dict(totals)

    @property
    def service_cost(self) -> Decimal:
        return sum((share.amount for share in self.inputs.funding), ZERO)

    def cost_by_funder(self) -> dict[str, Decimal]:
        totals = {f.value: ZERO for f in Funder}
        for share in self.inputs.funding:
            totals[share.funder] += share.amount
        return totals

    def cost_by_kind(self) -> dict[str, Decimal]:
        totals = {k.value: ZERO for k in FundingKind}
        for share in self.inputs.funding:
            totals[share.kind] += share.amount
        return totals

    @property
    def overall(self) -> Return:
        return Return(self.gross_value, self.service_cost)

    def by_funder(self) -> list[FunderReturn]:
        """Each funder's return: the value its stakeholders gain against what it paid in."""
        values = self.value_by_stakeholder()
        paid = self.cost_by_funder()
        out = []
        for funder in Funder:
            stakeholders = tuple(s for s, f in FUNDER_OF.items() if f == funder)
            value = sum((values[s] for s in stakeholders), ZERO)
            out.append(FunderReturn(funder.value, stakeholders, Return(value, paid[funder.value])))
        return out

    @property
    def social_value(self) -> Decimal:
        return sum((line.value for line in self.social_lines if line.value is not None), ZERO)

    @property
    def social_return(self) -> Return:
        return Return(self.social_value, self.service_cost)

    @property
    def rehoused_from_bed(self) -> int:
        return sum(b.people for b in self.bed_types)

    @property
    def bed_days_avoided(self) -> int:
        return sum(b.days_avoided for b in self.bed_types)

    @property
    def mean_bed_days_avoided(self) -> Decimal | None:
        people = self.rehoused_from_bed
        return Decimal(self.bed_days_avoided) / people if people else None

    @property
    def mean_days_to_tenancy_from_bed(self) -> Decimal | None:
        from_bed = [c.days_to_tenancy for c in self.inputs.rehoused if c.from_bed]
        return Decimal(sum(from_bed)) / len(from_bed) if from_bed else None


# ------------------------------------------------------------------------------------------------ formulas


def bed_days_avoided(days_to_tenancy: int, baseline_wait_days: int) -> int:
    """Days in a bed avoided by one case: the baseline wait without the service less the actual wait.

    A case rehoused after longer than the baseline counts negative, not zero, as on the dashboard
    (h2h.reports.kpis.BedDaysAvoided): the total is then people × (baseline − mean wait), the seed's arithmetic,
    and a slow case is never hidden."""
    return baseline_wait_days - days_to_tenancy


def expected_less_actual(before: int, before_days: int, after: int, after_days: int) -> Decimal:
    """Events avoided in the after window: the before window's rate over the after window's observed days,
    less what happened. Equal windows give plain before − after. Negative when use went up."""
    return Decimal(before) * after_days / before_days - after


def _line(costs: Mapping[str, UnitCost], *, section: str, label: str, people: int, quantity: Decimal,
          quantity_unit: str, code: str) -> ValueLine:
    default = COST_CODES_BY_CODE[code]
    cost = costs.get(code)
    unit_cost = cost.value if cost else None
    quantity = quantity.quantize(PENNY, rounding=ROUND_HALF_UP)
    return ValueLine(
        section=section, label=label, people=people, quantity=quantity, quantity_unit=quantity_unit, cost_code=code,
        unit_cost=unit_cost, unit=cost.unit if cost else default.unit,
        stakeholder=cost.stakeholder if cost else default.stakeholder,
        value=None if unit_cost is None else money(quantity * unit_cost),
    )


def rehousing_lines(inputs: EvaluationInputs) -> tuple[list[ValueLine], list[BedTypeSummary]]:
    lines, summaries = [], []
    for setting in Setting:
        if setting not in BED_SETTINGS:
            continue
        cases = [c for c in inputs.rehoused if c.setting == setting]
        avoided = sum(bed_days_avoided(c.days_to_tenancy, inputs.baseline_wait_days) for c in cases)
        summaries.append(BedTypeSummary(
            setting=setting.value, people=len(cases),
            mean_days_to_tenancy=Decimal(sum(c.days_to_tenancy for c in cases)) / len(cases) if cases else None,
            days_avoided=avoided,
            waited_longer_than_baseline=sum(1 for c in cases if c.days_to_tenancy > inputs.baseline_wait_days),
        ))
        lines.append(_line(inputs.costs, section=SECTION_REHOUSING, label=f"Bed days avoided: {setting.label}",
                           people=len(cases), quantity=Decimal(avoided), quantity_unit="bed days",
                           code=bed_day_code(setting.value)))
    return lines, summaries


def hospital_lines(inputs: EvaluationInputs) -> list[ValueLine]:
    totals = {"long_stays": ZERO, "short_stays": ZERO, "excess_bed_days": ZERO, "attendances": ZERO}
    people = dict.fromkeys(totals, 0)
    for case in inputs.hospital:
        before, after = case.before, case.after
        if before.observed_days and after.observed_days and before.long_stays is not None \
                and after.long_stays is not None:
            for key in ("long_stays", "short_stays", "excess_bed_days"):
                totals[key] += expected_less_actual(getattr(before, key), before.observed_days,
                                                    getattr(after, key), after.observed_days)
                people[key] += 1
        if before.attendance_days and after.attendance_days and before.attendances is not None \
                and after.attendances is not None:
            totals["attendances"] += expected_less_actual(before.attendances, before.attendance_days,
                                                          after.attendances, after.attendance_days)
            people["attendances"] += 1
    rows = (
        ("long_stays", "Emergency admissions avoided (stays of 2 days or more)", "admissions",
         "admission_emergency_long_stay"),
        ("short_stays", "Emergency admissions avoided (stays of 0 or 1 day)", "admissions",
         "admission_emergency_short_stay"),
        ("excess_bed_days", "Excess bed days avoided", "excess bed days", "excess_bed_day"),
        ("attendances", "A&E attendances avoided", "attendances", "ae_attendance"),
    )
    return [_line(inputs.costs, section=SECTION_HOSPITAL, label=label, people=people[key], quantity=totals[key],
                  quantity_unit=unit, code=code) for key, label, unit, code in rows]


def council_lines(inputs: EvaluationInputs) -> list[ValueLine]:
    def facts(kind):
        return [f for f in inputs.avoided if f.kind == kind]

    adaptations, homelessness, care = facts("adaptation"), facts("homelessness"), facts("social_care")
    weeks = Decimal(inputs.window_months) * WEEKS_A_YEAR / MONTHS_A_YEAR
    hours_a_week = sum((f.quantity for f in care), ZERO)
    return [
        _line(inputs.costs, section=SECTION_COUNCIL, label="Adaptations avoided", people=len(adaptations),
              quantity=sum((f.quantity for f in adaptations), ZERO), quantity_unit="adaptations", code="adaptation"),
        _line(inputs.costs, section=SECTION_COUNCIL, label="Homelessness prevented", people=len(homelessness),
              quantity=Decimal(len(homelessness)), quantity_unit="households", code="homelessness_case"),
        _line(inputs.costs, section=SECTION_COUNCIL,
              label=f"Home care avoided: {hours_a_week.normalize():f} hours a week over {weeks.normalize():f} weeks",
              people=len(care), quantity=hours_a_week * weeks, quantity_unit="hours", code="home_care_hour"),
    ]


def housing_lines(inputs: EvaluationInputs) -> list[ValueLine]:
    voids = list(inputs.voids_let)
    weekly_rent = sum((v.weekly_rent for v in voids), ZERO)
    return [
        _line(inputs.costs, section=SECTION_HOUSING, label="Void costs avoided: long-term empty homes let",
              people=len(voids), quantity=Decimal(len(voids)), quantity_unit="homes", code="long_term_void"),
        # The quantity is money here (the homes' weekly rents added up); the "unit cost" is the weeks gained.
        _line(inputs.costs, section=SECTION_HOUSING, label="Rent gained: weekly rent of those homes × weeks gained",
              people=len(voids), quantity=weekly_rent, quantity_unit="£ a week", code="rent_weeks_gained"),
    ]


def social_lines(inputs: EvaluationInputs) -> list[SocialLine]:
    out = []
    for outcome in WELLBEING_OUTCOMES:
        people = inputs.wellbeing_counts.get(outcome.code, 0)
        rate = inputs.wellbeing_rates.get(outcome.code)
        value = None
        if rate is not None:
            value = money(people * rate.value * (HUNDRED - rate.deadweight_percent) / HUNDRED)
        out.append(SocialLine(outcome.code, outcome.label, people, rate.value if rate else None,
                              rate.deadweight_percent if rate else None, value))
    return out


def evaluate(inputs: EvaluationInputs) -> Evaluation:
    rehousing, bed_types = rehousing_lines(inputs)
    lines = rehousing + hospital_lines(inputs) + council_lines(inputs) + housing_lines(inputs)
    return Evaluation(inputs=inputs, lines=tuple(lines), bed_types=tuple(bed_types),
                      social_lines=tuple(social_lines(inputs)))
