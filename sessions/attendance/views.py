"""Attendance pages of the facilitator's area (the `facilitation` namespace): a session's
register (K8), and a member of a cohort, with their attendance, K13 in words and the forms
to follow up their absences, report them as disengaged or record their drop-out."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from participants.models import DropoutCause, Participant
from peernet import stale
from peernet.access import (
    cohort_for_facilitation,
    session_for_facilitation,
)
from rules import run_rules
from sessions.attendance.forms import AttendanceForm, DisengagedForm, DropoutForm, FollowUpForm
from sessions.attendance.selectors import (
    member_attendance,
    register_as_shown,
    session_attendance,
    session_members,
)
from sessions.attendance.services import (
    absence_follow_up_record,
    participant_record_dropout,
    participant_report_disengaged,
    session_record_attendance,
)
from sessions.views import session_record_page


@login_required
@require_http_methods(["GET", "POST"])
def facilitation_attendance(request: HttpRequest, hub: str, code: uuid.UUID) -> HttpResponse:
    """K8: the register, one row per member expected at the session."""
    session = session_for_facilitation(request.user, hub, code)
    now = timezone.now()
    members = session_members(session)
    recorded = session_attendance(session)
    form = AttendanceForm(
        request.POST if request.method == "POST" else None,
        members=members,
        session_hours=session.hours,
        recorded=recorded,
    )
    return session_record_page(
        request,
        session,
        now=now,
        what="attendance",
        form=form,
        write=lambda: session_record_attendance(
            session=session,
            rows=form.attendance_rows(),
            by=request.user,
            as_of=now,
            seen=request.POST.get("seen"),
        ),
        done="The attendance was saved.",
        template="facilitation/attendance.html",
        # What the page shows now, to tell at the next save whether someone else saved.
        context=lambda: {
            "members": members,
            # After a refused save, the register as it now stands.
            "seen": stale.seen(
                register_as_shown(
                    session_attendance(session) if request.method == "POST" else recorded
                )
            ),
        },
    )


def _k13_sentence(participant: Any, as_of: Any) -> str:

    judged = Participant.objects.prefetch_related(
        "memberships__cohort__sessions", "attendance", "absence_follow_ups"
    ).get(pk=participant.pk)
    (result,) = run_rules(judged, ["K13"], as_of=as_of)
    return result.sentence


def _dropout_confirm_page(
    request: HttpRequest, cohort: Any, member: Participant, form: DropoutForm
) -> HttpResponse:
    """Are you sure? The drop-out as it would be recorded and what recording it does;
    its button posts the same answers again with `confirm`."""
    data = form.cleaned_data
    return render(
        request,
        "facilitation/dropout_confirm.html",
        {
            "hub": cohort.hub,
            "cohort": cohort,
            "member": member,
            "on": data["on"],
            "cause": DropoutCause(data["cause"]).label,
            "reason": data["reason"],
            "posted": [
                (name, request.POST.get(name, ""))
                for name in ("form", "on_0", "on_1", "on_2", "cause", "reason")
            ],
        },
    )


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
                elif "confirm" not in posted:
                    # The first click asks, saying what it does; nothing is recorded yet.
                    return _dropout_confirm_page(request, the_cohort, member, form)
                else:
                    participant_record_dropout(
                        participant=member,
                        on=form.cleaned_data["on"],
                        cause=form.cleaned_data["cause"],
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
            "record": member_attendance(the_cohort, member),
            "k13": _k13_sentence(member, now),
            "disengaged_form": disengaged_form,
            "follow_up_form": follow_up_form,
            "follow_ups": member.absence_follow_ups.filter(cohort=the_cohort),
            "dropout_form": dropout_form,
        },
        status=400 if failed else 200,
    )
