"""The hand-written iCalendar writer (sessions/ics.py), against RFC 5545's rules."""

from __future__ import annotations

import datetime as dt

import pytest

from sessions import ics
from tests.factories import local


def _event(**overrides: object) -> ics.Event:
    values: dict[str, object] = {
        "uid": "abc-def@peernet",
        "start": local("2021-11-01T09:30"),
        "end": local("2021-11-01T12:30"),
        "stamp": local("2021-10-30T09:30"),  # BST: 08:30 UTC
        "summary": "Peer Networks: GM 3",
        "organizer": ics.Person("Greater Manchester Growth Hub", "hub@example.org"),
        "attendees": [ics.Person("Alex Smith", "alex@example.org")],
        "location": "https://meet.example.org/gm3",
        "description": "Line one\nLine two",
    }
    values.update(overrides)
    return ics.Event(**values)  # type: ignore[arg-type]


def _unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


def test_calendar_has_one_event_with_crlf_lines_and_utc_times() -> None:
    text = ics.calendar(_event())

    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "")  # no bare LF anywhere
    lines = _unfold(text)[:-1]
    assert lines[:6] == [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Peer Networks//Joining instructions//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:REQUEST",
        "BEGIN:VEVENT",
    ]
    assert lines[-2:] == ["END:VEVENT", "END:VCALENDAR"]
    assert "UID:abc-def@peernet" in lines
    # 1 November 2021 is after the clock change: GMT, so 09:30 local is 09:30 UTC...
    assert "DTSTART:20211101T093000Z" in lines
    assert "DTEND:20211101T123000Z" in lines
    # ...and 30 October is still BST: 09:30 local is 08:30 UTC.
    assert "DTSTAMP:20211030T083000Z" in lines
    assert "SUMMARY:Peer Networks: GM 3" in lines
    assert "LOCATION:https://meet.example.org/gm3" in lines
    assert "DESCRIPTION:Line one\\nLine two" in lines
    assert 'ORGANIZER;CN="Greater Manchester Growth Hub":mailto:hub@example.org' in lines
    assert (
        'ATTENDEE;CN="Alex Smith";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=FALSE'
        ":mailto:alex@example.org"
    ) in lines


def test_text_escaping() -> None:
    assert ics.escape_text("a,b;c\\d\ne\r\nf") == "a\\,b\\;c\\\\d\\ne\\nf"
    text = ics.calendar(_event(summary="Hub; cohort, one\\two"))
    assert "SUMMARY:Hub\\; cohort\\, one\\\\two" in _unfold(text)


def test_parameter_values_are_quoted_without_inner_quotes() -> None:
    organizer = ics.Person('Smith, "Alex": facilitator', "a@example.org")
    text = ics.calendar(_event(organizer=organizer))
    assert "ORGANIZER;CN=\"Smith, 'Alex': facilitator\":mailto:a@example.org" in _unfold(text)


def test_long_lines_fold_at_75_octets() -> None:
    description = "word " * 60
    text = ics.calendar(_event(description=description))

    physical = text.split("\r\n")
    assert all(len(line.encode("utf-8")) <= 75 for line in physical)
    folded = [line for line in physical if line.startswith(" ")]
    assert len(folded) >= 3
    assert len(physical[physical.index(next(p for p in physical if p.startswith("DESCR")))]) == 75
    assert f"DESCRIPTION:{description}" in _unfold(text)


def test_folding_never_splits_a_multibyte_character() -> None:
    line = "SUMMARY:" + "é" * 100  # two octets each
    folded = ics.fold(line)
    for physical in folded.split("\r\n"):
        assert len(physical.encode("utf-8")) <= 75
        physical.encode("utf-8").decode("utf-8")  # each piece is valid UTF-8 on its own
    assert folded.replace("\r\n ", "") == line


def test_a_short_line_is_not_folded() -> None:
    assert ics.fold("UID:x") == "UID:x"
    exactly = "X" * 75
    assert ics.fold(exactly) == exactly
    assert ics.fold(exactly + "Y") == exactly + "\r\n Y"


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        ics.utc(dt.datetime(2021, 11, 1, 9, 30))  # noqa: DTZ001 (the point of the test)
