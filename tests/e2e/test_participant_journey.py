"""Participant, in Chromium on a phone-sized screen (375x740), through the emailed links
(django.core.mail.outbox): the feedback survey after a session (S2) and the baseline
survey (S1).

`test_survey_pages_on_a_phone` opens every page of both surveys from the link (start,
each page, check your answers) and checks each with axe, at 320 px and at 200% zoom.

`test_participant_answers_both_surveys` answers them, with the one wrong input (a page
sent without its answers: the error summary's link focuses the first question). Every
form post is checked not to be refused: a `no-referrer` page would make Chromium send
`Origin: null`, which Django's CSRF check refuses (participants/links.py).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from participants import surveys
from participants.models import SurveyKind, SurveyResponse
from sessions.models import Attendance, SessionStatus
from tests.e2e.conftest import (
    answer_survey_page,
    assert_error_summary,
    expect_text,
    greater_manchester,
)
from tests.factories import make_session

pytestmark = pytest.mark.django_db(transaction=True)


def _invited() -> tuple[object, dict[str, object]]:
    """Kim, a member of a cohort whose session was delivered yesterday, invited to both
    surveys by email; her invitations by kind."""
    today = timezone.localdate()
    gm = greater_manchester(today - dt.timedelta(days=120), today + dt.timedelta(days=240))
    cohort = gm.cohort
    (kim,) = gm.join(
        ["Kim Lee"],
        registered=today - dt.timedelta(days=60),
        joined=today - dt.timedelta(days=30),
        emails=True,
    )
    yesterday = today - dt.timedelta(days=1)
    session = make_session(cohort, f"{yesterday.isoformat()}T09:30", status=SessionStatus.DELIVERED)
    Attendance.objects.create(session=session, participant=kim, present=True, hours=Decimal("3"))
    invitations = {
        SurveyKind.SESSION_FEEDBACK: surveys.survey_invite(
            participant=kim, kind=SurveyKind.SESSION_FEEDBACK, session=session
        ),
        SurveyKind.BASELINE: surveys.survey_invite(participant=kim, kind=SurveyKind.BASELINE),
    }
    for invitation in invitations.values():
        assert surveys.survey_invitation_send(invitation_id=invitation.pk)
    return kim, invitations


def _emailed_link(invitation) -> str:
    """The path of the link in the invitation's email (sent to the participant)."""
    title = surveys.SUBJECTS[SurveyKind(invitation.kind)]
    (message,) = [m for m in mail.outbox if m.subject.startswith(title)]
    assert message.to == [invitation.participant.email]
    match = re.search(r"https?://[^/\s]+(/p/survey/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_survey_pages_on_a_phone(journey):
    kim, invitations = _invited()
    run = journey("participant")
    phone = run.new_page(phone=True)
    for kind, name in (
        (SurveyKind.SESSION_FEEDBACK, "feedback"),
        (SurveyKind.BASELINE, "baseline"),
    ):
        invitation = invitations[kind]
        link = _emailed_link(invitation)
        phone.goto(link)
        assert phone.url.endswith("/p/survey/")  # the token left the address at once
        run.check(phone, f"{name} survey start")
        phone.get_by_role("button", name="Start now").click()
        pages = surveys.instrument_pages(invitation.instrument)
        for page in pages:
            if page.number > 1:
                phone.goto(f"/p/survey/page/{page.number}/")
            assert phone.locator("h1").count() == 1
            run.check(phone, f"{name} survey page {page.number}")
        phone.goto("/p/survey/check/")
        run.check(phone, f"{name} survey check your answers")


def test_participant_answers_both_surveys(journey):
    kim, invitations = _invited()
    run = journey("participant-answers")
    phone = run.new_page(phone=True)
    for kind in (SurveyKind.SESSION_FEEDBACK, SurveyKind.BASELINE):
        invitation = invitations[kind]
        phone.goto(_emailed_link(invitation))
        phone.get_by_role("button", name="Start now").click()
        pages = surveys.instrument_pages(invitation.instrument)
        required = [q for q in pages[0].questions if surveys.is_required(q)]
        assert required, "the first page has a question to answer"
        # The wrong input: the first page sent without its answers.
        with phone.expect_response(lambda r: r.request.method == "POST") as posted:
            phone.get_by_role("button", name=re.compile("^Save and")).click()
        assert posted.value.status != 403, "the form post was refused (CSRF: Origin null)"
        first = required[0]
        message = phone.locator(".govuk-error-summary a").first.inner_text()
        assert_error_summary(phone, message, f"id_{first['key']}")
        run.check(phone, f"{kind} survey error")
        for page in pages:
            answer_survey_page(phone, page.questions)
            phone.get_by_role("button", name=re.compile("^Save and")).click()
            phone.wait_for_load_state("load")
        assert phone.url.endswith("/p/survey/check/")
        phone.get_by_role("button", name="Send my answers").click()
        expect_text(phone, "Thank you")
        run.check(phone, f"{kind} survey sent")
        # The link again, once answered: a clear page, not the survey (docs/security.md §14).
        phone.goto(_emailed_link(invitation))
        expect_text(phone, "You have already answered this survey")
        run.check(phone, f"{kind} link used")
    assert set(SurveyResponse.objects.filter(participant=kim).values_list("kind", flat=True)) == {
        SurveyKind.SESSION_FEEDBACK,
        SurveyKind.BASELINE,
    }
