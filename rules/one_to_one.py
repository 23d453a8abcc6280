"""One-to-one support: O1–O8 (a participant, or one one-to-one session), and the dates
O2–O4 set for a participant's support.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist

from participants.models import Participant
from peernet.calendar import add_months, local_date
from peernet.hours import ends_at, sum_hours
from peernet.words import (
    date_words,
    hours_words,
    number_words,
    plural_words,
    time_words,
    when_words,
)
from rules.records import (
    first_attended_session,
    first_group_session_to_come,
    has_dropped_out,
    joining_instructions,
    latest_membership,
    sessions_not_cancelled,
)
from rules.registry import Outcome, Verdict, check
from sessions.models import OneToOneRoute, OneToOneSession, SessionStatus

# Prefetch for participants: one_to_ones, attendance__session, memberships__cohort__sessions;
# select_related action_plan. For one-to-ones: participant (with the same).


@check(
    "O1",
    judges="participant",
    kind="fail",
    section="One-to-one support provision; One-to-One Support Provision: Duration and Frequency",
    summary=(
        "Each participant gets at least {one_to_one_hours} hours of one-to-one support, "
        "through the programme or an existing local programme (which is named, with the "
        "hours and the nature of the support: without the nature, it warns). Short of it "
        "when the delivery window closes fails, unless the participant declined (O8). Not "
        "judged for someone who dropped out."
    ),
    applicant=("You get at least {one_to_one_hours} hours of one-to-one support."),
)
def o1_one_to_one_hours(participant: Participant, *, as_of: dt.datetime) -> Verdict:
    name, programme = participant.full_name, participant.programme
    if participant.one_to_one_declined:
        return Verdict(
            Outcome.PASS,
            f"{name} declined one-to-one support, and the refusal is recorded (O8).",
        )
    today = local_date(as_of)
    if has_dropped_out(participant, today):
        assert participant.dropped_out_on is not None  # has_dropped_out: the day is recorded
        return Verdict(
            Outcome.NOT_APPLICABLE,
            f"{name} dropped out on {date_words(participant.dropped_out_on)}.",
        )
    if not participant.memberships.all():
        return Verdict(Outcome.NOT_APPLICABLE, f"{name} is not in a cohort yet.")
    needed, end = programme.one_to_one_hours, programme.delivery_end
    delivered_sessions = [
        o for o in participant.one_to_ones.all() if o.status == SessionStatus.DELIVERED
    ]
    delivered = sum_hours(delivered_sessions)
    of = (
        f"{name} has {hours_words(delivered)} of {number_words(needed)} hours "
        "of one-to-one support delivered"
    )
    if delivered < needed and today > end:
        return Verdict(Outcome.FAIL, f"{of}; the delivery window closed on {date_words(end)}.")
    # O1: support through an existing local programme records what it was.
    undescribed = [
        o
        for o in delivered_sessions
        if o.route == OneToOneRoute.EXISTING and not o.nature_of_support.strip()
    ]
    if undescribed:
        return Verdict(
            Outcome.WARN,
            f"{of}; record the nature of the support given through "
            f"{undescribed[0].existing_programme}.",
            None if delivered >= needed else end,
        )
    if delivered >= needed:
        return Verdict(Outcome.PASS, f"{of}.")
    return Verdict(Outcome.NOT_APPLICABLE, f"{of} so far, due by {date_words(end)}.", end)


@dataclass(frozen=True)
class OneToOneDeadlines:
    """The dates O2, O3 and O4 set for one participant's one-to-one support."""

    first_group_session: dt.datetime | None  # O2: support begins after it
    first_attended: bool  # False: the cohort's first session still to come
    final_group_session: dt.date | None  # the cohort's last session not cancelled
    latest: dt.date | None  # O3: within `months` of the final session
    months: int
    window_end: dt.date  # O4

    def sentences(self) -> list[tuple[str, str]]:
        """(rule, sentence) for each deadline, in the order they apply."""
        lines = []
        if self.first_group_session is None:
            lines.append(
                (
                    "O2",
                    "One-to-one support begins only after the participant's first group "
                    "session, and none is scheduled yet.",
                )
            )
        else:
            day = date_words(local_date(self.first_group_session))
            which = (
                "first group session" if self.first_attended else "first group session (to come)"
            )
            lines.append(
                (
                    "O2",
                    f"Not before the end of the participant's {which} on {day}, at "
                    f"{time_words(self.first_group_session)}.",
                )
            )
        if self.latest is not None and self.final_group_session is not None:
            lines.append(
                (
                    "O3",
                    f"Within {plural_words(self.months, 'month')} of the cohort's final group "
                    f"session on {date_words(self.final_group_session)}: by "
                    f"{date_words(self.latest)}.",
                )
            )
        lines.append(("O4", f"By the end of the delivery window on {date_words(self.window_end)}."))
        return lines


def final_group_session_on(participant: Participant) -> dt.date | None:
    """O3 counts from it: the London date of the last session, not cancelled, of the
    participant's latest cohort; None before the cohort has any."""
    membership = latest_membership(participant)
    sessions = sessions_not_cancelled(membership.cohort.sessions.all()) if membership else []
    return local_date(sessions[-1].starts_at) if sessions else None


def one_to_one_deadlines(participant: Participant) -> OneToOneDeadlines:
    """O2–O4 for a participant, read as the checks read them (same prefetches as O1)."""
    attended = first_attended_session(participant)
    first = attended or first_group_session_to_come(participant)
    programme = participant.programme
    months = programme.one_to_one_months_after_final
    final = final_group_session_on(participant)
    return OneToOneDeadlines(
        # O2 counts from when the first group session ends.
        first_group_session=ends_at(first.starts_at, first.hours) if first else None,
        first_attended=attended is not None,
        final_group_session=final,
        latest=add_months(final, months) if final else None,
        months=months,
        window_end=programme.delivery_end,
    )


def _cancelled_one_to_one(session: OneToOneSession) -> Verdict | None:
    if session.status != SessionStatus.CANCELLED:
        return None
    return Verdict(Outcome.NOT_APPLICABLE, "The one-to-one session was cancelled.")


@check(
    "O2",
    judges="one_to_one",
    kind="fail",
    section="One-to-One Support Provision; Administration and Scheduling",
    summary=(
        "One-to-one support begins only after the participant's first group session has "
        "ended. A delivered one-to-one needs a group session attended before it; one "
        "scheduled ahead may follow a first session still to come."
    ),
)
def o2_after_first_group_session(session: OneToOneSession, *, as_of: dt.datetime) -> Verdict:
    if (skipped := _cancelled_one_to_one(session)) is not None:
        return skipped
    first = first_attended_session(session.participant)
    if first is None and session.status == SessionStatus.SCHEDULED:
        # Booking ahead is fine: a scheduled one-to-one may follow a first group
        # session that is itself still to come. A delivered one needs an attended one.
        first = first_group_session_to_come(session.participant)
    when = f"The one-to-one session at {when_words(session.starts_at)}"
    # O2: support begins only after the first group session: after it has *ended*.
    if first is None or session.starts_at < ends_at(first.starts_at, first.hours):
        return Verdict(
            Outcome.FAIL,
            f"{when} is before the end of the participant's first group session; one-to-one "
            "support begins only after it.",
        )
    return Verdict(
        Outcome.PASS,
        f"{when} is after the participant's first group session on "
        f"{date_words(local_date(first.starts_at))}.",
    )


@check(
    "O3",
    judges="one_to_one",
    kind="warn",
    section="One-to-One Support Provision: Administration and Scheduling",
    summary=(
        "Each one-to-one session takes place within {one_to_one_months_after_final:month} "
        "of the cohort's final group session; later warns."
    ),
)
def o3_soon_after_final_session(session: OneToOneSession, *, as_of: dt.datetime) -> Verdict:
    if (skipped := _cancelled_one_to_one(session)) is not None:
        return skipped
    participant = session.participant
    membership = latest_membership(participant)
    sessions = sessions_not_cancelled(membership.cohort.sessions.all()) if membership else []
    if not sessions:
        return Verdict(
            Outcome.NOT_APPLICABLE, "The participant's cohort has no sessions scheduled."
        )
    months = participant.programme.one_to_one_months_after_final
    final = local_date(sessions[-1].starts_at)
    latest = add_months(final, months)
    day = local_date(session.starts_at)
    within = (
        f"within {plural_words(months, 'month')} of"
        if day <= latest
        else f"more than {plural_words(months, 'month')} after"
    )
    sentence = (
        f"The one-to-one session on {date_words(day)} is {within} the cohort's final group "
        f"session on {date_words(final)} (the latest date is {date_words(latest)})."
    )
    return Verdict(Outcome.PASS if day <= latest else Outcome.WARN, sentence)


@check(
    "O4",
    judges="one_to_one",
    kind="fail",
    section="Delivery Model; One-to-One Support Provision: Administration and Scheduling",
    summary=(
        "Each one-to-one session takes place by the end of the delivery window; one after it fails."
    ),
)
def o4_within_window(session: OneToOneSession, *, as_of: dt.datetime) -> Verdict:
    if (skipped := _cancelled_one_to_one(session)) is not None:
        return skipped
    end = session.participant.programme.delivery_end
    day = local_date(session.starts_at)
    if day <= end:
        return Verdict(
            Outcome.PASS,
            f"The one-to-one session on {date_words(day)} is within the delivery window, which "
            f"ends on {date_words(end)}.",
        )
    return Verdict(
        Outcome.FAIL,
        f"The one-to-one session on {date_words(day)} is after the delivery window ended on "
        f"{date_words(end)}.",
    )


@check(
    "O5",
    judges="one_to_one",
    kind="warn",
    section="One-to-One Support Provision: Administration and Scheduling",
    summary=(
        "Joining instructions for a one-to-one session go out at least "
        "{joining_instructions_hours} real hours before it starts; late, or not sent, warns. "
        "Support the hub records afterwards from an existing programme is not judged."
    ),
)
def o5_joining_instructions(session: OneToOneSession, *, as_of: dt.datetime) -> Verdict:
    if session.entered_by_hub:
        # Hours the hub records afterwards from an existing programme: that programme
        # arranged the session, and no joining instructions were the programme's to send.
        return Verdict(
            Outcome.NOT_APPLICABLE,
            f"The hub recorded this support from {session.existing_programme} afterwards.",
        )
    return joining_instructions(
        what="one-to-one session",
        starts_at=session.starts_at,
        sent_at=session.joining_instructions_sent_at,
        cancelled=session.status == SessionStatus.CANCELLED,
        notice_hours=session.participant.programme.joining_instructions_hours,
        late=Outcome.WARN,
        as_of=as_of,
    )


@check(
    "O6",
    judges="participant",
    kind="warn",
    section="One-to-One Support Provision; Engagement Approach",
    summary=(
        "A short GROW(TH) action plan (goal, reality, obstacles and options, way forward, "
        "tactics, habits) is agreed after the participant's first attended group session. "
        "None yet (unless they have dropped out), or one dated before that session, warns."
    ),
)
def o6_action_plan(participant: Participant, *, as_of: dt.datetime) -> Verdict:
    first = first_attended_session(participant)
    name = participant.full_name
    if first is None:
        return Verdict(Outcome.NOT_APPLICABLE, f"{name} has not attended a group session yet.")
    try:
        plan = participant.action_plan
    except ObjectDoesNotExist:
        if has_dropped_out(participant, local_date(as_of)):
            # No plan is agreed with someone who has left (as for their hours, O1).
            assert participant.dropped_out_on is not None
            return Verdict(
                Outcome.NOT_APPLICABLE,
                f"{name} dropped out on {date_words(participant.dropped_out_on)}.",
            )
        return Verdict(
            Outcome.WARN,
            f"{name} has no action plan yet; a short GROW(TH) plan follows the first group "
            f"session on {date_words(local_date(first.starts_at))}.",
        )
    first_day = local_date(first.starts_at)
    if plan.agreed_on < first_day:
        # O6: the plan *follows* the first group session; one dated before it does not.
        return Verdict(
            Outcome.WARN,
            f"{name}'s action plan is dated {date_words(plan.agreed_on)}, before their first "
            f"group session on {date_words(first_day)}; the plan follows that session.",
        )
    return Verdict(
        Outcome.PASS, f"{name}'s action plan was agreed on {date_words(plan.agreed_on)}."
    )


@check(
    "O7",
    judges="one_to_one",
    kind="warn",
    section="Provider Behaviours",
    summary=(
        "The provider of a one-to-one session has declared whether they have a conflict of "
        "interest in supporting the participant, and notifies any private work with them "
        "afterwards. No declaration warns."
    ),
)
def o7_conflicts_declared(session: OneToOneSession, *, as_of: dt.datetime) -> Verdict:
    # Prefetch: participant__provider_declarations.
    if (skipped := _cancelled_one_to_one(session)) is not None:
        return skipped
    name = session.participant.full_name
    if session.provider_id is None:
        return Verdict(
            Outcome.NOT_APPLICABLE,
            f"The one-to-one session with {name} is delivered by an existing local programme.",
        )
    declaration = next(
        (
            d
            for d in session.participant.provider_declarations.all()
            if d.provider_id == session.provider_id
        ),
        None,
    )
    if declaration is None:
        return Verdict(
            Outcome.WARN,
            f"The provider has not declared whether they have a conflict of interest in "
            f"supporting {name}; providers declare conflicts of interest.",
        )
    declared = date_words(declaration.declared_on)
    conflict = "a conflict of interest" if declaration.has_conflict else "no conflict of interest"
    sentence = f"The provider declared {conflict} in supporting {name} on {declared}"
    if declaration.private_work_from is not None:
        sentence += (
            f", and notified private work with them from "
            f"{date_words(declaration.private_work_from)}"
        )
    return Verdict(Outcome.PASS, f"{sentence}.")


@check(
    "O8",
    judges="participant",
    kind="—",
    section="One-to-one support provision",
    summary=(
        "A participant cannot be made to accept one-to-one support: a refusal is recorded, "
        "with its date, and excuses O1. It records, and never warns or fails."
    ),
)
def o8_refusal_recorded(participant: Participant, *, as_of: dt.datetime) -> Verdict:
    if participant.one_to_one_declined:
        try:
            on = f" on {date_words(participant.one_to_one_decline.declined_on)}"
        except ObjectDoesNotExist:  # recorded before declines were dated
            on = ""
        return Verdict(
            Outcome.PASS,
            f"{participant.full_name} declined one-to-one support{on}; the refusal is recorded.",
        )
    return Verdict(
        Outcome.NOT_APPLICABLE,
        f"{participant.full_name} has not declined one-to-one support.",
    )
