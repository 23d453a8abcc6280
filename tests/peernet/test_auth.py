"""Signing in: the lockout after failed passwords (docs/security.md §10), the second factor for
every signed-in user and /admin (11), and the session's life: a new key at sign-in,
ended by signing out and by a password change, and an idle timeout (12).

These tests sign in through the real pages (never force_login, which stands for a whole
sign-in elsewhere in the suite)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from peernet.addresses import client_ip
from peernet.models import AuditEvent
from tests.factories import Personas, make_totp_device, totp_now

pytestmark = pytest.mark.django_db

PASSWORD = "mellow-harbour-lantern-42"
START = dt.datetime(2026, 3, 2, 9, 0, 7, tzinfo=dt.UTC)  # 7 s into a 30-second step


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def admin_a(personas: Personas):
    user = personas.hub_a_admin
    user.set_password(PASSWORD)
    user.save()
    return user


def sign_in(client: Client, user, password: str = PASSWORD, **extra):
    return client.post(reverse("login"), {"username": user.email, "password": password}, **extra)


def second_step(client: Client) -> str:
    """Where a password-only session is sent from the home page: the second step."""
    response = client.get(reverse("home"))
    assert response.status_code == 302
    return response["Location"]


def hub_home(personas: Personas) -> str:
    return reverse("hub:home", kwargs={"hub": personas.hub_a.key})


# --- docs/security.md §10: lockout ------------------------------------------------------------


def assert_code_refused(client, personas, code: str, words: str) -> None:
    """The second step refuses `code` with a page saying `words`; the hub stays closed."""
    refused = client.post(reverse("account:two-factor"), {"code": code})
    assert refused.status_code == 200
    assert words in refused.text
    assert client.get(hub_home(personas)).status_code == 302


def test_five_failed_passwords_lock_the_account_even_for_the_right_password(client, admin_a, clock):
    for _ in range(4):
        response = sign_in(client, admin_a, "not-the-password")
        assert response.status_code == 200
        assert "Enter a correct email address and password" in response.text

    fifth = sign_in(client, admin_a, "not-the-password")
    assert fifth.status_code == 429
    assert "Your account is locked for 15 minutes" in fifth.text

    right = sign_in(client, admin_a)
    assert right.status_code == 429
    assert "Your account is locked for 15 minutes" in right.text
    assert "_auth_user_id" not in client.session


def test_four_failures_do_not_lock(client, admin_a, clock):
    for _ in range(4):
        sign_in(client, admin_a, "not-the-password")
    response = sign_in(client, admin_a)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert second_step(client).startswith(reverse("account:two-factor-set-up"))


def test_a_new_x_forwarded_for_on_each_try_does_not_get_round_it(client, admin_a, clock):
    # No trusted proxy is configured: X-Forwarded-For is the client's own words.
    for n in range(5):
        sign_in(client, admin_a, "not-the-password", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    response = sign_in(client, admin_a, HTTP_X_FORWARDED_FOR="198.51.100.99")
    assert response.status_code == 429


def test_behind_a_trusted_proxy_only_the_proxys_own_entry_counts(client, admin_a, clock, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.5"]
    proxy = {"REMOTE_ADDR": "10.0.0.5"}
    # The client forges the left part; the proxy appends the address it saw.
    for n in range(5):
        forged = f"198.51.100.{n}, 203.0.113.7"
        sign_in(client, admin_a, "not-the-password", HTTP_X_FORWARDED_FOR=forged, **proxy)
    locked = sign_in(client, admin_a, HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7", **proxy)
    assert locked.status_code == 429

    # The lockout is for this account from that address: the owner elsewhere gets in.
    elsewhere = sign_in(Client(), admin_a, HTTP_X_FORWARDED_FOR="203.0.113.8", **proxy)
    assert elsewhere.status_code == 302


def test_after_the_cool_off_the_right_password_works(client, admin_a, clock):
    for _ in range(5):
        sign_in(client, admin_a, "not-the-password")
    clock.shift(dt.timedelta(minutes=14, seconds=59))
    assert sign_in(client, admin_a).status_code == 429
    clock.shift(dt.timedelta(minutes=15, seconds=1))
    response = sign_in(client, admin_a)
    assert response.status_code == 302
    assert second_step(client).startswith(reverse("account:two-factor-set-up"))


def test_the_email_address_is_counted_whatever_its_case(client, admin_a, clock):
    for n in range(5):
        email = admin_a.email.upper() if n % 2 else f"  {admin_a.email}"
        client.post(reverse("login"), {"username": email, "password": "nope-nope-nope"})
    assert sign_in(client, admin_a).status_code == 429


@pytest.mark.parametrize(
    ("remote", "forwarded", "trusted", "expected"),
    [
        ("192.0.2.1", "198.51.100.1", [], "192.0.2.1"),
        ("192.0.2.1", "198.51.100.1", ["10.0.0.5"], "192.0.2.1"),
        ("10.0.0.5", "198.51.100.1, 203.0.113.7", ["10.0.0.5"], "203.0.113.7"),
        ("10.0.0.5", "203.0.113.7, 10.0.0.6", ["10.0.0.5", "10.0.0.6"], "203.0.113.7"),
        ("10.0.0.5", "", ["10.0.0.5"], "10.0.0.5"),
        ("10.0.0.5", "not-an-address", ["10.0.0.5"], "10.0.0.5"),
    ],
)
def test_the_client_address(rf, settings, remote, forwarded, trusted, expected):
    settings.TRUSTED_PROXIES = trusted
    request = rf.get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_an_audit_row_records_the_client_behind_the_trusted_proxy(client, settings, personas):
    # The audit trail keys on the same address as the lockout: the client the proxy saw,
    # not the proxy, and not what the client claimed further left.
    settings.TRUSTED_PROXIES = ["10.0.0.5"]
    client.force_login(personas.hub_a_admin)
    url = reverse("hub:participant", kwargs={"hub": "hub-a", "code": personas.participant_a.code})
    response = client.get(
        url, REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.7"
    )
    assert response.status_code == 200
    (event,) = AuditEvent.objects.filter(action="view")
    assert event.ip_address == "203.0.113.7"


# --- docs/security.md §11: the second factor ----------------------------------------------------


def test_without_an_app_the_user_sets_one_up_then_sees_ten_recovery_codes(
    client, admin_a, personas, clock
):
    response = sign_in(client, admin_a)
    assert response.status_code == 302
    set_up_url = second_step(client)
    assert set_up_url.startswith(reverse("account:two-factor-set-up"))

    # The password alone opens nothing behind the login.
    page = client.get(hub_home(personas))
    assert page.status_code == 302
    assert page["Location"].startswith(reverse("account:two-factor-set-up"))

    set_up = client.get(set_up_url)
    assert set_up.status_code == 200
    assert "<svg" in set_up.text
    device = TOTPDevice.objects.get(user=admin_a, confirmed=False)
    secret = set_up.context["secret"]
    assert secret.replace(" ", "") in device.config_url
    # The same secret on a second visit, until it is confirmed.
    assert client.get(set_up_url).context["secret"] == secret

    wrong = client.post(reverse("account:two-factor-set-up"), {"code": "000000"})
    assert wrong.status_code == 200
    assert "The code is not correct" in wrong.text
    assert client.get(hub_home(personas)).status_code == 302

    clock.shift(dt.timedelta(seconds=30))  # past django-otp's throttle after a failure
    done = client.post(
        reverse("account:two-factor-set-up"),
        {"code": totp_now(device), "next": hub_home(personas)},
    )
    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == 10 == len(set(codes))
    for code in codes:
        assert code in done.text
    device.refresh_from_db()
    assert device.confirmed
    assert sorted(
        StaticToken.objects.filter(device__user=admin_a).values_list("token", flat=True)
    ) == sorted(codes)
    assert client.get(hub_home(personas)).status_code == 200


def test_with_an_app_the_user_enters_its_code(client, admin_a, personas, clock):
    device = make_totp_device(admin_a)
    sign_in(client, admin_a)
    assert second_step(client).startswith(reverse("account:two-factor"))
    assert client.get(hub_home(personas))["Location"].startswith(reverse("account:two-factor"))
    page = client.get(reverse("account:two-factor"))
    assert "Enter the 6-digit code from your authenticator app" in page.text

    verified = client.post(
        reverse("account:two-factor"), {"code": totp_now(device), "next": hub_home(personas)}
    )
    assert verified.status_code == 302
    assert verified["Location"] == hub_home(personas)
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.get(hub_home(personas)).status_code == 200


def test_the_sign_in_page_sends_the_user_on_to_the_page_they_asked_for(
    client, admin_a, personas, clock
):
    device = make_totp_device(admin_a)
    asked = client.get(hub_home(personas))
    assert asked["Location"].startswith(reverse("login") + "?next=")
    response = client.post(
        asked["Location"],
        {"username": admin_a.email, "password": PASSWORD, "next": hub_home(personas)},
    )
    assert response["Location"] == hub_home(personas)
    step = client.get(response["Location"])
    assert step["Location"].startswith(reverse("account:two-factor") + "?next=")
    assert client.get(step["Location"]).status_code == 200
    verified = client.post(step["Location"], {"code": totp_now(device)})
    assert verified["Location"] == hub_home(personas)


def test_a_code_from_elsewhere_is_not_followed_off_site(client, admin_a, clock):
    device = make_totp_device(admin_a)
    sign_in(client, admin_a)
    verified = client.post(
        reverse("account:two-factor"), {"code": totp_now(device), "next": "https://evil.example/"}
    )
    assert verified["Location"] == reverse("home")


def test_a_used_code_fails_the_second_time(admin_a, personas, clock):
    device = make_totp_device(admin_a)
    code = totp_now(device)
    first, second = Client(), Client()
    sign_in(first, admin_a)
    assert first.post(reverse("account:two-factor"), {"code": code}).status_code == 302

    clock.shift(dt.timedelta(seconds=5))  # the same 30-second step: the code is unchanged
    assert totp_now(device) == code
    sign_in(second, admin_a)
    assert_code_refused(second, personas, code, "The code is not correct or has already been used")

    clock.shift(dt.timedelta(seconds=30))  # the next step's code is new, and works
    assert totp_now(device) != code
    assert second.post(reverse("account:two-factor"), {"code": totp_now(device)}).status_code == 302
    assert second.get(hub_home(personas)).status_code == 200


def test_a_wrong_code_is_refused(client, admin_a, personas, clock):
    device = make_totp_device(admin_a)
    sign_in(client, admin_a)
    wrong = f"{(int(totp_now(device)) + 1) % 1_000_000:06d}"
    assert_code_refused(client, personas, wrong, "govuk-error-summary")


def test_an_empty_code_gets_a_govuk_error(client, admin_a, clock):
    make_totp_device(admin_a)
    sign_in(client, admin_a)
    response = client.post(reverse("account:two-factor"), {"code": "  "})
    assert "Enter the 6-digit code from your authenticator app" in response.text
    assert response.text.count("Enter the 6-digit code from your authenticator app") >= 2


def test_a_recovery_code_works_once(admin_a, personas, clock):
    make_totp_device(admin_a)
    recovery = StaticDevice.objects.create(user=admin_a, name="Recovery codes")
    recovery.token_set.create(token="abcd2345")
    first, second = Client(), Client()

    sign_in(first, admin_a)
    used = first.post(reverse("account:two-factor"), {"code": "ABCD 2345"})
    assert used.status_code == 302
    assert first.get(hub_home(personas)).status_code == 200

    clock.shift(dt.timedelta(minutes=1))
    sign_in(second, admin_a)
    assert_code_refused(
        second, personas, "abcd2345", "The code is not correct or has already been used"
    )


def test_a_user_with_an_app_cannot_add_another_before_entering_its_code(client, admin_a, clock):
    make_totp_device(admin_a)
    sign_in(client, admin_a)
    response = client.get(reverse("account:two-factor-set-up"))
    assert response["Location"] == reverse("account:two-factor")
    response = client.post(reverse("account:two-factor-set-up"), {"code": "123456"})
    assert response["Location"] == reverse("account:two-factor")
    assert TOTPDevice.objects.filter(user=admin_a).count() == 1


def test_signing_out_needs_no_second_factor(client, admin_a, clock):
    make_totp_device(admin_a)
    sign_in(client, admin_a)
    response = client.post(reverse("logout"))
    assert response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    "persona", ["coordinator", "funder", "evaluator", "hub_b_admin", "facilitator", "provider"]
)
def test_every_role_needs_the_second_factor(client, personas, persona, clock):
    user = getattr(personas, persona)
    user.set_password(PASSWORD)
    user.save()
    sign_in(client, user)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account:two-factor-set-up"))


def test_admin_needs_a_verified_staff_user(personas, clock):
    boss = personas.coordinator
    boss.is_staff = boss.is_superuser = True
    boss.set_password(PASSWORD)
    boss.save()
    device = make_totp_device(boss)
    client = Client()

    anonymous = client.get("/admin/")
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/admin/login/")

    sign_in(client, boss)
    password_only = client.get("/admin/")
    assert password_only.status_code == 302
    assert password_only["Location"].startswith(reverse("account:two-factor"))

    client.post(reverse("account:two-factor"), {"code": totp_now(device)})
    assert client.get("/admin/").status_code == 200


def test_admin_is_closed_to_a_verified_user_who_is_not_staff(client, personas):
    client.force_login(personas.hub_a_admin)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_the_admin_sign_in_form_also_needs_the_second_factor(personas, clock):
    boss = personas.coordinator
    boss.is_staff = boss.is_superuser = True
    boss.set_password(PASSWORD)
    boss.save()
    make_totp_device(boss)
    client = Client()
    response = client.post(
        "/admin/login/?next=/admin/", {"username": boss.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    response = client.get("/admin/")
    assert response["Location"].startswith(reverse("account:two-factor"))


def test_force_login_in_the_suite_gives_a_verified_session(client, personas):
    # tests/conftest.py: the rest of the suite signs in with force_login.
    client.force_login(personas.hub_a_admin)
    assert client.get(hub_home(personas)).status_code == 200
    device = TOTPDevice.objects.get(user=personas.hub_a_admin)
    assert device.confirmed
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    client.force_login(personas.hub_a_admin)  # again: the same device
    assert TOTPDevice.objects.filter(user=personas.hub_a_admin).count() == 1


# --- docs/security.md §12: the session ----------------------------------------------------------


def _session_key(client: Client) -> str | None:
    cookie = client.cookies.get("sessionid")
    return cookie.value if cookie else None


def test_the_session_key_changes_at_sign_in_and_at_the_second_factor(client, admin_a, clock):
    device = make_totp_device(admin_a)
    session = client.session
    session["something"] = "before sign-in"
    session.save()
    anonymous_key = _session_key(client)
    assert anonymous_key

    sign_in(client, admin_a)
    password_key = _session_key(client)
    assert password_key not in {None, anonymous_key}
    assert not Session.objects.filter(session_key=anonymous_key).exists()

    client.post(reverse("account:two-factor"), {"code": totp_now(device)})
    verified_key = _session_key(client)
    assert verified_key not in {None, anonymous_key, password_key}
    assert not Session.objects.filter(session_key=password_key).exists()


def test_signing_out_ends_the_session(client, personas):
    client.force_login(personas.hub_a_admin)
    key = _session_key(client)
    client.post(reverse("logout"))
    assert not Session.objects.filter(session_key=key).exists()

    replay = Client()
    replay.cookies["sessionid"] = key
    response = replay.get(hub_home(personas))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_password_change_ends_every_other_session(admin_a, personas):
    this, other = Client(), Client()
    this.force_login(admin_a)
    other.force_login(admin_a)
    old_key = _session_key(this)

    response = this.post(
        reverse("account:password-change"),
        {
            "old_password": PASSWORD,
            "new_password1": "quiet-meadow-copper-kettle",
            "new_password2": "quiet-meadow-copper-kettle",
        },
    )
    assert response.status_code == 302
    admin_a.refresh_from_db()
    assert admin_a.check_password("quiet-meadow-copper-kettle")

    # This browser carries on under a new key; the old key is gone.
    assert this.get(hub_home(personas)).status_code == 200
    assert _session_key(this) != old_key
    assert not Session.objects.filter(session_key=old_key).exists()
    # Everywhere else is signed out.
    elsewhere = other.get(hub_home(personas))
    assert elsewhere.status_code == 302
    assert elsewhere["Location"].startswith(reverse("login"))


def test_a_session_ends_after_30_minutes_without_a_request(client, personas, clock):
    client.force_login(personas.hub_a_admin)
    clock.shift(dt.timedelta(minutes=29, seconds=59))
    assert client.get(hub_home(personas)).status_code == 200  # and the clock restarts
    clock.shift(dt.timedelta(minutes=29, seconds=59))
    assert client.get(hub_home(personas)).status_code == 200
    clock.shift(dt.timedelta(minutes=30, seconds=1))
    response = client.get(hub_home(personas))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_session_cookie_expires_with_the_idle_timeout(client, personas, clock):
    client.force_login(personas.hub_a_admin)
    client.get(hub_home(personas))
    session = Session.objects.get(session_key=_session_key(client))
    assert session.expire_date == timezone.now() + dt.timedelta(minutes=30)


# --- the demo (scripts/demo): a reviewer gets in without a phone -----------------------------


def test_the_demo_prints_a_recovery_code_that_signs_the_coordinator_in(settings):
    import io
    import re

    from django.core.management import call_command

    from demo.management.commands.seed_demo import DEMO_PASSWORD, demo_recovery_codes
    from peernet.models import User

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    out = io.StringIO()
    call_command("seed_demo", "--anchor", "2021-10-05", stdout=out)
    line, more = [row for row in out.getvalue().splitlines() if "coordinator@example.org" in row]
    code = re.split(r"\s{2,}", line.strip())[-1]
    assert code != DEMO_PASSWORD
    next_codes = more.split()[1:]
    assert len(next_codes) == 4 and code not in next_codes

    client = Client()
    response = client.post(
        reverse("login"), {"username": "coordinator@example.org", "password": DEMO_PASSWORD}
    )
    assert response["Location"] == reverse("home")
    assert second_step(client).startswith(reverse("account:two-factor"))
    assert client.post(reverse("account:two-factor"), {"code": code}).status_code == 302
    assert client.get("/admin/").status_code == 200

    # Signed out, the next printed code signs in again: no dead end.
    client.post(reverse("logout"))
    client.post(
        reverse("login"), {"username": "coordinator@example.org", "password": DEMO_PASSWORD}
    )
    assert client.post(reverse("account:two-factor"), {"code": next_codes[0]}).status_code == 302
    assert client.get("/admin/").status_code == 200

    # Used: the next run of seed_demo tops the codes up; while unused, the same ones.
    coordinator = User.objects.get(email="coordinator@example.org")
    fresh = demo_recovery_codes(coordinator)
    assert fresh[:3] == next_codes[1:] and len(fresh) == 5 and code not in fresh
    assert demo_recovery_codes(coordinator) == fresh
