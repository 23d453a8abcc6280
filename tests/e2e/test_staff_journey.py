"""A hub's own staff (issue 15), in Chromium, with no Django admin anywhere: the hub
administrator signs in, invites a facilitator for a cohort (one wrong email address
first); the facilitator opens the emailed activation link, chooses a password, sets up
an authenticator app and takes the register of a session of that cohort. The link then
no longer works. Every page is checked by axe, at 320 px and at 200% zoom.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from peernet.models import AuditEvent, Role, RoleAssignment, User
from sessions.models import Attendance
from tests.e2e.conftest import (
    assert_error_summary,
    expect_text,
    greater_manchester,
    make_hana,
    sign_in,
)
from tests.factories import make_cohort, make_hub, make_totp_device, totp_now

pytestmark = pytest.mark.django_db(transaction=True)

FRAN_PASSWORD = "amber orchard violin seventy"


def _choose_password(page, password: str, button: str) -> None:
    """Type `password` in both boxes of the set-password page and press `button`."""
    page.get_by_label("New password", exact=True).fill(password)
    page.get_by_label("Confirm new password").fill(password)
    page.get_by_role("button", name=button).click()


def test_a_hub_administrator_invites_a_facilitator_who_takes_the_register(journey):
    now = timezone.now()
    today = timezone.localdate()
    gm = greater_manchester(
        today - dt.timedelta(days=120), today + dt.timedelta(days=240), admin=True
    )
    hub, cohort, admin = gm.hub, gm.cohort, gm.admin
    make_cohort(hub, gm.programme, name="Bolton spring")
    people = gm.join(
        ["Ada Ames", "Ben Bright"],
        registered=today - dt.timedelta(days=60),
        joined=today - dt.timedelta(days=30),
    )
    session = gm.started_session("salford-autumn-s1", now)

    run = journey("staff")

    # 1. The administrator invites Fran to facilitate Salford autumn.
    page = run.new_page()
    sign_in(page, admin)
    page.get_by_role("link", name="Staff", exact=True).click()
    expect_text(page, "Invite someone")
    run.check(page, "staff")
    page.get_by_role("link", name="Invite someone").click()
    run.check(page, "invite someone")
    page.get_by_label("Full name").fill("Fran Facilitator")
    page.get_by_label("Email address").fill("fran.example.org")  # the one wrong input
    page.get_by_label("Facilitator", exact=True).check()
    page.get_by_label("Salford autumn").check()
    page.get_by_role("button", name="Send the invitation").click()
    message = "Enter an email address in the correct format, like name@example.com"
    assert_error_summary(page, message, "id_email")
    run.check(page, "invite someone error")
    assert not User.objects.filter(name="Fran Facilitator").exists()
    page.get_by_label("Email address").fill("fran@example.org")
    assert page.get_by_label("Salford autumn").is_checked()  # kept from the first try
    page.get_by_role("button", name="Send the invitation").click()
    expect_text(
        page, "An invitation was sent to fran@example.org, as facilitator of Salford autumn."
    )
    run.check(page, "staff member invited")
    fran = User.objects.get(email="fran@example.org")
    assert RoleAssignment.objects.filter(
        user=fran, role=Role.FACILITATOR, hub=hub, cohort=cohort
    ).exists()
    assert AuditEvent.objects.filter(
        actor=admin, object_type="peernet.roleassignment", action="create"
    ).exists()
    page.get_by_role("link", name="Back to staff").click()
    expect_text(page, "Fran Facilitator")
    run.check(page, "staff with the invitation")

    # 2. Fran opens the emailed link, in her own browser.
    (invitation,) = [m for m in mail.outbox if m.to == ["fran@example.org"]]
    link = re.search(r"https?://\S+(/account/activate/\S+/)", invitation.body).group(1)
    fran_page = run.new_page()
    fran_page.goto(link)
    assert fran_page.url.endswith("/set-password/")  # the token has left the address bar
    run.check(fran_page, "choose a password")
    _choose_password(fran_page, FRAN_PASSWORD, "Continue")

    # 3. Her authenticator app: the code of the device the set-up page made.
    expect_text(fran_page, "Set up your authenticator app")
    run.check(fran_page, "set up the authenticator app")
    device = TOTPDevice.objects.get(user=fran, confirmed=False)
    fran_page.get_by_label("Code from your authenticator app").fill(totp_now(device))
    fran_page.get_by_role("button", name="Continue").click()
    expect_text(fran_page, "Your authenticator app is set up")
    run.check(fran_page, "recovery codes")
    fran_page.get_by_role("link", name="Continue").click()

    # 4. Her area, the session, the register.
    assert fran_page.url.endswith("/facilitation/"), fran_page.url
    run.check(fran_page, "facilitation home")
    label = (
        f"Salford autumn, {session.starts_at.astimezone(timezone.get_current_timezone()):%-d %B %Y}"
    )
    fran_page.get_by_role("link", name=label).click()
    fran_page.get_by_role("link", name="Take the register").click()
    run.check(fran_page, "attendance")
    # The register answers nobody until she does: Ada present for 3 hours, Ben absent
    # with apologies (the third choice).
    ada, ben = people[0].code, people[1].code
    fran_page.locator(f"#id_presence-{ada}_1").check()
    fran_page.locator(f"#id_hours-{ada}").fill("3")
    fran_page.locator(f"#id_presence-{ben}_3").check()
    fran_page.get_by_role("button", name="Save attendance").click()
    expect_text(fran_page, "The attendance was saved.")
    run.check(fran_page, "session with attendance")
    rows = {a.participant_id: a for a in Attendance.objects.filter(session=session)}
    assert rows[people[0].pk].present and rows[people[0].pk].hours == Decimal("3")
    assert not rows[people[1].pk].present and rows[people[1].pk].apologies

    # 5. The link has done its work: opened again, it says so.
    again = run.new_page()
    again.goto(link)
    expect_text(again, "This link does not work")
    run.check(again, "invitation link used")

    # 6. The administrator gives Fran Bolton spring, and takes Salford autumn away: her
    # next click on its session is a 404 (docs/security.md §5).
    page.get_by_role("link", name="Fran Facilitator").click()
    expect_text(page, "Active: they have set a password")
    run.check(page, "staff member active")
    page.get_by_label("Bolton spring").check()
    page.get_by_role("button", name="Assign the cohorts").click()
    expect_text(page, "Fran Facilitator now facilitates Bolton spring.")
    page.get_by_role("link", name="Remove as facilitator of Salford autumn").click()
    expect_text(page, "Remove Fran Facilitator as facilitator of Salford autumn?")
    run.check(page, "remove a role")
    page.get_by_role("button", name="Remove the role").click()
    expect_text(page, "Fran Facilitator was removed as facilitator of Salford autumn.")
    assert list(
        RoleAssignment.objects.filter(user=fran).values_list("cohort__name", flat=True)
    ) == ["Bolton spring"]
    response = fran_page.reload()
    assert response.status == 404


def test_a_forgotten_password_is_reset_by_email_and_the_second_factor_still_asked(journey):
    admin = make_hana(make_hub("gm", name="Greater Manchester Growth Hub"))
    admin.set_password("an old password nobody remembers")
    admin.save()
    device = make_totp_device(admin)

    run = journey("password-reset")
    page = run.new_page()
    page.goto("/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    run.check(page, "reset your password")
    page.get_by_label("Email address").fill("hana.example.org")  # the one wrong input
    page.get_by_role("button", name="Send the link").click()
    message = "Enter an email address in the correct format, like name@example.com"
    assert_error_summary(page, message, "id_email")
    run.check(page, "reset your password error")
    page.get_by_label("Email address").fill("Hana@Example.org")
    page.get_by_role("button", name="Send the link").click()
    expect_text(page, "Check your email")
    run.check(page, "check your email")

    (email,) = [m for m in mail.outbox if m.to == ["hana@example.org"]]
    link = re.search(r"https?://\S+(/account/reset/\S+/)", email.body).group(1)
    page.goto(link)
    assert page.url.endswith("/set-password/")
    run.check(page, "choose a new password")
    _choose_password(page, "hana12345", "Save the password")
    assert_error_summary(
        page,
        "This password is too short. It must contain at least 12 characters.",
        "id_new_password2",
    )
    run.check(page, "choose a new password error")
    _choose_password(page, FRAN_PASSWORD, "Save the password")
    expect_text(page, "Your password has been changed")
    run.check(page, "password changed")

    # Signing in with it still asks for the authenticator app's code.
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("Email address").fill("hana@example.org")
    page.get_by_label("Password", exact=True).fill(FRAN_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect_text(page, "Enter the 6-digit code")
    assert "/account/two-factor/" in page.url
    page.locator("input[autocomplete='one-time-code']").fill(totp_now(device))
    page.get_by_role("button", name="Continue").click()
    expect_text(page, "Greater Manchester Growth Hub")
    assert page.url.endswith("/hub/gm/"), page.url

    # The link worked once.
    page.goto(link)
    expect_text(page, "This link does not work")
    run.check(page, "reset link used")
