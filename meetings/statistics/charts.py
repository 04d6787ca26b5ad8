"""Server-drawn charts: plain geometry for small SVG templates (``templates/meetings/statistics/_chart_*.html``),
shared by the page and the PDF. No JavaScript, no network: colours are SVG attributes, so the same drawing
renders in the browser (under the strict Content Security Policy) and in WeasyPrint."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .figures import Figure, Table, number_text

BRAND = "#1d4e6f"
SECOND = "#7aa6c2"
ALERT = "#b3261e"
OK = "#2e7d4f"
GRID = "#d5dbe2"


@dataclass
class Bar:
    label: str
    value: str
    y: int  # top of the row
    width: float
    value_x: float  # where the value is written, after the bar

    @property
    def bar_y(self) -> int:
        return self.y + 4

    @property
    def text_y(self) -> int:
        return self.y + 15


@dataclass
class BarChart:
    """Horizontal bars, one per row of a breakdown (the largest rows first, at most ``MAX_BARS``)."""

    title: str
    bars: list[Bar]
    hidden: int  # rows left out of the drawing (they stay in the table)
    label_width: int = 230
    area: int = 330
    row_height: int = 22
    colour: str = BRAND

    @property
    def width(self) -> int:
        return self.label_width + self.area + 90

    @property
    def height(self) -> int:
        return max(len(self.bars), 1) * self.row_height + 4

    @property
    def label_x(self) -> int:
        return self.label_width - 6


MAX_BARS = 12


def bar_chart(table: Table, *, colour: str = BRAND) -> BarChart | None:
    """The breakdown as bars (count, and share when the table has one); None when there is nothing to draw."""
    rows = [r for r in table.rows if r.count]
    if not rows:
        return None
    shown = sorted(rows, key=lambda r: -r.count)[:MAX_BARS] if len(rows) > MAX_BARS else rows
    largest = max(r.count for r in shown)
    chart = BarChart(title=str(table.definition.label), bars=[], hidden=len(rows) - len(shown), colour=colour)
    with_share = bool(table.definition.share_heading)
    for index, row in enumerate(shown):
        value = f"{row.count} ({row.share_display})" if with_share and row.total else str(row.count)
        width = round(row.count * chart.area / largest, 1)
        chart.bars.append(
            Bar(
                label=row.label if len(row.label) <= 34 else row.label[:33] + "…",
                value=value,
                y=index * chart.row_height,
                width=width,
                value_x=round(chart.label_width + width + 6, 1),
            )
        )
    return chart


@dataclass
class Column:
    x: float
    y: float
    height: float
    colour: str
    title: str


@dataclass
class Tick:
    y: float
    text: str

    @property
    def text_y(self) -> float:
        return round(self.y + 3, 1)


@dataclass
class MonthChart:
    """Grouped columns per month: one colour per series (requests submitted, cases discussed)."""

    columns: list[Column]
    labels: list[tuple[float, str]]
    ticks: list[Tick]
    legend: list[tuple[str, str]]
    width: int
    bar_width: float = 10.0
    height: int = 190
    left: int = 34
    plot_height: int = 150

    @property
    def tick_label_x(self) -> int:
        return self.left - 4

    @property
    def baseline(self) -> int:
        return self.plot_height + 8

    @property
    def label_y(self) -> int:
        return self.baseline + 16


def _nice_max(value: int) -> int:
    """A round axis maximum at or above ``value`` that four equal steps divide (4, 8, 12, 20, 40, 60, 80, 120...)."""
    magnitude = 1
    while True:
        for step in (4, 8, 12, 20, 40, 60, 80):
            if value <= step * magnitude:
                return step * magnitude
        magnitude *= 10


def month_chart(table: Table) -> MonthChart | None:
    if not table.series or not table.rows:
        return None
    months = len(table.rows)
    colours = (BRAND, SECOND)
    top = _nice_max(max((max(values, default=0) for _name, values in table.series), default=0))
    slot = max(18.0, min(56.0, 640 / months))
    bar = (slot - 6) / len(table.series)
    chart = MonthChart(
        columns=[],
        labels=[],
        ticks=[],
        legend=[(name, colours[i % 2]) for i, (name, _values) in enumerate(table.series)],
        width=int(34 + slot * months + 10),
        bar_width=round(bar, 1),
    )
    scale = chart.plot_height / top
    for i in range(5):
        value = top * i // 4  # exact: top is a multiple of 4
        chart.ticks.append(Tick(y=round(chart.baseline - value * scale, 1), text=str(value)))
    for m, row in enumerate(table.rows):
        x0 = chart.left + m * slot + 3
        for s, (name, values) in enumerate(table.series):
            height = round(values[m] * scale, 1)
            chart.columns.append(
                Column(
                    x=round(x0 + s * bar, 1),
                    y=round(chart.baseline - height, 1),
                    height=height,
                    colour=colours[s % 2],
                    title=f"{row.label} · {name} : {values[m]}",
                )
            )
        axis = table.axis[m] if m < len(table.axis) else row.label
        chart.labels.append((round(x0 + (slot - 6) / 2, 1), axis))
    return chart


@dataclass
class Gauge:
    """A share against its target (the postponement rate): a bar on a 0-30 % scale and the target's mark."""

    value: Decimal | None
    text: str
    width: float
    target_x: float  # the target's mark, in the drawing's coordinates
    colour: str
    area: int = 300
    left: int = 12
    ticks: list[tuple[float, str]] = field(default_factory=list)

    @property
    def view_width(self) -> int:
        return self.area + 2 * self.left + 12


def gauge(figure: Figure) -> Gauge | None:
    """The figure against its limit (``FigureDef.limit``); None without a value or a limit."""
    number, target = figure.number, figure.definition.limit
    if number is None or target is None:
        return None
    area, top = 300, 30
    width = round(min(float(number), top) * area / top, 1)
    return Gauge(
        value=number,
        text=figure.display,
        width=width,
        target_x=round(12 + target * area / top, 1),
        colour=ALERT if number >= target else OK,
        ticks=[(round(12 + t * area / top, 1), f"{t} %") for t in (0, 10, 20, 30)],
    )


__all__ = ["bar_chart", "gauge", "month_chart", "number_text"]
