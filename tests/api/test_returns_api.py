"""/api/v1/returns/ and /api/v1/timeliness/ (docs/api.md): the same figures as
`monthly_return` and the XLSX (one function, `reporting.returns.return_document`), for
whoever the pages show them to."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from peernet.calendar import LONDON
from peernet.models import Hub, Role, User
from reporting import kpi, returns
from reporting.scenario import import_document
from tests.factories import make_api_token, make_user
from tests.reporting.test_kpi_scenario import HA_OCTOBER, NATIONAL_OCTOBER, document
from tests.reporting.test_monthly_return_command import run as command

pytestmark = pytest.mark.django_db

RETURNS = "/api/v1/returns/"


@pytest.fixture(autouse=True)
def _scenario() -> None:
    import_document(document())


def get(client, user: User, **params: str):
    return client.get(RETURNS, params, HTTP_AUTHORIZATION=make_api_token(user))


def submit_every_hub() -> None:
    admin = User.objects.get(key="ha-admin")
    for hub in Hub.objects.order_by("key"):
        returns.submit_return(
            returns.compile_draft(hub.pk, "2021-10"),
            admin,
            "October.",
            now=dt.datetime(2021, 11, 3, 10, 0, tzinfo=LONDON),
        )


def test_the_coordinators_draft_is_monthly_returns_national_figures(client):
    coordinator = make_user(Role.COORDINATOR)
    answer = get(client, coordinator, month="2021-10", scope="national", kind="draft")
    assert answer.status_code == 200
    body = answer.json()
    printed = command("--month", "2021-10", "--national")
    assert body["figures"] == printed["figures"] == NATIONAL_OCTOBER
    assert list(body["figures"]) == kpi.FIGURE_IDS
    assert body["scope"]["hubs"] == ["ha", "hb", "hc"]
    assert body["kind"] == "draft" and body["month"] == "2021-10"
    assert body["labels"]["registrations_month"] == kpi.LABELS["registrations_month"]
    assert list(body["breakdowns"]) == kpi.BREAKDOWN_IDS


def test_beis_reads_the_submitted_versions_the_same_figures_as_the_command(client):
    funder = make_user(Role.FUNDER)
    submit_every_hub()
    answer = get(client, funder, month="2021-10")  # national, submitted: the defaults
    assert answer.status_code == 200
    body = answer.json()
    submitted = command("--month", "2021-10", "--national", "--submitted")
    assert body["figures"] == submitted["figures"]
    # Nothing changed since the submissions: the same as the command's fresh figures.
    assert body["figures"] == command("--month", "2021-10", "--national")["figures"]
    assert body["figures"] == NATIONAL_OCTOBER
    assert body["scope"]["submitted"] == ["ha", "hb", "hc"]
    assert body["kind"] == "submitted"


def test_beis_may_not_see_a_draft(client):
    funder = make_user(Role.FUNDER)
    assert get(client, funder, month="2021-10", kind="draft").status_code == 404


def test_a_hub_admin_reads_their_own_hubs_draft_and_no_other_area(client):
    admin = User.objects.get(key="ha-admin")
    own = get(client, admin, month="2021-10", scope="hub", key="ha", kind="draft")
    assert own.status_code == 200
    assert own.json()["figures"] == HA_OCTOBER
    assert own.json()["scope"] == {
        "level": "hub",
        "key": "ha",
        "name": "Hub A",
        "cluster": "north",
        "hubs": [],
        "submitted": None,
        "not_submitted": None,
    }
    for params in (
        {"scope": "hub", "key": "hb"},
        {"scope": "cluster", "key": "north"},
        {"scope": "national"},
    ):
        answer = get(client, admin, month="2021-10", kind="draft", **params)
        assert answer.status_code == 404, params


def test_a_hub_with_nothing_submitted_is_a_clear_400(client):
    funder = make_user(Role.FUNDER)
    answer = get(client, funder, month="2021-10", scope="hub", key="hb")
    assert answer.status_code == 400
    assert answer.json() == {"detail": "Hub B has no submitted return for October 2021."}


@pytest.mark.parametrize(
    ("params", "status", "detail"),
    [
        ({"month": "2021-13"}, 400, "month: Give the month as YYYY-MM"),
        ({"month": "October"}, 422, None),
        ({"month": "2021-10", "scope": "cluster", "key": "nowhere"}, 404, None),
        ({"month": "2021-10", "scope": "planet"}, 422, None),
    ],
)
def test_bad_parameters_are_refused_clearly(client, params, status, detail):
    answer = get(client, make_user(Role.COORDINATOR), **params)
    assert answer.status_code == status
    if detail:
        assert answer.json()["detail"].startswith(detail)


def test_timeliness_counts_each_hubs_status(client):
    funder = make_user(Role.FUNDER)
    submit_every_hub()
    with time_machine.travel(dt.datetime(2021, 11, 20, 12, 0, tzinfo=LONDON), tick=False):
        answer = client.get("/api/v1/timeliness/", HTTP_AUTHORIZATION=make_api_token(funder))
    assert answer.status_code == 200
    body = answer.json()
    october = next(m for m in body["months"] if m["month"] == "2021-10")
    # Three hubs, each submitted on 3 November: on time (the 7th).
    assert (october["expected"], october["submitted"], october["on_time"]) == (3, 3, 3)
    assert october["completeness_pct"] == "100.0" and october["closed"] is True
    assert {h["hub"]: h["statuses"]["2021-10"] for h in body["hubs"]} == {
        "ha": "on_time",
        "hb": "on_time",
        "hc": "on_time",
    }
