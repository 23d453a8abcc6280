"""The one home for time (peernet/calendar.py): London, calendar months and the programme
year a month belongs to, with hand-worked cases; and a scan that keeps it the only home."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings

from peernet.calendar import LONDON, Month, add_months, local_date, month_end, month_start
from peernet.models import Programme
from tests.factories import make_programme

ROOT = Path(settings.BASE_DIR)
UTC = dt.UTC


def test_london_is_djangos_time_zone():
    assert str(LONDON) == settings.TIME_ZONE == "Europe/London"


def test_a_month_parses_from_text_and_from_a_date():
    assert Month.parse("2026-11") == Month(2026, 11)
    assert Month.parse(" 2026-01 ") == Month(2026, 1)
    assert Month.of(dt.date(2026, 11, 30)) == Month(2026, 11)
    assert str(Month(2026, 1)) == "2026-01"
    assert str(Month.parse("0999-12")) == "0999-12"


@pytest.mark.parametrize(
    "bad", ["2026-13", "2026-00", "2026-1", "26-11", "November", "2026-11-01", "", "２０２６-11"]
)
def test_a_month_in_the_wrong_form_says_how_to_write_it(bad):
    with pytest.raises(ValueError, match=r"Give the month as YYYY-MM, for example 2021-10"):
        Month.parse(bad)


def test_a_date_and_time_is_not_a_month():
    with pytest.raises(ValueError, match="not a date and time"):
        Month.of(dt.datetime(2026, 11, 1, tzinfo=UTC))
    with pytest.raises(ValueError, match="No such month"):
        Month(2026, 13)


def test_first_and_last_days():
    assert Month(2026, 2).first_day == dt.date(2026, 2, 1)
    assert Month(2026, 2).last_day == dt.date(2026, 2, 28)
    assert Month(2028, 2).last_day == dt.date(2028, 2, 29)  # a leap year
    assert Month(2026, 12).last_day == dt.date(2026, 12, 31)
    assert month_start("2026-11") == dt.date(2026, 11, 1)
    assert month_start(dt.date(2026, 11, 17)) == dt.date(2026, 11, 1)
    assert month_end(dt.date(2026, 4, 5)) == dt.date(2026, 4, 30)


def test_december_is_followed_by_january_of_the_next_year():
    assert Month(2026, 12).next() == Month(2027, 1)
    assert Month(2027, 1).previous() == Month(2026, 12)
    assert Month(2026, 6).next().previous() == Month(2026, 6)
    assert Month(2026, 12).end == Month(2027, 1).start


def _real(moment: dt.datetime) -> dt.datetime:
    """In UTC: Python subtracts two London datetimes by wall clock."""
    return moment.astimezone(UTC)


def test_start_and_end_are_london_midnights_across_a_clock_change():
    # Summer time began on 29 March 2026: April starts at midnight BST, 23:00 UTC the day
    # before, and March is an hour short of 31 days.
    april = Month(2026, 4)
    assert april.start == dt.datetime(2026, 3, 31, 23, 0, tzinfo=UTC)
    assert april.start.tzinfo is LONDON
    march = Month(2026, 3)
    assert _real(march.end) - _real(march.start) == dt.timedelta(days=31, hours=-1)
    # It ended on 25 October 2026: November starts at midnight GMT, which is UTC, and
    # October is an hour longer than 31 days.
    assert Month(2026, 11).start == dt.datetime(2026, 11, 1, 0, 0, tzinfo=UTC)
    october = Month(2026, 10)
    assert _real(october.end) - _real(october.start) == dt.timedelta(days=31, hours=1)
    # A moment just before April starts (in UTC, still 31 March) is March's in London;
    # one at 23:30 UTC on 31 March is already April's.
    assert Month.of(local_date(dt.datetime(2026, 3, 31, 22, 59, tzinfo=UTC))) == Month(2026, 3)
    assert Month.of(local_date(dt.datetime(2026, 3, 31, 23, 30, tzinfo=UTC))) == Month(2026, 4)


def test_months_are_ordered_and_run_through():
    assert Month(2025, 12) < Month(2026, 1) < Month(2026, 2)
    assert sorted([Month(2026, 3), Month(2025, 11)]) == [Month(2025, 11), Month(2026, 3)]
    assert list(Month(2025, 11).through(Month(2026, 2))) == [
        Month(2025, 11),
        Month(2025, 12),
        Month(2026, 1),
        Month(2026, 2),
    ]
    assert list(Month(2026, 2).through(Month(2026, 1))) == []
    assert Month(2026, 11).next().day(7) == dt.date(2026, 12, 7)  # M1's due day


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2021, 1, 31), 1, dt.date(2021, 2, 28)),
        (dt.date(2020, 1, 31), 1, dt.date(2020, 2, 29)),
        (dt.date(2021, 8, 31), 6, dt.date(2022, 2, 28)),
        (dt.date(2021, 12, 15), 1, dt.date(2022, 1, 15)),
        (dt.date(2022, 1, 15), -1, dt.date(2021, 12, 15)),
    ],
)
def test_add_months_keeps_the_day_or_takes_the_months_last(day, months, expected):
    assert add_months(day, months) == expected


def test_a_programme_lists_the_months_of_its_delivery_window():
    programme = Programme(delivery_start=dt.date(2021, 4, 12), delivery_end=dt.date(2022, 3, 31))
    months = programme.months()
    assert months[0] == Month(2021, 4)
    assert months[-1] == Month(2022, 3)
    assert len(months) == 12


def test_the_programme_for_a_month_is_the_one_whose_window_holds_it(db):
    older = make_programme(name="2021/22")
    newer = make_programme(
        name="2022/23", delivery_start=dt.date(2022, 4, 1), delivery_end=dt.date(2023, 3, 31)
    )
    assert Programme.for_month(Month(2022, 3)) == older
    assert Programme.for_month(dt.date(2022, 4, 1)) == newer
    assert Programme.for_month(Month(2030, 1)) == newer  # none holds it: the current one
    read = [newer, older]  # newest first, as already read
    assert Programme.for_month(Month(2022, 3), read) == older
    assert Programme.for_month(Month(2030, 1), read) == newer
    with pytest.raises(Programme.DoesNotExist):
        Programme.for_month(Month(2022, 3), [])


# --- one home -----------------------------------------------------------------------------

CALENDAR = "peernet/calendar.py"
# A second definition of London or of month arithmetic, anywhere but the calendar.
SECOND_HOME = re.compile(r"""ZoneInfo\(\s*["']Europe/London["']\s*\)|^\s*def add_months\b""")
NOT_RUNTIME = {"tests", "migrations", "node_modules", "static", "assets", "docs", "templates"}


def _runtime_sources() -> list[Path]:
    """Every Python file of the running product: not tests, not migrations."""
    return sorted(
        path
        for top in ROOT.iterdir()
        if top.is_dir() and not top.name.startswith(".") and top.name not in NOT_RUNTIME
        for path in top.rglob("*.py")
        if NOT_RUNTIME.isdisjoint(path.relative_to(ROOT).parts)
    )


def _second_homes(sources: dict[str, str]) -> list[str]:
    """`path:line: text` for each definition outside the calendar, from {path: source}."""
    return [
        f"{name}:{number}: {line.strip()}"
        for name, text in sources.items()
        if name != CALENDAR
        for number, line in enumerate(text.splitlines(), start=1)
        if SECOND_HOME.search(line)
    ]


def test_london_and_add_months_are_defined_only_in_the_calendar():
    sources = {str(path.relative_to(ROOT)): path.read_text() for path in _runtime_sources()}
    assert CALENDAR in sources
    assert "peernet/models.py" in sources
    assert not any(name.startswith("tests/") or "/migrations/" in name for name in sources)
    assert _second_homes(sources) == []


def test_the_scan_finds_a_second_definition():
    source = 'LONDON = ZoneInfo("Europe/London")\n\n\ndef add_months(day, months):\n    pass\n'
    assert _second_homes({"elsewhere.py": source}) == [
        'elsewhere.py:1: LONDON = ZoneInfo("Europe/London")',
        "elsewhere.py:4: def add_months(day, months):",
    ]
    assert _second_homes({CALENDAR: source}) == []
