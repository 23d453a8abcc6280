"""The pages of alumni events: the hub's (/hub/<hub>/after/events/..., the `hub`
namespace: the events report, publishing, inviting by cohort, sector or topic and
across the cluster's hubs, who came), for its
administrators and the national coordinator; and the invitee's, behind their emailed link
(/p/event/, the `public` namespace)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from alumni.events import selectors, services
from alumni.events.forms import CameForm, EventForm, InviteForm
from alumni.links import EVENT
from alumni.models import AlumniEvent, EventInvitation
from participants.links import LinkProblem, landing, link_open, no_referrer, problem_page
from participants.models import Sector
from peernet.access import HubRequest, get_for_user, hub_admin_required, hub_page
from peernet.forms import form_written

EVENT_KEY = "peernet.alumni_event.token"


@login_required
@require_GET
@hub_admin_required
def alumni_events(request: HubRequest) -> HttpResponse:
    """The events report: each event's invited, accepted and came, and the totals."""
    events = list(selectors.hub_events(request.hub))
    return hub_page(
        request,
        "alumni/events.html",
        "after",
        events=events,
        totals=selectors.events_totals(events),
    )


@login_required
@require_http_methods(["GET", "POST"])
@hub_admin_required
def alumni_event_new(request: HubRequest) -> HttpResponse:
    form = EventForm(request.POST if request.method == "POST" else None)
    published: list[AlumniEvent] = []
    if form_written(
        request,
        form,
        lambda: published.append(
            services.alumni_event_publish(
                hub=request.hub,
                topic=form.cleaned_data["topic"],
                speaker=form.cleaned_data["speaker"],
                starts_at=form.starts_at(),
                place=form.cleaned_data["place"],
                by=request.user,
            )
        ),
        done="The event was published. Now invite the cohorts.",
    ):
        return redirect("hub:alumni-event", hub=request.hub.key, pk=published[0].pk)
    return hub_page(
        request, "alumni/event_new.html", "after", status=400 if form.errors else 200, form=form
    )


@login_required
@require_http_methods(["GET", "POST"])
@hub_admin_required
def alumni_event(request: HubRequest, pk: int) -> HttpResponse:
    """An event: invite completers (by cohort, sector or topic, of the hub or across its
    cluster); who answered what; once begun, who came. Another hub's invitees are named
    only once they have said they are coming; until then they are counted."""
    event = get_for_user(AlumniEvent.objects.filter(hub=request.hub), request.user, pk=pk)
    invitations = selectors.event_invitations(event)
    cohorts = selectors.completed_cohorts(request.hub)
    which = request.POST.get("form") if request.method == "POST" else None
    topics = selectors.invitation_topics()
    invite = InviteForm(
        request.POST if which == "invite" else None,
        cohorts=[(str(c.code), c.name) for c in cohorts],
        sectors=list(Sector.choices),
        topics=[(t.key, t.name) for t in topics],
        cluster=request.hub.cluster.name,
    )
    came = CameForm(
        request.POST if which == "came" else None,
        invited=[(str(i.pk), i.participant.full_name) for i in invitations],
        initial={"came": [str(i.pk) for i in invitations if i.attended]},
    )
    done = which == "invite" and form_written(
        request,
        invite,
        lambda: services.alumni_event_invite(
            event=event,
            by=request.user,
            cohort=next((c for c in cohorts if str(c.code) == invite.cleaned_data["cohort"]), None),
            sector=invite.cleaned_data["sector"],
            topic=next((t for t in topics if t.key == invite.cleaned_data["topic"]), None),
            across_hubs=invite.cleaned_data["across_hubs"],
        ),
        done="The invitations were sent.",
    )
    done = done or (
        which == "came"
        and form_written(
            request,
            came,
            lambda: services.event_attendance_record(
                event=event, came={int(pk) for pk in came.cleaned_data["came"]}, by=request.user
            ),
            done="Who came was saved.",
        )
    )
    if done:
        return redirect("hub:alumni-event", hub=request.hub.key, pk=event.pk)
    return hub_page(
        request,
        "alumni/event.html",
        "after",
        status=400 if invite.errors or came.errors else 200,
        event=event,
        invitations=invitations,
        unnamed=selectors.unnamed_invitations(event),
        invite=invite,
        came=came,
        begun=event.starts_at <= timezone.now(),
    )


hub_urlpatterns: list[URLPattern] = [
    path("after/events/", alumni_events, name="alumni-events"),
    path("after/events/new/", alumni_event_new, name="alumni-event-new"),
    path("after/events/<int:pk>/", alumni_event, name="alumni-event"),
]


# --- the invitee's link (public) -------------------------------------------------------------


event_landing = landing(session_key=EVENT_KEY, then="public:event")


def _invitation(request: HttpRequest) -> EventInvitation:
    link = link_open(request.session.get(EVENT_KEY), kind=EVENT)
    try:
        return selectors.invitation_for_link(link)
    except EventInvitation.DoesNotExist as exc:
        raise EVENT.invalid() from exc


@require_http_methods(["GET", "POST"])
def event_page(request: HttpRequest) -> HttpResponse:
    """The invitation: the event, and coming or not (until it begins)."""
    try:
        invitation = _invitation(request)
    except LinkProblem as problem:
        return no_referrer(problem_page(request, problem))
    if request.method == "POST":
        answer = request.POST.get("answer")
        if answer not in ("yes", "no"):
            messages.error(request, "Choose whether you are coming")
        else:
            try:
                services.event_answer(invitation=invitation, coming=answer == "yes")
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, "Your answer was saved.")
        return redirect("public:event")
    return render(
        request,
        "alumni/event_invitation.html",
        {
            "invitation": invitation,
            "event": invitation.event,
            "hub": invitation.event.hub,
            "begun": invitation.event.starts_at <= timezone.now(),
        },
    )


public_urlpatterns: list[URLPattern] = [
    path("event/", event_page, name="event"),
    path("event/<str:token>/", event_landing, name="event-link"),
]
