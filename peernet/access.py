"""Who may see what: the one place access is decided.

The policy, per role, is data in `peernet.roles` (`REACH`); every model that holds
programme data has a queryset deriving from `peernet.scoping.ScopedQuerySet`, which says
as data how its rows reach a hub, a cohort and a one-to-one provider. Together they give
`Model.objects.visible_to(user)`, which narrows any query to what that user may see.
(The narrowing is a method of the models' querysets, so it sits on the ground floor
with them; this module, which imports the models, builds on it.)

Here, every lookup a page makes for a user:
- `get_for_user()` fetches one object through `visible_to` or raises 404, so another
  hub's id is a 404, never someone else's data and never a 403 that gives away that it
  exists;
- one helper per page's main object (`hub_for_admin`, `session_for_facilitation`,
  `cohort_for_facilitation` ...) does the same, preloading what the page needs;
- the yes/no questions pages ask (`administers_hub`, `facilitates_cohort` ...);
- `request_hub_scope()`: the hub scope (`peernet.scoping`, the second wall) a web
  request acts in. `visible_to(user)` still decides what a user may see within it.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.http import Http404

from cohorts.models import Cohort
from peernet.models import Hub
from peernet.roles import reach_for
from peernet.scoping import EVERY_HUB, HubScope
from sessions.models import GroupSession


def request_hub_scope(user: Any, *, participant_link: bool = False) -> HubScope:
    """The scope a web request acts in: the hubs its user works in; every hub for the
    national roles (their pages are about every hub), a superuser, and behind a
    participant link (the signed token is the authority, and names the one record it
    opens)."""
    if participant_link or getattr(user, "is_superuser", False):
        return EVERY_HUB  # a superuser is /admin's, which shows every hub (ScopedAdmin)
    reach = reach_for(user)
    if reach.national or reach.aggregates:
        return EVERY_HUB
    return reach.hub_ids | reach.member_hub_ids


def get_for_user(queryset: models.QuerySet, user: Any, **lookup: Any) -> Any:
    """One object the user may see, or 404 — never a 403 that reveals it exists."""
    try:
        return queryset.visible_to(user).get(**lookup)
    except queryset.model.DoesNotExist as exc:
        raise Http404(f"No {queryset.model._meta.verbose_name} found.") from exc
    except queryset.model.MultipleObjectsReturned as exc:  # pragma: no cover - a bad lookup
        raise Http404(f"No single {queryset.model._meta.verbose_name} found.") from exc


def named_to_hub(person: Any, hub_id: int) -> bool:
    """Whether `person` (a participant) may be named on a page of hub `hub_id`: only to
    their own hub. A question about every hub (E9: one business, any hub) counts another
    hub's people but never names them there."""
    return person.hub_id == hub_id


def administers_hub(user: Any, hub_id: int) -> bool:
    """Whether the user works in this hub's administration area (as `hub_for_admin`)."""
    return reach_for(user).administers(hub_id)


def facilitates_cohort(user: Any, cohort_id: int | None) -> bool:
    """Whether the user is assigned to facilitate this cohort."""
    return cohort_id is not None and cohort_id in reach_for(user).cohort_ids


def hub_for_admin(user: Any, key: str) -> Any:
    """The hub whose administration area this user may work in: their own hub as a hub
    administrator, or any hub for the national coordinator. Anyone else gets a 404."""
    reach = reach_for(user)
    hubs = Hub.objects.all() if reach.national else Hub.objects.filter(pk__in=reach.hub_ids)
    try:
        return hubs.get(key=key)
    except Hub.DoesNotExist as exc:
        raise Http404("No hub found.") from exc


def session_for_facilitation(user: Any, hub_key: str, code: Any) -> Any:
    """A group session of `hub_key` for the facilitator's pages: a session of a cohort
    the user facilitates, or any session of the hub for its administrators and the
    national coordinator (they stand in for a facilitator). Anyone else gets a 404.

    Decided from the user's role assignments read afresh on each request, so removing
    a facilitator from a cohort stops their next request."""
    sessions = GroupSession.objects.filter(cohort__hub__key=hub_key).select_related(
        "cohort__hub", "cohort__programme"
    )
    return get_for_user(sessions, user, code=code)


def cohort_for_facilitation(user: Any, hub_key: str, code: Any) -> Any:
    """A cohort of `hub_key` for the facilitator's pages: a cohort the user facilitates,
    or any cohort of the hub for its administrators and the national coordinator. Anyone
    else (a one-to-one provider of a member included) gets a 404.

    Decided from the user's role assignments read afresh on each request, like
    `session_for_facilitation`."""
    reach = reach_for(user)
    cohorts = Cohort.objects.filter(hub__key=hub_key).select_related("hub", "programme")
    if not reach.national:
        cohorts = cohorts.filter(Q(hub_id__in=reach.hub_ids) | Q(pk__in=reach.cohort_ids))
    try:
        return cohorts.get(code=code)
    except Cohort.DoesNotExist as exc:
        raise Http404("No cohort found.") from exc
