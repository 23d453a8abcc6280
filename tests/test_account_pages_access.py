"""The top-level pages (home, signing in and out, /health/, the scenario schema) and the
account pages (/account/..., the `account` namespace): who gets what (docs/security.md §1, §11).

Three kinds of visitor: anyone signed out; every role with a verified session
(force_login, tests/conftest.py); and someone who has given only their password, whose
session opens nothing but the second-factor pages, signing out and the pages that need
no login.

The pages are found by walking the URL resolver, so a new page fails here until it is
added to TOP_LEVEL or ACCOUNT below.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, get_resolver, reverse

from tests.factories import Personas
from tests.pages import ROLES, area_page_names

pytestmark = pytest.mark.django_db

PASSWORD = "mellow-harbour-lantern-42"
LOGIN, SET_UP = "/login/", "/account/two-factor/set-up/"

# Each role's home: its area (peernet.views.AREA_URL_NAMES).
AREAS = {
    "coordinator": "/national/",
    "funder": "/national/",
    "evaluator": "/national/",
    "hub_a_admin": "/hub/hub-a/",
    "hub_b_admin": "/hub/hub-b/",
    "facilitator": "/facilitation/",
    "provider": "/one-to-one/",
}

# name -> (method, signed out, verified role, password only). An answer is a status, or
# (302, where the Location starts); "AREA" is the role's own area.
TOP_LEVEL: dict[str, tuple[str, object, object, object]] = {
    "home": ("get", (302, LOGIN), (302, "AREA"), (302, SET_UP)),
    "login": ("get", 200, (302, "/"), (302, SET_UP)),
    "logout": ("post", (302, LOGIN), (302, LOGIN), (302, LOGIN)),
    "health": ("get", 200, 200, 200),
    "scenario-schema": ("get", 200, 200, 200),
    # A calendar feed's secret link (docs/cockpit.md): no sign-in; a link that does not
    # work is a 404 (tests/sessions/test_calendar_feeds.py has the rest).
    "calendar-feed": ("get", 404, 404, (302, SET_UP)),
}
ACCOUNT: dict[str, tuple[str, object, object, object]] = {
    "two-factor": ("get", (302, LOGIN), (302, "/"), (302, SET_UP)),
    "two-factor-set-up": ("get", (302, LOGIN), (302, "/"), 200),
    "password-change": ("get", (302, LOGIN), 200, (302, SET_UP)),
    # Personal API tokens (docs/api.md): each user's own; another's (or none) is a 404.
    "api-tokens": ("get", (302, LOGIN), 200, (302, SET_UP)),
    "api-token-revoke": ("post", (302, LOGIN), 404, (302, SET_UP)),
    # Setting a password through an emailed link needs no login, and is no way round the
    # second factor (tests/peernet/test_staff.py); a link that does not work says so.
    "password-reset": ("get", 200, 200, 200),
    "password-reset-sent": ("get", 200, 200, 200),
    "password-reset-confirm": ("get", 200, 200, 200),
    "password-reset-complete": ("get", 200, 200, 200),
    "activate": ("get", 200, 200, 200),
}
# The arguments of the pages whose URL needs them: a link whose token does not work.
URL_KWARGS: dict[str, dict[str, str]] = {
    "calendar-feed": {"token": "not-a-feed:1abc:xyz"},
    "account:api-token-revoke": {"pk": "999999"},
    "account:password-reset-confirm": {"uidb64": "MQ", "token": "cfg7h2-0123456789abcdef"},
    "account:activate": {"uidb64": "MQ", "token": "cfg7h2-0123456789abcdef"},
}
COVERED = frozenset(TOP_LEVEL) | frozenset(f"account:{name}" for name in ACCOUNT)


def _top_level_names() -> list[str]:
    names = []
    for pattern in get_resolver().url_patterns:
        if isinstance(pattern, URLPattern):
            assert pattern.name, f"{pattern.pattern} has no name"
            names.append(pattern.name)
    return sorted(names)


def _account_names() -> list[str]:
    return area_page_names("account", "account/")


def test_every_top_level_and_account_page_is_covered():
    missing = sorted(set(_top_level_names()) - set(TOP_LEVEL))
    missing += sorted(f"account:{n}" for n in set(_account_names()) - set(ACCOUNT))
    assert not missing, f"Add these pages to TOP_LEVEL or ACCOUNT in this file: {missing}"


PAGES = sorted(
    [(name, TOP_LEVEL[name]) for name in set(_top_level_names()) & set(TOP_LEVEL)]
    + [(f"account:{name}", ACCOUNT[name]) for name in set(_account_names()) & set(ACCOUNT)]
)
IDS = [name for name, _ in PAGES]


def _check(response, expected: object, area: str = "") -> None:
    if isinstance(expected, int):
        assert response.status_code == expected
        return
    status, where = expected
    assert response.status_code == status
    location = response["Location"]
    if where == "AREA":
        assert location == area
    elif where == "/":
        assert location == reverse("home")
    else:
        assert location.startswith(where)


def _ask(client: Client, name: str, method: str):
    return getattr(client, method)(reverse(name, kwargs=URL_KWARGS.get(name)))


@pytest.mark.parametrize(("name", "answers"), PAGES, ids=IDS)
def test_signed_out(client, personas, name, answers):
    method, signed_out, _, _ = answers
    _check(_ask(client, name, method), signed_out)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "answers"), PAGES, ids=IDS)
def test_every_role_with_a_verified_session(client, personas, name, answers, role):
    method, _, verified, _ = answers
    client.force_login(getattr(personas, role))
    _check(_ask(client, name, method), verified, AREAS[role])


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "answers"), PAGES, ids=IDS)
def test_every_role_with_only_a_password(client, personas, name, answers, role):
    method, _, _, password_only = answers
    user = getattr(personas, role)
    user.set_password(PASSWORD)
    user.save()
    signed_in = client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    assert signed_in["Location"] == "/"
    _check(_ask(client, name, method), password_only)


def test_the_home_page_lists_the_areas_of_someone_with_several_roles(client, personas: Personas):
    from peernet.models import Role, RoleAssignment

    RoleAssignment.objects.create(
        user=personas.hub_a_admin, role=Role.HUB_ADMIN, hub=personas.hub_b
    )
    client.force_login(personas.hub_a_admin)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "/hub/hub-a/" in response.text and "/hub/hub-b/" in response.text
