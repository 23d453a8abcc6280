"""Security headers on representative pages (docs/security.md §9): the Content Security Policy
(no inline script or style, no framing), HSTS, nosniff, Referrer-Policy, X-Frame-Options,
`Cache-Control: no-store` on pages for a signed-in user and behind participant links, and
Secure, HttpOnly, SameSite cookies. And no template carries inline script, inline style or
an inline event handler, which the policy would block."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from participants.services import participant_charter_link_issue
from tests.factories import Personas, make_session

pytestmark = pytest.mark.django_db

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "base-uri": "'none'",
}


def _policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    parts = [part.strip() for part in header.split(";") if part.strip()]
    return {part.split(" ", 1)[0]: part.split(" ", 1)[1] for part in parts}


def _pages(client, personas: Personas) -> dict[str, object]:
    """name -> response: signed out, signed in (hub, facilitation), a participant link."""
    session = make_session(personas.cohort_a, "2021-10-05T09:30")
    pages = {
        "login": client.get(reverse("login"), secure=True),
        "admin-login": client.get("/admin/login/", secure=True),
    }
    token = participant_charter_link_issue(participant=personas.participant_a)
    client.get(reverse("public:charter", kwargs={"token": token}), secure=True)
    pages["participant-link"] = client.get(reverse("public:charter-sign"), secure=True)
    client.force_login(personas.hub_a_admin)
    pages["hub"] = client.get(reverse("hub:home", kwargs={"hub": personas.hub_a.key}), secure=True)
    client.force_login(personas.facilitator)
    pages["facilitation"] = client.get(
        reverse("facilitation:session", kwargs={"hub": personas.hub_a.key, "code": session.code}),
        secure=True,
    )
    return pages


@pytest.fixture
def pages(client, personas):
    responses = _pages(client, personas)
    for name, response in responses.items():
        assert response.status_code == 200, name
    return responses


def test_every_page_has_the_content_security_policy(pages):
    for name, response in pages.items():
        assert _policy(response) == POLICY, name
        assert "unsafe-inline" not in response["Content-Security-Policy"], name


def test_every_page_has_hsts_nosniff_a_referrer_policy_and_no_framing(pages):
    for name, response in pages.items():
        assert response["Strict-Transport-Security"] == (
            "max-age=31536000; includeSubDomains; preload"
        ), name
        assert response["X-Content-Type-Options"] == "nosniff", name
        assert response["X-Frame-Options"] == "DENY", name
        # The participant link's page is behind the clean URL: only the landing redirect,
        # which carried the token, is `no-referrer` (tests/test_public_pages_access.py).
        assert response["Referrer-Policy"] == "same-origin", name


@pytest.mark.parametrize("name", ["hub", "facilitation", "participant-link"])
def test_pages_with_personal_data_are_never_stored(pages, name):
    cache_control = {part.strip() for part in pages[name]["Cache-Control"].split(",")}
    assert {"no-store", "no-cache", "private"} <= cache_control


# A page of each area, as someone who may open it: the middleware alone marks them (no
# view carries its own never_cache), the anonymous /p/ pages included.
AREA_PAGES = [
    ("hub_a_admin", "hub:home", {"hub": "hub-a"}),
    ("hub_a_admin", "hub:returns", {"hub": "hub-a"}),
    ("facilitator", "facilitation:home", {}),
    ("provider", "one_to_one:home", {}),
    ("funder", "national:home", {}),
    ("coordinator", "privacy:home", {}),
    ("coordinator", "privacy:breaches", {}),
    ("hub_a_admin", "account:password-change", {}),
    (None, "public:register", {"hub": "hub-a"}),
]


@pytest.mark.parametrize(("role", "name", "kwargs"), AREA_PAGES)
def test_a_page_of_each_area_is_never_stored(client, personas, role, name, kwargs):
    if role:
        client.force_login(getattr(personas, role))
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 200, name
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"max-age=0", "no-store", "no-cache", "must-revalidate", "private"} <= cache_control
    assert "Expires" in response


def test_a_signed_in_users_page_without_its_own_cache_header_is_not_stored(client, personas):
    # The middleware, not each view's decorator: /scenario/schema.json sets none itself.
    anonymous = client.get(reverse("scenario-schema"))
    assert "no-store" not in anonymous.get("Cache-Control", "")
    client.force_login(personas.hub_a_admin)
    signed_in = client.get(reverse("scenario-schema"))
    assert "no-store" in signed_in["Cache-Control"]


def test_a_participant_link_page_is_not_stored_even_when_it_refuses_the_link(client):
    response = client.get(reverse("public:charter-sign"))
    assert response.status_code == 400
    assert "no-store" in response["Cache-Control"]


def test_cookies_are_secure_httponly_and_samesite(client, personas):
    response = client.get(reverse("login"), secure=True)
    csrf = response.cookies[settings.CSRF_COOKIE_NAME]
    assert csrf["secure"] and csrf["httponly"]
    assert csrf["samesite"] == "Lax"

    client.force_login(personas.hub_a_admin)
    response = client.get(reverse("hub:home", kwargs={"hub": personas.hub_a.key}), secure=True)
    session = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session["secure"] and session["httponly"]
    assert session["samesite"] == "Lax"


def test_plain_http_is_sent_to_https_in_production_settings(settings, client):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get(reverse("login"))
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


# --- templates: nothing the policy would block --------------------------------------------

INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
STYLE_BLOCK = re.compile(r"<style\b", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"javascript:", re.IGNORECASE)


def _templates() -> list[Path]:
    roots = [Path(settings.BASE_DIR) / "templates"]
    roots += [
        Path(settings.BASE_DIR) / app / "templates"
        for app in ("peernet", "participants", "cohorts", "sessions", "reporting")
    ]
    return sorted(path for root in roots if root.exists() for path in root.rglob("*.html"))


def test_there_are_templates_to_check():
    assert len(_templates()) > 20


@pytest.mark.parametrize(
    "pattern", [INLINE_SCRIPT, STYLE_BLOCK, STYLE_ATTRIBUTE, EVENT_HANDLER, JAVASCRIPT_URL]
)
def test_no_template_has_inline_script_style_or_handlers(pattern):
    found = [
        f"{path.relative_to(settings.BASE_DIR)}: {match.group(0)!r}"
        for path in _templates()
        if not (pattern is STYLE_BLOCK and _is_a_pdf_document(path))
        for match in pattern.finditer(path.read_text())
    ]
    assert not found, found


def _is_a_pdf_document(path: Path) -> bool:
    """A whole document that no page extends and WeasyPrint renders (a PDF, never served
    to a browser, so no policy applies): its styles may live in a <style> block."""
    text = path.read_text()
    parts = path.parts
    name = "/".join(parts[len(parts) - parts[::-1].index("templates") :])
    return "{% extends" not in text and name in _PDF_TEMPLATE_NAMES


def _pdf_template_names() -> set[str]:
    """Template names in the modules that make PDFs (through peernet.pdf, or WeasyPrint)."""
    names: set[str] = set()
    for module in Path(settings.BASE_DIR).glob("*/*.py"):
        source = module.read_text()
        if "from weasyprint import" in source or "pdf.pdf_from_html(" in source:
            names |= set(re.findall(r"[\"']([\w/]+\.html)[\"']", source))
    return names


_PDF_TEMPLATE_NAMES = _pdf_template_names()


@pytest.mark.parametrize(
    ("markup", "pattern"),
    [
        ("<script>alert(1)</script>", INLINE_SCRIPT),
        ('<script type="module">x()</script>', INLINE_SCRIPT),
        ("<style>p{}</style>", STYLE_BLOCK),
        ('<p style="color: red">', STYLE_ATTRIBUTE),
        ('<a onclick="x()">', EVENT_HANDLER),
        ('<a href="javascript:x()">', JAVASCRIPT_URL),
    ],
)
def test_the_template_scan_finds_what_it_looks_for(markup, pattern):
    assert pattern.search(markup)
    assert not INLINE_SCRIPT.search('<script type="module" src="/static/js/init.js"></script>')


def test_the_script_the_base_layout_loads_is_a_static_file():
    base = (Path(settings.BASE_DIR) / "templates" / "base.html").read_text()
    assert "{% static 'js/init.js' %}" in base
    assert (Path(settings.BASE_DIR) / "static" / "js" / "init.js").exists()
