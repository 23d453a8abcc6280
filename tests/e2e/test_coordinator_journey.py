"""The national coordinator, in Chromium: signs in with their second factor, opens a
hub's participant from the hub area and their subject-access page (downloading the PDF),
searches the audit trail for that view, and records a personal data breach, with the
one wrong input (the breach sent without what happened: the error summary's link
focuses the box), then reads the 72-hour clock on it. Every page is checked by axe, at
320 px and at 200% zoom.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from peernet.models import AuditEvent, Breach, Role
from tests.e2e.conftest import assert_error_summary, expect_text, sign_in
from tests.factories import make_eligible, make_hub, make_participant, make_programme, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_coordinator_subject_access_audit_and_a_breach(journey):
    programme = make_programme()
    hub = make_hub("gm", name="Greater Manchester Growth Hub")
    kim = make_eligible(
        make_participant(hub, programme, first_name="Kim", last_name="Osei", email="kim@x.org")
    )
    coordinator = make_user(Role.COORDINATOR, name="Cora Ordinator", email="cora@example.org")

    run = journey("coordinator")
    page = run.new_page()
    sign_in(page, coordinator)
    run.check(page, "national home")

    # Subject access: the participant's page in the hub area, then their personal data.
    page.goto(f"/hub/{hub.key}/participants/{kim.code}/")
    run.check(page, "participant")
    page.get_by_role("link", name=re.compile("Their personal data")).click()
    run.check(page, "subject access")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download as PDF").click()
    assert download_info.value.path().read_bytes().startswith(b"%PDF")

    # The audit trail holds that download (docs/security.md §21), and finds it by its action.
    page.goto("/privacy/")
    run.check(page, "privacy and records")
    page.get_by_role("link", name="Search the audit trail").click()
    run.check(page, "audit trail")
    assert AuditEvent.objects.filter(actor=coordinator, action="export").exists()
    assert "Exported personal data" in page.locator("main").inner_text()

    # The breach register: the one wrong input, then the breach recorded.
    page.goto("/privacy/")
    page.get_by_role("link", name="The breach register").click()
    run.check(page, "breach register")
    page.get_by_role("link", name="Record a breach").click()
    discovered = timezone.localtime() - dt.timedelta(hours=2)
    page.get_by_label("When was it discovered?").fill(f"{discovered:%Y-%m-%d %H:%M}")
    page.get_by_label("What personal data was affected?").fill("Twelve email addresses")
    page.get_by_role("button", name="Record the breach").click()
    assert_error_summary(page, "Enter what happened", "id_description")
    run.check(page, "breach error")
    assert not Breach.objects.exists()
    page.get_by_label("What happened?").fill("A list was emailed to the wrong hub.")
    page.get_by_role("button", name="Record the breach").click()
    expect_text(page, "decide on reporting within 72 hours")
    run.check(page, "breach recorded")
    breach = Breach.objects.get()
    assert breach.recorded_by == coordinator
    due = timezone.localtime(breach.discovered_at + dt.timedelta(hours=72))
    assert f"{due:%-d %B %Y at %H:%M} (72 hours after discovery)" in (
        page.locator("main").inner_text()
    )
