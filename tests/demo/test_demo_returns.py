"""The demo's monthly returns (`demo.returns`): every month that ended before the anchor
submitted through the returns service, most on time, a few late and one missing, so the
national pages have the year so far; a return whose day has not come is left due; the
figures are the records' own; a second run submits nothing."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from peernet.calendar import LONDON
from peernet.models import Hub, Programme, User
from reporting import kpi, national, returns
from reporting.models import ReturnVersion

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]

ANCHOR = dt.date(2026, 11, 21)  # the window: April 2026 to March 2027; April-October ended


@pytest.fixture
def fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(anchor: dt.date) -> dict[str, list[str]]:
    """Seed the demo on `anchor`; each hub's statuses, April to March, as at noon."""
    call_command("seed_demo", "--anchor", anchor.isoformat(), stdout=io.StringIO())
    now = dt.datetime.combine(anchor, dt.time(12), tzinfo=LONDON)
    months = national.programme_months(Programme.current())
    hubs = list(Hub.objects.order_by("key"))
    statuses = returns.return_statuses(hubs, months, now=now)
    return {hub.key: [statuses[(hub.pk, month)] for month in months] for hub in hubs}


def test_the_demo_has_the_year_so_far_some_late_and_one_missing():
    statuses = seed(ANCHOR)

    ended = [row[:7] for row in statuses.values()]
    counted = Counter(status for row in ended for status in row)
    assert counted == {"on_time": 23, "late": 4, "missing": 1}
    assert statuses["bc"][1] == "missing"  # May: the year's one missing return
    assert statuses["lancs"][2] == "late"
    assert all(row[7:] == ["not_yet_due"] * 5 for row in statuses.values())
    assert ReturnVersion.objects.count() == 27
    # Submitted by each hub's administrator, with a narrative, through the service: the
    # frozen figures are what the records give for the month.
    version = ReturnVersion.objects.select_related("monthly_return__hub", "submitted_by").get(
        monthly_return__hub__key="gm", monthly_return__month=dt.date(2026, 10, 1)
    )
    assert version.submitted_by == User.objects.get(email="gm.admin@example.org")
    assert version.narrative
    assert returns.version_sha256(version) == version.sha256
    computed = kpi.stored(kpi.compute_hub(version.monthly_return.hub, dt.date(2026, 10, 1)))[0]
    assert version.figures == computed
    assert int(version.figures["started_cumulative"]) > 0

    # Run again: nothing new.
    seed(ANCHOR)
    assert ReturnVersion.objects.count() == 27


def test_a_return_whose_day_has_not_come_is_due():
    """Anchor 5 December at noon: November's returns are due on the 7th; the hubs submit
    on the 3rd (bc), 4th (gbs), 5th (gm, at 10:30) and 6th (lancs)."""
    statuses = seed(dt.date(2026, 12, 5))
    november = {hub: row[6] for hub, row in statuses.items()}
    assert november == {"bc": "on_time", "gbs": "on_time", "gm": "on_time", "lancs": "due"}


def test_the_national_pages_show_the_demo_year(client):
    seed(ANCHOR)
    client.force_login(User.objects.get(email="beis@example.org"))
    with time_machine.travel(dt.datetime.combine(ANCHOR, dt.time(12), tzinfo=LONDON)):
        html = client.get(reverse("national:timeliness")).content.decode()
    assert html.count('data-status="late"') == 4
    assert html.count('data-status="missing"') == 1
