"""The monthly management report: what the project manager takes to the contract meeting, for any month.

Each figure is given for the month and for the financial year to date (1 April to the month's end), from the
same KPI functions as the dashboard. One MonthlyReport feeds the page, the PDF (same template, print CSS) and
the XLSX workbook (a sheet per section). A month still running is reported to today.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone

from h2h.accounts.models import Organisation
from h2h.area.config import get_area
from h2h.cases.stages import Stage
from h2h.reports import kpis
from h2h.reports.dashboard import coordinator_labels, hardship_table, lettings_rows, survey_table
from h2h.reports.figures import COUNT, DAYS, MONEY, PERCENT, Column, Section, Shown, Table
from h2h.reports.figures import day_label as _day


class NoSuchMonth(ValueError):  # noqa: N818 (a month, not an error in it)
    """A month that has not started yet: there is nothing to report."""


@dataclass
class MonthlyReport:
    service: Organisation
    month: kpis.Period  # the month, up to today if it is still running
    year_to_date: kpis.Period
    complete: bool  # False while the month is still running
    generated_at: datetime
    shown: Shown
    sections: list[Section]

    @property
    def title(self) -> str:
        return f"{get_area().service_name} monthly management report: {self.month.start:%B %Y}"

    @property
    def slug(self) -> str:
        return f"{self.month.start:%Y-%m}"

    @property
    def audience(self) -> str:
        return (
            "Project manager's version: exact figures"
            if self.shown.exact
            else ("Published version: small numbers suppressed")
        )

    @property
    def filename_stem(self) -> str:
        suffix = "" if self.shown.exact else "-published"
        return f"h2h-monthly-report-{self.slug}{suffix}"


def _pair(key, caption, label, month_rows, ytd_rows, shown: Shown, kind=COUNT, chart=None) -> Table:
    """A table of one breakdown for the month and the year to date (both lists in the same order)."""
    return Table(
        key,
        caption,
        [Column(label), Column("This month", kind), Column("Year to date", kind)],
        [
            [name, shown.count(m), shown.count(y)]
            for (name, m), (_, y) in zip(month_rows, ytd_rows, strict=True)
        ],
        chart=chart,
    )


def _summary(service, month, ytd, shown: Shown, times, beds) -> Table:
    rows, kinds = [], []

    def add(label, kind, figure):
        rows.append([label, figure(month), figure(ytd)])
        kinds.append(kind)

    screening = {p: kpis.screening(service, p) for p in (month, ytd)}
    lets = {p: kpis.lettings(service, p) for p in (month, ytd)}
    spend = {p: kpis.hardship_spend(service, p) for p in (month, ytd)}
    add("New referrals", COUNT, lambda p: shown.count(kpis.referrals_received(service, p)))
    add(
        "Further referrals for people with an open case",
        COUNT,
        lambda p: shown.count(kpis.further_referrals(service, p)),
    )
    add("Accepted at screening", COUNT, lambda p: shown.count(screening[p].accepted))
    add("Declined at screening", COUNT, lambda p: shown.count(screening[p].declined))
    add(
        "Acceptance rate (accepted / screened)",
        PERCENT,
        lambda p: shown.rate(screening[p].accepted, screening[p].screened),
    )
    add("People rehoused (tenancy started)", COUNT, lambda p: shown.count(times[p].count))
    add("Median rehousing time (days)", DAYS, lambda p: shown.of_group(times[p].median, times[p].count))
    add("Mean rehousing time (days)", DAYS, lambda p: shown.of_group(times[p].mean, times[p].count))
    add("Baseline wait without the service (days)", DAYS, lambda p: times[p].baseline)
    add("People rehoused from a bed", COUNT, lambda p: shown.count(beds[p].people))
    add("Bed days avoided", DAYS, lambda p: shown.of_group(beds[p].total, beds[p].people))
    add(
        "Bed days avoided per person in a bed",
        DAYS,
        lambda p: shown.of_group(beds[p].per_person, beds[p].people),
    )
    add("Voids let through the service", COUNT, lambda p: shown.count(lets[p].lets))
    add(
        "Hardship fund spend approved",
        MONEY,
        lambda p: shown.of_group(spend[p].approved, spend[p].approved_count),
    )
    return Table(
        "summary",
        "Summary",
        [Column("Figure"), Column("This month", COUNT), Column("Year to date", COUNT)],
        rows,
        row_kinds=kinds,
    )


def build_monthly_report(
    service: Organisation, year: int, month_number: int, shown: Shown, today: date | None = None
) -> MonthlyReport:
    today = today or timezone.localdate()
    whole = kpis.Period.month(year, month_number)
    if whole.start > today:
        raise NoSuchMonth(f"{whole.start:%B %Y} has not started yet.")
    month = whole.clipped_to(today)
    ytd = kpis.Period(kpis.Period.financial_year_to_date(month.end).start, month.end)
    as_of = month.end

    rows = {p: kpis.rehoused(service, p) for p in (month, ytd)}
    times = {p: kpis.rehousing_time(service, p, rows=rows[p]) for p in (month, ytd)}
    beds = {p: kpis.bed_days_avoided(service, p, rows=rows[p]) for p in (month, ytd)}
    mix = {p: kpis.referral_mix(service, p) for p in (month, ytd)}
    caseload = kpis.caseload_per_hhc(service, as_of)
    visits = kpis.follow_ups(service, month, as_of)

    sections = [
        Section(
            "summary",
            "Summary",
            [
                _summary(service, month, ytd, shown, times, beds),
                Table(
                    "month-end",
                    f"On {_day(as_of)}",
                    [Column("Figure"), Column("Value", COUNT)],
                    [
                        ["Open cases", shown.count(sum(n for _, n in caseload))],
                        ["Follow-up visits overdue", shown.count(sum(v.overdue for v in visits))],
                    ],
                ),
            ],
            intro=f"Figures for {month.label} and for the financial year to date ({ytd.label}).",
        ),
        Section(
            "referrals",
            "Referrals",
            [
                Table(
                    "referrals-by-month",
                    "New referrals by month, year to date",
                    [Column("Month"), Column("Referrals", COUNT)],
                    [[f"{m:%B %Y}", shown.count(n)] for m, n in kpis.referrals_by_month(service, ytd)],
                    chart=1,
                ),
                _pair(
                    "referrals-by-source",
                    "New referrals by who referred",
                    "Referrer",
                    mix[month].by_source(),
                    mix[ytd].by_source(),
                    shown,
                ),
                _pair(
                    "referrals-by-route",
                    "New referrals by how they arrived",
                    "Route",
                    mix[month].by_route(),
                    mix[ytd].by_route(),
                    shown,
                ),
                _pair(
                    "referrals-by-setting",
                    "New referrals by where the person was",
                    "Setting",
                    mix[month].by_setting(),
                    mix[ytd].by_setting(),
                    shown,
                ),
                _pair(
                    "referrals-by-cohort",
                    "New referrals by cohort",
                    "Cohort",
                    mix[month].by_cohort(),
                    mix[ytd].by_cohort(),
                    shown,
                ),
            ],
        ),
        Section(
            "rehousing",
            "Rehousing time and bed days avoided",
            [
                Table(
                    "rehousing-time",
                    "Rehousing time (referral to tenancy start) against the baseline, in days",
                    [Column("Measure"), Column("This month", DAYS), Column("Year to date", DAYS)],
                    [
                        ["Median", *[shown.of_group(times[p].median, times[p].count) for p in (month, ytd)]],
                        ["Mean", *[shown.of_group(times[p].mean, times[p].count) for p in (month, ytd)]],
                        ["Baseline wait without the service", times[month].baseline, times[ytd].baseline],
                    ],
                    chart=2,
                    comparator_rows=(2,),
                ),
                _pair(
                    "rehousing-bands",
                    "People rehoused, by rehousing time",
                    "Time",
                    times[month].bands,
                    times[ytd].bands,
                    shown,
                ),
                Table(
                    "bed-days",
                    "Bed days avoided, by where the person was referred from",
                    [
                        Column("Setting"),
                        Column("People this month", COUNT),
                        Column("Bed days this month", DAYS),
                        Column("People year to date", COUNT),
                        Column("Bed days year to date", DAYS),
                    ],
                    [
                        [
                            label,
                            shown.count(pm),
                            shown.of_group(dm, pm),
                            shown.count(py),
                            shown.of_group(dy, py),
                        ]
                        for (label, pm, dm), (_, py, dy) in zip(
                            beds[month].by_setting, beds[ytd].by_setting, strict=True
                        )
                    ]
                    + [
                        [
                            "All beds",
                            shown.count(beds[month].people),
                            shown.of_group(beds[month].total, beds[month].people),
                            shown.count(beds[ytd].people),
                            shown.of_group(beds[ytd].total, beds[ytd].people),
                        ]
                    ],
                    note=f"Per person: the baseline wait ({times[month].baseline} days) minus their "
                    "rehousing time; longer than the baseline counts as a negative figure.",
                ),
            ],
        ),
        Section(
            "caseload",
            "Caseload",
            [
                Table(
                    "caseload",
                    f"Open cases per coordinator at the end of {_day(as_of)}",
                    [Column("Coordinator"), Column("Open cases", COUNT)],
                    [
                        [label, shown.count(n)]
                        for label, (_, n) in zip(
                            coordinator_labels(caseload, shown.exact), caseload, strict=True
                        )
                    ],
                ),
                Table(
                    "funnel",
                    f"Cases referred this financial year that reached each stage by {_day(as_of)}",
                    [Column("Stage"), Column("Cases", COUNT)],
                    [[Stage(stage).label, shown.count(n)] for stage, n in kpis.funnel(service, ytd, as_of)],
                ),
            ],
        ),
        Section(
            "follow-up",
            "Follow-up and surveys",
            [
                Table(
                    "follow-ups",
                    "Follow-up visits this month",
                    [
                        Column("Visit"),
                        Column("Due this month", COUNT),
                        Column("Done this month", COUNT),
                        Column("Done on time", COUNT),
                        Column("Overdue at month end", COUNT),
                    ],
                    [
                        [
                            v.kind,
                            shown.count(v.due),
                            shown.count(v.done),
                            shown.count(v.done_on_time),
                            shown.count(v.overdue),
                        ]
                        for v in visits
                    ],
                ),
                survey_table(kpis.survey_completion(service, month), shown),
            ],
        ),
        Section(
            "lettings",
            "Lettings and hardship fund",
            [
                _pair(
                    "lettings",
                    "Empty homes let through the service",
                    "Figure",
                    lettings_rows(kpis.lettings(service, month)),
                    lettings_rows(kpis.lettings(service, ytd)),
                    shown,
                ),
                hardship_table(kpis.hardship_spend(service, month), shown),
            ],
        ),
    ]
    return MonthlyReport(
        service=service,
        month=month,
        year_to_date=ytd,
        complete=month == whole,
        generated_at=timezone.now(),
        shown=shown,
        sections=sections,
    )
