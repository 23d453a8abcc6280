"""Absence follow-up (K13): reporting a member as disengaged, and recording a drop-out."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cohorts.models import CohortMembership
from peernet.models import Role, RuleWarning
from sessions.attendance.services import participant_record_dropout, participant_report_disengaged
from sessions.models import Attendance, SessionStatus
from tests.factories import date_fields, make_session, make_user

pytestmark = pytest.mark.django_db

TODAY = dt.date(2021, 11, 1)


@pytest.fixture
def world(personas):
    p = personas
    p.url = reverse(
        "facilitation:member",
        kwargs={
            "hub": p.hub_a.key,
            "cohort": p.cohort_a.code,
            "participant": p.participant_a.code,
        },
    )
    return p


def _record(world, cause="other", reason="Moved abroad", on=dt.date(2021, 10, 12)):
    return participant_record_dropout(
        participant=world.participant_a,
        on=on,
        cause=cause,
        reason=reason,
        by=world.facilitator,
        today=TODAY,
    )


def test_a_dropout_ends_the_membership_and_keeps_it(world, mailoutbox):
    p = world.participant_a
    _record(world)
    p.refresh_from_db()
    assert p.dropped_out_on == dt.date(2021, 10, 12)
    assert p.dropout_reason == "Moved abroad"
    (membership,) = CohortMembership.objects.filter(participant=p)
    assert membership.cohort == world.cohort_a
    assert membership.left == dt.date(2021, 10, 12)
    (mail,) = mailoutbox
    assert mail.to == [world.hub_a_admin.email]
    assert (
        f"{p.full_name} has left {world.cohort_a.name} on 12 October 2021. "
        "Why: Another reason: Moved abroad" in mail.body
    )
    assert p.dropout_cause == "other"


def test_a_dropout_outside_their_control_needs_no_words(world, mailoutbox):
    p = world.participant_a
    _record(world, cause="outside_control", reason="")
    p.refresh_from_db()
    assert (p.dropout_cause, p.dropout_reason) == ("outside_control", "")
    (mail,) = mailoutbox
    assert mail.body.startswith(
        f"{p.full_name} has left {world.cohort_a.name} on 12 October 2021. Why: "
        "Circumstances outside their control (for example illness, bereavement or caring)\n"
    )


@pytest.mark.parametrize(
    ("on", "cause", "reason", "message"),
    [
        (dt.date(2021, 10, 12), "other", "  ", "Enter why they dropped out."),
        (dt.date(2021, 10, 12), "bored", "Busy", "Choose why they dropped out."),
        (dt.date(2021, 11, 2), "other", "Busy", "today or in the past"),
        (dt.date(2021, 5, 2), "other", "Busy", r"on or after they registered \(3 May 2021\)"),
    ],
)
def test_bad_dropouts_change_nothing(world, mailoutbox, on, cause, reason, message):
    with pytest.raises(ValidationError, match=message):
        _record(world, cause=cause, reason=reason, on=on)
    world.participant_a.refresh_from_db()
    assert world.participant_a.dropped_out_on is None
    assert CohortMembership.objects.get(participant=world.participant_a).left is None
    assert mailoutbox == []


def test_reporting_disengaged_records_k13_and_tells_the_hub(world, mailoutbox):
    warning = participant_report_disengaged(
        participant=world.participant_a, by=world.facilitator, note="No reply to three calls"
    )
    assert warning.rule == "K13"
    assert warning.subject_kind == "participant"
    assert warning.subject_id == world.participant_a.pk
    assert warning.hub == world.hub_a
    assert warning.recorded_by == world.facilitator
    assert warning.sentence == (
        f"{world.participant_a.full_name} was reported as disengaged by "
        f"{world.facilitator.get_full_name()}: No reply to three calls"
    )
    (mail,) = mailoutbox
    assert mail.to == [world.hub_a_admin.email]
    assert warning.sentence in mail.body


def test_reporting_disengaged_needs_a_note(world, mailoutbox):
    with pytest.raises(ValidationError):
        participant_report_disengaged(
            participant=world.participant_a, by=world.facilitator, note=" "
        )
    assert not RuleWarning.objects.exists()
    assert mailoutbox == []


# --- the page --------------------------------------------------------------------------


def test_the_page_shows_attendance_and_k13(client, world):
    p = world
    first = make_session(p.cohort_a, "2021-10-05T09:30", status=SessionStatus.DELIVERED)
    second = make_session(p.cohort_a, "2021-10-12T09:30", status=SessionStatus.DELIVERED)
    make_session(p.cohort_a, "2021-10-19T09:30")  # not delivered: not listed
    Attendance.objects.create(session=first, participant=p.participant_a, present=False, hours=0)
    Attendance.objects.create(
        session=second, participant=p.participant_a, present=False, apologies=True, hours=0
    )
    client.force_login(p.facilitator)
    response = client.get(p.url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Absent with apologies" in body
    assert body.count("govuk-table__row") == 3  # the header and two sessions
    # One absence with apologies and one without: not yet one to follow up (K13).
    assert "has missed 2 of 2 sessions of" in body and "none needs following up yet" in body
    assert "Report as disengaged" in body and "Record a drop-out" in body


def test_the_session_page_links_each_member(client, world):
    session = make_session(world.cohort_a, "2021-10-05T09:30")
    client.force_login(world.facilitator)
    response = client.get(
        reverse("facilitation:session", kwargs={"hub": world.hub_a.key, "code": session.code})
    )
    assert world.url in response.content.decode()


def _dropout(day="12", month="10", year="2021", cause="other", reason="Moved abroad"):
    return {
        "form": "dropout",
        "on_0": day,
        "on_1": month,
        "on_2": year,
        "cause": cause,
        "reason": reason,
    }


def test_recording_a_dropout_on_the_page_asks_first(client, world, mailoutbox):
    client.force_login(world.facilitator)
    asked = client.post(world.url, _dropout(cause="outside_control", reason="Caring for a parent"))
    page = asked.content.decode()
    assert asked.status_code == 200
    assert f"Are you sure {world.participant_a.full_name} has dropped out?" in page
    assert "12 October 2021" in page
    assert (
        "Circumstances outside their control (for example illness, bereavement or caring): "
        "Caring for a parent" in page
    )
    assert f"Their membership of {world.cohort_a.name} ends on 12 October 2021" in page
    # The first click changes nothing: no drop-out, the membership open, no email.
    world.participant_a.refresh_from_db()
    assert world.participant_a.dropped_out_on is None
    assert CohortMembership.objects.get(participant=world.participant_a).left is None
    assert mailoutbox == []
    # The confirmation posts the same answers back, with `confirm`.
    for name, value in _dropout(cause="outside_control", reason="Caring for a parent").items():
        assert f'name="{name}" value="{value}"' in page
    response = client.post(
        world.url,
        {**_dropout(cause="outside_control", reason="Caring for a parent"), "confirm": ""},
    )
    assert response.status_code == 302
    world.participant_a.refresh_from_db()
    assert world.participant_a.dropout_cause == "outside_control"
    world.participant_a.refresh_from_db()
    assert world.participant_a.dropped_out_on == dt.date(2021, 10, 12)
    assert CohortMembership.objects.get(participant=world.participant_a).left == dt.date(
        2021, 10, 12
    )
    assert len(mailoutbox) == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_dropout(reason=""), "Enter why they dropped out"),
        (_dropout(cause=""), "Choose why they dropped out"),
        (_dropout(cause="bored"), "Choose why they dropped out"),
        (_dropout(year="2999"), "The date they dropped out must be today or in the past"),
        (_dropout(year="2020"), "The date they dropped out must be on or after they registered"),
    ],
)
def test_bad_dropouts_on_the_page_show_govuk_errors(client, world, mailoutbox, data, message):
    client.force_login(world.facilitator)
    response = client.post(world.url, {**data, "confirm": ""})
    assert response.status_code == 400
    body = response.content.decode()
    assert "There is a problem" in body and message in body
    world.participant_a.refresh_from_db()
    assert world.participant_a.dropped_out_on is None
    assert CohortMembership.objects.get(participant=world.participant_a).left is None
    assert mailoutbox == []


def test_reporting_disengaged_on_the_page(client, world, mailoutbox):
    client.force_login(world.facilitator)
    response = client.post(world.url, {"form": "disengaged", "note": "No reply"})
    assert response.status_code == 302
    assert RuleWarning.objects.get().rule == "K13"
    assert len(mailoutbox) == 1
    response = client.post(world.url, {"form": "disengaged", "note": ""})
    assert response.status_code == 400
    assert "Enter what you know about why they have disengaged" in response.content.decode()
    assert RuleWarning.objects.count() == 1


@pytest.mark.parametrize("role", ["hub_b_admin", "provider", "funder", "other_facilitator"])
def test_anyone_else_gets_a_404(client, world, role, mailoutbox):
    user = (
        make_user(Role.FACILITATOR, cohort=world.cohort_a2)
        if role == "other_facilitator"
        else getattr(world, role)
    )
    client.force_login(user)
    assert client.get(world.url).status_code == 404
    assert client.post(world.url, {**_dropout(), "confirm": ""}).status_code == 404
    world.participant_a.refresh_from_db()
    assert world.participant_a.dropped_out_on is None


@pytest.mark.parametrize("role", ["hub_a_admin", "coordinator"])
def test_the_hub_admin_and_coordinator_may_open_it(client, world, role):
    client.force_login(getattr(world, role))
    assert client.get(world.url).status_code == 200


def test_a_member_of_another_cohort_is_404(client, world):
    client.force_login(world.facilitator)
    url = reverse(
        "facilitation:member",
        kwargs={
            "hub": world.hub_a.key,
            "cohort": world.cohort_a.code,
            "participant": world.participant_a2.code,
        },
    )
    assert client.get(url).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, world):
    response = client.get(world.url)
    assert response.status_code == 302
    assert "login" in response.url or "sign-in" in response.url


def test_the_page_is_in_the_access_matrix():
    from tests.test_facilitation_pages_access import KWARGS

    assert "member" in KWARGS


# --- K13: absences followed up, through the facilitator's member page ---------------------

# The member page's follow-up form, all but what came of it.
FOLLOW_UP_BY_PHONE_ON_20_OCTOBER = {
    "form": "follow_up",
    **date_fields("followed_up_on", "20", "10", "2021"),
    "method": "phone",
}


def test_the_facilitator_records_a_follow_up_that_clears_k13(client, world):
    p = world.participant_a
    sessions = [
        make_session(world.cohort_a, f"2021-10-{day}T09:30", status=SessionStatus.DELIVERED)
        for day in ("05", "19")
    ]
    for session in sessions:
        Attendance.objects.create(session=session, participant=p, present=False, hours=0)
    client.force_login(world.facilitator)
    page = client.get(world.url).content.decode()
    assert "absent without apologies from the last two sessions" in page

    refused = client.post(world.url, FOLLOW_UP_BY_PHONE_ON_20_OCTOBER)
    assert refused.status_code == 400
    assert "Enter what came of the follow-up" in refused.content.decode()
    assert not p.absence_follow_ups.exists()

    done = client.post(
        world.url,
        {**FOLLOW_UP_BY_PHONE_ON_20_OCTOBER, "outcome": "Busy with a contract; back next time"},
    )
    assert done.status_code == 302
    (follow_up,) = p.absence_follow_ups.all()
    assert (follow_up.followed_up_on, follow_up.method, follow_up.recorded_by) == (
        dt.date(2021, 10, 20),
        "phone",
        world.facilitator,
    )
    page = client.get(world.url).content.decode()
    assert "absences from" in page and "were followed up on 20 October 2021" in page
    assert "20 October 2021, phone call: Busy with a contract; back next time" in page


def test_a_follow_up_before_joining_or_in_the_future_is_refused(world):
    from sessions.attendance.services import absence_follow_up_record

    for on, message in ((dt.date(2021, 5, 1), "on or after"), (dt.date(2021, 11, 2), "today")):
        with pytest.raises(ValidationError, match=message):
            absence_follow_up_record(
                participant=world.participant_a,
                cohort=world.cohort_a,
                on=on,
                method="email",
                outcome="Sent a note",
                by=world.facilitator,
                today=TODAY,
            )
    assert not world.participant_a.absence_follow_ups.exists()


def test_the_facilitator_sees_the_members_contact_details(client, world):
    """To follow up absences: the email, and "Not held" for a phone not given."""
    world.participant_a.phone = ""
    world.participant_a.save(update_fields=["phone"])
    client.force_login(world.facilitator)
    page = client.get(world.url).content.decode()
    start = page.index('id="contact-details"')
    contact = page[start : page.index("</dl>", start)]
    email = world.participant_a.email
    assert f'href="mailto:{email}">{email}</a>' in contact
    assert "Not held" in contact
