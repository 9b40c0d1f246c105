"""How report figures are shown to each audience, and the tables every report format is drawn from.

The project manager sees the service's exact figures. Everyone else (commissioner, evaluator) sees them
through the disclosure rule of h2h.lib.disclosure.suppress — a count from 1 to 7 is shown as "*", every other
count is rounded to the nearest 5 — and, so that nothing derived gives a small number away, any figure
computed from a group (a rate, a mean or median, a total of days or money) is shown as "*" when the group has
fewer than 8 members; a rate is also hidden when its numerator or the rest of its denominator is 1 to 7 (90%
of 20 would reveal 2). Charts are drawn from the shown values, never the exact ones.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from h2h.lib.disclosure import SUPPRESSED, suppress

SMALLEST_GROUP = 8  # groups smaller than this give no derived figure outside the service

# Column kinds: how a value is written (HTML, PDF) and formatted (XLSX).
TEXT, COUNT, DAYS, PERCENT, MONEY = "text", "count", "days", "percent", "money"


def _small(n: int) -> bool:
    return 1 <= n < SMALLEST_GROUP


@dataclass(frozen=True)
class Shown:
    """The figures as one audience may see them. exact=True for the service's own project manager."""

    exact: bool

    def count(self, n: int) -> int | str:
        if self.exact:
            return n
        shown = suppress(n)
        return shown if shown == SUPPRESSED else int(shown)

    def rate(self, numerator: int, denominator: int) -> float | str | None:
        """numerator / denominator as a percentage; None when there is nothing to divide by."""
        if not denominator:
            return None
        if not self.exact and (
            denominator < SMALLEST_GROUP or _small(numerator) or _small(denominator - numerator)
        ):
            return SUPPRESSED
        percent = 100 * numerator / denominator
        return round(percent, 1) if self.exact else float(round(percent))

    def of_group(self, value, group_size: int):
        """A figure computed from a group of group_size people or items (mean, median, total days, money)."""
        if group_size == 0 or value is None:
            return None
        if not self.exact and group_size < SMALLEST_GROUP:
            return SUPPRESSED
        if isinstance(value, float):
            return round(value, 1)
        return value

    @property
    def rule(self) -> str:
        if self.exact:
            return "Exact figures for the service's own staff: no suppression."
        return (
            "Counts from 1 to 7 are shown as *, other counts are rounded to the nearest 5 (zero stays zero). "
            f"Rates, averages and totals worked out from fewer than {SMALLEST_GROUP} people or items are "
            "shown as *, and so is a rate whose numerator, or the rest of its denominator, is from 1 to 7. "
            "Totals are rounded on their own, so they may not equal the sum of the rounded rows."
        )


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = TEXT

    @property
    def numeric(self) -> bool:
        return self.kind != TEXT


@dataclass
class Table:
    """One table of a report: a caption, columns, and rows of shown values (numbers, "*", None or text).

    chart names the column drawn as bars beside the table on the dashboard (None: no chart); comparator_rows
    are hatched in it (the baseline). row_kinds, when given, sets the kind of each row's numeric cells (a
    table of mixed figures: counts, a rate, days).
    """

    key: str
    caption: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    note: str = ""
    chart: int | None = None
    comparator_rows: tuple[int, ...] = ()
    row_kinds: list[str] | None = None

    def kind_of(self, row: int, column: int) -> str:
        kind = self.columns[column].kind
        if self.row_kinds is not None and kind != TEXT:
            return self.row_kinds[row]
        return kind

    def written(self) -> list[list[tuple[str, bool]]]:
        """Each cell as (text as written, numeric?) for HTML and PDF."""
        return [
            [
                (format_value(value, self.kind_of(r, c)), self.columns[c].numeric)
                for c, value in enumerate(row)
            ]
            for r, row in enumerate(self.rows)
        ]


@dataclass
class Section:
    key: str
    title: str
    tables: list[Table]
    intro: str = ""


def day_label(day) -> str:
    """23 November 2026."""
    return f"{day.day} {day:%B %Y}"


def format_value(value, kind: str) -> str:
    """How a shown value is written in HTML and PDF: "–" for none, "*" as it is, numbers by kind."""
    if value is None:
        return "–"
    if isinstance(value, str):
        return value
    if kind == MONEY:
        return f"£{Decimal(value):,.2f}"
    if kind == PERCENT:
        return f"{value:.1f}%" if value != int(value) else f"{int(value)}%"
    if isinstance(value, float):
        return f"{value:,.1f}" if value != int(value) else f"{int(value):,}"
    if isinstance(value, int | Decimal):
        return f"{value:,}"
    return str(value)
