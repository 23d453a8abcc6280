"""The hub's surveys not yet answered (a filtered list) and reminders to several at once:
a confirmation first, the reminder's email to each who may have it, a refusal with its
reason for the others (nothing written for them), an audit event; no other hub's."""

from __future__ import annotations

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from participants.models import SurveyInvitation
from peernet.models import AuditEvent
from tests.factories import local, make_participant, make_survey_invitation

pytestmark = pytest.mark.django_db
NOW = local("2021-06-15T10:00")
SENT = local("2021-06-01T09:00")


def _list() -> str:
    return reverse("hub:surveys-outstanding", kwargs={"hub": "hub-a"})


def _remind() -> str:
    return reverse("hub:surveys-remind", kwargs={"hub": "hub-a"})


def _invitations(personas):
    ann = make_survey_invitation(
        make_participant(personas.hub_a, personas.programme, first_name="Ann"), sent_at=SENT
    )
    bo = make_survey_invitation(
        make_participant(personas.hub_a, personas.programme, first_name="Bo"), sent_at=SENT
    )
    expired = make_survey_invitation(
        make_participant(personas.hub_a, personas.programme, first_name="Cy"),
        sent_at=SENT,
        expires_at=local("2021-06-10T09:00"),
    )
    answered = make_survey_invitation(
        make_participant(personas.hub_a, personas.programme, first_name="Di"),
        sent_at=SENT,
        completed_at=local("2021-06-02T09:00"),
    )
    theirs = make_survey_invitation(
        make_participant(personas.hub_b, personas.programme, first_name="Ed"), sent_at=SENT
    )
    return ann, bo, expired, answered, theirs


@time_machine.travel(NOW, tick=False)
def test_the_list_shows_the_hubs_unanswered_and_filters(client, personas):
    ann, bo, expired, answered, theirs = _invitations(personas)
    client.force_login(personas.hub_a_admin)
    content = client.get(_list()).content.decode()
    assert ann.participant.full_name in content and expired.participant.full_name in content
    assert answered.participant.full_name not in content  # answered
    assert theirs.participant.full_name not in content  # another hub's
    assert "Showing 1 to 3 of 3" in content and "Expired" in content
    content = client.get(_list(), {"q": "bo", "sort": "-name"}).content.decode()
    assert bo.participant.full_name in content and ann.participant.full_name not in content


@time_machine.travel(NOW, tick=False)
def test_remind_several_with_a_refusal(client, personas):
    ann, bo, expired, _, _ = _invitations(personas)
    client.force_login(personas.hub_a_admin)
    chosen = {"invitation": [ann.pk, bo.pk, expired.pk]}
    page = client.post(_remind(), chosen).content.decode()
    assert "Remind 3 of their survey?" in page and mail.outbox == []

    page = client.post(_remind(), {**chosen, "confirmed": "True"}).content.decode()
    assert 'data-done="2"' in page and 'data-refused="1"' in page
    assert "link has expired; send them a new link" in page
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [ann.participant.email, bo.participant.email]
    )
    assert all(m.subject.startswith("Reminder: ") for m in mail.outbox)
    assert SurveyInvitation.objects.get(pk=ann.pk).reminded_at == NOW
    assert SurveyInvitation.objects.get(pk=expired.pk).reminded_at is None
    assert AuditEvent.objects.filter(
        summary="2 reminded of a survey at once from the list (1 refused)"
    ).exists()


@time_machine.travel(NOW, tick=False)
def test_another_hubs_or_an_answered_survey_is_refused_and_nothing_sent(client, personas):
    ann, _, _, answered, theirs = _invitations(personas)
    client.force_login(personas.hub_a_admin)
    for other in (theirs, answered):
        data = {"invitation": [ann.pk, other.pk], "confirmed": "True"}
        response = client.post(_remind(), data)
        assert response.status_code == 400
        assert "Select surveys from this hub&#x27;s list" in response.content.decode()
    assert mail.outbox == []


def test_outsiders_get_404(client, personas):
    client.force_login(personas.hub_b_admin)
    assert client.get(_list()).status_code == 404
    assert client.post(_remind(), {"invitation": [1]}).status_code == 404
