"""The benchmark's floor: hand-written SQL computing the national return, the least time
any implementation could take; and checks that it computes the same figures as the
application (`reporting.kpi.compute_hubs` + `reporting.kpi.combine` over every hub).

Two floors:

- the headline floor (`FLOOR_SQL`, `floor_query`, `floor_check`): seven headline
  figures, all cumulative to the month's end, in one statement;
- the full floor (`FULL_FLOOR_SQL`, `full_floor_query`, `full_floor_check`): every figure
  of the return (`FULL_FLOOR_FIGURES`, in the return's order: every monthly and
  cumulative count, sum of hours and rate, the "as at month end" figures and the target)
  in one statement of plain SQL over the tables, national (every hub) for a month. The
  breakdowns (participants started by sector, size, equality group and so on, sessions
  by topic, eligibility exceptions) are not in it: they are categories of figures it
  has, not figures of their own.

Each figure is written here from its definition (docs/returns.md), not from the
application's code: the floor is a second, independent reading of the definitions, and
`tests/perf/test_full_floor.py` holds the two equal. PostgreSQL only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import connection

# --- the headline floor ---------------------------------------------------------------------

FLOOR_SQL = """
WITH
first_attended AS (
  SELECT a.participant_id, min(s.starts_at) AS at
  FROM delivery_attendance a JOIN delivery_groupsession s ON s.id = a.session_id
  WHERE a.present AND s.status = 'delivered'
  GROUP BY a.participant_id
),
running AS (
  SELECT s.cohort_id, s.starts_at,
         sum(s.hours) OVER (PARTITION BY s.cohort_id ORDER BY s.starts_at) AS hours
  FROM delivery_groupsession s WHERE s.status = 'delivered'
),
completed AS (
  SELECT cohort_id, min(starts_at) AS at FROM running
  WHERE hours >= %(cohort_hours)s GROUP BY cohort_id
),
one_to_one AS (
  SELECT o.participant_id, o.starts_at,
         sum(o.hours) OVER (PARTITION BY o.participant_id ORDER BY o.starts_at) AS hours
  FROM delivery_onetoonesession o WHERE o.status = 'delivered'
),
minimum_met AS (
  SELECT participant_id, min(starts_at) AS at FROM one_to_one
  WHERE hours >= %(one_to_one_hours)s GROUP BY participant_id
)
SELECT
  (SELECT count(*) FROM participants_participant
    WHERE registered >= %(start_day)s AND registered <= %(end_day)s),
  (SELECT count(*) FROM first_attended WHERE at >= %(start)s AND at < %(end)s),
  (SELECT sum(target) FROM peernet_hub),
  (SELECT count(*) FROM completed WHERE at >= %(start)s AND at < %(end)s),
  (SELECT count(DISTINCT m.participant_id)
     FROM completed c
     JOIN cohorts_cohortmembership m ON m.cohort_id = c.cohort_id
     JOIN participants_participant p ON p.id = m.participant_id
    WHERE c.at >= %(start)s AND c.at < %(end)s
      AND m.joined <= (c.at AT TIME ZONE 'Europe/London')::date
      AND (m."left" IS NULL OR m."left" > (c.at AT TIME ZONE 'Europe/London')::date)
      AND (p.dropped_out_on IS NULL
           OR p.dropped_out_on > (c.at AT TIME ZONE 'Europe/London')::date)),
  (SELECT count(*) FROM minimum_met WHERE at >= %(start)s AND at < %(end)s),
  (SELECT round(100.0 * count(*) FILTER (WHERE a.present) / nullif(count(*), 0), 1)
     FROM delivery_attendance a JOIN delivery_groupsession s ON s.id = a.session_id
    WHERE s.status = 'delivered' AND s.starts_at >= %(start)s AND s.starts_at < %(end)s)
"""
FLOOR_FIGURES = (
    "registrations_cumulative",
    "started_cumulative",
    "target",
    "cohorts_completed_cumulative",
    "participants_completed_cumulative",
    "one_to_one_minimum_met_cumulative",
    "attendance_rate_cumulative",
)


def floor_query(month: dt.date) -> tuple[Any, ...]:
    """The headline floor's values for `month`, in the order of FLOOR_FIGURES."""
    # Only once Django is set up (bench.py imports this module before).
    from peernet.calendar import LONDON as london
    from peernet.calendar import month_end
    from peernet.models import Programme

    programme = Programme.objects.get()
    end_day = month_end(month)
    params = {
        "start_day": programme.delivery_start,
        "end_day": end_day,
        "start": dt.datetime.combine(programme.delivery_start, dt.time(), tzinfo=london),
        "end": dt.datetime.combine(end_day + dt.timedelta(days=1), dt.time(), tzinfo=london),
        "cohort_hours": programme.cohort_hours,
        "one_to_one_hours": programme.one_to_one_hours,
    }
    with connection.cursor() as cursor:
        cursor.execute(FLOOR_SQL, params)
        return cursor.fetchone()


def floor_check(hubs: list[Any], month: dt.date) -> tuple[dict[str, str], dict[str, bool]]:
    """The headline floor's values beside the live national computation's (a sanity check
    that the floor computes the same headline counts)."""
    values = dict(zip(FLOOR_FIGURES, floor_query(month), strict=True))
    return beside(values, national_figures(hubs, month))


# --- the full floor -------------------------------------------------------------------------

# One statement. The CTEs first fix the month and the programme year, then read each kind of
# record once or twice (per-participant and per-cohort facts, then one aggregate row per
# kind of record, each column named by the figure it is); the last SELECT puts the figures
# in the return's order, deriving the rates from their parts.
#
# Periods, as the return defines them: a figure "_month" counts what is dated in the
# calendar month, "_cumulative" from the programme's delivery start to the month's end,
# both as Europe/London dates; a moment (a session's start) is in a period when it is in
# [its first day's London midnight, the London midnight after its last day). Figures
# without a suffix are as at the month's end. Hours are numeric(..., 2), summed exactly.
FULL_FLOOR_SQL = """
WITH
-- The month: its first and last London dates.
month AS (
  SELECT %(month)s::date AS m_first,
         (%(month)s::date + interval '1 month')::date - 1 AS m_last
),
-- The programme year whose delivery window holds the month, else the newest.
programme AS (
  SELECT pr.*
  FROM peernet_programme pr CROSS JOIN month mo
  ORDER BY (pr.delivery_start <= mo.m_last AND pr.delivery_end >= mo.m_first) DESC,
           pr.delivery_start DESC
  LIMIT 1
),
-- The two periods, each as London dates (`_days`, both ends included: a date in the
-- period is `<@` it) and as moments (from the London midnight starting its first day to
-- the one after its last, end excluded); the month's end and the month's start; the first
-- moment after the delivery window; the joining instructions' notice; the required hours.
period AS (
  SELECT pr.id AS programme_id,
         daterange(mo.m_first, mo.m_last, '[]') AS month_days,
         daterange(pr.delivery_start, mo.m_last, '[]') AS cumulative_days,
         tstzrange(b.m_start, b.m_end) AS month,
         tstzrange(b.c_start, b.m_end) AS cumulative,
         mo.m_last, b.m_start, b.m_end, b.c_start,
         (pr.delivery_end + 1)::timestamp AT TIME ZONE 'Europe/London' AS window_closes,
         make_interval(hours => pr.joining_instructions_hours) AS notice,
         pr.cohort_hours, pr.one_to_one_hours
  FROM programme pr CROSS JOIN month mo
  CROSS JOIN LATERAL (
    SELECT mo.m_first::timestamp AT TIME ZONE 'Europe/London' AS m_start,
           (mo.m_last + 1)::timestamp AT TIME ZONE 'Europe/London' AS m_end,
           pr.delivery_start::timestamp AT TIME ZONE 'Europe/London' AS c_start
  ) b
),

-- === Participants ==========================================================================

-- allocated_*: each participant's first cohort membership.
first_membership AS (
  SELECT m.participant_id, min(m.joined) AS joined
  FROM cohorts_cohortmembership m
  GROUP BY m.participant_id
),
-- started_*: each participant's first attended (marked present) delivered group session.
first_attended AS (
  SELECT a.participant_id, min(s.starts_at) AS starts_at
  FROM delivery_attendance a JOIN delivery_groupsession s ON s.id = a.session_id
  WHERE a.present AND s.status = 'delivered'
  GROUP BY a.participant_id
),
-- one_to_one_participants_cumulative, one_to_one_minimum_met_*: each participant's
-- delivered one-to-one hours up to the month's end, in all, before the month, before
-- delivery start and by route; and their sessions from delivery start.
one_to_one_to_end AS (
  SELECT o.participant_id,
         sum(o.hours) AS hours,
         coalesce(sum(o.hours) FILTER (WHERE o.starts_at < p.m_start), 0) AS before_month,
         coalesce(sum(o.hours) FILTER (WHERE o.starts_at < p.c_start), 0) AS before_start,
         coalesce(sum(o.hours) FILTER (WHERE o.route = 'programme'), 0) AS programme_hours,
         coalesce(sum(o.hours) FILTER (WHERE o.route = 'existing'), 0) AS existing_hours,
         count(*) FILTER (WHERE o.starts_at >= p.c_start) AS from_start
  FROM delivery_onetoonesession o CROSS JOIN period p
  WHERE o.status = 'delivered' AND o.starts_at < p.m_end
  GROUP BY o.participant_id
),
-- participants_at_risk_one_to_one: each participant's delivered and scheduled one-to-one
-- hours before the delivery window closes.
one_to_one_planned AS (
  SELECT o.participant_id, sum(o.hours) AS hours
  FROM delivery_onetoonesession o CROSS JOIN period p
  WHERE o.status IN ('delivered', 'scheduled') AND o.starts_at < p.window_closes
  GROUP BY o.participant_id
),
-- Each participant with those facts; whether they met the one-to-one minimum with a
-- session from delivery start; and whether they had declined one-to-one support by the
-- month's end (on the date recorded with the refusal; without one, from registration).
people AS (
  SELECT pp.registered, pp.eligibility_status, pp.eligibility_decided, pp.dropped_out_on,
         fm.joined AS first_joined,
         fa.starts_at AS first_attended,
         oe.hours >= p.one_to_one_hours AND oe.before_month < p.one_to_one_hours
           AS met_in_month,
         oe.hours >= p.one_to_one_hours AND oe.before_start < p.one_to_one_hours
           AS met_in_cumulative,
         oe.programme_hours, oe.existing_hours, oe.from_start,
         op.hours AS planned_hours,
         pp.one_to_one_declined
           AND (coalesce(d.declined_on <= p.m_last, false)
                OR (d.id IS NULL AND pp.registered <= p.m_last)) AS declined_by_end
  FROM participants_participant pp CROSS JOIN period p
  LEFT JOIN first_membership fm ON fm.participant_id = pp.id
  LEFT JOIN first_attended fa ON fa.participant_id = pp.id
  LEFT JOIN one_to_one_to_end oe ON oe.participant_id = pp.id
  LEFT JOIN one_to_one_planned op ON op.participant_id = pp.id
  LEFT JOIN delivery_onetoonedecline d ON d.participant_id = pp.id
),
participant_figures AS (
  SELECT
    -- registrations_*: registration dated in the period
    count(*) FILTER (WHERE x.registered <@ p.month_days) AS registrations_month,
    count(*) FILTER (WHERE x.registered <@ p.cumulative_days) AS registrations_cumulative,
    -- eligible_*, ineligible_*: the eligibility decision, dated in the period
    count(*) FILTER (WHERE x.eligibility_status = 'eligible'
                       AND x.eligibility_decided <@ p.month_days) AS eligible_month,
    count(*) FILTER (WHERE x.eligibility_status = 'eligible'
                       AND x.eligibility_decided <@ p.cumulative_days) AS eligible_cumulative,
    count(*) FILTER (WHERE x.eligibility_status = 'ineligible'
                       AND x.eligibility_decided <@ p.month_days) AS ineligible_month,
    count(*) FILTER (WHERE x.eligibility_status = 'ineligible'
                       AND x.eligibility_decided <@ p.cumulative_days) AS ineligible_cumulative,
    -- allocated_*: first cohort membership starts in the period
    count(*) FILTER (WHERE x.first_joined <@ p.month_days) AS allocated_month,
    count(*) FILTER (WHERE x.first_joined <@ p.cumulative_days) AS allocated_cumulative,
    -- started_*: first attended delivered group session in the period
    count(*) FILTER (WHERE x.first_attended <@ p.month) AS started_month,
    count(*) FILTER (WHERE x.first_attended <@ p.cumulative) AS started_cumulative,
    -- one_to_one_participants_cumulative: a delivered one-to-one from delivery start
    count(*) FILTER (WHERE x.from_start > 0) AS one_to_one_participants_cumulative,
    -- one_to_one_minimum_met_*: delivered hours first reach the minimum in the period
    count(*) FILTER (WHERE x.met_in_month) AS one_to_one_minimum_met_month,
    count(*) FILTER (WHERE x.met_in_cumulative) AS one_to_one_minimum_met_cumulative,
    -- one_to_one_minimum_met_{programme,existing,mixed}_cumulative: of those, by the
    -- routes their hours to the month's end came through
    count(*) FILTER (WHERE x.met_in_cumulative AND x.existing_hours = 0)
      AS one_to_one_minimum_met_programme_cumulative,
    count(*) FILTER (WHERE x.met_in_cumulative AND x.programme_hours = 0)
      AS one_to_one_minimum_met_existing_cumulative,
    count(*) FILTER (WHERE x.met_in_cumulative
                       AND x.programme_hours > 0 AND x.existing_hours > 0)
      AS one_to_one_minimum_met_mixed_cumulative,
    -- one_to_one_declined_cumulative: declined by the month's end
    count(*) FILTER (WHERE x.declined_by_end) AS one_to_one_declined_cumulative,
    -- dropped_out_*: drop-out dated in the period
    count(*) FILTER (WHERE x.dropped_out_on <@ p.month_days) AS dropped_out_month,
    count(*) FILTER (WHERE x.dropped_out_on <@ p.cumulative_days) AS dropped_out_cumulative,
    -- participants_at_risk_one_to_one: allocated by the month's end, neither dropped out
    -- nor declined by then, delivered plus scheduled hours short of the minimum
    count(*) FILTER (WHERE x.first_joined <= p.m_last
                       AND NOT x.declined_by_end
                       AND (x.dropped_out_on IS NULL OR x.dropped_out_on > p.m_last)
                       AND NOT coalesce(x.planned_hours >= p.one_to_one_hours, false))
      AS participants_at_risk_one_to_one
  FROM people x CROSS JOIN period p
),

-- === Cohorts ===============================================================================

-- The delivered session that takes its cohort's running total of delivered hours to the
-- required total: the cohort completes at its start. Hours are positive and a cohort has
-- one session per start, so a cohort has one such session at most.
running_hours AS (
  SELECT s.cohort_id, s.starts_at, s.hours,
         sum(s.hours) OVER (PARTITION BY s.cohort_id ORDER BY s.starts_at) AS running
  FROM delivery_groupsession s
  WHERE s.status = 'delivered'
),
completion AS (
  SELECT r.cohort_id, r.starts_at AS completed_at,
         (r.starts_at AT TIME ZONE 'Europe/London')::date AS completed_on
  FROM running_hours r CROSS JOIN period p
  WHERE r.running >= p.cohort_hours AND r.running - r.hours < p.cohort_hours
),
-- Each cohort's first delivered session, first session not cancelled, and delivered plus
-- scheduled hours before the delivery window closes.
cohort_sessions AS (
  SELECT s.cohort_id,
         min(s.starts_at) FILTER (WHERE s.status = 'delivered') AS first_delivered,
         min(s.starts_at) FILTER (WHERE s.status <> 'cancelled') AS first_not_cancelled,
         sum(s.hours) FILTER (WHERE s.status IN ('delivered', 'scheduled')
                                AND s.starts_at < p.window_closes) AS planned_hours
  FROM delivery_groupsession s CROSS JOIN period p
  GROUP BY s.cohort_id
),
-- Each cohort's first member to join.
first_member AS (
  SELECT m.cohort_id, min(m.joined) AS joined
  FROM cohorts_cohortmembership m
  GROUP BY m.cohort_id
),
cohort_figures AS (
  SELECT
    -- cohorts_started_*: first delivered session in the period
    count(*) FILTER (WHERE cs.first_delivered <@ p.month) AS cohorts_started_month,
    count(*) FILTER (WHERE cs.first_delivered <@ p.cumulative) AS cohorts_started_cumulative,
    -- cohorts_completed_*: completed with a session in the period
    count(*) FILTER (WHERE k.completed_at <@ p.month) AS cohorts_completed_month,
    count(*) FILTER (WHERE k.completed_at <@ p.cumulative) AS cohorts_completed_cumulative,
    -- cohorts_at_risk: of the programme year, with a member or a session by the month's
    -- end, not completed by then, delivered plus scheduled hours short of the total
    count(*) FILTER (WHERE c.programme_id = p.programme_id
                       AND (fm.joined <= p.m_last OR cs.first_not_cancelled < p.m_end)
                       AND NOT coalesce(k.completed_at < p.m_end, false)
                       AND NOT coalesce(cs.planned_hours >= p.cohort_hours, false))
      AS cohorts_at_risk
  FROM cohorts_cohort c CROSS JOIN period p
  LEFT JOIN cohort_sessions cs ON cs.cohort_id = c.id
  LEFT JOIN completion k ON k.cohort_id = c.id
  LEFT JOIN first_member fm ON fm.cohort_id = c.id
),
-- participants_completed_*: members of a cohort on the London day it completed (joined by
-- then and not left: a membership ends on its "left" date), not dropped out that day,
-- counted once each.
completed_member_figures AS (
  SELECT
    count(DISTINCT m.participant_id) FILTER (WHERE k.completed_at <@ p.month)
      AS participants_completed_month,
    count(DISTINCT m.participant_id) FILTER (WHERE k.completed_at <@ p.cumulative)
      AS participants_completed_cumulative
  FROM cohorts_cohortmembership m
  JOIN completion k ON k.cohort_id = m.cohort_id
  JOIN participants_participant pp ON pp.id = m.participant_id
  CROSS JOIN period p
  WHERE m.joined <= k.completed_on
    AND (m."left" IS NULL OR m."left" > k.completed_on)
    AND (pp.dropped_out_on IS NULL OR pp.dropped_out_on > k.completed_on)
),

-- === Group sessions and attendance =========================================================

-- The attendance recorded at each session: in all, present, and hours attended.
session_attendance AS (
  SELECT a.session_id,
         count(*) AS recorded,
         count(*) FILTER (WHERE a.present) AS present,
         sum(a.hours) FILTER (WHERE a.present) AS hours_present
  FROM delivery_attendance a
  GROUP BY a.session_id
),
-- Delivered group sessions, with the periods they are in.
delivered_sessions AS (
  SELECT s.*, sa.recorded, sa.present, sa.hours_present,
         s.starts_at <@ p.month AS in_month, s.starts_at <@ p.cumulative AS in_cumulative
  FROM delivery_groupsession s CROSS JOIN period p
  LEFT JOIN session_attendance sa ON sa.session_id = s.id
  WHERE s.status = 'delivered'
),
group_session_figures AS (
  SELECT
    -- sessions_delivered_*: delivered group sessions in the period
    count(*) FILTER (WHERE s.in_month) AS sessions_delivered_month,
    count(*) FILTER (WHERE s.in_cumulative) AS sessions_delivered_cumulative,
    -- group_hours_delivered_*: their hours (to two places, as every total of hours
    -- here: the column's; 0.00 when there are none)
    coalesce(sum(s.hours) FILTER (WHERE s.in_month), 0.00) AS group_hours_delivered_month,
    coalesce(sum(s.hours) FILTER (WHERE s.in_cumulative), 0.00)
      AS group_hours_delivered_cumulative,
    -- participant_hours_attended_*: hours attended, marked present, at them
    coalesce(sum(s.hours_present) FILTER (WHERE s.in_month), 0.00)
      AS participant_hours_attended_month,
    coalesce(sum(s.hours_present) FILTER (WHERE s.in_cumulative), 0.00)
      AS participant_hours_attended_cumulative,
    -- attendance_rate_* (its parts): attendance marked present, and recorded, at them
    sum(s.present) FILTER (WHERE s.in_month) AS present_month,
    sum(s.recorded) FILTER (WHERE s.in_month) AS recorded_month,
    sum(s.present) FILTER (WHERE s.in_cumulative) AS present_cumulative,
    sum(s.recorded) FILTER (WHERE s.in_cumulative) AS recorded_cumulative,
    -- late_joining_instructions_month (its group part): in the month, joining
    -- instructions sent less than the notice before the start, or never
    count(*) FILTER (WHERE s.in_month
                       AND (s.joining_instructions_sent_at IS NULL
                            OR s.joining_instructions_sent_at > s.starts_at - p.notice))
      AS late_group,
    -- sessions_missing_attendance: from delivery start to the month's end, no
    -- attendance recorded
    count(*) FILTER (WHERE s.in_cumulative AND s.recorded IS NULL)
      AS sessions_missing_attendance
  FROM delivered_sessions s CROSS JOIN period p
),

-- === One-to-one sessions ===================================================================

one_to_one_figures AS (
  SELECT
    -- one_to_one_sessions_*: delivered one-to-one sessions in the period
    count(*) FILTER (WHERE o.starts_at <@ p.month) AS one_to_one_sessions_month,
    count(*) FILTER (WHERE o.starts_at <@ p.cumulative) AS one_to_one_sessions_cumulative,
    -- one_to_one_hours_programme_*: their hours delivered by the programme
    coalesce(sum(o.hours) FILTER (WHERE o.route = 'programme' AND o.starts_at <@ p.month),
             0.00) AS one_to_one_hours_programme_month,
    coalesce(sum(o.hours) FILTER (WHERE o.route = 'programme'
                                    AND o.starts_at <@ p.cumulative),
             0.00) AS one_to_one_hours_programme_cumulative,
    -- one_to_one_hours_existing_*: through existing local programmes
    coalesce(sum(o.hours) FILTER (WHERE o.route = 'existing' AND o.starts_at <@ p.month),
             0.00) AS one_to_one_hours_existing_month,
    coalesce(sum(o.hours) FILTER (WHERE o.route = 'existing'
                                    AND o.starts_at <@ p.cumulative),
             0.00) AS one_to_one_hours_existing_cumulative,
    -- late_joining_instructions_month (its one-to-one part)
    count(*) FILTER (WHERE o.starts_at <@ p.month
                       AND (o.joining_instructions_sent_at IS NULL
                            OR o.joining_instructions_sent_at > o.starts_at - p.notice))
      AS late_one_to_one
  FROM delivery_onetoonesession o CROSS JOIN period p
  WHERE o.status = 'delivered'
),

-- === Surveys, observations, complaints, targets ============================================

-- Survey responses, with the overall_satisfaction answer of the session feedback where
-- one was given.
responses AS (
  SELECT sr.kind, sr.completed,
         CASE WHEN sr.kind = 'session_feedback'
              THEN (sr.answers ->> 'overall_satisfaction')::integer END AS satisfaction
  FROM participants_surveyresponse sr
),
-- baseline_surveys_*, session_feedback_responses_*, exit_surveys_*, dropout_surveys_*:
-- the surveys of each kind completed in the period; session_satisfaction_mean_* (its
-- parts, of the session feedback): the answers given in them, added up and counted.
survey_kinds AS (
  SELECT r.kind,
         count(*) FILTER (WHERE r.completed <@ p.month_days) AS month,
         count(*) FILTER (WHERE r.completed <@ p.cumulative_days) AS cumulative,
         sum(r.satisfaction) FILTER (WHERE r.completed <@ p.month_days) AS sum_month,
         count(r.satisfaction) FILTER (WHERE r.completed <@ p.month_days) AS count_month,
         sum(r.satisfaction) FILTER (WHERE r.completed <@ p.cumulative_days)
           AS sum_cumulative,
         count(r.satisfaction) FILTER (WHERE r.completed <@ p.cumulative_days)
           AS count_cumulative
  FROM responses r CROSS JOIN period p
  GROUP BY r.kind
),
observation_figures AS (
  SELECT
    -- sessions_observed_*: completed observations of group sessions in the period
    count(*) FILTER (WHERE s.starts_at <@ p.month) AS sessions_observed_month,
    count(*) FILTER (WHERE s.starts_at <@ p.cumulative) AS sessions_observed_cumulative
  FROM delivery_observation ob
  JOIN delivery_groupsession s ON s.id = ob.session_id
  CROSS JOIN period p
  WHERE ob.completed IS NOT NULL
),
complaint_figures AS (
  SELECT
    -- complaints_*: complaints (not compliments) received in the period
    count(*) FILTER (WHERE cp.received <@ p.month_days) AS complaints_month,
    count(*) FILTER (WHERE cp.received <@ p.cumulative_days) AS complaints_cumulative
  FROM delivery_complaint cp CROSS JOIN period p
  WHERE cp.kind = 'complaint'
),
-- target: the hubs' participant targets
hub_figures AS (
  SELECT coalesce(sum(h.target), 0) AS target FROM peernet_hub h
)

-- === The return, in its order ==============================================================

SELECT
  pf.registrations_month, pf.registrations_cumulative,
  pf.eligible_month, pf.eligible_cumulative,
  pf.ineligible_month, pf.ineligible_cumulative,
  pf.allocated_month, pf.allocated_cumulative,
  pf.started_month, pf.started_cumulative,
  cf.cohorts_started_month, cf.cohorts_started_cumulative,
  cf.cohorts_completed_month, cf.cohorts_completed_cumulative,
  mf.participants_completed_month, mf.participants_completed_cumulative,
  gf.sessions_delivered_month, gf.sessions_delivered_cumulative,
  gf.group_hours_delivered_month, gf.group_hours_delivered_cumulative,
  gf.participant_hours_attended_month, gf.participant_hours_attended_cumulative,
  -- attendance_rate_*: present / recorded as a percentage, one decimal, half up (the
  -- values are positive, where PostgreSQL's half away from zero is half up); empty
  -- when nothing was recorded
  round(100 * gf.present_month / nullif(gf.recorded_month, 0), 1)
    AS attendance_rate_month,
  round(100 * gf.present_cumulative / nullif(gf.recorded_cumulative, 0), 1)
    AS attendance_rate_cumulative,
  otf.one_to_one_sessions_month, otf.one_to_one_sessions_cumulative,
  otf.one_to_one_hours_programme_month, otf.one_to_one_hours_programme_cumulative,
  otf.one_to_one_hours_existing_month, otf.one_to_one_hours_existing_cumulative,
  pf.one_to_one_participants_cumulative,
  pf.one_to_one_minimum_met_month, pf.one_to_one_minimum_met_cumulative,
  pf.one_to_one_minimum_met_programme_cumulative,
  pf.one_to_one_minimum_met_existing_cumulative,
  pf.one_to_one_minimum_met_mixed_cumulative,
  pf.one_to_one_declined_cumulative,
  coalesce(sb.month, 0) AS baseline_surveys_month,
  coalesce(sb.cumulative, 0) AS baseline_surveys_cumulative,
  coalesce(sfb.month, 0) AS session_feedback_responses_month,
  coalesce(sfb.cumulative, 0) AS session_feedback_responses_cumulative,
  -- session_satisfaction_mean_*: the mean answer, two decimals, half up; empty when none
  round(sfb.sum_month::numeric / nullif(sfb.count_month, 0), 2)
    AS session_satisfaction_mean_month,
  round(sfb.sum_cumulative::numeric / nullif(sfb.count_cumulative, 0), 2)
    AS session_satisfaction_mean_cumulative,
  coalesce(se.month, 0) AS exit_surveys_month,
  coalesce(se.cumulative, 0) AS exit_surveys_cumulative,
  coalesce(sd.month, 0) AS dropout_surveys_month,
  coalesce(sd.cumulative, 0) AS dropout_surveys_cumulative,
  pf.dropped_out_month, pf.dropped_out_cumulative,
  obf.sessions_observed_month, obf.sessions_observed_cumulative,
  cpf.complaints_month, cpf.complaints_cumulative,
  -- late_joining_instructions_month: group and one-to-one sessions
  gf.late_group + otf.late_one_to_one AS late_joining_instructions_month,
  gf.sessions_missing_attendance,
  cf.cohorts_at_risk,
  pf.participants_at_risk_one_to_one,
  hf.target,
  -- started_vs_target_pct: started_cumulative / target as a percentage, one decimal,
  -- half up; empty when the target is 0
  round(100 * pf.started_cumulative::numeric / nullif(hf.target, 0), 1)
    AS started_vs_target_pct
FROM participant_figures pf, cohort_figures cf, completed_member_figures mf,
     group_session_figures gf, one_to_one_figures otf, observation_figures obf,
     complaint_figures cpf, hub_figures hf
-- each kind of survey: its row, if any was answered
LEFT JOIN survey_kinds sb ON sb.kind = 'baseline'
LEFT JOIN survey_kinds sfb ON sfb.kind = 'session_feedback'
LEFT JOIN survey_kinds se ON se.kind = 'exit'
LEFT JOIN survey_kinds sd ON sd.kind = 'dropout'
"""

# The figures FULL_FLOOR_SQL computes, in its columns' order (the return's order).
FULL_FLOOR_FIGURES = (
    "registrations_month",
    "registrations_cumulative",
    "eligible_month",
    "eligible_cumulative",
    "ineligible_month",
    "ineligible_cumulative",
    "allocated_month",
    "allocated_cumulative",
    "started_month",
    "started_cumulative",
    "cohorts_started_month",
    "cohorts_started_cumulative",
    "cohorts_completed_month",
    "cohorts_completed_cumulative",
    "participants_completed_month",
    "participants_completed_cumulative",
    "sessions_delivered_month",
    "sessions_delivered_cumulative",
    "group_hours_delivered_month",
    "group_hours_delivered_cumulative",
    "participant_hours_attended_month",
    "participant_hours_attended_cumulative",
    "attendance_rate_month",
    "attendance_rate_cumulative",
    "one_to_one_sessions_month",
    "one_to_one_sessions_cumulative",
    "one_to_one_hours_programme_month",
    "one_to_one_hours_programme_cumulative",
    "one_to_one_hours_existing_month",
    "one_to_one_hours_existing_cumulative",
    "one_to_one_participants_cumulative",
    "one_to_one_minimum_met_month",
    "one_to_one_minimum_met_cumulative",
    "one_to_one_minimum_met_programme_cumulative",
    "one_to_one_minimum_met_existing_cumulative",
    "one_to_one_minimum_met_mixed_cumulative",
    "one_to_one_declined_cumulative",
    "baseline_surveys_month",
    "baseline_surveys_cumulative",
    "session_feedback_responses_month",
    "session_feedback_responses_cumulative",
    "session_satisfaction_mean_month",
    "session_satisfaction_mean_cumulative",
    "exit_surveys_month",
    "exit_surveys_cumulative",
    "dropout_surveys_month",
    "dropout_surveys_cumulative",
    "dropped_out_month",
    "dropped_out_cumulative",
    "sessions_observed_month",
    "sessions_observed_cumulative",
    "complaints_month",
    "complaints_cumulative",
    "late_joining_instructions_month",
    "sessions_missing_attendance",
    "cohorts_at_risk",
    "participants_at_risk_one_to_one",
    "target",
    "started_vs_target_pct",
)


def full_floor_query(month: dt.date) -> dict[str, Any]:
    """Every figure of the national return for the month of `month` (any date in it), by
    FULL_FLOOR_SQL in one query: {figure id: value}, in FULL_FLOOR_FIGURES' order, typed as
    the application's (counts `int`; hours `Decimal` to two places; rates and means
    `Decimal`, or None when empty)."""
    with connection.cursor() as cursor:
        cursor.execute(FULL_FLOOR_SQL, {"month": month.replace(day=1)})
        row = cursor.fetchone()
        columns = [column[0] for column in cursor.description]
    if row is None:
        raise ValueError("No programme has been set up yet: there is no return to compute.")
    return dict(zip(columns, row, strict=True))


def full_floor_check(hubs: list[Any], month: dt.date) -> tuple[dict[str, str], dict[str, bool]]:
    """The full floor's value beside the live national computation's for every figure of
    FULL_FLOOR_FIGURES: ({figure: "value (app: value)"}, {figure: the same?})."""
    return beside(full_floor_query(month), national_figures(hubs, month))


# --- checking a floor against the application ------------------------------------------------


def national_figures(hubs: list[Any], month: dt.date) -> dict[str, Any]:
    """The national return's figures as the application computes them live."""
    from reporting import kpi  # only once Django is set up (bench.py)

    return kpi.combine(list(kpi.compute_hubs(hubs, month).values()))["figures"]


def beside(
    values: Mapping[str, Any], national: Mapping[str, Any]
) -> tuple[dict[str, str], dict[str, bool]]:
    """Each floor value beside the application's, and whether they are the same, written
    alike (a count, hours to two places, a rate to one: "12.50" is not "12.5")."""
    shown, matches = {}, {}
    for figure, value in values.items():
        shown[figure] = f"{value} (app: {national.get(figure)})"
        matches[figure] = str(value) == str(national.get(figure))
    return shown, matches
