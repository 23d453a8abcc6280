"""Bulk actions from the hub's lists: the Participant Charter sent to several eligible
registrations at once, several allocated to one cohort at once, and several participants
reminded of a survey they have not answered.

Each person is done, or refused, on their own, through the one service that does it for
one person (`participant_send_charter`, `cohorts.services.cohort_allocate` with its K1
and C1 checks), each in their own transaction: a refused person has nothing written,
and a refusal never undoes the others. The answer says who was done and who was
refused, and why, for the summary page; each bulk action is one audit event as well
(the people done have their own events from the services)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from cohorts.models import Cohort
from cohorts.services import cohort_allocate
from participants.models import Participant, SurveyInvitation
from participants.services import charter_refusal, participant_send_charter
from participants.surveys import survey_invitation_remind_now
from peernet import audit
from peernet.models import User
from peernet.words import date_words


@dataclass
class BulkOutcome:
    """Who a bulk action was done for, and who was refused with the reason why."""

    done: list[Participant] = field(default_factory=list)
    refused: list[tuple[Participant, str]] = field(default_factory=list)


def bulk_charter_refusal(participant: Participant) -> str:
    """Why the charter is not sent to `participant` in a bulk send ("" when it may be):
    the one rule that it goes only to the eligible (`services.charter_refusal`), and in
    bulk not to anyone who has signed it or dropped out."""

    name = participant.full_name
    if participant.dropped_out_on is not None:
        return f"{name} dropped out on {date_words(participant.dropped_out_on)}."
    if charter_refusal(participant):
        status = participant.get_eligibility_status_display().lower()
        return f"{name} is not eligible (their eligibility is {status})."
    if participant.charter_signed_at is not None:
        return f"{name} has already signed the Participant Charter."
    return ""


def _audit(by: User, *, hub_id: int, summary: str, outcome: BulkOutcome) -> None:
    audit.record(
        by,
        "update",
        object_type="participants.participant",
        object_id=",".join(str(p.pk) for p in outcome.done)[:100],
        hub=hub_id,
        summary=summary,
        after={
            "done": [p.pk for p in outcome.done],
            "refused": [p.pk for p, _ in outcome.refused],
        },
    )


def registrations_send_charter(
    *, participants: Iterable[Participant], link: Callable[[str], str], by: User, hub_id: int
) -> BulkOutcome:
    """Send the charter to each of `participants` who may have it; refuse the others."""

    outcome = BulkOutcome()
    for participant in participants:
        refusal = bulk_charter_refusal(participant)
        if refusal:
            outcome.refused.append((participant, refusal))
            continue
        with transaction.atomic():
            participant_send_charter(participant=participant, link=link)
        outcome.done.append(participant)
    _audit(
        by,
        hub_id=hub_id,
        summary=f"Participant Charter sent to {len(outcome.done)} at once from the list "
        f"({len(outcome.refused)} refused)",
        outcome=outcome,
    )
    return outcome


def registrations_allocate(
    *, participants: Iterable[Participant], cohort: Cohort, joined: dt.date, by: User
) -> BulkOutcome:
    """Allocate each of `participants` to `cohort` from `joined` through the allocation
    service (K1, C1 and the rest, one person at a time, in the order given); a person it
    refuses is listed with its reason and has nothing written."""

    outcome = BulkOutcome()
    for participant in participants:
        try:
            cohort_allocate(cohort=cohort, participant=participant, joined=joined, by=by)
        except ValidationError as refusal:
            outcome.refused.append((participant, " ".join(refusal.messages)))
        else:
            outcome.done.append(participant)
    _audit(
        by,
        hub_id=cohort.hub_id,
        summary=f"{len(outcome.done)} allocated to {cohort.name} at once from the list "
        f"({len(outcome.refused)} refused)",
        outcome=outcome,
    )
    return outcome


def surveys_remind(
    *, invitations: Iterable[SurveyInvitation], by: User, hub_id: int, now: dt.datetime
) -> BulkOutcome:
    """Remind each participant of their unanswered survey now (the scheduled reminder's
    email, through `survey_invitation_remind_now`); refuse an answered, unsent or
    expired one with the reason."""

    outcome = BulkOutcome()
    for invitation in invitations:
        refusal = survey_invitation_remind_now(invitation_id=invitation.pk, by=by, now=now)
        if refusal:
            outcome.refused.append((invitation.participant, refusal))
        else:
            outcome.done.append(invitation.participant)
    _audit(
        by,
        hub_id=hub_id,
        summary=f"{len(outcome.done)} reminded of a survey at once from the list "
        f"({len(outcome.refused)} refused)",
        outcome=outcome,
    )
    return outcome
