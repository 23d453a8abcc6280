"""The registry of personal data: every model that holds it, its personal fields, how its
rows reach a participant, how long it is kept and what erasure does to it.

`REGISTRY` drives the subject access export, erasure and the retention job, and
`tests/security/test_privacy_registry.py` fails when a model that looks personal is
neither in it nor in `NOT_PERSONAL` with a reason.

Retention choices, stated once here:
- participants and every record about them: 7 years after the end of their programme
  year's delivery window (the funder's audit period), then erased (their identifiers
  replaced: the numbers stay in the programme's figures, nothing identifies the person);
- survey invitations (the emailed tokens): 1 year after they expire, then deleted;
- emails (the outbox): 1 year after they were written, then deleted;
- audit events: 7 years, then deleted; rule warnings: 7 years, then deleted;
- export files (downloads): 30 days after they were asked for, then deleted;
- risk-scan findings: 2 years after they were resolved, then deleted; risk digests sent:
  2 years, then deleted;
- sessions (a public registration's answers before they are sent): deleted a day after
  they end.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db.models import Model, Q, QuerySet

from peernet.models import AuditEvent, OutboundEmail, RuleWarning


@dataclass(frozen=True)
class Retention:
    """How long a kind of record is kept (the choices are listed above)."""

    period: str  # in words, for the registry page and the report
    action: str  # "erase" (with the participant: see erasure), "delete", or "keep"
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
AFTER_LINK_EXPIRES = Retention(
    "1 year after the link expires, then deleted", "delete", since="expires_at", keep_for=YEAR
)


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
    # their erased name (notes about a group); the rest of `fields` is kept.
    erase_text: tuple[str, ...] = ()
    redact: tuple[str, ...] = ()
    # Erasure deletes the rows instead (copies of what was said to the person).
    delete_on_erasure: bool = False
    about: str = "participant"  # or "staff", or "applicant" (not yet a participant)
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
    return RuleWarning.objects.filter(
        Q(subject_kind="participant", subject_id=participant.pk)
        | Q(hub_id=participant.hub_id, sentence__icontains=participant.full_name)
    )


def _audit_events(participant: Any) -> QuerySet:
    return AuditEvent.objects.filter(
        object_type="participants.participant", object_id=str(participant.pk)
    )


def _emails(participant: Any) -> QuerySet:
    if not participant.email:
        return OutboundEmail.objects.none()
    return OutboundEmail.objects.filter(
        hub_id=participant.hub_id, recipient=participant.email.lower()
    )


def _complaints(participant: Any) -> QuerySet:
    # The apps import peernet (sessions.models -> peernet.models): read here, not above.
    from sessions.models import Complaint

    match = Q()
    for text in (participant.full_name, participant.email):
        if text.strip():
            match |= Q(received_from__icontains=text) | Q(summary__icontains=text)
            match |= Q(action_taken__icontains=text)
    return Complaint.objects.filter(match, hub_id=participant.hub_id)


# What erasure replaces on the participant's own row: who they are (a pseudonym), and the
# free text about them.
IDENTITY = ("first_name", "last_name", "email", "phone", "job_title", "key")
PARTICIPANT_TEXT = ("eligibility_notes", "dropout_reason")
_NOTES = ("issues_brought", "actions_agreed", "process_issues", "hot_topics")
_PLAN = ("goal", "reality", "options", "way_forward", "tactics", "habits")

REGISTRY: tuple[PersonalData, ...] = (
    PersonalData(
        "participants.Participant",
        (
            *IDENTITY,
            *PARTICIPANT_TEXT,
            "senior_decision_maker",
            "aspiration_to_improve",
            "previous_year_participant",
        ),
        "",
        WITH_PARTICIPANT,
        erase_text=PARTICIPANT_TEXT,
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
        "names anyone) and only ever shown aggregated (docs/security.md §25).",
    ),
    PersonalData(
        "participants.SurveyInvitation",
        ("draft",),
        "participant",
        AFTER_LINK_EXPIRES,
        note="The draft answers are cleared on erasure. The six-month follow-up's (S5) is "
        "made only by the evaluator, for a completer who consented at completion.",
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
        AFTER_LINK_EXPIRES,
        note="When each charter and action-card link was sent and used; no content.",
    ),
    PersonalData(
        "participants.SurveyResponse",
        ("answers",),
        "participant",
        WITH_PARTICIPANT,
        note="Free-text answers are erased; scores and choices are kept for the figures. "
        "The six-month follow-up's (S5) holds the consent given six months on.",
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
    # After the programme (alumni/): continuing groups and referrals to business support.
    PersonalData(
        "alumni.GroupMember",
        (
            "opted_in_at",
            "consent_at",
            "withdrawn_at",
            "share_email",
            "share_phone",
            "share_business",
        ),
        "participant",
        WITH_PARTICIPANT,
        note="A member's place in their continuing group and their consent to what the other "
        "members see (withdrawing it hides their details at once).",
    ),
    PersonalData(
        "alumni.GroupMeeting",
        ("place", "topic"),
        "scheduled_by__participant",
        WITH_PARTICIPANT,
        erase_text=("topic",),
        note="A meeting the member scheduled as host: its topic is erased with them.",
    ),
    PersonalData(
        "alumni.MeetingReply",
        ("coming", "attended"),
        "member__participant",
        WITH_PARTICIPANT,
        note="Whether they were coming to a continuing group's meeting, and whether they came.",
    ),
    PersonalData(
        "alumni.MeetingActionCard",
        ("actions", "report_back"),
        "member__participant",
        WITH_PARTICIPANT,
        erase_text=("actions", "report_back"),
        note="A member's action card for a continuing group's meeting, as in the programme.",
    ),
    PersonalData(
        "alumni.EventInvitation",
        ("answer", "answered_at", "attended"),
        "participant",
        WITH_PARTICIPANT,
        note="An invitation to an alumni event: whether they said they were coming, and came.",
    ),
    PersonalData(
        "alumni.AlumniLink",
        ("sent_at", "used_at"),
        "participant",
        AFTER_LINK_EXPIRES,
        note="When each continuing-group, event and business-support link was sent and used.",
    ),
    PersonalData(
        "alumni.Referral",
        ("scheme", "status", "created_at"),
        "participant",
        WITH_PARTICIPANT,
        note="The business support they asked to be introduced to, and the hub's follow-up.",
    ),
    PersonalData(
        "alumni.LearningSetSession",
        ("joining_instructions", "learning_points"),
        None,
        Retention("With the cluster's records: 7 years after the programme year ends", "keep"),
        about="staff",
        note="Facilitators' action learning: who came (staff) and the learning points, which "
        "the form refuses when they name a participant or hold an email address.",
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
        "sessions.Session",
        ("session_data",),
        None,
        Retention(
            "Until the browser's session ends (30 idle minutes); deleted a day after",
            "delete",
            since="expire_date",
            keep_for=dt.timedelta(days=1),
        ),
        about="applicant",
        note="A public registration's answers wait in the session between its questions and "
        "check your answers, never in the page; sending them, or the session ending, "
        "removes them, and an ended session is deleted a day later. Not yet anyone's "
        "record, so not in a subject access export.",
    ),
    PersonalData(
        "peernet.OutboundEmail",
        ("recipient", "subject", "message", "last_error"),
        None,
        Retention(
            "1 year after it was written, then deleted",
            "delete",
            since="created_at",
            keep_for=YEAR,
        ),
        rows=_emails,
        delete_on_erasure=True,
        note="The outbox: each email as it was sent, kept a year as the record of what was "
        "sent and whether it arrived. Erasure deletes the emails to the person (the record "
        "that a notice was sent, and when, stays with the session).",
    ),
    PersonalData(
        "peernet.User",
        ("name", "email"),
        None,
        Retention("While the account is needed; deactivated by the coordinator", "keep"),
        about="staff",
    ),
    PersonalData(
        "api.ApiRegistration",
        ("participant", "key"),
        "participant",
        Retention("1 year, then deleted", "delete", since="created_at", keep_for=YEAR),
        note="Which registration a hub's system sent under its idempotency key (docs/api.md), "
        "so the same key again writes nothing; no details of the person.",
    ),
    PersonalData(
        "api.ApiToken",
        ("user", "name", "last_used_at"),
        None,
        Retention("While the account is needed, revoked ones included (docs/api.md)", "keep"),
        about="staff",
        note="A personal API token: its name, when it was last used; only a hash of the secret.",
    ),
    PersonalData(
        "delivery.CalendarFeed",
        ("user",),
        None,
        Retention("While the account is needed, revoked ones included (docs/cockpit.md)", "keep"),
        about="staff",
        note="A facilitator's or provider's calendar feed link: the nonce it is signed over, "
        "when it was issued and stopped.",
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
        ("file", "params", "filename"),
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
    "peernet.OutboundTask": "A task's name and the ids of the records it works on, held "
    "for minutes while the broker is away.",
    "peernet.Breach": "The breach register: incidents, described without naming anyone "
    "(the coordinator's accountability record, kept indefinitely).",
    "participants.SurveyInstrument": "A questionnaire's questions.",
    "cohorts.Cohort": "A group's name and dates.",
    "delivery.Topic": "The BEIS core topic list.",
    "delivery.GroupSession": "A session's time and venue.",
    "alumni.ContinuingGroup": "A cohort carrying on: its cohort, hub and start.",
    "alumni.SupportScheme": "A business support scheme a hub offers: its name and address.",
    "alumni.LearningSet": "A facilitators' action learning set: its name and cluster.",
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


def participant_entries() -> list[PersonalData]:
    return [e for e in entries(about="participant") if e.path is not None or e.rows is not None]
