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
