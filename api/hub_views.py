"""The hub endpoints, /api/v1/hubs/... (docs/api.md): the hubs a token's user may see,
and for a hub's administrators (and the national coordinator, who stands in) the hub's
participants, cohorts, group sessions and one-to-ones, as their pages show them. Every
list is a page of a stable cursor (`api.pagination`) in a fixed number of queries;
another hub's key or object is a 404 (`peernet.access`)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated, Any, Literal

from django.db import IntegrityError
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest
from django.utils import timezone
from ninja import Header, Query, Router, Status
from ninja.errors import HttpError

from api.pagination import DEFAULT_LIMIT, Cursor, Limit, cursor_page
from api.registrations import (
    KeyReused,
    RegistrationRefused,
    api_registration_create,
    registration_answer,
)
from api.schemas import (
    REFUSALS,
    CohortDetailOut,
    CohortPage,
    HubPage,
    OneToOnePage,
    ParticipantOut,
    ParticipantPage,
    Problem,
    RegistrationIn,
    RegistrationOut,
    RegistrationProblem,
    SessionPage,
)
from cohorts.models import Cohort, CohortMembership
from cohorts.selectors import hub_cohorts
from participants.models import Participant
from peernet import access
from peernet.calendar import Month
from peernet.models import Hub, User
from sessions.models import GroupSession, OneToOneSession

router = Router(tags=["hubs"])
# A month to narrow a list to (London), or none.
AMonth = Annotated[str, Query(pattern=r"^(\d{4}-\d{2})?$", description="YYYY-MM (London)")]


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _month(value: str) -> Month:
    try:
        return Month.parse(value)
    except ValueError as exc:
        raise HttpError(400, f"month: {exc}") from exc


@router.get(
    "/",
    response={200: HubPage, **REFUSALS},
    url_name="hubs",
    summary="The hubs you may see",
)
def hubs(
    request: HttpRequest,
    cluster: str = Query("", max_length=60, description="A cluster's key"),
    cursor: Cursor = "",
    limit: Limit = DEFAULT_LIMIT,
) -> dict[str, Any]:
    rows = Hub.objects.visible_to(_user(request)).select_related("cluster")
    if cluster:
        rows = rows.filter(cluster__key=cluster)
    page = cursor_page(rows, cursor, limit)
    page["results"] = [
        {"key": h.key, "name": h.name, "cluster": h.cluster.key} for h in page["results"]
    ]
    return page


def _current_cohort() -> Subquery:
    return Subquery(
        CohortMembership.objects.filter(participant=OuterRef("pk"), left__isnull=True)
        .order_by("-joined")
        .values("cohort__code")[:1]
    )


def _people(hub: Hub, user: User) -> QuerySet[Participant]:
    return (
        Participant.objects.filter(hub=hub)
        .visible_to(user)
        .select_related("business", "one_to_one_provider")
        .annotate(cohort_code=_current_cohort())
    )


def _person(p: Any) -> dict[str, Any]:
    provider = p.one_to_one_provider
    return {
        "code": p.code,
        "first_name": p.first_name,
        "last_name": p.last_name,
        "email": p.email,
        "phone": p.phone,
        "job_title": p.job_title,
        "business": p.business.name,
        "registered": p.registered,
        "eligibility_status": p.eligibility_status,
        "dropped_out_on": p.dropped_out_on,
        "cohort": p.cohort_code,
        "one_to_one_provider": provider.name if provider else None,
    }


@router.get(
    "/{hub}/participants/",
    response={200: ParticipantPage, **REFUSALS},
    url_name="participants",
    summary="The hub's participants",
)
def participants(
    request: HttpRequest,
    hub: str,
    registered_month: AMonth = "",
    status: Literal["", "pending", "eligible", "ineligible"] = "",
    cursor: Cursor = "",
    limit: Limit = DEFAULT_LIMIT,
) -> dict[str, Any]:
    """Registrations and participants of the hub, as its registrations list shows them:
    for its administrators and the national coordinator."""
    user = _user(request)
    rows = _people(access.hub_for_admin(user, hub), user)
    if registered_month:
        month = _month(registered_month)
        rows = rows.filter(registered__gte=month.first_day, registered__lte=month.last_day)
    if status:
        rows = rows.filter(eligibility_status=status)
    page = cursor_page(rows, cursor, limit)
    page["results"] = [_person(p) for p in page["results"]]
    return page


@router.get(
    "/{hub}/participants/{code}/",
    response={200: ParticipantOut, **REFUSALS},
    url_name="participant",
    summary="One participant of the hub",
)
def participant(request: HttpRequest, hub: str, code: uuid.UUID) -> dict[str, Any]:
    user = _user(request)
    rows = _people(access.hub_for_admin(user, hub), user)
    return _person(access.get_for_user(rows, user, code=code))


@router.get(
    "/{hub}/cohorts/",
    response={200: CohortPage, **REFUSALS},
    url_name="cohorts",
    summary="The hub's cohorts",
)
def cohorts(
    request: HttpRequest,
    hub: str,
    cursor: Cursor = "",
    limit: Limit = DEFAULT_LIMIT,
) -> dict[str, Any]:
    """The hub's cohorts, as its cohorts page lists them: current members, hours
    delivered and scheduled in the delivery window, the facilitator."""
    user = _user(request)
    rows = hub_cohorts(access.hub_for_admin(user, hub), today=timezone.localdate())
    page = cursor_page(rows.visible_to(user), cursor, limit)
    page["results"] = [_cohort(c) for c in page["results"]]
    return page


def _cohort(c: Any) -> dict[str, Any]:
    return {
        "code": c.code,
        "name": c.name,
        "planned_start": c.planned_start,
        "members": c.member_count,
        "delivered_hours": format(c.delivered_hours, "f"),
        "scheduled_hours": format(c.scheduled_hours, "f"),
        "facilitator": c.facilitator_name,
    }


@router.get(
    "/{hub}/cohorts/{code}/",
    response={200: CohortDetailOut, **REFUSALS},
    url_name="cohort",
    summary="One cohort of the hub, with its members",
)
def cohort(request: HttpRequest, hub: str, code: uuid.UUID) -> dict[str, Any]:
    user = _user(request)
    rows = hub_cohorts(access.hub_for_admin(user, hub), today=timezone.localdate())
    found: Cohort = access.get_for_user(rows, user, code=code)
    members = found.memberships.select_related("participant").order_by("joined", "pk")
    return {
        **_cohort(found),
        "memberships": [
            {
                "participant": m.participant.code,
                "name": m.participant.full_name,
                "joined": m.joined,
                "left": m.left,
            }
            for m in members
        ],
    }


@router.get(
    "/{hub}/sessions/",
    response={200: SessionPage, **REFUSALS},
    url_name="sessions",
    summary="The hub's group sessions",
)
def sessions(
    request: HttpRequest,
    hub: str,
    month: AMonth = "",
    cursor: Cursor = "",
    limit: Limit = DEFAULT_LIMIT,
) -> dict[str, Any]:
    user = _user(request)
    rows = (
        GroupSession.objects.filter(cohort__hub=access.hub_for_admin(user, hub))
        .visible_to(user)
        .select_related("cohort")
    )
    return _listed(rows, cursor, limit, _session, month=month)


def _session(s: GroupSession) -> dict[str, Any]:
    return {
        "code": s.code,
        "cohort": s.cohort.code,
        "starts_at": s.starts_at,
        "hours": format(s.hours, "f"),
        "status": s.status,
        "location": s.location,
    }


def _listed(
    rows: QuerySet[Any], cursor: str, limit: int, shown: Callable[[Any], dict], *, month: str
) -> dict[str, Any]:
    """A page of sessions (`starts_at`), of the London `month` when one is given, each
    row as `shown` draws it."""
    if month:
        when = _month(month)
        rows = rows.filter(starts_at__gte=when.start, starts_at__lt=when.end)
    page = cursor_page(rows, cursor, limit)
    page["results"] = [shown(row) for row in page["results"]]
    return page


@router.get(
    "/{hub}/one-to-ones/",
    response={200: OneToOnePage, **REFUSALS},
    url_name="one-to-ones",
    summary="The hub's one-to-one sessions",
)
def one_to_ones(
    request: HttpRequest,
    hub: str,
    month: AMonth = "",
    cursor: Cursor = "",
    limit: Limit = DEFAULT_LIMIT,
) -> dict[str, Any]:
    user = _user(request)
    rows = (
        OneToOneSession.objects.filter(participant__hub=access.hub_for_admin(user, hub))
        .visible_to(user)
        .select_related("participant", "provider")
    )
    return _listed(rows, cursor, limit, _one_to_one, month=month)


def _one_to_one(o: OneToOneSession) -> dict[str, Any]:
    return {
        "key": o.key,
        "participant": o.participant.code,
        "provider": o.provider.name if o.provider else None,
        "starts_at": o.starts_at,
        "hours": format(o.hours, "f"),
        "status": o.status,
        "route": o.route,
        "mode": o.mode,
    }


@router.post(
    "/{hub}/registrations/",
    response={
        201: RegistrationOut,
        400: RegistrationProblem,
        401: Problem,
        404: Problem,
        409: Problem,
    },
    url_name="registrations",
    summary="Record a registration (idempotent by the Idempotency-Key header)",
)
def registrations(
    request: HttpRequest,
    hub: str,
    details: RegistrationIn,
    idempotency_key: str = Header(
        ..., alias="Idempotency-Key", min_length=1, max_length=100, description="Yours, unique"
    ),
) -> Any:
    """The hub's staff registration form as JSON, for a hub's administrators: its checks
    and messages (400, by field), C2 included; one transaction, so a refusal writes
    nothing. The same Idempotency-Key again answers as the first time and writes nothing
    (`replayed`); the same key with other details is a 409."""
    user = _user(request)
    hub_ = access.hub_for_admin(user, hub)
    body = details.dict()
    try:
        row, new = api_registration_create(
            hub=hub_, user=user, key=idempotency_key, body=body, now=timezone.now()
        )
    except RegistrationRefused as refused:
        problem = {"detail": f"The registration was not recorded: {refused}"}
        return Status(400, {**problem, "errors": refused.errors})
    except KeyReused as reused:
        return Status(409, {"detail": str(reused)})
    except IntegrityError:  # the same key at the same moment: the other call recorded it
        row, new = api_registration_create(
            hub=hub_, user=user, key=idempotency_key, body=body, now=timezone.now()
        )
    return Status(201, registration_answer(row, replayed=not new))
