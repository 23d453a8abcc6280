"""one_to_one_declined_cumulative counts refusals dated up to the month's end (O8): a
month recompiled after a later refusal does not count it, nor stop counting the person
as at risk for that month."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from reporting import kpi
from tests.factories import local

pytestmark = pytest.mark.django_db


def _figures(hub, month: dt.date) -> dict:
    return kpi.compute_hub(hub, month)["figures"]


def test_a_refusal_counts_from_the_month_it_was_made(client, personas):
    p = personas
    october, november = dt.date(2021, 10, 1), dt.date(2021, 11, 1)
    before = _figures(p.hub_a, october)
    before_november = _figures(p.hub_a, november)
    client.force_login(p.hub_a_admin)
    url = reverse("hub:one-to-one-decline", kwargs={"hub": "hub-a", "code": p.participant_a.code})
    # Recorded through the hub's page: declined on 1 November 2021.
    response = client.post(
        url, {"declined_on_0": "1", "declined_on_1": "11", "declined_on_2": "2021", "note": ""}
    )
    assert response.status_code == 302

    after_october = _figures(p.hub_a, october)
    assert after_october["one_to_one_declined_cumulative"] == 0
    # October is as it was: participant_a was still owed support then.
    assert (
        after_october["participants_at_risk_one_to_one"]
        == before["participants_at_risk_one_to_one"]
    )
    after_november = _figures(p.hub_a, november)
    assert after_november["one_to_one_declined_cumulative"] == 1
    # From November the refusal excuses them (O8): one fewer at risk.
    assert (
        after_november["participants_at_risk_one_to_one"]
        == before_november["participants_at_risk_one_to_one"] - 1
    )


def test_the_last_day_of_the_month_counts_in_that_month(client, personas):
    from sessions.one_to_one.services import one_to_one_decline

    p = personas
    one_to_one_decline(
        participant=p.participant_a,
        declined_on=dt.date(2021, 10, 31),
        note="",
        by=p.hub_a_admin,
        today=local("2021-11-01T09:00").date(),
    )
    assert _figures(p.hub_a, dt.date(2021, 10, 1))["one_to_one_declined_cumulative"] == 1
    assert _figures(p.hub_a, dt.date(2021, 9, 1))["one_to_one_declined_cumulative"] == 0
