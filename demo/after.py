"""The demo's life after the programme: Greater Manchester 1, completed, carries on as a
continuing group; the hub offers the national schemes and one of its own, two members
asked for an introduction, and an alumni event is coming up; the North West's
facilitators meet in an action learning set.

Everything is placed relative to the cohort's last session and the anchor: what has
happened is answered, what is to come is not.
"""

from __future__ import annotations

import datetime as dt

from alumni.schemes import NATIONAL_SCHEMES
from demo.plan import at
from demo.records import DemoYear, Json, ParticipantRecord, wall_clock

COHORT = "gm-1"
LOCAL_SCHEME = {
    "hub": "gm",
    "key": "gm-export-support",
    "title": "Greater Manchester export support",
    "blurb": "One-to-one help from the Growth Hub's international trade advisers to reach "
    "a first overseas customer.",
    "url": "https://www.example.org/gm/export-support",
    "national": False,
    "offered": True,
}


def after_the_programme(year: DemoYear) -> Json:
    """The after-the-programme sections of the demo document."""
    members = [
        spell.participant
        for spell in year.spells[COHORT]
        if spell.left is None and spell.participant.dropped_out is None
    ]
    ended = year.delivered(COHORT)[-1].day
    return {
        "support_schemes": [
            {"hub": "gm", **scheme, "national": True, "offered": True}
            for scheme in NATIONAL_SCHEMES
        ]
        + [LOCAL_SCHEME],
        "referrals": [
            _referral(members[0], "help-to-grow-management", "referred", ended, year.anchor),
            _referral(members[1], "gm-export-support", "new", ended, None),
        ],
        "continuing_groups": [_group(year, members, ended)],
        "alumni_events": [_event(year, members)],
        "learning_sets": [_learning_set(year)],
    }


def _moment(day: dt.date, hour: int, minute: int = 0) -> str:
    return wall_clock(dt.datetime.combine(day, at(hour, minute)))


def _referral(
    person: ParticipantRecord, scheme: str, status: str, ended: dt.date, seen: dt.date | None
) -> Json:
    made = _moment(ended + dt.timedelta(days=1), 19, 30)  # answering the exit survey
    return {
        "participant": person.key,
        "scheme": scheme,
        "status": status,
        "created_at": made,
        "updated_at": made if seen is None else _moment(seen - dt.timedelta(days=3), 11),
    }


def _group(year: DemoYear, members: list[ParticipantRecord], ended: dt.date) -> Json:
    """Four members opted in (the first hosts), one is still only invited, and one left;
    a meeting has happened and the next is booked."""
    started = ended + dt.timedelta(days=2)
    places = []
    for n, person in enumerate(members):
        joined = _moment(started + dt.timedelta(days=1), 8 + n % 10)
        opted_in = n < 5
        places.append(
            {
                "participant": person.key,
                "opted_in_at": joined if opted_in else None,
                "consent_at": joined if opted_in else None,
                "withdrawn_at": _moment(started + dt.timedelta(days=9), 12) if n == 4 else None,
                "share_email": opted_in and n % 2 == 0,
                "share_phone": opted_in and n != 2,
                "share_business": opted_in,
                "host": n == 0,
            }
        )
    host, coming = members[0].key, [person.key for person in members[:4]]
    met = year.anchor - dt.timedelta(days=7)  # the cohort completed weeks before
    assert started < met, "the demo's completed cohort ends too late for its group"
    booked = year.anchor + dt.timedelta(days=21)
    meetings = [
        {
            "starts_at": _moment(met, 8),
            "place": "The Landing, MediaCityUK, Salford M50 2ST",
            "topic": "Pricing after the programme",
            "scheduled_by": host,
            "scheduled_at": _moment(started + dt.timedelta(days=3), 18),
            "replies": {
                key: {"coming": True, "attended": key != coming[3], "answered_at": _moment(met, 11)}
                for key in coming
            },
            "action_cards": {
                host: {
                    "actions": "Raise the day rate for new clients by 8% from next month.",
                    "report_back": None,
                }
            },
        },
        {
            "starts_at": _moment(booked, 8),
            "place": "Online (the group's Teams link)",
            "topic": "Hiring a first manager",
            "scheduled_by": host,
            "scheduled_at": _moment(met, 12),
            "replies": {
                key: {"coming": key != coming[2], "attended": None, "answered_at": _moment(met, 13)}
                for key in coming[:3]
            },
            "action_cards": {},
        },
    ]
    return {
        "cohort": COHORT,
        "started_at": _moment(started, 10),
        "members": places,
        "meetings": meetings,
    }


def _event(year: DemoYear, members: list[ParticipantRecord]) -> Json:
    published = year.anchor - dt.timedelta(days=10)
    answered = published + dt.timedelta(days=1)
    invitations = [
        {
            "participant": person.key,
            "cohort": COHORT,
            "invited_at": _moment(published, 9, 5),
            "answer": ("accepted" if n % 3 else "declined") if n < 4 else None,
            "answered_at": _moment(answered, 8 + n) if n < 4 else None,
            "attended": None,
        }
        for n, person in enumerate(members)
    ]
    return {
        "hub": "gm",
        "topic": "Selling overseas: a first export market",
        "speaker": "Priya Desai, Department for International Trade",
        "starts_at": _moment(year.anchor + dt.timedelta(days=18), 17, 30),
        "place": "Manchester Central Library, St Peter's Square, Manchester M2 5PD",
        "published_at": _moment(published, 9),
        "invitations": invitations,
    }


def _learning_set(year: DemoYear) -> Json:
    met = year.anchor - dt.timedelta(days=20)
    return {
        "cluster": "north-west",
        "name": "North West facilitators",
        "formed_at": _moment(year.start + dt.timedelta(days=30), 10),
        "members": ["gm-fac-1", "gm-fac-2", "lancs-fac-1"],
        "sessions": [
            {
                "starts_at": _moment(met, 14),
                "joining_instructions": "Online, on the cluster's Teams link; 90 minutes.",
                "learning_points": "Holding a silence after a question gives a quieter member "
                "room to answer. Agree at the start who keeps time.",
                "present": ["gm-fac-1", "lancs-fac-1"],
                "recorded_at": _moment(met, 16),
            },
            {
                "starts_at": _moment(year.anchor + dt.timedelta(days=25), 14),
                "joining_instructions": "In person at the Media Factory, Preston PR1 2HE; "
                "lunch from 13:30.",
                "learning_points": None,
                "present": [],
                "recorded_at": None,
            },
        ],
    }
