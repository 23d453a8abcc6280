"""The access policy (peernet/access.py): who sees which rows, decided in one place."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from cohorts.models import Cohort, CohortMembership
from participants.models import Business, EligibilityStatus, Participant
from peernet.access import get_for_user
from peernet.models import Hub, RoleAssignment, User
from reporting.models import MonthlyReturn
from sessions.models import Attendance, GroupSession, OneToOneSession
from tests.factories import (
    make_member,
    make_one_to_one,
    make_participant,
    make_personas,
    make_session,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def p():
    return make_personas()


def visible_keys(model, user) -> set[str]:
    return set(model.objects.visible_to(user).values_list("key", flat=True))


def fresh(user: User) -> User:
    """The user as the next request would load it (no cached scope)."""
    return User.objects.get(pk=user.pk)


def test_participants_each_role_sees_only_its_own(p):
    a, a2, b = p.participant_a.key, p.participant_a2.key, p.participant_b.key
    b_same_business = p.participant_b_same_business.key  # participant_a's business
    assert visible_keys(Participant, p.coordinator) == {a, a2, b, b_same_business}
    assert visible_keys(Participant, p.hub_a_admin) == {a, a2}
    assert visible_keys(Participant, p.hub_b_admin) == {b, b_same_business}
    assert visible_keys(Participant, p.facilitator) == {a}
    assert visible_keys(Participant, p.provider) == {a}
    # BEIS and the evaluator see aggregates, never names.
    assert visible_keys(Participant, p.funder) == set()
    assert visible_keys(Participant, p.evaluator) == set()
    assert visible_keys(Participant, AnonymousUser()) == set()


def test_aggregate_only_roles_see_every_hub_and_return_but_no_cohort(p):
    both = {p.hub_a.key, p.hub_b.key}
    assert visible_keys(Hub, p.funder) == both
    assert visible_keys(Hub, p.evaluator) == both
    assert visible_keys(Hub, p.hub_b_admin) == {p.hub_b.key}
    # A facilitator or provider sees their own hub's name, not the other hub's.
    assert visible_keys(Hub, p.facilitator) == {p.hub_a.key}
    assert visible_keys(Hub, p.provider) == {p.hub_a.key}
    assert visible_keys(Cohort, p.funder) == set()

    MonthlyReturn.objects.create(hub=p.hub_a, month="2021-10-01")
    MonthlyReturn.objects.create(hub=p.hub_b, month="2021-10-01")
    assert MonthlyReturn.objects.visible_to(p.funder).count() == 2
    assert list(MonthlyReturn.objects.visible_to(p.hub_a_admin).values_list("hub", flat=True)) == [
        p.hub_a.pk
    ]


def test_facilitator_sees_only_assigned_cohorts_and_their_records(p):
    session_a = make_session(p.cohort_a)
    session_a2 = make_session(p.cohort_a2)
    Attendance.objects.create(session=session_a, participant=p.participant_a, present=True, hours=3)
    Attendance.objects.create(
        session=session_a2, participant=p.participant_a2, present=True, hours=3
    )
    assert visible_keys(Cohort, p.facilitator) == {p.cohort_a.key}
    assert visible_keys(GroupSession, p.facilitator) == {session_a.key}
    assert list(
        Attendance.objects.visible_to(p.facilitator).values_list("participant__key", flat=True)
    ) == [p.participant_a.key]
    assert visible_keys(GroupSession, p.hub_a_admin) == {session_a.key, session_a2.key}
    assert visible_keys(GroupSession, p.hub_b_admin) == set()


def test_provider_sees_their_participants_one_to_ones_only(p):
    mine = make_one_to_one(p.participant_a, p.provider)
    other_provider = User.objects.create_user(email="other@example.org", name="Other")
    theirs = make_one_to_one(p.participant_a2, other_provider)
    assert visible_keys(OneToOneSession, p.provider) == {mine.key}
    assert visible_keys(OneToOneSession, p.hub_a_admin) == {mine.key, theirs.key}
    assert visible_keys(OneToOneSession, p.facilitator) == set()


def test_other_hubs_object_is_a_404_not_a_403(p):
    found = get_for_user(Participant.objects, p.hub_a_admin, code=p.participant_a.code)
    assert found == p.participant_a
    with pytest.raises(Http404):
        get_for_user(Participant.objects, p.hub_a_admin, code=p.participant_b.code)
    with pytest.raises(Http404):
        get_for_user(Participant.objects, p.funder, code=p.participant_a.code)


def test_revoked_access_stops_at_the_next_request(p):
    assert visible_keys(Participant, fresh(p.facilitator)) == {p.participant_a.key}
    RoleAssignment.objects.filter(user=p.facilitator, cohort=p.cohort_a).delete()
    assert visible_keys(Participant, fresh(p.facilitator)) == set()

    p.hub_a_admin.is_active = False
    p.hub_a_admin.save(update_fields=["is_active"])
    assert visible_keys(Participant, fresh(p.hub_a_admin)) == set()
    assert visible_keys(Hub, fresh(p.hub_a_admin)) == set()


def test_a_path_through_many_rows_does_not_repeat_a_row(p):
    # Two participants of one business (only one may be eligible, E9), both in hub A:
    # the business is still listed once.
    second = make_participant(
        p.hub_a, p.programme, business=p.participant_a.business, key="p-second"
    )
    assert second.eligibility_status == EligibilityStatus.PENDING
    make_member(p.cohort_a, second)
    businesses = list(Business.objects.visible_to(p.hub_a_admin))
    assert businesses.count(p.participant_a.business) == 1
    # A participant who moved cohort appears once for the facilitator of both.
    CohortMembership.objects.filter(participant=p.participant_a).update(left="2021-05-25")
    make_member(p.cohort_a, p.participant_a, joined="2021-05-26")
    keys = list(Participant.objects.visible_to(p.facilitator).values_list("key", flat=True))
    assert sorted(keys) == sorted([p.participant_a.key, second.key])


def test_visible_to_costs_one_query_for_the_scope(p, django_assert_num_queries):
    user = fresh(p.hub_a_admin)
    # 1: the user's role assignments; 2: the participants.
    with django_assert_num_queries(2):
        list(Participant.objects.visible_to(user))
    # The scope is cached on the user for the rest of the request.
    with django_assert_num_queries(1):
        list(Cohort.objects.visible_to(user))


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    return names | {
        node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
    }


def test_the_scope_and_the_roles_import_no_app_and_the_models_not_the_policy():
    # The ground floor: the hub scope and the roles import nothing of ours but each other,
    # so every app's models can build on them; the policy (peernet.access) imports the
    # models, so no models module may import it (no import circle).
    root = Path(settings.BASE_DIR)
    apps = ("peernet", "participants", "cohorts", "sessions", "reporting")
    for module in ("peernet/scoping.py", "peernet/roles.py"):
        ours = {name for name in _imports(root / module) if name.split(".")[0] in apps}
        assert ours <= {"peernet.roles"}, (module, ours)
    for app in apps:
        assert "peernet.access" not in _imports(root / app / "models.py"), app
