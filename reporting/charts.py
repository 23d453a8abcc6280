"""Small hand-written SVG charts for the national pages and the PDF export.

The geometry is worked out here and drawn by a template (`national/_chart.svg.html`), so
every label is escaped like any other text and the same markup renders in the browser
and in WeasyPrint. Each chart has role="img", a <title> and a <desc>; the pages put a
data table beside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

WIDTH = 640
HEIGHT = 260
TOP = 24  # room for the value above the tallest column
BOTTOM = 40  # room for the labels under the columns
LEFT = 8
RIGHT = 8
GAP = Decimal("0.25")  # of each slot, between columns


@dataclass(frozen=True)
class Column:
    label: str
    value: Decimal | int | None  # None: nothing to show (e.g. no return submitted)
    text: str  # the value as the table shows it
    x: Decimal
    y: Decimal
    width: Decimal
    height: Decimal
    label_x: Decimal
    value_y: Decimal  # the value's text, just above the column


@dataclass
class ColumnChart:
    """A column per item, on a zero baseline, scaled to the largest value (or `maximum`)."""

    ident: str
    title: str
    description: str
    items: list[tuple[str, Decimal | int | None]]
    unit: str = ""
    maximum: Decimal | int | None = None
    columns: list[Column] = field(init=False)

    def __post_init__(self) -> None:
        values = [Decimal(v) for _, v in self.items if v is not None]
        top = Decimal(self.maximum) if self.maximum is not None else max(values, default=0)
        top = top if top > 0 else Decimal(1)
        slot = Decimal(WIDTH - LEFT - RIGHT) / max(len(self.items), 1)
        plot = Decimal(HEIGHT - TOP - BOTTOM)
        self.columns = []
        for index, (label, value) in enumerate(self.items):
            height = (Decimal(value) / top * plot) if value is not None else Decimal(0)
            height = max(height, Decimal(0))
            x = LEFT + slot * index + slot * GAP / 2
            self.columns.append(
                Column(
                    label=label,
                    value=value,
                    text="–" if value is None else f"{value}{self.unit}",
                    x=_round(x),
                    y=_round(TOP + plot - height),
                    width=_round(slot * (1 - GAP)),
                    height=_round(height),
                    label_x=_round(LEFT + slot * index + slot / 2),
                    value_y=_round(TOP + plot - height - 6),
                )
            )

    @property
    def width(self) -> int:
        return WIDTH

    @property
    def height(self) -> int:
        return HEIGHT

    @property
    def baseline(self) -> int:
        return HEIGHT - BOTTOM

    @property
    def label_y(self) -> int:
        return HEIGHT - BOTTOM + 18

    def svg(self) -> SafeString:
        return render_to_string("national/_chart.svg.html", {"chart": self})


def _round(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"))


# --- a line chart (issue 18: progress to a target over the months) ------------------------

# Each line is told apart by its dash and its marker as well as its colour, and named in
# the legend (WCAG 1.4.1: never colour alone).
LINE_STYLES = (
    ("#1d70b8", "", "circle"),  # blue, solid, circles
    ("#00703c", "8 4", "square"),  # green, dashed, squares
    ("#d4351c", "2 4", ""),  # red, dotted, no markers: a target
)
LEGEND = 22  # room for the legend above the plot


@dataclass(frozen=True)
class LinePoint:
    x: Decimal
    y: Decimal
    text: str

    @property
    def corner(self) -> tuple[Decimal, Decimal]:
        """The top left of a square marker on the point."""
        return self.x - 4, self.y - 4


@dataclass(frozen=True)
class Line:
    name: str
    values: list[Decimal | int | None]
    texts: list[str]
    colour: str
    dash: str
    marker: str
    segments: list[str]  # SVG polyline points, one string per unbroken run of values
    points: list[LinePoint]
    legend_x: int


@dataclass(frozen=True)
class LineChart:
    """Lines over the same labels (months), on a zero baseline, scaled to the largest
    value. A None value breaks its line (nothing submitted that month)."""

    ident: str
    title: str
    description: str
    labels: list[str]
    lines: list[Line]
    label_xs: list[Decimal]
    top: Decimal
    # The frame is a column chart's: the same size, baseline and labels under it.
    width: int = WIDTH
    height: int = HEIGHT
    baseline: int = HEIGHT - BOTTOM
    label_y: int = HEIGHT - BOTTOM + 18

    @property
    def axis_labels(self) -> list[tuple[str, Decimal]]:
        return list(zip(self.labels, self.label_xs, strict=True))

    @property
    def rows(self) -> list[tuple[str, list[str]]]:
        """The chart's figures as a table: a row per label, a cell per line."""
        return [
            (label, [line.texts[index] for line in self.lines])
            for index, label in enumerate(self.labels)
        ]

    def svg(self) -> SafeString:
        return render_to_string("national/_line_chart.svg.html", {"chart": self})


def line_chart(
    *,
    ident: str,
    title: str,
    description: str,
    labels: list[str],
    series: list[tuple[str, list[Decimal | int | None]]],
    unit: str = "",
) -> LineChart:
    """A line per (name, values) of `series`, a value per label; up to three lines (the
    third drawn dotted, for a target)."""
    values = [Decimal(v) for _, vs in series for v in vs if v is not None]
    top = max(values, default=Decimal(0))
    top = top if top > 0 else Decimal(1)
    plot_top = TOP + LEGEND
    plot = Decimal(HEIGHT - plot_top - BOTTOM)
    slot = Decimal(WIDTH - LEFT - RIGHT) / max(len(labels), 1)
    xs = [_round(LEFT + slot * index + slot / 2) for index in range(len(labels))]
    lines = []
    for number, (name, line_values) in enumerate(series):
        colour, dash, marker = LINE_STYLES[number % len(LINE_STYLES)]
        points: list[LinePoint] = []
        segments: list[str] = []
        run: list[str] = []
        for x, value in zip(xs, line_values, strict=True):
            if value is None:
                segments += [" ".join(run)] if run else []
                run = []
                continue
            y = _round(plot_top + plot - Decimal(value) / top * plot)
            points.append(LinePoint(x, y, f"{value}{unit}"))
            run.append(f"{x},{y}")
        segments += [" ".join(run)] if run else []
        lines.append(
            Line(
                name=name,
                values=list(line_values),
                texts=["–" if v is None else f"{v}{unit}" for v in line_values],
                colour=colour,
                dash=dash,
                marker=marker,
                segments=segments,
                points=points,
                legend_x=LEFT + number * (WIDTH - LEFT - RIGHT) // max(len(series), 1),
            )
        )
    return LineChart(ident, title, description, list(labels), lines, xs, top)


# --- a stacked bar (a cohort's hours, a participant's one-to-one hours) --------------------

BAR_WIDTH = 320
BAR_HEIGHT = 28
# Each kind of part's colour: done (and done another way), booked, the gap still open.
BAR_COLOURS = {"done": "#00703c", "done-other": "#85994b", "booked": "#5694ca", "gap": "#f3f2f1"}


@dataclass(frozen=True)
class BarPart:
    label: str
    value: Decimal
    x: Decimal
    width: Decimal
    colour: str


@dataclass(frozen=True)
class StackedBar:
    """Parts of a whole side by side on one bar: what is done, what is booked, the gap."""

    ident: str
    title: str
    description: str
    parts: list[BarPart]
    width: int = BAR_WIDTH
    height: int = BAR_HEIGHT

    def svg(self) -> SafeString:
        return render_to_string("includes/stacked_bar.svg.html", {"chart": self})


def stacked_bar(
    ident: str, title: str, description: str, parts: list[tuple[str, Decimal, str]]
) -> StackedBar:
    """A bar the width of the parts' total, each part (words, value, kind of `BAR_COLOURS`)
    its share; nothing below zero."""
    values = [max(Decimal(value), Decimal(0)) for _, value, _ in parts]
    total = sum(values, Decimal(0)) or Decimal(1)
    drawn, x = [], Decimal(0)
    for (label, _, kind), value in zip(parts, values, strict=True):
        width = _round(value / total * BAR_WIDTH)
        drawn.append(BarPart(label, value, x, width, BAR_COLOURS[kind]))
        x += width
    return StackedBar(ident, title, description, drawn)
