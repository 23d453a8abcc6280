"""The demo's one-to-one support (O1-O5, O8): by the programme's providers and through
existing programmes, one cancelled so a participant falls short of the hours.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator

from demo.plan import COHORTS, EXISTING_SUPPORT, SHORT_OF_ONE_TO_ONE, at
from demo.records import (
    DemoYear,
    Json,
    ParticipantRecord,
    json_number,
    next_weekday,
    stream,
    wall_clock,
)


def one_to_ones(year: DemoYear) -> list[Json]:
    """O1–O5: a first one-to-one a week or so after the participant's first group
    session (O2), a second three weeks later; completed cohorts have finished theirs
    within a month of the final session (O3)."""
    rng = stream("one-to-ones")
    records: list[Json] = []
    for plan in COHORTS:
        for index, spell in enumerate(year.spells[plan.key]):
            participant = spell.participant
            if spell.left and not participant.dropped_out:
                continue  # moved: supported through the cohort they moved to
            records.extend(_support_for(year, participant, (plan.key, index), rng))
    for number, record in enumerate(records, start=1):
        record["key"] = f"o2o-{number}"
    return records


Slot = tuple[float, str | None, str]  # hours, existing programme, nature of support


def _support_for(
    year: DemoYear, participant: ParticipantRecord, twist: tuple[str, int], rng: random.Random
) -> Iterator[Json]:
    attended = year.attended.get(participant.key)
    if participant.declined or not attended:
        return
    day = attended[0] + dt.timedelta(days=rng.randint(5, 10))
    for number, (hours, existing, nature) in enumerate(_slots(participant, twist)):
        if participant.dropped_out and day >= participant.dropped_out:
            return
        starts_at = dt.datetime.combine(next_weekday(day, rng.randint(0, 4)), at(14))
        sent = starts_at - dt.timedelta(days=rng.randint(3, 6), hours=5)
        yield {
            "key": "",  # numbered by the caller
            "participant": participant.key,
            "provider": None if existing else participant.provider,
            "starts_at": wall_clock(starts_at),
            "hours": json_number(hours),
            "status": _status(
                year, starts_at, cancelled=twist in SHORT_OF_ONE_TO_ONE and number == 1
            ),
            "route": "existing" if existing else "programme",
            "existing_programme": existing,
            "nature_of_support": nature,
            "joining_instructions_sent": wall_clock(sent) if sent.date() < year.anchor else None,
        }
        day = starts_at.date() + dt.timedelta(days=rng.randint(18, 24))


def _slots(participant: ParticipantRecord, twist: tuple[str, int]) -> list[Slot]:
    """Two coaching sessions from the programme's provider; with an existing programme,
    its sessions after the first (or in its place, when there is no provider)."""
    slots: list[Slot] = []
    if participant.provider:
        slots += [(2, None, ""), (1.5, None, "")]
    if twist in EXISTING_SUPPORT:
        programme, hours, nature = EXISTING_SUPPORT[twist]
        slots = slots[:1] + [(h, programme, nature) for h in hours]
    return slots


def _status(year: DemoYear, starts_at: dt.datetime, *, cancelled: bool) -> str:
    """Scheduled from the anchor on; before it delivered, or cancelled (the twist)."""
    if starts_at.date() >= year.anchor:
        return "scheduled"
    return "cancelled" if cancelled else "delivered"
