"""Writes for participants: the eligibility decision, recorded exceptions, the charter.

Each action asks the programme checks (peernet.rules): a fail refuses the action with
the check's sentence (`RuleBroken`), a warning is recorded (`RuleWarning`). A refusal
that is not a programme rule (a date before registration) is a `ValidationError`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from participants.models import (
    Business,
    EligibilityException,
    EligibilityOutcome,
    EligibilityStatus,
    Participant,
)
from peernet.models import RuleWarning, User
from peernet.rules import Result, enforce, run_rules
from peernet.services import rule_warnings_record

# The checks an eligibility decision asks. C1 (the charter) is asked at allocation.
ELIGIBILITY_RULES = ("E1", "E2", "E3", "E4", "E5", "E6", "E7", "E8", "E9", "E10", "C2")


@dataclass(frozen=True)
class Decision:
    """An eligibility decision: the participant as decided, every check's result (also
    stored as EligibilityOutcome rows), and the warnings recorded."""

    participant: Participant
    results: list[Result]
    warnings: list[RuleWarning]


def _date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _for_checks(participant: Participant) -> Participant:
    """The participant afresh, with what the eligibility checks read."""
    return (
        Participant.objects.select_related("programme", "hub", "business")
        .prefetch_related("business__participants", "eligibility_exceptions", "memberships__cohort")
        .get(pk=participant.pk)
    )


@transaction.atomic
def participant_decide_eligibility(
    *,
    participant: Participant,
    eligible: bool,
    decided_on: dt.date,
    by: User,
    notes: str = "",
    as_of: dt.datetime | None = None,
) -> Decision:
    """Decide whether `participant` is eligible, storing every check's outcome.

    Deciding "eligible" is refused when a check fails (E6 and E8 pass once their
    exception is recorded); deciding "ineligible" is always allowed.
    """
    as_of = as_of or timezone.now()
    # E9: one decision at a time per business, so two people from one business cannot
    # both be found eligible by simultaneous decisions (the database constraint is the
    # backstop; this gives the sentence).
    Business.objects.select_for_update().filter(pk=participant.business_id).get()
    participant = _for_checks(participant)
    if decided_on < participant.registered:
        raise ValidationError(
            f"The decision date, {_date(decided_on)}, is before {participant.full_name} "
            f"registered on {_date(participant.registered)}."
        )
    results = run_rules(participant, ELIGIBILITY_RULES, as_of=as_of)
    if eligible:
        enforce(results)

    participant.eligibility_outcomes.all().delete()
    EligibilityOutcome.objects.bulk_create(
        EligibilityOutcome(
            participant=participant,
            rule=result.rule,
            outcome=result.outcome.value,
            sentence=result.sentence,
        )
        for result in results
    )
    participant.eligibility_status = (
        EligibilityStatus.ELIGIBLE if eligible else EligibilityStatus.INELIGIBLE
    )
    participant.eligibility_decided = decided_on
    participant.eligibility_decided_by = by
    participant.eligibility_notes = notes
    participant.save(
        update_fields=[
            "eligibility_status",
            "eligibility_decided",
            "eligibility_decided_by",
            "eligibility_notes",
        ]
    )
    warnings = rule_warnings_record(
        results=results,
        subject_kind="participant",
        subject_id=participant.pk,
        hub=participant.hub,
        action="participant_decide_eligibility",
        by=by,
    )
    return Decision(participant=participant, results=results, warnings=warnings)


@transaction.atomic
def participant_record_exception(
    *,
    participant: Participant,
    rule: Literal["E6", "E8"],
    agreed_by: str,
    agreed_on: dt.date,
    details: str = "",
    by: User,
) -> EligibilityException:
    """Record the exception E6 (both LEPs agreed) or E8 (local discretion) allows.

    Recording it again for the same rule corrects the earlier record.
    """
    if rule not in EligibilityException.Rule.values:
        raise ValidationError(f"Only E6 and E8 allow a recorded exception, not {rule}.")
    if not agreed_by.strip():
        raise ValidationError(f"Say who agreed the {rule} exception.")
    exception, _ = EligibilityException.objects.update_or_create(
        participant=participant,
        rule=rule,
        defaults={
            "agreed_by": agreed_by.strip(),
            "agreed_on": agreed_on,
            "details": details,
            "recorded_by": by,
        },
    )
    return exception


@transaction.atomic
def participant_sign_charter(
    *, participant: Participant, version: str, signed_at: dt.datetime
) -> Participant:
    """C1: record the signed Participant Charter (before allocation to a cohort)."""
    if signed_at.tzinfo is None or signed_at.utcoffset() is None:
        raise ValueError(f"signed_at must be an aware datetime, not {signed_at!r}.")
    if not version.strip():
        raise ValidationError("Say which version of the Participant Charter was signed.")
    participant.charter_signed_at = signed_at
    participant.charter_version = version.strip()
    participant.save(update_fields=["charter_signed_at", "charter_version"])
    return participant
