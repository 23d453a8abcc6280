"""Observation (Playbook: Observation; Q1–Q4): random selection, booking with notice,
recording against the Playbook's criteria, and the recording's deletion."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from peernet.models import Role
from rules import CHECKS, Outcome, RuleBroken
from sessions.models import Observation
from sessions.quality import (
    OBSERVATION_ITEMS,
    observation_book,
    observation_record,
    observation_select_sessions,
)
from tests.factories import Personas, make_session, make_user

pytestmark = pytest.mark.django_db


def _session_in(cohort, hours: float):
    """A session of `cohort` that starts `hours` from now."""
    session = make_session(cohort)
    session.starts_at = timezone.now() + dt.timedelta(hours=hours)
    session.save()
    return session


def _post_booking(client, session, observer, **privacy: str):
    url = reverse("hub:observations", kwargs={"hub": "hub-a"})
    return client.post(url, {"session": session.code, "observer": observer.pk, **privacy})


@pytest.fixture
def world(personas: Personas):
    other = make_user(Role.FACILITATOR, cohort=personas.cohort_a2)
    a = [make_session(personas.cohort_a, starts_at=f"2099-0{m}-01T09:30") for m in range(1, 6)]
    a2 = [make_session(personas.cohort_a2, starts_at=f"2099-0{m}-02T09:30") for m in range(1, 6)]
    make_session(personas.cohort_a, starts_at="2001-01-01T09:30")  # past: never proposed
    return personas, other, a, a2


def _book(session, observer, *, hours_notice: float = 48, privacy: bool = True):
    notice = session.starts_at - dt.timedelta(hours=hours_notice)
    return observation_book(
        session=session,
        observer=observer,
        notice_given=notice,
        privacy_statement_shared=notice if privacy else None,
        by=observer,
        as_of=notice,
    )


# --- selection (Q3) -------------------------------------------------------------------


def test_selection_proposes_one_future_session_per_unobserved_facilitator(world):
    p, other, a, a2 = world
    proposals = observation_select_sessions(hub=p.hub_a, seed=1)
    assert {proposal.facilitator for proposal in proposals} == {p.facilitator, other}
    assert len(proposals) == 2
    for proposal in proposals:
        assert proposal.session in (a if proposal.facilitator == p.facilitator else a2)
    assert observation_select_sessions(hub=p.hub_b, seed=1) == []


def test_selection_is_deterministic_with_a_seed_and_writes_nothing(world):
    p, *_ = world
    picks = [
        [proposal.session.pk for proposal in observation_select_sessions(hub=p.hub_a, seed=7)]
        for _ in range(3)
    ]
    assert picks[0] == picks[1] == picks[2]
    seeds = {
        tuple(proposal.session.pk for proposal in observation_select_sessions(hub=p.hub_a, seed=n))
        for n in range(20)
    }
    assert len(seeds) > 1  # random, not always the first
    assert not Observation.objects.exists()


def test_selection_skips_a_facilitator_already_observed(world):
    p, other, a, a2 = world
    observation = _book(a[0], p.hub_a_admin)
    Observation.objects.filter(pk=observation.pk).update(completed=dt.date(2021, 1, 1))
    proposals = observation_select_sessions(hub=p.hub_a, seed=3)
    assert [proposal.facilitator for proposal in proposals] == [other]


# --- booking (Q2) ---------------------------------------------------------------------


def test_booking_with_less_than_24_hours_notice_is_refused_and_nothing_written(world):
    p, _, a, _ = world
    with pytest.raises(RuleBroken) as exc:
        _book(a[0], p.hub_a_admin, hours_notice=23 + 59 / 60)
    assert "24 hours' notice is needed" in str(exc.value)
    assert not Observation.objects.exists()
    assert _book(a[0], p.hub_a_admin, hours_notice=24).pk


def test_the_page_books_a_proposal_and_shows_q2s_sentence_when_refused(client, world):
    p, _, a, _ = world
    client.force_login(p.hub_a_admin)
    url = reverse("hub:observations", kwargs={"hub": "hub-a"})
    response = client.get(url)
    assert response.status_code == 200
    assert b"Book" in response.content
    assert b"No session of" in response.content  # Q1 warns

    soon = _session_in(p.cohort_a, 23 + 59 / 60)
    response = _post_booking(client, soon, p.hub_a_admin, privacy="yes")
    assert response.status_code == 200
    assert "24 hours&#x27; notice is needed" in response.content.decode()
    assert not Observation.objects.exists()

    response = _post_booking(client, a[0], p.hub_a_admin)
    assert "no privacy statement was shared with the cohort" in response.content.decode()
    assert not Observation.objects.exists()

    later = _session_in(p.cohort_a, 24 + 1 / 60)
    response = _post_booking(client, later, p.hub_a_admin, privacy="yes")
    assert response.status_code == 302
    observation = Observation.objects.get()
    assert observation.session == later and observation.observer == p.hub_a_admin
    assert observation.privacy_statement_shared is not None
    # Q2: the notice is given, not typed in: the facilitator is emailed, and that email's
    # time is the notice judged; the members are sent the privacy statement.
    from django.core import mail

    notice, *privacy = mail.outbox
    assert notice.to == [p.facilitator.email] and "will be observed" in notice.subject
    assert "This email is your notice" in notice.body
    assert sorted(m.to[0] for m in privacy) == [p.participant_a.email]
    assert "The observer watches how the session is facilitated" in privacy[0].body
    # The facilitator sees the booking on the session's page.
    client.force_login(p.facilitator)
    page = client.get(
        reverse("facilitation:session", kwargs={"hub": "hub-a", "code": later.code})
    ).content.decode()
    assert "Observation (Q2)" in page and "you were told on" in page


def test_a_cohort_without_a_facilitator_cannot_be_given_notice(client, world):
    from django.core import mail

    p, *_ = world
    from tests.factories import make_cohort

    session = _session_in(make_cohort(p.hub_a, p.programme), 48)  # nobody facilitates it
    client.force_login(p.hub_a_admin)
    response = _post_booking(client, session, p.hub_a_admin, privacy="yes")
    assert "has no facilitator to give notice to" in response.content.decode()
    assert not Observation.objects.filter(session=session).exists()
    assert mail.outbox == []


def test_the_page_refuses_another_hubs_session_and_observer(client, world):
    p, *_ = world
    b_session = make_session(p.cohort_b, starts_at="2099-01-01T09:30")
    client.force_login(p.hub_a_admin)
    url = reverse("hub:observations", kwargs={"hub": "hub-a"})
    assert client.post(url, {"session": b_session.code, "privacy": "yes"}).status_code == 404
    a_session = world[2][0]
    response = client.post(
        url, {"session": a_session.code, "observer": p.hub_b_admin.pk, "privacy": "yes"}
    )
    assert b"Choose an observer" in response.content
    assert not Observation.objects.exists()


# --- recording (Q4) -------------------------------------------------------------------


def test_recording_ratings_validates_and_writes_nothing_on_a_bad_rating(world):
    p, _, a, _ = world
    observation = _book(a[0], p.hub_a_admin)
    with pytest.raises(ValidationError):
        observation_record(
            observation=observation,
            ratings={"topic_1": {"rating": 6, "comment": "x"}},
            feedback="Good",
            completed=dt.date(2021, 1, 1),
            recording_made=True,
            by=p.hub_a_admin,
        )
    with pytest.raises(ValidationError):
        observation_record(
            observation=observation,
            ratings={"nonsense": {"rating": 3}},
            feedback="",
            completed=None,
            recording_made=False,
            by=p.hub_a_admin,
        )
    observation.refresh_from_db()
    assert observation.ratings == {} and observation.feedback == "" and not observation.completed

    observation_record(
        observation=observation,
        ratings={"topic_1": {"rating": "4", "comment": " Clear "}, "behaviour_5": {"rating": 5}},
        feedback="Good",
        completed=dt.date(2021, 1, 1),
        recording_made=True,
        by=p.hub_a_admin,
    )
    observation.refresh_from_db()
    assert observation.ratings == {
        "topic_1": {"rating": 4, "comment": "Clear"},
        "behaviour_5": {"rating": 5, "comment": ""},
    }
    assert observation.completed == dt.date(2021, 1, 1) and observation.recording_made


def test_the_criteria_are_the_playbooks():
    assert len(OBSERVATION_ITEMS) == 19
    assert sum(key.startswith("topic_") for key in OBSERVATION_ITEMS) == 7
    assert sum(key.startswith("facilitation_") for key in OBSERVATION_ITEMS) == 7
    assert sum(key.startswith("behaviour_") for key in OBSERVATION_ITEMS) == 5


def test_the_observation_page_records_and_q4_warns_until_the_recording_is_deleted(client, world):
    p, _, a, _ = world
    observation = _book(a[0], p.hub_a_admin)
    client.force_login(p.hub_a_admin)
    url = reverse("hub:observation", kwargs={"hub": "hub-a", "pk": observation.pk})
    response = client.get(url)
    assert response.status_code == 200
    assert b"Clear evidence of planning and preparation is exhibited" in response.content

    response = client.post(url, {"action": "save", "rating_topic_1": "6", "feedback": "Fine"})
    assert response.status_code == 200
    assert b"There is a problem" in response.content
    assert b"must be a whole number from 1 to 5" in response.content
    observation.refresh_from_db()
    assert observation.ratings == {} and observation.feedback == ""

    response = client.post(
        url,
        {
            "action": "save",
            "rating_topic_1": "4",
            "comment_topic_1": "Well paced",
            "feedback": "Fine",
            "completed": "2021-01-01",
            "recording_made": "yes",
        },
    )
    assert response.status_code == 302
    observation.refresh_from_db()
    assert observation.ratings == {"topic_1": {"rating": 4, "comment": "Well paced"}}
    assert CHECKS["Q4"](observation, as_of=timezone.now()).outcome == Outcome.WARN
    assert CHECKS["Q1"](p.facilitator, as_of=timezone.now()).outcome == Outcome.PASS
    assert b"is not recorded as deleted" in client.get(url).content

    response = client.post(url, {"action": "recording-deleted"})
    assert response.status_code == 302
    observation.refresh_from_db()
    assert observation.recording_deleted is not None
    assert CHECKS["Q4"](observation, as_of=timezone.now()).outcome == Outcome.PASS
    assert b"was deleted on" in client.get(url).content


# --- access ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["hub_b_admin", "facilitator", "provider"])
def test_other_people_get_a_404(client, world, role):
    p, _, a, _ = world
    observation = _book(a[0], p.hub_a_admin)
    client.force_login(getattr(p, role))
    for url in (
        reverse("hub:observations", kwargs={"hub": "hub-a"}),
        reverse("hub:observation", kwargs={"hub": "hub-a", "pk": observation.pk}),
    ):
        assert client.get(url).status_code == 404
        assert client.post(url, {"action": "recording-deleted"}).status_code == 404
    observation.refresh_from_db()
    assert observation.recording_deleted is None


def test_hub_b_cannot_reach_hub_as_observation_through_its_own_hub(client, world):
    p, _, a, _ = world
    observation = _book(a[0], p.hub_a_admin)
    client.force_login(p.hub_b_admin)
    url = reverse("hub:observation", kwargs={"hub": "hub-b", "pk": observation.pk})
    assert client.get(url).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, world):
    p, _, a, _ = world
    observation = _book(a[0], p.hub_a_admin)
    for url in (
        reverse("hub:observations", kwargs={"hub": "hub-a"}),
        reverse("hub:observation", kwargs={"hub": "hub-a", "pk": observation.pk}),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login") + "?next=")


def test_the_new_pages_are_in_the_hub_access_matrix():
    from tests.test_hub_pages_access import KWARGS

    assert {"observations", "observation"} <= set(KWARGS)
