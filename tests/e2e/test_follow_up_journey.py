"""The six-month follow-up (S5, issue 19), in Chromium: Eve, the evaluator, opens the list
of completers whose six months have come (by pseudonym), and sends the follow-up to Ada,
who consented at completion; Ben, who did not, has no button, and a send asked for him
is refused with a sentence. Ada answers through her emailed link on her phone, with no
account and no password, and Eve sees it answered with Ada's consent at six months. Every
page is checked by axe, at 320 px and at 200% zoom.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from participants import surveys
from participants.models import SurveyInvitation, SurveyKind, SurveyResponse
from peernet.models import Role
from peernet.privacy import evaluator_pseudonym
from tests import factories
from tests.e2e.conftest import answer_survey_page, expect_text, greater_manchester, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def _exit(participant, consent: bool) -> None:
    SurveyResponse.objects.create(
        participant=participant,
        instrument=surveys.instrument_current(SurveyKind.EXIT),
        kind=SurveyKind.EXIT,
        completed=timezone.localdate() - dt.timedelta(days=360),
        answers={"evaluator_consent": consent},
    )


def test_the_evaluator_sends_the_follow_up_to_a_completer_who_consented(journey):
    today = timezone.localdate()
    gm = greater_manchester(today - dt.timedelta(days=400), today + dt.timedelta(days=200))
    ada, ben = gm.join(
        ["Ada Ames", "Ben Bright"],
        registered=today - dt.timedelta(days=390),
        joined=today - dt.timedelta(days=380),
        emails=True,
    )
    factories.make_completed(gm.cohort, f"{today - dt.timedelta(days=370)}T09:30")
    _exit(ada, True)
    _exit(ben, False)
    eve = factories.make_user(Role.EVALUATOR, name="Eve Evaluator", email="eve@example.org")
    ada_is, ben_is = evaluator_pseudonym(ada.code), evaluator_pseudonym(ben.code)
    run = journey("six-month-follow-up")

    # 1. Eve finds the follow-up from her downloads: both completers, by pseudonym only.
    page = run.new_page()
    sign_in(page, eve)
    page.goto(reverse("national:exports"))
    page.get_by_role("link", name="Send the six-month follow-up survey").click()
    expect_text(page, ada_is)
    expect_text(page, ben_is)
    expect_text(page, "1 completer can be sent the follow-up now.")
    assert "Ames" not in page.content() and "Bright" not in page.content()
    run.check(page, "completers due")

    # 2. Ben did not consent: no button; a send asked for him anyway is refused.
    assert page.get_by_role("button", name=f"Send the follow-up to {ben_is}").count() == 0
    client = Client()
    client.force_login(eve)
    refused = client.post(reverse("national:follow-up-send"), {"participant": ben.code})
    assert refused["Location"] == reverse("national:follow-up")
    assert not SurveyInvitation.objects.filter(participant=ben).exists()

    # 3. Eve sends Ada's.
    page.get_by_role("button", name=f"Send the follow-up to {ada_is}").click()
    expect_text(page, f"The six-month follow-up is on its way to the completer {ada_is}")
    expect_text(page, "Nobody is waiting to be sent the follow-up.")
    run.check(page, "follow-up sent")
    invitation = SurveyInvitation.objects.get(participant=ada, kind=SurveyKind.FOLLOW_UP)
    # The worker's part (the `survey_invitation_send` task queued by the send).
    assert surveys.survey_invitation_send(invitation_id=invitation.pk)

    # 4. Ada answers through her link on her phone: no account, no password.
    (message,) = [m for m in mail.outbox if m.to == ["ada@example.org"]]
    link = re.search(r"https?://[^/\s]+(/p/survey/[^/\s]+/)", message.body).group(1)
    assert not [m for m in mail.outbox if m.to == ["ben@example.org"]]
    phone = run.new_page(phone=True)
    phone.goto(link)
    assert phone.url.endswith("/p/survey/")  # the token left the address at once
    run.check(phone, "follow-up start")
    phone.get_by_role("button", name="Start now").click()
    for number, survey_page in enumerate(surveys.instrument_pages(invitation.instrument)):
        answer_survey_page(phone, survey_page.questions)
        if number == 0:
            run.check(phone, "follow-up first page")
        phone.get_by_role("button", name=re.compile("^Save and")).click()
        phone.wait_for_load_state("load")
    assert phone.url.endswith("/p/survey/check/")
    phone.get_by_role("button", name="Send my answers").click()
    expect_text(phone, "Thank you")
    run.check(phone, "follow-up answered")
    response = SurveyResponse.objects.get(participant=ada, kind=SurveyKind.FOLLOW_UP)
    assert response.answers["evaluator_consent"] is True and response.answers["turnover_now"]

    # 5. Eve sees it answered, with Ada's consent at six months.
    page.reload()
    row = page.get_by_role("row").filter(has_text=ada_is)
    assert "Answered on" in row.inner_text() and "Consented" in row.inner_text()
    run.check(page, "follow-up answered, the evaluator's list")
