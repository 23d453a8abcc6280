"""The one home for time: London, calendar months and the days and moments they bound.

The programme runs on the London calendar: a session is "on" a London date, the return
for a month covers London days, "by the 7th" ends at midnight in London. Everything that
turns a moment into a London date, or a month into its days and moments, reads it here.

`LONDON` is Django's own time zone (settings.TIME_ZONE), so the pages, the database's
date truncation and these helpers always agree. `Month` is a calendar month as a value:
the return's month, the months of a programme year, the month after the one a return is
for (M1).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings

LONDON = ZoneInfo(settings.TIME_ZONE)

_MONTH_TEXT = re.compile(r"([0-9]{4})-([0-9]{2})")


def local_date(moment: dt.datetime) -> dt.date:
    """The London calendar date of an aware moment."""
    return moment.astimezone(LONDON).date()


def require_aware(name: str, moment: dt.datetime | None) -> None:
    """A moment given to a service must say its time zone: ValueError naming the argument
    otherwise (None is allowed: "now")."""
    if moment is not None and (moment.tzinfo is None or moment.utcoffset() is None):
        raise ValueError(f"{name} must be an aware datetime, not {moment!r}.")


def london_midnight(day: dt.date) -> dt.datetime:
    """The first moment of a London calendar day, as an aware datetime."""
    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=LONDON)


def elapsed(start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    """Real time from start to end. Python subtracts two datetimes that share a tzinfo
    by wall clock, which is an hour out across a clock change; in UTC it is exact."""
    return end.astimezone(dt.UTC) - start.astimezone(dt.UTC)


def hours_before(moment: dt.datetime, hours: int) -> dt.datetime:
    """`hours` real hours before `moment` (wall-clock arithmetic would be wrong across
    a clock change)."""
    return moment.astimezone(dt.UTC) - dt.timedelta(hours=hours)


def days_in_month(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months later, or the month's last day (31 January
    plus one month is 28 or 29 February; 31 August plus six is 28 or 29 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, days_in_month(year, month)))


def whole_years(since: dt.date, day: dt.date) -> int:
    """Whole years from `since` to `day` (a birthday count: leap days do not shift it)."""
    return day.year - since.year - ((day.month, day.day) < (since.month, since.day))


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month, ordered in time; `str()` is "YYYY-MM"."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12 or not dt.MINYEAR <= self.year <= dt.MAXYEAR:
            raise ValueError(f"No such month: {self.year}-{self.month:02d}.")

    @classmethod
    def parse(cls, text: str) -> Month:
        """A month written YYYY-MM (2021-10); ValueError with a sentence otherwise."""
        if not isinstance(text, str) or (match := _MONTH_TEXT.fullmatch(text.strip())) is None:
            raise ValueError(f"Give the month as YYYY-MM, for example 2021-10, not {text!r}.")
        year, month = int(match[1]), int(match[2])
        if not 1 <= month <= 12:
            raise ValueError(f"Give the month as YYYY-MM, for example 2021-10, not {text!r}.")
        return cls(year, month)

    @classmethod
    def of(cls, day: dt.date) -> Month:
        """The month a date is in (give a London date: see `local_date`)."""
        if isinstance(day, dt.datetime):
            raise ValueError("Give a month as YYYY-MM or a date, not a date and time.")
        if not isinstance(day, dt.date):
            raise ValueError(f"Give a month as YYYY-MM, not {day!r}.")
        return cls(day.year, day.month)

    @classmethod
    def from_value(cls, value: str | dt.date | Month) -> Month:
        """A month given as "YYYY-MM", any date in it, or a Month."""
        if isinstance(value, Month):
            return value
        if isinstance(value, str):
            return cls.parse(value)
        return cls.of(value)

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def last_day(self) -> dt.date:
        return dt.date(self.year, self.month, days_in_month(self.year, self.month))

    @property
    def start(self) -> dt.datetime:
        """The month's first moment in London (aware)."""
        return london_midnight(self.first_day)

    @property
    def end(self) -> dt.datetime:
        """The first moment after the month in London: the month is [start, end)."""
        return self.next().start

    def next(self) -> Month:
        return Month.of(add_months(self.first_day, 1))

    def previous(self) -> Month:
        return Month.of(add_months(self.first_day, -1))

    def day(self, number: int) -> dt.date:
        """The month's day `number` (M1: the 7th of the month after)."""
        return self.first_day.replace(day=number)

    def through(self, last: Month) -> Iterator[Month]:
        """This month and each one after it up to `last`, inclusive (none if `last` is
        earlier)."""
        month = self
        while month <= last:
            yield month
            month = month.next()

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def month_start(value: str | dt.date) -> dt.date:
    """The first day of a month given as "YYYY-MM" or any date in it; ValueError otherwise."""
    return Month.from_value(value).first_day


def month_end(value: str | dt.date) -> dt.date:
    """The last day of a month given as "YYYY-MM" or any date in it."""
    return Month.from_value(value).last_day
