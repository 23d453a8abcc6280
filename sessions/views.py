"""Delivery pages: complaints and compliments (Q5) in the hub administration area, and
the facilitator's area (home, a session and its notes; the register and a member's page
are sessions/attendance/views.py's)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, F, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from participants.surveys.results import session_survey_results
from peernet import lists
from peernet.access import (
    get_for_user,
    hub_admin_required,
    hub_page,
    require_role,
    session_for_facilitation,
)
from peernet.forms import form_written
from peernet.lists import search_condition
from peernet.models import Role
from reporting.selectors import TODO_SHOWN, todo_for_user
from rules import CHECKS, Outcome, run_rules
from sessions.attendance.selectors import session_attendance, session_members
from sessions.feed_views import calendar_feed_url
from sessions.forms import (
    ComplaintCloseForm,
    ComplaintFilterForm,
    ComplaintForm,
    FacilitatorNotesForm,
)
from sessions.models import Complaint, ComplaintKind, GroupSession, SessionStatus
from sessions.quality import complaint_close, complaint_record
from sessions.selectors import (
    facilitator_cohorts,
    facilitator_next_sessions,
    facilitator_sessions_to_record,
    hot_topics,
    joining_status,
    last_session_actions,
    session_note,
    session_notices,
)
from sessions.services import session_recording_refusal, session_write_notes


def _q5_sentence(complaint: Complaint) -> str | None:
    """Q5's sentence for an open complaint with no action taken recorded."""
    if complaint.kind != ComplaintKind.COMPLAINT or complaint.action_taken.strip():
        return None
    return CHECKS["Q5"](complaint, as_of=timezone.now()).sentence


@login_required
@require_GET
@hub_admin_required
def complaint_list(request: HttpRequest) -> HttpResponse:
    """Open ones first, then the most recently received; searched, filtered and sorted
    as any list (peernet.lists)."""
    hub_complaints = Complaint.objects.visible_to(request.user).filter(hub=request.hub)
    listing = lists.list_page(
        request,
        form_class=ComplaintFilterForm,
        columns=COMPLAINT_COLUMNS,
        rows=lambda cleaned: complaints_filtered(hub_complaints, **cleaned),
        default_order=(F("resolved").asc(nulls_first=True), "-received", "key"),
    )
    rows = [(c, _q5_sentence(c)) for c in listing.page.object_list]
    counts = hub_complaints.aggregate(
        total=Count("pk"), open=Count("pk", filter=Q(resolved__isnull=True))
    )
    return render(
        request,
        "sessions/complaint_list.html",
        {
            "hub": request.hub,
            "section": "complaints",
            "form": listing.form,
            "listing": listing,
            "rows": rows,
            "total": counts["total"],
            "open_count": counts["open"],
        },
    )


COMPLAINT_COLUMNS = (
    lists.Column("received", "Received", ("received",)),
    lists.Column("what", "What and from whom"),
    lists.Column("action", "Action taken"),
    lists.Column("closed", "Closed", ("resolved",)),
)


def complaints_filtered(
    complaints: QuerySet[Complaint], *, q: str = "", kind: str = "", state: str = "", **_: Any
) -> QuerySet[Complaint]:
    """The complaints matching the list's filters (validated by its form)."""
    complaints = complaints.filter(search_condition(q, ("summary", "received_from")))
    if kind:
        complaints = complaints.filter(kind=kind)
    if state:
        complaints = complaints.filter(resolved__isnull=state == "open")
    return complaints


@login_required
@require_http_methods(["GET", "POST"])
@hub_admin_required
def complaint_new(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    data = request.POST if request.method == "POST" else None
    form = ComplaintForm(data, today=today)
    if request.method == "POST" and form.is_valid():
        try:
            complaint = complaint_record(
                hub=request.hub, today=today, by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"The {complaint.get_kind_display().lower()} was recorded.")
            return redirect("hub:complaint", hub=request.hub.key, key=complaint.key)
    return hub_page(request, "sessions/complaint_new.html", "complaints", form=form)


@login_required
@require_http_methods(["GET", "POST"])
@hub_admin_required
def complaint_detail(request: HttpRequest, key: str) -> HttpResponse:
    """One complaint or compliment: record the action taken, and close it."""
    complaint = get_for_user(Complaint.objects.filter(hub=request.hub), request.user, key=key)
    today = timezone.localdate()
    initial = {"action_taken": complaint.action_taken, "closed": complaint.resolved}
    data = request.POST if request.method == "POST" else None
    form = ComplaintCloseForm(data, initial=initial, complaint=complaint, today=today)
    written = form_written(
        request,
        form,
        lambda: complaint_close(
            complaint=complaint,
            action_taken=form.cleaned_data["action_taken"],
            closed=form.cleaned_data["closed"],
            today=today,
            by=request.user,
        ),
        done="The changes were saved.",
    )
    if written:
        return redirect("hub:complaints", hub=request.hub.key)
    return render(
        request,
        "sessions/complaint_detail.html",
        {
            "hub": request.hub,
            "section": "complaints",
            "complaint": complaint,
            "q5": _q5_sentence(complaint),
            "form": form,
        },
    )


# --- the facilitator's area (/facilitation/, the `facilitation` namespace) ------------
#
# Who may open a session's pages is decided in peernet.access.session_for_facilitation:
# the cohort's facilitators, and the hub's administrators and the national coordinator
# (who stand in for a facilitator); anyone else gets a 404.

# How many of the sessions that have started the facilitator's home page lists.
RECENT_SHOWN = 10


@login_required
@require_GET
def facilitation_home(request: HttpRequest) -> HttpResponse:
    """My cohorts, my next sessions, the sessions to record, my to-do list and the hot
    topics of my cohorts. Queries: the session and user, the role assignments, the
    scope, the cohorts, the next sessions, the sessions to record, the findings and the
    hot topics — the same whatever the number of cohorts."""
    require_role(request.user, Role.FACILITATOR)
    now = timezone.now()
    cohorts = list(facilitator_cohorts(request.user, today=timezone.localdate()))
    todo = todo_for_user(request.user)
    return render(
        request,
        "facilitation/home.html",
        {
            "cohorts": cohorts,
            "next_sessions": facilitator_next_sessions(request.user, as_of=now),
            "to_record": list(
                facilitator_sessions_to_record(request.user, as_of=now)[:RECENT_SHOWN]
            ),
            "todo": todo[:TODO_SHOWN],
            "todo_count": len(todo),
            "entries": True,  # show "nothing to do" when the list is empty
            "hot_topics": hot_topics(cohorts=[c.pk for c in cohorts]) if cohorts else [],
            "calendar_feed_url": calendar_feed_url(request),
        },
    )


def session_context(session: GroupSession, **extra: Any) -> dict[str, Any]:
    """What every page of a session shows: the session, its cohort and its hub."""
    return {"session": session, "cohort": session.cohort, "hub": session.cohort.hub, **extra}


def session_record_page(
    request: HttpRequest,
    session: GroupSession,
    *,
    now: dt.datetime,
    what: str,
    form: Any,
    write: Callable[[], object],
    done: str,
    template: str,
    context: Callable[[], dict[str, Any]] = dict,
) -> HttpResponse:
    """A page that records `what` of a session (the register, the notes, the action
    cards): while the session cannot have it yet, its refusal in words
    (`session_recording_refusal`); else the posted form handed to the service `write`,
    and back to the session's page once written. `context`: the page's own, read only
    when the page is shown."""
    refusal = session_recording_refusal(session, as_of=now, what=what)
    if refusal is None and form_written(request, form, write, done=done):
        try:
            return redirect(
                reverse("facilitation:session", args=[session.cohort.hub.key, session.code])
            )
        except NoReverseMatch:  # mounted without the session page (a page's own tests)
            return redirect(request.path)
    return render(
        request,
        template,
        session_context(session, form=form, refusal=refusal, **context()),
        status=400 if request.method == "POST" and (refusal or form.errors) else 200,
    )


@login_required
@require_GET
def facilitation_session(request: HttpRequest, hub: str, code: uuid.UUID) -> HttpResponse:
    """A session: its details, K8 and K9 in words, last session's actions for the report
    back and, once delivered, the participants' feedback (S2)."""
    session = session_for_facilitation(request.user, hub, code)
    now = timezone.now()
    attendance = session_attendance(session)
    members = session_members(session)
    note = session_note(session)
    k8, k9 = _rule_sentences(["K8", "K9"], session, now)
    return render(
        request,
        "facilitation/session.html",
        session_context(
            session,
            members=members,
            recorded=len([m for m in members if m.participant_id in attendance]),
            note=note,
            started=session.starts_at <= now,
            joining=joining_status(session, as_of=now),
            last=last_session_actions(session),
            k8=k8,
            k9=k9,
            notices=session_notices(session),
            observations=list(session.observations.select_related("observer")),
            survey=(
                session_survey_results(session)
                if session.status == SessionStatus.DELIVERED
                else None
            ),
        ),
    )


def _rule_sentences(rules: list[str], session: GroupSession, as_of: Any) -> list[str | None]:
    """Each rule's sentence when it is not met (K8, K9), for the session's pages; the
    session is read once for all of them (issue 10: four queries, not four per rule)."""
    judged = (
        GroupSession.objects.select_related("cohort__programme", "facilitator_note")
        .prefetch_related("cohort__memberships__participant", "attendance")
        .get(pk=session.pk)
    )
    return [
        result.sentence if result.outcome in (Outcome.FAIL, Outcome.WARN) else None
        for result in run_rules(judged, rules, as_of=as_of)
    ]


def _rule_sentence(rule: str, session: GroupSession, as_of: Any) -> str | None:
    """The rule's sentence when it is not met (K8, K9), for the session's pages."""
    (sentence,) = _rule_sentences([rule], session, as_of)
    return sentence


@login_required
@require_http_methods(["GET", "POST"])
def facilitation_notes(request: HttpRequest, hub: str, code: uuid.UUID) -> HttpResponse:
    """K9: the facilitator notes and the hot topics."""
    session = session_for_facilitation(request.user, hub, code)
    now = timezone.now()
    note = session_note(session)
    initial = {}
    if note is not None:
        initial = {
            "issues_brought": note.issues_brought,
            "actions_agreed": note.actions_agreed,
            "process_issues": note.process_issues,
            "hot_topics": note.hot_topics,
        }
    initial["topics"] = [t.pk for t in session.topics.all()]
    form = FacilitatorNotesForm(request.POST if request.method == "POST" else None, initial=initial)
    return session_record_page(
        request,
        session,
        now=now,
        what="facilitator notes",
        form=form,
        write=lambda: session_write_notes(
            session=session, by=request.user, as_of=now, **form.cleaned_data
        ),
        done="The facilitator notes were saved.",
        template="facilitation/notes.html",
        context=lambda: {"k9": _rule_sentence("K9", session, now)},
    )
