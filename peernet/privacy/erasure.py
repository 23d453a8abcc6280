"""Erasure (UK GDPR Article 17): a participant's identifiers replaced by their erased
identity, the free text about them erased, the numbers kept, so every return and every
figure computed afresh is unchanged.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from peernet import audit
from peernet.privacy.registry import IDENTITY, PARTICIPANT_TEXT, participant_entries

ERASED = "(erased)"
ERASED_DOMAIN = "erased.invalid"


def is_erased(participant: Any) -> bool:
    return participant.email.endswith(f"@{ERASED_DOMAIN}")


@dataclass(frozen=True)
class ErasedIdentity:
    """What replaces an erased participant's identifiers: derived from their random
    public code, so erasing again changes nothing. It names nobody; unlike the
    evaluator's pseudonym it is stored on the record, never given out."""

    first_name: str
    last_name: str
    email: str
    key: str

    @property
    def name(self) -> str:
        """The name that replaces theirs, also inside notes about a group."""
        return f"{self.first_name} {self.last_name}"


def erased_identity(participant: Any) -> ErasedIdentity:
    short = participant.code.hex[:12]
    return ErasedIdentity(
        "Erased", f"participant {short}", f"erased-{short}@{ERASED_DOMAIN}", f"erased-{short}"
    )


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


def _erase_row(
    entry: Any, row: Any, *, pattern: re.Pattern[str] | None, from_them: Any, new_name: str
) -> list[str]:
    """Erase what one registry entry says of one row about the participant; the names of
    the fields changed."""
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
    return updates


@transaction.atomic
def erase_participant(participant: Any, actor: Any, reason: str) -> Any:
    """Replace the participant's identifiers with their erased identity, erase the free
    text about them, keep the numbers (attendance, hours, memberships, scores, equality
    counts) so every return and every figure computed afresh is unchanged. Idempotent;
    audited."""
    # participants.models imports peernet (its querysets and models): read here, not above.
    from participants.models import Business, Participant

    reason = reason.strip()
    if not reason:
        raise ErasureRefused("Enter why the participant's data is being erased.")
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    if is_erased(participant):
        return participant  # erased before: nothing left to replace
    identity = erased_identity(participant)
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
    from_them = _name_pattern([participant.full_name, participant.email])
    changed: dict[str, int] = {}

    for entry in participant_entries():
        if entry.model in ("participants.Participant", "participants.Business"):
            continue
        if entry.delete_on_erasure:
            deleted, _ = entry.rows_for(participant).delete()
            if deleted:
                changed[entry.model] = deleted
            continue
        for row in list(entry.rows_for(participant)):
            updates = _erase_row(
                entry, row, pattern=pattern, from_them=from_them, new_name=identity.name
            )
            if updates:
                model = entry.model_class
                assert model is not None  # participant_entries() lists installed models only
                model._default_manager.filter(pk=row.pk).update(
                    **{name: getattr(row, name) for name in set(updates)}
                )
                changed[entry.model] = changed.get(entry.model, 0) + 1

    participant.first_name = identity.first_name
    participant.last_name = identity.last_name
    participant.email = identity.email
    participant.phone = participant.job_title = ""
    participant.key = identity.key
    participant.eligibility_notes = _erase_text(participant.eligibility_notes)
    participant.dropout_reason = _erase_text(participant.dropout_reason)
    participant.save(update_fields=[*IDENTITY, *PARTICIPANT_TEXT])
    if erase_business:
        token = secrets.token_hex(6)
        business.name = f"Erased business {token}"
        business.key = f"erased-{token}"
        business.company_number = business.postcode = ""
        business.save(update_fields=["name", "key", "company_number", "postcode"])
        changed["participants.Business"] = 1

    audit.record(
        actor,
        "erase",
        participant,
        summary="Participant's personal data erased (UK GDPR Art. 17)",
        after={"reason": reason[:500], "records_changed": changed},
    )
    return participant
