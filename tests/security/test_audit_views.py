"""docs/security.md §21: every showing of a page about a named person is in the audit trail.

One mechanism records it (peernet.audit.PersonalDataViewMiddleware, driven by
PERSON_PAGES). This file walks every page of every staff area, as the role that may open
it, and reads what it shows: a page showing participant_a's name or email is either a
page about them (its view recorded, naming them, by that user) or a list of people
(LIST_PAGES, each with why). A new page that shows a person fails here until it is one
or the other.
"""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from peernet.audit import PERSON_PAGES
from peernet.models import AuditEvent
from tests import test_facilitation_pages_access as facilitation
from tests import test_hub_pages_access as hub_pages
from tests import test_one_to_one_pages_access as one_to_one
from tests import test_privacy_pages_access as privacy
from tests.factories import Personas

pytestmark = pytest.mark.django_db

# Pages listing many people: each name links to a page about that one person, where the
# view is recorded. Listing is not recorded per person (it would bury the trail).
LIST_PAGES = {
    "hub:registrations": "the hub's registrations, searched and filtered",
    "hub:cohort": "a cohort's members",
    "facilitation:session": "the members expected at a session",
    "facilitation:attendance": "the register of a session",
    "facilitation:action-cards": "the action cards of a session's members",
    "one_to_one:home": "the provider's participants",
    "hub:continuing-group": "a continuing group's members",
    "hub:referrals": "the hub's referrals to business support",
    "hub:one-to-ones": "each participant's one-to-one hours, searched and filtered",
}


def _text(response) -> str:
    if response["Content-Type"].startswith("application/pdf"):
        reader = PdfReader(io.BytesIO(response.content))
        return "\n".join(page.extract_text() for page in reader.pages)
    return response.content.decode()


def _pages(personas: Personas, area: str) -> list[tuple[str, object, str]]:
    """(URL name, who may open it, URL) of every page of the area that a visit opens."""
    p = personas
    if area == "hub":
        w = hub_pages.World(p)
        return [
            (f"hub:{n}", p.hub_a_admin, hub_pages._url(n, "hub-a", w))
            for n in hub_pages.NAMES
            if not hub_pages.KWARGS[n][1]
        ]
    if area == "facilitation":
        w = facilitation.World(p)
        return [
            (f"facilitation:{n}", p.facilitator, facilitation._url(n, w))
            for n in sorted(set(facilitation.KWARGS) - facilitation.POST_ONLY)
        ]
    if area == "one_to_one":
        w = one_to_one.World(p)
        return [
            (f"one_to_one:{n}", p.provider, one_to_one._url(n, w))
            for n in sorted(set(one_to_one.KWARGS) - one_to_one.POST_ONLY)
        ]
    w = privacy.World(p)
    return [(f"privacy:{n}", p.coordinator, privacy._url(n, w)) for n in privacy.NAMES]


@pytest.mark.parametrize("area", ["hub", "facilitation", "one_to_one", "privacy"])
def test_every_page_showing_a_person_records_who_saw_them(client, personas, area):
    person = personas.participant_a
    unrecorded, unclassified, checked = [], [], 0
    for name, user, url in _pages(personas, area):
        client.force_login(user)
        before = set(AuditEvent.objects.values_list("pk", flat=True))
        response = client.get(url)
        assert response.status_code == 200, name
        shows = person.full_name in _text(response) or person.email in _text(response)
        new = AuditEvent.objects.exclude(pk__in=before)
        viewed = new.filter(
            action__in=["view", "export"],
            object_type="participants.participant",
            object_id=str(person.pk),
            actor=user,
        )
        if name in PERSON_PAGES:
            checked += 1
            if not viewed.exists():
                unrecorded.append(name)
        elif shows and name not in LIST_PAGES:
            unclassified.append(name)
        else:
            assert not new.filter(action="view").exists(), f"{name} recorded a view"
    assert not unrecorded, f"These pages about a person recorded no view: {unrecorded}"
    assert not unclassified, (
        "These pages show a person: add each to peernet.audit.PERSON_PAGES (about one "
        f"person) or to LIST_PAGES here (a list of people): {unclassified}"
    )
    assert checked, "no page about a person was walked"


def test_the_event_says_who_saw_whom_where(client, personas):
    client.force_login(personas.facilitator)
    url = reverse(
        "facilitation:member",
        kwargs={
            "hub": "hub-a",
            "cohort": personas.cohort_a.code,
            "participant": personas.participant_a.code,
        },
    )
    client.get(url, REMOTE_ADDR="203.0.113.9")
    (event,) = AuditEvent.objects.filter(action="view")
    assert event.actor == personas.facilitator
    assert (event.object_type, event.object_id) == (
        "participants.participant",
        str(personas.participant_a.pk),
    )
    assert event.hub_id == personas.hub_a.pk
    assert event.summary == "Viewed: facilitation:member"
    assert event.ip_address == "203.0.113.9"


def test_a_refused_page_records_nothing(client, personas):
    client.force_login(personas.hub_b_admin)
    url = reverse("hub:participant", kwargs={"hub": "hub-a", "code": personas.participant_a.code})
    assert client.get(url).status_code == 404
    assert not AuditEvent.objects.filter(action="view").exists()


def test_the_admin_change_form_records_the_view(client, personas):
    boss = personas.coordinator
    boss.is_staff = boss.is_superuser = True
    boss.save()
    client.force_login(boss)
    url = reverse("admin:participants_participant_change", args=[personas.participant_a.pk])
    assert client.get(url).status_code == 200
    (event,) = AuditEvent.objects.filter(action="view")
    assert (event.actor, event.object_id) == (boss, str(personas.participant_a.pk))


def test_every_registered_page_exists():
    from django.urls import get_resolver

    names = set()
    resolver = get_resolver()
    for namespace, (_, sub) in resolver.namespace_dict.items():
        for key in sub.reverse_dict:
            if isinstance(key, str):
                names.add(f"{namespace}:{key}")
    stale = sorted(set(PERSON_PAGES) - names) + sorted(set(LIST_PAGES) - names)
    assert not stale, f"No such page: {stale}"
