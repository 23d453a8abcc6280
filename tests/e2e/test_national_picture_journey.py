"""BEIS's picture, in Chromium, on the demo's year of returns (seed_demo as of today):
the national page's progress to the target (a chart with its table and the CSV of its
figures) and the hubs ranked by started against target; the timeliness grid, hubs by
months, each cell's status in words (its colour only repeats it), and its CSV; then the
grid as it prints on A4 (nothing cut off at the right edge, no navigation or forms) and
a cluster's page. Every page is checked by axe, at 320 px and at 200% zoom; the
screenshots are docs/screenshots/national-timeliness-grid/.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.core.management import call_command

from participants.models import Participant
from peernet.models import User
from tests.e2e.conftest import SCREENSHOTS, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

A4_PRINTABLE = {"width": 703, "height": 1040}  # 210 x 297 mm less 12 mm margins, at 96 dpi

_PRINTED = """(selector) => {
  const width = document.documentElement.clientWidth;
  const shown = (selector) => [...document.querySelectorAll(selector)]
    .filter((el) => getComputedStyle(el).display !== 'none').length;
  const table = document.querySelector(selector).getBoundingClientRect();
  return {
    scrollWidth: document.documentElement.scrollWidth,
    width: width,
    tableRight: table.right,
    header: shown('.govuk-service-navigation, .app-hub-navigation, .govuk-footer'),
    forms: shown('main form'),
  };
}"""


def _csv(download) -> list[list[str]]:
    return list(csv.reader(io.StringIO(download.path().read_text(encoding="utf-8-sig"))))


def assert_prints_on_a4(page, run, table: str, name: str) -> None:
    """As the page prints (print media, A4's printable width): only its content (no
    navigation, footer or forms) and `table`, like everything else, inside the width; a
    full-page screenshot of it as the journey's next."""
    page.emulate_media(media="print")
    page.set_viewport_size(A4_PRINTABLE)
    printed = page.evaluate(_PRINTED, table)
    run.shots += 1
    page.screenshot(path=SCREENSHOTS / run.name / f"{run.shots:02d}-{name}.png", full_page=True)
    assert printed["header"] == 0 and printed["forms"] == 0, printed
    assert printed["scrollWidth"] <= printed["width"], printed
    assert printed["tableRight"] <= printed["width"] + 1, printed
    assert page.pdf(format="A4", margin={"top": "12mm", "bottom": "12mm"}).startswith(b"%PDF")
    page.emulate_media(media="screen")
    page.set_viewport_size({"width": 1280, "height": 900})


def assert_no_names(page) -> None:
    """BEIS reads aggregates: no participant's name on the national pages."""
    names = list(Participant.objects.values_list("last_name", flat=True)[:20])
    for url in ("/national/", "/national/timeliness/"):
        page.goto(url)
        main = page.locator("main").inner_text()
        assert not [name for name in names if re.search(rf"\b{re.escape(name)}\b", main)]


def test_beis_reads_the_years_progress_and_the_timeliness_grid(journey, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", stdout=io.StringIO())
    beis = User.objects.get(email="beis@example.org")

    run = journey("national-timeliness-grid")
    page = run.new_page()
    sign_in(page, beis)
    page.goto("/national/")
    run.check(page, "national picture")

    # Progress to the target: a chart (an image with its name) and its figures beside it.
    chart = page.get_by_role("img", name=re.compile("Progress to the target"))
    assert chart.count() == 1
    chart.evaluate("svg => svg.scrollIntoView({block: 'start'})")
    run.check(page, "progress to the target")
    table = page.locator("table[data-chart=progress]")
    assert "Started so far" in table.inner_text() and "Target" in table.inner_text()
    with page.expect_download() as download:
        page.locator(".app-chart-row").first.get_by_role(
            "link", name=re.compile("Download these figures")
        ).click()
    rows = _csv(download.value)
    assert rows[0] == ["Month", "Started so far", "Completed so far", "Target"]
    assert any(row[1] not in ("", "0") for row in rows[1:]), rows  # the year so far

    # The hubs ranked: every demo hub, with its cluster.
    ranking = page.locator("table.app-ranking")
    page.locator("#ranking").evaluate("heading => heading.scrollIntoView({block: 'start'})")
    run.check(page, "hubs ranked")
    for hub in ("GC Business Growth Hub", "Boost Lancashire Growth Hub"):
        assert hub in ranking.inner_text()
    assert "North West" in ranking.inner_text() and "Midlands" in ranking.inner_text()

    # The timeliness grid: words in every cell, some late and one missing.
    page.get_by_role("link", name="Completeness and timeliness").first.click()
    grid = page.locator("table.app-status-grid")
    grid.wait_for()
    run.check(page, "completeness and timeliness")
    grid.evaluate("table => table.scrollIntoView({block: 'start'})")
    run.check(page, "timeliness grid")
    text = grid.inner_text()
    assert "Submitted on time" in text and "Submitted late" in text
    assert text.count("Missing") == 1
    assert page.locator(".app-status-grid td[data-status=late]").count() == 4
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the grid (CSV)").click()
    rows = _csv(download.value)
    assert rows[0][:2] == ["Hub", "Cluster"] and len(rows) == 1 + 4
    assert sum(row.count("Missing") for row in rows) == 1

    # As it prints on A4: the whole grid inside the page's width; the national page too.
    assert_prints_on_a4(page, run, ".app-status-grid", "printed-on-a4")
    page.goto("/national/")
    assert_prints_on_a4(page, run, ".app-return-table", "national-printed-on-a4")

    # A cluster's picture, against its hubs' targets.
    page.goto("/national/")
    page.get_by_role("link", name=re.compile("^North West$")).first.click()
    run.check(page, "cluster picture")
    assert "hubs' targets" in page.locator("main").inner_text()

    assert_no_names(page)
