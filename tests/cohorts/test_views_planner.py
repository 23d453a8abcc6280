"""The schedule planner page and editing one session."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from sessions.models import GroupSession, SessionStatus
from tests.factories import local, make_session, schedule_form, session_edit_url

pytestmark = pytest.mark.django_db

NOW = local("2021-12-01T10:00")


def _url(personas, cohort=None):
    cohort = cohort or personas.cohort_a
    return reverse("hub:cohort-schedule", kwargs={"hub": "hub-a", "code": cohort.code})


@time_machine.travel(NOW, tick=False)
def test_preview_shows_six_sessions_and_skips_boxing_day(client, personas):
    client.force_login(personas.hub_a_admin)
    page = client.post(_url(personas), schedule_form(preview="")).content.decode()
    assert "Wednesday 29 December 2021, 09:30" in page
    assert "Moved from Tuesday 28 December 2021" in page
    assert "Schedule all 6 sessions" in page
    assert 'name="first_day_0"' in page  # the GOV.UK date input
    assert not GroupSession.objects.filter(cohort=personas.cohort_a).exists()


@time_machine.travel(NOW, tick=False)
def test_confirm_creates_them_all(client, personas):
    client.force_login(personas.hub_a_admin)
    response = client.post(_url(personas), schedule_form(confirm=""))
    assert response.status_code == 302
    sessions = GroupSession.objects.filter(cohort=personas.cohort_a)
    assert sessions.count() == 6
    assert {s.location for s in sessions} == {"Salford Innovation Forum"}


@time_machine.travel(NOW, tick=False)
def test_a_plan_past_the_window_shows_k5_and_is_refused(client, personas):
    client.force_login(personas.hub_a_admin)
    form = schedule_form(first_day_0="1", first_day_1="2", first_day_2="2022")
    page = client.post(_url(personas), {**form, "preview": ""}).content.decode()
    assert "is outside the delivery window" in page
    assert "Schedule all" not in page
    page = client.post(_url(personas), {**form, "confirm": ""}).content.decode()
    assert "govuk-error-summary" in page and "outside the delivery window" in page
    assert not GroupSession.objects.filter(cohort=personas.cohort_a).exists()


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("session_hours", "0", "Session length must be more than 0 hours"),
        ("session_hours", "-2", "Session length must be more than 0 hours"),
        ("session_hours", "three", "Enter the session length in hours as a number"),
        ("total_hours", "0", "Total hours must be more than 0"),
        ("cadence_weeks", "0", "Weeks between sessions must be 1 or more"),
        ("start_time", "9.30", "Enter a start time like 09:30"),
        ("first_day_1", "13", "Enter the date of the first session as a real date"),
    ],
)
def test_bad_input_is_rejected_and_nothing_written(client, personas, field, value, message):
    client.force_login(personas.hub_a_admin)
    page = client.post(_url(personas), schedule_form(**{field: value}, confirm="")).content.decode()
    assert "govuk-error-summary" in page
    assert message in page
    assert not GroupSession.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_a_long_session_is_a_k3_warning_not_an_error(client, personas):
    client.force_login(personas.hub_a_admin)
    page = client.post(
        _url(personas), schedule_form(session_hours="4.5", preview="")
    ).content.decode()
    assert "sessions are recommended to last 2 to 3 hours" in page
    assert "Schedule all 4 sessions" in page


def test_planner_is_404_for_another_hubs_admin_and_cohort(client, personas):
    client.force_login(personas.hub_b_admin)
    assert client.post(_url(personas), schedule_form(confirm="")).status_code == 404
    client.force_login(personas.hub_a_admin)
    url = reverse("hub:cohort-schedule", kwargs={"hub": "hub-a", "code": personas.cohort_b.code})
    assert client.post(url, schedule_form(confirm="")).status_code == 404
    assert not GroupSession.objects.exists()


def _edit_a_session(client, personas):
    """Cohort A's session of 14 December 2021 and its edit page, the hub's admin signed in."""
    session = make_session(personas.cohort_a, "2021-12-14T09:30")
    client.force_login(personas.hub_a_admin)
    return session, session_edit_url(session)


@time_machine.travel(NOW, tick=False)
def test_edit_and_cancel_one_session(client, personas):
    session, url = _edit_a_session(client, personas)
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {"day_0": "15", "day_1": "12", "day_2": "2021", "start_time": "13:00", "hours": "2.5"},
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.starts_at == local("2021-12-15T13:00") and str(session.hours) == "2.50"
    page = client.post(
        url, {"hours": "0", "day_0": "15", "day_1": "12", "day_2": "2021", "start_time": "13:00"}
    ).content.decode()
    assert "Length must be more than 0 hours" in page
    client.post(url, {"cancel_session": "", "confirm": ""})
    session.refresh_from_db()
    assert session.status == SessionStatus.CANCELLED


@time_machine.travel(NOW, tick=False)
def test_cancelling_a_session_asks_first_and_the_first_click_changes_nothing(client, personas):
    session, url = _edit_a_session(client, personas)
    response = client.post(url, {"cancel_session": ""})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Are you sure you want to cancel the session on 14 December 2021?" in page
    # The consequences stated: this 3-hour session is cohort A's only one, so without it
    # the cohort has nothing of its 18 hours delivered or scheduled.
    assert f"Without it, {personas.cohort_a.name} has 0.0 of 18 hours" in page
    assert 'name="confirm"' in page
    session.refresh_from_db()
    assert session.status == SessionStatus.SCHEDULED
    assert client.post(url, {"cancel_session": "", "confirm": ""}).status_code == 302
    session.refresh_from_db()
    assert session.status == SessionStatus.CANCELLED


@time_machine.travel(NOW, tick=False)
def test_moving_a_session_out_of_the_window_is_refused(client, personas):
    session, url = _edit_a_session(client, personas)
    page = client.post(
        url, {"day_0": "5", "day_1": "4", "day_2": "2022", "start_time": "09:30", "hours": "3"}
    ).content.decode()
    assert "outside the delivery window" in page
    session.refresh_from_db()
    assert session.starts_at == local("2021-12-14T09:30")
