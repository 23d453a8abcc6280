"""Every page of the national area (/national/, the `national` namespace) is for the
national coordinator, BEIS (funder) and the evaluator: every hub role gets a 404, and
anyone signed out is sent to sign in (docs/security.md §1, §2).

The pages are found by walking the URL resolver, so a new page fails here until it is
added to KWARGS below.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.urls import reverse

from tests.factories import Personas, make_finished_export
from tests.pages import area_page_names, assert_sent_to_sign_in

pytestmark = pytest.mark.django_db

NATIONAL = ["coordinator", "funder", "evaluator"]
OUTSIDERS = ["hub_a_admin", "hub_b_admin", "facilitator", "provider"]


def _own_export(personas: Personas, user) -> dict:
    """A finished download of the user's own (so only the role decides the answer)."""
    export = make_finished_export(user, {"area": "national", "key": "", "month": "2021-10"})
    return {"pk": export.pk}


# name -> (the URL's arguments, given the personas and the user asking; POST only?)
KWARGS: dict[str, tuple[Callable[[Personas, object], dict], bool]] = {
    "home": (lambda p, u: {}, False),
    "timeliness": (lambda p, u: {}, False),
    "chart-csv": (lambda p, u: {"chart": "progress"}, False),
    "cluster": (lambda p, u: {"cluster": p.hub_a.cluster.key}, False),
    "hub": (lambda p, u: {"hub": p.hub_a.key}, False),
    "exports": (lambda p, u: {}, False),
    "export-new": (lambda p, u: {}, True),
    "export": (_own_export, False),
    "export-download": (_own_export, False),
    "instruments": (lambda p, u: {}, False),
    "instrument-new": (lambda p, u: {"kind": "baseline"}, False),
    "scenario": (lambda p, u: {}, False),
    "follow-up": (lambda p, u: {}, False),
    "follow-up-send": (lambda p, u: {}, True),
}
# Publishing what participants are asked is the coordinator's alone (issue 15).
COORDINATOR_ONLY = {"instruments", "instrument-new", "scenario"}
# The six-month follow-up (S5) is the evaluator's, and the coordinator's who answers for
# it; BEIS reads aggregates only.
EVALUATOR_ONLY = {"follow-up", "follow-up-send"}
# Where a POST-only page sends the national roles back (without a completer chosen, the
# follow-up's page says so).
POSTED_TO = {"follow-up-send": "/national/follow-up/"}
EXPORT_FORM = {"kind": "return-csv", "area": "national", "key": "", "month": "2021-10"}


def test_every_national_page_is_covered():
    missing = sorted(set(area_page_names("national", "national/")) - set(KWARGS))
    assert not missing, f"Add these national pages to KWARGS in this file: {missing}"


NAMES = sorted(set(area_page_names("national", "national/")) & set(KWARGS))


def _ask(client, personas: Personas, name: str, user) -> object:
    kwargs, post_only = KWARGS[name]
    url = reverse(f"national:{name}", kwargs=kwargs(personas, user))
    return client.post(url, EXPORT_FORM) if post_only else client.get(url)


@pytest.mark.parametrize("role", NATIONAL)
@pytest.mark.parametrize("name", NAMES)
def test_the_national_roles_can_open_it(client, personas, name, role):
    user = getattr(personas, role)
    client.force_login(user)
    response = _ask(client, personas, name, user)
    refused = (name in COORDINATOR_ONLY and role != "coordinator") or (
        name in EVALUATOR_ONLY and role == "funder"
    )
    if refused:
        assert response.status_code == 404
    elif KWARGS[name][1]:
        assert response.status_code == 302
        assert response["Location"].startswith(POSTED_TO.get(name, "/national/exports/"))
    else:
        assert response.status_code == 200


@pytest.mark.parametrize("role", OUTSIDERS)
@pytest.mark.parametrize("name", NAMES)
def test_every_hub_role_gets_a_404(client, personas, name, role):
    user = getattr(personas, role)
    client.force_login(user)
    # Even a download of their own is not theirs once they hold no national role.
    assert _ask(client, personas, name, user).status_code == 404


@pytest.mark.parametrize("name", NAMES)
def test_anonymous_is_sent_to_sign_in(client, personas, name):
    assert_sent_to_sign_in(_ask(client, personas, name, personas.coordinator))


def test_another_hub_or_cluster_key_that_does_not_exist_is_a_404(client, personas):
    client.force_login(personas.funder)
    assert client.get(reverse("national:hub", kwargs={"hub": "nowhere"})).status_code == 404
    assert client.get(reverse("national:cluster", kwargs={"cluster": "nowhere"})).status_code == 404
