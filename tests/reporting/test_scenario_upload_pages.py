"""Scenario documents uploaded from a page (docs/scenario-format.md, issue 15): the national
coordinator for any hub, a hub's administrators for their own hub only; all or nothing,
every problem by its JSON path."""

from __future__ import annotations

import html
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from participants.models import Participant
from peernet.models import AuditEvent

pytestmark = pytest.mark.django_db

HUB_PAGE = reverse("hub:scenario", kwargs={"hub": "hub-a"})
NATIONAL_PAGE = reverse("national:scenario")


def _document(hub: str = "hub-a", **extra) -> dict:
    """Two registrations for `hub`, the programme and cluster repeated as they are."""
    document = {
        "format": "peernet-scenario/1",
        "programme": {
            "name": "Peer Networks 2021/22",
            "delivery_start": "2021-04-01",
            "delivery_end": "2022-03-31",
            "national_target": 6000,
        },
        "clusters": [{"key": "north-west", "name": "North West"}],
        "businesses": [
            {"key": f"up-b{n}", "name": f"Uploaded {n} Ltd", "local_authority": "Salford"}
            for n in (1, 2)
        ],
        "participants": [
            {
                "key": f"up-p{n}",
                "hub": hub,
                "business": f"up-b{n}",
                "first_name": "Up",
                "last_name": f"Loaded{n}",
                "email": f"up{n}@example.org",
                "senior_decision_maker": True,
                "aspiration_to_improve": True,
                "previous_year_participant": False,
                "registered": "2021-05-03",
                "privacy_notice_acknowledged": "2021-05-03",
            }
            for n in (1, 2)
        ],
    }
    document.update(extra)
    return document


def _upload(client, url: str, document, **data):
    content = document if isinstance(document, bytes) else json.dumps(document).encode()
    return client.post(url, {"document": SimpleUploadedFile("doc.json", content), **data})


def _problems(response) -> list[str]:
    page = response.content.decode()
    listed = re.search(r"data-problems>(.*?)</ul>", page, re.S)
    assert listed, "no problems listed"
    items = re.findall(r"<li>(.*?)</li>", listed.group(1), re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", item)).strip() for item in items]


def test_a_hub_imports_its_own_records(client, personas):
    client.force_login(personas.hub_a_admin)
    response = _upload(client, HUB_PAGE, _document())
    assert response.status_code == 302, response.content.decode()[:2000]
    assert set(
        Participant.objects.filter(key__startswith="up-").values_list("hub__key", flat=True)
    ) == {"hub-a"}
    assert AuditEvent.objects.filter(summary__startswith="Scenario uploaded").exists()


def test_another_hubs_records_and_the_structure_are_refused_by_path(client, personas):
    client.force_login(personas.hub_a_admin)
    document = _document(
        hubs=[{"key": "hub-z", "name": "Z", "lep": "Z", "cluster": "north-west", "target": 1}],
        clusters=[{"key": "north-west", "name": "A new name"}],
    )
    document["participants"][1]["hub"] = "hub-b"
    response = _upload(client, HUB_PAGE, document)
    assert response.status_code == 400
    problems = _problems(response)
    assert "hubs: a hub's document cannot define hubs" in problems
    assert any(p.startswith("participants[1].hub: only HUB-A Growth Hub") for p in problems)
    assert "clusters[0]: a hub's document can only repeat a cluster exactly as it is" in problems
    assert not Participant.objects.filter(key__startswith="up-").exists()  # nothing written


def test_a_hub_s_upload_lists_its_other_faults_with_the_hub_s_own(client, personas):
    client.force_login(personas.hub_a_admin)
    document = _document()
    document["participants"][1]["hub"] = "hub-b"
    document["participants"][0]["registered"] = "2021-02-30"
    document["businesses"][0]["colour"] = "blue"
    response = _upload(client, HUB_PAGE, document)
    assert response.status_code == 400
    problems = _problems(response)
    assert any(p.startswith("participants[1].hub: only HUB-A Growth Hub") for p in problems)
    assert "businesses[0].colour: unknown field, not part of peernet-scenario/1" in problems
    assert 'participants[0].registered: "2021-02-30" is not a date in the calendar' in problems
    assert not Participant.objects.filter(key__startswith="up-").exists()


def test_a_bad_document_lists_every_problem_and_writes_nothing(client, personas):
    client.force_login(personas.coordinator)
    document = _document()
    document["participants"][0]["business"] = "no-such-business"
    document["participants"][1]["business"] = "nor-this-one"
    response = _upload(client, NATIONAL_PAGE, document)
    assert response.status_code == 400
    problems = _problems(response)
    assert len(problems) >= 2
    assert any(p.startswith("participants[0].business") for p in problems)
    assert any(p.startswith("participants[1].business") for p in problems)
    assert not Participant.objects.filter(key__startswith="up-").exists()


def test_not_json_is_a_clear_problem(client, personas):
    client.force_login(personas.coordinator)
    response = _upload(client, NATIONAL_PAGE, b'{"format": ')
    assert response.status_code == 400
    (problem,) = _problems(response)
    assert problem.startswith("doc.json is not valid JSON:") and "line 1" in problem


def test_the_coordinator_imports_any_hub_and_may_update(client, personas):
    client.force_login(personas.coordinator)
    assert _upload(client, NATIONAL_PAGE, _document(hub="hub-b")).status_code == 302
    again = _upload(client, NATIONAL_PAGE, _document(hub="hub-b"))
    assert "already exists; use --update to update it" in " ".join(_problems(again))
    assert _upload(client, NATIONAL_PAGE, _document(hub="hub-b"), update="on").status_code == 302
    # The hub's page offers no update: asking for one changes nothing.
    client.force_login(personas.hub_b_admin)
    page = client.get(reverse("hub:scenario", kwargs={"hub": "hub-b"})).content.decode()
    assert 'name="update"' not in page


def test_the_hub_page_is_its_administrators_only(client, personas):
    for role in ("hub_b_admin", "facilitator", "funder"):
        client.force_login(getattr(personas, role))
        assert _upload(client, HUB_PAGE, _document()).status_code == 404
    assert not Participant.objects.filter(key__startswith="up-").exists()
