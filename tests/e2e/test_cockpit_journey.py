"""Hub administrator's cockpit and progress you can see (issue 18, items 3 and 5), in
Chromium: the cockpit's week, what is at risk, the return and the progress chart; from an
at-risk cohort to its page with its hours as a chart and each session's attendance; a
participant's one-to-one hours. Every page is checked by axe, at 320 px and at 200% zoom,
and photographed for docs/screenshots/.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from peernet.models import Role
from sessions.models import Attendance, GroupSession, SessionStatus
from tests.e2e.conftest import expect_text, greater_manchester, sign_in
from tests.factories import make_one_to_one, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def _world():
    """Greater Manchester's cohort, two months into delivery: two delivered sessions (the
    second without attendance), one this week and one next month; Ada has a one-to-one."""
    today = timezone.localdate()
    now = timezone.now()
    start = today - dt.timedelta(days=60)
    gm = greater_manchester(start, today + dt.timedelta(days=300), admin=True)
    registered, joined = start + dt.timedelta(days=5), start + dt.timedelta(days=10)
    ada, ben = gm.join(["Ada Ames", "Ben Bell"], registered=registered, joined=joined)
    first = GroupSession.objects.create(
        cohort=gm.cohort,
        key="gm-s1",
        starts_at=now - dt.timedelta(days=28),
        hours=Decimal(3),
        status=SessionStatus.DELIVERED,
    )
    Attendance.objects.create(session=first, participant=ada, present=True, hours=Decimal(3))
    Attendance.objects.create(session=first, participant=ben, present=False, hours=0)
    GroupSession.objects.create(
        cohort=gm.cohort,
        key="gm-s2",
        starts_at=now - dt.timedelta(days=14),
        hours=Decimal(3),
        status=SessionStatus.DELIVERED,
    )
    GroupSession.objects.create(
        cohort=gm.cohort, key="gm-s3", starts_at=now + dt.timedelta(days=3), hours=Decimal(3)
    )
    GroupSession.objects.create(
        cohort=gm.cohort, key="gm-s4", starts_at=now + dt.timedelta(days=31), hours=Decimal(3)
    )
    provider = make_user(Role.ONE_TO_ONE_PROVIDER, hub=gm.hub, name="Pat Provider")
    make_one_to_one(
        ada,
        provider,
        starts_at=now - dt.timedelta(days=7),
        status=SessionStatus.DELIVERED,
        hours=Decimal("1.5"),
    )
    make_one_to_one(ada, provider, starts_at=now + dt.timedelta(days=2), hours=Decimal(1))
    return gm, ada


def test_the_cockpit_and_a_cohorts_progress(journey):
    gm, ada = _world()
    run = journey("hub-admin-cockpit")
    page = run.new_page()
    sign_in(page, gm.admin)
    run.check(page, "cockpit")
    expect_text(page, "This week")
    assert page.locator('[data-table="week-sessions"] tbody tr').count() == 1
    assert page.locator('[data-table="week-one-to-ones"] tbody tr').count() == 1
    assert page.locator('[data-table="attendance-missing"] tbody tr').count() == 1
    expect_text(page, "Cohorts at risk of missing 18 hours")
    expect_text(page, "Participants at risk of missing 3.5 hours")
    assert page.locator('svg[role="img"][aria-labelledby="progress-chart-title"]').count() == 1
    page.locator("#progress-over-months").scroll_into_view_if_needed()
    run.check(page, "cockpit, progress over the months")
    page.get_by_role("link", name="See the whole month's calendar").click()
    run.check(page, "calendar")
    assert page.locator("[data-event]").count() >= 2
    page.get_by_role("link", name=re.compile("Next month")).click()
    run.check(page, "calendar, next month")
    page.get_by_role("link", name="Back to the dashboard").click()

    # A colleague of the hub's (a second sign-in with Hana's code would reuse it).
    progress = journey("cohort-progress")
    page = progress.new_page()
    sign_in(page, make_user(Role.HUB_ADMIN, hub=gm.hub, name="Ravi Admin"))
    # From what is at risk to the cohort that fixes it.
    page.locator('[data-at-risk="cohorts_at_risk"]').get_by_role(
        "link", name=re.compile("Schedule sessions")
    ).first.click()
    progress.check(page, "cohort with its hours")
    hours = page.locator('[data-hours="cohort-hours"]').inner_text()
    assert "Still to schedule" in hours  # 3 + 3 delivered, 6 scheduled, 6 to go
    assert hours.count("6.0 hours") == 3
    assert page.locator("[data-attendance]").first.inner_text() == "1 present, 1 absent"
    page.get_by_role("link", name="Ada Ames").click()
    progress.check(page, "participant with one-to-one hours")
    one_to_one = page.locator('[data-hours="one-to-one-hours"]').inner_text()
    assert "1.5 hours" in one_to_one and "Still to arrange" in one_to_one
