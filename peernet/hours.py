"""Hours, exact on every database (hours are Decimal, never float: docs/architecture.md).

Hours are stored to the hundredth (`DecimalField(decimal_places=2)`). PostgreSQL sums
them exactly; SQLite, the embedded default, sums them as binary floating point, so a
participant's one-to-ones of 1.2 + 1.4 + 0.9 hours total 3.4999999999999996 and miss the
3.5-hour minimum (O1), and a cohort's 2.1 + 2.9 + 3.2 + 3.2 + 3.2 + 3.4 hours miss 18
(K2). Every total of hours computed in SQL therefore goes through `hours_total` (or
`running_hours_total`), which rounds it to the hundredth the column holds before
anything compares it: exact on PostgreSQL, and on SQLite the nearest double to the exact
sum, which compares equal to the threshold written the same way. In Python, `sum_hours`
adds Decimals, exactly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, Q, Sum, Value, Window
from django.db.models.functions import Coalesce, Round

ZERO = Decimal("0")
HOURS = DecimalField(max_digits=9, decimal_places=2)


def sum_hours(items: Iterable[Any]) -> Decimal:
    """The hours of `items` (sessions, one-to-ones, attendance) added exactly."""
    return sum((item.hours for item in items), ZERO)


def ends_at(starts_at: dt.datetime, hours: Decimal) -> dt.datetime:
    """When a session of `hours` starting at `starts_at` ends (real time: a clock change
    in between does not stretch it)."""
    return starts_at + dt.timedelta(minutes=int(hours * 60))


def hours_total(field: str = "hours", *, filter: Q | None = None, zero: bool = True) -> Any:
    """SQL: the total of `field` over the rows (meeting `filter`), exact to the hundredth;
    0 when there are none (or NULL, with `zero=False`)."""
    total = Round(Sum(field, filter=filter), 2, output_field=HOURS)
    return Coalesce(total, Value(ZERO), output_field=HOURS) if zero else total


def running_hours_total(**window: Any) -> Any:
    """SQL: a running total of `hours` over a window (`partition_by`, `order_by`), exact
    to the hundredth."""
    return Round(Window(Sum("hours"), **window), 2, output_field=HOURS)


def hours_exact(expression: Any) -> Any:
    """SQL: arithmetic on hours (a difference of totals, say), rounded to the hundredth."""
    return Round(expression, 2, output_field=HOURS)
