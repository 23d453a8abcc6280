"""Reads about participants: the one-to-one support forecast (O1, O3, O4), the hub's
registrations list, the participant page and the eligibility assessment.

Related rows are read through `.all()`, so a caller forecasting many participants can
prefetch them once: `attendance__session`, `one_to_ones`, `memberships__cohort__sessions`
(with `programme`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery

from cohorts.models import Cohort, CohortMembership
from cohorts.selectors import ever_in_cohort
from participants.models import BusinessMatch, EligibilityException, EligibilityStatus, Participant
from peernet.access import get_for_user, named_to_hub
from peernet.calendar import add_months, local_date
from peernet.hours import sum_hours
from peernet.lists import search_condition
from peernet.models import Hub, RuleWarning, User
from peernet.scoping import scopes_disabled
from peernet.words import date_words, hours_words, number_words, plural_words, yes_no_words
from rules import CHECKS, Result, run_rules
from rules.eligibility import e9_business_participants
from rules.one_to_one import final_group_session_on
from rules.records import (
    current_membership,
    has_dropped_out,
)
from sessions.models import SessionStatus

if TYPE_CHECKING:
    from participants.models import Participant


@dataclass(frozen=True)
class ParticipantForecast:
    """A participant's group hours, and one-to-one hours against the programme minimum."""

    attended: Decimal  # group hours attended at delivered sessions
    needed: Decimal  # the programme's one_to_one_hours (O1)
    delivered: Decimal  # one-to-one hours delivered
    scheduled: Decimal  # one-to-one hours scheduled on or before the deadline
    scheduled_late: Decimal  # one-to-one hours scheduled after the deadline
    final_session_on: dt.date | None  # the cohort's final non-cancelled group session
    o3_deadline: dt.date | None  # O3: months after the final session, capped at the window
    o4_deadline: dt.date  # O4: the end of the delivery window
    at_risk: bool
    reason: str

    @property
    def deadline(self) -> dt.date:
        """The date the support depends on: O3's when the cohort has sessions, else O4's."""
        return self.o3_deadline or self.o4_deadline

    @property
    def projected(self) -> Decimal:
        return self.delivered + self.scheduled


def participant_forecast(participant: Participant, *, as_of: dt.datetime) -> ParticipantForecast:
    """One-to-one hours delivered plus scheduled in time, against the O1 minimum.

    At risk when the participant is allocated to a cohort, has not dropped out nor
    declined support (O8), and delivered plus scheduled hours by the deadline fall short
    of the minimum: reaching it then depends on sessions not yet scheduled, or on
    sessions scheduled after the deadline (O3, O4).
    """
    programme = participant.programme
    today = local_date(as_of)
    needed = programme.one_to_one_hours

    attended = sum(
        (
            row.hours
            for row in participant.attendance.all()
            if row.present and row.session.status == SessionStatus.DELIVERED
        ),
        Decimal(0),
    )

    final = final_group_session_on(participant)
    o4 = programme.delivery_end
    o3 = min(add_months(final, programme.one_to_one_months_after_final), o4) if final else None
    deadline = o3 or o4

    one_to_ones = participant.one_to_ones.all()
    delivered = sum_hours(o for o in one_to_ones if o.status == SessionStatus.DELIVERED)
    pending = [o for o in one_to_ones if o.status == SessionStatus.SCHEDULED]
    scheduled = sum_hours(o for o in pending if local_date(o.starts_at) <= deadline)
    late = sum_hours(o for o in pending if local_date(o.starts_at) > deadline)
    at_risk, reason = _one_to_one_reason(
        participant, today, delivered=delivered, scheduled=scheduled, late=late, by=deadline
    )
    return ParticipantForecast(
        attended=attended,
        needed=needed,
        delivered=delivered,
        scheduled=scheduled,
        scheduled_late=late,
        final_session_on=final,
        o3_deadline=o3,
        o4_deadline=o4,
        at_risk=at_risk,
        reason=reason,
    )


def _one_to_one_reason(
    participant: Participant,
    today: dt.date,
    *,
    delivered: Decimal,
    scheduled: Decimal,
    late: Decimal,
    by: dt.date,
) -> tuple[bool, str]:
    """Whether reaching the O1 minimum is at risk, and the sentence that says why."""
    name, programme = participant.full_name, participant.programme
    needed = programme.one_to_one_hours
    of = f"{number_words(needed)} hours"
    if participant.one_to_one_declined:
        return False, f"{name} declined one-to-one support (O8)."
    if has_dropped_out(participant, today):
        assert participant.dropped_out_on is not None  # what has_dropped_out asked
        return False, f"{name} dropped out on {date_words(participant.dropped_out_on)}."
    if current_membership(participant, today) is None:
        return False, f"{name} is not in a cohort."
    if delivered >= needed:
        return (
            False,
            f"{name} has {hours_words(delivered)} of {of} of one-to-one support delivered.",
        )
    if delivered + scheduled >= needed:
        return False, (
            f"{name} has {hours_words(delivered)} hours of one-to-one support delivered and "
            f"{hours_words(scheduled)} scheduled by {date_words(by)}, reaching {of}."
        )
    short = needed - delivered - scheduled
    reason = (
        f"{name} has {hours_words(delivered + scheduled)} of {of} of one-to-one support "
        f"delivered or scheduled by {date_words(by)}: "
        f"schedule {hours_words(short)} more hours."
    )
    if late:
        reason = reason[:-1] + (
            f"; {hours_words(late)} hours are scheduled after that date "
            f"({plural_words(programme.one_to_one_months_after_final, 'month')} after the "
            "cohort's final group session, or the end of the delivery window)."
        )
    return True, reason


# --- registrations and the participant page -----------------------------------------------


def _allocated() -> Q:
    """In a cohort now (an open membership). A set the database builds once and looks
    each participant up in, rather than a search per participant."""
    return Q(pk__in=CohortMembership.objects.filter(left__isnull=True).values("participant_id"))


def _same_business_others() -> Subquery:
    """E9 at a glance: how many others from the business registered this programme year
    and are not ruled out."""

    with scopes_disabled():  # E9 counts the business's people in every hub (no names)
        everyone = Participant.objects.all()
    others = (
        everyone.filter(business=OuterRef("business"), programme=OuterRef("programme"))
        .exclude(pk=OuterRef("pk"))
        .exclude(eligibility_status=EligibilityStatus.INELIGIBLE)
        .order_by()
        .values("business")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Subquery(others, output_field=IntegerField())


def status_condition(status: str) -> Q:
    """The condition for one of the list's statuses (RegistrationStatus; validated by the
    view's form, so an unknown one is a KeyError, never a lookup)."""
    return {
        "pending": Q(eligibility_status="pending"),
        "eligible": Q(eligibility_status="eligible"),
        "ineligible": Q(eligibility_status="ineligible"),
        "allocated": Q(_allocated(), dropped_out_on__isnull=True),
        "dropped-out": Q(dropped_out_on__isnull=False),
    }[status]


STATUSES = ("pending", "eligible", "ineligible", "allocated", "dropped-out")


REGISTRATION_SEARCH = (
    "first_name",
    "last_name",
    "email",
    "business__name",
    "business__postcode",
)


def registrations_for_hub(
    *,
    hub: Hub,
    user: User,
    status: str = "",
    search: str = "",
    eligibility: str = "",
    cohort: str = "",
    among: QuerySet[Participant] | None = None,
) -> QuerySet[Participant]:
    """The hub's registrations, newest first, with what the list shows in the same query.

    `status` is one of STATUS_FILTERS' keys (validated by the view's form); `search` is
    plain text matched against names, email, the business's name and postcode, never a
    lookup; `eligibility` an eligibility decision; `cohort` a cohort's code (its members,
    past and present); `among` the participants to keep (a figure's, as the return counts
    them).
    """

    rows = (
        Participant.objects.filter(hub=hub)
        .visible_to(user)
        .select_related("business")
        .annotate(allocated=_allocated(), e9_others=_same_business_others())
    )
    if status:
        rows = rows.filter(status_condition(status))
    rows = rows.filter(search_condition(search, REGISTRATION_SEARCH))
    if eligibility:
        rows = rows.filter(eligibility_status=eligibility)
    if cohort:
        rows = rows.filter(ever_in_cohort(cohort))
    if among is not None:
        rows = rows.filter(pk__in=among.values("pk"))
    return rows.order_by("-registered", "-pk")


def hub_cohort_choices(*, hub: Hub, user: User) -> list[tuple[str, str]]:
    """The hub's cohorts the user may see, as (code, name) choices, by name."""

    cohorts = Cohort.objects.filter(hub=hub).visible_to(user).order_by("name", "pk")
    return [(str(code), name) for code, name in cohorts.values_list("code", "name")]


def registration_counts(*, hub: Hub, user: User) -> dict[str, int]:
    """Counts per status in one aggregate query."""

    rows = Participant.objects.filter(hub=hub).visible_to(user)
    counts = rows.aggregate(
        total=Count("pk"),
        **{key: Count("pk", filter=status_condition(key)) for key in STATUSES},
    )
    return {key: value or 0 for key, value in counts.items()}


def participant_for_page(*, hub: Hub, user: User, code: Any) -> Participant:
    """One participant of the hub for the participant page, with its history preloaded
    (a fixed number of queries whatever the history's length); 404 when not visible."""

    return get_for_user(
        Participant.objects.filter(hub=hub)
        .select_related("business", "programme", "hub", "eligibility_decided_by")
        .prefetch_related(
            "eligibility_outcomes",
            Prefetch(
                "eligibility_exceptions",
                queryset=EligibilityException.objects.select_related("recorded_by"),
            ),
            "memberships__cohort",
            "one_to_ones",
            e9_business_participants(),
            "business_matches",
        ),
        user,
        code=code,
    )


def participant_rule_warnings(participant: Participant) -> QuerySet[RuleWarning]:
    """Every warning recorded about the participant, newest first."""
    return RuleWarning.objects.filter(
        hub_id=participant.hub_id, subject_kind="participant", subject_id=participant.pk
    ).select_related("recorded_by")


@dataclass(frozen=True)
class SameBusiness:
    """The others from a participant's business this programme year, as the participant's
    hub may see them: its own people by name, every other hub's only as a count."""

    named: list[Participant]
    elsewhere: int


def same_business_this_year(participant: Participant) -> SameBusiness:
    """E9's question about one business, answered for the participant's hub page.

    Reads `participant.business.participants.all()`, which is every hub's people (prefetch
    `e9_business_participants()`); another hub's person is never named here, whatever
    business or company number the hub entered (docs/security.md §1: `named_to_hub`)."""
    this_year = [
        other
        for other in participant.business.participants.all()
        if other.programme_id == participant.programme_id and other.pk != participant.pk
    ]
    named = [o for o in this_year if named_to_hub(o, participant.hub_id)]
    return SameBusiness(named=named, elsewhere=len(this_year) - len(named))


@dataclass(frozen=True)
class Criterion:
    """One eligibility rule on the assessment page: the live result and its evidence."""

    result: Result
    evidence: list[tuple[str, str]]
    desirable: bool = False


ASSESSED_RULES = ("E1", "E2", "E3", "E4", "E5", "E6", "E7", "E8", "E9", "E10")


def _money_or_unknown(value: Decimal | None) -> str:
    return "Not known" if value is None else f"£{value:,.0f}"


def _evidence(participant: Participant, rule: str) -> list[tuple[str, str]]:
    business, hub = participant.business, participant.hub
    employees = "Not known" if business.employees is None else str(business.employees)
    since = "Not known" if business.trading_since is None else date_words(business.trading_since)
    same = same_business_this_year(participant)
    others = [o.full_name for o in same.named]
    if same.elsewhere:
        others.append(f"{same.elsewhere} registered with another hub")
    table: dict[str, list[tuple[str, str]]] = {
        "E1": [
            ("Employees", employees),
            ("Turnover", _money_or_unknown(business.turnover)),
            ("Balance sheet total", _money_or_unknown(business.balance_sheet_total)),
        ],
        "E2": [("Trading since", since)],
        "E3": [("Employees on PAYE", employees)],
        "E4": [("Turnover", _money_or_unknown(business.turnover))],
        "E5": [
            ("Declared an aspiration to improve", yes_no_words(participant.aspiration_to_improve))
        ],
        "E6": [
            ("Local authority", business.local_authority),
            ("LEP area", ", ".join(hub.local_authorities) or "Not set"),
        ],
        "E7": [
            ("Declared a senior decision maker", yes_no_words(participant.senior_decision_maker))
        ],
        "E8": [("Took part last year", yes_no_words(participant.previous_year_participant))],
        "E9": [("Others from the business this year", ", ".join(others) or "None")],
        "E10": [
            ("Potential to scale up", yes_no_words(business.scale_up_potential)),
            ("Exports or could export", yes_no_words(business.exporter)),
        ],
    }
    return table[rule]


def _matches() -> QuerySet:
    """E9's possible matches with their businesses, read across hubs: the business may be
    another hub's (its name and postcode are shown, never its people)."""

    with scopes_disabled():
        return BusinessMatch.objects.select_related("business").order_by("found_at", "pk")


def participant_for_checks(*, hub: Hub, user: User, code: Any) -> Participant:
    """One participant of the hub with what the eligibility checks read; 404 if not visible."""

    return get_for_user(
        Participant.objects.filter(hub=hub)
        .select_related("programme", "hub", "business", "eligibility_decided_by")
        .prefetch_related(
            e9_business_participants(),
            "eligibility_exceptions",
            "memberships__cohort",
            Prefetch("business_matches", queryset=_matches()),
        ),
        user,
        code=code,
    )


def eligibility_assessment(participant: Participant, *, as_of: dt.datetime) -> list[Criterion]:
    """E1–E10 asked live, each with the business's numbers it judged."""
    return [
        Criterion(
            result=result,
            evidence=_evidence(participant, result.rule),
            desirable=CHECKS[result.rule].kind == "warn",
        )
        for result in run_rules(participant, ASSESSED_RULES, as_of=as_of)
    ]
