"""Reads about participants: the one-to-one support forecast (O1, O3, O4).

Related rows are read through `.all()`, so a caller forecasting many participants can
prefetch them once: `attendance__session`, `one_to_ones`, `memberships__cohort__sessions`
(with `programme`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from peernet.rules import (
    add_months,
    current_membership,
    date_words,
    has_dropped_out,
    hours_words,
    latest_membership,
    local_date,
    number_words,
    plural_words,
    sessions_not_cancelled,
    sum_hours,
)
from sessions.models import SessionStatus

if TYPE_CHECKING:
    from participants.models import Participant


@dataclass(frozen=True)
class ParticipantForecast:
    """A participant's group hours, and one-to-one hours against the programme minimum."""

    attended: Decimal  # group hours attended at delivered sessions
    needed: Decimal  # the programme's one_to_one_hours (O1)
    delivered: Decimal  # one-to-one hours delivered
    scheduled: Decimal  # one-to-one hours scheduled on or before the deadline
    scheduled_late: Decimal  # one-to-one hours scheduled after the deadline
    final_session_on: dt.date | None  # the cohort's final non-cancelled group session
    o3_deadline: dt.date | None  # O3: months after the final session, capped at the window
    o4_deadline: dt.date  # O4: the end of the delivery window
    at_risk: bool
    reason: str

    @property
    def deadline(self) -> dt.date:
        """The date the support depends on: O3's when the cohort has sessions, else O4's."""
        return self.o3_deadline or self.o4_deadline

    @property
    def projected(self) -> Decimal:
        return self.delivered + self.scheduled


def participant_forecast(participant: Participant, *, as_of: dt.datetime) -> ParticipantForecast:
    """One-to-one hours delivered plus scheduled in time, against the O1 minimum.

    At risk when the participant is allocated to a cohort, has not dropped out nor
    declined support (O8), and delivered plus scheduled hours by the deadline fall short
    of the minimum: reaching it then depends on sessions not yet scheduled, or on
    sessions scheduled after the deadline (O3, O4).
    """
    programme = participant.programme
    today = local_date(as_of)
    name, needed = participant.full_name, programme.one_to_one_hours

    attended = sum(
        (
            row.hours
            for row in participant.attendance.all()
            if row.present and row.session.status == SessionStatus.DELIVERED
        ),
        Decimal(0),
    )

    membership = latest_membership(participant)
    final = None
    if membership is not None:
        sessions = sessions_not_cancelled(membership.cohort.sessions.all())
        final = local_date(sessions[-1].starts_at) if sessions else None
    o4 = programme.delivery_end
    o3 = min(add_months(final, programme.one_to_one_months_after_final), o4) if final else None
    deadline = o3 or o4

    one_to_ones = participant.one_to_ones.all()
    delivered = sum_hours(o for o in one_to_ones if o.status == SessionStatus.DELIVERED)
    pending = [o for o in one_to_ones if o.status == SessionStatus.SCHEDULED]
    scheduled = sum_hours(o for o in pending if local_date(o.starts_at) <= deadline)
    late = sum_hours(o for o in pending if local_date(o.starts_at) > deadline)

    of = f"{number_words(needed)} hours"
    at_risk = False
    if participant.one_to_one_declined:
        reason = f"{name} declined one-to-one support (O8)."
    elif has_dropped_out(participant, today):
        reason = f"{name} dropped out on {date_words(participant.dropped_out_on)}."
    elif current_membership(participant, today) is None:
        reason = f"{name} is not in a cohort."
    elif delivered >= needed:
        reason = f"{name} has {hours_words(delivered)} of {of} of one-to-one support delivered."
    elif delivered + scheduled >= needed:
        reason = (
            f"{name} has {hours_words(delivered)} hours of one-to-one support delivered and "
            f"{hours_words(scheduled)} scheduled by {date_words(deadline)}, reaching {of}."
        )
    else:
        at_risk = True
        short = needed - delivered - scheduled
        reason = (
            f"{name} has {hours_words(delivered + scheduled)} of {of} of one-to-one support "
            f"delivered or scheduled by {date_words(deadline)}: "
            f"schedule {hours_words(short)} more hours."
        )
        if late:
            reason = reason[:-1] + (
                f"; {hours_words(late)} hours are scheduled after that date "
                f"({plural_words(programme.one_to_one_months_after_final, 'month')} after the "
                "cohort's final group session, or the end of the delivery window)."
            )
    return ParticipantForecast(
        attended=attended,
        needed=needed,
        delivered=delivered,
        scheduled=scheduled,
        scheduled_late=late,
        final_session_on=final,
        o3_deadline=o3,
        o4_deadline=o4,
        at_risk=at_risk,
        reason=reason,
    )
