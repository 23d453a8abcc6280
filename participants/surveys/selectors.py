"""Reads about surveys: the current instruments, when a cohort completed and who stayed
to the end, which invitations are due to be sent or reminded, and what an answer still
lacks. (The results for the pages are in `participants.surveys.results`.)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Q, QuerySet

from cohorts.models import Cohort, CohortMembership
from participants.models import (
    Participant,
    SurveyInstrument,
    SurveyInvitation,
    SurveyKind,
)
from participants.surveys.instruments import is_required
from peernet.calendar import local_date
from sessions.models import GroupSession, SessionStatus

REMINDER_AFTER = dt.timedelta(days=4)  # one reminder, this long after the first email


def instrument_current(kind: str) -> SurveyInstrument:
    return SurveyInstrument.objects.get(kind=kind, active=True)


def cohort_completed_on(cohort: Cohort) -> dt.date | None:
    """The (London) day of the delivered session that first brought the cohort to the
    programme's required hours (K2), or None while it has not."""
    return cohorts_completed_on([cohort.pk]).get(cohort.pk)


def cohorts_completed_on(cohort_ids: Iterable[int]) -> dict[int, dt.date]:
    """`cohort_completed_on` for many cohorts, from one query."""
    sessions = (
        GroupSession.objects.filter(cohort_id__in=list(cohort_ids), status=SessionStatus.DELIVERED)
        .order_by("cohort_id", "starts_at", "pk")
        .values_list("cohort_id", "starts_at", "hours", "cohort__programme__cohort_hours")
    )
    done: dict[int, dt.date] = {}
    totals: dict[int, Decimal] = {}
    for cohort_id, starts_at, hours, needed in sessions:
        if cohort_id in done:
            continue
        totals[cohort_id] = totals.get(cohort_id, Decimal(0)) + hours
        if totals[cohort_id] >= needed:
            done[cohort_id] = local_date(starts_at)
    return done


def completer_memberships(cohort_ids: Iterable[int]) -> QuerySet[CohortMembership]:
    """Memberships of those who stayed to the end: still members, never dropped out."""
    return CohortMembership.objects.filter(
        cohort_id__in=list(cohort_ids), left__isnull=True, participant__dropped_out_on__isnull=True
    )


_STILL_WANTED = Q(participant__dropped_out_on__isnull=True) | Q(kind=SurveyKind.DROPOUT)


def survey_reminders_due(now: dt.datetime) -> QuerySet[SurveyInvitation]:
    """Sent at least REMINDER_AFTER ago, not answered, not reminded, not expired."""
    return SurveyInvitation.objects.filter(
        _STILL_WANTED,
        sent_at__lte=now - REMINDER_AFTER,
        completed_at__isnull=True,
        reminded_at__isnull=True,
        expires_at__gt=now,
    ).order_by("pk")


def survey_unsent(now: dt.datetime) -> QuerySet[SurveyInvitation]:
    return SurveyInvitation.objects.filter(
        _STILL_WANTED, sent_at__isnull=True, completed_at__isnull=True, expires_at__gt=now
    ).order_by("pk")


def participant_survey_invitations(participant: Participant) -> list[SurveyInvitation]:
    """The participant's invitations, for the hub's participant page (one query)."""
    return list(
        SurveyInvitation.objects.filter(participant=participant)
        .select_related("session")
        .order_by("created", "pk")
    )


def survey_missing(invitation: SurveyInvitation) -> list[dict]:
    """The required questions not answered yet."""
    return [
        q
        for q in invitation.instrument.questions
        if is_required(q) and q["key"] not in invitation.draft
    ]
