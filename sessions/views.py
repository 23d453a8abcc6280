"""Hub administration pages for delivery: complaints and compliments (Q5)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from peernet.access import get_for_user, hub_for_admin
from peernet.rules import CHECKS
from sessions.forms import ComplaintCloseForm, ComplaintForm
from sessions.models import Complaint, ComplaintKind
from sessions.services import complaint_close, complaint_record


def _q5_sentence(complaint: Complaint) -> str | None:
    """Q5's sentence for an open complaint with no action taken recorded."""
    if complaint.kind != ComplaintKind.COMPLAINT or complaint.action_taken.strip():
        return None
    return CHECKS["Q5"](complaint, as_of=timezone.now()).sentence


@never_cache
@login_required
@require_GET
def complaint_list(request: HttpRequest, hub: str) -> HttpResponse:
    """Open ones first, then the most recently received."""
    hub_ = hub_for_admin(request.user, hub)
    complaints = list(
        Complaint.objects.visible_to(request.user)
        .filter(hub=hub_)
        .order_by(F("resolved").asc(nulls_first=True), "-received", "key")
    )
    rows = [(c, _q5_sentence(c)) for c in complaints]
    return render(
        request,
        "sessions/complaint_list.html",
        {
            "hub": hub_,
            "section": "complaints",
            "rows": rows,
            "open_count": sum(1 for c in complaints if c.resolved is None),
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def complaint_new(request: HttpRequest, hub: str) -> HttpResponse:
    hub_ = hub_for_admin(request.user, hub)
    today = timezone.localdate()
    data = request.POST if request.method == "POST" else None
    form = ComplaintForm(data, today=today)
    if request.method == "POST" and form.is_valid():
        try:
            complaint = complaint_record(hub=hub_, today=today, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"The {complaint.get_kind_display().lower()} was recorded.")
            return redirect("hub:complaint", hub=hub_.key, key=complaint.key)
    return render(
        request,
        "sessions/complaint_new.html",
        {"hub": hub_, "section": "complaints", "form": form},
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def complaint_detail(request: HttpRequest, hub: str, key: str) -> HttpResponse:
    """One complaint or compliment: record the action taken, and close it."""
    hub_ = hub_for_admin(request.user, hub)
    complaint = get_for_user(Complaint.objects.filter(hub=hub_), request.user, key=key)
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
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "The changes were saved.")
            return redirect("hub:complaints", hub=hub_.key)
    return render(
        request,
        "sessions/complaint_detail.html",
        {
            "hub": hub_,
            "section": "complaints",
            "complaint": complaint,
            "q5": _q5_sentence(complaint),
            "form": form,
        },
    )
