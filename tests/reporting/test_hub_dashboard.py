"""The hub administration area's start page, and who may open it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from participants.models import EligibilityStatus
from reporting.models import Finding
from reporting.services import risk_scan_run
from sessions.models import Attendance, SessionStatus
from tests.factories import (
    local,
    make_cohort,
    make_cohort_member,
    make_eligible,
    make_participant,
    make_session,
)
from tests.pages import HUB_OUTSIDERS, assert_pages_answer

pytestmark = pytest.mark.django_db


def dashboard(hub) -> str:
    return reverse("hub:home", kwargs={"hub": hub.key})


def test_hub_administrator_sees_their_hub_and_its_to_do_list(client, personas):
    risk_scan_run(hub=personas.hub_a, as_of=local("2022-04-02T06:00"))  # after the window
    client.force_login(personas.hub_a_admin)
    response = client.get(dashboard(personas.hub_a))
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    assert personas.hub_a.name in response.content.decode()
    rules = {item.rule for item in response.context["todo"]}
    assert "K2" in rules  # the cohorts never met: 0 of 18 hours when the window closed


@pytest.mark.parametrize("who", HUB_OUTSIDERS)
def test_anyone_but_the_hubs_administrator_gets_404(client, personas, who):
    assert_pages_answer(client, getattr(personas, who), [dashboard(personas.hub_a)], 404)


def test_the_coordinator_may_open_any_hub(client, personas):
    client.force_login(personas.coordinator)
    assert client.get(dashboard(personas.hub_b)).status_code == 200


def test_anonymous_is_sent_to_sign_in(client, personas):
    response = client.get(dashboard(personas.hub_a))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_home_sends_a_hub_administrator_to_their_dashboard(client, personas):
    client.force_login(personas.hub_a_admin)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == dashboard(personas.hub_a)


def test_dashboard_queries(client, personas, django_assert_num_queries):
    risk_scan_run(hub=personas.hub_a, as_of=local("2022-04-02T06:00"))
    client.force_login(personas.hub_a_admin)
    # session, user, the user's scope (for the hub), the hub, the participants' counts,
    # the cohorts' hours, the user's scope (for the findings: a
    # new request object each time), the findings with their programme and hub, the hot
    # topics, and the session's save (idle timeout); the cockpit's (docs/cockpit.md), here
    # outside the delivery window: the programme, the week's sessions, one-to-ones and
    # sessions missing attendance, and the stored returns with their versions.
    with django_assert_num_queries(17):
        client.get(dashboard(personas.hub_a))


# --- the hub's figures ------------------------------------------------------------------


def add_rows(personas):
    """Hub A beyond the personas (2 eligible participants, each allocated: participant_a
    in cohort_a, participant_a2 in cohort_a2): one pending, one ineligible, one dropped
    out (eligible, left its cohort), participant_a attends cohort_a's delivered session,
    a third cohort completes 18 hours, and cohort_a2 has an open K6 finding (a to-do
    item)."""
    hub, programme = personas.hub_a, personas.programme
    make_participant(hub, programme)  # pending
    ineligible = make_participant(hub, programme)
    ineligible.eligibility_status = EligibilityStatus.INELIGIBLE
    ineligible.eligibility_decided = ineligible.registered
    ineligible.save()
    dropped = make_cohort_member(
        personas.cohort_a, dropped_out_on=dt.date(2021, 7, 1), left=dt.date(2021, 7, 1)
    )
    session = make_session(personas.cohort_a, status=SessionStatus.DELIVERED)
    Attendance.objects.create(
        session=session, participant=personas.participant_a, present=True, hours=Decimal("3")
    )
    Attendance.objects.create(session=session, participant=dropped, present=False, hours=0)
    done = make_cohort(hub, programme)
    for day in range(1, 7):
        make_session(done, f"2021-06-{day:02}T09:30", status=SessionStatus.DELIVERED)
    now = local("2021-07-02T06:00")
    Finding.objects.create(
        hub=hub,
        cohort=personas.cohort_a2,
        rule="K6",
        subject_kind=Finding.SubjectKind.COHORT,
        subject_id=personas.cohort_a2.pk,
        subject_code=personas.cohort_a2.code,
        subject_name=personas.cohort_a2.name,
        outcome=Finding.Outcome.WARN,
        sentence="At risk",
        first_found=now,
        last_found=now,
    )
    # Hub B's rows never count for hub A.
    make_participant(personas.hub_b, programme)


def test_dashboard_counts_hand_worked(client, personas):
    add_rows(personas)
    client.force_login(personas.hub_a_admin)
    response = client.get(dashboard(personas.hub_a))
    c = response.context["counts"]
    assert (c.registrations, c.eligible, c.ineligible, c.pending) == (5, 3, 1, 1)
    assert (c.allocated, c.started, c.dropped_out) == (2, 1, 1)
    assert (c.forming, c.running, c.completed) == (1, 1, 1)
    assert c.target == 150
    assert c.progress == Decimal("0.7")  # 1 of 150 started
    body = response.content.decode()
    assert "0.7%" in body
    assert re.search(r'data-count="registrations"><a class="govuk-link" href="[^"]+">5<', body)
    assert "What needs doing" in body  # the to-do list is still there


def test_each_count_links_to_the_people_it_counts(client, personas):
    """Issue 18 (2): a count is the registrations list's own status, so following its
    link lists exactly that many people."""
    add_rows(personas)
    client.force_login(personas.hub_a_admin)
    response = client.get(dashboard(personas.hub_a))
    linked = {
        name: (count, url)
        for _, _, rows in response.context["count_tables"]
        for _, name, count, url in rows
        if url
    }
    assert set(linked) == {
        "registrations",
        "eligible",
        "ineligible",
        "pending",
        "allocated",
        "dropped_out",
    }
    for name, (count, url) in linked.items():
        listed = client.get(url).context["page"].paginator.count
        assert (name, listed) == (name, count)
    assert linked["allocated"][0] == 2  # hand-worked above


def test_dashboard_queries_do_not_grow_with_rows(client, personas, django_assert_num_queries):
    client.force_login(personas.hub_a_admin)
    client.get(dashboard(personas.hub_a))
    with django_assert_num_queries(17):  # as in test_dashboard_queries
        client.get(dashboard(personas.hub_a))
    add_rows(personas)
    for _ in range(5):
        make_eligible(make_participant(personas.hub_a, personas.programme))
        make_cohort(personas.hub_a, personas.programme)
    with django_assert_num_queries(17):
        client.get(dashboard(personas.hub_a))


def test_progress_is_capped_for_the_bar_but_not_the_figure(personas):
    from reporting.selectors import HubCounts

    nothing = {field.name: 0 for field in dataclasses.fields(HubCounts)}
    counts = HubCounts(**{**nothing, "started": 3, "target": 2})
    assert counts.progress == Decimal("150.0")
    assert counts.progress_bar == Decimal(100)


def test_the_dashboard_shows_the_hubs_hot_topics(client, personas):
    from sessions.models import FacilitatorNote, Topic
    from tests.factories import make_session

    note = FacilitatorNote.objects.create(
        session=make_session(personas.cohort_a, status="delivered"), hot_topics="Cash flow"
    )
    note.session.topics.add(Topic.objects.get(key="finance"))
    other_hub = FacilitatorNote.objects.create(
        session=make_session(personas.cohort_b, status="delivered")
    )
    other_hub.session.topics.add(Topic.objects.get(key="net-zero"))
    client.force_login(personas.hub_a_admin)
    hot = client.get(dashboard(personas.hub_a)).context["hot_topics"]
    assert [(h.name, h.count) for h in hot] == [("Finance", 1)]


def _finding(hub, cohort, rule: str, due: str | None, n: int) -> Finding:
    now = local("2021-07-02T06:00")
    return Finding(
        hub=hub,
        cohort=cohort,
        rule=rule,
        subject_kind=Finding.SubjectKind.COHORT,
        subject_id=cohort.pk * 1000 + n,  # one finding per rule and subject
        subject_code=cohort.code,
        subject_name=f"{cohort.name} {n:03}",
        outcome=Finding.Outcome.WARN,
        sentence=f"{rule} sentence {n}",
        due=dt.date.fromisoformat(due) if due else None,
        first_found=now,
        last_found=now,
    )


def test_the_whole_to_do_list_is_grouped_filtered_paged_and_flags_the_overdue(
    client, personas, django_assert_max_num_queries
):
    """Issue 18 (2): beyond the dashboard's 50, every item is reachable: by rule, overdue
    only, a page at a time; an item due before today is flagged."""
    hub, cohort = personas.hub_a, personas.cohort_a2
    Finding.objects.bulk_create(
        [_finding(hub, cohort, "K6", "2021-06-30", n) for n in range(60)]  # overdue
        + [_finding(hub, cohort, "K2", "2021-07-30", n) for n in range(25)]
        + [_finding(personas.hub_b, personas.cohort_b, "K6", "2021-06-30", 0)]  # not hub A's
    )
    client.force_login(personas.hub_a_admin)
    url = reverse("hub:todo", kwargs={"hub": hub.key})
    with time_machine.travel(local("2021-07-02T09:00"), tick=False):
        dashboard_page = client.get(dashboard(hub))
        assert f'href="{url}"' in dashboard_page.content.decode()
        assert dashboard_page.context["todo_count"] == 85
        response = client.get(url)
        assert response.status_code == 200
        assert [
            (rule, count, overdue) for rule, _, count, overdue in response.context["kinds"]
        ] == [
            ("K6", 60, 60),
            ("K2", 25, 0),
        ]
        assert response.context["page"].paginator.count == 85
        assert len(response.context["todo"]) == 50
        last = client.get(url, {"page": 2})
        assert len(last.context["todo"]) == 35
        k2 = client.get(url, {"rule": "K2"})
        assert {item.rule for item in k2.context["todo"]} == {"K2"}
        assert "data-overdue" not in k2.content.decode()
        overdue = client.get(url, {"overdue": "on"})
        assert overdue.context["page"].paginator.count == 60
        assert overdue.content.decode().count("data-overdue") == 50
        # A rule not on the list: said so, and the whole list shown.
        wrong = client.get(url, {"rule": "Z9"})
        assert "Select a rule from the list" in wrong.content.decode()
        assert wrong.context["page"].paginator.count == 85
        with django_assert_max_num_queries(12):
            client.get(url, {"page": 2})
