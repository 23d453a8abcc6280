"""Hub administration of cohorts: the list, the cohort builder (allocation, waiting
list, balance, moves) and the schedule planner. Every view is given the hub by
`hub_admin_required` (404 for anyone but its administrators and the coordinator) and
fetches its records through the hub, so another hub's id is a 404 or an invalid choice."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from cohorts import selectors, services
from cohorts.forms import (
    AllocateForm,
    CohortCreateForm,
    CohortFilterForm,
    JoiningDetailsForm,
    MoveForm,
    PlanForm,
    SessionEditForm,
)
from cohorts.models import Cohort, CohortMembership
from participants.models import EligibilityStatus, Participant
from peernet import lists
from peernet.access import cohort_for_facilitation, get_for_user, hub_admin_required, hub_page
from peernet.calendar import LONDON, local_date
from peernet.models import RuleWarning
from peernet.words import hours_words, number_words
from reporting.progress import attendance_at_a_glance, cohort_hours_chart
from rules import CHECKS
from rules.cohorts import k6_planned_sessions
from sessions.models import GroupSession, SessionStatus
from sessions.selectors import session_notices


def _cohort(request: HttpRequest, code: Any) -> Cohort:
    """One of the hub's cohorts (`request.hub`, the page's), or a 404."""
    cohorts = Cohort.objects.filter(hub=request.hub).select_related("programme", "hub")
    return get_for_user(cohorts, request.user, code=code)


# --- the list ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@hub_admin_required
def cohort_list(request: HttpRequest) -> HttpResponse:
    form = CohortCreateForm(
        request.POST or None,
        facilitators=selectors.hub_facilitators(request.hub),
        partners=request.hub.delivery_partners.all(),
    )
    if request.method == "POST" and form.is_valid():
        try:
            cohort = services.cohort_create(hub=request.hub, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error("name", exc)
        else:
            messages.success(request, f"{cohort.name} created.")
            return redirect("hub:cohort", hub=request.hub.key, code=cohort.code)
    today = local_date(timezone.now())
    facilitators = selectors.hub_facilitators(request.hub).order_by("name")
    listing = lists.list_page(
        request,
        form_class=CohortFilterForm,
        columns=COHORT_COLUMNS,
        rows=lambda cleaned: selectors.hub_cohort_list(
            hub=request.hub,
            user=request.user,
            today=today,
            search=cleaned.get("q", ""),
            state=cleaned.get("state", ""),
            facilitator=cleaned.get("facilitator", ""),
        ),
        default_order=("name",),
        form_kwargs={
            "facilitators": [(str(f.pk), f.name) for f in facilitators],
            # The create form below asks for a facilitator too: ids of their own.
            "auto_id": "filter_%s",
        },
    )
    rows = []
    for cohort in listing.page.object_list:
        needed = cohort.programme.cohort_hours
        rows.append(
            {
                "cohort": cohort,
                "state": selectors.cohort_state(delivered=cohort.delivered_hours, needed=needed),
                # K6 from the list's hours: at risk when the schedule falls short.
                "k6": selectors.cohort_at_risk(cohort),
                "size": cohort.programme.cohort_size,
            }
        )
    return hub_page(request, "cohorts/list.html", "cohorts", rows=rows, form=form, listing=listing)


COHORT_COLUMNS = (
    lists.Column("name", "Cohort", ("name",)),
    lists.Column("facilitator", "Facilitator"),
    lists.Column("start", "Planned start", ("planned_start",)),
    lists.Column("state", "State"),
    lists.Column("members", "Members", ("member_count",), numeric=True),
    lists.Column("delivered", "Hours delivered", ("delivered_hours",), numeric=True),
    lists.Column("scheduled", "Hours scheduled", (), numeric=True),
    lists.Column("schedule", "Schedule"),
)


# --- one cohort ----------------------------------------------------------------------

# How many of the hub's registrations awaiting an eligibility decision the page lists.
UNDECIDED_SHOWN = 10


def _cohort_page(
    request: HttpRequest,
    hub_: Any,
    cohort: Cohort,
    *,
    errors: list[tuple[str, str]] | None = None,
) -> HttpResponse:
    now = timezone.now()
    today = local_date(now)
    judged = selectors.cohort_for_checks(cohort)
    memberships = sorted(judged.memberships.all(), key=lambda m: (m.joined, m.pk))
    current = [m for m in memberships if m.left is None or m.left > today]
    others = [(str(c.code), c.name) for c in selectors.cohort_move_targets(cohort)]
    sessions = sorted(judged.sessions.all(), key=lambda s: s.starts_at)
    attendance = attendance_at_a_glance(cohort)
    # Not on the waiting list yet: awaiting an eligibility decision (linked to it).
    undecided = (
        Participant.objects.filter(
            hub=hub_,
            programme=cohort.programme_id,
            eligibility_status=EligibilityStatus.PENDING,
            dropped_out_on__isnull=True,
        )
        .select_related("business")
        .order_by("last_name", "first_name")
    )
    undecided_rows = list(undecided[: UNDECIDED_SHOWN + 1])
    forecast = selectors.cohort_forecast(judged, as_of=now)
    return render(
        request,
        "cohorts/detail.html",
        {
            "hub": hub_,
            "section": "cohorts",
            "cohort": judged,
            "memberships": memberships,
            "current_count": len(current),
            "current": current,
            "others": others,
            "waiting": list(selectors.cohort_waiting_list(cohort, today=today)),
            "balance": selectors.cohort_balance(judged, as_of=now),
            "forecast": forecast,
            "hours_chart": cohort_hours_chart(judged, forecast),
            "sessions": [(s, attendance.get(s.pk)) for s in sessions],
            "full": len(current) >= judged.programme.cohort_size,
            # K1's own sentence, shown beside the waiting list where allocation happens.
            "k1": CHECKS["K1"](judged, as_of=now),
            # The first few (one more read tells whether there are others); the
            # registrations list, filtered, has the rest.
            "undecided": undecided_rows[:UNDECIDED_SHOWN],
            "undecided_more": len(undecided_rows) > UNDECIDED_SHOWN,
            "errors": errors or [],
        },
    )


@login_required
@require_http_methods(["GET"])
@hub_admin_required
def cohort_detail(request: HttpRequest, code: Any) -> HttpResponse:
    return _cohort_page(request, request.hub, _cohort(request, code))


def _page(request: HttpRequest, template: str, cohort: Cohort, **context: Any) -> HttpResponse:
    """A page about one of the hub's cohorts."""
    return hub_page(request, template, "cohorts", cohort=cohort, **context)


def _back_to_cohort(
    request: HttpRequest, cohort: Cohort, done: str, warnings: list[str]
) -> HttpResponse:
    """Back to the cohort's page after a change: what was done, then each warning once."""
    messages.success(request, done)
    for sentence in dict.fromkeys(warnings):
        messages.warning(request, sentence)
    return redirect("hub:cohort", hub=request.hub.key, code=cohort.code)


def _warnings_since(request: HttpRequest, hub_: Any, action: str, since: dt.datetime) -> list[str]:

    return list(
        RuleWarning.objects.filter(
            hub=hub_, action=action, recorded_by=request.user, recorded_at__gte=since
        )
        .order_by("rule")
        .values_list("sentence", flat=True)
    )


def _allocate(
    request: HttpRequest,
    cohort: Cohort,
    participant: Participant,
    *,
    into: Cohort,
    anchor: str,
    done: str,
) -> HttpResponse:
    """Allocate `participant` to `into` (the cohort shown, or another for a move) from
    today; a refusal is shown on the cohort's page at the participant's row of the
    `anchor` list (`participant-<code>`, `move-<code>`), the warnings after it."""
    since = timezone.now()
    try:
        services.cohort_allocate(
            cohort=into, participant=participant, joined=local_date(since), by=request.user
        )
    except ValidationError as exc:
        return _cohort_page(
            request,
            request.hub,
            cohort,
            errors=[(f"{anchor}-{participant.code}", s) for s in exc.messages],
        )
    warnings = _warnings_since(request, request.hub, "cohort_allocate", since)
    return _back_to_cohort(request, cohort, done, warnings)


@login_required
@require_POST
@hub_admin_required
def cohort_allocate(request: HttpRequest, code: Any) -> HttpResponse:
    cohort = _cohort(request, code)
    today = local_date(timezone.now())
    waiting = selectors.cohort_waiting_list(cohort, today=today)
    codes = [str(c) for c in waiting.values_list("code", flat=True)]
    form = AllocateForm(request.POST, codes=codes)
    if not form.is_valid():
        return _cohort_page(
            request,
            request.hub,
            cohort,
            errors=[("waiting-list", e) for e in form.errors["participant"]],
        )
    participant = waiting.get(code=form.cleaned_data["participant"])
    done = f"{participant.full_name} allocated to {cohort.name}."
    return _allocate(request, cohort, participant, into=cohort, anchor="participant", done=done)


@login_required
@require_POST
@hub_admin_required
def cohort_move(request: HttpRequest, code: Any) -> HttpResponse:
    cohort = _cohort(request, code)
    members = CohortMembership.objects.filter(cohort=cohort, left__isnull=True)
    member_codes = [str(c) for c in members.values_list("participant__code", flat=True)]
    targets = selectors.cohort_move_targets(cohort)
    form = MoveForm(
        request.POST,
        members=member_codes,
        cohorts=[(str(c.code), c.name) for c in targets],
    )
    if not form.is_valid():
        errors = [
            ("members", e)
            for field in ("participant", "to_cohort")
            for e in form.errors.get(field, [])
        ]
        return _cohort_page(request, request.hub, cohort, errors=errors)
    participant = Participant.objects.get(hub=request.hub, code=form.cleaned_data["participant"])
    target = targets.get(code=form.cleaned_data["to_cohort"])
    done = f"{participant.full_name} moved from {cohort.name} to {target.name}."
    return _allocate(request, cohort, participant, into=target, anchor="move", done=done)


# --- the schedule planner --------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@hub_admin_required
def cohort_schedule(request: HttpRequest, code: Any) -> HttpResponse:
    cohort = _cohort(request, code)
    programme = cohort.programme
    default_length = min(max(programme.session_hours_max, programme.session_hours_min), 3)
    form = PlanForm(
        request.POST or None,
        initial={
            "cadence_weeks": 2,
            "session_hours": default_length.normalize(),
            "total_hours": programme.cohort_hours.normalize(),
            "start_time": "09:30",
        },
    )
    plan = None
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        now = timezone.now()
        judged = Cohort.objects.prefetch_related("sessions").select_related("programme")
        judged_cohort = judged.get(pk=cohort.pk)
        data = form.cleaned_data
        plan = selectors.cohort_schedule_plan(
            judged_cohort,
            first_day=data["first_day"],
            start_time=data["start_time"],
            cadence_weeks=data["cadence_weeks"],
            session_hours=data["session_hours"],
            total_hours=data["total_hours"],
            as_of=now,
        )
        if "confirm" in request.POST:
            try:
                created, shown = services.cohort_schedule_all(
                    cohort=cohort,
                    sessions=[(s.starts_at, s.hours) for s in plan.sessions],
                    location=data["location"],
                    by=request.user,
                )
            except ValidationError as exc:
                errors = exc.messages
            else:
                scheduled = f"{len(created)} sessions of {cohort.name} scheduled."
                return _back_to_cohort(request, cohort, scheduled, [r.sentence for r in shown])
    return _page(request, "cohorts/schedule.html", cohort, form=form, plan=plan, errors=errors)


@login_required
@require_http_methods(["GET", "POST"])
@hub_admin_required
def session_edit(request: HttpRequest, code: Any, session: Any) -> HttpResponse:
    cohort = _cohort(request, code)
    session_ = get_for_user(
        GroupSession.objects.filter(cohort=cohort).select_related("cohort__programme"),
        request.user,
        code=session,
    )
    local = session_.starts_at.astimezone(LONDON)
    form = SessionEditForm(
        request.POST or None,
        initial={
            "day": local.date(),
            "start_time": f"{local:%H:%M}",
            "hours": session_.hours.normalize(),
            "location": session_.location,
        },
    )
    errors: list[str] = []
    editable = session_.status == SessionStatus.SCHEDULED
    asking = "cancel_session" in request.POST and "confirm" not in request.POST
    if request.method == "POST" and asking:
        # The first click asks: the consequences stated, nothing changed yet.
        return _session_cancel_page(request, cohort, session_)
    if request.method == "POST":
        try:
            if "cancel_session" in request.POST:
                shown = services.cohort_session_cancel(session=session_, by=request.user)
                done = "cancelled"
            elif form.is_valid():
                data = form.cleaned_data
                shown = services.cohort_session_update(
                    session=session_,
                    starts_at=dt.datetime.combine(data["day"], data["start_time"], tzinfo=LONDON),
                    hours=data["hours"],
                    location=data["location"],
                    by=request.user,
                )
                done = "changed"
            else:
                shown = None
        except ValidationError as exc:
            errors = exc.messages
        else:
            if shown is not None:
                done = f"The session was {done}."
                return _back_to_cohort(request, cohort, done, [r.sentence for r in shown])
    return _page(
        request,
        "cohorts/session_edit.html",
        cohort,
        session=session_,
        form=form,
        errors=errors,
        editable=editable,
        notices=session_notices(session_),
    )


def _session_cancel_page(
    request: HttpRequest, cohort: Cohort, session: GroupSession
) -> HttpResponse:
    """Are you sure? The session, who will be told, and the cohort's hours without it;
    the cancellation happens only when this page's button is pressed."""
    forecast = selectors.cohort_forecast(cohort, as_of=timezone.now())
    counted = any(s.pk == session.pk for s in k6_planned_sessions(cohort))
    after = forecast.projected - (session.hours if counted else 0)
    return _page(
        request,
        "cohorts/session_cancel.html",
        cohort,
        session=session,
        hours_after=(
            f"Without it, {cohort.name} has {hours_words(after)} of "
            f"{number_words(forecast.needed)} hours delivered or scheduled."
        ),
        notices=session_notices(session),
        posted=[("cancel_session", "")],
    )


# --- the joining details (K7), for the hub and the cohort's facilitator -----------------


def joining_details_page(
    request: HttpRequest, cohort: Cohort, *, base: str, back: str
) -> HttpResponse:
    """The cohort's joining details: shown, edited, saved through the one service."""
    current = cohort.joining_instructions if _has_details(cohort) else None
    initial = (
        {
            name: getattr(current, name)
            for name in (
                "mode",
                "platform",
                "link",
                "dial_in",
                "backup_plan",
                "contact_name",
                "contact_details",
            )
        }
        if current is not None
        else {"backup_plan": services.BACKUP_PLAN_DEFAULT}
    )
    form = JoiningDetailsForm(request.POST or None, initial=initial)
    errors: list[tuple[str, str]] = []
    if request.method == "POST" and form.is_valid():
        try:
            services.cohort_joining_details_set(cohort=cohort, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            errors = [("joining-form", message) for message in exc.messages]
        else:
            messages.success(request, f"The joining details of {cohort.name} were saved.")
            return redirect(back)
    return render(
        request,
        "cohorts/joining_details.html",
        {
            "base": base,
            "hub": cohort.hub,
            "section": "cohorts",
            "cohort": cohort,
            "form": form,
            "errors": errors,
            "back": back,
        },
        status=400 if errors or form.errors else 200,
    )


def _has_details(cohort: Cohort) -> bool:
    try:
        cohort.joining_instructions  # noqa: B018 (asks whether the row exists)
    except ObjectDoesNotExist:
        return False
    return True


@login_required
@require_http_methods(["GET", "POST"])
@hub_admin_required
def joining_details(request: HttpRequest, code: Any) -> HttpResponse:
    cohort = _cohort(request, code)
    back = reverse("hub:cohort", kwargs={"hub": request.hub.key, "code": cohort.code})
    return joining_details_page(request, cohort, base="hub/base.html", back=back)


@login_required
@require_http_methods(["GET", "POST"])
def facilitation_joining_details(request: HttpRequest, hub: str, cohort: Any) -> HttpResponse:
    """The facilitator edits their cohort's joining details (the same page as the hub's)."""
    the_cohort = cohort_for_facilitation(request.user, hub, cohort)
    return joining_details_page(
        request, the_cohort, base="facilitation/base.html", back=reverse("facilitation:home")
    )


# Mounted in the facilitator's area, /facilitation/ (namespace `facilitation`).
facilitation_urlpatterns = [
    path(
        "<slug:hub>/cohorts/<uuid:cohort>/joining/",
        facilitation_joining_details,
        name="joining-details",
    ),
]

hub_urlpatterns = [
    path("cohorts/", cohort_list, name="cohorts"),
    path("cohorts/<uuid:code>/", cohort_detail, name="cohort"),
    path("cohorts/<uuid:code>/joining/", joining_details, name="joining-details"),
    path("cohorts/<uuid:code>/allocate/", cohort_allocate, name="cohort-allocate"),
    path("cohorts/<uuid:code>/move/", cohort_move, name="cohort-move"),
    path("cohorts/<uuid:code>/schedule/", cohort_schedule, name="cohort-schedule"),
    path(
        "cohorts/<uuid:code>/sessions/<uuid:session>/",
        session_edit,
        name="session-edit",
    ),
]
