"""The facilitator's home page and a session's page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from peernet.models import Role, RoleAssignment, User
from reporting.models import Finding
from reporting.selectors import todo_for_user
from reporting.services import risk_scan_run
from sessions.models import ActionCard, FacilitatorNote, SessionStatus, Topic
from tests.factories import (
    local,
    make_cohort,
    make_cohort_member,
    make_session,
)
from tests.mailbox import deliver_queued

pytestmark = pytest.mark.django_db

NOW = local("2021-10-04T12:00")
HOME = "/facilitation/"


@pytest.fixture
def world(personas):
    p = personas
    p.done = make_session(
        p.cohort_a, "2021-09-21T09:30", status=SessionStatus.DELIVERED, location="Salford"
    )
    p.next = make_session(
        p.cohort_a,
        "2021-10-05T09:30",
        location="Online <b>room</b>",
        joining_instructions_sent_at=local("2021-10-01T10:00"),
    )
    p.later = make_session(p.cohort_a, "2021-10-19T09:30", location="Salford")
    p.not_mine = make_session(p.cohort_a2, "2021-10-06T09:30", location="Elsewhere")
    return p


def test_a_facilitator_only_user_lands_on_their_home(client, world):
    client.force_login(world.facilitator)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse("facilitation:home") == HOME


@time_machine.travel(NOW, tick=False)
def test_home_lists_my_cohorts_and_next_sessions(client, world):
    for _n in range(3):
        make_cohort_member(world.cohort_a)
    client.force_login(world.facilitator)
    html = client.get(HOME).content.decode()

    assert world.cohort_a.name in html
    assert world.cohort_a2.name not in html  # another facilitator's
    assert "4 of 11" in html  # members
    assert "3.0 of 18" in html  # hours delivered
    assert 'numeric">6.0</td>' in html  # scheduled
    assert html.index("5 October 2021") < html.index("19 October 2021")
    assert "Elsewhere" not in html
    assert "Online &lt;b&gt;room&lt;/b&gt;" in html  # escaped
    assert "Sent on 1 October 2021" in html
    assert "Due by 17 October 2021" in html
    assert (
        reverse("facilitation:session", kwargs={"hub": world.hub_a.key, "code": world.next.code})
        in html
    )


@time_machine.travel(local("2021-10-04T12:00"), tick=False)
def test_home_says_when_joining_instructions_are_late(client, world):
    world.next.joining_instructions_sent_at = None
    world.next.save()
    client.force_login(world.facilitator)
    assert "Not sent: late" in client.get(HOME).content.decode()


@time_machine.travel(local("2021-10-06T09:00"), tick=False)
def test_home_shows_my_to_do_list_with_links_to_the_session(client, world):
    risk_scan_run(hub=world.hub_a, as_of=local("2021-10-06T09:00"))
    items = todo_for_user(world.facilitator)
    assert items
    client.force_login(world.facilitator)
    html = client.get(HOME).content.decode()
    assert "What needs doing" in html
    k8 = [i for i in items if i.rule == "K8"]
    session_url = reverse(
        "facilitation:session", kwargs={"hub": world.hub_a.key, "code": world.done.code}
    )
    assert any(i.url == session_url for i in k8)
    assert "Record attendance" in html
    assert f'href="{session_url}"' in html


def test_record_url_gives_a_facilitator_the_session_page_of_their_cohort(world):
    risk_scan_run(hub=world.hub_a, as_of=local("2021-10-06T09:00"))
    session_findings = Finding.objects.open().filter(subject_kind=Finding.SubjectKind.SESSION)
    assert session_findings.filter(cohort=world.cohort_a).exists()
    items = [i for i in todo_for_user(world.facilitator) if i.rule in {"K7", "K8", "K9"}]
    assert items and all(i.url and i.url.startswith("/facilitation/hub-a/sessions/") for i in items)
    # The facilitator of cohort_a2 gets nothing of cohort_a.
    other = RoleAssignment.objects.get(user=world.facilitator)
    other.cohort = world.cohort_a2
    other.save()
    fresh = User.objects.get(pk=world.facilitator.pk)  # a new request: the scope afresh
    codes = {str(world.done.code), str(world.next.code), str(world.later.code)}
    assert not any(i.url and i.url.split("/")[-2] in codes for i in todo_for_user(fresh))


@time_machine.travel(NOW, tick=False)
def test_home_shows_the_hot_topics_of_my_cohorts(client, world):
    note = FacilitatorNote.objects.create(session=world.done, hot_topics="Cash")
    note.session.topics.set([Topic.objects.get(key="finance")])
    other = FacilitatorNote.objects.create(session=world.not_mine, hot_topics="Data")
    other.session.topics.set([Topic.objects.get(key="use-of-data")])
    client.force_login(world.facilitator)
    html = client.get(HOME).content.decode()
    section = html[html.index('id="hot-topics"') :]
    assert "Finance" in section
    assert "Use of data" not in section


@time_machine.travel(NOW, tick=False)
def test_home_queries_do_not_grow_with_cohorts(client, world, django_assert_max_num_queries):
    risk_scan_run(hub=world.hub_a, as_of=NOW)
    client.force_login(world.facilitator)
    with CaptureQueriesContext(connection) as few:
        assert client.get(HOME).status_code == 200
    for n in range(4):
        cohort = make_cohort(world.hub_a, world.programme)
        RoleAssignment.objects.create(
            user=world.facilitator, role=Role.FACILITATOR, hub=world.hub_a, cohort=cohort
        )
        for _m in range(3):
            make_cohort_member(cohort)
        make_session(cohort, f"2021-10-{10 + n}T09:30")
        make_session(cohort, f"2021-09-{10 + n}T09:30", status=SessionStatus.DELIVERED)
    risk_scan_run(hub=world.hub_a, as_of=NOW)
    # The session and user, the role assignments (home's check and the scope), the
    # cohorts, the next sessions, the recent sessions, the findings and the hot topics.
    with django_assert_max_num_queries(len(few)):
        html = client.get(HOME).content.decode()
    assert html.count("of 11") == 5


@time_machine.travel(NOW, tick=False)
def test_the_session_page_shows_last_sessions_actions(client, world):
    ActionCard.objects.create(
        session=world.done,
        participant=world.participant_a,
        actions="Call <em>three</em> customers",
        report_back="Two answered",
    )
    FacilitatorNote.objects.create(session=world.done, actions_agreed="Everyone: one call")
    client.force_login(world.facilitator)
    url = reverse("facilitation:session", kwargs={"hub": world.hub_a.key, "code": world.next.code})
    html = client.get(url).content.decode()
    assert "Session on Tuesday 5 October 2021" in html
    assert "From the session on 21 September 2021" in html
    assert world.participant_a.full_name in html
    assert "Call &lt;em&gt;three&lt;/em&gt; customers" in html
    assert "Two answered" in html and "Everyone: one call" in html
    # Not started: no register yet.
    assert "once the session has started" in html
    assert (
        reverse("facilitation:attendance", kwargs={"hub": world.hub_a.key, "code": world.next.code})
        not in html
    )


@time_machine.travel(NOW, tick=False)
def test_the_delivered_session_page_links_to_the_register_and_notes_with_k8_and_k9(client, world):
    client.force_login(world.facilitator)
    kwargs = {"hub": world.hub_a.key, "code": world.done.code}
    html = client.get(reverse("facilitation:session", kwargs=kwargs)).content.decode()
    assert reverse("facilitation:attendance", kwargs=kwargs) in html
    assert reverse("facilitation:notes", kwargs=kwargs) in html
    assert "Attendance is not recorded for 1 of 1 participants" in html
    assert "are not written yet" in html
    assert "This is the cohort's first session." in html


@time_machine.travel(NOW, tick=False)
def test_taking_the_register_from_the_session_page(client, world):
    client.force_login(world.facilitator)
    kwargs = {"hub": world.hub_a.key, "code": world.done.code}
    code = world.participant_a.code
    response = client.post(
        reverse("facilitation:attendance", kwargs=kwargs),
        {"participant": [str(code)], f"presence-{code}": "present", f"hours-{code}": "2.5"},
        follow=True,
    )
    html = response.content.decode()
    assert "The attendance was saved." in html
    assert "1 of 1 recorded" in html
    assert "Attendance is not recorded" not in html
    assert world.done.attendance.get().hours == Decimal("2.5")


def test_dates_are_shown_in_london_time(client, world):
    with time_machine.travel(dt.datetime(2021, 10, 4, 11, 0, tzinfo=dt.UTC), tick=False):
        client.force_login(world.facilitator)
        html = client.get(HOME).content.decode()
    assert "09:30" in html


def test_the_session_page_sends_the_joining_instructions_after_a_preview(client, personas):
    from tests.factories import make_session

    session = make_session(personas.cohort_a, "2099-06-01T09:30")  # still to come
    client.force_login(personas.facilitator)
    page = reverse("facilitation:session", kwargs={"hub": personas.hub_a.key, "code": session.code})
    html = client.get(page).content.decode()
    preview = reverse(
        "facilitation:joining-instructions-preview",
        kwargs={"hub": personas.hub_a.key, "code": session.code},
    )
    send = reverse(
        "facilitation:joining-instructions-send-now",
        kwargs={"hub": personas.hub_a.key, "code": session.code},
    )
    # The session page links the preview, whose button sends.
    assert f'href="{preview}"' in html
    assert f'action="{send}"' in client.get(preview).content.decode()
    response = client.post(send, {"next": page})
    assert response["Location"] == page
    session.refresh_from_db()
    assert session.joining_instructions_sent_at is None  # queued, not yet accepted
    assert deliver_queued() == 1
    session.refresh_from_db()
    assert session.joining_instructions_sent_at is not None
