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
- the hub of a /hub/<hub>/ page is resolved once per request from the URL, as pretix
  resolves its event: `hub_admin_required` reads the `hub` key, gives the view
  `request.hub` or a 404;
- one helper per page's main object (`session_for_facilitation`,
  `cohort_for_facilitation` ...) does the same, preloading what the page needs;
- the facilitators' action learning sets: for a cluster's lead (an `alumni.ClusterLead`)
  and the national coordinator (`clusters_led`, `learning_set_for_lead` ...);
- the yes/no questions pages and services ask (`administers_hub`, `is_coordinator`,
  `may_see_national` ...), and `require_role` for an area only a role has;
- `request_hub_scope()`: the hub scope (`peernet.scoping`, the second wall) a web
  request acts in. `visible_to(user)` still decides what a user may see within it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from alumni.models import LearningSet, LearningSetSession
from cohorts.models import Cohort
from participants.models import Participant
from peernet.models import Breach, Cluster, Hub, User
from peernet.roles import Role, reach_for, user_roles
from peernet.scoping import EVERY_HUB, HubScope, ScopedQuerySet
from reporting.models import Finding
from sessions.models import GroupSession, OneToOneSession


class AuthenticatedRequest(HttpRequest):
    """A request to a page behind the sign-in wall (`login_required`): its user is a
    member of staff, never the anonymous one."""

    user: User


class HubRequest(AuthenticatedRequest):
    """A request to a page of the hub administration area: `hub_admin_required` has
    resolved the hub named by the URL."""

    hub: Hub


def request_hub_scope(user: User | AnonymousUser, *, participant_link: bool = False) -> HubScope:
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


def get_for_user(queryset: ScopedQuerySet[Any], user: User, **lookup: Any) -> Any:
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


def administers_hub(user: User, hub_id: int) -> bool:
    """Whether the user works in this hub's administration area (as `hub_for_admin`)."""
    return reach_for(user).administers(hub_id)


def facilitates_cohort(user: User, cohort_id: int | None) -> bool:
    """Whether the user is assigned to facilitate this cohort."""
    return cohort_id is not None and cohort_id in reach_for(user).cohort_ids


def hub_for_admin(user: User, key: str) -> Hub:
    """The hub whose administration area this user may work in: their own hub as a hub
    administrator, or any hub for the national coordinator. Anyone else gets a 404."""
    reach = reach_for(user)
    hubs = Hub.objects.all() if reach.national else Hub.objects.filter(pk__in=reach.hub_ids)
    try:
        return hubs.get(key=key)
    except Hub.DoesNotExist as exc:
        raise Http404("No hub found.") from exc


def hub_admin_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page of the hub administration area (/hub/<hub>/...): the hub named by the URL's
    `hub` key, for its administrators and the national coordinator, as `request.hub`;
    anyone else gets a 404, another hub's key included. The view takes no `hub` argument.

    Put it beneath `login_required` and the method decorators, so a signed-out visitor is
    sent to sign in and a wrong method is a 405 before the hub is looked at."""

    @wraps(view)
    def wrapped(request: HubRequest, *args: Any, hub: str, **kwargs: Any) -> HttpResponse:
        request.hub = hub_for_admin(request.user, hub)
        return view(request, *args, **kwargs)

    return wrapped


def hub_page(
    request: HubRequest, template: str, section: str, *, status: int = 200, **context: Any
) -> HttpResponse:
    """A page of the hub administration area: its hub (`request.hub`) and the `section`
    of the hub's navigation it is in, for the layout, and the page's own `context`;
    `status` 400 for a form sent back with its errors."""
    return render(
        request, template, {"hub": request.hub, "section": section, **context}, status=status
    )


def session_for_facilitation(user: User, hub_key: str, code: Any) -> Any:
    """A group session of `hub_key` for the facilitator's pages: a session of a cohort
    the user facilitates, or any session of the hub for its administrators and the
    national coordinator (they stand in for a facilitator). Anyone else gets a 404.

    Decided from the user's role assignments read afresh on each request, so removing
    a facilitator from a cohort stops their next request."""
    sessions = GroupSession.objects.filter(cohort__hub__key=hub_key).select_related(
        "cohort__hub", "cohort__programme"
    )
    return get_for_user(sessions, user, code=code)


def cohort_for_facilitation(user: User, hub_key: str, code: Any) -> Any:
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


def facilitated_cohort_ids(user: User) -> frozenset[int]:
    """The cohorts the user is assigned to facilitate (their own: a hub administrator
    standing in facilitates none)."""
    return reach_for(user).cohort_ids


def role_holders(role: Role, **where: Any) -> QuerySet[User]:
    """The active users who hold `role` where `where` says (`hub=`, `hub_id=`, `cohort=`:
    a field of the role assignment), each once, by name."""
    assignment = {f"role_assignments__{name}": value for name, value in where.items()}
    return (
        User.objects.filter(is_active=True, role_assignments__role=role, **assignment)
        .distinct()
        .order_by("name", "pk")
    )


def require_role(user: User, role: Role) -> None:
    """An area only a role has (the facilitator's, the provider's home): 404 for anyone
    not holding the role anywhere."""
    if role not in user_roles(user):
        raise Http404(f"No {role.label.lower()} area.")


def is_coordinator(user: User) -> bool:
    """The national coordinator: every hub's records, personal data included."""
    return reach_for(user).national


# --- one-to-one support ------------------------------------------------------------------


def participant_for_one_to_one(user: User, hub_key: str, code: Any) -> Participant:
    """A participant for the one-to-one pages: the provider assigned to them, or the
    hub's administrators and the national coordinator standing in. A facilitator of
    their cohort, another provider and everyone else get a 404.

    Narrows `Participant.objects.visible_to(user)` to the one-to-one routes only, so a
    facilitator's cohort route does not open these pages."""
    reach = reach_for(user)
    people = Participant.objects.visible_to(user).filter(hub__key=hub_key)
    if not reach.national:
        routes = Q(hub_id__in=reach.hub_ids)
        if reach.provider:
            routes |= Q(one_to_one_provider_id=reach.user_id)
        people = people.filter(routes)
    try:
        return people.select_related(
            "hub", "programme", "business", "one_to_one_provider", "action_plan"
        ).get(code=code)
    except Participant.DoesNotExist as exc:
        raise Http404("No participant found.") from exc


def one_to_one_for_participant(participant: Participant, key: str) -> OneToOneSession:
    """One of the participant's one-to-one sessions (the participant fetched for this user
    by `participant_for_one_to_one`), or 404."""
    try:
        return participant.one_to_ones.select_related("provider").get(key=key)
    except OneToOneSession.DoesNotExist as exc:
        raise Http404("No one-to-one session found.") from exc


def provides_one_to_one(user: User, participant: Any) -> bool:
    """Whether the user is the participant's assigned provider (not one standing in)."""
    reach = reach_for(user)
    return reach.provider and participant.one_to_one_provider_id == reach.user_id


def acts_on_finding(user: User, finding: Finding, *, facilitators: bool, providers: bool) -> bool:
    """Whether a finding the user may see is theirs to act on: everything in their hub for
    its administrators and the coordinator; for a rule facilitators act on, their own
    cohorts'; for a rule providers act on, their own participants'."""
    reach = reach_for(user)
    if reach.national or finding.hub_id in reach.hub_ids:
        return True
    if facilitators and finding.cohort_id in reach.cohort_ids:
        return True
    return (
        providers
        and reach.provider
        and finding.participant is not None
        and finding.participant.one_to_one_provider_id == reach.user_id
    )


# --- privacy (/privacy/) -----------------------------------------------------------------


def require_coordinator(user: User) -> None:
    """The registry, the audit trail and the breach register: the coordinator's alone."""
    if not is_coordinator(user):
        raise Http404("No such page.")


def participant_for_privacy(user: User, code: Any) -> Participant:
    """A participant's subject access and erasure: the coordinator or an administrator of
    their hub; else 404."""
    person = Participant.objects.select_related("hub", "business").filter(code=code).first()
    if person is None or not administers_hub(user, person.hub_id):
        raise Http404("No participant found.")
    return person


def breach_for_coordinator(user: User, reference: Any) -> Breach:
    """A breach of the register, for the coordinator; else 404."""
    require_coordinator(user)
    breach = Breach.objects.prefetch_related("hubs").filter(reference=reference).first()
    if breach is None:
        raise Http404("No breach found.")
    return breach


# --- the national area (/national/) and its downloads --------------------------------------


def may_see_national(user: User) -> bool:
    """The coordinator, BEIS and the evaluator: aggregate-only readers of every return."""
    return reach_for(user).aggregates


def may_export_baseline(user: User) -> bool:
    """The evaluator's fixed-format baseline export: the evaluator, and the coordinator
    who answers for it. BEIS reads aggregates only."""
    return may_see_national(user) and bool(user_roles(user) & {Role.EVALUATOR, Role.COORDINATOR})


def may_download_hub_return(user: User, params: dict[str, Any]) -> bool:
    """A hub's administrators download their own hub's return."""
    hub = Hub.objects.filter(key=params.get("key", "")).only("pk").first()
    return hub is not None and administers_hub(user, hub.pk)


def may_see_live(user: User) -> bool:
    """Figures computed afresh (not yet submitted) are the coordinator's alone."""
    return is_coordinator(user)


@dataclass(frozen=True)
class Area:
    """National, one cluster or one hub: what a page or a download covers."""

    kind: str  # national, cluster, hub
    key: str
    name: str
    hubs: list[Hub]


def area_for(user: User, kind: str, key: str = "") -> Area:
    """The area, narrowed to the hubs the user may see; 404 for anything else."""
    hubs = Hub.objects.visible_to(user).select_related("cluster").order_by("cluster__name", "name")
    if kind == "national":
        return Area("national", "", "National", list(hubs))
    if kind == "cluster":
        in_cluster = list(hubs.filter(cluster__key=key))
        if not in_cluster:
            raise Http404("No cluster found.")
        return Area("cluster", key, in_cluster[0].cluster.name, in_cluster)
    if kind == "hub":
        hub = hubs.filter(key=key).first()
        if hub is None:
            raise Http404("No hub found.")
        return Area("hub", key, hub.name, [hub])
    raise Http404("No such area.")


# --- the facilitators' action learning sets (/learning-sets/) ------------------------------


def clusters_led(user: User) -> QuerySet[Cluster]:
    """The clusters whose action learning sets the user organises: every cluster for the
    national coordinator, the clusters they lead for a cluster lead, none for anyone
    else."""
    if is_coordinator(user):
        return Cluster.objects.all()
    if not user.is_active:
        return Cluster.objects.none()
    return Cluster.objects.filter(leads__user=user)


def require_cluster_lead(user: User) -> list[Cluster]:
    """The learning sets' area: for a cluster lead and the coordinator; 404 for anyone
    else (a hub administrator included)."""
    clusters = list(clusters_led(user).order_by("name", "pk"))
    if not clusters:
        raise Http404("No action learning sets area.")
    return clusters


def cluster_for_lead(user: User, key: str) -> Cluster:
    cluster = clusters_led(user).filter(key=key).first()
    if cluster is None:
        raise Http404("No cluster found.")
    return cluster


def learning_set_for_lead(user: User, pk: int) -> LearningSet:
    """A set of a cluster the user leads (any, for the coordinator), or 404."""
    found = (
        LearningSet.objects.filter(cluster__in=clusters_led(user), pk=pk)
        .select_related("cluster")
        .first()
    )
    if found is None:
        raise Http404("No action learning set found.")
    return found


def learning_set_session_for_lead(user: User, pk: int) -> LearningSetSession:
    found = (
        LearningSetSession.objects.filter(learning_set__cluster__in=clusters_led(user), pk=pk)
        .select_related("learning_set__cluster")
        .first()
    )
    if found is None:
        raise Http404("No session found.")
    return found
