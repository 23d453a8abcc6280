"""The demo's quality records: observations (Q1-Q4) and complaints and feedback (Q5)."""

from __future__ import annotations

import datetime as dt

from demo.content import OBSERVATION_FEEDBACK
from demo.plan import at
from demo.records import DemoYear, Json, wall_clock


def observations(year: DemoYear) -> list[Json]:
    """Q1–Q4: observations with a week's notice and the privacy statement shared with
    the joining instructions; one recording still to delete, one to come."""
    observations = []
    for session_key, observer, recorded, deleted in (
        ("gm-1-s4", "gm-admin", True, True),
        ("lancs-1-s4", "lancs-admin", True, False),
        ("gbs-1-s2", "coordinator", False, False),
    ):
        session = year.session(session_key)
        observations.append(
            {
                "session": session_key,
                "observer": observer,
                "notice_given": wall_clock(session.starts_at - dt.timedelta(days=7, hours=1)),
                "privacy_statement_shared": wall_clock(
                    session.starts_at - dt.timedelta(days=2, hours=2)
                ),
                "completed": session.day.isoformat(),
                "feedback": OBSERVATION_FEEDBACK,
                "recording_deleted": (
                    wall_clock(session.starts_at + dt.timedelta(days=6, hours=4))
                    if recorded and deleted
                    else None
                ),
            }
        )
    upcoming = next(s for s in year.sessions["gm-2"] if s.status == "scheduled")
    observations.append(
        {
            "session": upcoming.key,
            "observer": "gm-admin",
            "notice_given": wall_clock(
                dt.datetime.combine(year.anchor - dt.timedelta(days=1), at(9))
            ),
            "privacy_statement_shared": None,
            "completed": None,
            "feedback": "",
            "recording_deleted": None,
        }
    )
    return observations


def complaints(year: DemoYear) -> list[Json]:
    """Q5: complaints and feedback with the action taken; the latest still open."""
    gm_venue = year.delivered("gm-1")[2].day + dt.timedelta(days=1)
    lancs_provider = year.delivered("lancs-1")[4].day + dt.timedelta(days=3)
    gbs_feedback = year.anchor - dt.timedelta(days=6)
    return [
        {
            "key": "complaint-1",
            "hub": "gm",
            "received": gm_venue.isoformat(),
            "summary": (
                "A participant was unhappy that the venue for session 3 changed at two "
                "days' notice, and that there was nowhere to park."
            ),
            "action_taken": (
                "Apologised; the venue is fixed for the remaining sessions and parking "
                "is booked with the joining instructions."
            ),
            "resolved": (gm_venue + dt.timedelta(days=5)).isoformat(),
        },
        {
            "key": "complaint-2",
            "hub": "lancs",
            "received": lancs_provider.isoformat(),
            "summary": (
                "A participant said a one-to-one coach offered paid consultancy at the "
                "end of a session (O7)."
            ),
            "action_taken": (
                "Raised with Red Rose Growth Partners; the coach renewed their "
                "conflict-of-interest declaration and the participant was offered "
                "another coach."
            ),
            "resolved": (lancs_provider + dt.timedelta(days=9)).isoformat(),
        },
        {
            "key": "complaint-3",
            "hub": "gbs",
            "received": gbs_feedback.isoformat(),
            "summary": (
                "Feedback from two members of Birmingham and Solihull 1: a 9:30 start "
                "clashes with the school run; could sessions start at 10:00?"
            ),
            "action_taken": "",
            "resolved": None,
        },
    ]
