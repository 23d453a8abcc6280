"""The hub administration area's start page, and who may open it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reporting.services import risk_scan_run
from tests.factories import local

pytestmark = pytest.mark.django_db


def dashboard(hub) -> str:
    return reverse("hub:home", kwargs={"hub": hub.key})


def test_hub_administrator_sees_their_hub_and_its_to_do_list(client, personas):
    risk_scan_run(hub=personas.hub_a, as_of=local("2022-04-02T06:00"))  # after the window
    client.force_login(personas.hub_a_admin)
    response = client.get(dashboard(personas.hub_a))
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    assert personas.hub_a.name in response.content.decode()
    rules = {item.rule for item in response.context["todo"]}
    assert "K2" in rules  # the cohorts never met: 0 of 18 hours when the window closed


@pytest.mark.parametrize("who", ["hub_b_admin", "facilitator", "provider", "funder", "evaluator"])
def test_anyone_but_the_hubs_administrator_gets_404(client, personas, who):
    client.force_login(getattr(personas, who))
    assert client.get(dashboard(personas.hub_a)).status_code == 404


def test_the_coordinator_may_open_any_hub(client, personas):
    client.force_login(personas.coordinator)
    assert client.get(dashboard(personas.hub_b)).status_code == 200


def test_anonymous_is_sent_to_sign_in(client, personas):
    response = client.get(dashboard(personas.hub_a))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_home_sends_a_hub_administrator_to_their_dashboard(client, personas):
    client.force_login(personas.hub_a_admin)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == dashboard(personas.hub_a)


def test_dashboard_queries(client, personas, django_assert_num_queries):
    risk_scan_run(hub=personas.hub_a, as_of=local("2022-04-02T06:00"))
    client.force_login(personas.hub_a_admin)
    # session, user, the user's scope (for the hub), the hub, the user's scope (for the
    # findings: a new request object each time), the findings with their programme and hub,
    # and the session's save (idle timeout).
    with django_assert_num_queries(8):
        client.get(dashboard(personas.hub_a))
