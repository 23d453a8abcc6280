"""Subject access (UK GDPR Article 15): everything held about a participant, from the
registry (`peernet.privacy.registry`), as the JSON export field by field and as the PDF
written for the person it is about.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Model
from django.utils import timezone
from django.utils.text import capfirst

from peernet.calendar import LONDON
from peernet.privacy.registry import participant_entries


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
    for entry in participant_entries():
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
        "retention": {e.model: e.retention.period for e in participant_entries()},
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
    "dropout_cause": "Why you left",
    "dropout_reason": "Why you left, in words",
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
    # The apps import peernet (participants.surveys -> peernet.privacy): read here, not above.
    from participants.models import SurveyInstrument
    from sessions.models import GroupSession, OneToOneSession

    if related._meta.label in _UNSHOWN_RELATIONS:
        return None
    if isinstance(related, GroupSession):
        return f"{related.cohort.name}, {_moment_words(related.starts_at)}"
    if isinstance(related, OneToOneSession):
        return f"One-to-one session, {_moment_words(related.starts_at)}"
    if isinstance(related, SurveyInstrument):
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
    # The apps import peernet (participants.surveys -> peernet.privacy): read here, not above.
    from participants.surveys.instruments import answer_words

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
                # Only survey invitations (draft) and responses (answers) hold answers,
                # and each belongs to a questionnaire: their instrument is not nullable.
                assert instrument is not None
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
    for entry in participant_entries():
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
