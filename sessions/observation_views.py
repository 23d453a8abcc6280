"""Observation pages in the hub administration area (Playbook: Observation; Q1–Q4).

`hub:observations` proposes a session per unobserved facilitator at random (Q3), books
observations through `observation_book` (Q2) and lists them with Q1 and Q4; and
`hub:observation` records one against the Playbook's criteria (OBSERVATION_CRITERIA)."""

from __future__ import annotations

import datetime as dt
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from peernet.access import get_for_user, hub_admin_required
from peernet.models import Role, User
from rules import CHECKS
from sessions.models import GroupSession, Observation
from sessions.quality import (
    OBSERVATION_CRITERIA,
    observation_book_and_notify,
    observation_record,
    observation_recording_delete,
    observation_select_sessions,
)


def _hub_admins(hub_) -> list[User]:
    return list(
        User.objects.filter(role_assignments__role=Role.HUB_ADMIN, role_assignments__hub=hub_)
        .distinct()
        .order_by("name", "pk")
    )


def _q1_rows(hub_) -> list[tuple[User, str, str]]:
    """(facilitator, outcome, sentence) for every facilitator of the hub's cohorts."""
    facilitators = (
        User.objects.filter(
            role_assignments__role=Role.FACILITATOR, role_assignments__cohort__hub=hub_
        )
        .distinct()
        .order_by("name", "pk")
        .prefetch_related("role_assignments__cohort__sessions__observations")
    )
    now = timezone.now()
    rows = []
    for facilitator in facilitators:
        result = CHECKS["Q1"](facilitator, as_of=now)
        rows.append((facilitator, str(result.outcome), result.sentence))
    return rows


@login_required
@require_http_methods(["GET", "POST"])
@hub_admin_required
def observation_list(request: HttpRequest) -> HttpResponse:
    admins = _hub_admins(request.hub)
    errors: list[str] = []
    if request.method == "POST":
        session = get_for_user(
            GroupSession.objects.filter(cohort__hub=request.hub),
            request.user,
            code=_uuid_or_404(request.POST.get("session", "")),
        )
        observer = next(
            (a for a in admins if str(a.pk) == request.POST.get("observer", str(request.user.pk))),
            None,
        )
        if observer is None:
            errors.append("Choose an observer from this hub's administrators.")
        else:
            now = timezone.now()
            try:
                observation_book_and_notify(
                    session=session,
                    observer=observer,
                    share_privacy_statement=bool(request.POST.get("privacy")),
                    by=request.user,
                    now=now,
                )
            except ValidationError as exc:
                errors += exc.messages
            else:
                messages.success(
                    request,
                    f"The observation of {session} was booked, and its facilitators told.",
                )
                return redirect("hub:observations", hub=request.hub.key)
    proposals = observation_select_sessions(hub=request.hub)
    observations = list(
        Observation.objects.visible_to(request.user)
        .filter(session__cohort__hub=request.hub)
        .select_related("session__cohort", "observer")
        .order_by("-session__starts_at", "pk")
    )
    now = timezone.now()
    rows = [(o, CHECKS["Q4"](o, as_of=now)) for o in observations]
    return render(
        request,
        "sessions/observation_list.html",
        {
            "hub": request.hub,
            "section": "cohorts",
            "proposals": proposals,
            "admins": admins,
            "rows": rows,
            "q1_rows": _q1_rows(request.hub),
            "errors": errors,
        },
    )


def _uuid_or_404(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError as exc:
        raise Http404("No session found.") from exc


def _criteria_rows(ratings: dict) -> list[tuple[str, list[tuple[str, str, object, str]]]]:
    return [
        (
            title,
            [
                (
                    key,
                    text,
                    (ratings.get(key) or {}).get("rating", ""),
                    (ratings.get(key) or {}).get("comment", ""),
                )
                for key, text in items
            ],
        )
        for _, title, items in OBSERVATION_CRITERIA
    ]


@login_required
@require_http_methods(["GET", "POST"])
@hub_admin_required
def observation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    observation = get_for_user(
        Observation.objects.filter(session__cohort__hub=request.hub).select_related(
            "session__cohort", "observer"
        ),
        request.user,
        pk=pk,
    )
    errors: list[str] = []
    ratings = observation.ratings or {}
    feedback = observation.feedback
    completed_text = observation.completed.isoformat() if observation.completed else ""
    recording_made = observation.recording_made
    if request.method == "POST":
        if request.POST.get("action") == "recording-deleted":
            observation_recording_delete(observation=observation, by=request.user)
            messages.success(request, "The recording was recorded as deleted.")
            return redirect("hub:observation", hub=request.hub.key, pk=observation.pk)
        ratings = {
            key: {
                "rating": request.POST.get(f"rating_{key}", "").strip(),
                "comment": request.POST.get(f"comment_{key}", ""),
            }
            for _, _, items in OBSERVATION_CRITERIA
            for key, _ in items
        }
        feedback = request.POST.get("feedback", "")
        completed_text = request.POST.get("completed", "").strip()
        recording_made = bool(request.POST.get("recording_made"))
        completed = None
        if completed_text:
            try:
                completed = dt.date.fromisoformat(completed_text)
            except ValueError:
                errors.append("Enter the date the observation was completed as YYYY-MM-DD.")
        if not errors:
            try:
                observation_record(
                    observation=observation,
                    ratings=ratings,
                    feedback=feedback,
                    completed=completed,
                    recording_made=recording_made,
                    by=request.user,
                )
            except ValidationError as exc:
                errors += exc.messages
            else:
                messages.success(request, "The observation was saved.")
                return redirect("hub:observation", hub=request.hub.key, pk=observation.pk)
    q4 = CHECKS["Q4"](observation, as_of=timezone.now())
    return render(
        request,
        "sessions/observation_detail.html",
        {
            "hub": request.hub,
            "section": "cohorts",
            "observation": observation,
            "criteria": _criteria_rows(ratings),
            "feedback": feedback,
            "completed": completed_text,
            "recording_made": recording_made,
            "q4": q4,
            "errors": errors,
        },
    )


hub_observation_urlpatterns: list[URLPattern] = [
    path("observations/", observation_list, name="observations"),
    path("observations/<int:pk>/", observation_detail, name="observation"),
]
