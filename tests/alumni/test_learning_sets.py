"""Facilitators' action learning sets (issue 19, 5): a cluster lead forms sets of the
facilitators of their cluster's hubs, schedules sessions with joining instructions,
records who came and the learning points (refused when they hold a participant's
personal data); the cluster's and the national count of facilitators who took part.
A hub administrator of another cluster, or another cluster's lead, gets a 404."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alumni.learning_sets import selectors, services
from peernet.models import AuditEvent, Role, User
from tests.factories import local, make_cohort, make_user

pytestmark = pytest.mark.django_db

BEFORE = local("2022-02-01T09:00")
STARTS = local("2022-02-10T14:00")
AFTER = local("2022-02-10T17:00")


@pytest.fixture
def north_west(personas):
    """Hub A's cluster (North West): its lead Lee, and a second facilitator, Flo."""
    cluster = personas.hub_a.cluster
    lee = make_user(Role.HUB_ADMIN, hub=personas.hub_a, name="Lee Lead", email="lee@example.org")
    services.cluster_lead_appoint(cluster=cluster, user=lee, by=personas.coordinator)
    flo = make_user(
        Role.FACILITATOR,
        cohort=make_cohort(personas.hub_a, personas.programme),
        name="Flo Facilitator",
    )
    return cluster, lee, flo


def _formed(personas, north_west):
    cluster, lee, flo = north_west
    return services.learning_set_form(
        cluster=cluster, name="North West set 1", members=[personas.facilitator.pk, flo.pk], by=lee
    )


def test_a_set_is_formed_of_the_cluster_s_facilitators_only(personas, north_west):
    cluster, lee, flo = north_west
    outsider = make_user(Role.FACILITATOR, cohort=personas.cohort_b)  # Midlands
    with pytest.raises(ValidationError, match="Choose facilitators of North West"):
        services.learning_set_form(
            cluster=cluster, name="Mixed", members=[flo.pk, outsider.pk], by=lee
        )
    with pytest.raises(ValidationError, match="at least two"):
        services.learning_set_form(cluster=cluster, name="Alone", members=[flo.pk], by=lee)
    learning_set = _formed(personas, north_west)
    assert set(learning_set.members.all()) == {personas.facilitator, flo}


def test_learning_points_with_personal_data_are_refused_and_nothing_is_saved(personas, north_west):
    _, lee, flo = north_west
    learning_set = _formed(personas, north_west)
    session = services.learning_set_session_schedule(
        learning_set=learning_set,
        starts_at=STARTS,
        joining_instructions="Teams link in the calendar invite",
        by=lee,
        now=BEFORE,
    )
    name = personas.participant_a.full_name
    for text, why in [
        (f"Working with {name.upper()} on silence", "the name of a participant"),
        ("Ask sam@example.org for the slides", "an email address"),
    ]:
        with pytest.raises(ValidationError, match=why):
            services.learning_set_session_record(
                session=session, present=[flo.pk], learning_points=text, by=lee, now=AFTER
            )
    session.refresh_from_db()
    assert session.learning_points == "" and session.recorded_at is None
    assert not session.present.exists()
    services.learning_set_session_record(
        session=session,
        present=[flo.pk],
        learning_points="Silence after a question does the work.",
        by=lee,
        now=AFTER,
    )
    assert list(session.present.all()) == [flo]
    assert AuditEvent.objects.filter(
        object_type="alumni.learningsetsession", action="update", actor=lee
    ).exists()


def test_the_cluster_and_national_counts_of_who_took_part(personas, north_west):
    cluster, lee, flo = north_west
    learning_set = _formed(personas, north_west)
    for day in ("2022-02-10", "2022-03-10"):
        session = services.learning_set_session_schedule(
            learning_set=learning_set,
            starts_at=local(f"{day}T14:00"),
            joining_instructions="Room 2",
            by=lee,
            now=BEFORE,
        )
        services.learning_set_session_record(
            session=session,
            present=[flo.pk],
            learning_points="",
            by=lee,
            now=local("2022-04-01T09:00"),
        )
    rows = {
        r.cluster.name: (r.facilitators, r.took_part)
        for r in selectors.participation([cluster, personas.hub_b.cluster])
    }
    # North West: the personas' facilitator and Flo; Flo came twice, counted once.
    assert rows == {"North West": (2, 1), "Midlands": (0, 0)}


def test_only_the_cluster_s_lead_and_the_coordinator_see_its_sets(client, personas, north_west):
    _, lee, _ = north_west
    learning_set = _formed(personas, north_west)
    session = services.learning_set_session_schedule(
        learning_set=learning_set,
        starts_at=STARTS,
        joining_instructions="Room 2",
        by=lee,
        now=BEFORE,
    )
    midlands_lead = make_user(Role.HUB_ADMIN, hub=personas.hub_b)
    services.cluster_lead_appoint(
        cluster=personas.hub_b.cluster, user=midlands_lead, by=personas.coordinator
    )
    urls = [
        reverse("learning_sets:set", kwargs={"pk": learning_set.pk}),
        reverse("learning_sets:session", kwargs={"pk": session.pk}),
        reverse("learning_sets:set-new", kwargs={"cluster": "north-west"}),
    ]
    for user, status in [
        (lee, 200),
        (personas.coordinator, 200),
        (personas.hub_b_admin, 404),
        (midlands_lead, 404),
        (personas.facilitator, 404),
    ]:
        client.force_login(user)
        assert {url: client.get(url).status_code for url in urls} == dict.fromkeys(urls, status)
    client.force_login(personas.hub_b_admin)
    assert client.get(reverse("learning_sets:home")).status_code == 404


def _grow_sets(personas, north_west, sets: int, size: int) -> int:
    """`sets` more sets of `size` new facilitators of hub A, each with `size` sessions
    every member came to. Returns the last set's id."""
    cluster, lee, _ = north_west
    last = 0
    for _ in range(sets):
        people = [
            make_user(Role.FACILITATOR, cohort=make_cohort(personas.hub_a, personas.programme))
            for _ in range(size)
        ]
        learning_set = services.learning_set_form(
            cluster=cluster,
            name=f"Set {people[0].pk}",
            members=[u.pk for u in people],
            by=lee,
        )
        for n in range(size):
            session = services.learning_set_session_schedule(
                learning_set=learning_set,
                starts_at=local(f"2022-02-{n + 10}T14:00"),
                joining_instructions="Room 2",
                by=lee,
                now=BEFORE,
            )
            services.learning_set_session_record(
                session=session,
                present=[u.pk for u in people],
                learning_points="",
                by=lee,
                now=local("2022-04-01T09:00"),
            )
        last = learning_set.pk
    return last


def test_the_lists_take_the_same_queries_with_twice_the_data(client, personas, north_west):
    _, lee, _ = north_west
    client.force_login(lee)

    def counts(set_pk: int) -> dict[str, int]:
        found = {}
        client.get(reverse("learning_sets:home"))  # the session and the second factor, once
        for name, kwargs in [("home", {}), ("set", {"pk": set_pk})]:
            with CaptureQueriesContext(connection) as queries:
                assert (
                    client.get(reverse(f"learning_sets:{name}", kwargs=kwargs)).status_code == 200
                )
            found[name] = len(queries)
        return found

    small = counts(_grow_sets(personas, north_west, sets=2, size=2))
    assert counts(_grow_sets(personas, north_west, sets=2, size=4)) == small


def test_the_home_page_leads_a_cluster_lead_and_the_coordinator_to_the_sets(
    client, personas, north_west
):
    cluster, lee, flo = north_west
    # Lee is also hub A's administrator: two places to go, both listed.
    client.force_login(lee)
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert f'href="{reverse("learning_sets:home")}"' in home.text
    # A lead with no other role goes straight there.
    only_lead = User.objects.create_user(email="ona@example.org", password=None, name="Ona Lead")
    services.cluster_lead_appoint(cluster=cluster, user=only_lead, by=personas.coordinator)
    client.force_login(only_lead)
    assert client.get(reverse("home"))["Location"] == reverse("learning_sets:home")
    # A hub administrator who leads nothing sees no such link.
    client.force_login(personas.hub_b_admin)
    assert reverse("learning_sets:home") not in client.get(reverse("home")).text
    # The coordinator's home is the national area, whose navigation has the link; BEIS's
    # does not.
    client.force_login(personas.coordinator)
    assert client.get(reverse("home"))["Location"] == reverse("national:home")
    national = client.get(reverse("national:home")).text
    assert f'href="{reverse("learning_sets:home")}"' in national
    client.force_login(personas.funder)
    assert reverse("learning_sets:home") not in client.get(reverse("national:home")).text
