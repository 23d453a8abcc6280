"""Answering a survey through its emailed link (S1–S4, docs/security.md §14, §15): every
instrument end to end, page by page, and every kind of bad link refused with a clear
page, never a crash."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core import signing
from django.db import transaction
from django.test import Client
from django.urls import reverse

from participants import surveys
from participants.models import EqualityData, SurveyInvitation, SurveyKind, SurveyResponse
from sessions.action_card_links import action_card_link_issue
from sessions.models import Attendance
from tests.factories import make_session

pytestmark = pytest.mark.django_db
UTC = dt.UTC
NOW = dt.datetime(2021, 6, 2, 11, 0, tzinfo=UTC)  # 12:00 in London (BST)


def invite(personas, kind: str, participant=None, now=NOW) -> SurveyInvitation:
    participant = participant or personas.participant_a
    session = None
    if kind == SurveyKind.SESSION_FEEDBACK:
        session = make_session(personas.cohort_a, "2021-06-01T09:30", status="delivered")
        Attendance.objects.create(
            session=session, participant=participant, present=True, hours=session.hours
        )
    invitation = surveys.survey_invite(participant=participant, kind=kind, session=session, now=now)
    assert invitation is not None
    return invitation


def link(invitation: SurveyInvitation) -> str:
    return reverse("public:survey-link", kwargs={"token": surveys.survey_token(invitation)})


def valid_answer(question: dict) -> str | list[str]:
    match question["type"]:
        case "scale":
            return str(question["max"])
        case "choice":
            return question["choices"][-1]
        case "multi_choice":
            return question["choices"][:2]
        case "yes_no":
            return "yes"
        case "number":
            return "12"
        case "money":
            return "£450,000.50"
        case _:
            return "It was <b>useful</b>"


def answer_all(client, invitation: SurveyInvitation) -> list[int]:
    """Open the link and answer every page; returns the status of each step."""
    statuses = []
    landing = client.get(link(invitation))
    assert landing.status_code == 302
    assert landing["Location"] == reverse("public:survey")  # the token has left the URL
    assert landing["Referrer-Policy"] == "no-referrer"
    start = client.get(reverse("public:survey"))
    statuses.append(start.status_code)
    pages = surveys.instrument_pages(invitation.instrument)
    for page in pages:
        url = reverse("public:survey-page", kwargs={"number": page.number})
        shown = client.get(url)
        statuses.append(shown.status_code)
        assert f"page {page.number} of {len(pages)}" in shown.content.decode()
        data = {q["key"]: valid_answer(q) for q in page.questions}
        posted = client.post(url, data)
        assert posted.status_code == 302, posted.content.decode()[:2000]
    check = client.get(reverse("public:survey-check"))
    statuses.append(check.status_code)
    assert "Check your answers" in check.content.decode()
    sent = client.post(reverse("public:survey-check"))
    assert sent.status_code == 302 and sent["Location"] == reverse("public:survey-done")
    statuses.append(client.get(reverse("public:survey-done")).status_code)
    return statuses


@pytest.mark.parametrize("kind", SurveyKind.values)
def test_each_instrument_can_be_answered_end_to_end(client, personas, kind):
    invitation = invite(personas, kind)
    with time_machine.travel(NOW + dt.timedelta(hours=1), tick=False):
        assert set(answer_all(client, invitation)) == {200}
    response = SurveyResponse.objects.get(invitation=invitation)
    invitation.refresh_from_db()
    assert invitation.completed_at is not None and invitation.draft == {}
    # What the monthly return reads: the kind, a local date, and overall_satisfaction.
    assert response.kind == kind
    assert response.completed == dt.date(2021, 6, 2)
    # S1–S4 answer their version 2; the six-month follow-up (S5) began at version 1.
    assert response.instrument.version == (1 if kind == SurveyKind.FOLLOW_UP else 2)
    assert response.session == invitation.session
    if kind == SurveyKind.SESSION_FEEDBACK:
        assert response.answers["overall_satisfaction"] == 5
        assert response.answers["usefulness"] == 5
    for question in invitation.instrument.questions:
        if question.get("equality"):
            assert question["key"] not in response.answers  # kept in EqualityData only
        else:
            assert surveys.answer_problem(question, response.answers[question["key"]]) is None
    if kind in (SurveyKind.BASELINE, SurveyKind.EXIT):
        assert response.answers["turnover_now"] == "450000.50"  # money: never a float
        assert response.answers["employees_now"] == 12
        assert response.answers["business_plan"] is True
    if kind == SurveyKind.BASELINE:
        equality = EqualityData.objects.get(participant=personas.participant_a)
        assert equality.gender == "prefer-not-to-say"  # the last choice
        assert equality.disability == "prefer-not-to-say"


def test_answers_are_saved_page_by_page_and_shown_again(client, personas):
    invitation = invite(personas, SurveyKind.BASELINE)
    client.get(link(invitation))
    with time_machine.travel(NOW, tick=False):
        page_one = surveys.instrument_pages(invitation.instrument)[0]
        url = reverse("public:survey-page", kwargs={"number": 1})
        client.post(url, {"employees_now": "7", "turnover_now": "120000"})
        invitation.refresh_from_db()
        assert invitation.draft == {"employees_now": 7, "turnover_now": "120000.00"}
        again = client.get(url).content.decode()
        assert 'value="7"' in again and 'value="120000.00"' in again
        # The start page now offers to continue where they left off (page 2).
        start = client.get(reverse("public:survey")).content.decode()
        assert "Continue" in start and reverse("public:survey-page", kwargs={"number": 2}) in start
        assert [q["key"] for q in page_one.questions] == ["employees_now", "turnover_now"]
        # Not everything is answered: the check page says so and offers no send button.
        check = client.get(reverse("public:survey-check")).content.decode()
        assert "Not answered yet" in check and "Send my answers" not in check
        refused = client.post(reverse("public:survey-check"))
        assert refused.status_code == 400
        assert not SurveyResponse.objects.exists()


def test_bad_answers_get_govuk_errors_and_change_nothing(client, personas):
    invitation = invite(personas, SurveyKind.BASELINE)
    client.get(link(invitation))
    url = reverse("public:survey-page", kwargs={"number": 1})
    with time_machine.travel(NOW, tick=False):
        response = client.post(url, {"employees_now": "-1", "turnover_now": "lots"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "must be 0 or more" in page
    assert "Enter an amount in pounds" in page
    assert 'href="#id_employees_now"' in page and 'id="id_employees_now"' in page
    invitation.refresh_from_db()
    assert invitation.draft == {}
    # A required scale left unanswered: the error links to the first radio.
    with time_machine.travel(NOW, tick=False):
        page2 = client.post(reverse("public:survey-page", kwargs={"number": 2}), {}).content
    assert b'href="#id_covid_adaptation"' in page2 and b'id="id_covid_adaptation"' in page2
    assert b"Select an answer to" in page2


def test_free_text_is_escaped_on_the_check_page(client, personas):
    invitation = invite(personas, SurveyKind.SESSION_FEEDBACK)
    client.get(link(invitation))
    with time_machine.travel(NOW, tick=False):
        client.post(
            reverse("public:survey-page", kwargs={"number": 1}),
            {"overall_satisfaction": "4", "usefulness": "3", "one_change": "<script>x()</script>"},
        )
        page = client.get(reverse("public:survey-check")).content.decode()
    assert "<script>x()</script>" not in page
    assert "&lt;script&gt;x()&lt;/script&gt;" in page


# --- bad links ---------------------------------------------------------------------------


def opened(client, token: str, at: dt.datetime = NOW):
    with time_machine.travel(at, tick=False):
        client.get(reverse("public:survey-link", kwargs={"token": token}))
        return client.get(reverse("public:survey"))


def test_a_tampered_link_is_refused(client, personas):
    token = surveys.survey_token(invite(personas, SurveyKind.BASELINE))
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    response = opened(client, tampered)
    assert response.status_code == 400
    assert "This link does not work" in response.content.decode()
    assert response["Referrer-Policy"] == "no-referrer"


def test_another_purposes_token_is_refused(client, personas):
    """An action card's token, and a survey token naming another kind of survey."""
    invitation = invite(personas, SurveyKind.BASELINE)
    session = make_session(personas.cohort_a)
    card = action_card_link_issue(personas.participant_a, session)
    assert opened(client, card).status_code == 400
    other_kind = signing.dumps({"i": str(invitation.nonce), "k": "exit"}, salt=surveys.SURVEY_SALT)
    assert opened(client, other_kind).status_code == 400


def test_a_cross_survey_link_opens_only_its_own_survey(client, personas):
    baseline = invite(personas, SurveyKind.BASELINE)
    feedback = invite(personas, SurveyKind.SESSION_FEEDBACK)
    with time_machine.travel(NOW, tick=False):
        client.get(link(baseline))
        assert "Baseline survey" in client.get(reverse("public:survey")).content.decode()
        client.get(link(feedback))
        page = client.get(reverse("public:survey")).content.decode()
    assert "After the session" in page and "Baseline survey" not in page


def test_a_link_expires_at_its_moment(client, personas):
    invitation = invite(personas, SurveyKind.SESSION_FEEDBACK)
    assert invitation.expires_at == NOW + dt.timedelta(days=surveys.LINK_DAYS)
    token = surveys.survey_token(invitation)
    last = invitation.expires_at - dt.timedelta(seconds=1)
    assert opened(client, token, last).status_code == 200
    response = opened(client, token, invitation.expires_at)
    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()
    assert "30 June 2021" in response.content.decode()


def test_an_old_signature_is_expired_even_if_its_invitation_is_gone(client, personas):
    with time_machine.travel(NOW, tick=False):
        token = surveys.survey_token(invite(personas, SurveyKind.BASELINE))
    later = NOW + dt.timedelta(days=surveys.LINK_DAYS + 2)
    assert opened(client, token, later).status_code == 410


def test_a_used_link_is_refused_and_cannot_answer_twice(client, personas):
    invitation = invite(personas, SurveyKind.SESSION_FEEDBACK)
    other_browser = Client()
    with time_machine.travel(NOW, tick=False):
        other_browser.get(link(invitation))  # opened on a phone, then answered on a laptop
        answer_all(client, invitation)
    again = opened(client, surveys.survey_token(invitation))
    assert again.status_code == 410
    assert "You have already answered this survey" in again.content.decode()
    with time_machine.travel(NOW, tick=False):
        posted = other_browser.post(reverse("public:survey-check"))
        page = other_browser.post(
            reverse("public:survey-page", kwargs={"number": 1}), {"overall_satisfaction": "1"}
        )
    assert (posted.status_code, page.status_code) == (410, 410)
    assert SurveyResponse.objects.count() == 1
    assert SurveyResponse.objects.get().answers["overall_satisfaction"] == 5


def test_no_token_and_a_stray_done_page_get_the_clear_page(client, db):
    assert client.get(reverse("public:survey")).status_code == 400
    assert client.get(reverse("public:survey-check")).status_code == 400
    assert client.get(reverse("public:survey-done")).status_code == 400


def test_the_email_link_works_and_the_token_never_reaches_a_page(client, personas, mailoutbox):
    invitation = invite(personas, SurveyKind.BASELINE)
    surveys.survey_invitation_send(invitation_id=invitation.pk, now=NOW)
    [message] = mailoutbox
    url = re.search(r"https?://\S+", message.body).group(0)
    path = url.split("://", 1)[1].split("/", 1)[1]
    token = path.rstrip("/").rsplit("/", 1)[1]
    with time_machine.travel(NOW, tick=False):
        landing = client.get("/" + path)
        page = client.get(landing["Location"])
    assert page.status_code == 200
    assert token not in page.content.decode()
    assert page["Cache-Control"].startswith("max-age=0") or "no-store" in page["Cache-Control"]


def test_a_page_number_out_of_range_is_a_404(client, personas):
    invitation = invite(personas, SurveyKind.DROPOUT)
    client.get(link(invitation))
    with time_machine.travel(NOW, tick=False):
        assert client.get(reverse("public:survey-page", kwargs={"number": 0})).status_code == 404
        assert client.get(reverse("public:survey-page", kwargs={"number": 9})).status_code == 404


def test_completed_is_the_london_date_the_answers_were_sent(client, personas):
    """23:30 UTC on 30 June is 00:30 on 1 July in London (BST): the monthly return
    counts it in July."""
    invited = dt.datetime(2021, 6, 29, 10, 0, tzinfo=UTC)
    invitation = invite(personas, SurveyKind.SESSION_FEEDBACK, now=invited)
    with time_machine.travel(dt.datetime(2021, 6, 30, 23, 30, tzinfo=UTC), tick=False):
        answer_all(client, invitation)
    assert SurveyResponse.objects.get().completed == dt.date(2021, 7, 1)


def test_logs_never_contain_the_token(client, personas, caplog):
    """docs/security.md §15: the refused links log their clean URL only."""
    invitation = invite(personas, SurveyKind.BASELINE)
    token = surveys.survey_token(invitation)
    caplog.set_level("DEBUG")
    opened(client, token[:-2] + "zz")
    opened(client, token, invitation.expires_at)
    with time_machine.travel(NOW, tick=False):
        answer_all(client, invitation)
    opened(client, token)
    assert caplog.records  # the 4xx were logged...
    assert all(token not in record.getMessage() for record in caplog.records)  # ...cleanly
    assert all(token[:20] not in str(record.args) for record in caplog.records)


def test_the_hub_sends_a_new_link_and_the_old_one_stops_working(
    client, personas, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    """The expired-link page says to ask the hub: the hub's new link works, and every
    earlier link, expired or not, is refused."""
    invitation = invite(personas, SurveyKind.BASELINE)
    old_token = surveys.survey_token(invitation)
    after_expiry = invitation.expires_at + dt.timedelta(days=1)
    assert opened(client, old_token, after_expiry).status_code == 410

    from participants import tasks

    monkeypatch.setattr(
        tasks.survey_invitation_send,
        "delay_on_commit",
        lambda pk: transaction.on_commit(lambda: tasks.survey_invitation_send.apply(args=[pk])),
    )
    admin = Client()
    admin.force_login(personas.hub_a_admin)
    renew = reverse("hub:survey-renew", kwargs={"hub": "hub-a", "pk": invitation.pk})
    page = reverse(
        "hub:survey-participant", kwargs={"hub": "hub-a", "code": invitation.participant.code}
    )
    with time_machine.travel(after_expiry, tick=False):
        listed = admin.get(page).content.decode()
        assert "Not answered; the link works until 30 June 2021" in listed
        with django_capture_on_commit_callbacks(execute=True):
            response = admin.post(renew)
        assert response.status_code == 302 and response["Location"] == page
    invitation.refresh_from_db()
    assert invitation.expires_at == after_expiry + dt.timedelta(days=surveys.LINK_DAYS)
    assert opened(client, old_token, after_expiry).status_code == 400  # bound to the old nonce
    [message] = mailoutbox
    new_path = "/" + re.search(r"https?://\S+", message.body).group(0).split("/", 3)[3]
    with time_machine.travel(after_expiry, tick=False):
        client.get(new_path)
        assert client.get(reverse("public:survey")).status_code == 200
    # Another hub's administrator cannot renew it.
    other = Client()
    other.force_login(personas.hub_b_admin)
    assert other.post(renew.replace("hub-a", "hub-b")).status_code == 404
