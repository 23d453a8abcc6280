"""Joining instructions (K7, O5): selectors for what is due, and the services that send
them, each email with an iCalendar invite attached.

Once per member per session. Each member's email is decided, put in the outbox
(peernet.outbox) and recorded inside one transaction that holds the session's row lock: a
second run, or a second worker running at the same moment, waits for the lock and then
finds the member's JoiningInstructionsSent row, so it queues nothing twice; and the row
and its email exist together or not at all. K7 and O5 count the instructions as sent
only when the mail server has accepted the email (`_count_when_accepted`, below): a
message still waiting, or refused, does not count, however long ago it was written.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate
from django.dispatch import receiver
from django.template.loader import render_to_string

from cohorts.models import Cohort, CohortMembership, JoiningInstructions
from participants.models import Participant
from peernet import mail, outbox
from peernet.calendar import LONDON, local_date
from peernet.hours import ends_at
from peernet.models import EmailKind, OutboundEmail, Programme
from sessions import ics
from sessions.models import (
    INSTRUCTING,
    GroupSession,
    JoiningInstructionsSent,
    NoticeKind,
    OneToOneSession,
    SessionStatus,
)

INVITE_NAME = "invite.ics"
# K7 wants the instructions out *no later than* 48 hours before. Beat runs the job every
# 15 minutes, so a session that became due only at the 48-hour point would go out up to
# 15 minutes late; sessions become due this much earlier, giving four runs (and a queue
# backlog) the chance to send before the line is crossed.
SEND_AHEAD = dt.timedelta(hours=1)


# --- who is expected ---------------------------------------------------------------------


def _expected_members(day: object) -> Q:
    """CohortMembership rows expected at a session on `day` (a date, or an expression
    giving one): joined by then, not left (a membership ends on its `left` date), not
    dropped out, and with an address to write to. The same rule as K8's members."""
    return (
        Q(joined__lte=day)
        & (Q(left__isnull=True) | Q(left__gt=day))
        & (Q(participant__dropped_out_on__isnull=True) | Q(participant__dropped_out_on__gt=day))
        & ~Q(participant__email="")
    )


def joining_instructions_recipients(session: GroupSession) -> QuerySet[Participant]:
    """The session's current members who have not yet been sent its joining instructions."""
    day = local_date(session.starts_at)
    members = CohortMembership.objects.filter(_expected_members(day), cohort_id=session.cohort_id)
    already = JoiningInstructionsSent.objects.filter(
        session_id=session.pk, participant_id=OuterRef("pk"), kind__in=INSTRUCTING
    )
    return (
        Participant.objects.filter(pk__in=members.values("participant_id"))
        .exclude(Exists(already))
        .order_by("last_name", "first_name", "pk")
    )


# --- what is due (selectors) -----------------------------------------------------------------


def _horizon(now: dt.datetime) -> dt.datetime:
    """The furthest start any programme's notice reaches from `now`."""
    longest = Programme.objects.aggregate(h=Max("joining_instructions_hours"))["h"] or 0
    return now.astimezone(dt.UTC) + dt.timedelta(hours=longest) + SEND_AHEAD


def joining_instructions_due_from(starts_at: dt.datetime, notice_hours: int) -> dt.datetime:
    """When the job starts sending for a session: the K7 deadline less SEND_AHEAD. Hours
    are real hours (UTC arithmetic), so a clock change in between moves nothing."""
    return starts_at.astimezone(dt.UTC) - dt.timedelta(hours=notice_hours) - SEND_AHEAD


def joining_instructions_due(now: dt.datetime) -> list[GroupSession]:
    """Scheduled sessions, not yet started, inside their programme's notice period
    (starting within `joining_instructions_hours`, plus SEND_AHEAD, of `now`) with at
    least one expected member not yet sent the joining instructions. Two queries."""
    horizon = _horizon(now)
    unsent = CohortMembership.objects.filter(
        _expected_members(OuterRef("day")),
        cohort_id=OuterRef("cohort_id"),
    ).exclude(
        Exists(
            JoiningInstructionsSent.objects.filter(
                session_id=OuterRef(OuterRef("pk")),
                participant_id=OuterRef("participant_id"),
                kind__in=INSTRUCTING,
            )
        )
    )
    candidates = (
        GroupSession.objects.filter(
            status=SessionStatus.SCHEDULED, starts_at__gt=now, starts_at__lte=horizon
        )
        # The session's date in London: who is a member is decided by the day.
        .annotate(day=TruncDate("starts_at", tzinfo=LONDON))
        .filter(Exists(unsent))
        .select_related("cohort__programme")
        .order_by("starts_at", "pk")
    )
    # Each programme sets its own notice: refine the widest window per session.
    return [
        s
        for s in candidates
        if joining_instructions_due_from(s.starts_at, s.cohort.programme.joining_instructions_hours)
        <= now
    ]


def one_to_one_joining_instructions_due(now: dt.datetime) -> list[OneToOneSession]:
    """O5: scheduled one-to-ones inside their programme's notice period whose participant
    (still on the programme, with an address) has not been sent the instructions."""
    horizon = _horizon(now)
    day = TruncDate("starts_at", tzinfo=LONDON)
    candidates = (
        OneToOneSession.objects.filter(
            status=SessionStatus.SCHEDULED, starts_at__gt=now, starts_at__lte=horizon
        )
        .exclude(participant__email="")
        .filter(
            Q(participant__dropped_out_on__isnull=True) | Q(participant__dropped_out_on__gt=day)
        )
        .exclude(
            Exists(
                JoiningInstructionsSent.objects.filter(
                    one_to_one_id=OuterRef("pk"), kind__in=INSTRUCTING
                )
            )
        )
        .select_related("participant__programme")
        .order_by("starts_at", "pk")
    )
    return [
        o
        for o in candidates
        if joining_instructions_due_from(
            o.starts_at, o.participant.programme.joining_instructions_hours
        )
        <= now
    ]


# --- the email ---------------------------------------------------------------------------


def _when_words(starts_at: dt.datetime, hours: Decimal) -> str:
    """Monday 1 November 2021, 09:30 to 12:30 (UK time)."""
    start, end = starts_at.astimezone(LONDON), ends_at(starts_at, hours).astimezone(LONDON)
    return f"{start:%A} {start.day} {start:%B %Y}, {start:%H:%M} to {end:%H:%M} (UK time)"


def _instructions_for(session: GroupSession) -> JoiningInstructions | None:
    try:
        return session.cohort.joining_instructions
    except ObjectDoesNotExist:
        return None


def _location(instructions: JoiningInstructions | None, fallback: str) -> str:
    if instructions is not None:
        if instructions.link:
            return instructions.link
        if instructions.platform:
            return instructions.platform
    return fallback


def _organizer(name: str) -> ics.Person:
    return ics.Person(name=name, email=mail.address())


SUBJECTS = {
    NoticeKind.INSTRUCTIONS: "Joining instructions: {cohort}, {when}",
    NoticeKind.UPDATE: "Session moved: {cohort}, now {when}",
    NoticeKind.CANCELLATION: "Session cancelled: {cohort}, {when}",
}


def _session_event(
    session: GroupSession,
    participant: Participant,
    instructions: JoiningInstructions | None,
    now: dt.datetime,
    body: str = "",
) -> ics.Event:
    """The session as it stands, in the participant's calendar: one UID per session and
    participant for its whole life, its SEQUENCE raised by each move or cancellation."""
    return ics.Event(
        uid=f"{session.code}-{participant.code}@peernet",
        start=session.starts_at,
        end=ends_at(session.starts_at, session.hours),
        stamp=now,
        summary=f"Peer Networks: {session.cohort.name}",
        location=_location(instructions, session.location),
        description=body,
        url=instructions.link if instructions and instructions.link else "",
        organizer=_organizer(session.cohort.hub.name),
        attendees=[ics.Person(name=participant.full_name, email=participant.email)],
        sequence=session.sequence,
        cancelled=session.status == SessionStatus.CANCELLED,
    )


def _session_message(
    session: GroupSession,
    participant: Participant,
    instructions: JoiningInstructions | None,
    now: dt.datetime,
    kind: str = NoticeKind.INSTRUCTIONS,
    told: dt.datetime | None = None,
    note: str = "",
) -> EmailMultiAlternatives:
    """The joining instructions (K7), an update after a move (the instructions again for
    the new time, `told` being the start the participant had), or a cancellation;
    `note`, the facilitator's personal message above the instructions."""
    cohort = session.cohort
    when = _when_words(session.starts_at, session.hours)
    context = {
        "note": note.strip(),
        "participant": participant,
        "cohort": cohort,
        "session": session,
        "when": when,
        "instructions": instructions,
        "location": session.location,
        "kind": kind,
        "was": _when_words(told, session.hours) if told and told != session.starts_at else "",
    }
    body = render_to_string("facilitation/joining_instructions_email.txt", context)
    event = _session_event(session, participant, instructions, now, body)
    method = ics.CANCEL if kind == NoticeKind.CANCELLATION else ics.REQUEST
    return mail.message(
        subject=SUBJECTS[NoticeKind(kind)].format(cohort=cohort.name, when=when),
        body=body,
        to=[participant.email],
        hub=cohort.hub,
        calendar=mail.Calendar(ics.calendar(event, method=method), method, INVITE_NAME),
    )


def joining_instructions_preview(
    session: GroupSession, *, now: dt.datetime, note: str = ""
) -> str | None:
    """The joining instructions as the session's first expected member would read them
    (with `note`), or None when nobody is expected; nothing is sent or recorded."""
    participant = joining_instructions_recipients(session).first()
    if participant is None:
        return None
    message = _session_message(session, participant, _instructions_for(session), now, note=note)
    return str(message.body)


def _schedule_message(
    sessions: list[GroupSession],
    participant: Participant,
    instructions: JoiningInstructions | None,
    now: dt.datetime,
) -> EmailMultiAlternatives:
    """K6: the cohort's whole schedule at the outset, every session in one calendar."""
    cohort = sessions[0].cohort
    context = {
        "participant": participant,
        "cohort": cohort,
        "sessions": [_when_words(s.starts_at, s.hours) for s in sessions],
        "instructions": instructions,
    }
    body = render_to_string("facilitation/schedule_email.txt", context)
    events = [_session_event(s, participant, instructions, now) for s in sessions]
    return mail.message(
        subject=f"Your peer network's sessions: {cohort.name}",
        body=body,
        to=[participant.email],
        hub=cohort.hub,
        # Several events: an attachment to import, not one invitation (peernet.mail).
        calendar=mail.Calendar(
            ics.calendar(*events), ics.REQUEST, "schedule.ics", invitation=len(events) == 1
        ),
    )


def _one_to_one_message(
    one_to_one: OneToOneSession, now: dt.datetime, kind: str = NoticeKind.INSTRUCTIONS
) -> EmailMultiAlternatives:
    participant = one_to_one.participant
    provider = one_to_one.provider
    when = _when_words(one_to_one.starts_at, one_to_one.hours)
    context = {
        "participant": participant,
        "one_to_one": one_to_one,
        "provider": provider,
        "when": when,
        "kind": kind,
    }
    body = render_to_string("facilitation/joining_instructions_one_to_one_email.txt", context)
    attendees = [ics.Person(name=participant.full_name, email=participant.email)]
    cc: list[str] = []
    if provider is not None and provider.email:
        organizer = ics.Person(name=provider.name or provider.email, email=provider.email)
        cc.append(provider.email)
    else:
        organizer = _organizer(participant.hub.name)
    event = ics.Event(
        uid=f"{one_to_one.key}-{participant.code}@peernet",
        start=one_to_one.starts_at,
        end=ends_at(one_to_one.starts_at, one_to_one.hours),
        stamp=now,
        summary="Peer Networks: one-to-one support",
        location=one_to_one.existing_programme,
        description=body,
        organizer=organizer,
        attendees=attendees,
        sequence=one_to_one.sequence,
        cancelled=one_to_one.status == SessionStatus.CANCELLED,
    )
    cancelled = kind == NoticeKind.CANCELLATION
    method = ics.CANCEL if cancelled else ics.REQUEST
    return mail.message(
        subject=(
            f"Cancelled: your one-to-one session, {when}"
            if cancelled
            else f"Joining instructions: your one-to-one session, {when}"
        ),
        body=body,
        to=[participant.email],
        cc=cc,
        hub=participant.hub,
        # The email asks them to reply to it about changes: the reply goes to the
        # provider (or, without one, to the hub's administrators).
        reply_to=cc or mail.hub_administrator_addresses(participant.hub),
        calendar=mail.Calendar(ics.calendar(event, method=method), method, INVITE_NAME),
    )


# --- services ------------------------------------------------------------------------------


def _check_sendable(status: str, starts_at: dt.datetime, now: dt.datetime, what: str) -> None:
    if status == SessionStatus.CANCELLED:
        raise ValidationError(f"The {what} is cancelled: there is nothing to join.")
    if status != SessionStatus.SCHEDULED or starts_at <= now:
        raise ValidationError(f"The {what} has already started: it is too late to send them.")


def joining_instructions_send(*, session_id: int, now: dt.datetime, note: str = "") -> int:
    """K7: email the joining instructions, with an invite, to every expected member of
    the session not yet sent them; returns how many were sent. Safe to run twice, and
    by hand before the automatic send (members already sent are skipped), then with the
    facilitator's personal `note` when they wrote one.

    Raises ValidationError for a cancelled session or one that has started."""
    session = GroupSession.objects.select_related("cohort__hub").get(pk=session_id)
    _check_sendable(session.status, session.starts_at, now, "session")
    instructions = _instructions_for(session)
    sent = 0
    for participant in joining_instructions_recipients(session):
        # One transaction per member: a failure part-way keeps the members already sent.
        with transaction.atomic():
            # The row lock serialises concurrent runs for this session (see the module doc).
            locked = GroupSession.objects.select_for_update().get(pk=session_id)
            if locked.status != SessionStatus.SCHEDULED:
                break
            record, created = JoiningInstructionsSent.objects.get_or_create(
                session_id=session_id,
                participant=participant,
                kind=NoticeKind.INSTRUCTIONS,
                sequence=locked.sequence,
                defaults={"sent_at": now, "starts_at": locked.starts_at},
            )
            if not created:
                continue
            message = _session_message(
                locked_view(session, locked), participant, instructions, now, note=note
            )
            _queue(message, record, now)
            sent += 1
    return sent


@transaction.atomic
def one_to_one_joining_instructions_send(*, one_to_one_id: int, now: dt.datetime) -> int:
    """O5: email the participant (copying the provider) the one-to-one's details with an
    invite; returns 1 if sent, 0 if it had been sent already. Safe to run twice.

    Raises ValidationError for a cancelled one-to-one or one that has started."""
    one_to_one = (
        OneToOneSession.objects.select_for_update(of=("self",))
        .select_related("participant__hub", "provider")
        .get(pk=one_to_one_id)
    )
    _check_sendable(one_to_one.status, one_to_one.starts_at, now, "one-to-one session")
    participant = one_to_one.participant
    if not participant.email or (
        participant.dropped_out_on is not None
        and participant.dropped_out_on <= local_date(one_to_one.starts_at)
    ):
        return 0
    record, created = JoiningInstructionsSent.objects.get_or_create(
        one_to_one=one_to_one,
        kind=NoticeKind.INSTRUCTIONS,
        sequence=one_to_one.sequence,
        defaults={"participant": participant, "sent_at": now, "starts_at": one_to_one.starts_at},
    )
    if not created:
        return 0
    _queue(_one_to_one_message(one_to_one, now), record, now)
    return 1


def locked_view(session: GroupSession, locked: GroupSession) -> GroupSession:
    """The session as its locked row now stands (start, hours, status, SEQUENCE), with
    the cohort and hub already loaded on `session`."""
    for name in ("starts_at", "hours", "status", "location", "sequence"):
        setattr(session, name, getattr(locked, name))
    return session


# --- when a session changes: everyone told before is told again (issue 15) -----------------


def session_change_notify(*, session_id: int, sequence: int, now: dt.datetime) -> int:
    """The session moved or was cancelled (its SEQUENCE raised to `sequence`): everyone
    told about it before (the schedule, the instructions, an earlier update) gets an
    update (METHOD:REQUEST, the same UID, the new SEQUENCE), the joining instructions for
    its new time, or a cancellation (METHOD:CANCEL). Returns how many were sent; safe to
    run twice (one row per member, kind and SEQUENCE); a later change supersedes it.

    An update counts as the joining instructions for the new start (K7 judges it)."""
    session = GroupSession.objects.select_related("cohort__hub").get(pk=session_id)
    if session.sequence != sequence or session.status == SessionStatus.DELIVERED:
        return 0  # changed again since: that change's run tells them
    cancelled = session.status == SessionStatus.CANCELLED
    if not cancelled and session.starts_at <= now:
        return 0  # moved into the past: nothing to join
    kind = NoticeKind.CANCELLATION if cancelled else NoticeKind.UPDATE
    told = (
        JoiningInstructionsSent.objects.filter(session_id=session_id, sequence__lt=sequence)
        .exclude(kind=NoticeKind.CANCELLATION)
        .select_related("participant")
        .order_by("participant_id", "-sequence", "-sent_at")
    )
    latest: dict[int, JoiningInstructionsSent] = {}
    for row in told:
        latest.setdefault(row.participant_id, row)
    instructions = _instructions_for(session)
    sent = 0
    for row in latest.values():
        participant = row.participant
        if not participant.email:
            continue
        with transaction.atomic():
            locked = GroupSession.objects.select_for_update().get(pk=session_id)
            if locked.sequence != sequence:
                break
            record, created = JoiningInstructionsSent.objects.get_or_create(
                session_id=session_id,
                participant=participant,
                kind=kind,
                sequence=sequence,
                defaults={"sent_at": now, "starts_at": locked.starts_at},
            )
            if not created:
                continue
            message = _session_message(
                locked_view(session, locked), participant, instructions, now, kind, row.starts_at
            )
            _queue(message, record, now)  # K7: an update is the notice for the new start
            sent += 1
    return sent


@transaction.atomic
def one_to_one_change_notify(*, one_to_one_id: int, sequence: int, now: dt.datetime) -> int:
    """A one-to-one was cancelled: the participant (and provider, copied) who had its
    details gets a cancellation (METHOD:CANCEL). Safe to run twice."""
    one_to_one = (
        OneToOneSession.objects.select_for_update(of=("self",))
        .select_related("participant__hub", "provider")
        .get(pk=one_to_one_id)
    )
    if one_to_one.sequence != sequence or one_to_one.status != SessionStatus.CANCELLED:
        return 0
    had = JoiningInstructionsSent.objects.filter(
        one_to_one=one_to_one, sequence__lt=sequence, kind__in=INSTRUCTING
    ).exists()
    if not had or not one_to_one.participant.email:
        return 0
    record, created = JoiningInstructionsSent.objects.get_or_create(
        one_to_one=one_to_one,
        kind=NoticeKind.CANCELLATION,
        sequence=sequence,
        defaults={
            "participant": one_to_one.participant,
            "sent_at": now,
            "starts_at": one_to_one.starts_at,
        },
    )
    if not created:
        return 0
    _queue(_one_to_one_message(one_to_one, now, NoticeKind.CANCELLATION), record, now)
    return 1


def cohort_schedule_send(*, cohort_id: int, now: dt.datetime) -> int:
    """K6: every member of the cohort gets its whole schedule at the outset, one email
    with every session to come in one calendar. Members already sent a session's place
    in the schedule are not sent it again; returns how many emails were sent."""
    sessions = list(
        GroupSession.objects.filter(
            cohort_id=cohort_id, status=SessionStatus.SCHEDULED, starts_at__gt=now
        )
        .select_related("cohort__hub")
        .order_by("starts_at")
    )
    if not sessions:
        return 0
    instructions = _instructions_for(sessions[0])
    today = local_date(now)
    members = (
        CohortMembership.objects.filter(cohort_id=cohort_id, participant__email__gt="")
        .filter(Q(left__isnull=True) | Q(left__gt=today))
        .filter(Q(participant__dropped_out_on__isnull=True))
        .select_related("participant")
        .order_by("participant__last_name", "participant__pk")
    )
    sent = 0
    for membership in members:
        participant = membership.participant
        with transaction.atomic():
            # The cohort's row lock serialises two runs for it (as the session's does above).
            Cohort.objects.select_for_update().get(pk=cohort_id)
            known = set(
                JoiningInstructionsSent.objects.filter(
                    session__cohort_id=cohort_id, participant=participant
                ).values_list("session_id", flat=True)
            )
            new = [s for s in sessions if s.pk not in known]
            if not new:
                continue
            email = outbox.enqueue(
                _schedule_message(new, participant, instructions, now),
                kind=EmailKind.JOINING,
                hub=participant.hub,
                now=now,
            )
            JoiningInstructionsSent.objects.bulk_create(
                JoiningInstructionsSent(
                    session=s,
                    participant=participant,
                    kind=NoticeKind.SCHEDULE,
                    sequence=s.sequence,
                    sent_at=now,
                    starts_at=s.starts_at,
                    email=email,
                )
                for s in new
            )
            sent += 1
    return sent


# --- the outbox: a notice counts once the mail server has it ----------------------------------


def _queue(
    message: EmailMultiAlternatives, record: JoiningInstructionsSent, now: dt.datetime
) -> None:
    """Put one notice's email in the outbox, tied to its record (same transaction)."""
    record.email = outbox.enqueue(
        message, kind=EmailKind.JOINING, hub=record.participant.hub, now=now
    )
    record.save(update_fields=["email"])


@receiver(outbox.email_sent, dispatch_uid="sessions.joining.count_when_accepted")
def _count_when_accepted(sender: object, email: OutboundEmail, **kwargs: object) -> None:
    """K7, O5: the first joining instructions (or update) for a session's current start
    that the mail server accepts is when the session's instructions were sent. A notice
    for a start since moved counts for nothing (the move cleared the time)."""
    for record in JoiningInstructionsSent.objects.filter(email=email, kind__in=INSTRUCTING):
        target = (
            GroupSession.objects.filter(pk=record.session_id)
            if record.session_id
            else OneToOneSession.objects.filter(pk=record.one_to_one_id)
        )
        target.filter(sequence=record.sequence, joining_instructions_sent_at__isnull=True).update(
            joining_instructions_sent_at=email.sent_at
        )
