"""The pages without a login (/p/..., the `public` namespace): the public registration form
and the pages behind participants' emailed links (docs/security.md §1, §14). Nobody is sent to
sign in, and the answer does not depend on who is signed in: a member of staff of any
hub, or anyone signed out, gets exactly what the link or the form gives everyone. What a
link opens is decided by its signed token alone (tests/participants/ for each kind).

The pages are found by walking the URL resolver, so a new page fails here until it is
added to KWARGS below.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.cache import cache
from django.urls import reverse

from participants.services import participant_charter_link_issue
from tests.factories import Personas
from tests.pages import ROLES, area_page_names

pytestmark = pytest.mark.django_db

# A token nobody signed: each link page must refuse it with its own page, not a crash.
FORGED = "eyJwIjoiMSJ9:1abcde:forged-signature"


def _hub(p: Personas) -> dict:
    return {"hub": p.hub_a.key}


# name -> (the URL's arguments, the status everyone gets on a plain visit, with no link
# token in the session: the link pages then explain that the link does not work).
KWARGS: dict[str, tuple[Callable[[Personas], dict], int]] = {
    "register": (_hub, 200),
    "register-details": (_hub, 302),  # the privacy notice comes first (C2)
    "register-check": (_hub, 302),  # no answers kept: back to the start page
    "register-done": (_hub, 302),  # only straight after registering
    "charter": (
        lambda p: {"token": participant_charter_link_issue(participant=p.participant_a)},
        302,
    ),
    "charter-sign": (lambda p: {}, 400),
    "charter-signed": (lambda p: {}, 200),
    "action-card": (lambda p: {"token": FORGED}, 302),  # the token moves to the session
    "action-card-edit": (lambda p: {}, 400),
    "survey-link": (lambda p: {"token": FORGED}, 302),
    "survey": (lambda p: {}, 400),
    "survey-page": (lambda p: {"number": 1}, 400),
    "survey-check": (lambda p: {}, 400),
    "survey-done": (lambda p: {}, 400),  # only straight after submitting
    # After the programme (alumni/): a member's continuing group, the business support.
    "group-link": (lambda p: {"token": FORGED}, 302),
    "group": (lambda p: {}, 400),
    "group-meeting-card": (lambda p: {"pk": 1}, 400),  # the group's link, as its page
    "support-link": (lambda p: {"token": FORGED}, 302),
    "support": (lambda p: {}, 400),
    "support-done": (lambda p: {}, 400),  # only straight after answering
    "event-link": (lambda p: {"token": FORGED}, 302),
    "event": (lambda p: {}, 400),
}
COVERED = frozenset(KWARGS)


def test_every_public_page_is_covered():
    missing = sorted(set(area_page_names("public", "p/")) - set(KWARGS))
    assert not missing, f"Add these public pages to KWARGS in this file: {missing}"


NAMES = sorted(set(area_page_names("public", "p/")) & set(KWARGS))


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()  # the registration form's rate limit
    yield
    cache.clear()


def _visit(client, personas: Personas, name: str):
    kwargs, _ = KWARGS[name]
    return client.get(reverse(f"public:{name}", kwargs=kwargs(personas)))


@pytest.mark.parametrize("name", NAMES)
def test_anyone_signed_out_gets_the_page_without_signing_in(client, personas, name):
    response = _visit(client, personas, name)
    assert response.status_code == KWARGS[name][1]
    if response.status_code == 302:
        assert not response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", NAMES)
def test_every_role_gets_the_same_answer_as_everyone(client, personas, name, role):
    client.force_login(getattr(personas, role))
    response = _visit(client, personas, name)
    assert response.status_code == KWARGS[name][1]
    if response.status_code == 302:
        assert not response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", [None, *ROLES])
def test_a_valid_charter_link_opens_for_whoever_holds_it(client, personas, role):
    # The token decides what opens, never the session's user (docs/security.md §14).
    if role:
        client.force_login(getattr(personas, role))
    token = participant_charter_link_issue(participant=personas.participant_a)
    landing = client.get(reverse("public:charter", kwargs={"token": token}))
    assert landing["Location"] == reverse("public:charter-sign")
    page = client.get(landing["Location"])
    assert page.status_code == 200
    assert personas.participant_a.first_name in page.text


@pytest.mark.parametrize(
    "name",
    ["charter", "action-card", "survey-link", "group-link", "support-link", "event-link"],
)
def test_a_link_landing_leaves_no_token_in_the_url(client, personas, name):
    response = _visit(client, personas, name)
    assert response.status_code == 302
    assert "/p/" in response["Location"]
    assert KWARGS[name][0](personas)["token"] not in response["Location"]
    assert response["Referrer-Policy"] == "no-referrer"
