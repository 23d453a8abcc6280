"""Export the database as a scenario document (docs/scenario-format.md).

Deterministic: every list is sorted by key (or a stable natural order, e.g. a cohort's
sessions by start), and every field is written, null when empty, so that export →
import into an empty database → export gives the same document. A fixed number of
queries, whatever the number of rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils.text import slugify

from cohorts.models import Cohort, CohortMembership
from participants.models import Business, EligibilityStatus, Participant, SurveyResponse
from peernet.models import Cluster, DeliveryPartner, Hub, Programme, Role, RoleAssignment, User
from reporting.scenario.after_exporter import AfterExport
from reporting.scenario.problems import Problem, ScenarioError
from reporting.scenario.values import (
    blank_to_none,
    format_date,
    format_date_or_datetime,
    format_datetime,
    format_number,
)
from rules.registry import rule_parameters
from sessions.models import (
    ActionCard,
    Attendance,
    Complaint,
    ComplaintKind,
    GroupSession,
    Observation,
    OneToOneSession,
)

FORMAT = "peernet-scenario/1"
RULES = rule_parameters()  # in the Programme record's order
EQUALITY = ("gender", "ethnic_group", "age_band", "disability")
NOTES = ("issues_brought", "actions_agreed", "process_issues", "hot_topics")


def export_document(*, hub_key: str | None = None) -> dict[str, Any]:
    """The current programme as a document; with `hub_key`, only that hub's part."""
    programme = Programme.objects.order_by("-delivery_start", "name").first()
    if programme is None:
        raise ScenarioError([Problem("programme", "there is no programme to export")])
    hub = None
    if hub_key is not None:
        hub = Hub.objects.select_related("cluster").filter(key=hub_key).first()
        if hub is None:
            raise ScenarioError([Problem("hub", f'no hub with key "{hub_key}"')])
    return Exporter(programme, hub).document()


def _by_key(items: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(items, key=lambda item: item["key"])


class Exporter:
    """One export. Each section is one or two queries; user keys are worked out once."""

    def __init__(self, programme: Programme, hub: Hub | None) -> None:
        self.programme = programme
        self.hub = hub
        self.user_keys: dict[int, str] = {}

    def _scoped(self, queryset: QuerySet, hub_path: str) -> QuerySet:
        return queryset if self.hub is None else queryset.filter(**{hub_path: self.hub.pk})

    def document(self) -> dict[str, Any]:
        hubs = list(self._scoped(Hub.objects.select_related("cluster"), "pk"))
        participants = self._participants()
        cohorts = self._cohorts()
        sessions = self._sessions(cohorts)
        one_to_ones = list(
            OneToOneSession.objects.filter(participant__in=participants).select_related(
                "participant", "provider"
            )
        )
        observations = list(
            Observation.objects.filter(session__in=sessions).select_related("session", "observer")
        )
        after = AfterExport(self.hub, participants, cohorts)
        referenced = {
            *after.referenced_users(),
            *(p.one_to_one_provider_id for p in participants),
            *(o.provider_id for o in one_to_ones),
            *(o.observer_id for o in observations),
            *(assignment.user_id for c in cohorts for assignment in c.facilitators),
        }
        users = self._users(referenced - {None})
        return {
            "format": FORMAT,
            "programme": self._programme(),
            "clusters": self._clusters(),
            "hubs": _by_key(self._hub(hub) for hub in hubs),
            "delivery_partners": self._partners(),
            "users": _by_key(self._user(user) for user in users),
            "businesses": self._businesses(participants),
            "participants": _by_key(self._participant(p) for p in participants),
            "cohorts": _by_key(self._cohort(cohort) for cohort in cohorts),
            "one_to_ones": _by_key(self._one_to_one(o) for o in one_to_ones),
            "observations": sorted(
                (self._observation(o) for o in observations),
                key=lambda item: (item["session"], item["observer"]),
            ),
            "complaints": self._complaints(),
            "surveys": self._surveys(participants),
            **after.sections(lambda user_id: self.user_keys[user_id]),
        }

    # -- programme and structure -------------------------------------------------------

    def _programme(self) -> dict[str, Any]:
        programme = self.programme
        rules = {name: getattr(programme, name) for name in RULES}
        return {
            "name": programme.name,
            "delivery_start": format_date(programme.delivery_start),
            "delivery_end": format_date(programme.delivery_end),
            "national_target": programme.national_target,
            "rules": {name: format_number(value) for name, value in rules.items()},
        }

    def _clusters(self) -> list[dict[str, Any]]:
        clusters = Cluster.objects.all() if self.hub is None else [self.hub.cluster]
        return _by_key({"key": cluster.key, "name": cluster.name} for cluster in clusters)

    def _hub(self, hub: Hub) -> dict[str, Any]:
        return {
            "key": hub.key,
            "name": hub.name,
            "lep": hub.lep,
            "cluster": hub.cluster.key,
            "target": hub.target,
            "local_authorities": list(hub.local_authorities),
            "privacy_notice_url": blank_to_none(hub.privacy_notice_url),
        }

    def _partners(self) -> list[dict[str, Any]]:
        partners = self._scoped(DeliveryPartner.objects.select_related("hub"), "hub")
        return _by_key(
            {"key": p.key, "hub": p.hub.key, "name": p.name, "service": p.service} for p in partners
        )

    def _users(self, referenced: set[int]) -> list[User]:
        """Staff in the programme: everyone with a key or a role, and everyone a record
        names. A hub's part has its own staff and only their roles in that hub."""
        if self.hub is None:
            wanted = Q(key__isnull=False) | Q(role_assignments__isnull=False)
            roles = RoleAssignment.objects.filter(cohort__isnull=True)
        else:
            wanted = Q(role_assignments__hub=self.hub) | Q(organisation__hub=self.hub)
            roles = RoleAssignment.objects.filter(cohort__isnull=True, hub=self.hub)
        users = list(
            User.objects.filter(
                pk__in=User.objects.filter(wanted | Q(pk__in=referenced)).values("pk")
            )
            .select_related("organisation")
            .prefetch_related(
                Prefetch("role_assignments", queryset=roles.select_related("hub"), to_attr="roles")
            )
        )
        taken = {user.key for user in users if user.key}
        for user in users:
            self.user_keys[user.pk] = user.key or _new_user_key(user, taken)
        return users

    def _user_key(self, user_id: int | None) -> str | None:
        return None if user_id is None else self.user_keys[user_id]

    def _user(self, user: User) -> dict[str, Any]:
        organisation = user.organisation
        if organisation is not None and self.hub is not None and organisation.hub_id != self.hub.pk:
            organisation = None  # another hub's partner is not part of this hub's document
        roles = sorted(
            ({"role": a.role, "hub": a.hub.key if a.hub else None} for a in user.roles),
            key=lambda role: (role["role"], role["hub"] or ""),
        )
        return {
            "key": self.user_keys[user.pk],
            "email": user.email,
            "name": user.name,
            "organisation": organisation.key if organisation else None,
            "roles": roles,
        }

    def _businesses(self, participants: list[Participant]) -> list[dict[str, Any]]:
        if self.hub is None:
            businesses: Iterable[Business] = Business.objects.all()
        else:
            businesses = {p.business.pk: p.business for p in participants}.values()
        return _by_key(_business(business) for business in businesses)

    # -- participants ------------------------------------------------------------------

    def _participants(self) -> list[Participant]:
        return list(
            self._scoped(Participant.objects.filter(programme=self.programme), "hub")
            .select_related("hub", "business", "equality")
            .prefetch_related("eligibility_exceptions")
        )

    def _participant(self, p: Participant) -> dict[str, Any]:
        return {
            "key": p.key,
            "hub": p.hub.key,
            "business": p.business.key,
            "first_name": p.first_name,
            "last_name": p.last_name,
            "email": p.email,
            "phone": blank_to_none(p.phone),
            "job_title": blank_to_none(p.job_title),
            "senior_decision_maker": p.senior_decision_maker,
            "registered": format_date(p.registered),
            "privacy_notice_acknowledged": format_date(p.privacy_notice_acknowledged),
            "aspiration_to_improve": p.aspiration_to_improve,
            "previous_year_participant": p.previous_year_participant,
            "eligibility": _eligibility(p),
            "charter_signed": format_date_or_datetime(p.charter_signed_at),
            "charter_version": blank_to_none(p.charter_version),
            "equality": _equality(p),
            "one_to_one_provider": self._user_key(p.one_to_one_provider_id),
            "one_to_one_declined": p.one_to_one_declined,
            "dropped_out": None
            if p.dropped_out_on is None
            else {"date": format_date(p.dropped_out_on), "reason": blank_to_none(p.dropout_reason)},
        }

    # -- cohorts and sessions ----------------------------------------------------------

    def _cohorts(self) -> list[Cohort]:
        facilitators = RoleAssignment.objects.filter(role=Role.FACILITATOR)
        return list(
            self._scoped(Cohort.objects.filter(programme=self.programme), "hub")
            .select_related("hub")
            .prefetch_related(
                Prefetch(
                    "memberships",
                    queryset=CohortMembership.objects.select_related("participant"),
                    to_attr="members",
                ),
                Prefetch("role_assignments", queryset=facilitators, to_attr="facilitators"),
            )
        )

    def _sessions(self, cohorts: list[Cohort]) -> list[GroupSession]:
        sessions = list(
            GroupSession.objects.filter(cohort__in=cohorts)
            .select_related("facilitator_note")
            .prefetch_related(
                "topics",
                Prefetch("attendance", queryset=Attendance.objects.select_related("participant")),
                Prefetch("action_cards", queryset=ActionCard.objects.select_related("participant")),
            )
        )
        self.sessions_by_cohort: dict[int, list[GroupSession]] = {}
        for session in sessions:
            self.sessions_by_cohort.setdefault(session.cohort_id, []).append(session)
        return sessions

    def _cohort(self, cohort: Cohort) -> dict[str, Any]:
        facilitator = cohort.facilitators[0].user_id if cohort.facilitators else None
        members = sorted(
            (
                {
                    "participant": m.participant.key,
                    "joined": format_date(m.joined),
                    "left": format_date(m.left),
                }
                for m in cohort.members
            ),
            key=lambda m: (m["joined"], m["participant"], m["left"] or ""),
        )
        sessions = sorted(
            self.sessions_by_cohort.get(cohort.pk, []), key=lambda s: (s.starts_at, s.key)
        )
        return {
            "key": cohort.key,
            "hub": cohort.hub.key,
            "name": cohort.name,
            "facilitator": self._user_key(facilitator),
            "members": members,
            "sessions": [_session(session) for session in sessions],
        }

    # -- delivery records --------------------------------------------------------------

    def _one_to_one(self, o: OneToOneSession) -> dict[str, Any]:
        return {
            "key": o.key,
            "participant": o.participant.key,
            "provider": self._user_key(o.provider_id),
            "starts_at": format_datetime(o.starts_at),
            "hours": format_number(o.hours),
            "status": o.status,
            "route": o.route,
            "existing_programme": blank_to_none(o.existing_programme),
            "nature_of_support": blank_to_none(o.nature_of_support),
            "joining_instructions_sent": format_datetime(o.joining_instructions_sent_at),
        }

    def _observation(self, o: Observation) -> dict[str, Any]:
        return {
            "session": o.session.key,
            "observer": self.user_keys[o.observer_id],
            "notice_given": format_datetime(o.notice_given),
            "privacy_statement_shared": format_datetime(o.privacy_statement_shared),
            "completed": format_date(o.completed),
            "feedback": blank_to_none(o.feedback),
            "recording_deleted": format_datetime(o.recording_deleted),
        }

    def _complaints(self) -> list[dict[str, Any]]:
        complaints = self._scoped(Complaint.objects.select_related("hub"), "hub")
        return _by_key(
            {
                "key": c.key,
                "hub": c.hub.key,
                # Q5: a complaint is the default, written as nothing (null).
                "kind": None if c.kind == ComplaintKind.COMPLAINT else c.kind,
                "received": format_date(c.received),
                "received_from": blank_to_none(c.received_from),
                "summary": c.summary,
                "action_taken": blank_to_none(c.action_taken),
                "resolved": format_date(c.resolved),
            }
            for c in complaints
        )

    def _surveys(self, participants: list[Participant]) -> list[dict[str, Any]]:
        responses = SurveyResponse.objects.filter(participant__in=participants).select_related(
            "participant", "session"
        )
        surveys = [
            {
                "participant": r.participant.key,
                "kind": r.kind,
                "session": r.session.key if r.session else None,
                "completed": format_date(r.completed),
                "answers": dict(sorted(r.answers.items())),
            }
            for r in responses
        ]
        return sorted(surveys, key=lambda s: (s["participant"], s["kind"], s["session"] or ""))


def _new_user_key(user: User, taken: set[str]) -> str:
    """A key for an account made outside the scenario (e.g. by createsuperuser), from its
    email, so the document can name it; stored on the next import."""
    base = slugify(user.email.replace("@", "-at-").replace(".", "-"))[:50] or "user"
    key, n = base, 1
    while key in taken:
        n += 1
        key = f"{base}-{n}"
    taken.add(key)
    return key


def _business(b: Business) -> dict[str, Any]:
    return {
        "key": b.key,
        "name": b.name,
        "company_number": blank_to_none(b.company_number),
        "local_authority": b.local_authority,
        "postcode": blank_to_none(b.postcode),
        "sector": blank_to_none(b.sector),
        "trading_since": format_date(b.trading_since),
        "employees": b.employees,
        "turnover": format_number(b.turnover),
        "balance_sheet_total": format_number(b.balance_sheet_total),
        "exporter": b.exporter,
        "scale_up_potential": b.scale_up_potential,
    }


def _eligibility(p: Participant) -> dict[str, Any] | None:
    exceptions = sorted(
        (
            {
                "rule": e.rule,
                "agreed_by": e.agreed_by,
                "agreed_on": format_date(e.agreed_on),
                "details": blank_to_none(e.details),
                **({"flexibility": e.flexibility} if e.flexibility else {}),
            }
            for e in p.eligibility_exceptions.all()
        ),
        key=lambda e: e["rule"],
    )
    pending = p.eligibility_status == EligibilityStatus.PENDING
    if pending and not p.eligibility_notes and not exceptions:
        return None
    return {
        "decided": format_date(p.eligibility_decided),
        "eligible": None if pending else p.eligibility_status == EligibilityStatus.ELIGIBLE,
        "notes": blank_to_none(p.eligibility_notes),
        "exceptions": exceptions,
    }


def _equality(p: Participant) -> dict[str, Any] | None:
    try:
        equality = p.equality
    except Participant.equality.RelatedObjectDoesNotExist:
        return None
    return {name: blank_to_none(getattr(equality, name)) for name in EQUALITY}


def _session(s: GroupSession) -> dict[str, Any]:
    try:
        note = s.facilitator_note
    except GroupSession.facilitator_note.RelatedObjectDoesNotExist:
        note = None
    attendance = {
        a.participant.key: {"present": a.present, "hours": format_number(a.hours)}
        for a in s.attendance.all()
    }
    cards = {
        c.participant.key: {"actions": c.actions, "report_back": blank_to_none(c.report_back)}
        for c in s.action_cards.all()
    }
    return {
        "key": s.key,
        "starts_at": format_datetime(s.starts_at),
        "hours": format_number(s.hours),
        "status": s.status,
        "location": blank_to_none(s.location),
        "joining_instructions_sent": format_datetime(s.joining_instructions_sent_at),
        "topics": sorted(topic.key for topic in s.topics.all()),
        "attendance": dict(sorted(attendance.items())),
        "facilitator_notes": None
        if note is None
        else {name: blank_to_none(getattr(note, name)) for name in NOTES},
        "action_cards": dict(sorted(cards.items())),
    }
