"""Browser journeys in real Chromium (Debian's /usr/bin/chromium, driven by Playwright)
against pytest-django's live_server.

Every page a journey visits goes through `Journey.check(page, name)`, which
- runs axe-core (axe-playwright-python, offline) and fails on any WCAG 2.0/2.1/2.2 A or AA
  violation, printing each one readably;
- checks the page reflows at 320 CSS pixels wide (WCAG 1.4.10) and at 200% zoom (a
  1280x900 window at 200% lays out as 640x450 CSS pixels) with nothing cut off sideways;
- runs the W3C Nu HTML checker (vnu-jar from npm, on Debian's headless Java) over the
  HTML exactly as the server sent it, and fails on any error, listed with its line;
- saves a screenshot to docs/screenshots/<journey>/<nn>-<name>.png (README "Screenshots").

The Nu checker runs as a local HTTP service started once for the whole run (a few
seconds), each page then checked in milliseconds where it is visited, so a failure names
the journey and the page; one run of the checker's command line per page would cost a
Java start-up (about two seconds) on every one of the journeys' pages.

One browser serves the whole run; each journey opens its own contexts (a desktop one for
staff, a phone-sized one for participants).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.cache import cache
from openpyxl import load_workbook
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

import tests.factories as factories
from cohorts.models import Cohort
from participants.models import Participant
from peernet.models import Hub, Programme, Role, User
from sessions.models import GroupSession

# Playwright's sync API runs an event loop in the test's thread; the tests still read and
# write the database directly (factories, assertions), which Django otherwise refuses.
# Process-wide, not per test: the browser (and its loop) lives for the whole session, so
# the tests that run after these in the same session need it too.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
SCREENSHOTS = ROOT / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}
NARROW = {"width": 320, "height": 740}  # WCAG 1.4.10 reflow: 1280 px at 400%
ZOOMED = {"width": 640, "height": 450}  # a 1280x900 window at 200% zoom
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PASSWORD = "correct horse battery staple"

_axe = Axe()


# --- pytest-playwright's browser, pointed at Debian's Chromium ----------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    # scripts/test installs Chromium: its absence is a broken machine, never a skip.
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/test, which installs Debian's chromium")
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(autouse=True)
def _live_server_settings(settings) -> None:
    # The manifest storage's hashed names are not served by live_server.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # live_server speaks plain HTTP: cookies marked Secure would not come back.
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    cache.clear()  # rate limits and sign-in lockouts from earlier tests


# --- the W3C Nu HTML checker ---------------------------------------------------------------


class NuChecker:
    """vnu.jar's HTTP service on a loopback port: POST a document, read its messages."""

    def __init__(self, process: subprocess.Popen, port: int) -> None:
        self.process = process
        self.url = f"http://127.0.0.1:{port}/?out=json"

    @classmethod
    def start(cls, timeout: float = 60) -> NuChecker:
        java = shutil.which("java")
        # scripts/test installs both: their absence is a broken machine, never a skip.
        if java is None or not VNU_JAR.exists():
            pytest.fail(
                f"the Nu HTML checker needs java and {VNU_JAR}: run scripts/test, which "
                "installs default-jre-headless and the npm packages"
            )
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        process = subprocess.Popen(
            [
                java,
                "-Xss1m",
                "-Dnu.validator.servlet.bind-address=127.0.0.1",
                "-cp",
                str(VNU_JAR),
                "nu.validator.servlet.Main",
                str(port),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        checker = cls(process, port)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"the Nu HTML checker stopped (exit status {process.returncode})")
            try:
                checker.messages(b"<!DOCTYPE html><html lang=en><title>x</title></html>")
                return checker
            except OSError:
                time.sleep(0.25)
        checker.stop()
        pytest.fail(f"the Nu HTML checker did not answer within {timeout:.0f}s")

    def messages(self, html: bytes) -> list[dict]:
        request = urllib.request.Request(  # noqa: S310 (a loopback http URL of ours)
            self.url, data=html, headers={"Content-Type": "text/html; charset=utf-8"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return json.load(response)["messages"]

    def errors(self, html: bytes) -> list[dict]:
        """Errors only (and a document the checker could not read at all); its warnings
        and information are advice."""
        return [m for m in self.messages(html) if m["type"] in ("error", "non-document-error")]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


@pytest.fixture(scope="session")
def nu_checker() -> Iterator[NuChecker]:
    checker = NuChecker.start()
    yield checker
    checker.stop()


def describe_html_errors(errors: list[dict]) -> str:
    return "\n".join(
        f"- line {e.get('lastLine', '?')}, column {e.get('firstColumn', '?')}: {e['message']}"
        f"\n    {e.get('extract', '').strip()[:160]}"
        for e in errors
    )


# --- the checks every page goes through ----------------------------------------------------


def axe_violations(page) -> list[dict]:
    """axe-core's WCAG A/AA violations on the page (axe-playwright-python's bundled copy,
    injected once per document; only violations are collected, which is faster)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe.axe_script)
    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    found = page.evaluate("(options) => axe.run(document, options)", options)["violations"]
    return without_the_known_reveal_finding(found)


def without_the_known_reveal_finding(violations: list[dict]) -> list[dict]:
    """All but one finding GOV.UK Frontend keeps on purpose: `aria-expanded` on a radio
    that reveals a follow-up question. ARIA does not allow it on a radio, but screen
    readers announce it, and the Design System keeps it for their users (its known issue,
    govuk-frontend #979). Only that attribute on such a radio is let through."""
    kept = []
    for violation in violations:
        nodes = violation["nodes"]
        if violation["id"] == "aria-allowed-attr":
            nodes = [node for node in nodes if not _reveal_radio_expanded(node)]
        if nodes:
            kept.append({**violation, "nodes": nodes})
    return kept


def _reveal_radio_expanded(node: dict) -> bool:
    html = node.get("html", "")
    reveal_radio = html.startswith("<input") and 'type="radio"' in html and "aria-controls=" in html
    disallowed = [
        line.strip()
        for line in (node.get("failureSummary") or "").splitlines()
        if "not allowed" in line
    ]
    return reveal_radio and bool(disallowed) and all("aria-expanded" in line for line in disallowed)


def describe_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        lines.append(f"  {violation['helpUrl']}")
        for node in violation["nodes"]:
            lines.append(f"    at {', '.join(map(str, node['target']))}")
            lines.append(f"       {node['html'][:200]}")
            summary = node.get("failureSummary") or ""
            for line in summary.splitlines():
                lines.append(f"       {line}")
    return "\n".join(lines)


def assert_accessible(page, name: str) -> None:
    violations = axe_violations(page)
    assert not violations, (
        f"axe found {len(violations)} WCAG A/AA violation(s) on {name} ({page.url}):\n"
        + describe_violations(violations)
    )


_OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const cut = [];
  for (const el of document.querySelectorAll('main *, header *, footer *')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    // Content inside a scrolling container (a wide table's wrapper) may scroll.
    let inScroller = false;
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const style = getComputedStyle(p);
      if (['auto', 'scroll'].includes(style.overflowX) && p.scrollWidth > p.clientWidth) {
        inScroller = true;
        break;
      }
    }
    if (!inScroller && (box.right > width + 1 || box.left < -1)) {
      cut.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
               (el.className && typeof el.className === 'string' ? '.' +
                el.className.trim().split(/\\s+/).join('.') : '') +
               ' ' + Math.round(box.left) + '..' + Math.round(box.right));
    }
  }
  return {
    scrollWidth: document.documentElement.scrollWidth,
    width: width,
    cut: cut.slice(0, 8),
  };
}"""


def assert_reflows(page, name: str) -> None:
    """Usable at 320 px wide and at 200% zoom: no sideways scrolling of the page, nothing
    sticking out of the viewport (WCAG 1.4.4, 1.4.10)."""
    original = page.viewport_size
    try:
        for label, size in (("320 px wide", NARROW), ("200% zoom", ZOOMED)):
            page.set_viewport_size(size)
            found = page.evaluate(_OVERFLOW)
            assert found["scrollWidth"] <= found["width"] and not found["cut"], (
                f"{name} ({page.url}) does not fit at {label}: the page is "
                f"{found['scrollWidth']} px wide in a {found['width']} px viewport; "
                f"sticking out: {found['cut']}"
            )
    finally:
        page.set_viewport_size(original)


def focused(page) -> str:
    """The id of the element that has the keyboard focus."""
    return page.evaluate("() => document.activeElement && document.activeElement.id")


def assert_error_summary(page, message: str, field_id: str, keyboard: bool = False) -> None:
    """The GOV.UK error summary is on top, names the problem, and its link takes the
    keyboard focus to the field (axe does not check that)."""
    summary = page.locator(".govuk-error-summary")
    assert summary.count() == 1, f"no error summary on {page.url}"
    assert page.title().startswith("Error: "), page.title()
    # GOV.UK Frontend moves the focus to the summary when the page loads.
    page.wait_for_function(
        "() => document.activeElement && "
        "document.activeElement.classList.contains('govuk-error-summary')"
    )
    link = summary.get_by_role("link", name=message)
    assert link.count() == 1, f"no summary link {message!r}: {summary.inner_text()}"
    assert link.get_attribute("href") == f"#{field_id}"
    if keyboard:
        key_press(page, link)
    else:
        link.click()
    page.wait_for_function(
        f"() => document.activeElement && document.activeElement.id === {field_id!r}"
    )
    assert focused(page) == field_id


def fill_date(page, field: str, day) -> None:
    """A GOV.UK date input (day, month, year boxes `id_<field>_0`, `_1`, `_2`)."""
    for part, value in enumerate((day.day, day.month, day.year)):
        page.locator(f"#id_{field}_{part}").fill(str(value))


def register_sam_owner(phone) -> Participant:
    """The public registration form of the hub "gm", from its start page through check
    your answers to "Registration received", for Sam Owner (`fill_registration_details`);
    their record."""
    phone.goto("/p/register/gm/")
    phone.get_by_label("I have read the privacy notice").check()
    phone.get_by_role("button", name="Start now").click()
    fill_registration_details(phone)
    phone.get_by_role("button", name="Continue").click()
    expect_text(phone, "Check your answers")
    phone.get_by_role("button", name="Accept and send").click()
    expect_text(phone, "Registration received")
    return Participant.objects.get(email="sam.owner@example.org")


def fill_registration_details(phone, *, company_number: str = "", elsewhere: str = "") -> None:
    """The public registration form's questions, for Sam Owner of Maker One Ltd, an
    eligible-looking business in Salford (the hub "gm" lists Salford), not registered with
    Companies House; with `company_number`, registered, and with `elsewhere`, trading in
    that local authority instead (each a follow-up its answer reveals)."""
    phone.get_by_label("Business name").fill("Maker One Ltd")
    answer(phone, "has_company_number", "yes" if company_number else "no")
    if company_number:
        phone.locator("#id_company_number").fill(company_number)
    phone.get_by_label("Postcode of the trading address").fill("M1 1AA")
    phone.get_by_label("Somewhere else" if elsewhere else "Salford", exact=True).check()
    if elsewhere:
        phone.locator("#id_other_local_authority").fill(elsewhere)
    phone.get_by_label("Sector").select_option("C")
    fill_date(phone, "trading_since", dt.date(2015, 3, 1))
    phone.get_by_label("Number of employees on PAYE").fill("20")
    phone.get_by_label("Turnover in the last year (£)").fill("1500000")
    phone.get_by_label("Balance sheet total (£)").fill("600000")
    phone.get_by_label("First name").fill("Sam")
    phone.get_by_label("Last name").fill("Owner")
    phone.get_by_label("Email address").fill("sam.owner@example.org")
    for question, yes in (
        ("exporter", False),
        ("scale_up_potential", False),
        ("senior_decision_maker", True),
        ("aspiration_to_improve", True),
        ("previous_year_participant", False),
    ):
        answer(phone, question, "yes" if yes else "no")


def answer(page, question: str, choice: str) -> None:
    """A GOV.UK yes/no question (radios `id_<question>_1` for yes, `_2` for no)."""
    page.locator(f"#id_{question}_{1 if choice == 'yes' else 2}").check()


def workbook_cells(content: bytes) -> list[str]:
    """Every filled cell of a downloaded XLSX workbook, sheet by sheet, as text."""
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    cells = [
        str(value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    ]
    workbook.close()
    return cells


def expect_text(page, text: str) -> None:
    """Wait for `text` on the page; if it never comes, say what the page shows instead."""
    try:
        page.get_by_text(text).first.wait_for()
    except PlaywrightTimeoutError:
        summary = page.locator(".govuk-error-summary")
        shown = summary.inner_text() if summary.count() else page.locator("main").inner_text()
        raise AssertionError(
            f"{text!r} is not on {page.url} ({page.title()}); it shows:\n{shown[:1500]}"
        ) from None


def tab_to(page, target, limit: int = 150) -> None:
    """Press Tab until `target` (a locator or CSS selector) has the focus: proof that the
    keyboard alone reaches it, in the page's focus order."""
    locator = page.locator(target) if isinstance(target, str) else target
    assert locator.count() == 1, f"{locator} matches {locator.count()} elements on {page.url}"
    for _ in range(limit):
        page.keyboard.press("Tab")
        if locator.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"{locator} is not reachable with Tab on {page.url}")


def key_type(page, target, text: str) -> None:
    """Tab to a text box, clear it and type, with the keyboard only."""
    tab_to(page, target)
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.press("Delete")
    page.keyboard.type(text)


def key_press(page, target, key: str = "Enter", navigates: bool = False) -> None:
    """Tab to a control and press a key (Enter for links and buttons, Space to tick);
    with `navigates`, wait for the page it opens."""
    tab_to(page, target)
    if navigates:
        with page.expect_navigation():
            page.keyboard.press(key)
    else:
        page.keyboard.press(key)


# --- a journey: its contexts, and the pages it visits ---------------------------------------


@dataclass
class Journey:
    browser: object
    base_url: str
    name: str
    html_checker: NuChecker | None = None
    contexts: list = field(default_factory=list)
    shots: int = 0
    # Each page's last document as the server sent it (the Nu checker reads that, not the
    # DOM after scripts ran and the browser repaired what it parsed).
    documents: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        for old in (SCREENSHOTS / self.name).glob("*.png"):  # each run writes them afresh
            old.unlink()

    def new_page(self, phone: bool = False):
        context = self.browser.new_context(
            base_url=self.base_url,
            viewport=PHONE if phone else DESKTOP,
            is_mobile=phone,
            has_touch=phone,
            locale="en-GB",
            timezone_id="Europe/London",
        )
        context.set_default_timeout(10_000)
        self.contexts.append(context)
        page = context.new_page()
        page.on("response", lambda response: self._keep_document(page, response))
        return page

    def _keep_document(self, page, response) -> None:
        request = response.request
        if (
            request.resource_type == "document"
            and response.frame is page.main_frame
            and not 300 <= response.status < 400  # a redirect: the next response is the page
        ):
            self.documents[page] = response

    def assert_valid_html(self, page, name: str) -> None:
        """The W3C Nu HTML checker finds no error in the page as served."""
        response = self.documents.get(page)
        assert response is not None, f"{name} ({page.url}): no document was received"
        errors = self.html_checker.errors(response.body())
        assert not errors, (
            f"the Nu HTML checker found {len(errors)} error(s) on {name} ({page.url}):\n"
            + describe_html_errors(errors)
        )

    def check(self, page, name: str) -> None:
        """A screenshot of this page as the user sees it, then axe, then the reflow at
        320 px and 200% zoom (which moves the page's scroll position)."""
        page.wait_for_load_state("load")
        self.shots += 1
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        folder = SCREENSHOTS / self.name
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=folder / f"{self.shots:02d}-{slug}.png")
        if self.html_checker is not None:
            self.assert_valid_html(page, name)
        assert_accessible(page, name)
        assert_reflows(page, name)

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def journey(browser, live_server, nu_checker, request) -> Iterator:
    """`journey("hub-admin")` opens a journey whose screenshots go to that folder."""
    opened: list[Journey] = []

    def start(name: str) -> Journey:
        opened.append(
            Journey(browser=browser, base_url=live_server.url, name=name, html_checker=nu_checker)
        )
        return opened[-1]

    yield start
    for item in opened:
        item.close()


# --- the journeys' Greater Manchester --------------------------------------------------------


@dataclass
class GreaterManchester:
    """Where every journey happens: a programme, its hub "gm" (Greater Manchester Growth
    Hub), the hub's cohort "Salford autumn" and, where asked for, Hana Admin, the hub's
    administrator."""

    programme: Programme
    hub: Hub
    cohort: Cohort
    admin: User | None = None

    def join(
        self,
        names: Iterable[str],
        *,
        registered: dt.date,
        joined: dt.date,
        charter_signed_at: dt.datetime | None = None,
        emails: bool = False,
        **overrides: object,
    ) -> list[Participant]:
        """Eligible participants of the hub who joined the cohort, one a name ("Ada Ames", a
        first name alone, or "" for the factories' own), in order; with `emails`, each at
        <first name>@example.org; with `charter_signed_at`, each signed charter 2021-1."""
        members = []
        for name in names:
            first, _, last = name.partition(" ")
            values = {"registered": registered, **overrides}
            values |= {"first_name": first} if first else {}
            values |= {"last_name": last} if last else {}
            values |= {"email": f"{first.lower()}@example.org"} if emails else {}
            member = factories.make_eligible(
                factories.make_participant(self.hub, self.programme, **values)
            )
            if charter_signed_at is not None:
                member.charter_signed_at = charter_signed_at
                member.charter_version = "2021-1"
                member.save(update_fields=["charter_signed_at", "charter_version"])
            factories.make_member(self.cohort, member, joined=joined)
            members.append(member)
        return members

    def started_session(self, key: str, now: dt.datetime) -> GroupSession:
        """A three-hour session of the cohort that began two hours before `now`."""
        return GroupSession.objects.create(
            cohort=self.cohort,
            key=key,
            starts_at=now - dt.timedelta(hours=2),
            hours=Decimal("3"),
            location="Salford Innovation Forum",
        )


# What the public registration form shows of the hub (its LEP area, its privacy notice).
REGISTERING = {
    "lep": "Greater Manchester LEP",
    "local_authorities": ["Manchester", "Salford"],
    "privacy_notice_url": "https://gm.example.org/privacy",
}


def greater_manchester(
    start: dt.date, end: dt.date, *, admin: bool = False, **hub_overrides: object
) -> GreaterManchester:
    """The programme delivering from `start` to `end`, with its hub (`hub_overrides` on the
    hub) and cohort; with `admin`, Hana Admin too."""
    programme = factories.make_programme(delivery_start=start, delivery_end=end)
    hub = factories.make_hub("gm", **{"name": "Greater Manchester Growth Hub", **hub_overrides})
    return GreaterManchester(
        programme=programme,
        hub=hub,
        cohort=factories.make_cohort(hub, programme, name="Salford autumn"),
        admin=make_hana(hub) if admin else None,
    )


def make_hana(hub: Hub) -> User:
    """Hana Admin, the hub's administrator."""
    return factories.make_user(Role.HUB_ADMIN, hub=hub, name="Hana Admin", email="hana@example.org")


# --- steps that more than one journey takes --------------------------------------------------


def record_eligible(page, name: str, run: Journey | None = None) -> None:
    """From the hub's registrations: open `name`'s record, assess their eligibility and
    record them eligible. `run` also checks and photographs the pages on the way."""
    page.get_by_role("link", name=name).click()
    if run is not None:
        run.check(page, "participant")
    page.get_by_role("link", name="Assess eligibility").click()
    if run is not None:
        run.check(page, "eligibility")
    page.get_by_label("Decision").select_option("eligible")
    page.get_by_role("button", name="Record the decision").click()
    expect_text(page, f"{name} is eligible.")


def send_the_charter(page, run: Journey | None = None) -> None:
    """From a participant's record: send them the Participant Charter's link. `run` also
    checks and photographs the charter page."""
    page.get_by_role("link", name="Send the Participant Charter").click()
    if run is not None:
        run.check(page, "charter")
    page.get_by_role("button", name=re.compile("Send")).click()
    expect_text(page, "The Participant Charter was sent to")


def answer_survey_page(phone, questions: list[dict]) -> None:
    """Answer every question of one page of a survey: the first choice of each choice
    (yes, of a yes or no), 12 people, £250,000, and a sentence."""
    for question in questions:
        key = question["key"]
        if question["type"] in ("scale", "choice", "yes_no", "multi_choice"):
            phone.locator(f"#id_{key}").check()
        elif question["type"] == "number":
            phone.locator(f"#id_{key}").fill("12")
        elif question["type"] == "money":
            phone.locator(f"#id_{key}").fill("250000")
        else:
            phone.locator(f"#id_{key}").fill("Useful.")


def sign_the_charter(phone, run: Journey | None = None) -> None:
    """On the charter's page, opened from its link: agree and sign. `run` also checks and
    photographs the page that says it is signed."""
    phone.get_by_label("I agree to the Participant Charter").check()
    phone.get_by_role("button", name="Sign the Participant Charter").click()
    phone.wait_for_url("**/p/charter/signed/")
    if run is not None:
        run.check(phone, "charter signed")


# --- signing in ---------------------------------------------------------------------------


def sign_in(
    page, user, password: str = PASSWORD, run: Journey | None = None, keyboard: bool = False
) -> None:
    """Through the real sign-in form, then the second factor if the site asks for it
    (docs/security.md §11: a 6-digit code from an authenticator app). `run` also checks and
    photographs the sign-in pages; `keyboard` uses nothing but the keyboard."""
    user.set_password(password)
    user.save(update_fields=["password"])
    device = None
    make_device = getattr(factories, "make_totp_device", None)
    if make_device is not None:
        from django_otp.plugins.otp_totp.models import TOTPDevice

        # The app the user set up earlier (the set-up page has its own tests).
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or make_device(user)
    page.goto("/login/")
    if run is not None:
        run.check(page, "sign in")
    if keyboard:
        key_type(page, page.get_by_label("Email address"), user.email)
        key_type(page, page.get_by_label("Password", exact=True), password)
        key_press(page, page.get_by_role("button", name="Sign in"), navigates=True)
    else:
        page.get_by_label("Email address").fill(user.email)
        page.get_by_label("Password", exact=True).fill(password)
        page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("load")
    code_box = page.locator("input[autocomplete='one-time-code']")
    if code_box.count():
        assert device is not None, f"{page.url} asks for a code: tests/factories needs TOTP"
        if run is not None:
            run.check(page, "second factor")
        if keyboard:
            key_type(page, code_box, factories.totp_now(device))
            key_press(page, page.get_by_role("button", name="Continue"), navigates=True)
        else:
            code_box.fill(factories.totp_now(device))
            page.get_by_role("button", name="Continue").click()
        page.wait_for_load_state("load")
    assert "/login/" not in page.url and "/account/" not in page.url, (
        f"not signed in: still on {page.url}, which shows:\n{page.locator('main').inner_text()}"
    )
