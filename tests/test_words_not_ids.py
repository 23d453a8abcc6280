"""Words first: no page shows a raw id (a figure id, a status's stored value) as its label.

The demo is loaded and each role signs in and walks every page it can reach by following
links from its home page (GET only; a few instances of each page, so filters and pages
of lists are visited too). The visible text of every page (not attributes, scripts or
`<code>`, where an analyst's figure id may be shown beside its label) must hold no
id-shaped word: lower case joined by underscores (`started_cumulative`, `dropped_out`);
and no link a role is shown leads to a page that is not there for them (404).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import Counter
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
from django.core.management import call_command
from django.urls import Resolver404, resolve

from peernet.models import Role, User

pytestmark = pytest.mark.django_db

ANCHOR = dt.date(2026, 11, 21)
ID_SHAPED = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
HIDDEN = {"script", "style", "code", "template", "title"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
# Not walked: signing out, the Django admin (not a hub's page), the data API (JSON, for
# analysts, ids by design), participants' emailed links (signed, one person each).
NOT_WALKED = ("/logout/", "/admin/", "/api/", "/p/", "/static/")
EACH_PAGE = 2
MOST_ROLES_READ = 5  # instances of each URL name (a list and one filtered or paged view of it)


class VisibleText(HTMLParser):
    """The text a person reads: element text outside scripts, styles and code."""

    def __init__(self) -> None:
        super().__init__()
        self.hidden = 0
        self.stack: list[str] = []
        self.parts: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)
        if tag in VOID:
            return
        self.stack.append(tag)
        if tag in HIDDEN:
            self.hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID or tag not in self.stack:
            return
        while self.stack:
            top = self.stack.pop()
            if top in HIDDEN:
                self.hidden -= 1
            if top == tag:
                break

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def _walkable(href: str) -> str | None:
    url, _ = urldefrag(href)
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    if parts.path.startswith(NOT_WALKED):
        return None
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def _page_name(url: str) -> str | None:
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return None
    return match.view_name


def walk(client, user: User) -> tuple[dict[str, list[str]], int]:
    """Every page the user reaches from home: URL -> the id-shaped words it shows; and
    how many pages were read."""
    client.force_login(user)
    seen: set[str] = set()
    per_name: Counter[str] = Counter()
    queue = ["/"]
    found: dict[str, list[str]] = {}
    read = 0
    while queue:
        url = queue.pop(0)
        name = _page_name(url)
        if url in seen or name is None or per_name[name] >= EACH_PAGE:
            continue
        seen.add(url)
        per_name[name] += 1
        response = client.get(url)
        assert response.status_code < 500, url
        assert response.status_code != 404, f"{user}: a link leads nowhere: {url}"
        if response.status_code in (301, 302) and (link := _walkable(response["Location"])):
            queue.append(link)
            continue
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        page = VisibleText()
        page.feed(response.content.decode())
        words = ID_SHAPED.findall(" ".join(page.parts))
        if words:
            found[url] = sorted(set(words))
        queue.extend(link for href in page.links if (link := _walkable(href)))
        read += 1
    return found, read


def _one_of_each_role() -> dict[str, User]:
    users = {}
    for role in Role:
        user = (
            User.objects.filter(is_active=True, role_assignments__role=role).order_by("pk").first()
        )
        assert user is not None, f"the demo has no {role.label}"
        users[role.label] = user
    return users


@pytest.fixture
def demo_loaded(settings):
    call_command("seed_demo", "--anchor", ANCHOR.isoformat(), stdout=io.StringIO())


def test_no_page_of_any_role_shows_an_id_shaped_word(client, demo_loaded):
    walked, read = {}, {}
    for role, user in _one_of_each_role().items():
        walked[role], read[role] = walk(client, user)
        client.logout()
    assert walked == {role: {} for role in walked}
    # Each role really walked its pages (a walk stopped at its home would pass).
    assert min(read.values()) >= MOST_ROLES_READ, read


def test_the_walk_finds_an_id_when_a_page_shows_one(client, demo_loaded, monkeypatch):
    """The walk can fail: figures shown by their ids alone are found."""
    from reporting.kpi import LABELS

    for figure in list(LABELS):
        monkeypatch.setitem(LABELS, figure, figure)
    funder = User.objects.filter(role_assignments__role=Role.FUNDER).order_by("pk").first()
    found, _ = walk(client, funder)
    assert any("started_cumulative" in words for words in found.values()), found


def test_the_visible_text_leaves_out_code_scripts_and_attributes():
    page = VisibleText()
    page.feed(
        '<p data-figure="started_month">Started <code>started_month</code><br>'
        "<script>var x_y_z = 1;</script><a href='/x/?sort=full_name'>Next</a> done</p>"
    )
    assert ID_SHAPED.findall(" ".join(page.parts)) == []
    assert page.links == ["/x/?sort=full_name"]
    page.feed("<td>dropped_out</td>")
    assert ID_SHAPED.findall(" ".join(page.parts)) == ["dropped_out"]
