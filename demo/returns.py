"""The demo's monthly returns: every hub's return for each month that ended before the
demo's "today", submitted as the hubs would have submitted them, so the national pages
and their charts show the year so far.

Each month's drafts are compiled on the 1st of the month after, as the monthly task
compiles them (`reporting.returns.compile_drafts`), and each hub's administrator submits
(`reporting.returns.submit_return`) a few days later: most on time, a few after the 7th
(late) and one never (the year's missing return). A return whose submission day has not
come by the anchor is left as it would stand: due. Through the services, so every figure
is the one the records give; a second run changes nothing (a submitted return is left
alone).
"""

from __future__ import annotations

import datetime as dt

from demo.plan import HUBS, STAFF
from demo.records import stream
from peernet.calendar import LONDON, Month
from peernet.models import Hub, Programme, User
from reporting.returns import compile_drafts, return_draft_create, submit_return

# (hub, month of the programme counted from 0): submitted after the due date...
LATE = {("lancs", 2), ("bc", 4), ("gbs", 5), ("gm", 0)}
# ...and never: the year's one missing return.
MISSING = {("bc", 1)}
COMPILED_AT = dt.time(1, 0)  # the monthly task: the 1st at 01:00
NARRATIVES = (
    "Recruitment steady through the month; two cohorts met as planned and one-to-ones "
    "were booked for everyone who started.",
    "A quieter month: a session moved for the bank holiday, and follow-ups for two "
    "absences are in hand.",
    "Good month for referrals from the local chamber; the next cohort is nearly full.",
    "Facilitators report strong engagement; one participant dropped out after a change "
    "in their business.",
    "Marketing through the councils brought a wave of registrations; eligibility checks "
    "are keeping pace.",
)


def submit_demo_returns(anchor: dt.date) -> int:
    """Submit the demo's returns for the months ended before `anchor` (as it stood at noon
    that day), returning how many were submitted now (0 on a second run)."""
    now = dt.datetime.combine(anchor, dt.time(12), tzinfo=LONDON)
    programme = Programme.current()
    hubs = {hub.key: hub for hub in Hub.objects.filter(key__in=[h.key for h in HUBS])}
    admins = {
        staff.hub: User.objects.get(key=staff.key)
        for staff in STAFF
        if staff.role == "hub_admin" and staff.hub in hubs
    }
    submitted = 0
    for index, month in enumerate(programme.months()):
        after = month.next().first_day
        compiled = dt.datetime.combine(after, COMPILED_AT, tzinfo=LONDON)
        if compiled > now:
            break
        compile_drafts([hub.pk for hub in hubs.values()], month.first_day, now=compiled)
        for number, (key, hub) in enumerate(sorted(hubs.items())):
            moment = _submitted_at(month, key, index, number)
            if moment is None or moment > now:
                continue
            monthly_return = return_draft_create(hub=hub, month=month.first_day)
            if monthly_return.versions.exists():
                continue
            narrative = stream("return", key, index).choice(NARRATIVES)
            submit_return(monthly_return, admins[key], narrative, now=moment)
            submitted += 1
    return submitted


def _submitted_at(month: Month, hub: str, index: int, number: int) -> dt.datetime | None:
    """When the hub submits the month's return: on the 3rd to the 6th of the month after
    (on time), on the 10th (late), or never (missing)."""
    if (hub, index) in MISSING:
        return None
    day = 10 if (hub, index) in LATE else 3 + number % 4
    return dt.datetime.combine(month.next().day(day), dt.time(10, 30), tzinfo=LONDON)
