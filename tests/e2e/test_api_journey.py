"""The data API, in Chromium and from a program: BEIS's analyst makes a personal API
token on their account page (one wrong input first: no name), copies it from the one page
that shows it, reads the month's national return and the API's reference page with it as
a program would, then revokes it, and the next call is refused. Every page is checked by
axe, at 320 px and at 200% zoom, and by the Nu HTML checker (docs/api.md)."""

from __future__ import annotations

import datetime as dt

import pytest
import requests
from django.utils import timezone

from api.models import ApiToken
from peernet.calendar import month_start
from peernet.models import Role
from tests.e2e.conftest import assert_error_summary, expect_text, greater_manchester, sign_in
from tests.factories import make_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_token_made_used_and_revoked(journey, live_server):
    today = timezone.localdate()
    month = month_start(today.replace(day=1) - dt.timedelta(days=1))
    greater_manchester(month - dt.timedelta(days=90), today + dt.timedelta(days=240))
    analyst = make_user(Role.FUNDER, name="Bea Beis", email="bea@example.org")

    run = journey("api")
    page = run.new_page()
    sign_in(page, analyst)
    page.get_by_role("link", name="API tokens").click()
    run.check(page, "api tokens")

    page.get_by_role("button", name="Make a token").click()
    assert_error_summary(page, "Enter a name for the token", "id_name")
    run.check(page, "api tokens error")
    assert not ApiToken.objects.exists()

    page.get_by_label("Name").fill("Power BI monthly pull")
    page.get_by_role("button", name="Make a token").click()
    expect_text(page, "Copy it now: it is shown only this once.")
    secret = page.locator("#api-token-secret").inner_text().strip()
    run.check(page, "api token made")
    page.reload()  # shown once: not again, and no second token
    assert secret not in page.content()
    assert ApiToken.objects.count() == 1

    header = {"Authorization": f"Bearer {secret}"}
    answer = requests.get(
        f"{live_server.url}/api/v1/returns/",
        params={"month": f"{month:%Y-%m}", "scope": "national"},
        headers=header,
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["scope"]["level"] == "national"
    assert "registrations_month" in answer.json()["figures"]

    page.goto("/api/v1/")
    expect_text(page, "GET /api/v1/returns/")
    run.check(page, "api reference")

    page.goto("/account/api-tokens/")
    page.get_by_role("button", name="Revoke Power BI monthly pull").click()
    expect_text(page, "is revoked: it no longer works.")
    run.check(page, "api token revoked")
    refused = requests.get(f"{live_server.url}/api/v1/timeliness/", headers=header, timeout=30)
    assert refused.status_code == 401
    assert refused.json()["detail"].startswith("This API token was revoked on ")
