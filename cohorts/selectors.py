"""Reads about cohorts: the hours forecast (K2, K6) for one cohort, and in SQL for lists.

The forecast and the lists read K6's one definition of the hours planned in the window
(rules/cohorts.py), from the same rows or in SQL: a cohort is at risk exactly when K6
warns. It adds the date the cohort reaches its
hours and the numbers on their own, for pages and to-do lists. Related rows are read
through `.all()`, so a caller forecasting many cohorts can prefetch `sessions` once.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce

from cohorts.models import Cohort, CohortMembership
from participants.models import Business, EqualityData, Gender, Sector
from peernet.access import role_holders
from peernet.calendar import LONDON, local_date, whole_years
from peernet.hours import hours_exact, hours_total, sum_hours
from peernet.lists import search_condition
from peernet.models import RoleAssignment
from peernet.privacy.suppression import suppress_counts
from peernet.roles import Role
from peernet.words import date_words, hours_words, number_words
from rules import CHECKS, Outcome, Result, run_rules
from rules.cohorts import k6_in_window, k6_planned_sessions, k6_verdict
from rules.records import delivered_group_sessions, sessions_not_cancelled
from sessions.models import SessionStatus

if TYPE_CHECKING:
    # django-stubs is a development dependency: its types are read by mypy only.
    from django_stubs_ext import WithAnnotations

    from participants.models import Participant
    from peernet.models import Hub, User


def ever_in_cohort(code: str) -> Q:
    """Participants who are, or were, members of the cohort with this code: a list's
    cohort filter (a move ends a spell, and the list still finds them under it)."""
    return Q(pk__in=CohortMembership.objects.filter(cohort__code=code).values("participant"))


@dataclass(frozen=True)
class CohortForecast:
    """A cohort's hours (K2) if its schedule holds, as of a moment."""

    needed: Decimal  # the programme's cohort_hours
    window_end: dt.date  # the programme's delivery_end (K5)
    delivered: Decimal
    scheduled: Decimal  # not yet delivered, starting on or before the window end
    reaches_on: dt.date | None  # the local date the cohort reaches `needed`; None if never
    at_risk: bool
    reason: str

    @property
    def projected(self) -> Decimal:
        return self.delivered + self.scheduled

    @property
    def shortfall(self) -> Decimal:
        return max(self.needed - self.projected, Decimal(0))


def cohort_forecast(cohort: Cohort, *, as_of: dt.datetime) -> CohortForecast:
    """Delivered plus scheduled hours before the window closes, and when 18 is reached.

    At risk (K6) when the schedule falls short of the programme's hours: reaching them
    then depends on sessions not yet scheduled. A cohort that has delivered its hours is
    never at risk. `as_of` names the moment for the sentence's sake; the forecast itself
    reads the recorded statuses (a session is delivered once it is recorded as such).
    """
    programme = cohort.programme
    needed, end = programme.cohort_hours, programme.delivery_end
    planned = k6_planned_sessions(cohort)
    delivered = sum_hours(delivered_group_sessions(planned))
    scheduled = sum_hours(s for s in planned if s.status == SessionStatus.SCHEDULED)

    reaches_on, running = None, Decimal(0)
    for session in planned:  # in start order
        running += session.hours
        if running >= needed:
            reaches_on = local_date(session.starts_at)
            break

    name, of = cohort.name, number_words(needed)
    if delivered >= needed:
        reason = f"{name} has delivered {hours_words(delivered)} of {of} hours."
    elif reaches_on is not None:
        reason = (
            f"{name} has {hours_words(delivered)} hours delivered and "
            f"{hours_words(scheduled)} scheduled, so reaches {of} hours on "
            f"{date_words(reaches_on)} if the schedule holds."
        )
    else:
        reason = (
            f"{name} has {hours_words(delivered + scheduled)} of {of} hours delivered or "
            f"scheduled by {date_words(end)}: "
            f"schedule {hours_words(needed - delivered - scheduled)} more hours."
        )
    return CohortForecast(
        needed=needed,
        window_end=end,
        delivered=delivered,
        scheduled=scheduled,
        reaches_on=reaches_on,
        at_risk=k6_verdict(cohort, delivered + scheduled).outcome == Outcome.WARN,
        reason=reason,
    )


class CohortHours(TypedDict):
    """The hours `cohorts_with_hours` annotates on each cohort."""

    delivered_hours: Decimal
    scheduled_hours: Decimal
    projected_hours: Decimal


def cohorts_with_hours(
    queryset: QuerySet[Cohort],
) -> QuerySet[WithAnnotations[Cohort, CohortHours]]:
    """Annotate `delivered_hours`, `scheduled_hours` and `projected_hours` in SQL (for
    lists), counting as `cohort_forecast` does: K6's sessions in the window, so
    `projected_hours` is K6's planned hours (`cohort_at_risk` judges them)."""
    in_window = k6_in_window("sessions__")
    delivered = hours_total(
        "sessions__hours", filter=Q(sessions__status=SessionStatus.DELIVERED) & in_window
    )
    scheduled = hours_total(
        "sessions__hours", filter=Q(sessions__status=SessionStatus.SCHEDULED) & in_window
    )
    return queryset.annotate(
        delivered_hours=delivered,
        scheduled_hours=scheduled,
        projected_hours=hours_exact(F("delivered_hours") + F("scheduled_hours")),
    )


def cohort_move_targets(cohort: Cohort) -> QuerySet[Cohort]:
    """Where a member of `cohort` may be moved: the other cohorts of its hub and programme
    year that have not completed their hours (a completed cohort has no journey left to
    join, K11), by name. A short list whatever the hub's history."""
    others = Cohort.objects.filter(hub_id=cohort.hub_id, programme_id=cohort.programme_id)
    return (
        cohorts_with_hours(others.exclude(pk=cohort.pk))
        .filter(delivered_hours__lt=F("programme__cohort_hours"))
        .order_by("name")
    )


def cohort_at_risk(cohort: WithAnnotations[Cohort, CohortHours]) -> Result:
    """K6 for a cohort read by `cohorts_with_hours`, from its hours in SQL: the check's
    own result and sentence, without reading its sessions."""
    return CHECKS["K6"].judged(k6_verdict(cohort, cohort.projected_hours))


# --- pages of the hub administration area -------------------------------------------


def hub_cohorts(hub: Hub, *, today: dt.date) -> QuerySet[Cohort]:
    """The hub's cohorts for its list page, in one query: hours (`cohorts_with_hours`),
    `member_count` (current members) and `facilitator_name`, as subqueries so the
    sessions join does not multiply them."""
    from cohorts.models import Cohort
    from peernet.models import Role, RoleAssignment

    facilitator = RoleAssignment.objects.filter(
        cohort=OuterRef("pk"), role=Role.FACILITATOR
    ).values("user__name")[:1]
    cohorts = cohorts_with_hours(Cohort.objects.filter(hub=hub).select_related("programme"))
    return with_member_count(cohorts, today=today).annotate(facilitator_name=Subquery(facilitator))


def with_member_count(cohorts: QuerySet[Cohort], *, today: dt.date) -> QuerySet[Cohort]:
    """Annotate `member_count`, the cohort's current members on `today`, as a subquery
    so that a join (the sessions of `cohorts_with_hours`) does not multiply it."""
    members = (
        CohortMembership.objects.filter(cohort=OuterRef("pk"))
        .filter(Q(left__isnull=True) | Q(left__gt=today))
        .order_by()
        .values("cohort")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return cohorts.annotate(
        member_count=Coalesce(Subquery(members, output_field=IntegerField()), 0)
    )


class CohortState:
    FORMING = "Forming"
    RUNNING = "Running"
    COMPLETED = "Completed"


def cohort_state(*, delivered: Decimal, needed: Decimal) -> str:
    """Forming until a session is delivered; completed once its hours are (K2)."""
    if delivered >= needed:
        return CohortState.COMPLETED
    if delivered > 0:
        return CohortState.RUNNING
    return CohortState.FORMING


# `cohort_state` in SQL, for the list's filter: its words -> the condition on the
# delivered hours (`cohorts_with_hours`) and the programme's hours (K2).
STATE_CONDITIONS = {
    CohortState.FORMING: Q(delivered_hours__lte=0),
    CohortState.RUNNING: Q(delivered_hours__gt=0, delivered_hours__lt=F("programme__cohort_hours")),
    CohortState.COMPLETED: Q(delivered_hours__gte=F("programme__cohort_hours")),
}


def hub_cohort_list(
    *,
    hub: Hub,
    user: User,
    today: dt.date,
    search: str = "",
    state: str = "",
    facilitator: str = "",
) -> QuerySet[Cohort]:
    """The hub's cohorts the user may see as `hub_cohorts` reads them, narrowed by the
    list's filters: words of the name, a state (CohortState's words), a facilitator's id
    (the cohorts they facilitate)."""
    visible = Cohort.objects.filter(hub=hub).visible_to(user)
    cohorts = hub_cohorts(hub, today=today).filter(pk__in=visible.values("pk"))
    cohorts = cohorts.filter(search_condition(search, ("name",)))
    if state:
        cohorts = cohorts.filter(STATE_CONDITIONS[state])
    if facilitator:
        cohorts = cohorts.filter(
            pk__in=RoleAssignment.objects.filter(
                role=Role.FACILITATOR, user_id=int(facilitator)
            ).values("cohort")
        )
    return cohorts


def hub_facilitators(hub: Hub) -> QuerySet[User]:
    """Users who hold a facilitator role in this hub (any of its cohorts, or none)."""
    return role_holders(Role.FACILITATOR, hub=hub)


def cohort_for_checks(cohort: Cohort) -> Cohort:
    """The cohort as its checks and its page read it: the programme, the members with
    their businesses, and the sessions, each loaded once."""
    return (
        Cohort.objects.select_related("programme", "hub")
        .prefetch_related(
            "memberships__participant__business",
            "memberships__participant__equality",  # K12: a cohort-wide count only
            "sessions",
        )
        .get(pk=cohort.pk)
    )


def cohort_waiting_list(cohort: Cohort, *, today: dt.date) -> QuerySet[Participant]:
    """Eligible participants of the cohort's hub and programme year with no current
    cohort and not dropped out, charter signed or not (C1 is shown beside each)."""
    from cohorts.models import CohortMembership
    from participants.models import EligibilityStatus, Participant

    current = CohortMembership.objects.filter(participant=OuterRef("pk")).filter(
        Q(left__isnull=True) | Q(left__gt=today)
    )
    return (
        Participant.objects.filter(
            hub_id=cohort.hub_id,
            programme_id=cohort.programme_id,
            eligibility_status=EligibilityStatus.ELIGIBLE,
            dropped_out_on__isnull=True,
        )
        .exclude(Exists(current))
        # The businesses of the people listed only (a join here read every business in
        # the country: the planner expects the whole hub to be waiting).
        .prefetch_related("business")
        .order_by("last_name", "first_name")
    )


EMPLOYEE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("Fewer than 5", 0, 4),
    ("5 to 9", 5, 9),
    ("10 to 49", 10, 49),
    ("50 to 249", 50, 249),
    ("250 or more", 250, None),
)
TRADING_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("Under 1 year", 0, 0),
    ("1 to 2 years", 1, 2),
    ("3 to 5 years", 3, 5),
    ("6 to 10 years", 6, 10),
    ("More than 10 years", 11, None),
)
NOT_RECORDED = "Not recorded"


def _band(value: int | None, bands: tuple[tuple[str, int, int | None], ...]) -> str:
    if value is None:
        return NOT_RECORDED
    for label, low, high in bands:
        if value >= low and (high is None or value <= high):
            return label
    return NOT_RECORDED


def _ordered_counts(counter: Counter[str], order: list[str]) -> list[tuple[str, int]]:
    return [(label, counter[label]) for label in order if counter[label]]


@dataclass(frozen=True)
class CohortBalance:
    """K12's panel: counts only (docs/security.md §25 — equality answers are aggregated)."""

    size: int
    employees: list[tuple[str, int]]
    sectors: list[tuple[str, int]]
    genders: list[tuple[str, int | str]]  # small counts suppressed (peernet.privacy.suppression)
    trading: list[tuple[str, int]]
    competitors: list[tuple[str, str, list[str]]]  # sector words, area, business names
    result: Result


def cohort_balance(cohort: Cohort, *, as_of: dt.datetime) -> CohortBalance:
    """Counts by size band, sector, gender and stage of growth, possible competitors,
    and K12's own sentence, for the cohort's current members. `cohort` is prefetched
    as `cohorts.services` does for its checks (memberships__participant__business and
    __equality)."""
    today = local_date(as_of)
    # As K12 counts them: a membership ends on its `left` date.
    members = [m for m in cohort.memberships.all() if m.left is None or m.left > today]
    businesses = [m.participant.business for m in members]
    employees = Counter(_band(b.employees, EMPLOYEE_BANDS) for b in businesses)
    trading = Counter(
        _band(whole_years(b.trading_since, today) if b.trading_since else None, TRADING_BANDS)
        for b in businesses
    )
    sectors = Counter(Sector(b.sector).label if b.sector else NOT_RECORDED for b in businesses)
    genders = _gender_counts(members)
    # The cohort's size is shown beside them: suppressed as a row with its total.
    shown_genders = suppress_counts(dict(genders))
    return CohortBalance(
        size=len(members),
        employees=_ordered_counts(employees, [b[0] for b in EMPLOYEE_BANDS] + [NOT_RECORDED]),
        sectors=sorted(sectors.items()),
        genders=[
            (label, shown_genders[label])
            for label, _ in _ordered_counts(genders, [g.label for g in Gender] + [NOT_RECORDED])
        ],
        trading=_ordered_counts(trading, [b[0] for b in TRADING_BANDS] + [NOT_RECORDED]),
        competitors=_competitors(businesses),
        result=run_rules(cohort, ["K12"], as_of=as_of)[0],
    )


def _gender_counts(members: list[CohortMembership]) -> Counter[str]:
    """Members by gender, "not recorded" included; aggregated in SQL, so no equality
    answer is read row by row."""
    answered = dict(
        EqualityData.objects.filter(participant__in=[m.participant_id for m in members])
        .order_by()
        .values_list("gender")
        .annotate(n=Count("pk"))
        .values_list("gender", "n")
    )
    genders = Counter({Gender(g).label if g else NOT_RECORDED: n for g, n in answered.items() if n})
    genders[NOT_RECORDED] += len(members) - sum(answered.values())
    return genders


def _competitors(businesses: list[Business]) -> list[tuple[str, str, list[str]]]:
    """(sector words, area, business names) for each sector and area more than one of
    the members' businesses share."""
    groups: dict[tuple[str, str], list[str]] = {}
    for business in businesses:
        if business.sector:
            groups.setdefault((business.sector, business.local_authority), []).append(business.name)
    return [
        (Sector(sector).label, area, sorted(names))
        for (sector, area), names in sorted(groups.items())
        if len(names) > 1
    ]


# --- the schedule planner (K3–K6) ----------------------------------------------------


@dataclass(frozen=True)
class PlannedSession:
    starts_at: dt.datetime
    hours: Decimal
    moved_from: dt.date | None = None  # the bank holiday the session was moved off
    holiday: str = ""
    in_window: bool = True  # K5


@dataclass(frozen=True)
class SchedulePlan:
    sessions: list[PlannedSession]
    already: Decimal  # hours the cohort has delivered or scheduled before this plan
    results: list[Result]  # K3 (each distinct length), K4, K5 (each session), K6

    @property
    def complete(self) -> Result | None:
        """K6's result when the plan reaches the cohort's hours: its sentence goes above
        the button that schedules them."""
        return next((r for r in self.results if r.rule == "K6" and r.outcome == "pass"), None)

    @property
    def total(self) -> Decimal:
        return self.already + sum((s.hours for s in self.sessions), Decimal(0))

    @property
    def blocked(self) -> list[Result]:
        return [r for r in self.results if r.outcome == "fail"]

    @property
    def warnings(self) -> list[Result]:
        return [r for r in self.results if r.outcome == "warn"]


def bank_holidays(years: range) -> dict[dt.date, str]:
    """England and Wales bank holidays (the maintained `holidays` package)."""
    import holidays

    return dict(holidays.country_holidays("GB", subdiv="ENG", years=years).items())


def _working_day_from(day: dt.date, closed: dict[dt.date, str]) -> dt.date:
    """`day`, or the next weekday that is not a bank holiday."""
    while day in closed or day.weekday() >= 5:  # Saturday, Sunday
        day += dt.timedelta(days=1)
    return day


class _PlannedSessions:
    """Stands in for `cohort.sessions` so the registered checks judge the plan."""

    def __init__(self, sessions: list[Any]) -> None:
        self._sessions = sessions

    def all(self) -> list[Any]:
        return self._sessions


@dataclass
class _PlannedCohort:
    name: str
    programme: Any
    sessions: _PlannedSessions


def cohort_schedule_plan(
    cohort: Cohort,
    *,
    first_day: dt.date,
    start_time: dt.time,
    cadence_weeks: int,
    session_hours: Decimal,
    total_hours: Decimal,
    as_of: dt.datetime,
) -> SchedulePlan:
    """Every session needed to reach `total_hours` (counting what the cohort already has
    delivered or scheduled), every `cadence_weeks` from `first_day` at `start_time`
    (London). A date on a bank holiday moves to the next working day; later dates keep
    the cadence. The last session is shorter when the hours do not divide evenly.

    The plan is judged by the same checks as `cohort_schedule_session`: K3 and K5 for
    each session, K4 and K6 for the cohort with the plan added (K6: scheduled at the
    outset)."""
    from sessions.models import GroupSession

    if cadence_weeks <= 0 or session_hours <= 0:
        raise ValueError("The cadence and the session length must be positive.")
    existing = sessions_not_cancelled(cohort.sessions.all())
    end = cohort.programme.delivery_end
    already = sum_hours(k6_planned_sessions(cohort))
    remaining = total_hours - already
    count = max(math.ceil(remaining / session_hours), 0)
    closed = bank_holidays(range(first_day.year, first_day.year + 3))

    planned: list[PlannedSession] = []
    hours_left = remaining
    for n in range(count):
        slot = first_day + dt.timedelta(weeks=cadence_weeks * n)
        day = _working_day_from(slot, closed)
        starts_at = dt.datetime.combine(day, start_time, tzinfo=LONDON)
        hours = min(session_hours, hours_left)
        hours_left -= hours
        planned.append(
            PlannedSession(
                starts_at=starts_at,
                hours=hours,
                moved_from=slot if day != slot else None,
                holiday=closed.get(slot, ""),
                in_window=cohort.programme.delivery_start <= day <= end,
            )
        )

    stand_in = _PlannedCohort(name=cohort.name, programme=cohort.programme, sessions=None)  # type: ignore[arg-type]
    unsaved = [GroupSession(cohort=cohort, starts_at=p.starts_at, hours=p.hours) for p in planned]
    stand_in.sessions = _PlannedSessions(existing + unsaved)
    results: list[Result] = []
    for length in sorted({p.hours for p in planned}):
        results += run_rules(
            GroupSession(cohort=cohort, starts_at=planned[0].starts_at, hours=length),
            ["K3"],
            as_of=as_of,
        )
    results += [r for s in unsaved for r in run_rules(s, ["K5"], as_of=as_of)]
    results += run_rules(stand_in, ["K4", "K6"], as_of=as_of)
    return SchedulePlan(sessions=planned, already=already, results=results)
