"""Complaints and compliments (Q5): the list, recording one, the action taken and closing."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse

from sessions.models import Complaint, ComplaintKind
from tests.pages import HUB_OUTSIDERS, assert_pages_answer

pytestmark = pytest.mark.django_db


def make_complaint(hub, **overrides) -> Complaint:
    n = Complaint.objects.count() + 1
    values = {"key": f"{hub.key}-c{n}", "received": dt.date(2021, 7, 2), "summary": "Late start"}
    values.update(overrides)
    return Complaint.objects.create(hub=hub, **values)


def urls(personas) -> list[str]:
    complaint = make_complaint(personas.hub_a)
    hub = personas.hub_a.key
    return [
        reverse("hub:complaints", kwargs={"hub": hub}),
        reverse("hub:complaint-new", kwargs={"hub": hub}),
        reverse("hub:complaint", kwargs={"hub": hub, "key": complaint.key}),
    ]


def test_pages_open_for_the_hubs_administrator(client, personas):
    assert_pages_answer(client, personas.hub_a_admin, urls(personas), 200)


@pytest.mark.parametrize("who", HUB_OUTSIDERS)
def test_anyone_else_gets_404(client, personas, who):
    assert_pages_answer(client, getattr(personas, who), urls(personas), 404)


def test_another_hubs_complaint_is_404_even_under_ones_own_hub(client, personas):
    theirs = make_complaint(personas.hub_b)
    client.force_login(personas.hub_a_admin)
    url = reverse("hub:complaint", kwargs={"hub": personas.hub_a.key, "key": theirs.key})
    assert client.get(url).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, personas):
    for url in urls(personas):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_list_open_first_with_q5_sentence_and_bounded_queries(
    client, personas, django_assert_num_queries
):
    closed = make_complaint(
        personas.hub_a,
        received=dt.date(2021, 8, 1),
        action_taken="Apologised",
        resolved=dt.date(2021, 8, 3),
    )
    open_ = make_complaint(personas.hub_a, received=dt.date(2021, 7, 2), received_from="Sam")
    make_complaint(personas.hub_b, summary="Hub B's own")
    client.force_login(personas.hub_a_admin)
    url = reverse("hub:complaints", kwargs={"hub": personas.hub_a.key})
    # session, user, the user's scope, the hub, the filtered list's count and its page of
    # complaints, the hub's counts (recorded, open), and the session's save (idle timeout:
    # a savepoint, the update, its release).
    with django_assert_num_queries(10):
        response = client.get(url)
    assert [c.key for c, _ in response.context["rows"]] == [open_.key, closed.key]
    body = response.content.decode()
    assert "The complaint received on 2 July 2021 has no action taken recorded." in body
    assert "Hub B&#x27;s own" not in body and "Hub B's own" not in body
    for n in range(5):
        make_complaint(personas.hub_a, summary=f"more {n}")
    with django_assert_num_queries(10):
        client.get(url)


def test_recording_a_compliment(client, personas):
    client.force_login(personas.hub_a_admin)
    url = reverse("hub:complaint-new", kwargs={"hub": personas.hub_a.key})
    response = client.post(
        url,
        {
            "kind": "compliment",
            "received_0": "2",
            "received_1": "7",
            "received_2": "2021",
            "received_from": "Jo Bloggs, Bloggs Ltd",
            "summary": "Great first session",
        },
    )
    assert response.status_code == 302
    complaint = Complaint.objects.get(hub=personas.hub_a)
    assert complaint.key == "hub-a-c1"
    assert complaint.kind == ComplaintKind.COMPLIMENT
    assert complaint.received == dt.date(2021, 7, 2)
    assert complaint.received_from == "Jo Bloggs, Bloggs Ltd"
    assert response["Location"] == reverse(
        "hub:complaint", kwargs={"hub": personas.hub_a.key, "key": complaint.key}
    )


@pytest.mark.parametrize(
    ("data", "messages"),
    [
        (
            {},
            [
                ("id_kind_1", "Choose whether it is a complaint or a compliment"),
                ("id_received_0", "Enter the date it was received"),
                ("id_received_from", "Enter who it was from"),
                ("id_summary", "Enter what they said"),
            ],
        ),
        (
            {
                "kind": "grumble",
                "received_0": "31",
                "received_1": "2",
                "received_2": "2021",
                "received_from": "x",
                "summary": "y",
            },
            [("id_kind_1", "Select a valid choice")],
        ),
        (
            {
                "kind": "complaint",
                "received_0": "1",
                "received_1": "1",
                "received_2": "2999",
                "received_from": "x",
                "summary": "y",
            },
            [("id_received_0", "The date it was received must be today or in the past")],
        ),
    ],
)
def test_bad_input_gets_govuk_messages_and_writes_nothing(client, personas, data, messages):
    client.force_login(personas.hub_a_admin)
    url = reverse("hub:complaint-new", kwargs={"hub": personas.hub_a.key})
    response = client.post(url, data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body
    for anchor, message in messages:
        assert f'href="#{anchor}">{message}' in body
    assert not Complaint.objects.exists()


def post_close(client, personas, complaint, **data):
    url = reverse("hub:complaint", kwargs={"hub": personas.hub_a.key, "key": complaint.key})
    return client.post(url, data)


def test_closing_a_complaint_needs_the_action_taken(client, personas):
    complaint = make_complaint(personas.hub_a)
    client.force_login(personas.hub_a_admin)
    response = post_close(client, personas, complaint, closed_0="5", closed_1="7", closed_2="2021")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'href="#id_action_taken">Enter the action taken before closing the complaint' in body
    assert "has no action taken recorded" in body  # Q5's sentence
    complaint.refresh_from_db()
    assert complaint.resolved is None

    early = post_close(
        client,
        personas,
        complaint,
        action_taken="Called them",
        closed_0="1",
        closed_1="7",
        closed_2="2021",
    )
    assert "on or after the date received" in early.content.decode()
    complaint.refresh_from_db()
    assert complaint.resolved is None and complaint.action_taken == ""

    done = post_close(
        client,
        personas,
        complaint,
        action_taken="Called them and moved the start time",
        closed_0="5",
        closed_1="7",
        closed_2="2021",
    )
    assert done.status_code == 302
    complaint.refresh_from_db()
    assert complaint.action_taken == "Called them and moved the start time"
    assert complaint.resolved == dt.date(2021, 7, 5)


def test_recording_the_action_keeps_it_open(client, personas):
    complaint = make_complaint(personas.hub_a)
    client.force_login(personas.hub_a_admin)
    assert post_close(client, personas, complaint, action_taken="Emailed").status_code == 302
    complaint.refresh_from_db()
    assert complaint.action_taken == "Emailed" and complaint.resolved is None


def test_user_text_is_escaped(client, personas):
    make_complaint(personas.hub_a, summary="<script>x()</script>", received_from="<b>Sam</b>")
    client.force_login(personas.hub_a_admin)
    body = client.get(reverse("hub:complaints", kwargs={"hub": personas.hub_a.key})).content
    assert b"<script>x()" not in body and b"<b>Sam" not in body


def test_kind_and_from_whom_survive_the_scenario_round_trip():
    """The new Q5 fields travel through the scenario format (schema, import, export)."""
    from tests.reporting.conftest import SMALL, export_after_import

    small = json.loads(SMALL.read_text(encoding="utf-8"))
    small["complaints"][1].update(kind="compliment", received_from="Jo Bloggs")
    exported = export_after_import(small)
    by_key = {c["key"]: c for c in exported["complaints"]}
    assert (by_key["wy-c1"]["kind"], by_key["wy-c1"]["received_from"]) == (
        "compliment",
        "Jo Bloggs",
    )
    assert (by_key["gm-complaint-1"]["kind"], by_key["gm-complaint-1"]["received_from"]) == (
        None,  # a complaint, the default, is written as nothing
        None,
    )
