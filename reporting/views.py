"""Reporting pages: the hub dashboard, and the published JSON Schema of the scenario format."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from peernet.access import hub_admin_required
from reporting.scenario import SCHEMA
from reporting.selectors import TODO_SHOWN, hub_counts, todo_for_user
from sessions.selectors import hot_topics

HOT_TOPICS_SHOWN = 10

# The dashboard's two tables of counts: each one's heading and the page it links to, then
# its rows, each the words and the `HubCounts` field shown.
COUNT_TABLES = (
    (
        "Participants",
        "hub:registrations",
        (
            ("Registrations", "registrations"),
            ("Eligible", "eligible"),
            ("Not eligible", "ineligible"),
            ("Awaiting a decision", "pending"),
            ("Allocated to a cohort", "allocated"),
            ("Started", "started"),
            ("Dropped out", "dropped_out"),
        ),
    ),
    (
        "Cohorts",
        "hub:cohorts",
        (
            ("Forming", "forming"),
            ("Running", "running"),
            ("Completed", "completed"),
            ("At risk of missing their hours (K6)", "at_risk"),
        ),
    ),
)


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
    counts = hub_counts(request.hub)
    return render(
        request,
        "hub/dashboard.html",
        {
            "hub": request.hub,
            "counts": counts,
            "count_tables": [
                (
                    heading,
                    reverse(page, kwargs={"hub": request.hub.key}),
                    [(words, name, getattr(counts, name)) for words, name in rows],
                )
                for heading, page, rows in COUNT_TABLES
            ],
            "todo": todo[:TODO_SHOWN],
            "todo_count": len(todo),
            "entries": True,
            "hot_topics": hot_topics(request.hub)[:HOT_TOPICS_SHOWN],
        },
    )
