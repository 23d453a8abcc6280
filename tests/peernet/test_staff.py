"""A hub's own staff (issue 15), through the pages: the staff list, inviting someone by
email (a new account, or a role added to an existing one), another cohort for a
facilitator, removing a role (access stops at the next request, docs/security.md §5), sending
an invitation again; the activation link (used once, expiring) and "Forgot your
password?" end to end, neither of which gets round the second factor (docs/security.md §11).

Emails go after the commit (peernet.staff): the pages are asked inside
`django_capture_on_commit_callbacks(execute=True)`, as a committed request would be."""

from __future__ import annotations

import contextvars
import datetime as dt
import re
import threading
import time

import pytest
import time_machine
from django.contrib.auth.views import INTERNAL_RESET_SESSION_TOKEN
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from peernet import staff
from peernet.models import AuditEvent, Role, RoleAssignment, User
from tests.factories import (
    Personas,
    make_cohort,
    make_session,
    make_totp_device,
    make_user,
    totp_now,
)

pytestmark = pytest.mark.django_db

PASSWORD = "quiet meadow copper kettle"
NEW_PASSWORD = "amber orchard violin seventy"


@pytest.fixture(autouse=True)
def _fresh_cache():
    # The reset form's hourly allowance per address lives in the shared cache.
    cache.clear()


@pytest.fixture
def admin(client, personas: Personas) -> Client:
    client.force_login(personas.hub_a_admin)
    return client


def url(name: str, hub: str = "hub-a", **kwargs: object) -> str:
    return reverse(f"hub:{name}", kwargs={"hub": hub, **kwargs})


def link_in(message) -> str:
    """The path of the one link in an email."""
    (found,) = re.findall(r"https?://[^/\s]+(/\S+)", message.body)
    return found


def invite(client: Client, capture, **data: object):
    values = {"name": "Nadia Newcomer", "email": "nadia@example.org", "role": "facilitator"}
    values.update(data)
    with capture(execute=True):
        return client.post(url("staff-invite"), values)


# --- the list -------------------------------------------------------------------------------


def test_the_staff_page_lists_the_hub_s_people_with_their_roles(admin, personas):
    response = admin.get(url("staff"))
    assert response.status_code == 200
    text = response.content.decode()
    for person in (personas.hub_a_admin, personas.facilitator, personas.provider):
        assert person.name in text
    assert f"Facilitator of {personas.cohort_a.name}" in text
    assert "One-to-one provider" in text
    # Nobody of hub B, nor the national roles.
    for outsider in (personas.hub_b_admin, personas.coordinator, personas.funder):
        assert outsider.name not in text
    assert 'href="/hub/hub-a/staff/"' in text and 'aria-current="page">Staff<' in text


def test_the_staff_list_asks_the_same_number_of_queries_for_twice_the_staff(admin, personas):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert admin.get(url("staff")).status_code == 200
        return len(queries)

    for _ in range(3):
        make_user(Role.FACILITATOR, cohort=make_cohort(personas.hub_a, personas.programme))
    before = count()
    for _ in range(6):
        make_user(Role.FACILITATOR, cohort=make_cohort(personas.hub_a, personas.programme))
        make_user(Role.ONE_TO_ONE_PROVIDER, hub=personas.hub_a)
    # The session, the user, their roles (the scope), the hub, every staff member's roles
    # with their cohorts in one query, and the session saved (three, with its savepoint).
    assert count() == before == 8


# --- inviting --------------------------------------------------------------------------------


def test_inviting_a_facilitator_makes_the_account_the_role_the_email_and_the_audit_events(
    admin, personas, django_capture_on_commit_callbacks
):
    response = invite(admin, django_capture_on_commit_callbacks, cohorts=[personas.cohort_a2.pk])
    nadia = User.objects.get(email="nadia@example.org")
    assert response.status_code == 302
    assert response["Location"] == url("staff-member", pk=nadia.pk)
    assert nadia.name == "Nadia Newcomer" and not nadia.has_usable_password()
    (role,) = RoleAssignment.objects.filter(user=nadia)
    assert (role.role, role.hub, role.cohort) == (
        Role.FACILITATOR,
        personas.hub_a,
        personas.cohort_a2,
    )

    (message,) = mail.outbox
    assert message.to == ["nadia@example.org"]
    assert message.subject == f"Set up your Peer Networks account – {personas.hub_a.name}"
    assert f"facilitator of {personas.cohort_a2.name}" in message.body
    assert "The link works once, for 3 days." in message.body
    assert link_in(message).startswith("/account/activate/")

    events = AuditEvent.objects.filter(actor=personas.hub_a_admin).order_by("pk")
    assert [(e.action, e.object_type, e.hub_id, e.summary) for e in events] == [
        ("create", "peernet.user", personas.hub_a.pk, "Staff account created by invitation"),
        ("create", "peernet.roleassignment", personas.hub_a.pk, "Role given: Facilitator"),
    ]
    assert events[1].after == {
        "user": nadia.pk,
        "role": "facilitator",
        "cohort": personas.cohort_a2.pk,
    }

    page = admin.get(response["Location"])
    assert (
        f"An invitation was sent to nadia@example.org, as facilitator of {personas.cohort_a2.name}."
        in page.content.decode()
    )
    assert "Invited: they have not set a password yet" in page.content.decode()
    listed = admin.get(url("staff")).content.decode()
    assert "Nadia Newcomer" in listed and ">Invited<" in listed


@pytest.mark.parametrize("role", ["hub_admin", "one_to_one_provider"])
def test_a_hub_administrator_or_a_provider_is_invited_for_the_whole_hub(
    admin, personas, django_capture_on_commit_callbacks, role
):
    assert invite(admin, django_capture_on_commit_callbacks, role=role).status_code == 302
    (assignment,) = RoleAssignment.objects.filter(user__email="nadia@example.org")
    assert (assignment.role, assignment.hub, assignment.cohort) == (role, personas.hub_a, None)
    assert len(mail.outbox) == 1


def test_a_facilitator_invited_without_a_cohort_is_a_facilitator_of_the_hub(
    admin, personas, django_capture_on_commit_callbacks
):
    invite(admin, django_capture_on_commit_callbacks)
    (assignment,) = RoleAssignment.objects.filter(user__email="nadia@example.org")
    assert (assignment.role, assignment.cohort) == ("facilitator", None)
    assert "Facilitator: no cohort yet" in admin.get(url("staff")).content.decode()


def test_the_national_coordinator_invites_for_any_hub(
    client, personas, django_capture_on_commit_callbacks
):
    client.force_login(personas.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("staff-invite", hub="hub-b"),
            {"name": "Bo Bee", "email": "bo@example.org", "role": "hub_admin"},
        )
    assert response.status_code == 302
    assert RoleAssignment.objects.filter(
        user__email="bo@example.org", role=Role.HUB_ADMIN, hub=personas.hub_b
    ).exists()


def test_an_existing_account_gets_the_role_not_a_second_account(
    admin, personas, django_capture_on_commit_callbacks
):
    provider = personas.provider
    provider.set_password(PASSWORD)
    provider.save()
    users = User.objects.count()
    response = invite(
        admin,
        django_capture_on_commit_callbacks,
        name="Someone Else",
        email=f"  {provider.email.upper()} ",
        role="hub_admin",
    )
    assert response["Location"] == url("staff-member", pk=provider.pk)
    assert User.objects.count() == users
    provider.refresh_from_db()
    assert provider.name != "Someone Else"  # their own name stays
    assert set(
        RoleAssignment.objects.filter(user=provider, hub=personas.hub_a).values_list(
            "role", flat=True
        )
    ) == {Role.ONE_TO_ONE_PROVIDER, Role.HUB_ADMIN}
    (message,) = mail.outbox
    assert message.subject == f"A new role in {personas.hub_a.name}"
    assert f"a new role on Peer Networks: hub administrator in {personas.hub_a.name}." in (
        message.body
    )
    assert "/account/activate/" not in message.body and "/login/" in message.body
    page = admin.get(response["Location"]).content.decode()
    assert "already has an account: they were added as hub administrator" in page


# --- refusals, in GOV.UK's words --------------------------------------------------------------


def _nothing_made(personas: Personas) -> None:
    assert not User.objects.filter(email="nadia@example.org").exists()
    assert not mail.outbox
    assert not AuditEvent.objects.filter(object_type="peernet.roleassignment").exists()


@pytest.mark.parametrize(
    ("data", "message", "anchor"),
    [
        ({"email": "not-an-email"}, "Enter an email address in the correct format", "id_email"),
        ({"email": ""}, "Enter their email address", "id_email"),
        ({"name": ""}, "Enter their full name", "id_name"),
        ({"role": ""}, "Choose the role they will have", "id_role_1"),
        ({"role": "coordinator"}, "Choose the role they will have", "id_role_1"),
    ],
    ids=["bad-email", "no-email", "no-name", "no-role", "a-national-role"],
)
def test_a_wrong_answer_gets_an_error_summary_and_nothing_is_made(
    admin, personas, django_capture_on_commit_callbacks, data, message, anchor
):
    response = invite(admin, django_capture_on_commit_callbacks, **data)
    assert response.status_code == 200
    text = response.content.decode()
    assert "<title>Error: " in text and "There is a problem" in text
    assert re.search(rf'<a href="#{anchor}">{re.escape(message)}', text), text
    _nothing_made(personas)


@pytest.mark.parametrize("cohort", ["cohort_b", "cohort_a"], ids=["another-hub", "facilitated"])
def test_a_cohort_of_another_hub_or_with_a_facilitator_is_refused_by_id(
    admin, personas, django_capture_on_commit_callbacks, cohort
):
    # docs/security.md §4: the ids are not choices on the page, and a post of one is refused.
    chosen = getattr(personas, cohort)
    page = admin.get(url("staff-invite")).content.decode()
    assert f'value="{chosen.pk}"' not in page and f'value="{personas.cohort_a2.pk}"' in page
    response = invite(admin, django_capture_on_commit_callbacks, cohorts=[chosen.pk])
    assert response.status_code == 200
    assert '<a href="#id_cohorts_1">Choose cohorts of this hub that have no facilitator' in (
        response.content.decode()
    )
    _nothing_made(personas)


def _invite_nadia(personas: Personas, role: str, cohorts: tuple | list = ()) -> None:
    """Hub A's admin invites Nadia Newcomer through the service, as the form would."""
    staff.staff_invite(
        hub=personas.hub_a,
        name="Nadia Newcomer",
        email="nadia@example.org",
        role=role,
        by=personas.hub_a_admin,
        cohorts=cohorts,
        absolute=lambda path: "https://example.org" + path,
    )


def test_the_service_refuses_another_hub_s_cohort_too(personas):
    with pytest.raises(ValidationError) as refused:
        _invite_nadia(personas, Role.FACILITATOR, cohorts=[personas.cohort_b])
    assert refused.value.message_dict == {
        "cohorts": [
            f"Choose cohorts of {personas.hub_a.name}: {personas.cohort_b} is not one of them"
        ]
    }
    _nothing_made(personas)


@pytest.mark.django_db(transaction=True)
def test_two_invitations_of_one_new_address_at_once_give_one_account(personas):
    """The first has made the account and not committed when the second asks: the
    second's insert waits on the unique email, then is refused with a form error, not a
    500 (PostgreSQL, two connections)."""
    outcome: dict[str, object] = {}

    def second() -> None:
        try:
            _invite_nadia(personas, Role.ONE_TO_ONE_PROVIDER)
            outcome["second"] = "invited"
        except ValidationError as exc:
            outcome["second"] = exc.message_dict
        finally:
            connection.close()

    # The thread runs in a copy of this context: the same hub scope as the test.
    thread = threading.Thread(target=contextvars.copy_context().run, args=(second,))
    with transaction.atomic():
        _invite_nadia(personas, Role.HUB_ADMIN)
        thread.start()
        time.sleep(1)
        assert thread.is_alive(), "the second invitation should wait for the first"
    thread.join(timeout=30)
    assert outcome["second"] == {
        "email": ["nadia@example.org was invited by someone else a moment ago: see the hub's staff"]
    }
    nadia = User.objects.get(email="nadia@example.org")
    assert list(RoleAssignment.objects.filter(user=nadia).values_list("role", flat=True)) == [
        Role.HUB_ADMIN
    ]


def test_cohorts_are_only_for_a_facilitator(admin, personas, django_capture_on_commit_callbacks):
    response = invite(
        admin, django_capture_on_commit_callbacks, role="hub_admin", cohorts=[personas.cohort_a2.pk]
    )
    assert "Choose cohorts only for a facilitator" in response.content.decode()
    _nothing_made(personas)


def test_someone_who_already_has_the_role_is_told_so(
    admin, personas, django_capture_on_commit_callbacks
):
    response = invite(
        admin,
        django_capture_on_commit_callbacks,
        email=personas.facilitator.email,
        cohorts=[personas.cohort_a2.pk],
    )
    text = response.content.decode()
    assert (
        f"{personas.facilitator} is already a facilitator of {personas.hub_a.name}: give them "
        "another cohort on their page"
    ) in text
    assert not RoleAssignment.objects.filter(cohort=personas.cohort_a2).exists()
    assert not mail.outbox


def test_a_deactivated_account_is_not_given_a_role(
    admin, personas, django_capture_on_commit_callbacks
):
    personas.hub_b_admin.is_active = False
    personas.hub_b_admin.save()
    response = invite(admin, django_capture_on_commit_callbacks, email=personas.hub_b_admin.email)
    assert "is deactivated: ask the national coordinator to reactivate it" in (
        response.content.decode()
    )
    assert not RoleAssignment.objects.filter(user=personas.hub_b_admin, hub=personas.hub_a).exists()


# --- another hub's administrator, and people of another hub -------------------------------------


def _staff_pages(personas: Personas) -> list[tuple[str, tuple[str, ...]]]:
    """(URL, the methods it answers) of every staff page, about hub A's facilitator."""
    role = RoleAssignment.objects.get(user=personas.facilitator, cohort=personas.cohort_a)
    person = personas.facilitator.pk
    return [
        (url("staff"), ("get",)),
        (url("staff-invite"), ("get", "post")),
        (url("staff-member", pk=person), ("get", "post")),
        (url("staff-role-remove", pk=person, assignment=role.pk), ("get", "post")),
        (url("staff-invitation-resend", pk=person), ("post",)),
    ]


def test_another_hub_s_administrator_gets_a_404_on_every_staff_page(client, personas):
    client.force_login(personas.hub_b_admin)
    answers = {
        (page, method): getattr(client, method)(page, {"cohorts": [personas.cohort_a2.pk]})
        for page, methods in _staff_pages(personas)
        for method in methods
    }
    assert len(answers) == 8
    assert {key: r.status_code for key, r in answers.items() if r.status_code != 404} == {}
    # Nothing changed: the facilitator still has their cohort, and no other.
    assert list(
        RoleAssignment.objects.filter(user=personas.facilitator).values_list("cohort", flat=True)
    ) == [personas.cohort_a.pk]
    assert not AuditEvent.objects.exclude(action="login").exists()


def test_a_person_or_a_role_of_another_hub_is_a_404_in_this_hub(admin, personas):
    b_admin = personas.hub_b_admin
    b_role = RoleAssignment.objects.get(user=b_admin)
    assert admin.get(url("staff-member", pk=b_admin.pk)).status_code == 404
    assert admin.get(url("staff-invitation-resend", pk=b_admin.pk)).status_code == 405
    assert admin.post(url("staff-invitation-resend", pk=b_admin.pk)).status_code == 404
    # A role of hub B under a person of hub A, by id.
    mixed = url("staff-role-remove", pk=personas.facilitator.pk, assignment=b_role.pk)
    assert admin.post(mixed).status_code == 404
    assert RoleAssignment.objects.filter(pk=b_role.pk).exists()
    # A national role is not the hub's to show.
    assert admin.get(url("staff-member", pk=personas.coordinator.pk)).status_code == 404


# --- another cohort, removing a role -----------------------------------------------------------


def test_a_facilitator_is_given_another_cohort_and_can_open_its_sessions(
    admin, personas, django_capture_on_commit_callbacks
):
    session = make_session(personas.cohort_a2, "2021-10-05T09:30")
    page = reverse("facilitation:session", kwargs={"hub": "hub-a", "code": session.code})
    facilitator = Client()
    facilitator.force_login(personas.facilitator)
    assert facilitator.get(page).status_code == 404

    member = url("staff-member", pk=personas.facilitator.pk)
    response = admin.post(member, {"cohorts": [personas.cohort_a2.pk]})
    assert response.status_code == 302 and response["Location"] == member
    assert f"now facilitates {personas.cohort_a2.name}" in admin.get(member).content.decode()
    assert RoleAssignment.objects.filter(
        user=personas.facilitator, cohort=personas.cohort_a2, hub=personas.hub_a
    ).exists()
    event = AuditEvent.objects.get(object_type="peernet.roleassignment", action="create")
    assert event.actor == personas.hub_a_admin and event.after["cohort"] == personas.cohort_a2.pk
    assert facilitator.get(page).status_code == 200


def test_a_cohort_of_another_hub_cannot_be_given_by_id(admin, personas):
    member = url("staff-member", pk=personas.facilitator.pk)
    response = admin.post(member, {"cohorts": [personas.cohort_b.pk]})
    assert response.status_code == 200
    assert "Choose cohorts of this hub that have no facilitator" in response.content.decode()
    assert not RoleAssignment.objects.filter(cohort=personas.cohort_b).exists()


def test_removing_a_facilitator_from_the_cohort_stops_their_next_request(admin, personas):
    session = make_session(personas.cohort_a, "2021-10-05T09:30")
    page = reverse("facilitation:session", kwargs={"hub": "hub-a", "code": session.code})
    facilitator = Client()
    facilitator.force_login(personas.facilitator)
    assert facilitator.get(page).status_code == 200

    role = RoleAssignment.objects.get(user=personas.facilitator, cohort=personas.cohort_a)
    remove = url("staff-role-remove", pk=personas.facilitator.pk, assignment=role.pk)
    check = admin.get(remove).content.decode()
    assert (
        f"Remove {personas.facilitator.name} as facilitator of {personas.cohort_a.name}?" in check
    )
    response = admin.post(remove)
    assert response.status_code == 302 and response["Location"] == url("staff")
    assert "has no role in" in admin.get(url("staff")).content.decode()
    assert not RoleAssignment.objects.filter(pk=role.pk).exists()
    event = AuditEvent.objects.get(action="delete")
    assert (event.actor, event.hub_id, event.object_id) == (
        personas.hub_a_admin,
        personas.hub_a.pk,
        str(role.pk),
    )
    assert event.before == {
        "user": personas.facilitator.pk,
        "role": "facilitator",
        "cohort": personas.cohort_a.pk,
    }

    assert facilitator.get(page).status_code == 404


def test_a_provider_s_removal_warns_of_their_participants(admin, personas):
    role = RoleAssignment.objects.get(user=personas.provider)
    page = admin.get(url("staff-role-remove", pk=personas.provider.pk, assignment=role.pk))
    assert "They are the one-to-one provider of 1 participant" in page.content.decode()


def test_an_administrator_cannot_remove_their_own_role(admin, personas):
    role = RoleAssignment.objects.get(user=personas.hub_a_admin)
    remove = url("staff-role-remove", pk=personas.hub_a_admin.pk, assignment=role.pk)
    page = admin.get(remove).content.decode()
    assert "You cannot remove your own hub administrator role" in page
    assert "Remove the role</button>" not in page
    response = admin.post(remove)
    assert response.status_code == 200
    assert RoleAssignment.objects.filter(pk=role.pk).exists()


# --- sending the invitation again ----------------------------------------------------------------


def test_an_invitation_is_sent_again_with_a_new_link(
    admin, personas, django_capture_on_commit_callbacks
):
    invite(admin, django_capture_on_commit_callbacks)
    nadia = User.objects.get(email="nadia@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(url("staff-invitation-resend", pk=nadia.pk))
    assert response.status_code == 302
    assert len(mail.outbox) == 2 and link_in(mail.outbox[1]).startswith("/account/activate/")
    assert AuditEvent.objects.filter(summary="Staff invitation sent again").count() == 1


def test_no_invitation_for_someone_who_has_a_password(admin, personas):
    personas.facilitator.set_password(PASSWORD)
    personas.facilitator.save()
    response = admin.post(url("staff-invitation-resend", pk=personas.facilitator.pk), follow=True)
    assert "has already set a password" in response.content.decode()
    assert not mail.outbox


# --- the activation link -------------------------------------------------------------------------


@pytest.fixture
def invited(admin, personas, django_capture_on_commit_callbacks) -> tuple[User, str]:
    invite(admin, django_capture_on_commit_callbacks, cohorts=[personas.cohort_a2.pk])
    (message,) = mail.outbox
    return User.objects.get(email="nadia@example.org"), link_in(message)


def test_the_activation_link_sets_a_password_then_asks_for_the_second_factor(personas, invited):
    nadia, link = invited
    browser = Client()
    landing = browser.get(link)
    # The token leaves the URL at once (Django's PasswordResetConfirmView).
    assert landing.status_code == 302
    set_password = landing["Location"]
    assert set_password.endswith("/set-password/") and link.split("/")[-2] not in set_password
    form = browser.get(set_password)
    assert "Choose a password" in form.content.decode() and nadia.email in form.content.decode()

    done = browser.post(set_password, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert done.status_code == 302 and done["Location"] == reverse("account:two-factor-set-up")
    nadia.refresh_from_db()
    assert nadia.check_password(PASSWORD)
    assert AuditEvent.objects.filter(
        actor=nadia, summary="Password set from an invitation"
    ).exists()
    # Signed in with the password only: the areas wait for the authenticator app.
    assert DEVICE_ID_SESSION_KEY not in browser.session
    home = browser.get(reverse("facilitation:home"))
    assert home.status_code == 302 and home["Location"].startswith(
        reverse("account:two-factor-set-up")
    )
    assert browser.get(reverse("account:two-factor-set-up")).status_code == 200
    device = TOTPDevice.objects.get(user=nadia, confirmed=False)
    codes = browser.post(reverse("account:two-factor-set-up"), {"code": totp_now(device)})
    assert "Your authenticator app is set up" in codes.content.decode()
    assert browser.get(reverse("facilitation:home")).status_code == 200


def test_the_activation_link_works_once(personas, invited):
    nadia, link = invited
    browser = Client()
    set_password = browser.get(link)["Location"]
    browser.post(set_password, {"new_password1": PASSWORD, "new_password2": PASSWORD})

    again = Client().get(link)
    assert again.status_code == 200
    assert "This link does not work" in again.content.decode()
    assert "<form" not in again.content.decode().split("</header>")[1]


def test_the_activation_link_expires(personas, invited, settings):
    _, link = invited
    assert settings.INVITATION_TIMEOUT == 3 * 24 * 60 * 60
    with time_machine.travel(dt.timedelta(days=3, minutes=1)):
        expired = Client().get(link)
    assert "This link does not work" in expired.content.decode()
    with time_machine.travel(dt.timedelta(days=2, hours=23)):
        assert Client().get(link).status_code == 302


def test_the_activation_link_refuses_a_weak_password(personas, invited):
    nadia, link = invited
    browser = Client()
    set_password = browser.get(link)["Location"]
    refused = browser.post(set_password, {"new_password1": "nadia123", "new_password2": "nadia123"})
    text = refused.content.decode()
    assert refused.status_code == 200 and "<title>Error: " in text
    assert "This password is too short. It must contain at least 12 characters." in text
    nadia.refresh_from_db()
    assert not nadia.has_usable_password()
    assert browser.session.get(INTERNAL_RESET_SESSION_TOKEN)  # the link still works


def test_a_reset_link_is_not_an_activation_link(personas, invited):
    # Each has its own salt: one token never opens the other page.
    nadia, link = invited
    token = link.rstrip("/").split("/")[-1]
    uid = link.rstrip("/").split("/")[-2]
    page = Client().get(
        reverse("account:password-reset-confirm", kwargs={"uidb64": uid, "token": token})
    )
    assert "This link does not work" in page.content.decode()


def test_a_deactivated_person_s_link_does_not_work(personas, invited):
    nadia, link = invited
    nadia.is_active = False
    nadia.save()
    assert "This link does not work" in Client().get(link).content.decode()


# --- "Forgot your password?" ---------------------------------------------------------------------


@pytest.fixture
def signed_up(personas: Personas) -> User:
    user = personas.hub_a_admin
    user.set_password(PASSWORD)
    user.save()
    make_totp_device(user)
    return user


def _ask_for_a_link(client: Client, email: str):
    return client.post(reverse("account:password-reset"), {"email": email})


def test_password_reset_end_to_end_still_needs_the_second_factor(client, signed_up):
    sign_in = client.get(reverse("login")).content.decode()
    assert f'href="{reverse("account:password-reset")}">Forgot your password?</a>' in sign_in

    response = _ask_for_a_link(client, signed_up.email.upper())
    assert response.status_code == 302
    assert response["Location"] == reverse("account:password-reset-sent")
    assert (
        "If the address you entered has an account"
        in client.get(response["Location"]).content.decode()
    )
    (message,) = mail.outbox
    assert (
        message.to == [signed_up.email] and message.subject == "Reset your Peer Networks password"
    )
    assert "The link works once, for 1 hour." in message.body
    link = link_in(message)
    assert link.startswith("/account/reset/")

    browser = Client()
    set_password = browser.get(link)["Location"]
    assert set_password.endswith("/set-password/")
    mismatch = browser.post(
        set_password, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD + "x"}
    )
    assert "The new passwords do not match" in mismatch.content.decode()
    done = browser.post(
        set_password, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done["Location"] == reverse("account:password-reset-complete")
    assert "Your password has been changed" in browser.get(done["Location"]).content.decode()
    assert "_auth_user_id" not in browser.session  # not signed in by the link
    assert AuditEvent.objects.filter(actor=signed_up, summary="Password reset by email").exists()

    # The old password no longer works; the new one leads to the second factor.
    old = Client().post(reverse("login"), {"username": signed_up.email, "password": PASSWORD})
    assert old.status_code == 200
    signing_in = Client()
    signed = signing_in.post(
        reverse("login"), {"username": signed_up.email, "password": NEW_PASSWORD}
    )
    assert signed.status_code == 302
    hub_home = signing_in.get(url("home"))
    assert hub_home.status_code == 302
    assert hub_home["Location"].startswith(reverse("account:two-factor"))

    # The link worked once.
    assert "This link does not work" in Client().get(link).content.decode()


def test_an_unknown_address_reads_the_same_and_gets_no_email(client, signed_up):
    known = _ask_for_a_link(client, signed_up.email)
    unknown = _ask_for_a_link(client, "nobody@example.org")
    assert known["Location"] == unknown["Location"] == reverse("account:password-reset-sent")
    assert [m.to for m in mail.outbox] == [[signed_up.email]]


def test_no_reset_email_for_a_deactivated_account_or_one_not_yet_set_up(client, personas):
    personas.hub_b_admin.is_active = False
    personas.hub_b_admin.set_password(PASSWORD)
    personas.hub_b_admin.save()
    for person in (personas.hub_b_admin, personas.provider):  # the provider has no password
        assert _ask_for_a_link(client, person.email).status_code == 302
    assert not mail.outbox


def test_an_address_gets_three_reset_emails_an_hour_at_most(client, signed_up):
    for _ in range(5):
        assert _ask_for_a_link(client, signed_up.email).status_code == 302
    assert len(mail.outbox) == 3


def test_the_reset_form_speaks_govuk(client, signed_up):
    response = _ask_for_a_link(client, "not an email")
    text = response.content.decode()
    assert response.status_code == 200 and "<title>Error: " in text
    assert '<a href="#id_email">Enter an email address in the correct format' in text


def test_the_reset_link_expires_after_an_hour(client, signed_up, settings):
    assert settings.PASSWORD_RESET_TIMEOUT == 60 * 60
    _ask_for_a_link(client, signed_up.email)
    link = link_in(mail.outbox[0])
    with time_machine.travel(dt.timedelta(minutes=61)):
        assert "This link does not work" in Client().get(link).content.decode()
    with time_machine.travel(dt.timedelta(minutes=59)):
        assert Client().get(link).status_code == 302


def test_the_lifetimes_in_words():
    assert staff.lifetime_words(3 * 24 * 60 * 60) == "3 days"
    assert staff.lifetime_words(60 * 60) == "1 hour"
    assert staff.lifetime_words(90 * 60) == "90 minutes"
    assert staff.lifetime_words(30) == "1 minute"


def test_a_password_longer_than_zxcvbn_judges_is_accepted(personas, invited):
    # zxcvbn refuses more than 72 characters (peernet.passwords judges the first 72).
    nadia, link = invited
    long_password = "copper kettle meadow " * 5
    browser = Client()
    set_password = browser.get(link)["Location"]
    done = browser.post(
        set_password, {"new_password1": long_password, "new_password2": long_password}
    )
    assert done.status_code == 302
    nadia.refresh_from_db()
    assert nadia.check_password(long_password)
