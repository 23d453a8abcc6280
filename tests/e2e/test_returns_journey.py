"""The monthly return, in Chromium: the hub administrator reviews last month's draft,
tries to submit it without the supporting narrative (the one wrong input: the error
summary's link focuses the box), writes it and submits (M1, M2); then BEIS reads the
completeness and timeliness page and downloads the month's return as an XLSX workbook.
Every page is checked by axe, at 320 px and at 200% zoom.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from peernet.calendar import month_start
from peernet.models import Role
from reporting.exports import export_run
from reporting.models import ExportFile, ReturnVersion
from tests.e2e.conftest import (
    assert_error_summary,
    expect_text,
    greater_manchester,
    sign_in,
    workbook_cells,
)
from tests.factories import make_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_return_submitted_then_read_and_downloaded_nationally(journey):
    today = timezone.localdate()
    month = month_start(today.replace(day=1) - dt.timedelta(days=1))  # last month
    gm = greater_manchester(
        month - dt.timedelta(days=90), today + dt.timedelta(days=240), admin=True
    )
    hub, admin = gm.hub, gm.admin
    funder = make_user(Role.FUNDER, name="Bea Beis", email="bea@example.org")
    gm.join(
        ["", "", ""], registered=month + dt.timedelta(days=2), joined=month + dt.timedelta(days=9)
    )

    run = journey("returns")
    page = run.new_page()
    sign_in(page, admin)
    page.locator(".app-hub-navigation").get_by_role("link", name="Monthly returns").click()
    run.check(page, "monthly returns")
    page.get_by_role("link", name=f"{month:%B %Y}").click()
    run.check(page, "return")
    if page.get_by_role("button", name="Compile the draft").count():
        page.get_by_role("button", name="Compile the draft").click()
        expect_text(page, "The draft was compiled from the records as they stand.")
    run.check(page, "return draft")

    # The one wrong input: submitted without the narrative; nothing is frozen.
    page.get_by_role("button", name="Submit the return").click()
    assert_error_summary(page, "Enter the supporting narrative", "id_narrative")
    run.check(page, "return error")
    assert not ReturnVersion.objects.filter(monthly_return__hub=hub).exists()
    page.get_by_label("Supporting narrative").fill(
        "Three businesses registered and joined the Salford cohort."
    )
    page.get_by_role("button", name="Submit the return").click()
    # The first click only asks, saying what submitting does; nothing is frozen yet.
    expect_text(page, f"Are you sure you want to submit the return for {month:%B %Y}?")
    run.check(page, "confirm the return")
    assert not ReturnVersion.objects.filter(monthly_return__hub=hub).exists()
    page.get_by_role("button", name="Yes, submit the return").click()
    expect_text(page, f"Version 1 of the return for {month:%B %Y} was submitted.")
    run.check(page, "return submitted")
    version = ReturnVersion.objects.get(monthly_return__hub=hub, monthly_return__month=month)
    assert version.version == 1 and version.submitted_by == admin
    assert version.narrative == "Three businesses registered and joined the Salford cohort."

    # BEIS: completeness and timeliness, then the month's return as a workbook.
    beis = run.new_page()
    sign_in(beis, funder)
    run.check(beis, "national returns")
    beis.get_by_role("link", name="Completeness and timeliness").first.click()
    run.check(beis, "timeliness")
    assert hub.name in beis.locator("main").inner_text()

    beis.get_by_role("link", name="Returns", exact=True).click()
    beis.get_by_label("Month", exact=True).select_option(f"{month:%Y-%m}")
    beis.get_by_role("button", name="Show").click()
    beis.get_by_label("Excel workbook (XLSX)").check()
    beis.get_by_role("button", name="Prepare the download").click()
    beis.wait_for_url("**/national/exports/*/")
    # The page reloads itself while the file is built (WCAG 2.2.1: it can be stopped).
    beis.get_by_role("link", name="Stop checking automatically").click()
    run.check(beis, "download being prepared")
    export = ExportFile.objects.get(requested_by=funder)
    # The worker's part (reporting.export_tasks.export_build), run here.
    export_run(export.pk)
    beis.get_by_role("link", name="Check again").click()
    expect_text(beis, "Your download is ready")
    export.refresh_from_db()
    run.check(beis, "download ready")
    with beis.expect_download() as download_info:
        beis.get_by_role("link", name=f"Download {export.filename}").first.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    cells = workbook_cells(download.path().read_bytes())
    assert any(hub.name in cell for cell in cells), cells[:40]
