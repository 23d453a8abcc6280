"""Reads of the at-risk scan's findings: each person's to-do list, ranked by urgency.

Who may see a finding is decided by the access policy (`Finding.objects.visible_to`);
which of those are *theirs to do* is decided here, per rule (`ACTIONS`): a facilitator's
list holds what a facilitator does for their cohorts (attendance, notes, joining
instructions), a provider's what a provider does for their participants (one-to-one
support), a hub administrator's everything in their hub.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from cohorts.models import Cohort
from cohorts.selectors import cohorts_with_hours
from participants.models import Participant
from participants.selectors import STATUSES, status_condition
from peernet.access import acts_on_finding, administers_hub, facilitates_cohort
from peernet.calendar import local_date
from peernet.models import Hub, Programme, User
from peernet.words import number_words
from reporting.models import Finding, FindingQuerySet
from sessions.models import Attendance, SessionStatus

HUB = "hub"  # hub administrators: every rule
FACILITATOR = "facilitator"
PROVIDER = "provider"


@dataclass(frozen=True)
class Action:
    """What to do about a rule's finding, and who besides the hub does it."""

    words: str  # an imperative; {cohort_hours} and {one_to_one_hours} come from the programme
    audience: frozenset[str] = frozenset({HUB})

    def say(self, programme: Programme | None) -> str:
        if programme is None:
            return self.words.format(cohort_hours="the required", one_to_one_hours="the required")
        return self.words.format(
            cohort_hours=number_words(programme.cohort_hours),
            one_to_one_hours=number_words(programme.one_to_one_hours),
        )


_WITH_FACILITATOR = frozenset({HUB, FACILITATOR})
_WITH_PROVIDER = frozenset({HUB, PROVIDER})

# What to do, per rule ID of docs/rules.md: the one place these words live.
ACTIONS: dict[str, Action] = {
    "E1": Action("Check the business's size against the SME tests before deciding eligibility"),
    "E2": Action("Check when the business started trading before deciding eligibility"),
    "E3": Action("Check the number of employees on PAYE before deciding eligibility"),
    "E4": Action("Check the business's turnover before deciding eligibility"),
    "E5": Action("Confirm the participant's aspiration to improve"),
    "E6": Action("Record both LEPs' agreement, or refuse the out-of-area registration"),
    "E7": Action("Confirm the participant is a senior decision maker"),
    "E8": Action("Record the local-discretion decision, or refuse the registration"),
    "E9": Action("Decide which one person from the business takes part"),
    "E10": Action("Note the business's growth and export potential"),
    "C1": Action("Get the Participant Charter signed before allocating to a cohort"),
    "C2": Action("Show the privacy notice and record its acknowledgement"),
    "K1": Action("Fill the cohort's places"),
    "K2": Action("Deliver the cohort's remaining hours"),
    "K3": Action("Review the session's length", _WITH_FACILITATOR),
    "K4": Action("Close the gap between sessions", _WITH_FACILITATOR),
    "K5": Action("Move the session into the delivery window"),
    "K6": Action("Schedule sessions to reach {cohort_hours} hours"),
    "K7": Action("Send the joining instructions", _WITH_FACILITATOR),
    "K8": Action("Record attendance", _WITH_FACILITATOR),
    "K9": Action("Write the facilitator notes", _WITH_FACILITATOR),
    "K10": Action("Record the action cards", _WITH_FACILITATOR),
    "K11": Action("Review the move between cohorts"),
    "K12": Action("Review the cohort's balance"),
    "K13": Action("Follow up the absences", _WITH_FACILITATOR),
    "O1": Action("Schedule one-to-one support to reach {one_to_one_hours} hours", _WITH_PROVIDER),
    "O2": Action("Move the one-to-one session after the first group session", _WITH_PROVIDER),
    "O3": Action("Bring the one-to-one session forward", _WITH_PROVIDER),
    "O4": Action("Move the one-to-one session into the delivery window", _WITH_PROVIDER),
    "O5": Action("Send the one-to-one joining instructions", _WITH_PROVIDER),
    "O6": Action("Agree the action plan", _WITH_PROVIDER),
    "O7": Action("Record the provider's declaration", _WITH_PROVIDER),
    "Q1": Action("Arrange an observation of the facilitator"),
    "Q2": Action("Give notice and share the privacy statement before the observation"),
    "Q4": Action("Delete the observation's recording"),
    "Q5": Action("Record the action taken on the complaint"),
    "S1": Action("Send the baseline survey"),
    "S2": Action("Remind participants to answer the session feedback survey"),
    "S3": Action("Send the exit survey"),
    "S4": Action("Send the drop-out survey"),
    "M1": Action("Submit the monthly return"),
}
_UNKNOWN = Action("Review the record")


def action_for(finding: Finding) -> str:
    """The imperative for a finding, with its programme's numbers."""
    return ACTIONS.get(finding.rule, _UNKNOWN).say(_programme(finding))


def _programme(finding: Finding) -> Programme | None:
    if finding.cohort is not None:
        return finding.cohort.programme
    if finding.participant is not None:
        return finding.participant.programme
    return None


def findings_for_user(
    user: User, *, hub: Hub | None = None, queryset: FindingQuerySet | None = None
) -> list[Finding]:
    """The findings that are this user's to act on: visible to them (access), and about a
    rule their role acts on (`ACTIONS`). Two queries whatever the number (the user's
    roles, once per request, and the findings)."""
    rows = (queryset if queryset is not None else Finding.objects.open()).visible_to(user)
    if hub is not None:
        rows = rows.filter(hub=hub)
    rows = rows.select_related(
        "hub", "cohort__programme", "participant__programme", "participant__one_to_one_provider"
    )
    return [finding for finding in rows if _theirs(user, finding)]


def _theirs(user: User, finding: Finding) -> bool:
    audience = ACTIONS.get(finding.rule, _UNKNOWN).audience
    return acts_on_finding(
        user, finding, facilitators=FACILITATOR in audience, providers=PROVIDER in audience
    )


# --- the to-do list -----------------------------------------------------------------


@dataclass(frozen=True)
class TodoItem:
    rule: str
    outcome: str  # fail or warn
    sentence: str  # what is wrong, with its numbers (the rule's own sentence)
    action: str  # what to do
    subject: str  # the record's name
    hub: str
    due: dt.date | None
    url: str | None  # the record's page, when there is one for this user
    overdue: bool = False  # due before today

    @property
    def is_fail(self) -> bool:
        return self.outcome == Finding.Outcome.FAIL


def _rule_order(rule: str) -> tuple[str, Decimal]:
    """E2 before E10: the letter, then the number."""
    letters = rule.rstrip("0123456789")
    digits = rule[len(letters) :]
    return letters, Decimal(digits or 0)


def urgency(finding: Finding) -> tuple[Any, ...]:
    """Fails before warnings, then the soonest due date (none last), then the rule."""
    return (
        finding.outcome != Finding.Outcome.FAIL,
        finding.due is None,
        finding.due or dt.date.max,
        _rule_order(finding.rule),
        finding.subject_name,
    )


# How many to-do items a page shows (the most urgent); the count says how many there are.
TODO_SHOWN = 50


def todo_for_user(user: User, *, hub: Hub | None = None) -> list[TodoItem]:
    """This user's to-do list from the open findings, most urgent first."""
    findings = sorted(findings_for_user(user, hub=hub), key=urgency)
    today = local_date(timezone.now())
    return [
        TodoItem(
            rule=finding.rule,
            outcome=finding.outcome,
            sentence=finding.sentence,
            action=action_for(finding),
            subject=finding.subject_name,
            hub=finding.hub.name,
            due=finding.due,
            url=record_url(finding, user),
            overdue=finding.due is not None and finding.due < today,
        )
        for finding in findings
    ]


def todo_kinds(items: list[TodoItem]) -> list[tuple[str, str, int, int]]:
    """The list grouped by rule, most urgent first: the rule, what to do (its first
    item's words), how many, and how many of them are overdue."""
    kinds: dict[str, list[TodoItem]] = {}
    for item in items:
        kinds.setdefault(item.rule, []).append(item)
    return [
        (rule, group[0].action, len(group), sum(1 for item in group if item.overdue))
        for rule, group in kinds.items()
    ]


def todo_filtered(
    items: list[TodoItem], *, rule: str = "", overdue: bool = False
) -> list[TodoItem]:
    """The items of one rule (all, for ""), and only the overdue ones when asked."""
    return [
        item for item in items if (not rule or item.rule == rule) and (item.overdue or not overdue)
    ]


# --- links --------------------------------------------------------------------------

# The record pages arrive with the hub, facilitator and one-to-one issues: until a name
# resolves, staff get the Django admin's page, others no link.
_PAGES: dict[str, str] = {
    Finding.SubjectKind.PARTICIPANT: "hub:participant",
    Finding.SubjectKind.COHORT: "hub:cohort",
    Finding.SubjectKind.SESSION: "facilitation:session",
}
_ADMIN_PAGES: dict[str, str] = {
    Finding.SubjectKind.PARTICIPANT: "admin:participants_participant_change",
    Finding.SubjectKind.COHORT: "admin:cohorts_cohort_change",
    Finding.SubjectKind.SESSION: "admin:delivery_groupsession_change",
    Finding.SubjectKind.ONE_TO_ONE: "admin:delivery_onetoonesession_change",
    Finding.SubjectKind.OBSERVATION: "admin:delivery_observation_change",
    Finding.SubjectKind.FACILITATOR: "admin:peernet_user_change",
    Finding.SubjectKind.COMPLAINT: "admin:delivery_complaint_change",
    Finding.SubjectKind.MONTHLY_RETURN: "admin:reporting_monthlyreturn_change",
}


def record_url(finding: Finding, user: User) -> str | None:
    """Where to act on a finding: the record's page for those who work on it (the hub's
    administrators and the coordinator; for a session, its cohort's facilitators too);
    else, for staff, the admin."""
    page = _PAGES.get(finding.subject_kind)
    may_open = administers_hub(user, finding.hub_id) or (
        finding.subject_kind == Finding.SubjectKind.SESSION
        and facilitates_cohort(user, finding.cohort_id)
    )
    if page is not None and finding.subject_code is not None and may_open:
        try:
            return reverse(page, kwargs={"hub": finding.hub.key, "code": finding.subject_code})
        except NoReverseMatch:
            pass
    if getattr(user, "is_staff", False) and finding.subject_kind in _ADMIN_PAGES:
        return reverse(_ADMIN_PAGES[finding.subject_kind], args=[finding.subject_id])
    return None


# --- the hub dashboard's figures ------------------------------------------------------


@dataclass(frozen=True)
class HubCounts:
    """A hub's participants by stage, its cohorts by state, and progress to its target."""

    registrations: int
    eligible: int
    ineligible: int
    pending: int
    allocated: int  # in a cohort now
    started: int  # attended a delivered group session
    dropped_out: int
    forming: int  # no hours delivered yet
    running: int
    completed: int  # the programme's cohort hours delivered (K2)
    target: int

    @property
    def cohorts(self) -> int:
        return self.forming + self.running + self.completed

    @property
    def progress(self) -> Decimal:
        """Started as a percentage of the target, to one decimal place."""
        if not self.target:
            return Decimal(0)
        return (Decimal(self.started) * 100 / self.target).quantize(Decimal("0.1"))

    @property
    def progress_bar(self) -> Decimal:
        return min(self.progress, Decimal(100))


def hub_counts(hub: Hub) -> HubCounts:
    """Two queries whatever the numbers: participants (one aggregate with conditional
    counts) and the cohorts' delivered hours. What is at risk is the cockpit's
    (`reporting.cockpit.at_risk`), counted as the return counts it."""

    # Present at a delivered session: the set built once, each participant looked up in it.
    started = Q(
        pk__in=Attendance.objects.filter(
            present=True, session__status=SessionStatus.DELIVERED
        ).values("participant_id")
    )
    # Each status counted by the registrations list's own condition, so a count and the
    # list it links to always agree.
    people = Participant.objects.filter(hub=hub).aggregate(
        registrations=Count("pk"),
        **{
            status.replace("-", "_"): Count("pk", filter=status_condition(status))
            for status in STATUSES
        },
        started=Count("pk", filter=started),
    )
    states = {"forming": 0, "running": 0, "completed": 0}
    for delivered, needed in cohorts_with_hours(Cohort.objects.filter(hub=hub)).values_list(
        "delivered_hours", "programme__cohort_hours"
    ):
        if not delivered:
            states["forming"] += 1
        elif delivered < needed:
            states["running"] += 1
        else:
            states["completed"] += 1
    return HubCounts(**people, **states, target=hub.target)
