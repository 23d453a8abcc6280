"""Personal data under UK GDPR: what we hold, for how long, and how it is given back or
erased (SECURITY.md 22–25).

`REGISTRY` lists every model that holds personal data: its personal fields, how its
rows reach a participant (the lookup from the model to `participants.Participant`, or
None for staff data), how long it is kept and what erasure does to it. The subject
access export, erasure and the retention job are all driven by it, and
`tests/security/test_privacy_registry.py` fails when a model that looks personal is
neither in it nor in `NOT_PERSONAL` with a reason.

Retention choices (SECURITY.md 24), stated once here:
- participants and every record about them: 7 years after the end of their programme
  year's delivery window (the funder's audit period), then erased (pseudonymised: the
  numbers stay in the programme's figures, nothing identifies the person);
- survey invitations (the emailed tokens): 1 year after they expire, then deleted;
- audit events: 7 years, then deleted; rule warnings: 7 years, then deleted;
- export files (downloads): 30 days after they were asked for, then deleted;
- risk-scan findings: 2 years after they were resolved, then deleted; risk digests sent:
  2 years, then deleted.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Generic, TypeVar

from django.apps import apps
from django.db import models, transaction
from django.db.models import Model, Q, QuerySet
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.text import capfirst

from peernet.calendar import LONDON

ERASED = "(erased)"
ERASED_DOMAIN = "erased.invalid"
SMALL_COUNT = 5


# --- equality (SECURITY.md 7, 25) --------------------------------------------------------

SUPPRESSED = "suppressed"  # a count of a breakdown table that is not shown

Area = TypeVar("Area", bound=Hashable)
Cell = tuple[Any, str]  # (area, category)


def _small(count: int) -> bool:
    """The primary rule, the one place it is written: 1 to 4 people pick someone out."""
    return 0 < count < SMALL_COUNT


def suppress_small(count: int) -> int | str:
    """A count shown on its own: 1 to 4 is shown as "fewer than 5", so nobody can be
    picked out (SECURITY.md 7); 0 and 5 or more as they are.

    Only for a count that nothing shown beside it can give away. A breakdown shown with
    its total, or beside a cluster's or the nation's sum, goes through
    `suppress_breakdown`: there a lone "fewer than 5" is the total less the others."""
    return f"fewer than {SMALL_COUNT}" if _small(count) else count


def suppress_breakdown(
    counts: Mapping[Area, Mapping[str, int]],
    parts: Mapping[Area, Sequence[Area]] | None = None,
    *,
    totals_shown: bool = True,
) -> dict[Area, dict[str, int | str]]:
    """A breakdown table as it may be shown (SECURITY.md 7): `counts` has a row per area
    (a hub, a cluster, the nation), each row its categories' counts; `parts` says which
    rows add up to which (a cluster's row is the sum of its hubs' rows, the nation's of
    its clusters'); `totals_shown` says whether a reader knows each row's total (the
    returns show it: participants started). Every row comes back with its categories in
    their order, each count as it is or as SUPPRESSED.

    Why more than "fewer than 5" cell by cell: whoever sees a row's total and every other
    count in it gets a lone suppressed count back by subtraction (19 - 9 - 9 - 0 - 0 = 1),
    and a lone suppressed hub count in a category is the cluster's count less the other
    hubs'. So the method, in plain words:

    1. Primary suppression: every count from 1 to 4 is suppressed.
    2. Secondary suppression: each suppressed count is given company, so that the counts
       shown, the totals and the sums still fit another table. We pick a second category
       of the row and a partner row in the sum above it: another hub of the same cluster
       (or, further out, another cluster of the nation, or the whole line up to the
       nation); an area that is itself a sum takes one of its parts with it, down to a
       hub. All the corners (both categories, in every row on the way) are suppressed.
       Moving one person from the first category to the second in one row, and back in
       the partner row, changes no total and no sum, so a reader cannot tell the real
       table from the moved one, however they combine the sums (one at a time, all of
       them at once, or knowing that no count is below 0): every suppressed count could
       be at least two numbers.
    3. Which corners, in this order of preference: no zero corner (a zero is suppressed
       only when nothing else will do, and never on the side a person would be moved
       from, where it would make the move impossible); a partner near at hand before a
       wider area; the fewest people newly hidden (a count already suppressed costs
       nothing, so small counts protect each other; so, in a row alone, the smallest
       non-zero count goes with the small one); the fewest counts; the order of rows and
       categories. A count already among suppressed corners needs nothing more.

    Every suppressed count reads the same, SUPPRESSED, never "fewer than 5": a count hidden
    for company is not fewer than 5, and labels telling the two apart would say which
    hidden count is small and bound it (a total of 6 shown as "fewer than 5" and "5 or
    more" can only be 1 and 5).

    With no total shown, the second category is not needed: a partner row alone (and
    nothing at all for a row that is part of no sum). A row of one category, with its
    total shown, cannot be protected: its count is its total.

    Deterministic: the same table is always suppressed the same way, so a count hidden on
    one page is hidden on every page and in every download built from the same table."""
    return _SuppressionTable(counts, parts or {}, totals_shown).suppressed()


@dataclass(frozen=True)
class _Choice:
    """A candidate set of corners: each cell with the way it moves (+1 or -1)."""

    moves: dict[Cell, int]
    strength: int  # 0: every corner non-zero; 1: the side that loses a person non-zero
    level: int  # 0: a partner in the same sum; 1: a wider area; ...
    hidden_people: int  # the counts it newly suppresses, added up
    hidden_cells: int  # how many counts it newly suppresses

    @property
    def rank(self) -> tuple[int, int, int, int]:
        return (self.strength, self.level, self.hidden_people, self.hidden_cells)


class _SuppressionTable(Generic[Area]):
    """suppress_breakdown's working state (its docstring says the method)."""

    def __init__(
        self,
        counts: Mapping[Area, Mapping[str, int]],
        parts: Mapping[Area, Sequence[Area]],
        totals_shown: bool,
    ) -> None:
        self.given = counts
        # Only whole numbers take part; anything else is passed through as it is.
        self.counts: dict[Area, dict[str, int]] = {
            area: {c: n for c, n in row.items() if type(n) is int} for area, row in counts.items()
        }
        self.totals_shown = totals_shown
        self.parent: dict[Area, Area] = {}
        self.children: dict[Area, list[Area]] = {area: [] for area in counts}
        for whole, areas in parts.items():
            for area in areas:
                if whole not in counts or area not in counts:
                    continue
                if area in self.parent:
                    raise ValueError(f"{area!r} is a part of two sums.")
                self.parent[area] = whole
                self.children[whole].append(area)
        self.hidden: set[Cell] = {
            (area, c) for area, row in self.counts.items() for c, n in row.items() if _small(n)
        }
        self.protected: set[Cell] = set()

    def suppressed(self) -> dict[Area, dict[str, int | str]]:
        for area, row in self.counts.items():
            for category, count in row.items():
                if _small(count) and (area, category) not in self.protected:
                    self._protect(area, category)
        return {
            area: {
                c: SUPPRESSED if (area, c) in self.hidden else n
                for c, n in self.given[area].items()
            }
            for area in self.given
        }

    def _protect(self, area: Area, category: str) -> None:
        best: _Choice | None = None
        for choice in self._choices(area, category):
            if best is not None and best.strength == 0 and choice.level > best.level:
                break  # nothing wider can beat a choice with no zero corner
            if best is None or choice.rank < best.rank:
                best = choice
        if best is None:  # a row of one category: nothing can keep it from its total
            self.protected.add((area, category))
            return
        self.hidden |= best.moves.keys()
        self.protected |= best.moves.keys()

    def _choices(self, area: Area, category: str) -> Iterator[_Choice]:
        """Every valid set of corners for one suppressed count, nearest areas first."""
        line = [area]  # the area and the sums above it, up to the nation
        while line[-1] in self.parent:
            line.append(self.parent[line[-1]])
        others: list[str | None] = (
            [c for c in self.counts[area] if c != category] if self.totals_shown else [None]
        )
        for level, top in enumerate(line):
            if top in self.parent:  # a partner beside `top` in the sum above it
                partners: list[Area | None] = [
                    a for a in self.children[self.parent[top]] if a != top
                ]
            else:  # the top of the table: the whole line moves
                partners = [None]
            for other in others:
                gaining = line[: level + 1] + self._down(area, category, other, 1)
                for partner in partners:
                    losing = []
                    if partner is not None:
                        losing = [partner, *self._down(partner, category, other, -1)]
                    choice = self._judge(gaining, losing, category, other, level)
                    if choice is not None:
                        yield choice

    def _corners(self, area: Area, category: str, other: str | None, sign: int) -> dict[Cell, int]:
        corners = {(area, category): sign}
        if other is not None:
            corners[(area, other)] = -sign
        return corners

    def _down(self, area: Area, category: str, other: str | None, sign: int) -> list[Area]:
        """A sum moves only if one of its parts moves with it: the best part at each level
        down to a hub (every corner non-zero, else the side losing a person non-zero, then
        the fewest people newly hidden, then the order)."""
        path: list[Area] = []
        while self.children[area]:

            def rank(part: Area) -> tuple[int, int]:
                corners = self._corners(part, category, other, sign)
                values = [self.counts[a].get(c) for a, c in corners]
                if None in values:
                    return (3, 0)
                if all(v >= 1 for v in values):
                    strength = 0
                elif all(self.counts[a][c] >= 1 for (a, c), k in corners.items() if k > 0):
                    strength = 1
                else:
                    strength = 2
                return (
                    strength,
                    sum(self.counts[a][c] for a, c in corners if (a, c) not in self.hidden),
                )

            area = min(self.children[area], key=rank)
            path.append(area)
        return path

    def _judge(
        self,
        gaining: list[Area],
        losing: list[Area],
        category: str,
        other: str | None,
        level: int,
    ) -> _Choice | None:
        moves: dict[Cell, int] = {}
        for areas, sign in ((gaining, 1), (losing, -1)):
            for area in areas:
                moves |= self._corners(area, category, other, sign)
        values: dict[Cell, int] = {}
        for area, c in moves:
            value = self.counts[area].get(c)
            if value is None:  # a category the row does not have
                return None
            values[(area, c)] = value
        if all(v >= 1 for v in values.values()):
            strength = 0
        elif all(values[cell] >= 1 for cell, k in moves.items() if k > 0):
            strength = 1  # the move can be made: one person less in each + corner
        else:
            return None
        new = [cell for cell in moves if cell not in self.hidden]
        return _Choice(moves, strength, level, sum(values[c] for c in new), len(new))


# --- the registry -------------------------------------------------------------------------


@dataclass(frozen=True)
class Retention:
    """How long a kind of record is kept (SECURITY.md 24)."""

    period: str  # in words, for the registry page and the report
    action: str  # "erase" (pseudonymise with the participant), "delete", or "keep"
    # For "delete": the datetime field it runs from and how long after it.
    since: str = ""
    keep_for: dt.timedelta | None = None
    # Only rows matching this are deleted (e.g. findings that are resolved).
    only: Q | None = None


WITH_PARTICIPANT = Retention(
    "7 years after the end of the participant's programme year, then erased with them",
    "erase",
)
YEAR = dt.timedelta(days=365)


@dataclass(frozen=True)
class PersonalData:
    model: str  # "app_label.ModelName"
    fields: tuple[str, ...]  # the fields that are personal
    # The lookup from the model to the participant ("" for Participant itself); None when
    # the rows are about staff, or reached by `rows` below.
    path: str | None
    retention: Retention
    # Erasure: free text replaced by ERASED (an empty field stays empty, so "is it
    # written" checks keep their answer); text where the person's name is replaced by
    # their pseudonym (notes about a group); the rest of `fields` is kept.
    erase_text: tuple[str, ...] = ()
    redact: tuple[str, ...] = ()
    about: str = "participant"  # or "staff"
    # Rows about the participant found another way than `path`.
    rows: Callable[[Any], QuerySet] | None = None
    note: str = ""

    @property
    def model_class(self) -> type[Model] | None:
        try:
            return apps.get_model(self.model)
        except LookupError:  # a model another part of the system has not added yet
            return None

    def rows_for(self, participant: Any) -> QuerySet:
        model = self.model_class
        assert model is not None
        if self.rows is not None:
            return self.rows(participant)
        assert self.path is not None
        lookup = f"{self.path}__pk" if self.path else "pk"
        # By key, not .distinct(): a path through a to-many relation repeats rows.
        keys = model._default_manager.filter(**{lookup: participant.pk}).values("pk")
        return model._default_manager.filter(pk__in=keys)


def _rule_warnings(participant: Any) -> QuerySet:
    from peernet.models import RuleWarning

    return RuleWarning.objects.filter(
        Q(subject_kind="participant", subject_id=participant.pk)
        | Q(hub_id=participant.hub_id, sentence__icontains=participant.full_name)
    )


def _audit_events(participant: Any) -> QuerySet:
    from peernet.models import AuditEvent

    return AuditEvent.objects.filter(
        object_type="participants.participant", object_id=str(participant.pk)
    )


def _complaints(participant: Any) -> QuerySet:
    from sessions.models import Complaint

    match = Q()
    for text in (participant.full_name, participant.email):
        if text.strip():
            match |= Q(received_from__icontains=text) | Q(summary__icontains=text)
            match |= Q(action_taken__icontains=text)
    return Complaint.objects.filter(match, hub_id=participant.hub_id)


_NOTES = ("issues_brought", "actions_agreed", "process_issues", "hot_topics")
_PLAN = ("goal", "reality", "options", "way_forward", "tactics", "habits")

REGISTRY: tuple[PersonalData, ...] = (
    PersonalData(
        "participants.Participant",
        (
            "first_name",
            "last_name",
            "email",
            "phone",
            "job_title",
            "key",
            "eligibility_notes",
            "dropout_reason",
            "senior_decision_maker",
            "aspiration_to_improve",
            "previous_year_participant",
        ),
        "",
        WITH_PARTICIPANT,
        erase_text=("eligibility_notes", "dropout_reason"),
        note="Names, email, phone, job title and key are replaced by a pseudonym.",
    ),
    PersonalData(
        "participants.Business",
        ("name", "company_number", "postcode", "key"),
        "participants",
        WITH_PARTICIPANT,
        note="Identifiers pseudonymised once none of its participants is left unerased; "
        "the size, sector, area and finances are kept for the figures.",
    ),
    PersonalData(
        "participants.EligibilityOutcome",
        ("sentence",),
        "participant",
        WITH_PARTICIPANT,
        redact=("sentence",),
    ),
    PersonalData(
        "participants.EligibilityException",
        ("details",),
        "participant",
        WITH_PARTICIPANT,
        erase_text=("details",),
    ),
    PersonalData(
        "participants.EqualityData",
        ("gender", "ethnic_group", "age_band", "disability"),
        "participant",
        WITH_PARTICIPANT,
        note="Special category data; kept after erasure only as counts (it no longer "
        "names anyone) and only ever shown aggregated (SECURITY.md 25).",
    ),
    PersonalData(
        "participants.SurveyInvitation",
        ("draft",),
        "participant",
        Retention(
            "1 year after the link expires, then deleted",
            "delete",
            since="expires_at",
            keep_for=YEAR,
        ),
        note="The draft answers are cleared on erasure.",
    ),
    PersonalData(
        "participants.BusinessMatch",
        ("status", "found_at"),
        "participant",
        WITH_PARTICIPANT,
        note="E9: a possible match of the participant's business with another, by name and "
        "postcode, and the hub's decision.",
    ),
    PersonalData(
        "participants.ParticipantLink",
        ("sent_at", "used_at"),
        "participant",
        Retention(
            "1 year after the link expires, then deleted",
            "delete",
            since="expires_at",
            keep_for=YEAR,
        ),
        note="When each charter and action-card link was sent and used; no content.",
    ),
    PersonalData(
        "participants.SurveyResponse",
        ("answers",),
        "participant",
        WITH_PARTICIPANT,
        note="Free-text answers are erased; scores and choices are kept for the figures.",
    ),
    PersonalData("cohorts.CohortMembership", ("joined", "left"), "participant", WITH_PARTICIPANT),
    PersonalData(
        "cohorts.JoiningInstructions",
        ("contact_name", "contact_details"),
        None,
        Retention("With the cohort: 7 years after the programme year ends", "keep"),
        about="staff",
    ),
    PersonalData(
        "delivery.Attendance", ("present", "apologies", "hours"), "participant", WITH_PARTICIPANT
    ),
    PersonalData(
        "delivery.AbsenceFollowUp",
        ("followed_up_on", "method", "outcome"),
        "participant",
        WITH_PARTICIPANT,
        erase_text=("outcome",),
        note="K13: how an absence was followed up; what came of it is erased.",
    ),
    PersonalData(
        "delivery.FacilitatorNote",
        _NOTES,
        "session__attendance__participant",
        WITH_PARTICIPANT,
        redact=_NOTES,
        note="Notes about the group: the participant's name is replaced by the pseudonym.",
    ),
    PersonalData(
        "delivery.ActionCard",
        ("actions", "report_back"),
        "participant",
        WITH_PARTICIPANT,
        erase_text=("actions", "report_back"),
    ),
    PersonalData(
        "delivery.OneToOneSession",
        ("nature_of_support", "evidence", "actions_agreed", "platform"),
        "participant",
        WITH_PARTICIPANT,
        erase_text=("nature_of_support", "evidence", "actions_agreed"),
    ),
    PersonalData("delivery.ActionPlan", _PLAN, "participant", WITH_PARTICIPANT, erase_text=_PLAN),
    PersonalData(
        "delivery.ActionPlanRevision",
        _PLAN,
        "plan__participant",
        WITH_PARTICIPANT,
        erase_text=_PLAN,
    ),
    PersonalData(
        "delivery.OneToOneReferral",
        ("nature_of_support", "contact"),
        "participant",
        WITH_PARTICIPANT,
        erase_text=("nature_of_support", "contact"),
    ),
    PersonalData(
        "delivery.OneToOneDecline", ("note",), "participant", WITH_PARTICIPANT, erase_text=("note",)
    ),
    PersonalData(
        "delivery.ProviderDeclaration",
        ("conflict_details", "private_work_details"),
        "participant",
        WITH_PARTICIPANT,
        erase_text=("conflict_details", "private_work_details"),
    ),
    PersonalData("delivery.JoiningInstructionsSent", ("sent_at",), "participant", WITH_PARTICIPANT),
    PersonalData(
        "delivery.Complaint",
        ("received_from", "summary", "action_taken"),
        None,
        WITH_PARTICIPANT,
        rows=_complaints,
        redact=("received_from", "summary", "action_taken"),
        note="Found by the participant's name or email in the complaint; a complaint from "
        "them has its text erased, one that mentions them has the name replaced.",
    ),
    PersonalData(
        "delivery.Observation",
        ("feedback", "ratings"),
        None,
        Retention("With the cohort: 7 years after the programme year ends", "keep"),
        about="staff",
        note="Feedback to the facilitator observed.",
    ),
    PersonalData(
        "reporting.Finding",
        ("subject_name", "sentence"),
        "participant",
        Retention(
            "2 years after it was resolved, then deleted",
            "delete",
            since="resolved",
            keep_for=2 * YEAR,
            only=Q(resolved__isnull=False),
        ),
        redact=("subject_name", "sentence"),
    ),
    PersonalData(
        "peernet.RuleWarning",
        ("sentence",),
        None,
        Retention("7 years, then deleted", "delete", since="recorded_at", keep_for=7 * YEAR),
        rows=_rule_warnings,
        redact=("sentence",),
    ),
    PersonalData(
        "peernet.AuditEvent",
        ("actor_email", "ip_address", "object_id"),
        None,
        Retention("7 years, then deleted", "delete", since="at", keep_for=7 * YEAR),
        rows=_audit_events,
        note="Holds ids and what changed, never free text about a participant: nothing to "
        "erase. Append-only; deleted only by the retention job.",
    ),
    PersonalData(
        "peernet.User",
        ("name", "email"),
        None,
        Retention("While the account is needed; deactivated by the coordinator", "keep"),
        about="staff",
    ),
    PersonalData(
        "reporting.DigestSent",
        ("user",),
        None,
        Retention("2 years, then deleted", "delete", since="sent_at", keep_for=2 * YEAR),
        about="staff",
    ),
    PersonalData(
        "reporting.ExportFile",
        ("content", "params", "filename"),
        None,
        Retention(
            "30 days after it was asked for, then deleted",
            "delete",
            since="requested_at",
            keep_for=dt.timedelta(days=30),
        ),
        about="staff",
        note="A download may hold participants' data; it is kept for the person who asked.",
    ),
)

# Models of our apps that look personal to the registry test but are not: why.
NOT_PERSONAL: dict[str, str] = {
    "peernet.Programme": "The programme year's name and rule parameters.",
    "peernet.Cluster": "A group of hubs; its name is an area's.",
    "peernet.Hub": "An organisation (a Growth Hub and its LEP).",
    "peernet.DeliveryPartner": "An organisation contracted by a hub.",
    "peernet.WorkerHeartbeat": "A machine's name and a time.",
    "peernet.Breach": "The breach register: incidents, described without naming anyone "
    "(the coordinator's accountability record, kept indefinitely).",
    "participants.SurveyInstrument": "A questionnaire's questions.",
    "cohorts.Cohort": "A group's name and dates.",
    "delivery.Topic": "The BEIS core topic list.",
    "delivery.GroupSession": "A session's time and venue.",
    "reporting.MonthlyReturn": "A hub's aggregate figures and its narrative about the hub.",
    "reporting.ReturnVersion": "A submitted return: aggregate figures, frozen.",
    "reporting.RiskScan": "Counts of a hub's findings.",
}


def entries(*, about: str | None = None) -> list[PersonalData]:
    """The registry's entries whose model is installed (optionally only those about
    participants or staff)."""
    return [
        entry
        for entry in REGISTRY
        if entry.model_class is not None and (about is None or entry.about == about)
    ]


def _participant_entries() -> list[PersonalData]:
    return [e for e in entries(about="participant") if e.path is not None or e.rows is not None]


# --- subject access (SECURITY.md 22) ----------------------------------------------------


def _value(instance: Model, field_: models.Field) -> Any:
    if isinstance(field_, models.BinaryField):
        return None
    if field_.is_relation:
        return getattr(instance, field_.attname)
    return getattr(instance, field_.attname)


def _row(instance: Model) -> dict[str, Any]:
    return {
        f.name: _value(instance, f)
        for f in instance._meta.concrete_fields
        if not isinstance(f, models.BinaryField) and f.name != "password"
    }


@dataclass
class SubjectAccessSection:
    model: str
    title: str
    note: str
    rows: list[dict[str, Any]] = field(default_factory=list)


def subject_access_sections(participant: Any) -> list[SubjectAccessSection]:
    """Everything held about the participant, one section per registry entry."""
    sections = []
    for entry in _participant_entries():
        model = entry.model_class
        assert model is not None
        sections.append(
            SubjectAccessSection(
                model=entry.model,
                title=str(model._meta.verbose_name_plural).capitalize(),
                note=entry.note,
                rows=[_row(row) for row in entry.rows_for(participant).order_by("pk")],
            )
        )
    return sections


def subject_access_document(participant: Any, *, by: Any, at: dt.datetime) -> dict[str, Any]:
    """The JSON export: every section, with who asked and when."""
    return {
        "participant": str(participant.code),
        "generated_at": at.isoformat(),
        "generated_by": getattr(by, "email", ""),
        "retention": {e.model: e.retention.period for e in _participant_entries()},
        "records": {
            section.model: {"title": section.title, "note": section.note, "rows": section.rows}
            for section in subject_access_sections(participant)
        },
    }


# --- subject access, written for the person it is about (the PDF) ---------------------------
#
# The JSON export above is the machine-readable copy, field by field. The PDF is the copy
# the participant reads: each kind of record under a heading addressed to them, each value
# labelled in words and written as they would write it (dates in words, times in UK time,
# yes or no, a choice by its name, a session by its cohort and date), survey answers as
# question and answer, and nothing that only identifies a row inside the system (ids,
# keys, codes, tokens, version counters, rule ids, the staff's network addresses).

READABLE_TITLES: dict[str, str] = {
    "participants.Participant": "Your details",
    "participants.Business": "Your business",
    "participants.EligibilityOutcome": "Checks of your eligibility",
    "participants.EligibilityException": "Exceptions to the eligibility rules agreed for you",
    "participants.EqualityData": "Your equality information",
    "participants.SurveyInvitation": "Surveys you were invited to answer",
    "participants.BusinessMatch": "Possible matches of your business with another registration",
    "participants.ParticipantLink": "Links emailed to you",
    "participants.SurveyResponse": "Your survey answers",
    "cohorts.CohortMembership": "Your peer network",
    "delivery.Attendance": "Your attendance at sessions",
    "delivery.AbsenceFollowUp": "Follow-up after you missed a session",
    "delivery.FacilitatorNote": "Facilitator notes of your sessions",
    "delivery.ActionCard": "Your action cards",
    "delivery.OneToOneSession": "Your one-to-one sessions",
    "delivery.ActionPlan": "Your action plan",
    "delivery.ActionPlanRevision": "Earlier versions of your action plan",
    "delivery.OneToOneReferral": "Referrals to other support",
    "delivery.OneToOneDecline": "One-to-one support you declined",
    "delivery.ProviderDeclaration": "Your one-to-one provider's declarations about you",
    "delivery.JoiningInstructionsSent": "Joining instructions sent to you",
    "delivery.Complaint": "Complaints from you or that mention you",
    "reporting.Finding": "Checks of the programme's rules about you",
    "peernet.RuleWarning": "Warnings from the programme's rules about you",
    "peernet.AuditEvent": "Who has seen or changed your record",
}

# Labels in the person's words, where a field's own name would not do.
READABLE_LABELS: dict[str, str] = {
    "email": "Email address",
    "phone": "Phone number",
    "registered": "Registered on",
    "privacy_notice_acknowledged": "Privacy notice read on",
    "senior_decision_maker": "A senior decision maker in the business",
    "aspiration_to_improve": "Wants to improve the business",
    "previous_year_participant": "Took part in an earlier year",
    "eligibility_decided": "Eligibility decided on",
    "eligibility_decided_by": "Eligibility decided by",
    "charter_signed_at": "Participant Charter signed",
    "charter_version": "Participant Charter version",
    "one_to_one_provider": "One-to-one provider",
    "one_to_one_declined": "One-to-one support declined",
    "dropped_out_on": "Left the programme on",
    "dropout_reason": "Why you left",
    "created": "Recorded",
    "trading_since": "Trading since",
    "employees": "Employees",
    "sector": "Sector",
    "kind": "Kind",
    "instrument": "Survey",
    "starts_at": "Starts",
    "sent_at": "Sent",
    "expires_at": "Works until",
    "reminded_at": "Reminder sent",
    "completed_at": "Answered",
    "completed": "Completed on",
    "used_at": "Used",
    "superseded_at": "Replaced by a newer link",
    "found_at": "Found",
    "decided_at": "Decided",
    "joined": "Joined on",
    "left": "Left on",
    "present": "Present",
    "apologies": "Sent apologies",
    "recorded_at": "Recorded",
    "updated": "Last changed",
    "followed_up_on": "Followed up on",
    "hours": "Hours",
    "entered_by_hub": "Recorded by the hub",
    "existing_programme": "Existing local programme",
    "joining_instructions_sent_at": "Joining instructions sent",
    "options": "Obstacles and options",
    "number": "Version",
    "revised_at": "Revised",
    "referred_on": "Referred on",
    "declined_on": "Declined on",
    "declared_on": "Declared on",
    "first_found": "First found",
    "last_found": "Last found",
    "resolved": "Resolved",
    "due": "Due by",
    "subject_name": "About",
    "sentence": "What it says",
    "at": "When",
    "actor": "By",
    "actor_email": "Their email address",
    "action": "What was done",
    "summary": "Details",
}

# Fields that identify a row inside the system, not anything about the person.
INTERNAL_FIELDS = frozenset(
    {
        "key",
        "code",
        "nonce",
        "sequence",
        "subject_id",
        "subject_code",
        "subject_kind",
        "object_type",
        "object_id",
        "request_id",
        "ip_address",
        "before",
        "after",
    }
)
# Related records that are the person, or said once at the top of the document, or only
# a link between rows.
_UNSHOWN_RELATIONS = frozenset(
    {
        "participants.Participant",
        "peernet.Hub",
        "participants.SurveyInvitation",
        "delivery.ActionPlan",
    }
)
_MONEY_FIELDS = frozenset({"turnover", "balance_sheet_total"})


@dataclass
class ReadableRecord:
    facts: list[tuple[str, str]]  # (label, value in words)
    answers_title: str = ""
    answers: list[tuple[str, str]] = field(default_factory=list)  # (question, answer)


@dataclass
class ReadableSection:
    title: str
    kept: str  # how long it is kept (UK GDPR Article 15(1)(d))
    records: list[ReadableRecord]


def _moment_words(moment: dt.datetime) -> str:
    """2 June 2021 at 10:00 (UK time)."""
    local = timezone.localtime(moment, LONDON)
    return f"{local.day} {local:%B %Y} at {local:%H:%M}"


def _related_words(related: Model) -> str | None:
    """A related record in words, or None when it is not to be shown."""
    label = related._meta.label
    if label in _UNSHOWN_RELATIONS:
        return None
    if label == "delivery.GroupSession":
        return f"{related.cohort.name}, {_moment_words(related.starts_at)}"
    if label == "delivery.OneToOneSession":
        return f"One-to-one session, {_moment_words(related.starts_at)}"
    if label == "participants.SurveyInstrument":
        return related.title
    return str(related)


def _field_words(instance: Model, field_: models.Field) -> str | None:
    """One field's value as the person would write it; None for nothing to show."""
    if field_.is_relation:
        related = getattr(instance, field_.name)
        return None if related is None else _related_words(related)
    value = getattr(instance, field_.attname)
    if value is None or value == "" or value == [] or value == {}:
        return None
    if field_.choices:
        return str(getattr(instance, f"get_{field_.name}_display")())
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.datetime):
        return _moment_words(value)
    if isinstance(value, dt.date):
        return f"{value.day} {value:%B %Y}"
    if field_.name in _MONEY_FIELDS:
        return f"£{value:,.0f}"
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return str(value)


def _answers(instrument: Any, answers: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Survey answers as question and answer, in the questionnaire's order."""
    from participants.surveys import answer_words

    questions = list(instrument.questions or []) if instrument is not None else []
    known = {q.get("key") for q in questions}
    pairs = [
        (str(q.get("text") or q["key"]), answer_words(q, answers[q["key"]]))
        for q in questions
        if q.get("key") in answers
    ]
    pairs += [
        (str(key).replace("_", " ").capitalize(), str(value))
        for key, value in answers.items()
        if key not in known
    ]
    return pairs


def _readable(instance: Model) -> ReadableRecord:
    record = ReadableRecord(facts=[])
    for field_ in instance._meta.concrete_fields:
        if (
            field_.primary_key
            or field_.name in INTERNAL_FIELDS
            or isinstance(field_, models.BinaryField | models.UUIDField)
            or field_.name == "password"
            # A rule's id ("O1") says nothing to the person; a rule with a name says it.
            or (field_.name == "rule" and not field_.choices)
        ):
            continue
        if isinstance(field_, models.JSONField):
            answers = getattr(instance, field_.attname)
            if field_.name in ("answers", "draft") and answers:
                instrument = getattr(instance, "instrument", None)
                record.answers_title = (
                    f"{instrument.title}: your answers"
                    if field_.name == "answers"
                    else f"{instrument.title}: answers saved but not yet sent"
                )
                record.answers = _answers(instrument, answers)
            continue
        words = _field_words(instance, field_)
        if words is not None:
            label = READABLE_LABELS.get(field_.name) or capfirst(str(field_.verbose_name))
            record.facts.append((label, words))
    return record


def subject_access_readable(participant: Any) -> list[ReadableSection]:
    """Everything held about the participant, as the PDF gives it to them: one section per
    registry entry (those with nothing say so), each record in words (see above)."""
    sections = []
    for entry in _participant_entries():
        model = entry.model_class
        assert model is not None
        rows = entry.rows_for(participant).order_by("pk")
        sections.append(
            ReadableSection(
                title=READABLE_TITLES.get(entry.model)
                or capfirst(str(model._meta.verbose_name_plural)),
                # The registry's words are the staff's ("the participant's"); these are theirs.
                kept=entry.retention.period.replace("the participant's", "your").replace(
                    "erased with them", "erased with your record"
                ),
                records=[_readable(row) for row in rows],
            )
        )
    return sections


# --- erasure (SECURITY.md 23) -----------------------------------------------------------


def is_erased(participant: Any) -> bool:
    return participant.email.endswith(f"@{ERASED_DOMAIN}")


def evaluator_pseudonym(code: Any) -> str:
    """The participant's one pseudonym for the evaluator, the same in every file and page
    that carries one (the baseline export, the completers list): an HMAC-SHA256 of their
    random public code under a key derived from the deployment's secret. It names nobody
    and cannot be turned back into the participant, so the evaluator can join the files
    on it."""
    digest = salted_hmac("peernet.evaluator-pseudonym", str(code), algorithm="sha256")
    return "P-" + digest.hexdigest()[:16]


def erased_identifiers(participant: Any) -> tuple[str, str, str]:
    """(first name, last name, email) that replace the participant's on erasure: derived
    from the random public code, so erasing again changes nothing."""
    short = participant.code.hex[:12]
    return "Erased", f"participant {short}", f"erased-{short}@{ERASED_DOMAIN}"


def _name_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    words = sorted({n.strip() for n in names if n and len(n.strip()) > 1}, key=len, reverse=True)
    if not words:
        return None
    return re.compile(r"\b(" + "|".join(re.escape(w) for w in words) + r")\b", re.IGNORECASE)


def _erase_text(value: str) -> str:
    return ERASED if value.strip() else value


def _erase_answers(response: Any) -> dict[str, Any]:
    """Survey answers without the free-text ones (scores and choices kept)."""
    kinds = {q.get("key"): q.get("type") for q in (response.instrument.questions or [])}
    answers = dict(response.answers or {})
    for key, value in answers.items():
        if isinstance(value, str) and kinds.get(key, "text") == "text" and value.strip():
            answers[key] = ERASED
    return answers


class ErasureRefused(Exception):
    pass


@transaction.atomic
def erase_participant(participant: Any, actor: Any, reason: str) -> Any:
    """SECURITY.md 23: replace the participant's identifiers with a pseudonym, erase the
    free text about them, keep the numbers (attendance, hours, memberships, scores,
    equality counts) so every return and every figure computed afresh is unchanged.
    Idempotent; audited."""
    from participants.models import Business, Participant

    reason = reason.strip()
    if not reason:
        raise ErasureRefused("Enter why the participant's data is being erased.")
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    if is_erased(participant):
        return participant  # erased before: nothing left to replace
    first, last, email = erased_identifiers(participant)
    business = Business.objects.select_for_update().get(pk=participant.business_id)
    others = business.participants.exclude(pk=participant.pk).exclude(
        email__endswith=f"@{ERASED_DOMAIN}"
    )
    erase_business = not others.exists() and not business.key.startswith("erased-")
    identifiers = [
        participant.full_name,
        participant.first_name,
        participant.last_name,
        participant.email,
        participant.phone,
    ]
    if erase_business:
        identifiers.append(business.name)
    pattern = _name_pattern(identifiers)
    new_name = f"{first} {last}"
    from_them = _name_pattern([participant.full_name, participant.email])
    changed: dict[str, int] = {}

    for entry in _participant_entries():
        if entry.model in ("participants.Participant", "participants.Business"):
            continue
        rows = list(entry.rows_for(participant))
        for row in rows:
            updates: list[str] = []
            for name in entry.erase_text:
                old = getattr(row, name)
                if old != _erase_text(old):
                    setattr(row, name, _erase_text(old))
                    updates.append(name)
            if (
                entry.model == "delivery.Complaint"
                and from_them is not None
                and from_them.search(row.received_from)
            ):
                row.received_from = new_name
                row.summary = _erase_text(row.summary)
                row.action_taken = _erase_text(row.action_taken)
                updates += ["received_from", "summary", "action_taken"]
            for name in entry.redact:
                old = getattr(row, name)
                if pattern is not None and isinstance(old, str):
                    new = pattern.sub(new_name, old)
                    if new != old:
                        setattr(row, name, new)
                        updates.append(name)
            if entry.model == "participants.SurveyResponse":
                answers = _erase_answers(row)
                if answers != row.answers:
                    row.answers = answers
                    updates.append("answers")
            if entry.model == "participants.SurveyInvitation" and getattr(row, "draft", None):
                row.draft = {}
                updates.append("draft")
            if updates:
                entry.model_class._default_manager.filter(pk=row.pk).update(
                    **{name: getattr(row, name) for name in set(updates)}
                )
                changed[entry.model] = changed.get(entry.model, 0) + 1

    participant.first_name, participant.last_name, participant.email = first, last, email
    participant.phone = participant.job_title = ""
    participant.key = f"erased-{participant.code.hex[:12]}"
    participant.eligibility_notes = _erase_text(participant.eligibility_notes)
    participant.dropout_reason = _erase_text(participant.dropout_reason)
    participant.save(
        update_fields=[
            "first_name",
            "last_name",
            "email",
            "phone",
            "job_title",
            "key",
            "eligibility_notes",
            "dropout_reason",
        ]
    )
    if erase_business:
        token = secrets.token_hex(6)
        business.name = f"Erased business {token}"
        business.key = f"erased-{token}"
        business.company_number = business.postcode = ""
        business.save(update_fields=["name", "key", "company_number", "postcode"])
        changed["participants.Business"] = 1

    from peernet import audit

    audit.record(
        actor,
        "erase",
        participant,
        summary="Participant's personal data erased (UK GDPR Art. 17)",
        after={"reason": reason[:500], "records_changed": changed},
    )
    return participant


# --- retention (SECURITY.md 24) ---------------------------------------------------------


def participants_past_retention(now: dt.datetime) -> QuerySet:
    """Participants whose programme year ended more than 7 years ago, not yet erased."""
    from participants.models import Participant

    cutoff = _years_before(timezone.localdate(now), 7)
    return Participant.objects.filter(programme__delivery_end__lt=cutoff).exclude(
        email__endswith=f"@{ERASED_DOMAIN}"
    )


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def retention_apply(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Apply every registry entry's retention: delete what has run out, erase the
    participants whose period has ended. Idempotent: a second run finds nothing."""
    from peernet import audit
    from peernet.models import AuditEvent

    now = now or timezone.now()
    done: dict[str, int] = {}
    for entry in entries():
        retention = entry.retention
        if retention.action != "delete" or retention.keep_for is None:
            continue
        model = entry.model_class
        cutoff = now - retention.keep_for
        if model is AuditEvent:
            deleted = audit.purge_expired(older_than=cutoff)
        else:
            rows = model._default_manager.filter(**{f"{retention.since}__lt": cutoff})
            if retention.only is not None:
                rows = rows.filter(retention.only)
            with transaction.atomic():
                deleted, _ = rows.delete()
        if deleted:
            done[entry.model] = deleted
    erased = 0
    for participant in participants_past_retention(now).order_by("pk"):
        erase_participant(participant, None, "Retention period ended (7 years after the year).")
        erased += 1
    if erased:
        done["participants.Participant"] = erased
    if done:
        audit.record(
            None,
            "retention",
            summary="Retention schedule applied",
            after=dict(sorted(done.items())),
        )
    return done
