"""The API's endpoints, /api/v1/ (docs/api.md), built with django-ninja: each reads the
request's user (the token's, `api.middleware`), asks `peernet.access` what they may see,
and calls the same selectors and services as the pages. The OpenAPI 3.1 document is
generated from these functions and `api.schemas`."""

from __future__ import annotations

from typing import Any, Literal

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from ninja import NinjaAPI, Query
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from api.evaluation_views import router as evaluation_router
from api.hub_views import router as hub_router
from api.middleware import refusal
from api.schemas import REFUSALS, ReturnOut, TimelinessOut
from api.tokens import ACCOUNT_PAGE
from peernet import access
from peernet.calendar import month_start
from peernet.models import Programme, User
from reporting import kpi, national
from reporting.returns import ReturnProblem, return_document

MONTH = r"^\d{4}-\d{2}$"
# A sentence, not a secret:
NO_TOKEN = "Send your API token as 'Authorization: Bearer <token>' (make one at {page})."  # noqa: S105


class TokenAuth(HttpBearer):
    """A personal API token (`api.middleware` has read it): the call acts as its user."""

    openapi_description = "A personal API token, made on your account page."

    def __call__(self, request: HttpRequest) -> User | None:
        token = getattr(request, "api_token", None)
        return token.user if token is not None else None

    def authenticate(self, request: HttpRequest, token: str) -> None:  # pragma: no cover
        return None  # `__call__` answers: the middleware has done the work


class Api(NinjaAPI):
    """django-ninja's API, whose root is the reference page (`api.reference`)."""

    def get_root_path(self, path_params: dict[str, Any]) -> str:
        return reverse("api:reference", kwargs=path_params)


api = Api(
    title="Peer Networks data API",
    version="1",
    description="Returns, completeness and timeliness, hubs' records and registrations, "
    "with exactly the access of the token's user (docs/api.md).",
    urls_namespace="api",
    docs_url=None,
    openapi_url="/openapi.json",
    auth=TokenAuth(),
)


api.add_router("/hubs/", hub_router)
api.add_router("/evaluation/", evaluation_router)


@api.exception_handler(AuthenticationError)
def _no_token(request: HttpRequest, exc: Exception) -> HttpResponse:
    return refusal(401, NO_TOKEN.format(page=ACCOUNT_PAGE))


def _month(value: str) -> Any:
    try:
        return month_start(value)
    except ValueError as exc:
        raise ReturnProblem({"month": f"month: {exc}"}) from exc


@api.exception_handler(ReturnProblem)
def _problem(request: HttpRequest, exc: Exception) -> HttpResponse:
    return refusal(400, str(exc))


def _area(user: User, scope: str, key: str) -> access.Area:
    """The area asked for, as the pages decide: national and cluster for the national
    roles; a hub for them and for its own administrators; a 404 for anyone else."""
    if not access.may_see_national(user):
        if scope != "hub":
            raise Http404("No such area.")
        area = access.area_for(user, "hub", key)
        if not access.administers_hub(user, area.hubs[0].pk):
            raise Http404("No hub found.")
        return area
    return access.area_for(user, scope, key)


def _scope(area: access.Area) -> dict[str, Any]:
    if area.kind == "hub":
        return kpi.hub_scope(area.hubs[0])
    if area.kind == "cluster":
        return kpi.cluster_scope(area.hubs[0].cluster, area.hubs)
    return kpi.national_scope(area.hubs)


@api.get(
    "/returns/",
    response={200: ReturnOut, **REFUSALS},
    url_name="returns",
    summary="A monthly return: national, a cluster's or a hub's",
)
def returns(
    request: HttpRequest,
    month: str = Query(..., pattern=MONTH, description="YYYY-MM"),
    scope: Literal["national", "cluster", "hub"] = "national",
    key: str = Query("", max_length=60, description="The cluster's or hub's key"),
    kind: Literal["submitted", "draft"] = "submitted",
) -> dict[str, Any]:
    """The figures of `monthly_return` and the XLSX (the same code), with their labels.
    `submitted` (the default) adds up each hub's latest submitted version; `draft`
    computes them afresh from the records, for the national coordinator and a hub's own
    administrators only, as on their pages."""
    user: User = request.user  # type: ignore[assignment]
    area = _area(user, scope, key)
    draft = kind == "draft"
    if draft and not (access.may_see_live(user) or access.administers_hub(user, area.hubs[0].pk)):
        raise Http404("No draft for you here.")
    if draft and area.kind != "hub" and not access.may_see_live(user):
        raise Http404("No draft for you here.")
    when = _month(month)
    document = return_document(_scope(area), area.hubs, when, submitted=not draft)
    if draft or not access.may_see_national(user):
        document["breakdowns"] = national.suppressed(document["breakdowns"])
    else:  # suppressed across every hub's return at once, as the national pages do
        rows = national.return_table(area.hubs, when, timezone.now())
        document["breakdowns"] = rows[-1].shown_breakdowns()
    return {
        **document,
        "kind": kind,
        "labels": {figure: kpi.LABELS[figure] for figure in kpi.FIGURE_IDS},
    }


def _pct(value: Any) -> str | None:
    return None if value is None else format(value, "f")


@api.get(
    "/timeliness/",
    response={200: TimelinessOut, **REFUSALS},
    url_name="timeliness",
    summary="Completeness and timeliness, per month and over the year",
)
def timeliness(
    request: HttpRequest,
    scope: Literal["national", "cluster", "hub"] = "national",
    key: str = Query("", max_length=60),
) -> dict[str, Any]:
    """Each hub's status month by month, and completeness (submitted ÷ expected) and
    timeliness (on time ÷ expected) per month and over the year's closed months, as the
    national timeliness page: for the national roles."""
    user: User = request.user  # type: ignore[assignment]
    if not access.may_see_national(user):
        raise Http404("No such area.")
    area = access.area_for(user, scope, key)
    programme = Programme.objects.order_by("-delivery_start").first()
    if programme is None:
        raise Http404("No programme has been set up yet.")
    months = national.programme_months(programme)
    table = national.timeliness(area.hubs, months, programme, timezone.now())
    return {
        "months": [
            {
                "month": f"{m.month:%Y-%m}",
                "expected": m.expected,
                "submitted": m.submitted,
                "on_time": m.on_time,
                "counts": m.counts,
                "closed": m.closed,
                "completeness_pct": _pct(m.completeness),
                "timeliness_pct": _pct(m.timeliness),
            }
            for m in table.months
        ],
        "year": {
            "expected": table.year.expected,
            "submitted": table.year.submitted,
            "on_time": table.year.on_time,
            "completeness_pct": _pct(table.year.completeness),
            "timeliness_pct": _pct(table.year.timeliness),
        },
        "hubs": [
            {
                "hub": row.hub.key,
                "name": row.hub.name,
                "cluster": row.hub.cluster.key,
                "statuses": {f"{m:%Y-%m}": s for m, s in zip(months, row.statuses, strict=True)},
            }
            for row in table.hubs
        ],
    }
