"""The hub's registrations list and the participant page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from peernet.models import RuleWarning
from tests.factories import make_business, make_member, make_participant
from tests.pages import HUB_OUTSIDERS, assert_pages_answer

pytestmark = pytest.mark.django_db


def _list(hub_key: str = "hub-a") -> str:
    return reverse("hub:registrations", kwargs={"hub": hub_key})


def _page(participant) -> str:
    return reverse("hub:participant", kwargs={"hub": participant.hub.key, "code": participant.code})


def test_list_is_for_the_hubs_admin(client, personas):
    client.force_login(personas.hub_a_admin)
    response = client.get(_list())
    assert response.status_code == 200
    content = response.content.decode()
    assert personas.participant_a.full_name in content
    assert personas.participant_b.full_name not in content
    assert 'aria-current="page"' in content


@pytest.mark.parametrize("role", HUB_OUTSIDERS)
def test_list_is_404_for_others(client, personas, role):
    assert_pages_answer(client, getattr(personas, role), [_list()], 404)


def test_list_redirects_anonymous_to_login(client, personas):
    response = client.get(_list())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_counts_filter_and_search(client, personas):
    hub, programme = personas.hub_a, personas.programme
    make_participant(hub, programme, first_name="Pat", last_name="Pending")
    ruled_out = make_participant(hub, programme, last_name="Nope")
    ruled_out.eligibility_status = "ineligible"
    ruled_out.eligibility_decided = ruled_out.registered
    ruled_out.save()
    gone = make_participant(
        hub, programme, last_name="Gone", dropped_out_on=dt.date(2021, 6, 1), dropout_reason="Ill"
    )
    make_participant(hub, programme, business=make_business(name="Zebra Foods Ltd"))
    client.force_login(personas.hub_a_admin)

    content = client.get(_list()).content.decode()
    # participant_a and _a2 are eligible and in cohorts; three are pending (one of them
    # dropped out), one is ineligible.
    assert 'data-count="total">6<' in content
    assert 'data-count="pending">3<' in content
    assert 'data-count="eligible">2<' in content
    assert 'data-count="ineligible">1<' in content
    assert 'data-count="allocated">2<' in content
    assert 'data-count="dropped-out">1<' in content

    content = client.get(_list(), {"status": "dropped-out"}).content.decode()
    assert gone.full_name in content and "Pat Pending" not in content

    content = client.get(_list(), {"status": "ineligible"}).content.decode()
    assert ruled_out.full_name in content and "Pat Pending" not in content

    content = client.get(_list(), {"q": "zebra"}).content.decode()
    assert "Zebra Foods Ltd" in content and "Pat Pending" not in content

    content = client.get(_list(), {"q": "pending"}).content.decode()
    assert "Pat Pending" in content and "Zebra Foods Ltd" not in content


def test_an_unknown_status_is_a_form_error_not_a_lookup(client, personas):
    client.force_login(personas.hub_a_admin)
    response = client.get(_list(), {"status": "hub__key", "eligibility_status": "eligible"})
    assert response.status_code == 200
    assert "Select a status from the list" in response.content.decode()


def test_search_text_is_not_a_lookup(client, personas):
    client.force_login(personas.hub_a_admin)
    response = client.get(_list(), {"q": "hub__key=hub-b"})
    assert response.status_code == 200
    assert personas.participant_b.full_name not in response.content.decode()


def test_e9_warning_on_the_list(client, personas):
    business = make_business(name="Twin Ltd")
    make_participant(personas.hub_a, personas.programme, business=business)
    make_participant(personas.hub_a, personas.programme, business=business)
    client.force_login(personas.hub_a_admin)
    content = client.get(_list()).content.decode()
    assert content.count("from this business registered this year") == 2


def _add_rows(personas, n: int) -> None:
    for _ in range(n):
        person = make_participant(personas.hub_a, personas.programme)
        make_member(personas.cohort_a2, person)


def test_list_query_count_does_not_grow_with_rows(client, personas, django_assert_num_queries):
    client.force_login(personas.hub_a_admin)
    client.get(_list())  # warm up anything cached per process
    # session, user, role assignments (scope), hub, page count, counts aggregate, page rows
    # (business, allocated and E9 joined in), the hub's cohorts (the bulk action's choice),
    # then the session's save (savepoint, update, release): 11, however many rows.
    with django_assert_num_queries(11):
        assert client.get(_list()).status_code == 200
    _add_rows(personas, 30)
    with django_assert_num_queries(11):
        response = client.get(_list(), {"q": "smith"})
        assert response.status_code == 200


def test_list_is_paginated_by_50(client, personas):
    for _ in range(51):
        make_participant(personas.hub_a, personas.programme)
    client.force_login(personas.hub_a_admin)
    content = client.get(_list()).content.decode()
    assert "Page 1 of 2" in content
    assert "Page 2 of 2" in client.get(_list(), {"page": "2"}).content.decode()


def test_participant_page_shows_the_history(client, personas):
    person = personas.participant_a
    RuleWarning.objects.create(
        rule="K11",
        subject_kind="participant",
        subject_id=person.pk,
        hub=personas.hub_a,
        sentence="Moved after the journey began.",
        action="cohort_move",
    )
    client.force_login(personas.hub_a_admin)
    response = client.get(_page(person))
    assert response.status_code == 200
    content = response.content.decode()
    assert person.full_name in content
    assert person.business.name in content
    assert personas.cohort_a.name in content
    assert "Moved after the journey began." in content
    assert "Not signed yet." in content


@pytest.mark.parametrize("role", HUB_OUTSIDERS)
def test_participant_page_is_404_for_others(client, personas, role):
    assert_pages_answer(client, getattr(personas, role), [_page(personas.participant_a)], 404)


def test_another_hubs_participant_under_my_hub_is_404(client, personas):
    client.force_login(personas.hub_a_admin)
    url = reverse("hub:participant", kwargs={"hub": "hub-a", "code": personas.participant_b.code})
    assert client.get(url).status_code == 404


def test_participant_page_redirects_anonymous(client, personas):
    response = client.get(_page(personas.participant_a))
    assert response.status_code == 302


def test_participant_page_queries_bounded(client, personas, django_assert_max_num_queries):
    person = personas.participant_a
    client.force_login(personas.hub_a_admin)
    # 19: 17 to read the page (E9's possible matches among them, the emails to them), and 2
    # to record who viewed it (docs/security.md §21: the person looked up, the event written).
    with django_assert_max_num_queries(19) as before:
        client.get(_page(person))
    for n in range(5):
        make_member(
            personas.cohort_a2,
            person,
            joined=dt.date(2021, 5, n + 10),
            left=dt.date(2021, 5, n + 11),
        )
    with django_assert_max_num_queries(len(before.captured_queries)):
        client.get(_page(person))


def test_markup_in_names_is_escaped(client, personas):
    make_participant(personas.hub_a, personas.programme, first_name="<script>alert(1)</script>")
    client.force_login(personas.hub_a_admin)
    content = client.get(_list()).content.decode()
    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content


def test_todo_link_to_participant_page_resolves(personas):
    from reporting.models import Finding
    from reporting.selectors import record_url

    finding = Finding(
        subject_kind=Finding.SubjectKind.PARTICIPANT,
        subject_code=personas.participant_a.code,
        subject_id=personas.participant_a.pk,
        hub=personas.hub_a,
    )
    assert record_url(finding, personas.hub_a_admin) == _page(personas.participant_a)


# --- search over the business's postcode (peernet.lists) -----------------------------


def test_search_finds_a_postcode(client, personas):
    make_participant(
        personas.hub_a, personas.programme, last_name="Postal",
        business=make_business(name="Mill Ltd", postcode="M1 4BT"),
    )  # fmt: skip
    client.force_login(personas.hub_a_admin)
    content = client.get(_list(), {"q": "m1 4b"}).content.decode()
    assert "Alex Postal" in content and personas.participant_a.full_name not in content
