"""A small iCalendar (RFC 5545) writer for session invites (every session email carries an
iCalendar invite: docs/architecture.md).

A session's invite, its update and its cancellation, and a cohort's whole schedule in one
calendar: a few dozen lines written to the RFC serve better than a dependency. CRLF line
endings, TEXT escaping (RFC 5545 3.3.11), lines folded at 75 octets without splitting a
UTF-8 character (3.1), times in UTC; iTIP methods REQUEST and CANCEL (RFC 5546).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

CRLF = "\r\n"
LINE_OCTETS = 75
PRODID = "-//Peer Networks//Joining instructions//EN"
REQUEST, CANCEL = "REQUEST", "CANCEL"
PUBLISH = "PUBLISH"  # a calendar to subscribe to, not an invitation (sessions/feeds.py)


@dataclass(frozen=True)
class Person:
    name: str
    email: str


@dataclass(frozen=True)
class Event:
    uid: str
    start: dt.datetime
    end: dt.datetime
    stamp: dt.datetime
    summary: str
    organizer: Person
    attendees: list[Person] = field(default_factory=list)
    location: str = ""
    description: str = ""
    url: str = ""
    sequence: int = 0  # raised each time the event changes (RFC 5545 3.8.7.4)
    cancelled: bool = False


def utc(moment: dt.datetime) -> str:
    """A DATE-TIME in UTC form, e.g. 20211101T093000Z; naive datetimes are refused."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("iCalendar times must be aware datetimes.")
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def escape_text(value: str) -> str:
    """TEXT value escaping: backslash first, then ; and , and newlines as \\n."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")


def _param(value: str) -> str:
    """A parameter value (e.g. CN): quoted, since names hold commas and colons; a double
    quote cannot appear inside one at all."""
    return '"' + value.replace('"', "'").replace("\r", " ").replace("\n", " ") + '"'


def fold(line: str) -> str:
    """Fold a content line so no physical line exceeds 75 octets (excluding CRLF); each
    continuation starts with one space. Never splits a multi-octet UTF-8 character."""
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    limit = LINE_OCTETS
    for char in line:
        octets = len(char.encode("utf-8"))
        if size + octets > limit:
            pieces.append("".join(current))
            current, size = [" "], 1
            limit = LINE_OCTETS
        current.append(char)
        size += octets
    pieces.append("".join(current))
    return CRLF.join(pieces)


def _person(name: str, person: Person, extra: str = "") -> str:
    return f"{name};CN={_param(person.name)}{extra}:mailto:{person.email}"


def _vevent(event: Event) -> list[str]:
    lines = [
        "BEGIN:VEVENT",
        f"UID:{event.uid}",
        f"DTSTAMP:{utc(event.stamp)}",
        f"DTSTART:{utc(event.start)}",
        f"DTEND:{utc(event.end)}",
        f"SUMMARY:{escape_text(event.summary)}",
    ]
    if event.location:
        lines.append(f"LOCATION:{escape_text(event.location)}")
    if event.description:
        lines.append(f"DESCRIPTION:{escape_text(event.description)}")
    if event.url:
        lines.append(f"URL:{event.url}")
    lines.append(_person("ORGANIZER", event.organizer))
    lines.extend(
        _person("ATTENDEE", a, ";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=FALSE")
        for a in event.attendees
    )
    status = "CANCELLED" if event.cancelled else "CONFIRMED"
    lines += [f"SEQUENCE:{event.sequence}", f"STATUS:{status}", "END:VEVENT"]
    return lines


def calendar(*events: Event, method: str = REQUEST) -> str:
    """The whole VCALENDAR, CRLF-terminated lines, ready to attach: one VEVENT per event
    (the whole schedule is one calendar). METHOD:REQUEST sends or updates an event in the
    attendee's calendar; METHOD:CANCEL, with the event's UID and a higher SEQUENCE,
    removes it (RFC 5546 3.2.2, 3.2.5); METHOD:PUBLISH is a feed to subscribe to (3.2.1)."""
    if method not in (REQUEST, CANCEL, PUBLISH):
        raise ValueError(f"Unknown iTIP method {method!r}.")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        f"METHOD:{method}",
    ]
    for event in events:
        lines += _vevent(event)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + CRLF for line in lines)
