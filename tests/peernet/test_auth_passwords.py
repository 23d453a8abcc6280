"""Passwords (docs/security.md §13): at least 12 characters; common, guessable (repeats,
sequences, dressed-up breached passwords), all-digit and name-like ones refused; no
composition rules; changed on /account/password/."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from peernet.models import User

pytestmark = pytest.mark.django_db

CURRENT = "mellow-harbour-lantern-42"


@pytest.fixture
def user(personas):
    user = personas.hub_a_admin
    user.name = "Priya Chaudhary"
    user.set_password(CURRENT)
    user.save()
    return user


def change(client, user, new: str, *, current: str = CURRENT, confirm: str | None = None):
    client.force_login(user)
    return client.post(
        reverse("account:password-change"),
        {"old_password": current, "new_password1": new, "new_password2": confirm or new},
    )


def test_the_validators_are_length_common_similarity_numeric_and_guessable_only():
    names = [v["NAME"].rsplit(".", 1)[1] for v in settings.AUTH_PASSWORD_VALIDATORS]
    assert names == [
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "UserAttributeSimilarityValidator",
        "NumericPasswordValidator",
        "GuessablePasswordValidator",
    ]
    assert settings.AUTH_PASSWORD_VALIDATORS[0]["OPTIONS"] == {"min_length": 12}


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("lantern-bay", "This password is too short. It must contain at least 12 characters."),
        ("password1234", "This password is too common."),
        ("1q2w3e4r5t6y", "This password is too common."),
        ("485729163047", "This password is entirely numeric."),
        ("priyachaudhary", "The password is too similar to the name."),
    ],
    ids=["11-characters", "common", "common-keyboard", "numeric", "like-the-name"],
)
def test_a_weak_password_is_refused_and_nothing_changes(client, user, password, message):
    response = change(client, user, password)
    assert response.status_code == 200
    assert message in response.text
    assert "govuk-error-summary" in response.text
    user.refresh_from_db()
    assert user.check_password(CURRENT)


# The probe's passwords, each accepted before zxcvbn judged them (docs/security.md §13).
@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("Password123!", "This is similar to a commonly used password."),
        ("Welcome12345", "This is similar to a commonly used password."),
        ("Passw0rd2024!", "This is similar to a commonly used password."),
        ("aaaaaaaaaaaa", "Repeats like &quot;aaa&quot; are easy to guess."),
        ("abcdefghijkl", "Sequences like &quot;abc&quot; or &quot;6543&quot; are easy to guess."),
        ("qwertyuiop12", "This is similar to a commonly used password."),
    ],
)
def test_a_guessable_password_is_refused_with_its_reason(client, user, password, reason):
    response = change(client, user, password)
    assert response.status_code == 200
    assert "This password is too easy to guess." in response.text
    assert reason in response.text
    user.refresh_from_db()
    assert user.check_password(CURRENT)


def test_the_guess_check_reads_the_user_s_own_name_and_email():
    # Strong for a stranger, weak for Priya: her name and email are its first guesses.
    person = User(email="priya.chaudhary@example.org", name="Priya Chaudhary")
    validate_password("chaudharypriya", User(email="x@example.org", name="Sam Okafor"))
    with pytest.raises(ValidationError, match="too easy to guess|too similar"):
        validate_password("chaudharypriya", person)


@pytest.mark.parametrize(
    "password",
    [
        "lantern-bays",  # exactly 12 characters
        "quiet meadow copper kettle",  # words and spaces: no composition rules
        "alllowercaseletters",
        "ALLUPPERCASELETTERS",
    ],
)
def test_a_long_password_of_any_make_up_is_accepted(client, user, password):
    response = change(client, user, password)
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(password)


def test_the_current_password_must_be_right(client, user):
    response = change(client, user, "quiet meadow copper kettle", current="not-my-password")
    assert response.status_code == 200
    assert "Your current password is not correct" in response.text
    user.refresh_from_db()
    assert user.check_password(CURRENT)


def test_the_two_new_passwords_must_match(client, user):
    response = change(client, user, "quiet meadow copper kettle", confirm="quiet meadow kettle")
    assert "The new passwords do not match" in response.text
    user.refresh_from_db()
    assert user.check_password(CURRENT)


def test_empty_fields_get_govuk_messages(client, user):
    client.force_login(user)
    response = client.post(reverse("account:password-change"), {})
    for message in ("Enter your current password", "Enter a new password"):
        assert message in response.text


def test_the_same_rules_apply_outside_the_page():
    person = User(email="sam.okafor@example.org", name="Sam Okafor")
    with pytest.raises(ValidationError):
        validate_password("samokafor123", person)
    validate_password("lantern-bays", person)
