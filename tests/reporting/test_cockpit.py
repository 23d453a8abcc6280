"""The hub administrator's cockpit (/hub/<hub>/, docs/cockpit.md): the week's window, the
return due, the change since last month, what is at risk (as the return counts it), the
progress chart, and a fixed number of queries with the data doubled."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from peernet.calendar import Month
from peernet.models import Role
from reporting import kpi
from reporting.charts import line_chart
from reporting.cockpit import (
    change_words,
    figure_changes,
    month_due,
    return_due,
    this_week,
    week_window,
)
from reporting.returns import compile_draft
from sessions.models import SessionStatus
from tests.factories import (
    local,
    make_cohort,
    make_cohort_member,
    make_eligible,
    make_hub,
    make_one_to_one,
    make_participant,
    make_session,
    make_user,
)
from tests.reporting.test_hub_dashboard import add_rows, dashboard

pytestmark = pytest.mark.django_db


# --- the week: today and the six days after, whole London days -----------------------------


def test_the_week_runs_from_london_midnight_today_for_seven_days():
    start, end = week_window(local("2021-11-05T09:00"))
    assert (start, end) == (local("2021-11-05T00:00"), local("2021-11-12T00:00"))
    # Across the clock change (31 October 2021): still whole London days.
    start, end = week_window(local("2021-10-28T23:30"))
    assert (start, end) == (local("2021-10-28T00:00"), local("2021-11-04T00:00"))
    assert end.astimezone(dt.UTC) - start.astimezone(dt.UTC) == dt.timedelta(days=7, hours=1)


def test_the_weeks_edges(personas):
    cohort = personas.cohort_a
    early = make_session(cohort, "2021-11-05T00:00")  # today, before now: in
    last = make_session(cohort, "2021-11-11T23:59")  # the seventh day: in
    make_session(cohort, "2021-11-12T00:00")  # the eighth: out
    make_session(cohort, "2021-11-04T23:59")  # yesterday: out
    make_session(cohort, "2021-11-08T09:30", status=SessionStatus.CANCELLED)  # out
    sent = make_session(
        cohort, "2021-11-09T09:30", joining_instructions_sent_at=local("2021-11-01T09:00")
    )
    one = make_one_to_one(
        personas.participant_a, personas.provider, starts_at=local("2021-11-11T23:59")
    )
    make_one_to_one(personas.participant_a, personas.provider, starts_at=local("2021-11-12T00:00"))
    week = this_week(personas.hub_a, local("2021-11-05T09:00"))
    assert [s.pk for s in week.sessions] == [early.pk, sent.pk, last.pk]
    assert [o.pk for o in week.one_to_ones] == [one.pk]
    # Joining instructions: not sent, not yet started; due 48 real hours before (K7).
    assert [(s.pk, due) for s, due in week.joining_due] == [(last.pk, local("2021-11-09T23:59"))]
    assert week.last_day == dt.date(2021, 11, 11)


def test_attendance_missing_lists_delivered_sessions_without_a_record(personas):
    bare = make_session(personas.cohort_a, "2021-10-12T09:30", status=SessionStatus.DELIVERED)
    make_session(personas.cohort_a, "2021-10-19T09:30")  # scheduled: not yet
    week = this_week(personas.hub_a, local("2021-11-05T09:00"))
    # The personas' delivered session of 5 October has no attendance either.
    assert bare.pk in [s.pk for s in week.attendance_missing]
    assert all(s.status == SessionStatus.DELIVERED for s in week.attendance_missing)


# --- the return due: the 7th at 23:59:59 ----------------------------------------------------


def test_last_months_return_is_due_until_the_end_of_the_7th(personas):
    programme = personas.programme
    assert month_due(dt.date(2021, 11, 7), programme) == Month(2021, 10)
    assert month_due(dt.date(2021, 11, 8), programme) == Month(2021, 11)
    due = return_due(personas.hub_a, programme, local("2021-11-07T23:59"))
    assert due.month == Month(2021, 10)
    assert due.due_at == dt.datetime(2021, 11, 7, 23, 59, 59, tzinfo=due.due_at.tzinfo)
    assert (due.days_left, due.days_words, due.state) == (0, "today", "Not compiled yet")
    due = return_due(personas.hub_a, programme, local("2021-11-02T10:00"))
    assert (due.days_left, due.days_words) == (5, "in 5 days")
    due = return_due(personas.hub_a, programme, local("2021-11-08T00:00"))
    assert (due.month, due.days_left) == (Month(2021, 11), 29)  # 7 December


def test_no_return_is_due_outside_the_window(personas):
    assert return_due(personas.hub_a, personas.programme, local("2022-06-02T10:00")) is None


# --- the change since last month ------------------------------------------------------------


def test_change_words_hand_worked():
    assert change_words(3, 5) == "+2"
    assert change_words(Decimal("2.5"), Decimal("1")) == "\N{MINUS SIGN}1.5"
    assert change_words(Decimal("3.50"), Decimal("3.5")) == ""
    assert change_words(None, Decimal("50.0")) == "changed"
    assert change_words(4, 4) == ""


def test_figure_changes_by_label():
    before = {"figures": {"registrations_cumulative": 10, "target": 150}}
    after = {"figures": {"registrations_cumulative": 13, "target": 150}}
    changes = figure_changes(after, before)
    assert list(changes) == list(kpi.FIGURE_IDS)
    assert changes["registrations_month"].change == ""  # absent from both
    changed = changes["registrations_cumulative"]
    assert (changed.label, changed.before, changed.after, changed.change) == (
        kpi.LABELS["registrations_cumulative"],
        10,
        13,
        "+3",
    )
    assert changes["target"].change == ""
    assert figure_changes(after, None) == {}


def test_the_cockpit_shows_the_changed_figures_of_the_return_due(client, personas):
    make_eligible(
        make_participant(personas.hub_a, personas.programme, registered=dt.date(2021, 9, 10))
    )
    with time_machine.travel(local("2021-10-02T09:00"), tick=False):
        compile_draft(personas.hub_a.pk, dt.date(2021, 9, 1))
    make_eligible(
        make_participant(personas.hub_a, personas.programme, registered=dt.date(2021, 10, 4))
    )
    with time_machine.travel(local("2021-11-03T09:00"), tick=False):
        compile_draft(personas.hub_a.pk, dt.date(2021, 10, 1))
        client.force_login(personas.hub_a_admin)
        response = client.get(dashboard(personas.hub_a))
    due = response.context["return_due"]
    assert (due.month, due.days_left, due.state) == (Month(2021, 10), 4, "Draft")
    changed = {c.figure: c.change for c in due.changes}
    assert changed["registrations_cumulative"] == "+1"
    body = response.content.decode()
    assert kpi.LABELS["registrations_cumulative"] in body
    assert "in 4 days" in body


def test_the_return_page_shows_the_change_since_last_month(client, personas):
    make_eligible(
        make_participant(personas.hub_a, personas.programme, registered=dt.date(2021, 10, 4))
    )
    with time_machine.travel(local("2021-11-03T09:00"), tick=False):
        compile_draft(personas.hub_a.pk, dt.date(2021, 9, 1))
        compile_draft(personas.hub_a.pk, dt.date(2021, 10, 1))
        client.force_login(personas.hub_a_admin)
        url = reverse("hub:return", kwargs={"hub": personas.hub_a.key, "month": "2021-10"})
        body = client.get(url).content.decode()
    assert "Change since last month" in body
    assert 'data-change="registrations_cumulative">+1<' in body
    assert 'data-change="target">No change<' in body


# --- what is at risk: the return's own figures -------------------------------------------------


def test_what_is_at_risk_agrees_with_the_return(client, personas):
    add_rows(personas)
    make_one_to_one(personas.participant_a, personas.provider, starts_at=local("2021-11-20T10:00"))
    with time_machine.travel(local("2021-11-05T09:00"), tick=False):
        client.force_login(personas.hub_a_admin)
        response = client.get(dashboard(personas.hub_a))
        figures = kpi.compute_hub(personas.hub_a, dt.date(2021, 11, 1))["figures"]
    shown = {risk.figure: risk for risk in response.context["at_risk"]}
    assert shown["cohorts_at_risk"].count == figures["cohorts_at_risk"]
    assert (
        shown["participants_at_risk_one_to_one"].count == figures["participants_at_risk_one_to_one"]
    )
    # Hand-worked: cohort_a (3 delivered of 18, nothing scheduled) and cohort_a2 (nothing)
    # are short; the third cohort has its 18 hours. participant_a has 1.5 of 3.5 hours
    # booked and participant_a2 none: both short.
    assert shown["cohorts_at_risk"].count == 2
    assert shown["participants_at_risk_one_to_one"].count == 2
    assert shown["cohorts_at_risk"].action == "Schedule sessions to reach 18 hours"
    body = response.content.decode()
    assert (
        reverse("hub:cohort", kwargs={"hub": personas.hub_a.key, "code": personas.cohort_a2.code})
        in body
    )
    assert "Cohorts at risk of missing 18 hours" in body
    assert "Participants at risk of missing 3.5 hours" in body


# --- progress over the months ---------------------------------------------------------------


def test_the_line_chart_geometry_hand_worked():
    chart = line_chart(
        ident="c",
        title="Title",
        description="Description",
        labels=["Apr", "May"],
        series=[("A", [0, 10]), ("T", [10, None])],
    )
    # slot (640 - 16) / 2 = 312; x = 8 + 156 = 164 and 476; the plot 260 - 24 - 22 - 40 = 174
    # high from y = 46: 0 at 220, 10 (the top) at 46.
    assert chart.lines[0].segments == ["164.0,220.0 476.0,46.0"]
    assert chart.lines[1].segments == ["164.0,46.0"]  # None is left out
    svg = str(chart.svg())
    assert 'role="img"' in svg and '<title id="c-title">Title</title>' in svg
    assert '<desc id="c-desc">Description</desc>' in svg


def test_the_progress_chart_has_its_table(client, personas):
    with time_machine.travel(local("2021-11-05T09:00"), tick=False):
        client.force_login(personas.hub_a_admin)
        response = client.get(dashboard(personas.hub_a))
    months = response.context["progress_months"]
    assert [m.month for m in months] == list(Month(2021, 4).through(Month(2021, 11)))
    assert months[-1].source == "As the records now stand"
    assert months[0].started is None  # no return stored for April
    body = response.content.decode()
    assert 'role="img"' in body and 'data-table="progress-months"' in body


# --- queries: the same number with the data doubled ----------------------------------------------


def _double(personas, n: int) -> None:
    for index in range(n):
        cohort = make_cohort(personas.hub_a, personas.programme)
        member = make_cohort_member(cohort)
        make_session(cohort, f"2021-11-0{6 + index % 3}T09:30")
        make_session(cohort, "2021-10-20T09:30", status=SessionStatus.DELIVERED)
        make_one_to_one(member, personas.provider, starts_at=local("2021-11-08T10:00"))


def test_the_cockpit_queries_do_not_grow_with_the_data(client, personas):
    with time_machine.travel(local("2021-11-05T09:00"), tick=False):
        compile_draft(personas.hub_a.pk, dt.date(2021, 10, 1))
        client.force_login(personas.hub_a_admin)
        _double(personas, 2)
        client.get(dashboard(personas.hub_a))
        with CaptureQueriesContext(connection) as few:
            client.get(dashboard(personas.hub_a))
        _double(personas, 4)
        with CaptureQueriesContext(connection) as many:
            response = client.get(dashboard(personas.hub_a))
    assert len(response.context["week"].sessions) == 6
    assert len(many) == len(few)


# --- the month's calendar ----------------------------------------------------------------


def calendar_url(hub, month: str = "") -> str:
    url = reverse("hub:calendar", kwargs={"hub": hub.key})
    return f"{url}?month={month}" if month else url


def test_the_calendar_holds_the_london_month_by_day(client, personas):
    cohort = personas.cohort_a
    first = make_session(cohort, "2021-10-01T00:00")  # the month's first London moment
    last = make_session(cohort, "2021-10-31T23:59")  # after the clock change: still October
    make_session(cohort, "2021-09-30T23:59")  # September
    make_session(cohort, "2021-11-01T00:00")  # November
    cancelled = make_session(cohort, "2021-10-12T09:30", status=SessionStatus.CANCELLED)
    one = make_one_to_one(
        personas.participant_a, personas.provider, starts_at=local("2021-10-12T14:00")
    )
    make_session(personas.cohort_b, "2021-10-12T09:30")  # another hub's
    client.force_login(personas.hub_a_admin)
    response = client.get(calendar_url(personas.hub_a, "2021-10"))
    days = response.context["days"]
    assert [d.day for d in days] == [
        dt.date(2021, 10, 1),
        dt.date(2021, 10, 12),
        dt.date(2021, 10, 31),
    ]
    assert [s.pk for s in days[0].sessions] == [first.pk]
    assert ([s.pk for s in days[1].sessions], [o.pk for o in days[1].one_to_ones]) == (
        [cancelled.pk],
        [one.pk],
    )
    assert [s.pk for s in days[2].sessions] == [last.pk]
    body = response.content.decode()
    assert "?month=2021-09" in body and "?month=2021-11" in body
    assert "Cancelled" in body


def test_a_month_that_is_not_one_is_said_so(client, personas):
    client.force_login(personas.hub_a_admin)
    response = client.get(calendar_url(personas.hub_a, "2021-13"))
    assert response.status_code == 400
    body = response.content.decode()
    assert "Give the month as YYYY-MM, for example 2021-10, not &#x27;2021-13&#x27;." in body
    assert response.context["days"] == []


def test_the_calendar_queries_do_not_grow_with_the_data(client, personas):
    client.force_login(personas.hub_a_admin)
    _double(personas, 2)
    with CaptureQueriesContext(connection) as few:
        client.get(calendar_url(personas.hub_a, "2021-11"))
    _double(personas, 4)
    with CaptureQueriesContext(connection) as many:
        response = client.get(calendar_url(personas.hub_a, "2021-11"))
    assert sum(len(d.sessions) + len(d.one_to_ones) for d in response.context["days"]) == 12
    assert len(many) == len(few)


def test_the_cockpit_before_any_programme_year_shows_the_week(client, db):
    hub = make_hub("new")
    client.force_login(make_user(Role.HUB_ADMIN, hub=hub))
    response = client.get(dashboard(hub))
    assert response.status_code == 200
    assert response.context["return_due"] is None
    assert "No return is due" in response.content.decode()
