"""Who may see what: the one place access is decided (DESIGN.md "Access").

Every model that holds programme data has a queryset deriving from `ScopedQuerySet`
and says, as data, how its rows reach a hub, a cohort and a one-to-one provider.
`Model.objects.visible_to(user)` narrows any query to what that user may see, and
`get_for_user()` fetches one object or raises 404 — so another hub's id is a 404,
never someone else's data.

The policy, per role:
- coordinator: everything, nationally;
- funder (BEIS) and evaluator: aggregate-only — hubs, clusters and returns, never a
  record that names a person;
- hub administrator: everything in their hub(s);
- facilitator: the cohorts they are assigned to, and those cohorts' records;
- one-to-one provider: the participants assigned to them and their one-to-one records;
- an inactive user: nothing.

Beneath that, a hub scope (SECURITY.md 3): the default manager of every hub-owned model
refuses to query at all outside one (`ScopeError`), and inside one sees only the hubs it
names. Each entry point opens the scope it acts in, so an unscoped query fails loudly:
- a web request: the hubs its user works in (`peernet.middleware.HubScopeMiddleware`);
  every hub for the national roles and behind a participant's signed link;
- Celery tasks and management commands: every hub (`scopes_disabled`), as the system;
- code that must look across hubs inside a request (E9: one business, any hub)
  says so with `scopes_disabled()` around just that query.
`visible_to(user)` still decides what a user may see within the scope; the scope is the
second wall, not the first.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING, Any, Literal, Self

from django.db import models
from django.db.models import Q
from django.http import Http404

if TYPE_CHECKING:
    from peernet.models import User


@dataclass(frozen=True)
class Scope:
    """What one user's role assignments add up to."""

    user_id: int | None = None
    national: bool = False  # may see personal data everywhere
    aggregates: bool = False  # may see aggregate-only records everywhere
    hub_ids: frozenset[int] = field(default_factory=frozenset)  # hub administrator
    cohort_ids: frozenset[int] = field(default_factory=frozenset)  # facilitator
    provider: bool = False  # one-to-one provider (their own participants)
    member_hub_ids: frozenset[int] = field(default_factory=frozenset)  # any hub role

    @property
    def is_empty(self) -> bool:
        return not (
            self.national or self.aggregates or self.hub_ids or self.cohort_ids or self.provider
        )


def scope_for(user: Any) -> Scope:
    """The user's scope, worked out once per request and cached on the user object."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scope()
    cached = getattr(user, "_peernet_scope", None)
    if cached is not None:
        return cached
    from peernet.models import NATIONAL_ROLES, Role

    national = aggregates = provider = False
    hub_ids: set[int] = set()
    cohort_ids: set[int] = set()
    member_hub_ids: set[int] = set()
    for role, hub_id, cohort_id in user.role_assignments.values_list("role", "hub_id", "cohort_id"):
        if role == Role.COORDINATOR:
            national = aggregates = True
        elif role in NATIONAL_ROLES:
            aggregates = True
        else:
            member_hub_ids.add(hub_id)
            if role == Role.HUB_ADMIN:
                hub_ids.add(hub_id)
            elif role == Role.FACILITATOR and cohort_id is not None:
                cohort_ids.add(cohort_id)
            elif role == Role.ONE_TO_ONE_PROVIDER:
                provider = True
    scope = Scope(
        user_id=user.pk,
        national=national,
        aggregates=aggregates,
        hub_ids=frozenset(hub_ids),
        cohort_ids=frozenset(cohort_ids),
        provider=provider,
        member_hub_ids=frozenset(member_hub_ids),
    )
    user._peernet_scope = scope
    return scope


def forget_scope(user: Any) -> None:
    """Drop the cached scope after the user's role assignments change."""
    if hasattr(user, "_peernet_scope"):
        del user._peernet_scope


def _path(prefix: str, suffix: str) -> str:
    return f"{prefix}__{suffix}" if prefix else suffix


# --- the hub scope (SECURITY.md 3) ------------------------------------------------------

EVERY_HUB: Literal["every hub"] = "every hub"
HubScope = frozenset[int] | Literal["every hub"]
_active_scope: ContextVar[HubScope | None] = ContextVar("peernet_hub_scope", default=None)


class ScopeError(RuntimeError):
    """A hub-owned model was queried where no hub scope is open: a bug, never data."""


@contextmanager
def hub_scope(hubs: Iterable[int] | Literal["every hub"]) -> Iterator[None]:
    """Queries of hub-owned models inside see only these hubs' rows."""
    token = _active_scope.set(EVERY_HUB if hubs == EVERY_HUB else frozenset(hubs))
    try:
        yield
    finally:
        _active_scope.reset(token)


def scopes_disabled() -> Any:
    """Every hub's rows: for the system (tasks, commands) and for the few questions that
    are about every hub by nature (E9: one business, any hub). Say why beside each use."""
    return hub_scope(EVERY_HUB)


def active_hub_scope() -> HubScope | None:
    return _active_scope.get()


def request_hub_scope(user: Any, *, participant_link: bool = False) -> HubScope:
    """The scope a web request acts in: the hubs its user works in; every hub for the
    national roles (their pages are about every hub), a superuser, and behind a
    participant link (the signed token is the authority, and names the one record it
    opens)."""
    if participant_link or getattr(user, "is_superuser", False):
        return EVERY_HUB  # a superuser is /admin's, which shows every hub (ScopedAdmin)
    scope = scope_for(user)
    if scope.national or scope.aggregates:
        return EVERY_HUB
    return scope.hub_ids | scope.member_hub_ids


class HubScopedManager(models.Manager):
    """The default manager of a hub-owned model: no query outside a hub scope."""

    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().in_hub_scope()


class ScopedQuerySet(models.QuerySet):
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
    def as_manager(cls) -> Any:  # type: ignore[override]
        manager = HubScopedManager.from_queryset(cls)()
        manager._built_with_as_manager = True
        return manager

    def in_hub_scope(self) -> Self:
        """SECURITY.md 3: this queryset narrowed to the open hub scope, or ScopeError."""
        path = self.scope_path if self.scope_path is not None else self.hub_path
        if path is None or not self.hub_owned:
            return self  # not hub-owned (a breach, say, spans hubs)
        scope = _active_scope.get()
        if scope is None:
            raise ScopeError(
                f"{self.model.__name__} was queried outside a hub scope: open one with "
                "peernet.access.hub_scope(...) or, for the system, scopes_disabled()."
            )
        if scope == EVERY_HUB:
            return self
        condition = Q(**{_path(path, "pk__in"): scope})
        if self._crosses_many():
            return self.filter(pk__in=self.model._base_manager.filter(condition).values("pk"))
        return self.filter(condition)

    def visible_to(self, user: Any) -> Self:
        scope = scope_for(user)
        if scope.national or (scope.aggregates and self.names_nobody):
            return self.all()
        conditions: list[Q] = []
        if scope.hub_ids and self.hub_path is not None:
            conditions.append(Q(**{_path(self.hub_path, "pk__in"): scope.hub_ids}))
        if scope.member_hub_ids and self.member_hub_path is not None:
            conditions.append(Q(**{_path(self.member_hub_path, "pk__in"): scope.member_hub_ids}))
        if scope.cohort_ids and self.cohort_path is not None:
            conditions.append(Q(**{_path(self.cohort_path, "pk__in"): scope.cohort_ids}))
        if scope.provider and self.provider_path is not None:
            conditions.append(Q(**{_path(self.provider_path, "pk"): scope.user_id}))
        if not conditions:
            return self.none()
        condition = reduce(or_, conditions)
        if self._crosses_many():
            # A path through a to-many relation would repeat rows: select by key instead.
            inner = self.model._default_manager.filter(condition).values("pk")
            return self.filter(pk__in=inner)
        return self.filter(condition)

    def _crosses_many(self) -> bool:
        paths = [
            p
            for p in (self.hub_path, self.cohort_path, self.provider_path, self.member_hub_path)
            if p
        ]
        for path in paths:
            model = self.model
            for name in path.split("__"):
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
    scope = scope_for(user)
    return scope.national or hub_id in scope.hub_ids


def facilitates_cohort(user: Any, cohort_id: int | None) -> bool:
    """Whether the user is assigned to facilitate this cohort."""
    return cohort_id is not None and cohort_id in scope_for(user).cohort_ids


def hub_for_admin(user: Any, key: str) -> Any:
    """The hub whose administration area this user may work in: their own hub as a hub
    administrator, or any hub for the national coordinator. Anyone else gets a 404."""
    from peernet.models import Hub

    scope = scope_for(user)
    hubs = Hub.objects.all() if scope.national else Hub.objects.filter(pk__in=scope.hub_ids)
    try:
        return hubs.get(key=key)
    except Hub.DoesNotExist as exc:
        raise Http404("No hub found.") from exc


def user_roles(user: User) -> set[str]:
    """The roles a user holds anywhere (for the home page's routing)."""
    if not user.is_authenticated or not user.is_active:
        return set()
    return set(user.role_assignments.values_list("role", flat=True))


def session_for_facilitation(user: Any, hub_key: str, code: Any) -> Any:
    """A group session of `hub_key` for the facilitator's pages: a session of a cohort
    the user facilitates, or any session of the hub for its administrators and the
    national coordinator (they stand in for a facilitator). Anyone else gets a 404.

    Decided from the user's role assignments read afresh on each request, so removing
    a facilitator from a cohort stops their next request (SECURITY.md 5)."""
    from sessions.models import GroupSession

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
    from cohorts.models import Cohort

    scope = scope_for(user)
    cohorts = Cohort.objects.filter(hub__key=hub_key).select_related("hub", "programme")
    if not scope.national:
        cohorts = cohorts.filter(Q(hub_id__in=scope.hub_ids) | Q(pk__in=scope.cohort_ids))
    try:
        return cohorts.get(code=code)
    except Cohort.DoesNotExist as exc:
        raise Http404("No cohort found.") from exc
