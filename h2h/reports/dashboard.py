"""The KPI dashboard: every figure for a period, as tables (each with a chart where one helps), for one
audience.

Figures come from h2h.reports.kpis; shown.* applies the audience's disclosure rule (h2h/reports/figures.py).
"""

from dataclasses import dataclass
from datetime import date

from h2h.accounts.models import Organisation
from h2h.cases.stages import Stage
from h2h.hardship.models import financial_year_label
from h2h.reports import kpis
from h2h.reports.figures import COUNT, DAYS, MONEY, PERCENT, Column, Section, Shown, Table
from h2h.reports.figures import day_label as _day


@dataclass
class Dashboard:
    period: kpis.Period
    as_of: date
    shown: Shown
    headline: Table
    sections: list[Section]


def _counts(key, caption, label, rows, shown, note=""):
    return Table(
        key,
        caption,
        [Column(label), Column("Referrals", COUNT)],
        [[name, shown.count(n)] for name, n in rows],
        note=note,
        chart=1,
    )


def coordinator_labels(caseload, exact: bool) -> list[str]:
    """Coordinators by name for the service's own staff; numbered for anyone else (they need the spread of the
    work, not who does it)."""
    labels = []
    for number, (user, _) in enumerate(caseload, start=1):
        if user is None:
            labels.append("Not assigned")
        else:
            labels.append(user.display_name if exact else f"Coordinator {number}")
    return labels


def build_dashboard(service: Organisation, period: kpis.Period, shown: Shown, today: date) -> Dashboard:
    as_of = min(period.end, today)
    referrals = kpis.referrals_received(service, period)
    further = kpis.further_referrals(service, period)
    screening = kpis.screening(service, period)
    rows = kpis.rehoused(service, period)
    times = kpis.rehousing_time(service, period, rows=rows)
    beds = kpis.bed_days_avoided(service, period, rows=rows)
    mix = kpis.referral_mix(service, period)
    caseload = kpis.caseload_per_hhc(service, as_of)
    visits = kpis.follow_ups(service, period, as_of)
    lets = kpis.lettings(service, period)
    hardship = kpis.hardship_spend(service, period)
    funnel = kpis.funnel(service, period, as_of)
    surveys = kpis.survey_completion(service, period)
    open_cases = sum(n for _, n in caseload)
    overdue = sum(v.overdue for v in visits)

    headline_rows = [
        ("New referrals", shown.count(referrals), COUNT),
        ("Further referrals for people with an open case", shown.count(further), COUNT),
        ("Referrals accepted at screening", shown.count(screening.accepted), COUNT),
        (
            "Acceptance rate (accepted / screened)",
            shown.rate(screening.accepted, screening.screened),
            PERCENT,
        ),
        ("People rehoused (tenancy started)", shown.count(times.count), COUNT),
        (
            "Median rehousing time, referral to tenancy (days)",
            shown.of_group(times.median, times.count),
            DAYS,
        ),
        ("Mean rehousing time (days)", shown.of_group(times.mean, times.count), DAYS),
        ("Baseline wait without the service (days)", times.baseline, DAYS),
        ("Bed days avoided (people rehoused from a bed)", shown.of_group(beds.total, beds.people), DAYS),
        ("Bed days avoided per person in a bed", shown.of_group(beds.per_person, beds.people), DAYS),
        (f"Open cases on {_day(as_of)}", shown.count(open_cases), COUNT),
        (f"Follow-up visits overdue on {_day(as_of)}", shown.count(overdue), COUNT),
        ("Voids let through the service", shown.count(lets.lets), COUNT),
        ("Hardship fund spend approved", shown.of_group(hardship.approved, hardship.approved_count), MONEY),
    ]
    headline = Table(
        "headline",
        f"Headline figures, {period.label}",
        [Column("Figure"), Column("Value", COUNT)],
        [[label, value] for label, value, _ in headline_rows],
        row_kinds=[kind for _, _, kind in headline_rows],
    )

    labels = coordinator_labels(caseload, shown.exact)
    rehousing_rows = [
        ["Median", shown.of_group(times.median, times.count)],
        ["Mean", shown.of_group(times.mean, times.count)],
        ["Baseline wait without the service", times.baseline],
    ]
    sections = [
        Section(
            "referrals",
            "Referrals",
            [
                Table(
                    "referrals-by-month",
                    "New referrals by month",
                    [Column("Month"), Column("Referrals", COUNT)],
                    [
                        [f"{month:%B %Y}", shown.count(n)]
                        for month, n in kpis.referrals_by_month(service, period)
                    ],
                    chart=1,
                ),
                _counts(
                    "referrals-by-source",
                    "New referrals by who referred",
                    "Referrer",
                    mix.by_source(),
                    shown,
                ),
                _counts(
                    "referrals-by-route",
                    "New referrals by how they arrived",
                    "Route",
                    mix.by_route(),
                    shown,
                ),
                _counts(
                    "referrals-by-setting",
                    "New referrals by where the person was",
                    "Setting",
                    mix.by_setting(),
                    shown,
                ),
                _counts(
                    "referrals-by-cohort",
                    "New referrals by cohort",
                    "Cohort",
                    mix.by_cohort(),
                    shown,
                ),
            ],
        ),
        Section(
            "screening",
            "Screening and progress",
            [
                Table(
                    "screening",
                    "Screening decisions made in the period",
                    [Column("Decision"), Column("Value", COUNT)],
                    [
                        ["Accepted", shown.count(screening.accepted)],
                        ["Declined", shown.count(screening.declined)],
                        ["Screened", shown.count(screening.screened)],
                        ["Acceptance rate", shown.rate(screening.accepted, screening.screened)],
                    ],
                    row_kinds=[COUNT, COUNT, COUNT, PERCENT],
                ),
                Table(
                    "funnel",
                    f"Cases referred in the period that reached each stage by {_day(as_of)}",
                    [Column("Stage"), Column("Cases", COUNT)],
                    [[Stage(stage).label, shown.count(n)] for stage, n in funnel],
                    chart=1,
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
                    [Column("Measure"), Column("Days", DAYS)],
                    rehousing_rows,
                    chart=1,
                    comparator_rows=(2,),
                    note=f"{_people(shown.count(times.count))} rehoused in the period; "
                    f"{_people(shown.count(times.longer_than_baseline))} took longer than the baseline.",
                ),
                Table(
                    "rehousing-bands",
                    "People rehoused, by rehousing time",
                    [Column("Time"), Column("People", COUNT)],
                    [[label, shown.count(n)] for label, n in times.bands],
                    chart=1,
                ),
                Table(
                    "bed-days",
                    "Bed days avoided, by where the person was referred from",
                    [Column("Setting"), Column("People", COUNT), Column("Bed days avoided", DAYS)],
                    [
                        [label, shown.count(people), shown.of_group(days, people)]
                        for label, people, days in beds.by_setting
                    ]
                    + [["All beds", shown.count(beds.people), shown.of_group(beds.total, beds.people)]],
                    chart=2,
                    note=f"Per person: baseline {beds.baseline} days minus their rehousing time. Someone "
                    "rehoused after longer than the baseline counts as a negative figure, never as zero.",
                ),
            ],
        ),
        Section(
            "caseload",
            "Caseload and follow-up",
            [
                Table(
                    "caseload",
                    f"Open cases per coordinator on {_day(as_of)}",
                    [Column("Coordinator"), Column("Open cases", COUNT)],
                    [[label, shown.count(n)] for label, (_, n) in zip(labels, caseload, strict=True)],
                    chart=1,
                ),
                Table(
                    "follow-ups",
                    "Follow-up visits",
                    [
                        Column("Visit"),
                        Column("Due in period", COUNT),
                        Column("Done in period", COUNT),
                        Column("Done on time", COUNT),
                        Column(f"Overdue on {_day(as_of)}", COUNT),
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
                survey_table(surveys, shown),
            ],
        ),
        Section(
            "lettings",
            "Lettings and the hardship fund",
            [
                lettings_table(lets, shown),
                hardship_table(hardship, shown),
            ],
        ),
    ]
    return Dashboard(period=period, as_of=as_of, shown=shown, headline=headline, sections=sections)


def _people(shown_count) -> str:
    return f"{shown_count} {'person' if shown_count == 1 else 'people'}"


def survey_table(surveys: list[kpis.SurveyCompletion], shown: Shown, key="surveys") -> Table:
    return Table(
        key,
        "Health and wellbeing surveys owed in the period (the person's own)",
        [
            Column("Survey"),
            Column("Owed", COUNT),
            Column("Recorded", COUNT),
            Column("Declined", COUNT),
            Column("Not recorded", COUNT),
            Column("Completion rate", PERCENT),
        ],
        [
            [
                s.timepoint,
                shown.count(s.due),
                shown.count(s.recorded),
                shown.count(s.declined),
                shown.count(s.missing),
                shown.rate(s.recorded, s.due),
            ]
            for s in surveys
        ],
        note="The baseline survey is owed by each case whose first visit was in the period; the follow-up by "
        "each whose 6-month visit was.",
    )


def lettings_rows(lets: kpis.Lettings) -> list[tuple[str, int]]:
    return [
        ("Offers accepted", lets.offers_accepted),
        ("Voids let (tenancy started)", lets.lets),
        ("of which by direct offer", lets.direct_offer_lets),
        (f"of which long-term voids (empty over {lets.long_term_void_days} days)", lets.long_term_voids_let),
    ]


def lettings_table(lets: kpis.Lettings, shown: Shown, key="lettings") -> Table:
    return Table(
        key,
        "Empty homes let through the service",
        [Column("Figure"), Column("Homes", COUNT)],
        [[label, shown.count(n)] for label, n in lettings_rows(lets)],
    )


def hardship_table(spend: kpis.HardshipSpend, shown: Shown, key="hardship") -> Table:
    position = spend.position
    label = financial_year_label(position.year)
    return Table(
        key,
        "Hardship fund",
        [Column("Figure"), Column("Requests", COUNT), Column("Amount", MONEY)],
        [
            [
                "Approved in the period",
                shown.count(spend.approved_count),
                shown.of_group(spend.approved, spend.approved_count),
            ],
            [
                "Paid in the period",
                shown.count(spend.paid_count),
                shown.of_group(spend.paid, spend.paid_count),
            ],
            [f"Budget {label}", None, position.budget],
            [
                f"Committed {label} (approved and paid)",
                shown.count(spend.year_committed_count),
                shown.of_group(position.committed, spend.year_committed_count),
            ],
            [
                f"Remaining {label}",
                None,
                shown.of_group(position.remaining, spend.year_committed_count)
                if spend.year_committed_count
                else position.remaining,
            ],
        ],
        note=f"Financial year {label} runs April to March; the budget is set by the project manager.",
    )
