"""Alumni events (issue 19, 2): the hub publishes an event, invites the completers of a
cohort, who answer through their links; the hub records who came; the events report
counts invited, coming and came."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from alumni.events import selectors, services
from alumni.links import event_link_issue
from alumni.models import EventAnswer, EventInvitation
from peernet.models import AuditEvent
from tests.factories import local, make_completed, make_eligible, make_member, make_participant

pytestmark = pytest.mark.django_db

BEFORE = local("2022-03-01T09:00")
STARTS = local("2022-03-10T18:00")
AFTER = local("2022-03-10T21:00")


@pytest.fixture
def event(personas):
    return services.alumni_event_publish(
        hub=personas.hub_a,
        topic="Exporting after Brexit",
        speaker="Dee Expert",
        starts_at=STARTS,
        place="Salford Innovation Forum",
        by=personas.hub_a_admin,
        now=BEFORE,
    )


def test_an_event_must_be_in_the_future(personas):
    with pytest.raises(ValidationError, match="in the future"):
        services.alumni_event_publish(
            hub=personas.hub_a,
            topic="T",
            speaker="",
            starts_at=BEFORE,
            place="P",
            by=None,
            now=STARTS,
        )


def test_the_completers_of_a_cohort_are_invited_once_each(personas, event):
    p = personas
    with pytest.raises(ValidationError, match="has not completed"):
        services.alumni_event_invite_cohort(event=event, cohort=p.cohort_a, by=None, now=BEFORE)
    assert not EventInvitation.objects.exists()
    gone = make_eligible(make_participant(p.hub_a, p.programme, first_name="Gone"))
    make_member(p.cohort_a, gone)
    gone.dropped_out_on = dt.date(2021, 6, 9)
    gone.save(update_fields=["dropped_out_on"])
    make_completed(p.cohort_a)
    assert (
        services.alumni_event_invite_cohort(
            event=event, cohort=p.cohort_a, by=p.hub_a_admin, now=BEFORE
        )
        == 1
    )
    assert (
        services.alumni_event_invite_cohort(
            event=event, cohort=p.cohort_a, by=p.hub_a_admin, now=BEFORE
        )
        == 0
    )  # already invited
    (invitation,) = EventInvitation.objects.all()
    assert invitation.participant == p.participant_a and invitation.cohort == p.cohort_a
    (email,) = [m for m in mail.outbox if m.to == [p.participant_a.email]]
    assert "Exporting after Brexit" in email.subject and "/p/event/" in email.body
    with pytest.raises(ValidationError, match="Choose a cohort of this hub"):
        services.alumni_event_invite_cohort(event=event, cohort=p.cohort_b, by=None, now=BEFORE)


def test_an_invitee_answers_through_their_link_until_it_begins(client, personas, event):
    make_completed(personas.cohort_a)
    services.alumni_event_invite_cohort(event=event, cohort=personas.cohort_a, by=None, now=BEFORE)
    invitation = EventInvitation.objects.get()
    token = event_link_issue(participant=personas.participant_a, event=event)
    landing = client.get(reverse("public:event-link", kwargs={"token": token}))
    assert landing["Location"] == reverse("public:event")
    assert client.post(reverse("public:event"), {"answer": "maybe"}).status_code == 302
    invitation.refresh_from_db()
    assert invitation.answer == ""  # a tampered answer changes nothing
    services.event_answer(invitation=invitation, coming=True, now=BEFORE)
    invitation.refresh_from_db()
    assert invitation.answer == EventAnswer.ACCEPTED
    with pytest.raises(ValidationError, match="has begun"):
        services.event_answer(invitation=invitation, coming=False, now=AFTER)
    assert AuditEvent.objects.filter(
        object_type="alumni.eventinvitation", actor=None, summary__contains="(accepted)"
    ).exists()


def test_who_came_is_recorded_once_it_began_and_the_report_counts(personas, event):
    p = personas
    extra = [make_eligible(make_participant(p.hub_a, p.programme)) for _ in range(2)]
    for person in extra:
        make_member(p.cohort_a, person)
    make_completed(p.cohort_a)
    services.alumni_event_invite_cohort(event=event, cohort=p.cohort_a, by=None, now=BEFORE)
    invitations = list(EventInvitation.objects.order_by("pk"))
    assert len(invitations) == 3
    services.event_answer(invitation=invitations[0], coming=True, now=BEFORE)
    services.event_answer(invitation=invitations[1], coming=True, now=BEFORE)
    services.event_answer(invitation=invitations[2], coming=False, now=BEFORE)
    with pytest.raises(ValidationError, match="once the event has begun"):
        services.event_attendance_record(
            event=event, came={invitations[0].pk}, by=p.hub_a_admin, now=BEFORE
        )
    services.event_attendance_record(
        event=event, came={invitations[0].pk}, by=p.hub_a_admin, now=AFTER
    )
    (row,) = selectors.hub_events(p.hub_a)
    assert (row.invited, row.accepted, row.came) == (3, 2, 1)
    totals = selectors.events_totals([row])
    assert (totals.events, totals.invited, totals.accepted, totals.came) == (1, 3, 2, 1)
    assert list(selectors.hub_events(p.hub_b)) == []


def test_the_hub_publishes_and_invites_through_its_pages(client, personas):
    make_completed(personas.cohort_a)
    client.force_login(personas.hub_a_admin)
    new = reverse("hub:alumni-event-new", kwargs={"hub": "hub-a"})
    form = {
        "topic": "Exporting",
        "speaker": "Dee Expert",
        "day_0": "10",
        "day_1": "1",
        "day_2": "2031",
        "time": "18:30",
        "place": "Online",
    }
    refused = client.post(new, {**form, "day_0": "31", "day_1": "2"})
    assert refused.status_code == 400
    assert "Enter the date of the event as a real date" in refused.text
    published = client.post(new, form)
    event = personas.hub_a.alumni_events.get()
    assert published["Location"] == reverse(
        "hub:alumni-event", kwargs={"hub": "hub-a", "pk": event.pk}
    )
    assert event.starts_at == local("2031-01-10T18:30")
    page = published["Location"]
    sent = client.post(page, {"form": "invite", "cohort": str(personas.cohort_a.code)})
    assert sent.status_code == 302
    assert EventInvitation.objects.get().participant == personas.participant_a
    listing = client.get(reverse("hub:alumni-events", kwargs={"hub": "hub-a"}))
    assert "1 invited, 0 said they were coming, 0 came" in listing.text
    client.force_login(personas.hub_b_admin)
    assert client.get(page).status_code == 404
