"""Hub administrator, in Chromium: the registrations list filtered by status and a
search, sorted by a heading, paged on (the filters and the sort kept in the URL), then
two registrations chosen and the charter sent to them from the list, with its summary;
then the hub's sessions list filtered to the registers missing since a date.
Every page is checked by axe, at 320 px and at 200% zoom; the screenshots are
docs/screenshots/hub-admin-filtered-list/.
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail
from django.utils import timezone

from tests import factories
from tests.e2e.conftest import greater_manchester, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_hub_admin_filters_sorts_and_pages_the_registrations(journey):
    today = timezone.localdate()
    gm = greater_manchester(
        today - dt.timedelta(days=60), today + dt.timedelta(days=300), admin=True
    )
    for n in range(10, 70):  # 60 eligible registrations from "Norton" businesses
        business = factories.make_business(name=f"Norton Foods {n}", postcode=f"M{n} 1AA")
        factories.make_eligible(
            factories.make_participant(
                gm.hub, gm.programme, business=business, first_name="Nell", last_name=f"N{n}"
            )
        )
    for n in range(5):  # others the filters leave out
        factories.make_participant(gm.hub, gm.programme, last_name=f"Pending{n}")

    run = journey("hub-admin-filtered-list")
    page = run.new_page()
    sign_in(page, gm.admin)
    page.goto("/hub/gm/registrations/")
    run.check(page, "registrations")

    # Filter: eligible, searching "norton".
    page.get_by_label("Name, business, email or postcode").fill("norton")
    page.get_by_label("Status").select_option("eligible")
    page.get_by_role("button", name="Filter").click()
    assert "Showing 1 to 50 of 60" in page.content()
    run.check(page, "filtered")

    # Sort by business, then turn it descending.
    page.get_by_role("link", name="Business").click()
    heading = page.locator("th", has=page.get_by_role("link", name=re.compile("^Business")))
    assert heading.get_attribute("aria-sort") == "ascending"
    page.get_by_role("link", name=re.compile("^Business")).click()
    assert heading.get_attribute("aria-sort") == "descending"
    first = page.locator("table[data-list=registrations] tbody tr").first.inner_text()
    assert "Norton Foods 69" in first
    run.check(page, "sorted")

    # The next page keeps the filters and the sort.
    page.get_by_role("link", name=re.compile("Next")).click()
    query = parse_qs(urlsplit(page.url).query)
    assert query == {
        "q": ["norton"],
        "status": ["eligible"],
        "sort": ["-business"],
        "page": ["2"],
    }
    assert "Showing 51 to 60 of 60" in page.content()
    rows = page.locator("table[data-list=registrations] tbody tr")
    assert rows.count() == 10 and "Norton Foods 19" in rows.first.inner_text()
    run.check(page, "next page")

    # The back button returns to the first page, as it was.
    page.go_back()
    assert "Showing 1 to 50 of 60" in page.content()

    # Two chosen, and the charter sent to them from the list.
    page.get_by_label("Select Nell N69").check()
    page.get_by_label("Select Nell N68").check()
    page.get_by_label("Action").select_option("charter")
    page.get_by_role("button", name="Continue").click()
    assert page.get_by_role("heading", name="Send the Participant Charter to 2?").count() == 1
    run.check(page, "bulk confirm")
    page.get_by_role("button", name="Confirm").click()
    assert page.get_by_role("heading", name="The Participant Charter sent to 2").count() == 1
    run.check(page, "bulk done")
    assert len(mail.outbox) == 2

    # The hub's sessions list: the registers missing, from a date.
    cohort = factories.make_cohort(gm.hub, gm.programme, name="Salford cohort")
    past, later = today - dt.timedelta(days=14), today + dt.timedelta(days=14)
    missing = factories.make_session(cohort, f"{past:%Y-%m-%d}T09:30", status="delivered")
    factories.make_session(
        cohort, f"{past - dt.timedelta(days=20):%Y-%m-%d}T09:30", status="delivered"
    )
    factories.make_session(cohort, f"{later:%Y-%m-%d}T09:30")
    page.goto("/hub/gm/sessions/")
    assert "Showing 1 to 3 of 3" in page.content()
    page.get_by_label("Status").select_option("register_missing")
    page.get_by_label("From").fill(f"{past - dt.timedelta(days=1):%Y-%m-%d}")
    page.get_by_role("button", name="Filter").click()
    query = parse_qs(urlsplit(page.url).query)
    assert query == {
        "status": ["register_missing"],
        "date_from": [f"{past - dt.timedelta(days=1):%Y-%m-%d}"],
    }
    assert "Showing 1 to 1 of 1" in page.content()
    assert page.locator("tbody strong.govuk-tag", has_text="Register missing").count() == 1
    assert page.locator(f"a[href$='/sessions/{missing.code}/']").count() == 1
    run.check(page, "sessions filtered")
