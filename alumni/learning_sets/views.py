"""The pages of the facilitators' action learning sets (/learning-sets/, the
`learning_sets` namespace): for a cluster's lead, their cluster's sets; for the national
coordinator, every cluster's and the appointment of leads. Anyone else, a hub
administrator of another cluster included, gets a 404 (`peernet.access`)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from alumni.learning_sets import selectors, services
from alumni.learning_sets.forms import NO_PERSONAL_DATA, LeadForm, RecordForm, SessionForm, SetForm
from peernet.access import (
    AuthenticatedRequest,
    cluster_for_lead,
    learning_set_for_lead,
    learning_set_session_for_lead,
    require_cluster_lead,
    require_coordinator,
)
from peernet.forms import form_written
from peernet.models import Cluster, User


@login_required
@require_GET
def home(request: AuthenticatedRequest) -> HttpResponse:
    """The clusters the user leads: their sets, and how many facilitators took part."""
    clusters = require_cluster_lead(request.user)
    rows = selectors.participation(clusters)
    return render(
        request,
        "alumni/learning_sets/home.html",
        {
            "clusters": clusters,
            "participation": rows,
            "national": len(clusters) > 1,
            "total_facilitators": sum(r.facilitators for r in rows),
            "total_took_part": sum(r.took_part for r in rows),
            "sets": list(selectors.cluster_sets(clusters)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def leads(request: AuthenticatedRequest) -> HttpResponse:
    """The national coordinator appoints each cluster's lead."""
    require_coordinator(request.user)
    clusters = list(Cluster.objects.order_by("name"))
    form = LeadForm(
        request.POST if request.method == "POST" else None,
        clusters=[(c.key, c.name) for c in clusters],
    )
    user = None
    if request.method == "POST" and form.is_valid():
        user = User.objects.filter(email__iexact=form.cleaned_data["email"]).first()
        if user is None:
            form.add_error("email", "No member of staff has that email address")
    if form_written(
        request,
        form,
        lambda: services.cluster_lead_appoint(
            cluster=next(c for c in clusters if c.key == form.cleaned_data["cluster"]),
            user=user,
            by=request.user,
        ),
        done="The cluster lead was appointed.",
    ):
        return redirect("learning_sets:leads")
    return render(
        request,
        "alumni/learning_sets/leads.html",
        {"form": form, "leads": selectors.cluster_leads()},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def set_new(request: AuthenticatedRequest, cluster: str) -> HttpResponse:
    the_cluster = cluster_for_lead(request.user, cluster)
    facilitators = list(selectors.cluster_facilitators(the_cluster))
    form = SetForm(
        request.POST if request.method == "POST" else None,
        facilitators=[(str(u.pk), u.name or u.email) for u in facilitators],
    )
    formed = []
    if form_written(
        request,
        form,
        lambda: formed.append(
            services.learning_set_form(
                cluster=the_cluster,
                name=form.cleaned_data["name"],
                members=[int(pk) for pk in form.cleaned_data["members"]],
                by=request.user,
            )
        ),
        done="The set was formed.",
    ):
        return redirect("learning_sets:set", pk=formed[0].pk)
    return render(
        request,
        "alumni/learning_sets/set_new.html",
        {"cluster": the_cluster, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def learning_set(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A set: its facilitators and sessions; schedule the next session."""
    the_set = learning_set_for_lead(request.user, pk)
    form = SessionForm(request.POST if request.method == "POST" else None)
    if form_written(
        request,
        form,
        lambda: services.learning_set_session_schedule(
            learning_set=the_set,
            starts_at=form.starts_at(),
            joining_instructions=form.cleaned_data["joining_instructions"],
            by=request.user,
        ),
        done="The session was scheduled.",
    ):
        return redirect("learning_sets:set", pk=the_set.pk)
    return render(
        request,
        "alumni/learning_sets/set.html",
        {
            "set": the_set,
            "members": list(the_set.members.order_by("name", "pk")),
            "sessions": selectors.set_sessions(the_set),
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def session(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A session: its joining instructions; once begun, who came and what was learned."""
    the_session = learning_set_session_for_lead(request.user, pk)
    members = list(the_session.learning_set.members.order_by("name", "pk"))
    initial = {
        "present": [str(pk) for pk in the_session.present.values_list("pk", flat=True)],
        "learning_points": the_session.learning_points,
    }
    form = RecordForm(
        request.POST if request.method == "POST" else None,
        members=[(str(u.pk), u.name or u.email) for u in members],
        initial=initial,
    )
    if form_written(
        request,
        form,
        lambda: services.learning_set_session_record(
            session=the_session,
            present=[int(pk) for pk in form.cleaned_data["present"]],
            learning_points=form.cleaned_data["learning_points"],
            by=request.user,
        ),
        done="The session was saved.",
    ):
        return redirect("learning_sets:set", pk=the_session.learning_set_id)
    return render(
        request,
        "alumni/learning_sets/session.html",
        {
            "session": the_session,
            "set": the_session.learning_set,
            "form": form,
            "begun": the_session.starts_at <= timezone.now(),
            "rule": NO_PERSONAL_DATA,
        },
        status=400 if form.errors else 200,
    )


urlpatterns: list[URLPattern] = [
    path("", home, name="home"),
    path("leads/", leads, name="leads"),
    path("<slug:cluster>/new/", set_new, name="set-new"),
    path("sets/<int:pk>/", learning_set, name="set"),
    path("sessions/<int:pk>/", session, name="session"),
]
