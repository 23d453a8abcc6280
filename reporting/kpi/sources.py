"""The records behind the figures: one function per kind of record, each giving a
`Source` (`reporting.kpi.query`) with the conditions that select what each figure counts.
`reporting.kpi.results` computes them as grouped aggregates, for many hubs at once;
`reporting.drilldown` lists the rows behind a figure from the same conditions.

Periods are Europe/London local dates: `_month` counts what is dated inside the calendar
month, `_cumulative` from the programme's delivery start to the month's end; "as at month
end" figures (no suffix) read the records as they stand.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    Value,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce, TruncDate

from cohorts.models import Cohort, CohortMembership
from participants.models import (
    EligibilityException,
    EligibilityStatus,
    Participant,
    SurveyKind,
    SurveyResponse,
)
from peernet.calendar import LONDON, london_midnight
from peernet.hours import ZERO, hours_exact, hours_total, running_hours_total
from peernet.models import Programme
from reporting.kpi.figures import EXCEPTION_KINDS, NOT_KNOWN, PARTICIPANT_BREAKDOWNS
from reporting.kpi.query import Among, AnyOf, Measure, Period, Source, counted, month_and_cumulative
from sessions.models import (
    Attendance,
    Complaint,
    ComplaintKind,
    GroupSession,
    Observation,
    OneToOneRoute,
    OneToOneSession,
    SessionStatus,
    Topic,
)

DELIVERED = SessionStatus.DELIVERED


def all_sources(hub_ids: list[int], programme: Programme, m: Period, c: Period) -> list[Source]:
    """Every source of the return for these hubs, the month `m` and the cumulative period `c`."""
    return [kind(hub_ids, programme, m, c) for kind in KINDS]


def _window_closes(programme: Programme) -> dt.datetime:
    """K5, O4: the first moment after the delivery window."""
    return london_midnight(programme.delivery_end + dt.timedelta(days=1))


def _late(programme: Programme) -> Q:
    """K7, O5: a session whose joining instructions went later than the notice, or never."""
    notice = dt.timedelta(hours=programme.joining_instructions_hours)
    return Q(joining_instructions_sent_at__isnull=True) | Q(
        joining_instructions_sent_at__gt=ExpressionWrapper(
            F("starts_at") - Value(notice), output_field=DateTimeField()
        )
    )


def _completing_sessions(cohorts: Any, required: Decimal) -> Any:
    """The delivered session of each of `cohorts` that takes its running total of delivered
    hours to `required` (K2): the cohort completes at its start. Hours are positive and a
    cohort has one session per start (the constraints of GroupSession), so the running
    total (a window over the cohort's sessions in order) passes `required` at exactly one
    session, the first whose total reaches it."""
    return (
        GroupSession.objects.filter(cohort__in=cohorts, status=DELIVERED)
        .alias(
            running=running_hours_total(partition_by=[F("cohort")], order_by=F("starts_at").asc())
        )
        .alias(before=hours_exact(F("running") - F("hours")))
        .filter(running__gte=required, before__lt=required)
    )


def _participant_facts(
    hub_ids: list[int], programme: Programme, m: Period, c: Period
) -> dict[str, Any]:
    """The per-participant facts tables that the participants' figures ask about.

    Each "first X" and each total of one-to-one hours is computed once per participant, in
    a grouped facts table over the hubs' records of one kind (GROUP BY participant); a
    figure asks whether a participant is among the rows meeting a condition (HAVING). Each
    facts table is read once per query for every figure that needs it (`Source.counts`).
    (Correlated subqueries instead ran once per participant and use.)"""
    memberships = CohortMembership.objects.filter(participant__hub_id__in=hub_ids)
    attended = Attendance.objects.filter(
        participant__hub_id__in=hub_ids, present=True, session__status=DELIVERED
    )
    delivered_one_to_ones = OneToOneSession.objects.filter(
        participant__hub_id__in=hub_ids, status=DELIVERED
    )

    def route_hours(route: str) -> Coalesce:
        return hours_total(filter=Q(route=route))

    return {
        # The first cohort membership.
        "memberships": memberships.order_by().values("participant").annotate(first=Min("joined")),
        # The first attended (present) delivered group session.
        "attended": attended.order_by()
        .values("participant")
        .annotate(first=Min("session__starts_at")),
        # Delivered one-to-one hours up to the month's end: in all, before the month,
        # before delivery start, and by route; sessions from delivery start.
        "one_to_ones": delivered_one_to_ones.filter(starts_at__lt=m.ends)
        .order_by()
        .values("participant")
        .annotate(
            to_end=hours_total(zero=False),
            before_month=hours_total(filter=Q(starts_at__lt=m.starts)),
            before_start=hours_total(filter=Q(starts_at__lt=c.starts)),
            programme_hours=route_hours(OneToOneRoute.PROGRAMME),
            existing_hours=route_hours(OneToOneRoute.EXISTING),
            from_start=Count("pk", filter=Q(starts_at__gte=c.starts)),
        ),
        # Delivered and scheduled one-to-one hours before the delivery window closes.
        "one_to_ones_planned": OneToOneSession.objects.filter(
            participant__hub_id__in=hub_ids,
            status__in=[DELIVERED, SessionStatus.SCHEDULED],
            starts_at__lt=_window_closes(programme),
        )
        .order_by()
        .values("participant")
        .annotate(total=hours_total(zero=False)),
    }


def participants(hub_ids: list[int], programme: Programme, m: Period, c: Period) -> Source:
    """Participants: registration, eligibility, allocation, start, drop-out, one-to-one."""
    need_one_to_one = programme.one_to_one_hours  # O1
    facts = _participant_facts(hub_ids, programme, m, c)

    def person(where: Q, *among: Among | AnyOf) -> Measure:
        return counted(facts, "participant", where, *among)

    def allocated(period: Period) -> Among:  # first cohort membership in the period
        return Among("memberships", period.days("first"))

    def started(period: Period) -> Among:  # first attended delivered group session in it
        return Among("attended", period.moments("first"))

    def one_to_one(**conditions: Any) -> Among:  # hours to month end meeting these
        return Among("one_to_ones", Q(**conditions))

    met_cumulative = {"to_end__gte": need_one_to_one, "before_start__lt": need_one_to_one}
    people = Participant.objects.filter(hub_id__in=hub_ids)
    eligible = Q(eligibility_status=EligibilityStatus.ELIGIBLE)
    ineligible = Q(eligibility_status=EligibilityStatus.INELIGIBLE)
    not_dropped_by_end = Q(dropped_out_on__isnull=True) | Q(dropped_out_on__gt=m.last)
    # O8: declined by the month's end, on the date recorded with the refusal (a refusal
    # imported without one counts from registration), so an earlier month recompiled
    # later does not count a refusal made after it.
    declined_by_end = Q(one_to_one_declined=True) & (
        Q(one_to_one_decline__declined_on__lte=m.last)
        | Q(one_to_one_decline__isnull=True, registered__lte=m.last)
    )
    people_aggregates = {
        **month_and_cumulative(
            m,
            c,
            registrations=lambda p: person(p.days("registered")),
            eligible=lambda p: person(eligible & p.days("eligibility_decided")),
            ineligible=lambda p: person(ineligible & p.days("eligibility_decided")),
            allocated=lambda p: person(Q(), allocated(p)),
            started=lambda p: person(Q(), started(p)),
            dropped_out=lambda p: person(p.days("dropped_out_on")),
        ),
        # a delivered session from delivery start to month end
        "one_to_one_participants_cumulative": person(Q(), one_to_one(from_start__gt=0)),
        "one_to_one_minimum_met_month": person(
            Q(), one_to_one(to_end__gte=need_one_to_one, before_month__lt=need_one_to_one)
        ),
        "one_to_one_minimum_met_cumulative": person(Q(), one_to_one(**met_cumulative)),
        "one_to_one_minimum_met_programme_cumulative": person(
            Q(), one_to_one(**met_cumulative, existing_hours=ZERO)
        ),
        "one_to_one_minimum_met_existing_cumulative": person(
            Q(), one_to_one(**met_cumulative, programme_hours=ZERO)
        ),
        "one_to_one_minimum_met_mixed_cumulative": person(
            Q(), one_to_one(**met_cumulative, programme_hours__gt=ZERO, existing_hours__gt=ZERO)
        ),
        "one_to_one_declined_cumulative": person(declined_by_end),
        # allocated by month end (a membership joined by then), planned hours short
        "participants_at_risk_one_to_one": person(
            ~declined_by_end & not_dropped_by_end,
            Among("memberships", Q(first__lte=m.last)),
            Among("one_to_ones_planned", Q(total__gte=need_one_to_one), negated=True),
        ),
    }
    return Source("participants", people, "hub", people_aggregates, facts)


def cohorts(hub_ids: list[int], programme: Programme, m: Period, c: Period) -> Source:
    """Cohorts: started, completed, at risk (per-cohort facts tables, as for participants)."""
    need_hours = programme.cohort_hours  # K2
    rows = Cohort.objects.filter(hub_id__in=hub_ids)
    hub_sessions = GroupSession.objects.filter(cohort__hub_id__in=hub_ids)
    completing = _completing_sessions(rows.values("pk"), need_hours)
    cohort_facts = {
        # The first delivered session.
        "delivered": hub_sessions.filter(status=DELIVERED)
        .order_by()
        .values("cohort")
        .annotate(first=Min("starts_at")),
        # The session completing the cohort, counted in the month, from delivery start,
        # and up to month end. (Filtered outside the window: a filter on `completing`
        # would narrow its sums.)
        "completing": hub_sessions.filter(pk__in=completing)
        .order_by()
        .values("cohort")
        .annotate(
            in_month=Count("pk", filter=m.moments("starts_at")),
            in_cumulative=Count("pk", filter=c.moments("starts_at")),
            by_end=Count("pk", filter=Q(starts_at__lt=m.ends)),
        ),
        # Delivered and scheduled hours before the delivery window closes.
        "planned": hub_sessions.filter(
            status__in=[DELIVERED, SessionStatus.SCHEDULED], starts_at__lt=_window_closes(programme)
        )
        .order_by()
        .values("cohort")
        .annotate(total=hours_total(zero=False)),
        # The first member to join; the first session not cancelled.
        "members": CohortMembership.objects.filter(cohort__hub_id__in=hub_ids)
        .order_by()
        .values("cohort")
        .annotate(first=Min("joined")),
        "sessions": hub_sessions.exclude(status=SessionStatus.CANCELLED)
        .order_by()
        .values("cohort")
        .annotate(first=Min("starts_at")),
    }

    def cohort(where: Q, *among: Among | AnyOf) -> Measure:
        return counted(cohort_facts, "cohort", where, *among)

    def cohorts_started(period: Period) -> Among:  # first delivered session in the period
        return Among("delivered", period.moments("first"))

    exists_by_end = AnyOf(
        (Among("members", Q(first__lte=m.last)), Among("sessions", Q(first__lt=m.ends)))
    )
    return Source(
        "cohorts",
        rows,
        "hub",
        {
            **month_and_cumulative(m, c, cohorts_started=lambda p: cohort(Q(), cohorts_started(p))),
            "cohorts_completed_month": cohort(Q(), Among("completing", Q(in_month__gt=0))),
            "cohorts_completed_cumulative": cohort(
                Q(), Among("completing", Q(in_cumulative__gt=0))
            ),
            "cohorts_at_risk": cohort(
                Q(programme=programme),
                exists_by_end,
                Among("completing", Q(by_end__gt=0), negated=True),
                Among("planned", Q(total__gte=need_hours), negated=True),
            ),
        },
        cohort_facts,
        "cohort",
    )


def memberships(hub_ids: list[int], programme: Programme, m: Period, c: Period) -> Source:
    """Participants completed: members of a cohort on the day it completed, not dropped out
    that day (a membership ends on its `left` date; a drop-out counts from its date). A
    membership is joined to its cohort's completing session (one at most)."""
    need_hours = programme.cohort_hours  # K2
    joined = CohortMembership.objects.filter(participant__hub_id__in=hub_ids)
    members = (
        joined.filter(
            cohort__sessions__in=_completing_sessions(joined.values("cohort"), need_hours)
        )
        .alias(completed_at=F("cohort__sessions__starts_at"))
        .alias(completed_on=TruncDate("completed_at", tzinfo=LONDON))
        .filter(joined__lte=F("completed_on"))
        .filter(Q(left__isnull=True) | Q(left__gt=F("completed_on")))
        .filter(
            Q(participant__dropped_out_on__isnull=True)
            | Q(participant__dropped_out_on__gt=F("completed_on"))
        )
    )
    return Source(
        "memberships",
        members,
        "participant__hub",
        month_and_cumulative(
            m,
            c,
            participants_completed=lambda p: Measure(
                p.moments("completed_at"), distinct="participant"
            ),
        ),
    )


def sessions(hub_ids: list[int], programme: Programme, m: Period, c: Period) -> Source:
    """Group sessions: delivered, hours, missing attendance, late joining instructions."""
    late = _late(programme)
    rows = GroupSession.objects.filter(cohort__hub_id__in=hub_ids, status=DELIVERED).alias(
        has_attendance=Exists(Attendance.objects.filter(session=OuterRef("pk")))
    )
    return Source(
        "sessions",
        rows,
        "cohort__hub",
        {
            **month_and_cumulative(
                m,
                c,
                sessions_delivered=lambda p: Measure(p.moments("starts_at")),
                group_hours_delivered=lambda p: Measure(p.moments("starts_at"), total="hours"),
            ),
            "sessions_missing_attendance": Measure(
                c.moments("starts_at") & Q(has_attendance=False)
            ),
            "late_group": Measure(m.moments("starts_at") & late),
        },
    )


def attendance(hub_ids: list[int], programme: Programme, m: Period, c: Period) -> Source:
    """Attendance at delivered group sessions."""
    present = Q(present=True)
    rows = Attendance.objects.filter(session__cohort__hub_id__in=hub_ids, session__status=DELIVERED)
    return Source(
        "attendance",
        rows,
        "session__cohort__hub",
        {
            **month_and_cumulative(
                m,
                c,
                participant_hours_attended=lambda p: Measure(
                    present & p.moments("session__starts_at"), total="hours"
                ),
                present=lambda p: Measure(present & p.moments("session__starts_at")),
                recorded=lambda p: Measure(p.moments("session__starts_at")),
            ),
        },
    )


def one_to_ones(hub_ids: list[int], programme: Programme, m: Period, c: Period) -> Source:
    """One-to-one sessions delivered, by route (M3)."""
    late = _late(programme)
    programme_route = Q(route=OneToOneRoute.PROGRAMME)
    existing_route = Q(route=OneToOneRoute.EXISTING)
    rows = OneToOneSession.objects.filter(participant__hub_id__in=hub_ids, status=DELIVERED)
    return Source(
        "one_to_ones",
        rows,
        "participant__hub",
        {
            **month_and_cumulative(
                m,
                c,
                one_to_one_sessions=lambda p: Measure(p.moments("starts_at")),
                one_to_one_hours_programme=lambda p: Measure(
                    programme_route & p.moments("starts_at"), total="hours"
                ),
                one_to_one_hours_existing=lambda p: Measure(
                    existing_route & p.moments("starts_at"), total="hours"
                ),
            ),
            "late_one_to_one": Measure(m.moments("starts_at") & late),
        },
    )


def surveys(hub_ids: list[int], programme: Programme, m: Period, c: Period) -> Source:
    """Surveys, by kind and completion date."""
    rows = SurveyResponse.objects.filter(participant__hub_id__in=hub_ids).alias(
        satisfaction=Cast(KT("answers__overall_satisfaction"), IntegerField())
    )
    survey_aggregates: dict[str, Measure] = {}
    for kind, name in [
        (SurveyKind.BASELINE, "baseline_surveys"),
        (SurveyKind.SESSION_FEEDBACK, "session_feedback_responses"),
        (SurveyKind.EXIT, "exit_surveys"),
        (SurveyKind.DROPOUT, "dropout_surveys"),
    ]:
        for suffix, period in (("month", m), ("cumulative", c)):
            survey_aggregates[f"{name}_{suffix}"] = Measure(Q(kind=kind) & period.days("completed"))
    feedback = Q(kind=SurveyKind.SESSION_FEEDBACK, satisfaction__isnull=False)
    for suffix, period in (("month", m), ("cumulative", c)):
        survey_aggregates[f"satisfaction_sum_{suffix}"] = Measure(
            feedback & period.days("completed"), total="satisfaction"
        )
        survey_aggregates[f"satisfaction_count_{suffix}"] = Measure(
            feedback & period.days("completed")
        )
    return Source("surveys", rows, "participant__hub", survey_aggregates)


def observations(hub_ids: list[int], programme: Programme, m: Period, c: Period) -> Source:
    """Observations completed, by the date of the session observed."""
    rows = Observation.objects.filter(session__cohort__hub_id__in=hub_ids, completed__isnull=False)
    return Source(
        "observations",
        rows,
        "session__cohort__hub",
        month_and_cumulative(
            m, c, sessions_observed=lambda p: Measure(p.moments("session__starts_at"))
        ),
    )


def complaints(hub_ids: list[int], programme: Programme, m: Period, c: Period) -> Source:
    """Complaints (Q5), by the date received; compliments are not complaints."""
    rows = Complaint.objects.filter(hub_id__in=hub_ids, kind=ComplaintKind.COMPLAINT)
    return Source(
        "complaints",
        rows,
        "hub",
        month_and_cumulative(m, c, complaints=lambda p: Measure(p.days("received"))),
    )


# Every kind of record, in the order the figures were first written.
KINDS = (
    participants,
    cohorts,
    memberships,
    sessions,
    attendance,
    one_to_ones,
    surveys,
    observations,
    complaints,
)


def exceptions_by_kind(hub_ids: list[int], m: Period) -> dict[int, dict[str, int]]:
    """eligibility_exceptions: eligible participants, decided by the month's end, under
    each kind of recorded exception (a participant with two counts under each)."""
    rows = (
        EligibilityException.objects.filter(
            participant__hub_id__in=hub_ids,
            participant__eligibility_status=EligibilityStatus.ELIGIBLE,
            participant__eligibility_decided__lte=m.last,
        )
        .order_by()
        .values("participant__hub", "rule", "flexibility")
        .annotate(n=Count("participant", distinct=True))
    )
    result = {hub_id: dict.fromkeys(EXCEPTION_KINDS, 0) for hub_id in hub_ids}
    for row in rows:
        kind = " ".join(filter(None, [row["rule"], row["flexibility"]]))
        result[row["participant__hub"]][kind] += row["n"]
    return result


def sessions_by_topic(hub_ids: list[int], m: Period) -> dict[int, dict[str, int]]:
    """topics_month: delivered group sessions in the month per BEIS core topic."""
    core = list(Topic.objects.filter(parent__isnull=True).order_by("position", "key"))
    rows = (
        GroupSession.objects.filter(cohort__hub_id__in=hub_ids, status=DELIVERED)
        .filter(m.moments("starts_at"))
        .order_by()
        .values("cohort__hub", core_topic=Coalesce("topics__parent__key", "topics__key"))
        .annotate(sessions=Count("pk", distinct=True))
    )
    result = {hub_id: {t.key: 0 for t in core} | {NOT_KNOWN: 0} for hub_id in hub_ids}
    for row in rows:  # one row per hub and topic, not per record
        result[row["cohort__hub"]][row["core_topic"] or NOT_KNOWN] += row["sessions"]
    return result


def participant_queries(source: Source) -> list[Source]:
    """The participants' source as two joined queries (`Source.counts`), each facts table
    read by one of them only: the figures reading the one-to-one hours to month end; and
    the others, with the cumulative breakdowns over participants who have started (named
    `b{i}_{j}`, see `started_breakdowns`: started_cumulative's own condition, so the same read of
    attendance serves both)."""
    facts = source.facts or {}
    one_to_one_hours = {"one_to_ones"}

    def reads(measure: Measure) -> set[str]:
        return {
            one.facts
            for term in measure.among
            for one in (term.among if isinstance(term, AnyOf) else (term,))
        }

    started = source.measures["started_cumulative"].among
    breakdowns = {
        f"b{i}_{j}": counted(facts, source.key, condition, *started)
        for i, (_, categories) in enumerate(PARTICIPANT_BREAKDOWNS.items())
        for j, (_, condition) in enumerate(categories)
    }
    rest = {
        name: measure
        for name, measure in source.measures.items()
        if not reads(measure) & one_to_one_hours
    }
    queryset = source.queryset.alias(
        eq_gender=Coalesce("equality__gender", Value("")),
        eq_ethnic_group=Coalesce("equality__ethnic_group", Value("")),
        eq_age_band=Coalesce("equality__age_band", Value("")),
        eq_disability=Coalesce("equality__disability", Value("")),
    )
    return [
        replace(
            source,
            measures={k: v for k, v in source.measures.items() if k not in rest},
            facts={k: v for k, v in facts.items() if k in one_to_one_hours},
        ),
        replace(
            source,
            queryset=queryset,
            measures={**rest, **breakdowns},
            facts={k: v for k, v in facts.items() if k not in one_to_one_hours},
        ),
    ]


def started_breakdowns(raw: Mapping[str, Any]) -> dict[str, dict[str, int]]:
    """A hub's cumulative breakdowns from its counts `b{i}_{j}` (`participant_queries`)."""
    return {
        breakdown: {
            category: int(raw.get(f"b{i}_{j}") or 0) for j, (category, _) in enumerate(cats)
        }
        for i, (breakdown, cats) in enumerate(PARTICIPANT_BREAKDOWNS.items())
    }
