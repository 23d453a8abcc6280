"""The six-month follow-up (S5, issue 19 part 4): the evaluator's list of completers whose
six months have come, with their consent at completion and at six months; the survey sent
by its signed link only to those who consented, once; distance travelled from baseline to
exit to six months on; and no figure of any return moved by it. Every figure is worked by
hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cohorts.models import Cohort
from participants import surveys
from participants.models import Participant, SurveyInvitation, SurveyKind, SurveyResponse
from peernet.models import AuditEvent
from peernet.privacy import evaluator_pseudonym
from reporting import kpi
from tests.factories import local, make_cohort_member, make_completed, make_survey_response

pytestmark = pytest.mark.django_db

# Cohort A completes on Tuesday 6 July 2021 (make_completed): six months on is 6 January 2022.
DUE = dt.date(2022, 1, 6)
AFTER = local("2022-01-10T10:00")


respond = make_survey_response


@pytest.fixture
def completers(personas):
    """Cohort A completed: participant A consented at exit, Ben did not, Cy was not asked."""
    ada = personas.participant_a
    ben = make_cohort_member(personas.cohort_a, first_name="Ben", last_name="Nokes")
    cy = make_cohort_member(personas.cohort_a, first_name="Cy", last_name="Quiet")
    make_completed(personas.cohort_a)
    respond(ada, SurveyKind.EXIT, dt.date(2021, 7, 8), {"evaluator_consent": True})
    respond(ben, SurveyKind.EXIT, dt.date(2021, 7, 8), {"evaluator_consent": False})
    return ada, ben, cy


def _row(participant):
    rows = surveys.evaluator_list(Cohort.objects.all())
    return next(r for r in rows if r.participant.pk == participant.pk)


def test_the_instrument_is_versioned_and_asks_the_matched_questions_again():
    instrument = surveys.instrument_current(SurveyKind.FOLLOW_UP)
    assert (instrument.version, instrument.title) == (1, "Six months on")
    assert surveys.questions_problems(instrument.questions) == []
    keys = set(instrument.question_keys)
    assert {q["key"] for q in surveys.matched_questions()} <= keys
    assert "evaluator_consent" in keys
    # A new version is published like any other: the first is retired, never edited.
    published = surveys.survey_instrument_publish(
        kind=SurveyKind.FOLLOW_UP, title="Six months on", questions=instrument.questions
    )
    instrument.refresh_from_db()
    assert (published.version, published.active, instrument.active) == (2, True, False)


def test_only_a_consenting_completer_whose_six_months_have_come_is_sendable(personas, completers):
    ada, ben, cy = completers
    before, on_the_day = dt.date(2022, 1, 5), DUE
    rows = {r.participant.pk: r for r in surveys.evaluator_list(Cohort.objects.all())}
    assert {pk: r.six_month_due for pk, r in rows.items()} == {p.pk: DUE for p in completers}
    assert [rows[p.pk].consent for p in completers] == [True, False, None]
    assert [rows[p.pk].sendable(on_the_day) for p in completers] == [True, False, False]
    assert not rows[ada.pk].sendable(before)
    assert rows[ada.pk].follow_up_consent_words == "Not answered yet"


def test_sending_refuses_with_a_sentence_and_writes_nothing(personas, completers):
    ada, ben, cy = completers
    refusals = [
        (ada, local("2022-01-05T10:00"), "Their six-month follow-up is due on 6 January 2022: "
         "it cannot be sent before."),
        (ben, AFTER, "They did not consent to the evaluator's contact when they completed the "
         "programme, so the follow-up cannot be sent to them."),
        (cy, AFTER, "They did not consent to the evaluator's contact when they completed the "
         "programme, so the follow-up cannot be sent to them."),
        (personas.participant_b, AFTER, "They have not completed the programme, so there is no "
         "six-month follow-up to send."),
    ]  # fmt: skip
    for person, now, words in refusals:
        with pytest.raises(ValidationError) as refusal:
            surveys.survey_invite_follow_up(participant=person, by=personas.evaluator, now=now)
        assert refusal.value.messages == [words]
    assert not SurveyInvitation.objects.filter(kind=SurveyKind.FOLLOW_UP).exists()
    assert not AuditEvent.objects.filter(summary__contains="Six-month follow-up").exists()


def test_sent_once_with_an_audit_event_and_answered_through_the_link(
    client, personas, completers, django_capture_on_commit_callbacks
):
    ada = completers[0]
    invitation = surveys.survey_invite_follow_up(participant=ada, by=personas.evaluator, now=AFTER)
    assert (invitation.kind, invitation.instrument.version) == ("follow_up", 1)
    event = AuditEvent.objects.get(object_id=str(invitation.pk))
    assert (event.actor, event.action, event.hub_id) == (personas.evaluator, "create", ada.hub_id)
    assert event.after == {
        "pseudonym": evaluator_pseudonym(ada.code),
        "six_month_due": "2022-01-06",
    }
    with pytest.raises(ValidationError) as again:
        surveys.survey_invite_follow_up(participant=ada, by=personas.evaluator, now=AFTER)
    assert again.value.messages == ["Their six-month follow-up has already been sent."]
    assert SurveyInvitation.objects.filter(kind=SurveyKind.FOLLOW_UP).count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        surveys.survey_invitation_send(invitation_id=invitation.pk, now=AFTER)
    [message] = mail.outbox
    assert message.to == [ada.email] and "evaluator" in message.subject
    assert "/p/survey/" in message.body

    draft = {q["key"]: 4 for q in invitation.instrument.questions if q["type"] == "scale"}
    draft |= {"employees_now": 12, "turnover_now": "200000.00", "business_plan": True,
              "group_still_meeting": True, "evaluator_consent": False}  # fmt: skip
    invitation.draft = draft
    invitation.save(update_fields=["draft"])
    with time_machine.travel(AFTER + dt.timedelta(hours=1), tick=False):
        surveys.survey_submit(invitation=invitation)
    row = _row(ada)
    assert row.follow_up_answered == dt.date(2022, 1, 10)
    assert (row.consent_words, row.follow_up_consent_words) == ("Consented", "Did not consent")
    assert not row.sendable(DUE)


def test_distance_travelled_from_baseline_to_exit_to_six_months(personas, completers):
    """Confidence: ada 2 → 4 → 5, ben 3 → 4 and no follow-up, cy 1 → 3 → 2.
    Baseline to exit over the three: (2+3+1)/3 = 2.00 → (4+4+3)/3 = 3.67. Six months on,
    over ada and cy: baseline 1.50, exit 3.50, six months 3.50, a change of +2.00."""
    ada, ben, cy = completers
    for person, values in ((ada, (2, 4, 5)), (ben, (3, 4, None)), (cy, (1, 3, 2))):
        for kind, value in zip(
            (SurveyKind.BASELINE, SurveyKind.EXIT, SurveyKind.FOLLOW_UP), values, strict=True
        ):
            if value is None:
                continue
            existing = SurveyResponse.objects.filter(participant=person, kind=kind).first()
            if existing:
                existing.answers["business_confidence"] = value
                existing.save()
            else:
                respond(person, kind, dt.date(2022, 1, 10), {"business_confidence": value})
    rows = {r.key: r for r in surveys.distance_travelled(Participant.objects.all())}
    confidence = rows["business_confidence"]
    assert (confidence.pairs, confidence.baseline, confidence.exit) == (
        3,
        Decimal("2.00"),
        Decimal("3.67"),
    )
    assert (
        confidence.followed,
        confidence.followed_baseline,
        confidence.followed_exit,
        confidence.six_months,
        confidence.change_six_months,
    ) == (2, Decimal("1.50"), Decimal("3.50"), Decimal("3.50"), Decimal("2.00"))
    assert rows["innovation"].followed == 0 and rows["innovation"].change_six_months is None


def test_nothing_of_the_follow_up_changes_a_return(personas, completers):
    ada = completers[0]
    hubs = [personas.hub_a, personas.hub_b]
    months = [dt.date(2021, 7, 1), dt.date(2022, 1, 1)]
    before = {m: kpi.compute_hubs(hubs, m) for m in months}
    invitation = surveys.survey_invite_follow_up(participant=ada, by=personas.evaluator, now=AFTER)
    respond(ada, SurveyKind.FOLLOW_UP, dt.date(2022, 1, 10), {"overall_satisfaction": 1})
    assert invitation.pk
    assert {m: kpi.compute_hubs(hubs, m) for m in months} == before
    assert before[months[0]][personas.hub_a.pk]["figures"]


# --- the evaluator's page -----------------------------------------------------------------


def test_the_evaluator_sees_pseudonyms_and_sends_only_to_those_who_consented(
    client, personas, completers
):
    ada, ben, cy = completers
    client.force_login(personas.evaluator)
    with time_machine.travel(AFTER, tick=False):
        page = client.get(reverse("national:follow-up")).content.decode()
        for person in completers:
            assert evaluator_pseudonym(person.code) in page
            assert person.last_name not in page and person.email not in page
        assert "1 completer can be sent the follow-up now." in page
        assert str(ada.code) in page and str(ben.code) not in page and str(cy.code) not in page

        refused = client.post(reverse("national:follow-up-send"), {"participant": ben.code})
        assert refused["Location"] == reverse("national:follow-up")
        shown = client.get(refused["Location"]).content.decode()
        assert "did not consent to the evaluator" in shown
        assert not SurveyInvitation.objects.filter(kind=SurveyKind.FOLLOW_UP).exists()

        sent = client.post(reverse("national:follow-up-send"), {"participant": ada.code})
        assert sent["Location"] == reverse("national:follow-up")
        page = client.get(sent["Location"]).content.decode()
        assert f"on its way to the completer {evaluator_pseudonym(ada.code)}" in page
        assert "Nobody is waiting to be sent the follow-up." in page
        unknown = client.post(
            reverse("national:follow-up-send"),
            {"participant": "00000000-0000-0000-0000-000000000000"},
        )
        assert unknown.status_code == 404
    invitation = SurveyInvitation.objects.get(kind=SurveyKind.FOLLOW_UP)
    assert invitation.participant == ada


def test_before_six_months_nobody_is_listed(client, personas, completers):
    client.force_login(personas.evaluator)
    with time_machine.travel(local("2022-01-05T10:00"), tick=False):
        page = client.get(reverse("national:follow-up")).content.decode()
    assert "Nobody's six-month follow-up is due yet." in page


def test_the_page_takes_the_same_queries_whatever_the_number_of_completers(client, personas):
    client.force_login(personas.evaluator)
    cohort = personas.cohort_a
    make_completed(cohort)

    def count() -> int:
        with time_machine.travel(AFTER, tick=False), CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("national:follow-up")).status_code == 200
        return len(queries)

    one = count()
    for _ in range(3):
        person = make_cohort_member(cohort)
        respond(person, SurveyKind.EXIT, dt.date(2021, 7, 8), {"evaluator_consent": True})
    assert count() == one
