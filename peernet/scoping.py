"""The hub scope: the second wall, beneath the per-user policy of `peernet.access`.

Part of the ground floor: it imports no app and no model (only `peernet.roles`), so
every app's models build their querysets on it.

The default manager of every hub-owned model refuses to query at all outside a scope
(`ScopeError`) and, inside one, sees only the hubs it names. Each entry point opens the
scope it acts in, so an unscoped query fails loudly in a test instead of leaking
quietly in production:
- a web request: the hubs its user works in (`peernet.middleware.HubScopeMiddleware`,
  from `peernet.access.request_hub_scope`); every hub for the national roles and
  behind a participant's signed link;
- Celery tasks and management commands: every hub (`scopes_disabled()`), as the system;
- code that must look across hubs inside a request (E9: one business, any hub) says so
  with `scopes_disabled()` around just that query.

The parts are named as in django-scopes (pretix's library), which a reader may know:
`scope(...)` opens a scope, `scopes_disabled()` steps outside it, `get_scope()` reads
it, `ScopedManager` is the default manager that enforces it and `ScopeError` is what
it raises. What ours adds, and why it is not django-scopes:
- one dimension only, the hub, given as a set of hub ids (a user may work in several);
- the route to the hub is a lookup path that may cross to-many relations (a staff user
  reaches a hub through their role assignments): the scope then selects by key, so no
  row is repeated;
- each queryset also says how its rows reach a cohort and a one-to-one provider, so the
  same paths serve the per-user policy (`ScopedQuerySet.visible_to`, whose routes per
  role are `peernet.roles.REACH`);
- models that are what a scope is made of (hubs, staff) declare themselves not
  hub-owned, rather than using a second manager.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import reduce
from operator import or_
from typing import Any, Literal, Self, TypeVar

from django.db import models
from django.db.models import Q

from peernet.roles import reach_for

EVERY_HUB: Literal["every hub"] = "every hub"
HubScope = frozenset[int] | Literal["every hub"]
_active_scope: ContextVar[HubScope | None] = ContextVar("peernet_hub_scope", default=None)


class ScopeError(RuntimeError):
    """A hub-owned model was queried where no hub scope is open: a bug, never data."""


@contextmanager
def scope(hubs: Iterable[int] | Literal["every hub"]) -> Iterator[None]:
    """Queries of hub-owned models inside see only these hubs' rows."""
    token = _active_scope.set(EVERY_HUB if hubs == EVERY_HUB else frozenset(hubs))
    try:
        yield
    finally:
        _active_scope.reset(token)


def scopes_disabled() -> Any:
    """Every hub's rows: for the system (tasks, commands) and for the few questions that
    are about every hub by nature (E9: one business, any hub). Say why beside each use."""
    return scope(EVERY_HUB)


def get_scope() -> HubScope | None:
    """The hub scope open here, or None."""
    return _active_scope.get()


def _path(prefix: str, suffix: str) -> str:
    return f"{prefix}__{suffix}" if prefix else suffix


_M = TypeVar("_M", bound=models.Model)


class ScopedManager(models.Manager[_M]):
    """The default manager of a hub-owned model: no query outside a hub scope."""

    # Set by ScopedQuerySet.as_manager, as by Django's own (migrations read it).
    _built_with_as_manager: bool

    def get_queryset(self) -> ScopedQuerySet[_M]:
        queryset = super().get_queryset()
        assert isinstance(queryset, ScopedQuerySet)  # built by ScopedQuerySet.as_manager
        return queryset.in_scope()


class ScopedQuerySet(models.QuerySet[_M, _M]):
    """A queryset that knows how its rows reach a hub, a cohort and a provider.

    Subclasses set the lookup paths ("" means the row itself; None means no route):
    - `hub_path`: to the Hub the row belongs to;
    - `cohort_path`: to a Cohort a facilitator may be assigned to;
    - `provider_path`: to the User who provides the one-to-one support;
    - `member_hub_path`: to a Hub any of whose staff may see the row (e.g. a hub's
      name), for rows that name nobody;
    - `names_nobody`: True when the rows name nobody, so aggregate-only roles see them all.
    """

    hub_path: str | None = None
    cohort_path: str | None = None
    provider_path: str | None = None
    member_hub_path: str | None = None
    names_nobody: bool = False
    # The path the hub scope narrows by, when it is not `hub_path` (equality data is
    # hub-owned, though no hub role may read it row by row).
    scope_path: str | None = None
    # False for what the scope is made of (hubs, staff users), which no scope narrows.
    hub_owned: bool = True

    @classmethod
    def as_manager(cls) -> ScopedManager[Any]:
        manager = ScopedManager.from_queryset(cls)()
        manager._built_with_as_manager = True
        return manager

    def in_scope(self) -> Self:
        """This queryset narrowed to the open hub scope, or ScopeError."""
        path = self.scope_path if self.scope_path is not None else self.hub_path
        if path is None or not self.hub_owned:
            return self  # not hub-owned (a breach, say, spans hubs)
        hubs = _active_scope.get()
        if hubs is None:
            raise ScopeError(
                f"{self.model.__name__} was queried outside a hub scope: open one with "
                "peernet.scoping.scope(...) or, for the system, scopes_disabled()."
            )
        if hubs == EVERY_HUB:
            return self
        return self._narrowed(Q(**{_path(path, "pk__in"): hubs}), self.model._base_manager, [path])

    def visible_to(self, user: Any) -> Self:
        """What `user` may see of these rows: each route their roles reach rows through
        (`peernet.roles.REACH`), joined by OR. The first wall (`peernet.access`)."""
        reach = reach_for(user)
        if reach.national or (reach.aggregates and self.names_nobody):
            return self.all()
        routes = [
            (path, lookup, value)
            for route, lookup, value in reach.routes()
            if (path := getattr(self, route)) is not None
        ]
        if not routes:
            return self.none()
        condition = reduce(
            or_, [Q(**{_path(path, lookup): value}) for path, lookup, value in routes]
        )
        return self._narrowed(
            condition, self.model._default_manager, [path for path, _, _ in routes]
        )

    def _narrowed(self, condition: Q, manager: models.Manager, paths: list[str]) -> Self:
        """The rows matching `condition`, which follows `paths`. Through a to-many
        relation a join would repeat rows, so those are selected by key instead; along
        to-one relations only (a hub administrator's `hub`) the condition is a plain
        filter, which the planner can use with the page's own order and limit."""
        if any(self._crosses_many(path) for path in paths):
            return self.filter(pk__in=manager.filter(condition).values("pk"))
        return self.filter(condition)

    def _crosses_many(self, path: str) -> bool:
        model: type[models.Model] | Literal["self"] | None = self.model
        for name in path.split("__") if path else []:
            # Every step but the last is a relation, so a model is in hand here.
            assert model is not None and model != "self"
            field_ = model._meta.get_field(name)
            if field_.one_to_many or field_.many_to_many:
                return True
            model = field_.related_model
        return False


class HubQuerySet(ScopedQuerySet):
    hub_path = ""
    member_hub_path = ""
    names_nobody = True
    hub_owned = False  # the hubs are what a scope is made of


class UserQuerySet(ScopedQuerySet):
    """Staff: a hub administrator sees the people who hold roles in their hub."""

    hub_path = "role_assignments__hub"
    hub_owned = False  # staff sign in before any scope is known
