"""Writes for reporting: the daily at-risk scan and its email digest.

The scan asks every programme rule (rules) about every record of a hub and keeps
what warns or fails as open `Finding`s, so pages read them fast and the history of risk
is kept; the digest tells each hub administrator and facilitator what changed.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, cast

from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q
from django.utils import timezone

from cohorts.models import Cohort, CohortMembership
from participants.models import EligibilityStatus, Participant
from participants.selectors import participant_forecast
from peernet import mail
from peernet.calendar import local_date
from peernet.models import EmailKind, Hub, Role, RoleAssignment, User
from peernet.words import date_words
from reporting.models import DigestSent, Finding, RiskScan
from reporting.selectors import action_for, findings_for_user, urgency
from rules import Judges, Outcome, Result, run_checks
from rules.eligibility import e9_business_participants
from rules.records import current_membership, latest_membership
from sessions.models import GroupSession, Observation, SessionStatus

logger = logging.getLogger(__name__)

FOUND = (Outcome.WARN, Outcome.FAIL)
Key = tuple[str, str, int]  # (rule, subject kind, subject id)
Kind = Finding.SubjectKind


@dataclass(frozen=True)
class Subject:
    """One record the scan judges, and how its findings are reached (access)."""

    kind: Finding.SubjectKind
    record: Any
    name: str
    cohort: Cohort | None = None
    participant: Participant | None = None
    code: Any = None

    @property
    def judges(self) -> Judges:
        """The checks that judge this kind of record: a finding's kind is named as they are."""
        return cast(Judges, self.kind.value)


@dataclass(frozen=True)
class Found:
    subject: Subject
    result: Result


# --- what the scan reads ----------------------------------------------------------------


def _participants(hub: Hub, ids: frozenset[int] | None) -> Iterator[Participant]:
    # Prefetches from the rules modules' comments for eligibility, K11/K13, O1–O6 and S1–S4,
    # and participant_forecast's.
    sessions = Prefetch("cohort__sessions", queryset=GroupSession.objects.order_by("starts_at"))
    rows = Participant.objects.filter(hub=hub)
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    return iter(
        rows
        # A refused registration is not in the programme: nothing about it is to do.
        .exclude(eligibility_status=EligibilityStatus.INELIGIBLE)
        .select_related("programme", "hub", "business", "action_plan", "one_to_one_provider")
        .prefetch_related(
            e9_business_participants(),
            "business_matches",  # E9
            "eligibility_exceptions",
            Prefetch(
                "memberships",
                queryset=CohortMembership.objects.select_related("cohort").prefetch_related(
                    sessions
                ),
            ),
            "attendance__session",
            "absence_follow_ups",  # K13
            "survey_responses",
            "one_to_ones",
            "provider_declarations",  # O7
        )
        .order_by("pk")
    )


def _cohorts(hub: Hub, ids: frozenset[int] | None) -> list[Cohort]:
    # K1–K13 for cohorts and (through `sessions`) for their sessions and observations.
    sessions = GroupSession.objects.select_related("facilitator_note").prefetch_related(
        "attendance",
        "action_cards",
        "survey_responses",
        Prefetch("observations", queryset=Observation.objects.order_by("pk")),
    )
    rows = Cohort.objects.filter(hub=hub)
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    return list(
        rows.select_related("programme", "hub")
        .prefetch_related(
            Prefetch("sessions", queryset=sessions.order_by("starts_at")),
            "memberships__participant__business",
            "memberships__participant__equality",  # K12: a cohort-wide count only
        )
        .order_by("pk")
    )


def _facilitators(hub: Hub, cohorts: frozenset[int] | None) -> list[User]:
    # Q1 reads every cohort a facilitator has, in any hub.
    assignments = RoleAssignment.objects.select_related("cohort").prefetch_related(
        "cohort__sessions__observations"
    )
    rows = User.objects.filter(
        role_assignments__role=Role.FACILITATOR, role_assignments__cohort__hub=hub
    )
    if cohorts is not None:
        rows = rows.filter(role_assignments__cohort__in=cohorts)
    return list(
        rows.distinct()
        .prefetch_related(Prefetch("role_assignments", queryset=assignments))
        .order_by("pk")
    )


@dataclass(frozen=True)
class Scope:
    """The part of a hub to judge again after a write: these participants and cohorts
    (each as its records reach: a participant's one-to-ones, a cohort's sessions and
    observations and the facilitators it has), and the hub's complaints when asked."""

    participants: frozenset[int] = frozenset()
    cohorts: frozenset[int] = frozenset()
    complaints: bool = False

    def widened(self) -> Scope:
        """One step further, since each side's checks read the other: a participant's
        cohorts (their rules count its members) and a cohort's members (their forecasts
        read its sessions)."""
        memberships = CohortMembership.objects.filter(
            Q(participant__in=self.participants) | Q(cohort__in=self.cohorts)
        ).values_list("participant_id", "cohort_id")
        pairs = list(memberships)
        return Scope(
            participants=self.participants | {participant for participant, _ in pairs},
            cohorts=self.cohorts | {cohort for _, cohort in pairs},
            complaints=self.complaints,
        )


def _subjects(hub: Hub, *, as_of: dt.datetime, scope: Scope | None) -> Iterator[Subject]:
    """Every record of the hub the checks judge, or only those of `scope`."""
    today = local_date(as_of)
    participants = scope.participants if scope else None
    cohorts = scope.cohorts if scope else None
    for participant in _participants(hub, participants):
        membership = current_membership(participant, today) or latest_membership(participant)
        cohort = membership.cohort if membership else None
        yield Subject(
            Kind.PARTICIPANT,
            participant,
            participant.full_name,
            cohort=cohort,
            participant=participant,
            code=participant.code,
        )
        for one_to_one in participant.one_to_ones.all():
            # Facilitators do not see one-to-one support: no cohort.
            on = date_words(local_date(one_to_one.starts_at))
            name = f"One-to-one for {participant.full_name} on {on}"
            yield Subject(Kind.ONE_TO_ONE, one_to_one, name, participant=participant)
    for cohort in _cohorts(hub, cohorts):
        yield Subject(Kind.COHORT, cohort, cohort.name, cohort=cohort, code=cohort.code)
        for session in cohort.sessions.all():
            name = f"{cohort.name} session on {date_words(local_date(session.starts_at))}"
            yield Subject(Kind.SESSION, session, name, cohort=cohort, code=session.code)
            for observation in session.observations.all():
                yield Subject(
                    Kind.OBSERVATION, observation, f"Observation of the {name}", cohort=cohort
                )
    for facilitator in _facilitators(hub, cohorts):
        yield Subject(Kind.FACILITATOR, facilitator, str(facilitator))
    if scope is not None and not scope.complaints:
        return
    for complaint in hub.complaints.order_by("pk"):
        yield Subject(
            Kind.COMPLAINT,
            complaint,
            f"Complaint received on {date_words(complaint.received)}",
        )
    # Monthly returns (M1) are left to the returns issue: judging one reads the programme
    # year per return, and a missing return has no row to judge yet.


# Findings are what someone can still act on. E10 is desirable only: it is shown at the
# eligibility decision, never a to-do. Joining instructions (K7, O5) can no longer be sent
# once the session has started: lateness is counted in the monthly return instead.
NOT_TO_DO = frozenset({"E10"})
TOO_LATE_ONCE_STARTED = frozenset({"K7", "O5"})


def _actionable(subject: Subject, result: Result, *, as_of: dt.datetime) -> bool:
    if result.rule in NOT_TO_DO:
        return False
    if result.rule in TOO_LATE_ONCE_STARTED:
        return subject.record.starts_at > as_of
    if result.rule == "K1" and result.outcome == Outcome.WARN:
        # Places can only be filled before the cohort first meets (K11): afterwards a
        # shortfall is history, not something to do. Too many members is always a to-do.
        return not any(
            session.status == SessionStatus.DELIVERED for session in subject.record.sessions.all()
        )
    return True


def _findings(subject: Subject, *, as_of: dt.datetime) -> Iterator[Found]:
    results = run_checks(subject.record, as_of=as_of, judges=subject.judges)
    for result in results:
        if result.outcome in FOUND and _actionable(subject, result, as_of=as_of):
            yield Found(subject, result)
    if subject.kind == Finding.SubjectKind.PARTICIPANT:
        # O1 only fails once the window has closed; the forecast warns while there is time
        # to act. K6 already says everything the cohort forecast would, so it adds nothing.
        o1 = next(r for r in results if r.rule == "O1")
        if o1.outcome not in FOUND:
            forecast = participant_forecast(subject.record, as_of=as_of)
            if forecast.at_risk:
                yield Found(subject, Result("O1", Outcome.WARN, forecast.reason, forecast.deadline))


# --- the scan ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Stored:
    """What judging stored: how many records were judged, and the findings open, new and
    resolved among them."""

    subjects: int
    open: int
    new: int
    resolved: int


def _judged(
    hub: Hub, *, as_of: dt.datetime, scope: Scope | None
) -> tuple[dict[Key, Found], set[tuple[str, int]]]:
    found: dict[Key, Found] = {}
    judged: set[tuple[str, int]] = set()
    for subject in _subjects(hub, as_of=as_of, scope=scope):
        judged.add((subject.kind, subject.record.pk))
        for item in _findings(subject, as_of=as_of):
            found[(item.result.rule, subject.kind, subject.record.pk)] = item
    return found, judged


def _open_rows(hub: Hub, scope: Scope | None, judged: set[tuple[str, int]]) -> dict[Key, Finding]:
    """The open findings about the records just judged (every one of the hub's, unscoped)."""
    rows = Finding.objects.filter(hub=hub).open()
    if scope is not None:
        rows = rows.filter(
            Q(participant__in=scope.participants)
            | Q(cohort__in=scope.cohorts)
            | Q(subject_kind__in=[Kind.FACILITATOR, Kind.COMPLAINT])
        )
    return {
        (f.rule, f.subject_kind, f.subject_id): f
        for f in rows
        if scope is None or (f.subject_kind, f.subject_id) in judged
    }


@transaction.atomic
def findings_judge(*, hub: Hub, as_of: dt.datetime, scope: Scope | None = None) -> Stored:
    """Judge every rule for every record of `hub` (or only those `scope` reaches) at
    `as_of`, and store what warns or fails as its open findings (reporting.freshness, after
    a write)."""
    return _judge_and_store(hub, as_of=as_of, scope=scope)


def _judge_and_store(hub: Hub, *, as_of: dt.datetime, scope: Scope | None) -> Stored:
    """A finding still found keeps its row (sentence, due date and `last_found` brought up to
    date); one no longer found is resolved; a new one is created. Idempotent: run twice,
    the second run finds the same set and reports 0 new and 0 resolved. The number of
    queries does not grow with the number of records (everything is prefetched per kind).
    """
    # One judging of a hub at a time: a second waits here, then finds what the first stored.
    list(Hub.objects.select_for_update().filter(pk=hub.pk).values_list("pk", flat=True))
    found, judged = _judged(hub, as_of=as_of, scope=scope)
    open_rows = _open_rows(hub, scope, judged)
    kept = [
        _refresh(open_rows[key], item, as_of) for key, item in found.items() if key in open_rows
    ]
    Finding.objects.bulk_update(
        kept,
        ["outcome", "sentence", "due", "subject_name", "cohort", "participant", "last_found"],
        batch_size=500,
    )
    new = [_new(hub, key, item, as_of) for key, item in found.items() if key not in open_rows]
    Finding.objects.bulk_create(new, batch_size=500)
    gone = [row.pk for key, row in open_rows.items() if key not in found]
    Finding.objects.filter(pk__in=gone).update(resolved=as_of)
    return Stored(subjects=len(judged), open=len(found), new=len(new), resolved=len(gone))


@transaction.atomic
def risk_scan_run(*, hub: Hub, as_of: dt.datetime) -> RiskScan:
    """The daily at-risk scan: judge the whole hub (`findings_judge`) and keep the day's
    `RiskScan`, which the digest reads."""
    started = timezone.now()
    run_on = local_date(as_of)
    stored = _judge_and_store(hub, as_of=as_of, scope=None)
    scan, created = RiskScan.objects.get_or_create(
        hub=hub,
        run_on=run_on,
        defaults={"as_of": as_of, "started": started, "runs": 0},
    )
    scan.runs += 1
    scan.as_of, scan.started, scan.finished = as_of, started, timezone.now()
    scan.subjects = stored.subjects
    scan.open_findings = stored.open
    scan.new_findings, scan.resolved_findings = stored.new, stored.resolved
    scan.save()
    logger.info(
        "At-risk scan of %s on %s: %d records, %d open findings, %d new, %d resolved",
        hub.key,
        run_on,
        stored.subjects,
        stored.open,
        stored.new,
        stored.resolved,
    )
    return scan


def _refresh(row: Finding, item: Found, as_of: dt.datetime) -> Finding:
    subject, result = item.subject, item.result
    row.outcome, row.sentence, row.due = result.outcome.value, result.sentence, result.due
    row.subject_name = subject.name[:300]
    row.cohort, row.participant = subject.cohort, subject.participant
    row.last_found = max(row.last_found, as_of)
    return row


def _new(hub: Hub, key: Key, item: Found, as_of: dt.datetime) -> Finding:
    subject, result = item.subject, item.result
    return Finding(
        hub=hub,
        cohort=subject.cohort,
        participant=subject.participant,
        rule=result.rule,
        subject_kind=subject.kind,
        subject_id=key[2],
        subject_code=subject.code,
        subject_name=subject.name[:300],
        outcome=result.outcome.value,
        sentence=result.sentence,
        due=result.due,
        first_found=as_of,
        last_found=as_of,
    )


# --- the digest -------------------------------------------------------------------------


def _recipients(hub: Hub) -> list[User]:
    """Active hub administrators of the hub and facilitators of its cohorts."""
    return list(
        User.objects.filter(is_active=True)
        .filter(
            Q(role_assignments__role=Role.HUB_ADMIN, role_assignments__hub=hub)
            | Q(role_assignments__role=Role.FACILITATOR, role_assignments__cohort__hub=hub)
        )
        .distinct()
        .order_by("pk")
    )


def _since(user: User, scan: RiskScan) -> dt.datetime | None:
    """Changes are reported since the last digest this person had for the hub, or, for a
    first digest, since the hub's previous scan; None for a hub's first scan ever."""
    last = (
        DigestSent.objects.filter(user=user, hub=scan.hub, run_on__lt=scan.run_on)
        .order_by("-as_of")
        .values_list("as_of", flat=True)
        .first()
    )
    if last is not None:
        return last
    return (
        RiskScan.objects.filter(hub=scan.hub, run_on__lt=scan.run_on)
        .order_by("-run_on")
        .values_list("as_of", flat=True)
        .first()
    )


@transaction.atomic
def risk_digest_send(*, scan: RiskScan) -> list[DigestSent]:
    """Email each hub administrator and facilitator of the scan's hub the findings that
    are theirs (see reporting.selectors) and changed: new risks and resolved ones.

    Nobody is emailed when nothing of theirs changed, and nobody twice for the same hub
    and day: the `DigestSent` row is written (claiming the day under its unique
    constraint, so a concurrent run waits and then skips) before the email goes, in this
    transaction, so a failed send leaves no record and a retry sends it.
    """
    hub = scan.hub
    sent = []
    for user in _recipients(hub):
        if DigestSent.objects.filter(user=user, hub=hub, run_on=scan.run_on).exists():
            continue
        since = _since(user, scan)
        mine = Finding.objects.filter(hub=hub, first_found__lte=scan.as_of)
        if since is not None:
            changed = Q(resolved__isnull=True, first_found__gt=since) | Q(
                resolved__gt=since, resolved__lte=scan.as_of, first_found__lte=since
            )
        else:
            changed = Q(resolved__isnull=True)
        findings = findings_for_user(user, hub=hub, queryset=mine.filter(changed))
        new = [f for f in findings if f.resolved is None]
        resolved = [f for f in findings if f.resolved is not None]
        if not new and not resolved:
            continue
        try:
            with transaction.atomic():
                record = DigestSent.objects.create(
                    user=user,
                    hub=hub,
                    run_on=scan.run_on,
                    as_of=scan.as_of,
                    sent_at=timezone.now(),
                    new_findings=len(new),
                    resolved_findings=len(resolved),
                )
        except IntegrityError:  # another run sent it meanwhile
            continue
        mail.send(
            kind=EmailKind.NOTICE,
            subject=_digest_subject(hub, scan.run_on, new, resolved),
            body=_digest_body(user, hub, new, resolved),
            to=[user.email],
            hub=hub,
        )
        sent.append(record)
    return sent


def _count(items: Iterable[Any], noun: str) -> str:
    number = len(list(items))
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _digest_subject(hub: Hub, run_on: dt.date, new: list[Finding], resolved: list[Finding]) -> str:
    changes = []
    if new:
        changes.append(_count(new, "new risk"))
    if resolved:
        changes.append(f"{len(resolved)} resolved")
    return f"{hub.name}: {', '.join(changes)} on {date_words(run_on)}"


def _digest_body(user: User, hub: Hub, new: list[Finding], resolved: list[Finding]) -> str:
    lines = [f"Dear {user.get_short_name()},", "", f"What changed at {hub.name}:"]
    if new:
        lines += ["", f"New risks ({len(new)}):"]
        for finding in sorted(new, key=urgency):
            due = f" Due {date_words(finding.due)}." if finding.due else ""
            lines.append(
                f"- {finding.rule} ({finding.get_outcome_display().lower()}): "
                f"{finding.sentence} {action_for(finding)}.{due}"
            )
    if resolved:
        lines += ["", f"Resolved ({len(resolved)}):"]
        lines += [f"- {finding.rule}: {finding.sentence}" for finding in resolved]
    lines += ["", "Your to-do list on the home page has everything still open."]
    return "\n".join(lines) + "\n"
