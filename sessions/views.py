"""Delivery pages: complaints and compliments (Q5) in the hub administration area, and
the facilitator's area (home, a session, its attendance register and its notes)."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from participants.models import Participant
from participants.surveys.results import session_survey_results
from peernet.access import (
    cohort_for_facilitation,
    get_for_user,
    hub_admin_required,
    require_role,
    session_for_facilitation,
)
from peernet.models import Role
from reporting.selectors import TODO_SHOWN, todo_for_user
from rules import CHECKS, Outcome, run_rules
from sessions.forms import (
    AttendanceForm,
    ComplaintCloseForm,
    ComplaintForm,
    DisengagedForm,
    DropoutForm,
    FacilitatorNotesForm,
    FollowUpForm,
)
from sessions.models import Attendance, Complaint, ComplaintKind, GroupSession, SessionStatus
from sessions.quality import complaint_close, complaint_record
from sessions.selectors import (
    facilitator_cohorts,
    facilitator_next_sessions,
    facilitator_sessions_to_record,
    hot_topics,
    joining_status,
    last_session_actions,
    session_attendance,
    session_members,
    session_note,
    session_notices,
)
from sessions.services import (
    absence_follow_up_record,
    participant_record_dropout,
    participant_report_disengaged,
    session_record_attendance,
    session_recording_refusal,
    session_write_notes,
)


def _q5_sentence(complaint: Complaint) -> str | None:
    """Q5's sentence for an open complaint with no action taken recorded."""
    if complaint.kind != ComplaintKind.COMPLAINT or complaint.action_taken.strip():
        return None
    return CHECKS["Q5"](complaint, as_of=timezone.now()).sentence


@login_required
@require_GET
@hub_admin_required
def complaint_list(request: HttpRequest) -> HttpResponse:
    """Open ones first, then the most recently received."""
    complaints = list(
        Complaint.objects.visible_to(request.user)
        .filter(hub=request.hub)
        .order_by(F("resolved").asc(nulls_first=True), "-received", "key")
    )
    rows = [(c, _q5_sentence(c)) for c in complaints]
    return render(
        request,
        "sessions/complaint_list.html",
        {
            "hub": request.hub,
            "section": "complaints",
            "rows": rows,
            "open_count": sum(1 for c in complaints if c.resolved is None),
        },
    )


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
    return render(
        request,
        "sessions/complaint_new.html",
        {"hub": request.hub, "section": "complaints", "form": form},
    )


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
    if request.method == "POST" and form.is_valid():
        try:
            complaint_close(
                complaint=complaint,
                action_taken=form.cleaned_data["action_taken"],
                closed=form.cleaned_data["closed"],
                today=today,
                by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "The changes were saved.")
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
        },
    )


def _session_context(session: GroupSession, **extra: Any) -> dict[str, Any]:
    return {"session": session, "cohort": session.cohort, "hub": session.cohort.hub, **extra}


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
        _session_context(
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
def facilitation_attendance(request: HttpRequest, hub: str, code: uuid.UUID) -> HttpResponse:
    """K8: the register, one row per member expected at the session."""
    session = session_for_facilitation(request.user, hub, code)
    now = timezone.now()
    members = session_members(session)
    form = AttendanceForm(
        request.POST if request.method == "POST" else None,
        members=members,
        session_hours=session.hours,
        recorded=session_attendance(session),
    )
    refusal = session_recording_refusal(session, as_of=now, what="attendance")
    if request.method == "POST" and refusal is None and form.is_valid():
        try:
            session_record_attendance(
                session=session, rows=form.attendance_rows(), by=request.user, as_of=now
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "The attendance was saved.")
            return redirect("facilitation:session", hub=hub, code=session.code)
    return render(
        request,
        "facilitation/attendance.html",
        _session_context(session, form=form, members=members, refusal=refusal),
        status=400 if request.method == "POST" and (refusal or form.errors) else 200,
    )


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
    refusal = session_recording_refusal(session, as_of=now, what="facilitator notes")
    if request.method == "POST" and refusal is None and form.is_valid():
        try:
            session_write_notes(session=session, by=request.user, as_of=now, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "The facilitator notes were saved.")
            return redirect("facilitation:session", hub=hub, code=session.code)
    return render(
        request,
        "facilitation/notes.html",
        _session_context(
            session, form=form, refusal=refusal, k9=_rule_sentence("K9", session, now)
        ),
        status=400 if request.method == "POST" and (refusal or form.errors) else 200,
    )


# --- a member of a cohort: absence follow-up (K13), disengagement and drop-out -------


def _member_attendance(cohort: Any, participant: Any) -> list[dict[str, Any]]:
    """The member's record at each delivered session of the cohort: present, absent,
    absent with apologies, or not recorded."""

    sessions = GroupSession.objects.filter(cohort=cohort, status=SessionStatus.DELIVERED).order_by(
        "starts_at"
    )
    rows = {
        a.session_id: a
        for a in Attendance.objects.filter(participant=participant, session__cohort=cohort)
    }
    record = []
    for session in sessions:
        row = rows.get(session.pk)
        if row is None:
            words = "Not recorded"
        elif row.present:
            words = "Present"
        elif row.apologies:
            words = "Absent with apologies"
        else:
            words = "Absent"
        record.append({"session": session, "words": words})
    return record


def _k13_sentence(participant: Any, as_of: Any) -> str:

    judged = Participant.objects.prefetch_related(
        "memberships__cohort__sessions", "attendance", "absence_follow_ups"
    ).get(pk=participant.pk)
    (result,) = run_rules(judged, ["K13"], as_of=as_of)
    return result.sentence


@login_required
@require_http_methods(["GET", "POST"])
def facilitation_member(
    request: HttpRequest, hub: str, cohort: uuid.UUID, participant: uuid.UUID
) -> HttpResponse:
    """A member of a cohort: their attendance, K13 in words, and the forms to report
    them as disengaged (K13) or to record their drop-out."""

    the_cohort = cohort_for_facilitation(request.user, hub, cohort)
    try:
        member = (
            Participant.objects.filter(memberships__cohort=the_cohort)
            .distinct()
            .get(code=participant)
        )
    except Participant.DoesNotExist as exc:
        raise Http404("No member found.") from exc
    now = timezone.now()
    today = timezone.localdate()
    posted = request.POST if request.method == "POST" else None
    which = request.POST.get("form") if posted is not None else None
    disengaged_form = DisengagedForm(posted if which == "disengaged" else None)
    follow_up_form = FollowUpForm(posted if which == "follow_up" else None, today=today)
    dropout_form = DropoutForm(
        posted if which == "dropout" else None, today=today, registered=member.registered
    )
    failed = False
    if posted is not None:
        form = {
            "disengaged": disengaged_form,
            "follow_up": follow_up_form,
            "dropout": dropout_form,
        }.get(which or "")
        if form is None:
            failed = True
        elif form.is_valid():
            try:
                if form is disengaged_form:
                    participant_report_disengaged(
                        participant=member, by=request.user, note=form.cleaned_data["note"]
                    )
                    done = f"{member.full_name} was reported to the hub as disengaged."
                elif form is follow_up_form:
                    absence_follow_up_record(
                        participant=member,
                        cohort=the_cohort,
                        on=form.cleaned_data["followed_up_on"],
                        method=form.cleaned_data["method"],
                        outcome=form.cleaned_data["outcome"],
                        by=request.user,
                        today=today,
                    )
                    done = f"The follow-up of {member.full_name}'s absences was recorded."
                else:
                    participant_record_dropout(
                        participant=member,
                        on=form.cleaned_data["on"],
                        reason=form.cleaned_data["reason"],
                        by=request.user,
                        today=today,
                    )
                    done = f"{member.full_name}'s drop-out was recorded."
            except ValidationError as exc:
                form.add_error(None, exc)
                failed = True
            else:
                messages.success(request, done)
                return redirect(
                    "facilitation:member",
                    hub=hub,
                    cohort=the_cohort.code,
                    participant=member.code,
                )
        else:
            failed = True
    membership = member.memberships.filter(cohort=the_cohort).order_by("-joined").first()
    return render(
        request,
        "facilitation/member.html",
        {
            "hub": the_cohort.hub,
            "cohort": the_cohort,
            "member": member,
            "membership": membership,
            "record": _member_attendance(the_cohort, member),
            "k13": _k13_sentence(member, now),
            "disengaged_form": disengaged_form,
            "follow_up_form": follow_up_form,
            "follow_ups": member.absence_follow_ups.filter(cohort=the_cohort),
            "dropout_form": dropout_form,
        },
        status=400 if failed else 200,
    )
