"""Reporting pages: the hub dashboard, the hub's whole to-do list, and the published JSON
Schema of the scenario format."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from peernet import lists
from peernet.access import hub_admin_required
from peernet.calendar import Month, local_date
from peernet.models import Programme
from reporting import cockpit, kpi
from reporting.charts import LineChart, line_chart
from reporting.scenario import SCHEMA
from reporting.selectors import (
    TODO_SHOWN,
    hub_counts,
    todo_filtered,
    todo_for_user,
    todo_kinds,
)
from sessions.selectors import hot_topics

HOT_TOPICS_SHOWN = 10

# The dashboard's two tables of counts: each one's heading and the page it links to, then
# its rows, each the words, the `HubCounts` field shown and the registrations list's
# status that lists the people counted ("" for the whole list, None for no list).
COUNT_TABLES = (
    (
        "Participants",
        "hub:registrations",
        (
            ("Registrations", "registrations", ""),
            ("Eligible", "eligible", "eligible"),
            ("Not eligible", "ineligible", "ineligible"),
            ("Awaiting a decision", "pending", "pending"),
            ("Allocated to a cohort", "allocated", "allocated"),
            ("Started", "started", None),
            ("Dropped out", "dropped_out", "dropped-out"),
        ),
    ),
    (
        "Cohorts",
        "hub:cohorts",
        (
            ("Forming", "forming", None),
            ("Running", "running", None),
            ("Completed", "completed", None),
        ),
    ),
)


def _count_rows(hub: Any, counts: Any, page: str, rows: tuple) -> list[tuple[str, str, int, str]]:
    """Each count with the address of the list of the people behind it ("" when none)."""
    url = reverse(page, kwargs={"hub": hub.key})

    def listed(status: str | None) -> str:
        if status is None:
            return ""
        return f"{url}?status={status}" if status else url

    return [(words, name, getattr(counts, name), listed(status)) for words, name, status in rows]


@require_GET
def scenario_schema(request: HttpRequest) -> JsonResponse:
    """docs/scenario-format.md: the document is published as a JSON Schema (no personal data)."""
    return JsonResponse(SCHEMA, json_dumps_params={"indent": 2, "ensure_ascii": False})


def progress_chart(hub: Any, months: list[cockpit.ProgressMonth]) -> LineChart:
    """The hub's participants started and completed, month by month, against its target."""
    return line_chart(
        ident="progress-chart",
        title=f"{hub.name}: participants started and completed against the target, by month",
        description="Participants started and completed (cumulative) at the end of each month "
        f"of the delivery window, with the hub's target of {hub.target} as a flat line. "
        "The table below the chart gives the same numbers.",
        labels=[f"{m.month.first_day:%b %y}" for m in months],
        series=[
            ("Started", [m.started for m in months]),
            ("Completed", [m.completed for m in months]),
            ("Target", [hub.target for _ in months]),
        ],
    )


def _cockpit(hub: Any) -> dict[str, Any]:
    """This week, what is at risk, the return due and progress over the months."""
    now = timezone.now()
    today = local_date(now)
    this_month = Month.of(today)
    week = cockpit.this_week(hub, now)
    try:
        programme = Programme.for_month(today)
    except Programme.DoesNotExist:  # no programme year set up yet: only the week
        return {"week": week, "at_risk": [], "return_due": None, "progress_months": []}
    in_window = programme.holds(this_month)
    live = kpi.compute_hub(hub, this_month.first_day) if in_window else None
    months = cockpit.progress_months(hub, programme, today, live)
    return {
        "week": week,
        "at_risk": cockpit.at_risk(hub, this_month, programme) if in_window else [],
        "return_due": cockpit.return_due(hub, programme, now),
        "progress_months": months,
        "progress_chart": progress_chart(hub, months) if months else None,
    }


@login_required
@require_GET
@hub_admin_required
def hub_dashboard(request: HttpRequest) -> HttpResponse:
    """The hub administrator's cockpit (docs/cockpit.md): this week, what is at risk, the
    return due, progress to the target over the months, the hub's counts, and what
    needs doing, most urgent first."""
    todo = todo_for_user(request.user, hub=request.hub)
    counts = hub_counts(request.hub)
    return render(
        request,
        "hub/dashboard.html",
        {
            **_cockpit(request.hub),
            "hub": request.hub,
            "counts": counts,
            "count_tables": [
                (
                    heading,
                    reverse(page, kwargs={"hub": request.hub.key}),
                    _count_rows(request.hub, counts, page, rows),
                )
                for heading, page, rows in COUNT_TABLES
            ],
            "todo": todo[:TODO_SHOWN],
            "todo_count": len(todo),
            "todo_url": reverse("hub:todo", kwargs={"hub": request.hub.key}),
            "entries": True,
            "hot_topics": hot_topics(request.hub)[:HOT_TOPICS_SHOWN],
        },
    )


# --- the whole to-do list ---------------------------------------------------------------


class TodoFilterForm(forms.Form):
    """The to-do list's filters: one rule (of those on the list) and overdue only."""

    rule = forms.ChoiceField(
        label="Rule",
        required=False,
        error_messages={"invalid_choice": "Select a rule from the list"},
    )
    overdue = forms.BooleanField(label="Overdue only", required=False)

    def __init__(self, *args: Any, rules: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rule"].choices = [("", "All rules"), *rules]


@login_required
@require_GET
@hub_admin_required
def hub_todo(request: HttpRequest) -> HttpResponse:
    """Everything on the hub's to-do list: grouped by rule, filtered, paged, the
    overdue flagged; each item links to the page that fixes it."""
    items = todo_for_user(request.user, hub=request.hub)
    kinds = todo_kinds(items)
    form = TodoFilterForm(
        request.GET or None, rules=[(rule, f"{rule}: {action}") for rule, action, _, _ in kinds]
    )
    shown = items
    if form.is_bound and form.is_valid():
        shown = todo_filtered(
            items, rule=form.cleaned_data["rule"], overdue=form.cleaned_data["overdue"]
        )
    page = lists.page_of(request, shown, TODO_SHOWN)
    return render(
        request,
        "hub/todo.html",
        {
            "hub": request.hub,
            "form": form,
            "kinds": kinds,
            "total": len(items),
            "overdue_total": sum(1 for item in items if item.overdue),
            "page": page,
            "todo": page.object_list,
            "query": lists.query_kept(request),
        },
    )


# --- the month's calendar ----------------------------------------------------------------


@login_required
@require_GET
@hub_admin_required
def hub_calendar(request: HttpRequest) -> HttpResponse:
    """The hub's group sessions and one-to-ones in a month (`?month=YYYY-MM`, this month
    by default), day by day, with the months before and after a click away."""
    problem = ""
    month = Month.of(local_date(timezone.now()))
    if asked := request.GET.get("month"):
        try:
            month = Month.parse(asked)
        except ValueError as exc:
            problem = str(exc)
    return render(
        request,
        "hub/calendar.html",
        {
            "hub": request.hub,
            "month": month,
            "days": [] if problem else cockpit.hub_month(request.hub, month),
            "problem": problem,
            "problem_list": [problem],
        },
        status=400 if problem else 200,
    )
