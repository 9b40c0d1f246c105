"""Horizontal bar charts as plain SVG, drawn by templates/reports/_bar_chart.html: no chart library, no JS.

Each bar carries its own label above it and its value written at its end, so nothing is read from colour; a
comparator (the baseline wait) is hatched as well. Lengths are percentages of the drawing's width, so the
chart fills a phone or a page while its text stays full size. Bars are drawn from the values the audience is
shown: a suppressed count has no bar (its length would give the number away).
"""

from dataclasses import dataclass

from h2h.reports.figures import Table, format_value

ROW = 56  # label line, bar, gap
BAR = 22
LONGEST = 80.0  # percent of the width for the longest bar; the rest leaves room for its value


@dataclass(frozen=True)
class Bar:
    label: str
    text: str
    width: float  # percent of the drawing's width
    top: int
    hatched: bool

    @property
    def label_y(self) -> int:
        return self.top + 16

    @property
    def bar_y(self) -> int:
        return self.top + 22

    @property
    def value_y(self) -> int:
        return self.top + 22 + 17


@dataclass(frozen=True)
class BarChart:
    id: str
    title: str
    description: str
    bars: tuple[Bar, ...]

    @property
    def height(self) -> int:
        return ROW * len(self.bars)


def bar_chart(table: Table) -> BarChart | None:
    """The chart of table.chart's column against the table's first column; None when the table has none."""
    if table.chart is None:
        return None
    values = [row[table.chart] for row in table.rows]
    numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    largest = max((n for n in numbers if n > 0), default=0)
    bars = []
    for index, (row, value) in enumerate(zip(table.rows, values, strict=True)):
        drawn = value if isinstance(value, int | float) and value > 0 else 0
        width = round(LONGEST * drawn / largest, 2) if largest else 0.0
        text = format_value(value, table.kind_of(index, table.chart))
        bars.append(Bar(str(row[0]), text, width, index * ROW, index in table.comparator_rows))
    description = "; ".join(f"{bar.label}: {bar.text}" for bar in bars)
    # A table of several figures names the one drawn (e.g. "year to date").
    title = (
        table.caption
        if len(table.columns) == 2
        else f"{table.caption}: {table.columns[table.chart].label.lower()}"
    )
    return BarChart(id=f"chart-{table.key}", title=title, description=description, bars=tuple(bars))


def with_charts(sections) -> list[dict]:
    """Sections as templates use them: each table paired with its chart (or None)."""
    return [
        {"section": section, "tables": [{"table": t, "chart": bar_chart(t)} for t in section.tables]}
        for section in sections
    ]
