"""Reads for one-to-one support (O1–O8): the providers of a hub, each participant's
hours delivered and scheduled against the minimum with their deadlines (and the hub's
list of them all, by route), their sessions with what the rules say of each, the hours
by route for the Participant Action Record, and a participant's declaration, refusal
and action plan."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce

from cohorts.selectors import ever_in_cohort
from participants.models import EligibilityStatus, Participant
from peernet.access import role_holders
from peernet.hours import hours_total
from peernet.lists import search_condition
from peernet.models import Hub, Role, User
from peernet.words import hours_words, number_words
from rules import CHECKS, Outcome, Result, run_rules
from rules.one_to_one import OneToOneDeadlines, one_to_one_deadlines
from sessions.models import (
    ActionPlan,
    OneToOneDecline,
    OneToOneRoute,
    OneToOneSession,
    ProviderDeclaration,
    SessionStatus,
)

# O2 and O4 fail, O3 and O5 warn. O7 (the provider's declaration) is shown on the
# provider's pages and found by the daily scan, not asked at each log.
ONE_TO_ONE_RULES = ("O2", "O3", "O4", "O5")
ZERO = Decimal(0)
PLAN_FIELDS = ("goal", "reality", "options", "way_forward", "tactics", "habits")


# --- access --------------------------------------------------------------------------


def hub_providers(hub_id: int) -> QuerySet[User]:
    """The one-to-one providers who hold the role in this hub."""
    return role_holders(Role.ONE_TO_ONE_PROVIDER, hub_id=hub_id)


# --- reads -----------------------------------------------------------------------------


def _hours(status: str, route: str | None = None, **extra: Any) -> Coalesce:
    condition = Q(one_to_ones__status=status, **extra)
    if route is not None:
        condition &= Q(one_to_ones__route=route)
    return hours_total("one_to_ones__hours", filter=condition)


def with_one_to_one_hours(people: QuerySet[Participant]) -> QuerySet[Participant]:
    """Hours delivered and scheduled (both routes), summed in SQL."""
    return people.annotate(
        hours_delivered=_hours(SessionStatus.DELIVERED),
        hours_scheduled=_hours(SessionStatus.SCHEDULED),
    )


NO_PROVIDER = "none"


def hub_one_to_one_hours(
    *,
    hub: Hub,
    user: User,
    search: str = "",
    provider: str = "",
    cohort: str = "",
    short: bool = False,
) -> QuerySet[Participant]:
    """The hub's eligible participants the user may see, each with their one-to-one
    hours delivered by route (`hours_programme`, `hours_existing`) and in all
    (`hours_delivered`), the hours scheduled, and their provider and business, in one
    query; narrowed by the list's filters: a name or business, a provider's id (or
    NO_PROVIDER), a cohort's code (its members, past and present), and `short` of the
    programme's minimum (delivered hours, as O1 counts them)."""
    people = with_one_to_one_hours(
        Participant.objects.filter(hub=hub, eligibility_status=EligibilityStatus.ELIGIBLE)
        .visible_to(user)
        .select_related("business", "programme", "one_to_one_provider")
    ).annotate(
        hours_programme=_hours(SessionStatus.DELIVERED, OneToOneRoute.PROGRAMME),
        hours_existing=_hours(SessionStatus.DELIVERED, OneToOneRoute.EXISTING),
    )
    people = people.filter(search_condition(search, ONE_TO_ONE_SEARCH))
    if provider == NO_PROVIDER:
        people = people.filter(one_to_one_provider__isnull=True)
    elif provider:
        people = people.filter(one_to_one_provider_id=int(provider))
    if cohort:
        people = people.filter(ever_in_cohort(cohort))
    if short:
        people = people.filter(Q(hours_delivered__lt=F("programme__one_to_one_hours")))
    return people


ONE_TO_ONE_SEARCH = ("first_name", "last_name", "business__name")


def _for_checks(people: QuerySet[Participant]) -> QuerySet[Participant]:
    # The prefetches rules/one_to_one.py names for O1–O8.
    return people.select_related("programme", "hub", "action_plan").prefetch_related(
        "one_to_ones",
        "attendance__session",
        "memberships__cohort__sessions",
        "provider_declarations",
    )


@dataclass
class ParticipantSupport:
    """One participant's one-to-one position, for the provider's and the hub's pages."""

    participant: Participant
    delivered: Decimal
    scheduled: Decimal
    needed: Decimal
    deadlines: OneToOneDeadlines
    o1: Result
    o6: Result

    @property
    def short(self) -> Decimal:
        """Hours still to schedule to reach the minimum (0 when met)."""
        return max(self.needed - self.delivered - self.scheduled, ZERO)

    @property
    def met(self) -> bool:
        return self.delivered >= self.needed

    # In the rules' words: 3.49 is not rounded up to 3.5.
    @property
    def delivered_words(self) -> str:
        return hours_words(self.delivered)

    @property
    def scheduled_words(self) -> str:
        return hours_words(self.scheduled)

    @property
    def needed_words(self) -> str:
        return number_words(self.needed)

    @property
    def short_words(self) -> str:
        return hours_words(self.short)


def provider_participants(user: User, *, as_of: dt.datetime) -> list[ParticipantSupport]:
    """My participants with their hours, deadlines, O1 and O6. Queries: the scope, the
    participants with their hours, and one per prefetch — whatever their number."""
    people = with_one_to_one_hours(
        Participant.objects.visible_to(user).filter(one_to_one_provider=user)
    )
    return [_support(p, as_of=as_of) for p in _for_checks(people).order_by("last_name", "pk")]


def participant_support(participant: Participant, *, as_of: dt.datetime) -> ParticipantSupport:
    person = _for_checks(with_one_to_one_hours(Participant.objects.filter(pk=participant.pk))).get()
    return _support(person, as_of=as_of)


def _support(person: Any, *, as_of: dt.datetime) -> ParticipantSupport:
    return ParticipantSupport(
        participant=person,
        delivered=person.hours_delivered,
        scheduled=person.hours_scheduled,
        needed=person.programme.one_to_one_hours,
        deadlines=one_to_one_deadlines(person),
        o1=CHECKS["O1"](person, as_of=as_of),
        o6=CHECKS["O6"](person, as_of=as_of),
    )


def one_to_one_rows(participant: Participant, *, as_of: dt.datetime) -> list[dict[str, Any]]:
    """Each one-to-one session with O2–O5 and O7 where they warn or fail."""
    sessions = (
        OneToOneSession.objects.filter(participant=participant)
        .select_related("provider", "participant__programme")
        .prefetch_related(
            "participant__attendance__session",
            "participant__memberships__cohort__sessions",
            "participant__provider_declarations",
        )
        .order_by("starts_at", "pk")
    )
    rows = []
    for session in sessions:
        results = run_rules(session, [*ONE_TO_ONE_RULES, "O7"], as_of=as_of)
        rows.append(
            {
                "session": session,
                "problems": [r for r in results if r.outcome in (Outcome.FAIL, Outcome.WARN)],
            }
        )
    return rows


# The checks a date and time decide, before anything is saved.
DRAFT_RULES = ("O2", "O3", "O4")


def rules_for_draft(
    participant: Participant, *, starts_at: dt.datetime, status: str, as_of: dt.datetime
) -> list[Result]:
    """O2–O4 on a one-to-one session that is not saved (the log form's live check)."""
    person = _for_checks(Participant.objects.filter(pk=participant.pk)).get()
    draft = OneToOneSession(
        participant=person, starts_at=starts_at, status=status, hours=Decimal(1)
    )
    return run_rules(draft, DRAFT_RULES, as_of=as_of)


@dataclass(frozen=True)
class RouteHours:
    programme: Decimal
    existing_by_provider: Decimal
    existing_by_hub: Decimal

    @property
    def existing(self) -> Decimal:
        return self.existing_by_provider + self.existing_by_hub

    @property
    def total(self) -> Decimal:
        return self.programme + self.existing


def hours_by_route(participant: Participant) -> RouteHours:
    """O1, M3: delivered hours by route, the hub's entries for existing programmes apart."""
    delivered = OneToOneSession.objects.filter(
        participant=participant, status=SessionStatus.DELIVERED
    )

    def total(condition: Q) -> Coalesce:
        return hours_total(filter=condition)

    figures = delivered.aggregate(
        programme=total(Q(route=OneToOneRoute.PROGRAMME)),
        existing_by_provider=total(Q(route=OneToOneRoute.EXISTING, entered_by_hub=False)),
        existing_by_hub=total(Q(route=OneToOneRoute.EXISTING, entered_by_hub=True)),
    )
    return RouteHours(**figures)


def declaration_of(participant: Participant, provider: User) -> ProviderDeclaration | None:
    return ProviderDeclaration.objects.filter(participant=participant, provider=provider).first()


def decline_of(participant: Participant) -> OneToOneDecline | None:
    try:
        return participant.one_to_one_decline
    except ObjectDoesNotExist:
        return None


def plan_of(participant: Participant) -> ActionPlan | None:
    try:
        return participant.action_plan
    except ObjectDoesNotExist:
        return None
