"""The annual evaluation as report tables: one EvaluationReport feeds the page, the PDF and the XLSX workbook.

Tables are h2h.reports.figures Tables, so the evaluation is shown, suppressed and written exactly like the
dashboard and the monthly report: the project manager sees exact figures; the commissioner and the evaluator see
them through the disclosure rule (counts 1–7 as *, others rounded to 5; money, averages and ratios worked out
from fewer than 8 people as *). No table has a row per person.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from h2h.accounts.models import Organisation
from h2h.area.config import get_area
from h2h.evaluation import engine
from h2h.evaluation.inputs import EvaluationData, evaluate
from h2h.evaluation.stakeholders import COST_CODES, NOT_MONEY, Funder, FundingKind, Stakeholder
from h2h.reports import kpis
from h2h.reports.figures import COUNT, DAYS, MONEY, PERCENT, TEXT, Column, Section, Shown, Table

SCORE = "score"  # a number written as it is (EQ-5D index to 3 places); General in the workbook
RATIO = MONEY  # a return per £1 is written as pounds: £12.42
NOT_VALUED = "not valued: no cost in the cost book"


def _pct(part: int, whole: int, shown: Shown):
    return shown.rate(part, whole)


def _money_of(value: Decimal | None, group: int, shown: Shown):
    return shown.of_group(value, group) if group else (None if value is None else value)


def _ratio(value: Decimal | None, group: int, shown: Shown):
    if value is None:
        return None
    value = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return shown.of_group(value, group)


@dataclass
class EvaluationReport:
    service: Organisation
    period: kpis.Period
    generated_at: datetime
    shown: Shown
    evaluation: engine.Evaluation
    data: EvaluationData
    sections: list[Section]

    @property
    def title(self) -> str:
        return f"{get_area().service_name} annual evaluation: {self.period.label}"

    @property
    def slug(self) -> str:
        return f"{self.period.start:%Y-%m}-to-{self.period.end:%Y-%m}"

    @property
    def audience(self) -> str:
        return "Project manager's version: exact figures" if self.shown.exact else (
            "Published version: small numbers suppressed")

    @property
    def filename_stem(self) -> str:
        return f"h2h-evaluation-{self.slug}{'' if self.shown.exact else '-published'}"

    @property
    def rehoused(self) -> int:
        return len(self.data.rehoused)


# ------------------------------------------------------------------------------------------------ tables


def summary_table(ev: engine.Evaluation, n: int, shown: Shown) -> Table:
    overall = ev.overall
    rows = [
        ["People rehoused in the period", shown.count(n)],
        ["Gross financial value (avoided costs, all stakeholders)", _money_of(ev.gross_value, n, shown)],
        ["Service cost (what the funders paid in for the period)", ev.service_cost],
        ["Gross return per £1 (value ÷ cost)", _ratio(overall.gross, n, shown)],
        ["Net return per £1 ((value − cost) ÷ cost)", _ratio(overall.net, n, shown)],
        ["Social value by wellbeing valuation", _money_of(ev.social_value, n, shown)],
        ["Social value per £1, gross (social value ÷ cost)", _ratio(ev.social_return.gross, n, shown)],
        ["Lines not valued (a cost the cost book lacks)", len(ev.gaps)],
    ]
    kinds = [COUNT, MONEY, MONEY, RATIO, RATIO, MONEY, RATIO, COUNT]
    return Table("summary", "Financial and social return", [Column("Figure"), Column("Value", MONEY)], rows,
                 row_kinds=kinds,
                 note="Gross: £ of value for every £1 spent. Net: £ of value over and above each £1 spent "
                      "(gross − 1). Return per £1 is blank when nothing was paid in for the period.")


def stakeholder_tables(ev: engine.Evaluation, n: int, shown: Shown) -> list[Table]:
    values = ev.value_by_stakeholder()
    by_stakeholder = Table(
        "value-by-stakeholder", "Financial value by who bears the avoided cost",
        [Column("Stakeholder"), Column("Value", MONEY)],
        [[s.label, _money_of(values[s.value], n, shown)] for s in Stakeholder], chart=1)
    # Charts are drawn from numbers only (floats): a suppressed value has no bar.
    by_stakeholder.rows = [[label, float(v) if isinstance(v, Decimal) else v] for label, v in by_stakeholder.rows]
    funders = Table(
        "return-by-funder", "Return for each funder: the value to its stakeholders against what it paid in",
        [Column("Funder"), Column("Paid in", MONEY), Column("Value to its stakeholders", MONEY),
         Column("Gross return per £1", RATIO), Column("Net return per £1", RATIO)],
        [[f.label, f.ret.cost, _money_of(f.ret.value, n, shown), _ratio(f.ret.gross, n, shown),
          _ratio(f.ret.net, n, shown)] for f in ev.by_funder()],
        note="NHS: acute, community and mental-health services. Council: adult social care and other council "
             "services. A funder that paid nothing in for the period has no ratio.")
    return [by_stakeholder, funders]


def _unit_cost_text(line: engine.ValueLine) -> str:
    if line.unit_cost is None:
        return "none in the cost book"
    if line.cost_code in NOT_MONEY:
        return f"{line.unit_cost.normalize():f} {line.unit}"
    return f"£{line.unit_cost:,.2f} {line.unit}"


def line_table(key: str, caption: str, lines: list[engine.ValueLine], shown: Shown, note: str = "") -> Table:
    rows = []
    for line in lines:
        quantity = shown.of_group(line.quantity, line.people) if line.people else line.quantity
        value = NOT_VALUED if line.is_gap else _money_of(line.value, line.people, shown)
        rows.append([line.label, line.stakeholder_label, shown.count(line.people), quantity, line.quantity_unit,
                     _unit_cost_text(line), value])
    return Table(key, caption, [Column("What"), Column("Who bears it", TEXT), Column("People", COUNT),
                                Column("Quantity", DAYS), Column("Of", TEXT), Column("Unit cost", TEXT),
                                Column("Value", MONEY)], rows, note=note)


def bed_type_table(ev: engine.Evaluation, shown: Shown) -> Table:
    rows = [[b.label, shown.count(b.people), shown.of_group(b.mean_days_to_tenancy, b.people),
             shown.of_group(b.days_avoided, b.people), shown.of_group(b.mean_days_avoided, b.people),
             shown.count(b.waited_longer_than_baseline)] for b in ev.bed_types]
    people = ev.rehoused_from_bed
    rows.append(["All beds", shown.count(people), shown.of_group(ev.mean_days_to_tenancy_from_bed, people),
                 shown.of_group(ev.bed_days_avoided, people), shown.of_group(ev.mean_bed_days_avoided, people),
                 shown.count(sum(b.waited_longer_than_baseline for b in ev.bed_types))])
    rows = [[r[0], *[float(v.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)) if isinstance(v, Decimal) else v
                     for v in r[1:]]] for r in rows]
    return Table("bed-days", f"Bed days avoided by faster rehousing, against a baseline wait of "
                             f"{ev.inputs.baseline_wait_days} days",
                 [Column("Referred from"), Column("People", COUNT), Column("Mean days to tenancy", DAYS),
                  Column("Bed days avoided", DAYS), Column("Per person", DAYS),
                  Column("Waited longer than the baseline", COUNT)], rows,
                 note="Per person: baseline wait − days from referral to tenancy start. Someone rehoused after "
                      "longer than the baseline counts negative, as on the dashboard.")


def hospital_table(data: EvaluationData, shown: Shown) -> Table:
    summary = data.hospital.summary
    before, after = summary.before, summary.after
    n, ae_n = before.people, before.attendance_people

    def per_year(total, days, group):
        return shown.of_group(None if not days else round(total * 365 / days, 2), group)

    rows = [
        ["People measured in both windows", shown.count(summary.measured), shown.count(summary.measured)],
        ["Admissions per person per year", per_year(before.admissions, before.observed_days, n),
         per_year(after.admissions, after.observed_days, n)],
        ["Emergency admissions per person per year", per_year(before.emergency_admissions, before.observed_days, n),
         per_year(after.emergency_admissions, after.observed_days, n)],
        ["Length of stay per admission (days)",
         shown.of_group(None if before.length_of_stay is None else round(before.length_of_stay, 1), n),
         shown.of_group(None if after.length_of_stay is None else round(after.length_of_stay, 1), n)],
        ["Share of bed days that were excess (%)",
         shown.of_group(None if before.excess_share is None else round(100 * before.excess_share, 1), n),
         shown.of_group(None if after.excess_share is None else round(100 * after.excess_share, 1), n)],
        ["A&E attendances per person per year", per_year(before.attendances, before.attendance_observed_days, ae_n),
         per_year(after.attendances, after.attendance_observed_days, ae_n)],
        ["Not yet due (under the window since the move)", shown.count(data.hospital.not_yet_due), None],
    ]
    return Table("hospital-before-after", f"Hospital use {get_area().outcomes.window_months} months before the "
                                          "referral and after the move (pooled over the people measured)",
                 [Column("Measure"), Column("Before", DAYS), Column("After", DAYS)], rows,
                 row_kinds=[COUNT, DAYS, DAYS, DAYS, DAYS, DAYS, COUNT])


def cost_tables(ev: engine.Evaluation, data: EvaluationData, shown: Shown) -> list[Table]:
    shares: dict[tuple[str, str], Decimal] = {}
    for share in ev.inputs.funding:
        key = (share.funder, share.kind)
        shares[key] = shares.get(key, engine.ZERO) + share.amount
    rows = []
    for funder in Funder:
        amounts = [shares.get((funder.value, kind.value), engine.ZERO) for kind in FundingKind]
        rows.append([funder.label, *amounts, sum(amounts, engine.ZERO)])
    totals = [sum((r[i] for r in rows), engine.ZERO) for i in range(1, len(FundingKind) + 2)]
    rows.append(["All funders", *totals])
    paid = Table("service-cost", "The service's cost: what each funder paid in for the period",
                 [Column("Funder"), *[Column(k.label, MONEY) for k in FundingKind], Column("Total", MONEY)], rows,
                 note="A funding row that runs past either end of the period counts pro rata by days.")
    spend = data.hardship
    hardship = Table("hardship-spend", "Hardship fund spend recorded in the period (for comparison)",
                     [Column("Figure"), Column("Value", MONEY)],
                     [["Approved in the period", shown.of_group(spend.approved, spend.approved_count)],
                      ["Paid in the period", shown.of_group(spend.paid, spend.paid_count)]])
    return [paid, hardship]


def social_table(ev: engine.Evaluation, shown: Shown) -> Table:
    rows = [[line.label, shown.count(line.people),
             "none loaded" if line.value_per_person is None else line.value_per_person,
             line.deadweight_percent,
             "not valued" if line.value is None else _money_of(line.value, line.people, shown)]
            for line in ev.social_lines]
    return Table("social-value", "Social value by wellbeing valuation",
                 [Column("Outcome"), Column("People", COUNT), Column("Value per person per year", MONEY),
                  Column("Deadweight (%)", SCORE), Column("Value", MONEY)], rows,
                 note="Values per outcome are the service's own, loaded as data (licensed values are never shipped). "
                      "Value = people × value per person × (100 − deadweight) ÷ 100.")


def wellbeing_tables(data: EvaluationData, shown: Shown) -> list[Table]:
    from h2h.surveys.selectors import PERSON_MEASURES, ScoreChange

    summary = data.surveys

    def num(value, n):
        return shown.of_group(value, n)

    def share(percent, n):
        if percent is None:
            return None
        return shown.rate(int((percent * n / 100).to_integral_value(ROUND_HALF_UP)), n)

    scores, shares = [], []
    for measure in PERSON_MEASURES:
        result = summary.person[measure.key]
        if isinstance(result, ScoreChange):
            scores.append([measure.label, shown.count(result.n), num(result.baseline, result.n),
                           num(result.follow_up, result.n), num(result.change, result.n),
                           num(result.percent_change, result.n), share(result.improved, result.n)])
        else:
            shares.append([measure.label, shown.count(result.n), share(result.baseline, result.n),
                           share(result.follow_up, result.n)])
    carer = summary.carer["life_satisfaction"]
    scores.append(["Carer's life satisfaction (0 to 10)", shown.count(carer.n), num(carer.baseline, carer.n),
                   num(carer.follow_up, carer.n), num(carer.change, carer.n), num(carer.percent_change, carer.n),
                   share(carer.improved, carer.n)])
    norm = summary.swemwbs_at_or_above_norm
    anxiety = summary.anxiety_depression_any
    shares.append([f"SWEMWBS at or above the population mean ({summary.swemwbs_norm})", shown.count(norm.n),
                   share(norm.baseline, norm.n), share(norm.follow_up, norm.n)])
    shares.append(["Any anxiety or depression (EQ-5D level 2 or worse)", shown.count(anxiety.n),
                   share(anxiety.baseline, anxiety.n), share(anxiety.follow_up, anxiety.n)])
    satisfaction, could_not = summary.satisfaction, summary.could_not_have_moved
    return [
        Table("wellbeing-scores", "Health and wellbeing: baseline and 6-month follow-up, paired",
              [Column("Measure"), Column("People", COUNT), Column("Baseline", SCORE), Column("Follow-up", SCORE),
               Column("Change", SCORE), Column("Change (%)", SCORE), Column("Improved (%)", PERCENT)], scores,
              note="Over the people with both surveys and the measure answered at both; a declined or unanswered "
                   "item drops that person from that measure only, never counted as zero."),
        Table("wellbeing-shares", "Share of people, before and after the move",
              [Column("Measure"), Column("People", COUNT), Column("Baseline (%)", PERCENT),
               Column("Follow-up (%)", PERCENT)], shares),
        Table("satisfaction", "The service, at the 6-month follow-up",
              [Column("Measure"), Column("People", COUNT), Column("Result", SCORE)],
              [["Satisfaction with the service (mean, 0 to 10)", shown.count(satisfaction.n),
                num(satisfaction.mean, satisfaction.n)],
               ["Could not have moved without the coordinator (%)", shown.count(could_not.n),
                share(could_not.percent, could_not.n)]], row_kinds=[SCORE, PERCENT]),
    ]


def completeness_table(ev: engine.Evaluation, shown: Shown) -> Table:
    rows = [[c.measure, shown.count(c.cases), shown.count(c.of), _pct(c.cases, c.of, shown), c.note]
            for c in ev.inputs.completeness]
    return Table("completeness", "Data completeness: how many cases had each measure",
                 [Column("Measure"), Column("Cases", COUNT), Column("Of", COUNT), Column("Share", PERCENT),
                  Column("Note", TEXT)], rows)


def cost_book_table(ev: engine.Evaluation) -> Table:
    rows = []
    for code in COST_CODES:
        cost = ev.inputs.costs.get(code.code)
        rows.append([code.label, "GAP: not entered" if cost is None or cost.value is None else cost.value,
                     cost.unit if cost else code.unit, cost.price_year if cost else "",
                     cost.version if cost else None, cost.source if cost else ""])
    return Table("cost-book", "Unit costs used (the cost book's current versions)",
                 [Column("Cost"), Column("Value", SCORE), Column("Unit", TEXT), Column("Price year", TEXT),
                  Column("Version", COUNT), Column("Source", TEXT)], rows,
                 note="Values are used in their own price years, as entered; see the methods section.")


# ------------------------------------------------------------------------------------------------ building


def build_evaluation_report(service: Organisation, period: kpis.Period, shown: Shown,
                            today: date | None = None) -> EvaluationReport:
    ev, data = evaluate(service, period, today=today)
    n = len(data.rehoused)
    by_section: dict[str, list[engine.ValueLine]] = {}
    for line in ev.lines:
        by_section.setdefault(line.section, []).append(line)
    value_tables = [line_table(f"lines-{i}", title, lines, shown) for i, (title, lines)
                    in enumerate(by_section.items(), start=1)]
    sections = [
        Section("summary", "Summary", [summary_table(ev, n, shown)],
                intro=f"People rehoused between {period.start:%-d %B %Y} and {period.end:%-d %B %Y}: the value of "
                      "what their faster rehousing and better health avoided, against what the service cost."),
        Section("stakeholders", "Value and return per stakeholder", stakeholder_tables(ev, n, shown)),
        Section("value", "How the value is made up: counts × unit costs",
                [bed_type_table(ev, shown), *value_tables]),
        Section("cost", "The service's cost", cost_tables(ev, data, shown)),
        Section("hospital", "Hospital use before and after the move", [hospital_table(data, shown)]),
        Section("social", "Social value", [social_table(ev, shown)]),
        Section("wellbeing", "Wellbeing change, satisfaction and carers", wellbeing_tables(data, shown)),
        Section("completeness", "Data completeness", [completeness_table(ev, shown)]),
        Section("cost-book", "The cost book used", [cost_book_table(ev)]),
    ]
    return EvaluationReport(service=service, period=period, generated_at=timezone.now(), shown=shown,
                            evaluation=ev, data=data, sections=sections)
