"""Values between the document and the database: dates, local date-times, hours and money.

The document writes date-times as Europe/London wall-clock times unless they carry an
offset; the database holds aware UTC (docs/architecture.md). Hours and money are `Decimal`
in the database and plain JSON numbers in the document (docs/architecture.md).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from peernet.calendar import LONDON

# Hours and money are stored with two decimal places.
DECIMAL_PLACES = 2


def parse_date(text: str) -> dt.date:
    """A calendar date; `ValueError` with a sentence when there is no such day."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f'"{text}" is not a date in the calendar') from None


def parse_datetime(text: str) -> dt.datetime:
    """An aware UTC date-time from a local Europe/London time or one with an offset."""
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f'"{text}" is not a date and time in the calendar') from None
    if value.tzinfo is not None:
        return value.astimezone(dt.UTC)
    aware = value.replace(tzinfo=LONDON)
    # An hour skipped when the clocks go forward has no UTC instant: refuse it rather
    # than guess, so that an export never writes a different time back.
    if aware.astimezone(dt.UTC).astimezone(LONDON).replace(tzinfo=None) != value:
        raise ValueError(
            f'"{text}" does not exist in Europe/London (the clocks went forward); '
            "give the time with its offset"
        )
    return aware.astimezone(dt.UTC)


def parse_date_or_datetime(text: str) -> dt.datetime:
    """A date means the start of that day in Europe/London."""
    if "T" in text:
        return parse_datetime(text)
    return parse_datetime(f"{parse_date(text).isoformat()}T00:00")


def parse_decimal(value: int | float | Decimal) -> Decimal:
    """A JSON number as a Decimal, through its shortest text form so 1.1 stays 1.1."""
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"{value} is not a number") from None
    if not number.is_finite():
        raise ValueError(f"{value} is not a number")
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -DECIMAL_PLACES:
        raise ValueError(f"{value} has more than {DECIMAL_PLACES} decimal places")
    return number


def format_date(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def local_time(value: dt.datetime) -> dt.datetime:
    return value.astimezone(LONDON)


def format_datetime(value: dt.datetime | None) -> str | None:
    """Local Europe/London `YYYY-MM-DDTHH:MM`, with `:SS` only when the seconds are not 0."""
    if value is None:
        return None
    local = local_time(value)
    return local.strftime("%Y-%m-%dT%H:%M:%S" if local.second else "%Y-%m-%dT%H:%M")


def format_date_or_datetime(value: dt.datetime | None) -> str | None:
    """A signature at local midnight was given as a date, so write it back as one."""
    if value is None:
        return None
    local = local_time(value)
    if local.time() == dt.time(0, 0):
        return local.date().isoformat()
    return format_datetime(value)


def format_number(value: Decimal | int | None) -> int | float | None:
    """An int when integral (`3`, `1850000`), else a float (`1.5`)."""
    if value is None or isinstance(value, int):
        return value
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def blank_to_none(value: str) -> str | None:
    """The model's empty string is the document's null."""
    return value or None
