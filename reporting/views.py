"""Reporting pages: the hub dashboard, and the published JSON Schema of the scenario format."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from peernet.access import hub_admin_required
from reporting.scenario import SCHEMA
from reporting.selectors import TODO_SHOWN, hub_counts, todo_for_user
from sessions.selectors import hot_topics

HOT_TOPICS_SHOWN = 10


@require_GET
def scenario_schema(request: HttpRequest) -> JsonResponse:
    """docs/scenario-format.md: the document is published as a JSON Schema (no personal data)."""
    return JsonResponse(SCHEMA, json_dumps_params={"indent": 2, "ensure_ascii": False})


@login_required
@require_GET
@hub_admin_required
def hub_dashboard(request: HttpRequest) -> HttpResponse:
    """The hub administrator's start page: the hub's figures and progress against its
    target, and what needs doing in their hub, most urgent first."""
    todo = todo_for_user(request.user, hub=request.hub)
    return render(
        request,
        "hub/dashboard.html",
        {
            "hub": request.hub,
            "counts": hub_counts(request.hub),
            "todo": todo[:TODO_SHOWN],
            "todo_count": len(todo),
            "entries": True,
            "hot_topics": hot_topics(request.hub)[:HOT_TOPICS_SHOWN],
        },
    )
