"""The roles people hold, and what each role may see, as data.

Part of the ground floor: it imports no app and no model, so the models, the hub scope
(`peernet.scoping`) and the access policy (`peernet.access`) can all build on it.

A user's role assignments (`peernet.models.RoleAssignment`) add up to their `Reach`:
how far, through which of a row's routes, they see. `REACH` says it per role:
- coordinator: everything, nationally;
- funder (BEIS) and evaluator: aggregate-only, the rows that name nobody (hubs,
  clusters, returns), never a record that names a person;
- hub administrator: everything in their hub(s), through a row's route to its hub;
- facilitator: the cohorts they are assigned to, and those cohorts' records;
- one-to-one provider: the participants assigned to them and their one-to-one records;
- anyone holding a hub role: the rows of that hub that name nobody (its name, say);
- an inactive user, or one with no role: nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import models


class Role(models.TextChoices):
    COORDINATOR = "coordinator", "National coordinator"
    FUNDER = "funder", "Funder (BEIS)"
    EVALUATOR = "evaluator", "Evaluator"
    HUB_ADMIN = "hub_admin", "Hub administrator"
    FACILITATOR = "facilitator", "Facilitator"
    ONE_TO_ONE_PROVIDER = "one_to_one_provider", "One-to-one provider"


NATIONAL_ROLES = (Role.COORDINATOR, Role.FUNDER, Role.EVALUATOR)

# What each role sees. EVERYTHING and NAMING_NOBODY need no route; the others name the
# route (a `ScopedQuerySet` path) the role reaches a row through.
EVERYTHING = "everything"
NAMING_NOBODY = "naming nobody"
HUB = "hub_path"
COHORT = "cohort_path"
PROVIDER = "provider_path"
MEMBER_HUB = "member_hub_path"  # every hub role, besides its own route
REACH: dict[str, str] = {
    Role.COORDINATOR: EVERYTHING,
    Role.FUNDER: NAMING_NOBODY,
    Role.EVALUATOR: NAMING_NOBODY,
    Role.HUB_ADMIN: HUB,
    Role.FACILITATOR: COHORT,
    Role.ONE_TO_ONE_PROVIDER: PROVIDER,
}


@dataclass(frozen=True)
class Reach:
    """What one user's role assignments add up to."""

    user_id: int | None = None
    national: bool = False  # may see personal data everywhere
    aggregates: bool = False  # may see the rows that name nobody everywhere
    hub_ids: frozenset[int] = field(default_factory=frozenset)  # hub administrator
    cohort_ids: frozenset[int] = field(default_factory=frozenset)  # facilitator
    provider: bool = False  # one-to-one provider (their own participants)
    member_hub_ids: frozenset[int] = field(default_factory=frozenset)  # any hub role
    roles: frozenset[str] = field(default_factory=frozenset)  # every role held, anywhere

    @property
    def is_empty(self) -> bool:
        return not (
            self.national or self.aggregates or self.hub_ids or self.cohort_ids or self.provider
        )

    def routes(self) -> list[tuple[str, str, Any]]:
        """(route, lookup, value) for each route this reach sees rows through: a row is
        visible when any route's lookup matches."""
        routes: list[tuple[str, str, Any]] = []
        if self.hub_ids:
            routes.append((HUB, "pk__in", self.hub_ids))
        if self.member_hub_ids:
            routes.append((MEMBER_HUB, "pk__in", self.member_hub_ids))
        if self.cohort_ids:
            routes.append((COHORT, "pk__in", self.cohort_ids))
        if self.provider:
            routes.append((PROVIDER, "pk", self.user_id))
        return routes

    def administers(self, hub_id: int) -> bool:
        """Whether this reach covers the hub's administration area."""
        return self.national or hub_id in self.hub_ids


def reach_for(user: Any) -> Reach:
    """The user's reach, worked out once per request and cached on the user object."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Reach()
    cached = getattr(user, "_peernet_reach", None)
    if cached is not None:
        return cached
    national = aggregates = provider = False
    hub_ids: set[int] = set()
    cohort_ids: set[int] = set()
    member_hub_ids: set[int] = set()
    roles: set[str] = set()
    for role, hub_id, cohort_id in user.role_assignments.values_list("role", "hub_id", "cohort_id"):
        roles.add(role)
        sees = REACH[role]
        if sees == EVERYTHING:
            national = aggregates = True
        elif sees == NAMING_NOBODY:
            aggregates = True
        else:
            member_hub_ids.add(hub_id)
            if sees == HUB:
                hub_ids.add(hub_id)
            elif sees == COHORT and cohort_id is not None:
                cohort_ids.add(cohort_id)
            elif sees == PROVIDER:
                provider = True
    reach = Reach(
        user_id=user.pk,
        national=national,
        aggregates=aggregates,
        hub_ids=frozenset(hub_ids),
        cohort_ids=frozenset(cohort_ids),
        provider=provider,
        member_hub_ids=frozenset(member_hub_ids),
        roles=frozenset(roles),
    )
    user._peernet_reach = reach
    return reach


def forget_reach(user: Any) -> None:
    """Drop the cached reach after the user's role assignments change."""
    if hasattr(user, "_peernet_reach"):
        del user._peernet_reach


def user_roles(user: Any) -> set[str]:
    """The roles a user holds anywhere (the home page's routing, the areas a page links
    to), read with the user's reach: no query of its own once the reach is known."""
    return set(reach_for(user).roles)
