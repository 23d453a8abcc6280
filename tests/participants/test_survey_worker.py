"""Session feedback invitations on a real Celery worker against Redis (S2): the task
queued when a session is delivered makes the invitation and queues its email, which the
worker sends; queued twice, there is still one invitation and one email."""

from __future__ import annotations

import pytest

from participants.models import SurveyInvitation
from participants.tasks import survey_invitation_send, survey_invite_session_delivered
from sessions.models import Attendance, SessionStatus
from tests.celery_worker import celery_worker, file_mail, not_eager  # noqa: F401 (fixture)
from tests.factories import make_personas, make_session

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def test_a_real_worker_invites_and_sends_once(not_eager, tmp_path):  # noqa: F811
    personas = make_personas()
    session = make_session(personas.cohort_a, "2021-10-05T09:30", status=SessionStatus.DELIVERED)
    Attendance.objects.create(
        session=session, participant=personas.participant_a, present=True, hours=session.hours
    )
    outbox, mail_to_files = file_mail(tmp_path)
    with celery_worker(tmp_path, **mail_to_files) as worker:
        for run in (1, 2):
            result = survey_invite_session_delivered.delay(session.pk)
            worker.wait_for(lambda result=result: result.ready() or None, f"invite {run}")
            assert result.successful() and result.get() == 1
            sent = worker.wait_for(
                lambda: SurveyInvitation.objects.filter(sent_at__isnull=False).first(),
                f"sent {run}",
            )
        # The send queued by the second run, and one more: each finds it sent already.
        again = survey_invitation_send.delay(sent.pk)
        worker.wait_for(lambda: again.ready() or None, "send again")
        assert again.get() is False
    invitation = SurveyInvitation.objects.get()
    assert (invitation.participant_id, invitation.session_id) == (
        personas.participant_a.pk,
        session.pk,
    )
    messages = [path.read_text() for path in outbox.iterdir()]
    assert len(messages) == 1
    assert personas.participant_a.email in messages[0]
    assert "/p/survey/" in messages[0]
