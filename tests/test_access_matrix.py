"""The whole project's access matrix (docs/security.md §1, §2, §5).

Every URL pattern of the project (the Django admin aside: Django's own, and below it
must need a verified staff user) belongs to one per-area matrix, each of which checks
every role and anyone signed out against its pages:

    hub            tests/test_hub_pages_access.py          KWARGS
    facilitation   tests/test_facilitation_pages_access.py KWARGS
    one_to_one     tests/test_one_to_one_pages_access.py   KWARGS
    national       tests/test_national_pages_access.py     KWARGS
    privacy        tests/test_privacy_pages_access.py      PAGES
    learning_sets  tests/test_learning_set_pages_access.py KWARGS
    public         tests/test_public_pages_access.py       KWARGS
    account, and the top-level pages
                   tests/test_account_pages_access.py      ACCOUNT, TOP_LEVEL
    api            tests/test_api_access.py                ENDPOINTS

This file walks the entire URL resolver and fails on a pattern none of them covers, or
on a namespace none of them owns. Then one cross-hub probe: hub B's administrator asks
for every page of hub A's objects in every area, and gets a 404 throughout. And revoked
access stops the next request (docs/security.md §5), and no request data is expanded into
ORM lookups (docs/security.md §18, a scan of the source).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from peernet.models import RoleAssignment
from tests import (
    test_account_pages_access,
    test_api_access,
    test_facilitation_pages_access,
    test_hub_pages_access,
    test_learning_set_pages_access,
    test_national_pages_access,
    test_one_to_one_pages_access,
    test_privacy_pages_access,
    test_public_pages_access,
)
from tests.factories import Personas, make_api_token
from tests.pages import ROLES, assert_sent_to_sign_in

pytestmark = pytest.mark.django_db

# "namespace:name" (or the bare name at the top level) of every page a matrix covers.
COVERED: frozenset[str] = frozenset(
    {f"hub:{name}" for name in test_hub_pages_access.KWARGS}
    | {f"facilitation:{name}" for name in test_facilitation_pages_access.KWARGS}
    | {f"one_to_one:{name}" for name in test_one_to_one_pages_access.KWARGS}
    | {f"national:{name}" for name in test_national_pages_access.KWARGS}
    | {f"privacy:{name}" for name in test_privacy_pages_access.PAGES}
    | {f"public:{name}" for name in test_public_pages_access.KWARGS}
    | {f"learning_sets:{name}" for name in test_learning_set_pages_access.KWARGS}
    | test_account_pages_access.COVERED
    | {f"api:{name}" for name in test_api_access.ENDPOINTS}
)
NAMESPACES = {
    "hub",
    "facilitation",
    "one_to_one",
    "national",
    "privacy",
    "public",
    "account",
    "api",
    "learning_sets",
    "",
}


def _every_pattern() -> list[tuple[str, str, str]]:
    """(namespace, view name, route) of every pattern outside the Django admin."""
    found: list[tuple[str, str, str]] = []

    def walk(patterns: list, namespace: str, route: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.app_name == "admin":
                    continue
                inner = ":".join(filter(None, [namespace, pattern.namespace or ""]))
                walk(pattern.url_patterns, inner, route + str(pattern.pattern))
            else:
                assert isinstance(pattern, URLPattern)
                name = f"{namespace}:{pattern.name}" if namespace else str(pattern.name)
                found.append(
                    (namespace, name if pattern.name else "", route + str(pattern.pattern))
                )

    walk(get_resolver().url_patterns, "", "")
    return found


def test_the_walk_finds_the_project_s_pages():
    names = {name for _, name, _ in _every_pattern()}
    assert {"home", "login", "hub:home", "facilitation:session", "public:charter"} <= names
    assert not any(route.startswith("admin/") for _, _, route in _every_pattern())


def test_every_url_pattern_has_a_name():
    unnamed = [route for _, name, route in _every_pattern() if not name]
    assert not unnamed, f"Name these URL patterns: {unnamed}"


def test_every_url_pattern_is_in_an_access_matrix():
    missing = sorted(
        f"{name} ({route})" for _, name, route in _every_pattern() if name not in COVERED
    )
    assert not missing, (
        "These pages are in no access matrix: add each to its area's "
        f"tests/test_<area>_pages_access.py (see this file's docstring): {missing}"
    )


def test_every_namespace_has_an_access_matrix():
    unknown = sorted({namespace for namespace, _, _ in _every_pattern()} - NAMESPACES)
    assert not unknown, f"Write an access matrix for these namespaces: {unknown}"


def test_the_matrices_cover_nothing_that_does_not_exist():
    # A page renamed or removed leaves a stale row that would hide a new, unchecked page.
    existing = {name for _, name, _ in _every_pattern()}
    assert not sorted(COVERED - existing)


# --- /admin ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_admin_is_closed_to_every_role_that_is_not_staff(client, personas, role):
    client.force_login(getattr(personas, role))
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_admin_is_open_to_a_verified_staff_user_only(personas):
    boss = personas.coordinator
    boss.is_staff = boss.is_superuser = True
    boss.set_password("mellow-harbour-lantern-42")
    boss.save()
    password_only = Client()
    password_only.post(
        reverse("login"), {"username": boss.email, "password": "mellow-harbour-lantern-42"}
    )
    response = password_only.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account:two-factor-set-up"))

    verified = Client()
    verified.force_login(boss)
    assert verified.get("/admin/").status_code == 200


# --- the cross-hub probe ------------------------------------------------------------------


def _hub_urls(personas: Personas) -> list[tuple[str, bool]]:
    module = test_hub_pages_access
    world = module.World(personas)
    return [
        (
            reverse(f"hub:{name}", kwargs={"hub": personas.hub_a.key, **kwargs(world)}),
            post_only,
        )
        for name, (kwargs, post_only) in module.KWARGS.items()
    ]


def _facilitation_urls(personas: Personas) -> list[tuple[str, bool]]:
    module = test_facilitation_pages_access
    world = module.World(personas)
    return [
        (reverse(f"facilitation:{name}", kwargs=kwargs(world)), name in module.POST_ONLY)
        for name, kwargs in module.KWARGS.items()
    ]


def _one_to_one_urls(personas: Personas) -> list[tuple[str, bool]]:
    module = test_one_to_one_pages_access
    world = module.World(personas)
    return [
        (reverse(f"one_to_one:{name}", kwargs=kwargs(world)), name in module.POST_ONLY)
        for name, kwargs in module.KWARGS.items()
    ]


def _national_urls(personas: Personas) -> list[tuple[str, bool]]:
    module = test_national_pages_access
    return [
        (reverse(f"national:{name}", kwargs=kwargs(personas, personas.hub_b_admin)), post_only)
        for name, (kwargs, post_only) in module.KWARGS.items()
    ]


def _privacy_urls(personas: Personas) -> list[tuple[str, bool]]:
    module = test_privacy_pages_access
    world = module.World(personas)
    return [
        (reverse(f"privacy:{name}", kwargs=kwargs(world)), False)
        for name, (kwargs, _) in module.PAGES.items()
    ]


def _learning_set_urls(personas: Personas) -> list[tuple[str, bool]]:
    module = test_learning_set_pages_access
    world = module.World(personas)
    return [
        (reverse(f"learning_sets:{name}", kwargs=kwargs(world)), False)
        for name, kwargs in module.KWARGS.items()
    ]


AREA_URLS = {
    "hub": _hub_urls,
    "learning_sets": _learning_set_urls,
    "facilitation": _facilitation_urls,
    "one_to_one": _one_to_one_urls,
    "national": _national_urls,
    "privacy": _privacy_urls,
}


@pytest.mark.parametrize("area", sorted(AREA_URLS))
def test_hub_bs_administrator_gets_a_404_on_every_page_of_hub_as_objects(client, personas, area):
    urls = AREA_URLS[area](personas)
    assert urls
    client.force_login(personas.hub_b_admin)
    # A POST-only page answers a GET with 405 before it looks at the hub: ask as a form would.
    answers = {
        url: (client.post(url) if post_only else client.get(url)).status_code
        for url, post_only in urls
    }
    assert {url: status for url, status in answers.items() if status != 404} == {}


@pytest.mark.parametrize("area", sorted(AREA_URLS))
def test_a_participant_link_opens_no_staff_page(client, personas, area):
    """The participant-link row of the matrix: a participant who has opened their emailed
    link (the token now in their session) is still signed out everywhere else."""
    from participants import surveys
    from participants.models import SurveyKind

    # Hub B's participant: the areas' worlds make hub A's own invitations.
    invitation = surveys.survey_invite(participant=personas.participant_b, kind=SurveyKind.EXIT)
    landing = client.get(
        reverse("public:survey-link", kwargs={"token": surveys.survey_token(invitation)})
    )
    assert landing.status_code == 302 and client.get(landing["Location"]).status_code == 200
    urls = AREA_URLS[area](personas)
    answers = {url: (client.post(url) if post_only else client.get(url)) for url, post_only in urls}
    not_sent_to_sign_in = {
        url: response.status_code
        for url, response in answers.items()
        if response.status_code != 302 or not response["Location"].startswith(reverse("login"))
    }
    assert not_sent_to_sign_in == {}


def test_hub_bs_administrator_gets_a_404_from_every_api_endpoint_of_hub_as_objects(
    client, personas
):
    urls = test_api_access.hub_a_object_urls(personas)
    assert urls
    hub_b, hub_a = make_api_token(personas.hub_b_admin), make_api_token(personas.hub_a_admin)
    answers = {url: client.get(url, HTTP_AUTHORIZATION=hub_b).status_code for url in urls}
    assert {url: status for url, status in answers.items() if status != 404} == {}
    # The same endpoints answer hub A's own administrator: the 404s are about hub B.
    assert all(client.get(url, HTTP_AUTHORIZATION=hub_a).status_code != 404 for url in urls)


def test_the_probe_can_fail(client, personas):
    # The same pages answer hub A's own administrator: the 404s above are about hub B.
    client.force_login(personas.hub_a_admin)
    url, _ = _hub_urls(personas)[0]
    assert client.get(url).status_code == 200


# --- docs/security.md §5: revoked access stops the next request --------------------------------


def _hub_home(personas: Personas) -> str:
    return reverse("hub:home", kwargs={"hub": personas.hub_a.key})


def test_a_deactivated_user_is_sent_to_sign_in_on_the_next_request(client, personas):
    client.force_login(personas.hub_a_admin)
    assert client.get(_hub_home(personas)).status_code == 200
    personas.hub_a_admin.is_active = False
    personas.hub_a_admin.save(update_fields=["is_active"])
    assert_sent_to_sign_in(client.get(_hub_home(personas)))


def test_a_removed_role_is_a_404_on_the_next_request(client, personas):
    client.force_login(personas.hub_a_admin)
    assert client.get(_hub_home(personas)).status_code == 200
    RoleAssignment.objects.filter(user=personas.hub_a_admin).delete()
    assert client.get(_hub_home(personas)).status_code == 404


def test_a_facilitator_removed_from_the_cohort_gets_a_404_on_the_next_request(client, personas):
    module = test_facilitation_pages_access
    world = module.World(personas)
    url = reverse("facilitation:session", kwargs=module.KWARGS["session"](world))
    client.force_login(personas.facilitator)
    assert client.get(url).status_code == 200
    RoleAssignment.objects.filter(user=personas.facilitator, cohort=personas.cohort_a).delete()
    assert client.get(url).status_code == 404


# --- docs/security.md §18: no request data expanded into ORM lookups ----------------------------

# `Model.objects.filter(**request.GET)`, `.exclude(**self.request.POST.dict())`, and any
# other `**request...`: a visitor would choose the lookups (`hub__key`, `password__startswith`).
REQUEST_EXPANSION = re.compile(r"\*\*\s*(?:self\.)?request\b")
APPS = ("peernet", "participants", "cohorts", "sessions", "reporting", "alumni", "demo", "api")


def _sources() -> list[Path]:
    root = Path(settings.BASE_DIR)
    return sorted(
        path
        for app in APPS
        for path in (root / app).rglob("*.py")
        if "migrations" not in path.parts
    )


def test_no_request_data_is_expanded_into_keyword_arguments():
    sources = _sources()
    assert len(sources) > 30
    found = [
        f"{path.relative_to(settings.BASE_DIR)}:{number}: {line.strip()}"
        for path in sources
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if REQUEST_EXPANSION.search(line)
    ]
    assert not found, found


@pytest.mark.parametrize(
    "line",
    [
        "Participant.objects.filter(**request.GET)",
        "qs.filter(**self.request.GET.dict())",
        "qs.exclude( ** request.POST)",
        "Business(**request.POST.dict())",
    ],
)
def test_the_scan_finds_an_expansion(line):
    assert REQUEST_EXPANSION.search(line)


def test_the_scan_leaves_ordinary_code_alone():
    assert not REQUEST_EXPANSION.search("def view(request, **kwargs): qs.filter(**lookups)")
    assert not REQUEST_EXPANSION.search("qs.filter(hub=request.user.hub, **requested)")
