"""Alumni events invite by sector, by topic and across the cluster's hubs (issue 19, 2),
not only by cohort: those invited are the completers who match every criterion chosen;
another hub's completers are named to the event's hub only once they say they are
coming; nobody matching is refused with a sentence and writes nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from alumni.events import selectors, services
from alumni.links import event_link_issue
from alumni.models import EventInvitation
from peernet.models import AuditEvent
from sessions.models import Attendance, SessionStatus, Topic
from tests.factories import (
    local,
    make_business,
    make_cohort,
    make_completed,
    make_eligible,
    make_hub,
    make_member,
    make_participant,
    make_session,
)

pytestmark = pytest.mark.django_db

BEFORE = local("2022-03-01T09:00")
STARTS = local("2022-03-10T18:00")


def _completer(hub, programme, cohort, first_name: str, sector: str):
    person = make_eligible(
        make_participant(
            hub,
            programme,
            business=make_business(sector=sector),
            first_name=first_name,
            email=f"{first_name.lower()}@example.org",
        )
    )
    make_member(cohort, person)
    return person


@pytest.fixture
def world(personas):
    """Hub A's cohort A completed by Ann (manufacturing, present at the cyber security
    session) and Bob (construction, absent from it), beside participant A (retail); hub C,
    in hub A's cluster, with Cat (manufacturing); hub B (another cluster) with Dan
    (manufacturing)."""
    p = personas
    business = p.participant_a.business  # participant A completes too: in retail
    business.sector = "G"
    business.save(update_fields=["sector"])
    ann = _completer(p.hub_a, p.programme, p.cohort_a, "Ann", "C")
    bob = _completer(p.hub_a, p.programme, p.cohort_a, "Bob", "F")
    sessions = make_completed(p.cohort_a)
    cyber = make_session(p.cohort_a, "2021-08-01T09:30", status=SessionStatus.DELIVERED)
    cyber.topics.add(Topic.objects.get(key="cyber-security"))
    Attendance.objects.create(session=cyber, participant=ann, present=True, hours=Decimal(3))
    Attendance.objects.create(session=cyber, participant=bob, present=False, hours=Decimal(0))
    hub_c = make_hub("hub-c", cluster=p.hub_a.cluster)
    cohort_c = make_cohort(hub_c, p.programme)
    cat = _completer(hub_c, p.programme, cohort_c, "Cat", "C")
    make_completed(cohort_c)
    cohort_b = make_cohort(p.hub_b, p.programme)
    dan = _completer(p.hub_b, p.programme, cohort_b, "Dan", "C")
    make_completed(cohort_b)
    event = services.alumni_event_publish(
        hub=p.hub_a,
        topic="Making things safely online",
        speaker="",
        starts_at=STARTS,
        place="Online",
        by=p.hub_a_admin,
        now=BEFORE,
    )
    assert sessions
    return {"ann": ann, "bob": bob, "cat": cat, "dan": dan, "event": event}


def _invited(event) -> set[str]:
    return set(
        EventInvitation.objects.filter(event=event).values_list(
            "participant__first_name", flat=True
        )
    )


def test_by_sector_of_the_hub_then_across_the_cluster(personas, world):
    event = world["event"]
    assert services.alumni_event_invite(event=event, by=None, sector="C", now=BEFORE) == 1
    assert _invited(event) == {"Ann"}
    invited = services.alumni_event_invite(
        event=event, by=personas.hub_a_admin, sector="C", across_hubs=True, now=BEFORE
    )
    assert invited == 1 and _invited(event) == {"Ann", "Cat"}  # not Dan: another cluster
    (email,) = [m for m in mail.outbox if m.to == ["cat@example.org"]]
    assert "HUB-A Growth Hub invites those who completed the peer networks of its" in email.body
    summary = AuditEvent.objects.filter(object_type="alumni.alumnievent").latest("pk").summary
    assert summary == "Invited the completers in C — Manufacturing across the cluster's hubs (1)"


def test_by_topic_those_present_when_their_cohort_took_it_up(personas, world):
    event = world["event"]
    digital = Topic.objects.get(key="digital")  # cyber security is one of its finer topics
    assert services.alumni_event_invite(event=event, by=None, topic=digital, now=BEFORE) == 1
    assert _invited(event) == {"Ann"}  # Bob was absent that day


def test_nobody_matching_or_no_criterion_is_refused_and_writes_nothing(personas, world):
    event = world["event"]
    with pytest.raises(ValidationError) as none:
        services.alumni_event_invite(event=event, by=None, now=BEFORE)
    assert none.value.messages == ["Choose a cohort, a sector or a topic to invite"]
    with pytest.raises(ValidationError) as nobody:
        services.alumni_event_invite(event=event, by=None, sector="A", now=BEFORE)
    assert nobody.value.messages == [
        "No one who completed the programme matches, or all who do are invited already: "
        "nobody was invited"
    ]
    assert not EventInvitation.objects.exists() and not mail.outbox


def test_the_hub_names_another_hub_s_invitee_once_they_are_coming(client, personas, world):
    """At 9:00 on 1 March 2022, before the event."""
    event, cat = world["event"], world["cat"]
    with time_machine.travel(BEFORE, tick=False):
        client.force_login(personas.hub_a_admin)
        url = reverse("hub:alumni-event", kwargs={"hub": "hub-a", "pk": event.pk})
        refused = client.post(url, {"form": "invite"})
        assert refused.status_code == 400
        assert "Choose a cohort, a sector or a topic to invite" in refused.text
        sent = client.post(url, {"form": "invite", "sector": "C", "across_hubs": "on"})
        assert sent.status_code == 302 and _invited(event) == {"Ann", "Cat"}
        page = client.get(url).text
        assert "Ann" in page and cat.last_name not in page
        assert "And 1 of the cluster's other hubs invited" in page
        assert selectors.unnamed_invitations(event) == 1

        # Cat says she is coming, through her link: the hub now knows her name.
        token = event_link_issue(participant=cat, event=event)
        client.logout()
        client.get(reverse("public:event-link", kwargs={"token": token}))
        client.post(reverse("public:event"), {"answer": "yes"})
        client.force_login(personas.hub_a_admin)
        page = client.get(url).text
        assert cat.last_name in page and "other hubs invited" not in page
