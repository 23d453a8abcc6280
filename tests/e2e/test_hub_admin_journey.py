"""Hub administrator, in Chromium: a business registers on the public form (on a phone),
the administrator decides its eligibility, sends the Participant Charter, the participant
signs it through the emailed link, the administrator allocates them to a cohort and plans
the cohort's sessions. Every page is checked by axe, at 320 px and at 200% zoom.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone

from cohorts.models import CohortMembership
from participants.models import EligibilityStatus, Participant
from peernet.models import Role
from reporting.models import Finding
from sessions.models import GroupSession
from tests.e2e.conftest import (
    REGISTERING,
    assert_error_summary,
    expect_text,
    fill_date,
    fill_registration_details,
    greater_manchester,
    record_eligible,
    send_the_charter,
    sign_in,
    sign_the_charter,
)
from tests.factories import make_user

pytestmark = pytest.mark.django_db(transaction=True)


def _next_tuesday(after: dt.date) -> dt.date:
    return after + dt.timedelta(days=(1 - after.weekday()) % 7 or 7)


def test_hub_admin_from_registration_to_a_planned_schedule(journey):
    today = timezone.localdate()
    gm = greater_manchester(
        today - dt.timedelta(days=60),
        today + dt.timedelta(days=300),
        admin=True,
        **REGISTERING,
    )
    hub, cohort, admin = gm.hub, gm.cohort, gm.admin
    make_user(Role.FACILITATOR, cohort=cohort, name="Fran Facilitator")
    gm.join(["", "", ""], registered=today, joined=today, charter_signed_at=timezone.now())

    run = journey("hub-admin")

    # 1. The business registers on the public form, on a phone.
    phone = run.new_page(phone=True)
    phone.goto("/p/register/gm/")
    run.check(phone, "registration privacy notice")
    phone.get_by_role("button", name="Start now").click()
    # The one wrong input: starting without confirming the notice.
    assert_error_summary(phone, "Confirm that you have read the privacy notice", "id_acknowledged")
    run.check(phone, "registration privacy notice error")
    phone.get_by_label("I have read the privacy notice").check()
    phone.get_by_role("button", name="Start now").click()
    fill_registration_details(phone)
    run.check(phone, "registration details")
    phone.get_by_role("button", name="Continue").click()
    expect_text(phone, "Check your answers")
    phone.get_by_role("button", name="Accept and send").click()
    expect_text(phone, "Registration received")
    run.check(phone, "registration received")
    sam = Participant.objects.get(email="sam.owner@example.org")
    assert sam.hub == hub and sam.eligibility_status == EligibilityStatus.PENDING

    # 2. The administrator signs in, finds the registration and decides eligibility.
    page = run.new_page()
    sign_in(page, admin, run=run)
    run.check(page, "dashboard")
    page.get_by_role("link", name="Registrations").first.click()
    run.check(page, "registrations")
    record_eligible(page, "Sam Owner", run)
    sam.refresh_from_db()
    assert sam.eligibility_status == EligibilityStatus.ELIGIBLE

    # 3. The charter: sent from its page, signed by the participant through the link.
    send_the_charter(page, run)
    (message,) = [
        m for m in mail.outbox if m.to == ["sam.owner@example.org"] and "/charter/" in m.body
    ]
    link = re.search(r"https?://\S+(/p/charter/\S+/)", message.body).group(1)
    phone.goto(link)
    phone.get_by_role("heading", name=re.compile("Participant Charter")).first.wait_for()
    run.check(phone, "charter to sign")
    sign_the_charter(phone, run)
    sam.refresh_from_db()
    assert sam.charter_signed_at is not None

    # 4. Allocated to the cohort from its waiting list.
    page.get_by_role("link", name="Cohorts").first.click()
    run.check(page, "cohorts")
    page.get_by_role("link", name="Salford autumn").click()
    run.check(page, "cohort")
    page.get_by_role("button", name="Allocate Sam Owner").click()
    expect_text(page, "allocated to Salford autumn")
    assert CohortMembership.objects.filter(cohort=cohort, participant=sam).exists()

    # 5. The schedule: the plan previewed, then confirmed.
    page.get_by_role("link", name="Plan the sessions").first.click()
    run.check(page, "plan the sessions")
    first = _next_tuesday(today + dt.timedelta(days=14))
    fill_date(page, "first_day", first)
    page.get_by_label("Start time").fill("09:30")
    page.get_by_label("Weeks between sessions").fill("2")
    page.locator("#id_session_hours").fill("3")
    page.locator("#id_total_hours").fill("18")
    page.get_by_role("button", name="Show the plan").click()
    run.check(page, "plan preview")
    page.get_by_role("button", name="Schedule all 6 sessions").click()
    expect_text(page, "6 sessions of Salford autumn scheduled.")
    run.check(page, "cohort scheduled")
    assert GroupSession.objects.filter(cohort=cohort).count() == 6


def test_hub_admin_works_through_the_whole_to_do_list(journey):
    """Issue 18 (2), in Chromium: from the dashboard to the whole to-do list, a rule's
    items, and the overdue ones."""
    today = timezone.localdate()
    gm = greater_manchester(
        today - dt.timedelta(days=60), today + dt.timedelta(days=300), admin=True
    )
    now = timezone.now()
    Finding.objects.bulk_create(
        Finding(
            hub=gm.hub,
            cohort=gm.cohort,
            rule=rule,
            subject_kind=Finding.SubjectKind.COHORT,
            subject_id=n,
            subject_code=gm.cohort.code,
            subject_name=f"{gm.cohort.name} ({n})",
            outcome=Finding.Outcome.WARN,
            sentence=f"Hand-made finding {n} for the journey.",
            due=today + dt.timedelta(days=days),
            first_found=now,
            last_found=now,
        )
        for n, (rule, days) in enumerate([("K6", -3)] * 30 + [("K2", 10)] * 30)
    )
    run = journey("hub-admin-to-do")
    page = run.new_page()
    sign_in(page, gm.admin, run=run)
    page.get_by_role("link", name=re.compile("See the whole list by rule")).click()
    run.check(page, "to-do list")
    expect_text(page, "60 things found by the daily check")
    page.get_by_role("link", name="Next page").click()
    run.check(page, "to-do list, page 2")
    page.get_by_label("Overdue only").check()
    page.get_by_role("button", name="Apply filters").click()
    run.check(page, "to-do list, overdue")
    expect_text(page, "1 to 30 of 30")
    assert page.locator("[data-overdue]").count() == 30
