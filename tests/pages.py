"""What the per-area access matrices (tests/test_<area>_pages_access.py) share: the roles
the personas hold, an area's page names read from the URL resolver (so a new page fails
its matrix until it is added there), and what being sent to sign in looks like."""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import URLPattern, URLResolver, get_resolver, reverse

# Every role of the personas (tests/factories.py), national first.
ROLES = [
    "coordinator",
    "funder",
    "evaluator",
    "hub_a_admin",
    "hub_b_admin",
    "facilitator",
    "provider",
]


def area_page_names(namespace: str, route: str | None = None) -> list[str]:
    """The names of every page under the URL namespace, its includes walked, from the
    resolver itself; `route`, where given, is where the area must be mounted."""
    (resolver,) = [
        p
        for p in get_resolver().url_patterns
        if isinstance(p, URLResolver) and p.namespace == namespace
    ]
    if route is not None:
        assert str(resolver.pattern) == route

    def walk(patterns: list) -> list[str]:
        names: list[str] = []
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                names += walk(pattern.url_patterns)
            else:
                assert isinstance(pattern, URLPattern), pattern
                assert pattern.name, f"{pattern.pattern} has no name"
                names.append(pattern.name)
        return names

    return sorted(walk(resolver.url_patterns))


def assert_sent_to_sign_in(response) -> None:
    """Signed out: a redirect to the sign-in page, which will come back here."""
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


# Every role that is not hub A's own administrator, nor the coordinator who stands in for
# them: a hub A page is a 404 for each (docs/security.md §1).
HUB_OUTSIDERS = ["hub_b_admin", "facilitator", "provider", "funder", "evaluator"]


def assert_pages_answer(client, user, urls: Iterable[str], status: int) -> None:
    """Signed in as `user`, each of the pages answers `status`."""
    client.force_login(user)
    for url in urls:
        assert client.get(url).status_code == status, url


def list_refusing(client, url: str, query: dict[str, str], message: str) -> str:
    """A filtered list (peernet.lists) given a bad filter or sort value: it answers 200
    with `message` in its error summary (never a 500); its content, to check the rows."""
    response = client.get(url, query)
    assert response.status_code == 200
    content = response.content.decode()
    assert message in content and "govuk-error-summary" in content
    assert "<title>Error:" in content
    return content
