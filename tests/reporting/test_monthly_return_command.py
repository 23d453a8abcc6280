"""`manage.py monthly_return --month YYYY-MM (--hub KEY | --cluster KEY | --national)
[--submitted]` prints the return's JSON (docs/returns.md "Outputs"); bad arguments are a
clear message and a non-zero exit."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from peernet.calendar import LONDON
from peernet.models import Hub, User
from reporting import kpi, returns
from reporting.scenario import import_document
from sessions.models import GroupSession
from tests.reporting.test_kpi_scenario import (
    HA_OCTOBER,
    HC_OCTOBER,
    NATIONAL_OCTOBER,
    NORTH_OCTOBER,
    document,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _scenario() -> None:
    import_document(document())


def run(*args: str) -> dict:
    out = StringIO()
    call_command("monthly_return", *args, stdout=out)
    return json.loads(out.getvalue())


def test_a_hub():
    printed = run("--month", "2021-10", "--hub", "ha")
    assert list(printed) == ["scope", "month", "figures", "breakdowns"]
    assert printed["scope"] == {"level": "hub", "key": "ha", "name": "Hub A", "cluster": "north"}
    assert printed["month"] == "2021-10"
    assert printed["figures"] == HA_OCTOBER
    assert list(printed["figures"]) == kpi.FIGURE_IDS
    assert list(printed["breakdowns"]) == kpi.BREAKDOWN_IDS
    assert printed["breakdowns"]["employees_band"]["5-9"] == 2
    assert run("--month", "2021-10", "--hub", "hc")["figures"] == HC_OCTOBER


def test_a_cluster_and_the_nation():
    north = run("--month", "2021-10", "--cluster", "north")
    assert north["scope"] == {
        "level": "cluster",
        "key": "north",
        "name": "North",
        "hubs": ["ha", "hb"],
    }
    assert north["figures"] == NORTH_OCTOBER
    national = run("--month", "2021-10", "--national")
    assert national["scope"] == {"level": "national", "hubs": ["ha", "hb", "hc"]}
    assert national["figures"] == NATIONAL_OCTOBER


def test_submitted_prints_the_frozen_version_not_a_fresh_computation():
    admin = User.objects.get(key="ha-admin")
    monthly_return = returns.compile_draft(Hub.objects.get(key="ha").pk, "2021-10")
    version = returns.submit_return(
        monthly_return,
        admin,
        "A good month.",
        now=dt.datetime(2021, 11, 3, 10, 0, tzinfo=LONDON),
    )
    GroupSession.objects.filter(key="c1-s7").update(status="cancelled")
    printed = run("--month", "2021-10", "--hub", "ha", "--submitted")
    assert printed["figures"] == version.figures
    assert printed["version"]["version"] == 1
    assert printed["version"]["sha256"] == version.sha256
    assert printed["version"]["narrative"] == "A good month."
    fresh = run("--month", "2021-10", "--hub", "ha")
    assert (
        fresh["figures"]["sessions_delivered_month"]
        == printed["figures"]["sessions_delivered_month"] - 1
    )
    national = run("--month", "2021-10", "--national", "--submitted")
    assert national["scope"]["submitted"] == ["ha"]
    assert national["scope"]["not_submitted"] == ["hb", "hc"]
    assert national["figures"] == version.figures


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--month", "2021-13", "--hub", "ha"], "--month: Give the month as YYYY-MM"),
        (["--month", "October", "--national"], "--month: Give the month as YYYY-MM"),
        (["--month", "2021-10", "--hub", "zz"], 'there is no hub with the key "zz"'),
        (["--month", "2021-10", "--cluster", "zz"], 'there is no cluster with the key "zz"'),
        (["--month", "2021-10", "--hub", "hb", "--submitted"], "Hub B has no submitted return"),
    ],
)
def test_bad_arguments_are_a_clear_message(args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)


@pytest.mark.parametrize(
    "args",
    [
        ["--month", "2021-10"],  # no scope
        ["--month", "2021-10", "--hub", "ha", "--national"],  # two scopes
        ["--hub", "ha"],  # no month
    ],
)
def test_a_missing_or_doubled_scope_exits_non_zero(args):
    with pytest.raises((CommandError, SystemExit)):
        call_command("monthly_return", *args, stdout=StringIO(), stderr=StringIO())
