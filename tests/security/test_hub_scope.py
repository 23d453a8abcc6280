"""docs/security.md §3: hub-owned models cannot be queried without a hub scope.

The default manager of every hub-owned model (peernet.access.HubScopedManager) raises
`ScopeError` where no scope is open, and inside one sees only the hubs it names. Web
requests open their user's scope (peernet.middleware.HubScopeMiddleware), Celery tasks
and management commands open every hub's, as the system. The rest of the suite runs its
own code inside `scopes_disabled()` (tests/conftest.py); these tests step outside it
with an empty context.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse

from participants import surveys
from participants.models import Business, Participant
from participants.tasks import survey_invite_baseline
from peernet.access import request_hub_scope
from peernet.models import DeliveryPartner, Hub, RoleAssignment, User
from peernet.scoping import EVERY_HUB, ScopedQuerySet, ScopeError
from peernet.scoping import ScopedManager as HubScopedManager
from peernet.scoping import scope as hub_scope
from sessions.models import Attendance
from tests.factories import Personas, make_participant, make_session

pytestmark = pytest.mark.django_db

APPS = {"peernet", "participants", "cohorts", "delivery", "reporting"}
# What a scope is made of, not what it guards: the hubs and their delivery partners
# (organisations), staff and their role assignments (read to open a request's scope).
SCOPE_ITSELF = {Hub, DeliveryPartner, User, RoleAssignment}


def outside_any_scope(work: Callable[[], Any]) -> Any:
    """Run `work` in a fresh context: no hub scope open, as in a new thread or process."""
    return contextvars.Context().run(work)


def _project_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if m._meta.app_label in APPS]


def _reaches_hub(model: type[models.Model], depth: int = 0) -> bool:
    """Whether the model's rows belong to a hub: a foreign key to Hub, or to a model that
    does (participant, cohort, session...), within three steps."""
    if depth > 3:
        return False
    for field in model._meta.get_fields():
        if field.many_to_one and field.concrete:
            if field.related_model is Hub:
                return True
            if field.related_model not in SCOPE_ITSELF and _reaches_hub(
                field.related_model, depth + 1
            ):
                return True
    return False


HUB_OWNED = sorted(
    (m for m in _project_models() if m not in SCOPE_ITSELF and _reaches_hub(m)),
    key=lambda m: m._meta.label,
)


def test_the_hub_owned_models_are_found():
    labels = {m._meta.label for m in HUB_OWNED}
    assert {
        "participants.Participant",
        "cohorts.Cohort",
        "delivery.Attendance",
        "reporting.MonthlyReturn",
    } <= labels


@pytest.mark.parametrize("model", HUB_OWNED, ids=lambda m: m._meta.label)
def test_every_hub_owned_model_has_the_scoped_manager(model):
    manager = model._default_manager
    assert isinstance(manager, HubScopedManager), f"{model._meta.label}: objects is not scoped"
    assert issubclass(manager._queryset_class, ScopedQuerySet)


@pytest.mark.parametrize("model", HUB_OWNED, ids=lambda m: m._meta.label)
def test_outside_a_scope_every_hub_owned_model_refuses_to_query(model):
    with pytest.raises(ScopeError, match="outside a hub scope"):
        outside_any_scope(lambda: list(model.objects.all()))
    # Inside one, the same query runs.
    assert outside_any_scope(lambda: _count_in(EVERY_HUB, model)) >= 0


def _count_in(scope: Any, model: type[models.Model]) -> int:
    with hub_scope(scope):
        return model.objects.count()


def test_a_scope_sees_only_its_hubs(personas: Personas):
    a, b = personas.hub_a, personas.hub_b
    session = make_session(personas.cohort_a, "2021-10-05T09:30")
    Attendance.objects.create(
        session=session, participant=personas.participant_a, present=True, hours=3
    )

    def in_hub_a() -> dict[str, Any]:
        with hub_scope([a.pk]):
            return {
                "participants": set(Participant.objects.values_list("hub", flat=True)),
                "b's participant": Participant.objects.filter(pk=personas.participant_b.pk).first(),
                # Reached through a related manager: the scope still holds.
                "b's cohort members": list(personas.cohort_b.memberships.all()),
                "attendance": Attendance.objects.count(),
                # A to-many path (a business reaches its hubs through its participants).
                "businesses": Business.objects.count(),
            }

    seen = outside_any_scope(in_hub_a)
    assert seen["participants"] == {a.pk}
    assert seen["b's participant"] is None
    assert seen["b's cohort members"] == []
    assert seen["attendance"] == 1
    assert seen["businesses"] == Business.objects.filter(participants__hub=a).distinct().count()
    everyone = outside_any_scope(lambda: _count_in(EVERY_HUB, Participant))
    assert everyone == Participant.objects.count() > len(seen["participants"])
    assert b.pk not in seen["participants"]


def test_each_request_opens_its_users_scope(personas: Personas):
    p = personas
    assert request_hub_scope(p.hub_a_admin) == {p.hub_a.pk}
    assert request_hub_scope(p.facilitator) == {p.hub_a.pk}
    assert request_hub_scope(p.provider) == {p.hub_a.pk}
    assert request_hub_scope(p.hub_b_admin) == {p.hub_b.pk}
    for national in (p.coordinator, p.funder, p.evaluator):
        assert request_hub_scope(national) == EVERY_HUB
    from django.contrib.auth.models import AnonymousUser

    assert request_hub_scope(AnonymousUser()) == frozenset()
    # The signed token is the authority behind a participant's link.
    assert request_hub_scope(AnonymousUser(), participant_link=True) == EVERY_HUB


@pytest.mark.parametrize(
    ("url", "role", "expected"),
    [
        ("/hub/hub-a/", "hub_a_admin", "hub a"),
        ("/facilitation/", "facilitator", "hub a"),
        ("/national/", "funder", EVERY_HUB),
        ("/", None, frozenset()),
        ("/p/survey/", None, EVERY_HUB),  # a participant link's page
    ],
)
def test_the_middleware_opens_the_scope_for_the_request(rf, personas, url, role, expected):
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpResponse

    from peernet.middleware import HubScopeMiddleware
    from peernet.scoping import get_scope as active_hub_scope

    seen = []
    middleware = HubScopeMiddleware(
        lambda request: seen.append(active_hub_scope()) or HttpResponse()
    )
    request = rf.get(url)
    request.user = getattr(personas, role) if role else AnonymousUser()
    outside_any_scope(lambda: middleware(request))
    assert seen == [{personas.hub_a.pk} if expected == "hub a" else expected]


def test_tasks_run_as_the_system_across_every_hub(personas: Personas):
    # A task started where no scope is open (as in a worker) reads the hub's rows: the
    # baseline invitation (S1) of a participant, made and sent.
    sent = outside_any_scope(
        lambda: survey_invite_baseline.apply(args=[personas.participant_a.pk]).get()
    )
    assert sent == 1
    # The same service called directly, outside any scope, is refused.
    with pytest.raises(ScopeError):
        outside_any_scope(
            lambda: surveys.survey_invite_baseline(participant_id=personas.participant_b.pk)
        )


def test_e9_looks_across_hubs_but_names_no_one_from_another_hub(client, personas: Personas):
    """One business, two hubs: hub A's eligibility page sees hub B's participant from the
    same business (E9), inside hub A's scope, without naming them."""
    from participants.models import EligibilityStatus

    business = personas.participant_b.business
    personas.participant_b.eligibility_status = EligibilityStatus.ELIGIBLE
    personas.participant_b.save(update_fields=["eligibility_status"])
    newcomer = make_participant(personas.hub_a, personas.programme, business=business)
    client.force_login(personas.hub_a_admin)
    page = client.get(
        reverse("hub:eligibility", kwargs={"hub": "hub-a", "code": newcomer.code})
    ).content.decode()
    assert "Someone registered with another hub from" in page
    assert personas.participant_b.last_name not in page
