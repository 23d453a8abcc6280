"""Cohorts and group sessions: K1–K13 (a cohort, a session, or a participant's place in
a cohort).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import F, Q
from django.db.models.functions import TruncDate
from django.db.models.lookups import LessThanOrEqual

from cohorts.models import Cohort, CohortMembership
from participants.models import Business, Participant, Sector
from peernet.calendar import LONDON, local_date, whole_years
from peernet.hours import ends_at, sum_hours
from peernet.words import date_words, hours_words, number_words, plural_words
from rules.records import (
    current_members,
    current_membership,
    delivered_group_sessions,
    has_dropped_out,
    joining_instructions,
    members_on,
    not_delivered,
    present_at,
    session_name,
    sessions_not_cancelled,
)
from rules.registry import Outcome, Verdict, check
from sessions.models import GroupSession, SessionStatus

# Prefetch for cohorts: memberships__participant__business, memberships__participant__equality,
# sessions.
# Prefetch for sessions: cohort__programme, cohort__memberships__participant, attendance,
# action_cards, survey_responses; select_related facilitator_note.


def _sector_words(code: str) -> str:
    """SIC section C (Manufacturing)."""
    return f"SIC section {code} ({Sector(code).label.split(' — ', 1)[1]})"


@check(
    "K1",
    judges="cohort",
    kind="fail",
    section="Delivery Model; Resource Requirement",
    summary=(
        "A cohort has at most {cohort_size} participants: more fails. Fewer warns once its "
        "first session has started; a cohort still forming passes, with its first session as "
        "the date to fill it by."
    ),
    applicant=("You join a group of up to {cohort_size} business leaders."),
)
def k1_cohort_size(cohort: Cohort, *, as_of: dt.datetime) -> Verdict:
    size = cohort.programme.cohort_size
    count = len(current_members(cohort, local_date(as_of)))
    has = f"{cohort.name} has {plural_words(count, 'participant')}"
    if count > size:
        return Verdict(Outcome.FAIL, f"{has}; a cohort has at most {size}.")
    if count == size:
        return Verdict(Outcome.PASS, f"{has}, the target of {size}.")
    sessions = sessions_not_cancelled(cohort.sessions.all())
    if sessions and sessions[0].starts_at <= as_of:
        return Verdict(Outcome.WARN, f"{has}, fewer than the target of {size}, and has started.")
    # A forming cohort may have no session yet.
    first = (
        f" by the first session on {date_words(local_date(sessions[0].starts_at))}"
        if sessions
        else ""
    )
    return Verdict(
        Outcome.PASS,
        f"{has}; the target is {size}{first}.",
        local_date(sessions[0].starts_at) if sessions else None,
    )


@check(
    "K2",
    judges="cohort",
    kind="fail",
    section="Delivery Model; Action learning provision",
    summary=(
        "A cohort's delivered group sessions add up to {cohort_hours} hours. Not judged "
        "until the delivery window closes; short of it then fails."
    ),
    applicant=(
        "Your group meets for {cohort_hours} hours in all, in sessions of "
        "{session_hours_min} to {session_hours_max} hours led by a facilitator."
    ),
)
def k2_cohort_hours_delivered(cohort: Cohort, *, as_of: dt.datetime) -> Verdict:
    programme = cohort.programme
    needed, end = programme.cohort_hours, programme.delivery_end
    delivered = sum_hours(delivered_group_sessions(cohort.sessions.all()))
    of = f"{cohort.name} has {hours_words(delivered)} of {number_words(needed)} hours delivered"
    if delivered >= needed:
        return Verdict(Outcome.PASS, f"{of}.")
    if local_date(as_of) > end:
        return Verdict(Outcome.FAIL, f"{of}; the delivery window closed on {date_words(end)}.")
    return Verdict(Outcome.NOT_APPLICABLE, f"{of} so far, due by {date_words(end)}.", end)


@check(
    "K3",
    judges="session",
    kind="warn",
    section="Delivery Model; Administration and Scheduling",
    summary=(
        "A session is recommended to last {session_hours_min} to {session_hours_max} hours; "
        "shorter or longer warns. A cancelled session is not judged."
    ),
)
def k3_session_length(session: GroupSession, *, as_of: dt.datetime) -> Verdict:
    if session.status == SessionStatus.CANCELLED:
        return Verdict(Outcome.NOT_APPLICABLE, "The session was cancelled.")
    programme = session.cohort.programme
    low, high = programme.session_hours_min, programme.session_hours_max
    within = low <= session.hours <= high
    return Verdict(
        Outcome.PASS if within else Outcome.WARN,
        f"The session lasts {hours_words(session.hours)} hours; sessions are recommended to last "
        f"{number_words(low)} to {number_words(high)} hours.",
    )


@check(
    "K4",
    judges="cohort",
    kind="warn",
    section="Delivery Model; Administration and Scheduling",
    summary=(
        "Sessions are recommended fortnightly, at local discretion: the longest gap between "
        "a cohort's sessions warns when it is more than {session_gap_days_max} days."
    ),
)
def k4_session_gaps(cohort: Cohort, *, as_of: dt.datetime) -> Verdict:
    most = cohort.programme.session_gap_days_max
    days = [local_date(s.starts_at) for s in sessions_not_cancelled(cohort.sessions.all())]
    if len(days) < 2:
        return Verdict(Outcome.NOT_APPLICABLE, f"{cohort.name} has fewer than two sessions yet.")
    start, end = max(zip(days, days[1:], strict=False), key=lambda pair: pair[1] - pair[0])
    gap = (end - start).days
    sentence = (
        f"The longest gap between sessions of {cohort.name} is {plural_words(gap, 'day')} "
        f"({date_words(start)} to {date_words(end)}); sessions are recommended fortnightly, "
        f"with gaps of no more than {most} days."
    )
    return Verdict(Outcome.WARN if gap > most else Outcome.PASS, sentence)


@check(
    "K5",
    judges="session",
    kind="fail",
    section="Delivery Model; Administration and Scheduling",
    summary=(
        "A session starts and ends inside the programme's delivery window, in London time: "
        "one that runs past midnight on the last day is outside it."
    ),
)
def k5_session_in_window(session: GroupSession, *, as_of: dt.datetime) -> Verdict:
    if session.status == SessionStatus.CANCELLED:
        return Verdict(Outcome.NOT_APPLICABLE, "The session was cancelled.")
    # K5: sessions are *completed* within the window: judged by when the session ends,
    # so one running past midnight on the last day is outside it.
    programme = session.cohort.programme
    day = local_date(session.starts_at)
    opens = dt.datetime.combine(programme.delivery_start, dt.time.min, tzinfo=LONDON)
    closes = dt.datetime.combine(
        programme.delivery_end + dt.timedelta(days=1), dt.time.min, tzinfo=LONDON
    )
    inside = opens <= session.starts_at and ends_at(session.starts_at, session.hours) <= closes
    where = "inside" if inside else "outside"
    return Verdict(
        Outcome.PASS if inside else Outcome.FAIL,
        f"The session on {date_words(day)}, ending at "
        f"{ends_at(session.starts_at, session.hours).astimezone(LONDON):%H:%M}, is {where} the "
        f"delivery window, {date_words(programme.delivery_start)} to "
        f"{date_words(programme.delivery_end)}.",
    )


# K6: the hours a cohort has planned inside the delivery window, delivered or scheduled:
# its sessions not cancelled that start, in London, on or before the window's last day.
# One definition, read from a cohort's sessions in hand (`k6_planned_sessions`: the check,
# the forecast, the planner) and in SQL for lists (`k6_in_window`: `cohorts_with_hours`),
# and judged from the hours alone (`k6_verdict`), so the check, the forecast, the lists and
# the pages say the same; tests/rules/test_k6.py holds the two readings to the same cases.


def k6_planned_sessions(cohort: Cohort) -> list[GroupSession]:
    """The cohort's sessions not cancelled that start, in London, inside the window."""
    end = cohort.programme.delivery_end
    return [
        s for s in sessions_not_cancelled(cohort.sessions.all()) if local_date(s.starts_at) <= end
    ]


def k6_in_window(sessions: str = "sessions__") -> Q:
    """`k6_planned_sessions`' window as a filter on a cohort's sessions in SQL (for an
    aggregate over `sessions`); with the status filter, the same sessions."""
    return Q(
        LessThanOrEqual(
            TruncDate(f"{sessions}starts_at", tzinfo=LONDON), F("programme__delivery_end")
        )
    )


def k6_verdict(cohort: Cohort, planned: Decimal) -> Verdict:
    """K6 for a cohort that has `planned` hours in the window."""
    programme = cohort.programme
    needed, end = programme.cohort_hours, programme.delivery_end
    sentence = (
        f"{cohort.name} has {hours_words(planned)} of {number_words(needed)} hours delivered or "
        f"scheduled by {date_words(end)}."
    )
    if planned >= needed:
        return Verdict(Outcome.PASS, sentence)
    return Verdict(Outcome.WARN, sentence, end)


@check(
    "K6",
    judges="cohort",
    kind="warn",
    section="Administration and Scheduling; Session management",
    summary=(
        "A cohort's sessions are all scheduled at the outset: those delivered or scheduled "
        "before the delivery window closes add up to {cohort_hours} hours."
    ),
)
def k6_schedule_complete(cohort: Cohort, *, as_of: dt.datetime) -> Verdict:
    # K6: all sessions are scheduled at the outset, so the plan is visible to everyone.
    return k6_verdict(cohort, sum_hours(k6_planned_sessions(cohort)))


@check(
    "K7",
    judges="session",
    kind="fail",
    section="Administration and Scheduling; Session management",
    summary=(
        "Joining instructions for a session go out at least {joining_instructions_hours} "
        "real hours before it starts (a clock change does not shorten them). Sent late, or "
        "not sent by then, fails; until then the sentence gives the time they are due by."
    ),
)
def k7_joining_instructions(session: GroupSession, *, as_of: dt.datetime) -> Verdict:
    return joining_instructions(
        what="session",
        starts_at=session.starts_at,
        sent_at=session.joining_instructions_sent_at,
        cancelled=session.status == SessionStatus.CANCELLED,
        notice_hours=session.cohort.programme.joining_instructions_hours,
        late=Outcome.FAIL,
        as_of=as_of,
    )


@check(
    "K8",
    judges="session",
    kind="fail",
    section="Session management",
    summary=(
        "Attendance is recorded for every member of the cohort at each delivered session; "
        "the sentence counts the members without a record."
    ),
)
def k8_attendance_recorded(session: GroupSession, *, as_of: dt.datetime) -> Verdict:
    if (skipped := not_delivered(session)) is not None:
        return skipped
    day = local_date(session.starts_at)
    expected = {m.participant_id for m in members_on(session.cohort, day)}
    recorded = {row.participant_id for row in session.attendance.all()}
    missing = len(expected - recorded)
    if missing:
        return Verdict(
            Outcome.FAIL,
            f"Attendance is not recorded for {missing} of {len(expected)} participants at "
            f"{session_name(session)}.",
            day,
        )
    return Verdict(Outcome.PASS, f"Attendance is recorded for everyone at {session_name(session)}.")


@check(
    "K9",
    judges="session",
    kind="warn",
    section="Session management",
    summary=(
        "Facilitator notes (issues brought, actions agreed, process issues and hot topics) "
        "are written for each delivered session."
    ),
)
def k9_facilitator_notes(session: GroupSession, *, as_of: dt.datetime) -> Verdict:
    if (skipped := not_delivered(session)) is not None:
        return skipped
    try:
        note = session.facilitator_note
    except ObjectDoesNotExist:
        note = None
    fields = ("issues_brought", "actions_agreed", "process_issues", "hot_topics")
    if note is None or not any(getattr(note, field).strip() for field in fields):
        return Verdict(
            Outcome.WARN,
            f"Facilitator notes for {session_name(session)} are not written yet: issues "
            "brought, actions agreed, process issues and hot topics.",
            local_date(session.starts_at),
        )
    return Verdict(Outcome.PASS, f"Facilitator notes for {session_name(session)} are written.")


@check(
    "K10",
    judges="session",
    kind="warn",
    section="Session management",
    summary=(
        "Everyone present at a delivered session has an action card, and those who had "
        "actions at the cohort's previous session report back on them. A missing card or "
        "report-back warns."
    ),
)
def k10_action_cards(session: GroupSession, *, as_of: dt.datetime) -> Verdict:
    if (skipped := not_delivered(session)) is not None:
        return skipped
    present = {row.participant_id for row in present_at(session)}
    if not present:
        return Verdict(
            Outcome.NOT_APPLICABLE,
            f"Nobody is recorded present at {session_name(session)}.",
        )
    cards = {card.participant_id: card for card in session.action_cards.all()}
    missing = len(present - set(cards))
    if missing:
        return Verdict(
            Outcome.WARN,
            f"{missing} of {len(present)} participants present at {session_name(session)} "
            "have no action card.",
        )
    # K10: and each reports back at the next session on the actions of the last. Those
    # present now who had actions at the cohort's previous delivered session.
    earlier = [
        s
        for s in delivered_group_sessions(session.cohort.sessions.all())
        if s.starts_at < session.starts_at
    ]
    had_actions = (
        {c.participant_id for c in earlier[-1].action_cards.all() if c.actions.strip()}
        if earlier
        else set()
    )
    owed = present & had_actions
    silent = [pk for pk in owed if not cards[pk].report_back.strip()]
    if silent:
        return Verdict(
            Outcome.WARN,
            f"{len(silent)} of {len(owed)} participants present at {session_name(session)} "
            "have not reported back on last session's actions.",
        )
    return Verdict(
        Outcome.PASS,
        f"Everyone present at {session_name(session)} has an action card"
        + (" and reported back on last session's actions." if owed else "."),
    )


@check(
    "K11",
    judges="participant",
    kind="warn",
    section="Resolving problems, issues, and clashes",
    summary=(
        "A participant moved between cohorts joins the new one at the start of its journey: "
        "a move into a cohort that has already delivered sessions warns."
    ),
)
def k11_moved_at_start(participant: Participant, *, as_of: dt.datetime) -> Verdict:
    memberships = sorted(participant.memberships.all(), key=lambda m: m.joined)
    if len(memberships) < 2:
        return Verdict(Outcome.NOT_APPLICABLE, f"{participant.full_name} has not moved cohort.")
    for move in memberships[1:]:
        # A session on the day of joining is one the participant can attend.
        missed = [
            s
            for s in delivered_group_sessions(move.cohort.sessions.all())
            if local_date(s.starts_at) < move.joined
        ]
        if missed:
            return Verdict(
                Outcome.WARN,
                f"{participant.full_name} joined {move.cohort.name} on {date_words(move.joined)}, "
                f"after {plural_words(len(missed), 'session')} had been delivered; a moved "
                "participant joins a cohort at the start of its journey.",
            )
    last = memberships[-1]
    return Verdict(
        Outcome.PASS,
        f"{participant.full_name} joined {last.cohort.name} on {date_words(last.joined)}, before "
        "any of its sessions had been delivered.",
    )


def _possible_competitors(businesses: list[Business]) -> tuple[Business, Business] | None:
    seen: dict[tuple[str, str], Business] = {}
    for business in businesses:
        if not business.sector:
            continue
        key = (business.sector, business.local_authority)
        if key in seen:
            return seen[key], business
        seen[key] = business
    return None


# K12: the Playbook's aspects of a cohort's profile, as thresholds.
K12_SMALL_EMPLOYEES = 10  # a micro business...
K12_LARGE_EMPLOYEES = 50  # ...beside a medium-sized one
K12_YOUNG_YEARS = 3
K12_MATURE_YEARS = 10
K12_DIVERSITY_ANSWERS = 5  # fewer answers than this say nothing (as small counts)


@check(
    "K12",
    judges="cohort",
    kind="warn",
    section="Setting up cohorts",
    summary=(
        "The cohort's balance is considered. It warns when one sector holds more than half "
        "of its businesses; when two businesses share a sector and a local authority, so may "
        "be competitors; when sizes run from under {K12_SMALL_EMPLOYEES} to "
        "{K12_LARGE_EMPLOYEES} or more employees; when trading histories run from under "
        "{K12_YOUNG_YEARS} to {K12_MATURE_YEARS} or more years; or when, among at least "
        "{K12_DIVERSITY_ANSWERS} members who answered, one gender is more than three "
        "quarters. Gender is only ever counted over the whole cohort, never named."
    ),
)
def k12_cohort_balance(cohort: Cohort, *, as_of: dt.datetime) -> Verdict:
    day = local_date(as_of)
    members = current_members(cohort, day)
    businesses = [m.participant.business for m in members]
    if len(businesses) < 2:
        return Verdict(Outcome.NOT_APPLICABLE, f"{cohort.name} has fewer than two participants.")
    concerns = [
        concern
        for concern in (
            _sector_concern(businesses),
            _competitor_concern(businesses),
            _size_concern(businesses),
            _growth_concern(businesses, day),
            _gender_concern(members),
        )
        if concern
    ]
    if concerns:
        return Verdict(
            Outcome.WARN, f"Consider the balance of {cohort.name}: {'; '.join(concerns)}."
        )
    return Verdict(
        Outcome.PASS,
        f"{cohort.name} is balanced in sector, size, stage of growth and diversity, and has no "
        "two businesses in the same sector and area.",
    )


def _sector_concern(businesses: list[Business]) -> str | None:
    """K12: a cohort dominated by one sector has less to share across sectors."""
    sectors = Counter(b.sector for b in businesses if b.sector)
    if not sectors:
        return None
    sector, count = sectors.most_common(1)[0]
    if count * 2 > len(businesses):
        return f"{count} of {len(businesses)} businesses are in {_sector_words(sector)}"
    return None


def _competitor_concern(businesses: list[Business]) -> str | None:
    pair = _possible_competitors(businesses)
    if pair is None:
        return None
    return (
        f"{pair[0].name} and {pair[1].name} are both in {_sector_words(pair[0].sector)} "
        f"in {pair[0].local_authority}, so may be competitors"
    )


def _size_concern(businesses: list[Business]) -> str | None:
    """Larger businesses may face very different issues from very small ones."""
    sizes = [b.employees for b in businesses if b.employees is not None]
    if sizes and min(sizes) < K12_SMALL_EMPLOYEES and max(sizes) >= K12_LARGE_EMPLOYEES:
        return (
            f"sizes range from {min(sizes)} to {max(sizes)} employees, and larger businesses "
            "may face very different issues from very small ones"
        )
    return None


def _growth_concern(businesses: list[Business], day: dt.date) -> str | None:
    """Stage of growth: mature businesses among young ones may be leant on."""
    years = [whole_years(b.trading_since, day) for b in businesses if b.trading_since]
    if years and min(years) < K12_YOUNG_YEARS and max(years) >= K12_MATURE_YEARS:
        return (
            f"businesses range from under {K12_YOUNG_YEARS} to {max(years)} years' trading, "
            "and more mature ones may be leant on"
        )
    return None


def _gender_concern(members: list[CohortMembership]) -> str | None:
    """Diversity: gender (and the other protected characteristics) only ever as a count
    of the whole cohort, never naming a value."""
    genders = [
        g for m in members if (g := _equality(m.participant, "gender")) and g != "prefer-not-to-say"
    ]
    if len(genders) < K12_DIVERSITY_ANSWERS:
        return None
    _, most = Counter(genders).most_common(1)[0]
    if most * 4 > len(genders) * 3:
        return (
            "the members' gender is not balanced (one gender is more than three quarters "
            f"of the {len(genders)} who answered)"
        )
    return None


def _equality(participant: Participant, field: str) -> str:
    """A participant's equality answer, for a cohort-wide count only (K12)."""
    try:
        return getattr(participant.equality, field)
    except ObjectDoesNotExist:
        return ""


# K13: a series of absences (three or more) warns, and so do the last two sessions missed
# without apologies; a follow-up recorded on or after the latest absence answers them.
K13_SERIES = 3


@check(
    "K13",
    judges="participant",
    kind="warn",
    section="Session management",
    summary=(
        "Absences are followed up. It warns when a current member has missed {K13_SERIES} or "
        "more sessions, or the last two without apologies, since the latest follow-up "
        "recorded; report a member who has disengaged to the hub."
    ),
)
def k13_absences_followed_up(participant: Participant, *, as_of: dt.datetime) -> Verdict:
    # Prefetch: memberships__cohort__sessions, attendance, absence_follow_ups.
    today = local_date(as_of)
    name = participant.full_name
    not_judged = _k13_not_judged(participant, today)
    if not_judged is not None:
        return not_judged
    membership = current_membership(participant, today)
    assert membership is not None  # _k13_not_judged: a participant not in a cohort is not
    cohort = membership.cohort
    sessions = [
        s
        for s in delivered_group_sessions(cohort.sessions.all())
        if s.starts_at <= as_of and local_date(s.starts_at) >= membership.joined
    ]
    if not sessions:
        return Verdict(
            Outcome.NOT_APPLICABLE, f"{name} has had no delivered session in {cohort.name}."
        )
    # Only a recorded absence counts: a missing record is K8's to raise.
    rows = {row.session_id: row for row in participant.attendance.all()}
    absences = [s for s in sessions if s.pk in rows and not rows[s.pk].present]
    followed = _followed_up_on(participant, cohort)
    open_absences = [s for s in absences if followed is None or local_date(s.starts_at) > followed]
    unexplained = [s for s in open_absences if not rows[s.pk].apologies]
    last_two = sessions[-2:]
    missed_last_two = len(last_two) == 2 and all(s in unexplained for s in last_two)
    if missed_last_two or len(open_absences) >= K13_SERIES:
        return _k13_follow_up(name, cohort, open_absences, missed_last_two, followed)
    return _k13_no_follow_up_needed(name, cohort, absences, sessions, followed)


def _k13_follow_up(
    name: str,
    cohort: Cohort,
    open_absences: list[GroupSession],
    missed_last_two: bool,
    followed: dt.date | None,
) -> Verdict:
    days = ", ".join(date_words(local_date(s.starts_at)) for s in open_absences)
    why = (
        f"was absent without apologies from the last two sessions of {cohort.name}"
        if missed_last_two
        else f"has missed {number_words(len(open_absences))} sessions of {cohort.name}"
    )
    since = f" since the follow-up on {date_words(followed)}" if followed else ""
    return Verdict(
        Outcome.WARN,
        f"{name} {why}{since} ({days}): follow up, record what came of it, and report to "
        "the hub if they have disengaged.",
    )


def _k13_not_judged(participant: Participant, today: dt.date) -> Verdict | None:
    """K13 asks nothing of someone who has dropped out or is not in a cohort."""
    name = participant.full_name
    if has_dropped_out(participant, today):
        assert participant.dropped_out_on is not None  # has_dropped_out: the day is recorded
        return Verdict(
            Outcome.NOT_APPLICABLE,
            f"{name} dropped out on {date_words(participant.dropped_out_on)}.",
        )
    if current_membership(participant, today) is None:
        return Verdict(Outcome.NOT_APPLICABLE, f"{name} is not in a cohort.")
    return None


def _followed_up_on(participant: Participant, cohort: Cohort) -> dt.date | None:
    """The day of the latest absence follow-up recorded for the participant in `cohort`."""
    return max(
        (
            f.followed_up_on
            for f in participant.absence_follow_ups.all()
            if f.cohort_id == cohort.pk
        ),
        default=None,
    )


def _k13_no_follow_up_needed(
    name: str,
    cohort: Cohort,
    absences: list[GroupSession],
    sessions: list[GroupSession],
    followed: dt.date | None,
) -> Verdict:
    if followed is not None and absences:
        return Verdict(
            Outcome.PASS,
            f"{name}'s absences from {cohort.name} were followed up on {date_words(followed)}.",
        )
    if absences:
        return Verdict(
            Outcome.PASS,
            f"{name} has missed {len(absences)} of {len(sessions)} sessions of {cohort.name}; "
            "none needs following up yet.",
        )
    return Verdict(Outcome.PASS, f"{name} has not missed a session of {cohort.name}.")
