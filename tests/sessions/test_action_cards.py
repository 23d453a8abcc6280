"""Action cards (K10): the facilitator's page, the service and last session's actions."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from rules import Outcome, run_rules
from sessions.action_cards import (
    CardText,
    compose_actions,
    previous_actions,
    session_write_action_cards,
    split_actions,
)
from sessions.models import ActionCard, Attendance, GroupSession, SessionStatus
from tests.factories import (
    AFTER_THE_SESSION,
    facilitation_url,
    local,
    make_cohort_member,
    make_session,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(delivered):
    p = delivered
    p.url = facilitation_url("action-cards", p.session)
    p.code = str(p.participant_a.code)
    return p


def _present(session, *participants):
    for participant in participants:
        Attendance.objects.create(
            session=session, participant=participant, present=True, hours=session.hours
        )


def _k10(session):
    judged = GroupSession.objects.prefetch_related("attendance", "action_cards").get(pk=session.pk)
    (result,) = run_rules(judged, ["K10"], as_of=AFTER_THE_SESSION)
    return result


def _post(world, **fields):
    data = {"participant": [world.code]}
    data.update({f"{world.code}-{name}": value for name, value in fields.items()})
    return data


def test_the_problem_and_the_actions_share_one_field_and_come_back_apart():
    text = compose_actions(" Cash flow ", "Talk to the bank")
    assert text == "Problem or opportunity:\nCash flow\n\nActions agreed:\nTalk to the bank"
    assert split_actions(text) == ("Cash flow", "Talk to the bank")
    assert compose_actions("", "Talk to the bank") == "Talk to the bank"
    assert split_actions("Talk to the bank") == ("", "Talk to the bank")


def test_saving_creates_the_card_resaving_updates_it_and_k10_passes(world):
    _present(world.session, world.participant_a)
    assert _k10(world.session).outcome == Outcome.WARN
    session_write_action_cards(
        session=world.session,
        cards={world.code: CardText("Cash flow", "Talk to the bank", "")},
        by=world.facilitator,
        as_of=AFTER_THE_SESSION,
    )
    card = ActionCard.objects.get()
    assert card.actions == "Problem or opportunity:\nCash flow\n\nActions agreed:\nTalk to the bank"
    assert _k10(world.session).outcome == Outcome.PASS
    session_write_action_cards(
        session=world.session,
        cards={world.code: ("Cash flow", "Ring the accountant", "The bank said no")},
        by=world.facilitator,
        as_of=AFTER_THE_SESSION,
    )
    card = ActionCard.objects.get()  # still one
    assert split_actions(card.actions) == ("Cash flow", "Ring the accountant")
    assert card.report_back == "The bank said no"


def test_a_participant_of_another_cohort_is_refused_and_nothing_is_written(world):
    with pytest.raises(ValidationError, match="only be written for members"):
        session_write_action_cards(
            session=world.session,
            cards={
                world.code: ("", "Talk to the bank", ""),
                str(world.participant_b.code): ("", "Anything", ""),
            },
            by=world.facilitator,
            as_of=AFTER_THE_SESSION,
        )
    assert not ActionCard.objects.exists()


def test_a_member_recorded_absent_gets_no_card(world):
    other = make_cohort_member(world.cohort_a)
    _present(world.session, world.participant_a)
    Attendance.objects.create(session=world.session, participant=other, present=False, hours=0)
    with pytest.raises(ValidationError, match="only be written for members"):
        session_write_action_cards(
            session=world.session,
            cards={str(other.code): ("", "Anything", "")},
            by=world.facilitator,
            as_of=AFTER_THE_SESSION,
        )
    assert not ActionCard.objects.exists()


def test_cards_for_a_session_not_started_are_refused(world):
    with pytest.raises(ValidationError, match="has not started yet"):
        session_write_action_cards(
            session=world.session,
            cards={world.code: ("", "Talk to the bank", "")},
            by=world.facilitator,
            as_of=local("2021-10-01T09:00"),
        )
    assert not ActionCard.objects.exists()


def test_previous_actions_are_the_last_delivered_sessions_cards_in_one_query(
    world, django_assert_num_queries
):
    card = ActionCard.objects.create(
        session=world.session, participant=world.participant_a, actions="Talk to the bank"
    )
    make_session(world.cohort_a, "2021-10-12T09:30", status=SessionStatus.CANCELLED)
    later = make_session(world.cohort_a, "2021-10-19T09:30")
    with django_assert_num_queries(1):
        found = previous_actions(later)
        assert found == {world.participant_a.pk: card}
        assert found[world.participant_a.pk].session == world.session
    assert previous_actions(world.session) == {}


def test_the_page_shows_k10_until_the_cards_are_written(client, world):
    _present(world.session, world.participant_a)
    client.force_login(world.facilitator)
    html = client.get(world.url).content.decode()
    assert "1 of 1 participants present" in html
    assert world.participant_a.full_name in html

    response = client.post(world.url, _post(world, problem="Cash flow", actions="Talk to the bank"))
    assert response.status_code == 302
    assert _k10(world.session).outcome == Outcome.PASS
    html = client.get(world.url).content.decode()
    assert "have no action card" not in html
    assert "Talk to the bank</textarea>" in html and "Cash flow</textarea>" in html

    client.post(world.url, _post(world, problem="Cash flow", actions="Ring the accountant"))
    assert ActionCard.objects.get().actions.endswith("Ring the accountant")


def test_a_report_back_without_actions_is_an_error_linked_to_its_box(client, world):
    client.force_login(world.facilitator)
    response = client.post(world.url, _post(world, report_back="It went well", actions=""))
    assert response.status_code == 400
    html = response.content.decode()
    assert f'href="#id_{world.code}-actions"' in html
    assert f"Enter the actions {world.participant_a.full_name} agreed" in html
    assert not ActionCard.objects.exists()


def test_a_posted_participant_of_another_cohort_is_refused(client, world):
    client.force_login(world.facilitator)
    other = str(world.participant_b.code)
    data = _post(world, actions="Talk to the bank")
    data["participant"] = [world.code, other]
    data[f"{other}-actions"] = "Anything"
    response = client.post(world.url, data)
    assert response.status_code == 400
    assert "is not present in this cohort" in response.content.decode()
    assert not ActionCard.objects.exists()


def test_last_sessions_actions_are_shown_for_the_report_back(client, world):
    ActionCard.objects.create(
        session=world.session,
        participant=world.participant_a,
        actions=compose_actions("Cash flow", "Talk to the bank"),
    )
    later = make_session(world.cohort_a, "2021-10-19T09:30", status=SessionStatus.DELIVERED)
    url = facilitation_url("action-cards", later)
    client.force_login(world.facilitator)
    html = client.get(url).content.decode()
    assert "From the session on 5 October 2021." in html
    assert "Talk to the bank" in html
    # The report back is written on this session's card.
    client.post(
        url,
        {
            "participant": [world.code],
            f"{world.code}-report_back": "The bank said yes",
            f"{world.code}-actions": "Open the new account",
        },
    )
    card = ActionCard.objects.get(session=later)
    assert card.report_back == "The bank said yes" and card.actions == "Open the new account"


def test_markup_is_escaped(client, world):
    markup = '<script>alert("x")</script>'
    client.force_login(world.facilitator)
    client.post(world.url, _post(world, problem=markup, actions=markup, report_back=markup))
    later = make_session(world.cohort_a, "2021-10-19T09:30", status=SessionStatus.DELIVERED)
    url = facilitation_url("action-cards", later)
    assert ActionCard.objects.filter(session=world.session).exists()
    for page in (world.url, url):
        html = client.get(page).content.decode()
        assert markup not in html
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


@pytest.mark.parametrize("who", ["facilitator", "hub_a_admin", "coordinator"])
def test_the_facilitator_the_hub_admin_and_the_coordinator_may_open_it(client, world, who):
    client.force_login(getattr(world, who))
    assert client.get(world.url).status_code == 200


@pytest.mark.parametrize("who", ["other_facilitator", "hub_b_admin", "provider"])
def test_anyone_else_gets_404(client, world, who):
    from peernet.models import Role
    from tests.factories import make_user

    world.other_facilitator = make_user(Role.FACILITATOR, cohort=world.cohort_a2)
    client.force_login(getattr(world, who))
    assert client.get(world.url).status_code == 404
    assert client.post(world.url, _post(world, actions="x")).status_code == 404
    assert not ActionCard.objects.exists()


def test_anonymous_is_sent_to_log_in(client, world):
    response = client.get(world.url)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_the_facilitator_emails_each_member_present_their_own_link(client, personas, mailoutbox):
    from sessions.models import Attendance
    from tests.factories import make_session

    session = make_session(personas.cohort_a, "2021-06-01T09:30", status="delivered")
    Attendance.objects.create(
        session=session, participant=personas.participant_a, present=True, hours=3
    )
    client.force_login(personas.facilitator)
    kwargs = {"hub": personas.hub_a.key, "code": session.code}
    page = client.get(reverse("facilitation:action-cards", kwargs=kwargs)).content.decode()
    send = reverse("facilitation:action-card-links-send", kwargs=kwargs)
    assert f'action="{send}"' in page
    response = client.post(send)
    assert response["Location"] == reverse("facilitation:action-cards", kwargs=kwargs)
    assert [m.to for m in mailoutbox] == [[personas.participant_a.email]]
    assert "http://testserver/p/action-card/" in mailoutbox[0].body
