"""The benchmark's floor: one hand-written SQL query computing the national headline
counts, the least time any implementation could take; and a check that it computes the
same figures as the application.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection

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
      AND (m."left" IS NULL OR m."left" >= (c.at AT TIME ZONE 'Europe/London')::date)
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
    # Only once Django is set up (bench.py).
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
    """The floor's values beside the live national computation's (a sanity check that the
    floor computes the same headline counts)."""
    from reporting import kpi  # only once Django is set up (bench.py)

    national = kpi.combine(list(kpi.compute_hubs(hubs, month).values()))["figures"]
    values, matches = {}, {}
    for figure, value in zip(FLOOR_FIGURES, floor_query(month), strict=True):
        values[figure] = f"{value} (app: {national.get(figure)})"
        matches[figure] = str(value) == str(national.get(figure))
    return values, matches
