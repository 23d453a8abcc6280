"""Progress you can see (docs/cockpit.md): a cohort's hours and a participant's one-to-one
hours as small bars with their numbers beside them, and a session's attendance at a
glance on the cohort's page."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from reporting.charts import stacked_bar
from sessions.models import Attendance, OneToOneRoute, SessionStatus
from tests.factories import local, make_one_to_one, make_session

pytestmark = pytest.mark.django_db


def test_the_bar_geometry_hand_worked():
    bar = stacked_bar(
        "b", "T", "D", [("a", Decimal(9), "done"), ("b", Decimal(3), "booked"), ("c", 6, "gap")]
    )
    # 320 wide for 18 hours: 160, 53.3 and 106.7, side by side.
    assert [(p.x, p.width) for p in bar.parts] == [
        (Decimal(0), Decimal("160.0")),
        (Decimal("160.0"), Decimal("53.3")),
        (Decimal("213.3"), Decimal("106.7")),
    ]
    assert stacked_bar("z", "T", "D", [("a", Decimal(-1), "done")]).parts[0].width == 0


def test_the_cohort_page_shows_its_hours_and_each_sessions_attendance(client, personas):
    cohort = personas.cohort_a
    delivered = make_session(cohort, "2021-10-05T09:30", status=SessionStatus.DELIVERED)
    Attendance.objects.create(
        session=delivered, participant=personas.participant_a, present=True, hours=Decimal(3)
    )
    bare = make_session(cohort, "2021-10-19T09:30", status=SessionStatus.DELIVERED)
    make_session(cohort, "2021-11-02T09:30", hours=Decimal("2.5"))
    client.force_login(personas.hub_a_admin)
    response = client.get(reverse("hub:cohort", kwargs={"hub": "hub-a", "code": cohort.code}))
    body = response.content.decode()
    chart = response.context["hours_chart"]
    # 3 + 3 delivered, 2.5 scheduled, 18 - 8.5 = 9.5 still to schedule.
    assert [(p.label, p.value) for p in chart.parts] == [
        ("Delivered", Decimal(6)),
        ("Scheduled", Decimal("2.5")),
        ("Still to schedule", Decimal("9.5")),
    ]
    assert 'role="img"' in body and "9.5 hours" in body
    assert f'data-attendance="{delivered.code}">1 present, 0 absent<' in body
    assert f'data-attendance="{bare.code}"><a class="govuk-link"' in body


def test_the_participant_page_shows_one_to_one_hours_by_route(client, personas):
    person = personas.participant_a
    make_one_to_one(person, personas.provider, status=SessionStatus.DELIVERED)  # 1.5
    make_one_to_one(
        person,
        personas.provider,
        status=SessionStatus.DELIVERED,
        starts_at=local("2021-06-17T14:00"),
        route=OneToOneRoute.EXISTING,
        hours=Decimal("0.5"),
        existing_programme="Scale-up coaching",
    )
    make_one_to_one(person, personas.provider, starts_at=local("2021-11-10T10:00"), hours=1)
    make_one_to_one(
        person,
        personas.provider,
        status=SessionStatus.CANCELLED,
        starts_at=local("2021-11-12T10:00"),
        hours=2,
    )
    client.force_login(personas.hub_a_admin)
    url = reverse("hub:participant", kwargs={"hub": "hub-a", "code": person.code})
    response = client.get(url)
    chart = response.context["one_to_one_chart"]
    # 1.5 by the programme, 0.5 existing, 1 booked: 0.5 of 3.5 still to arrange.
    assert [p.value for p in chart.parts] == [
        Decimal("1.5"),
        Decimal("0.5"),
        Decimal(1),
        Decimal("0.5"),
    ]
    assert "Still to arrange" in response.content.decode()
