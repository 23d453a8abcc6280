"""Personal API tokens (docs/api.md "Authentication"): made, listed and revoked on the
account page, shown once, stored hashed; a token acts as its user, and stops at once
when revoked, expired or its user deactivated; every call is audited; each token is
rate limited."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
import time_machine
from django.urls import reverse

from api.models import ApiToken
from api.tokens import api_token_create
from peernet.calendar import LONDON
from peernet.models import AuditEvent
from tests.factories import Personas, make_api_token

pytestmark = pytest.mark.django_db

TIMELINESS = "/api/v1/timeliness/"


def call(client, header: str | None, url: str = TIMELINESS):
    extra = {"HTTP_AUTHORIZATION": header} if header is not None else {}
    return client.get(url, **extra)


# --- the account page -----------------------------------------------------------------


def test_a_token_is_made_on_the_account_page_shown_once_and_stored_hashed(client, personas):
    client.force_login(personas.funder)
    made = client.post(reverse("account:api-tokens"), {"name": "Power BI"})
    # Made, then the page: a reload shows nothing again and makes no second token.
    assert made.status_code == 302 and made["Location"] == reverse("account:api-tokens")
    page = client.get(made["Location"])
    (token,) = ApiToken.objects.filter(user=personas.funder)
    secret = page.context["secret"]
    assert secret.startswith("pn_") and len(secret) == 46
    assert secret in page.text
    assert token.name == "Power BI" and token.expires_on is None
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(ApiToken.objects.filter(pk=token.pk).values().get())
    # The form asks both questions.
    assert 'name="name"' in page.text and 'name="expires_on_0"' in page.text
    # Listed afterwards by name and its first characters, the secret never again.
    again = client.get(reverse("account:api-tokens"))
    assert "Power BI" in again.text and token.prefix in again.text
    assert secret not in again.text
    assert ApiToken.objects.count() == 1
    assert AuditEvent.objects.filter(object_type="api.apitoken", action="create").count() == 1
    # And it works.
    assert call(client, f"Bearer {secret}").status_code == 200


def test_the_form_says_what_is_wrong_and_makes_nothing(client, personas):
    client.force_login(personas.funder)
    page = client.post(
        reverse("account:api-tokens"),
        {"name": "", "expires_on_0": "1", "expires_on_1": "1", "expires_on_2": "2020"},
    )
    assert page.status_code == 400
    assert "Enter a name for the token" in page.text
    assert "The last day it works must be today or in the future" in page.text
    assert not ApiToken.objects.exists()


def test_revoking_stops_the_token_at_once(client, personas):
    header = make_api_token(personas.funder)
    assert call(client, header).status_code == 200
    client.force_login(personas.funder)
    token = ApiToken.objects.get()
    response = client.post(reverse("account:api-token-revoke", kwargs={"pk": token.pk}))
    assert response.status_code == 302
    client.logout()
    refused = call(client, header)
    assert refused.status_code == 401
    assert refused.json()["detail"].startswith("This API token was revoked on ")
    assert "Revoked" in _page_as(client, personas.funder).text


def _page_as(client, user):
    client.force_login(user)
    return client.get(reverse("account:api-tokens"))


def test_no_one_revokes_anothers_token(client, personas):
    make_api_token(personas.funder)
    token = ApiToken.objects.get()
    client.force_login(personas.evaluator)
    response = client.post(reverse("account:api-token-revoke", kwargs={"pk": token.pk}))
    assert response.status_code == 404
    assert ApiToken.objects.get().revoked_at is None
    assert "Test token" not in client.get(reverse("account:api-tokens")).text


# --- using a token ----------------------------------------------------------------------


def test_no_token_is_a_401_that_says_how_to_send_one(client, personas):
    response = call(client, None)
    assert response.status_code == 401
    assert response.json() == {
        "detail": "Send your API token as 'Authorization: Bearer <token>' "
        "(make one at /account/api-tokens/)."
    }


@pytest.mark.parametrize(
    ("header", "detail"),
    [
        ("Bearer pn_not-a-token-anyone-made", "The API token is not recognised"),
        ("Bearer something-else", "The API token is not recognised"),
        ("Token pn_abc", "Send the token as 'Authorization: Bearer <token>'."),
        ("Bearer ", "Send the token as 'Authorization: Bearer <token>'."),
    ],
)
def test_a_wrong_token_is_a_401_with_a_clear_message(client, personas, header, detail):
    response = call(client, header)
    assert response.status_code == 401
    assert response.json()["detail"].startswith(detail)
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_a_token_works_to_its_last_day_in_london_and_not_after(client, personas):
    header = make_api_token(personas.funder, expires_on=dt.date(2026, 3, 31))
    with time_machine.travel(dt.datetime(2026, 3, 31, 23, 59, tzinfo=LONDON), tick=False):
        assert call(client, header).status_code == 200
    with time_machine.travel(dt.datetime(2026, 4, 1, 0, 0, 1, tzinfo=LONDON), tick=False):
        response = call(client, header)
    assert response.status_code == 401
    assert response.json()["detail"].startswith(
        "This API token expired at the end of 31 March 2026"
    )


def test_a_deactivated_users_token_stops_at_once(client, personas):
    header = make_api_token(personas.funder)
    assert call(client, header).status_code == 200
    personas.funder.is_active = False
    personas.funder.save(update_fields=["is_active"])
    response = call(client, header)
    assert response.status_code == 401
    assert response.json()["detail"] == "The account this API token belongs to is no longer active."


def test_a_token_acts_as_its_user_with_exactly_their_access(client, personas):
    # The timeliness endpoint is the national roles': a hub administrator's token gets
    # the 404 their pages give.
    assert call(client, make_api_token(personas.funder)).status_code == 200
    assert call(client, make_api_token(personas.hub_a_admin)).status_code == 404


def test_a_token_opens_no_page(client, personas):
    # Only /api/ reads a token: every page still needs a session with its second factor.
    header = make_api_token(personas.coordinator)
    response = client.get("/national/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_every_call_is_audited_and_the_last_use_noted(client, personas):
    header = make_api_token(personas.funder)
    call(client, header)
    call(client, header, "/api/v1/returns/?month=2021-13")
    token = ApiToken.objects.get()
    assert token.last_used_at is not None
    events = AuditEvent.objects.filter(object_type="api.call").order_by("pk")
    assert [(e.actor_id, e.action, e.object_id) for e in events] == [
        (personas.funder.pk, "view", str(token.pk)),
        (personas.funder.pk, "view", str(token.pk)),
    ]
    assert events[0].summary == f"API GET /api/v1/timeliness/ (200) with token {token.prefix}…"
    assert events[1].summary.startswith("API GET /api/v1/returns/ (400)")


def test_each_token_is_rate_limited(client, personas, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 3
    header = make_api_token(personas.funder)
    other = make_api_token(personas.evaluator)
    assert [call(client, header).status_code for _ in range(3)] == [200, 200, 200]
    refused = call(client, header)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    assert refused.json()["detail"] == (
        "Too many calls with this token: at most 3 a minute. Wait a minute."
    )
    assert call(client, other).status_code == 200  # per token, not per address


def test_the_secret_is_random_and_only_its_digest_is_kept(personas: Personas):
    first, one = api_token_create(user=personas.funder, name="a")
    second, two = api_token_create(user=personas.funder, name="b")
    assert one != two and first.digest != second.digest
    assert one not in (first.digest, first.prefix) and first.prefix == one[:10]
