"""The hub's pages after the programme (/hub/<hub>/after/..., the `hub` namespace): its
continuing groups and the completed cohorts that may become one, a group's members and
meetings (the host, the members' links), the business support it offers and the
referrals it follows up. For the hub's administrators and the national coordinator
(`hub_admin_required`); another hub's group or referral is a 404.

And the one action of the facilitator's area (/facilitation/..., the `facilitation`
namespace): the cohort's facilitator starts their completed cohort as a continuing group
(`cohort_for_facilitation`: the facilitator of the cohort, or the hub's administrators
and the coordinator standing in)."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alumni import selectors, services
from alumni.forms import HostForm, ReferralStatusForm, SchemeForm
from alumni.models import ContinuingGroup, Referral
from cohorts.models import Cohort
from peernet.access import (
    AuthenticatedRequest,
    HubRequest,
    cohort_for_facilitation,
    get_for_user,
    hub_admin_required,
    hub_page,
)
from peernet.forms import form_written


@login_required
@require_GET
@hub_admin_required
def continuing_groups(request: HubRequest) -> HttpResponse:
    """The hub's continuing groups, and the completed cohorts that may carry on as one."""
    return hub_page(
        request,
        "alumni/groups.html",
        "after",
        groups=list(selectors.hub_groups(request.hub)),
        ready=selectors.cohorts_ready_to_continue(request.hub),
    )


@login_required
@require_POST
@hub_admin_required
def continuing_group_start(request: HubRequest, code: uuid.UUID) -> HttpResponse:
    cohort = get_for_user(
        Cohort.objects.filter(hub=request.hub).select_related("hub", "programme"),
        request.user,
        code=code,
    )
    try:
        group = services.continuing_group_start(cohort=cohort, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("hub:continuing-groups", hub=request.hub.key)
    messages.success(
        request,
        f"{cohort.name} is now a continuing group. Send its members their links so they "
        "can opt in.",
    )
    return redirect("hub:continuing-group", hub=request.hub.key, pk=group.pk)


def _group(request: HubRequest, pk: int) -> ContinuingGroup:
    return get_for_user(
        ContinuingGroup.objects.filter(hub=request.hub).select_related("cohort", "hub"),
        request.user,
        pk=pk,
    )


@login_required
@require_http_methods(["GET", "POST"])
@hub_admin_required
def continuing_group(request: HubRequest, pk: int) -> HttpResponse:
    """A group: who is in and what they chose, its host, its meetings and their answers;
    the hub chooses the host and sends the members their links."""
    group = _group(request, pk)
    members = selectors.group_members(group)
    choices = [(str(m.pk), m.participant.full_name) for m in members if m.is_in]
    posted = request.POST if request.POST.get("form") == "host" else None
    form = HostForm(posted, members=choices)
    if posted is not None and form_written(
        request,
        form,
        lambda: services.group_host_choose(
            group=group,
            member=next(m for m in members if str(m.pk) == form.cleaned_data["member"]),
            by=request.user,
        ),
        done="The host was saved.",
    ):
        return redirect("hub:continuing-group", hub=request.hub.key, pk=group.pk)
    if request.method == "POST" and request.POST.get("form") == "links":
        sent = services.group_links_send(group=group, by=request.user)
        messages.success(request, f"Links were sent to {sent} members.")
        return redirect("hub:continuing-group", hub=request.hub.key, pk=group.pk)
    return hub_page(
        request,
        "alumni/group.html",
        "after",
        status=400 if form.errors else 200,
        group=group,
        members=members,
        host=next((m for m in members if m.host), None),
        meetings=selectors.group_meetings(group),
        form=form,
    )


@login_required
@require_http_methods(["GET", "POST"])
@hub_admin_required
def business_support(request: HubRequest) -> HttpResponse:
    """The schemes the hub offers at the end of the programme: the national ones (each
    can be switched off) and its own."""
    hub = request.hub
    if request.method == "POST" and request.POST.get("form") == "offer":
        try:
            scheme = services.support_scheme_offer(
                hub=hub,
                key=request.POST.get("key", ""),
                offered=request.POST.get("offered") == "yes",
                by=request.user,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"{scheme.title} was saved.")
        return redirect("hub:business-support", hub=hub.key)
    form = SchemeForm(request.POST if request.method == "POST" else None)
    if form_written(
        request,
        form,
        lambda: services.support_scheme_add(hub=hub, by=request.user, **form.cleaned_data),
        done="The scheme was added.",
    ):
        return redirect("hub:business-support", hub=hub.key)
    return hub_page(
        request,
        "alumni/business_support.html",
        "after",
        status=400 if form.errors else 200,
        schemes=selectors.hub_support_schemes(hub),
        form=form,
    )


@login_required
@require_GET
@hub_admin_required
def referrals(request: HubRequest) -> HttpResponse:
    """Participants' interest in business support: counts by scheme, then each referral."""
    return hub_page(
        request,
        "alumni/referrals.html",
        "after",
        counts=selectors.referral_counts(request.hub),
        referrals=list(selectors.hub_referrals(request.hub)),
    )


@login_required
@require_http_methods(["GET", "POST"])
@hub_admin_required
def referral(request: HubRequest, code: uuid.UUID, scheme: str) -> HttpResponse:
    """One referral: who, to what, and where the hub's follow-up is."""
    item = get_for_user(
        Referral.objects.filter(hub=request.hub).select_related("participant", "scheme"),
        request.user,
        participant__code=code,
        scheme__key=scheme,
    )
    data = request.POST if request.method == "POST" else None
    form = ReferralStatusForm(data, initial={"status": item.status})
    if form_written(
        request,
        form,
        lambda: services.referral_status_set(
            referral=item, status=form.cleaned_data["status"], by=request.user
        ),
        done="The referral was saved.",
    ):
        return redirect("hub:referrals", hub=request.hub.key)
    return hub_page(
        request,
        "alumni/referral.html",
        "after",
        status=400 if form.errors else 200,
        referral=item,
        form=form,
    )


@login_required
@require_POST
def facilitation_continuing_group_start(
    request: AuthenticatedRequest, hub: str, cohort: uuid.UUID
) -> HttpResponse:
    """The facilitator's button: their completed cohort carries on as a continuing group
    (the hub then sends the members their links)."""
    the_cohort = cohort_for_facilitation(request.user, hub, cohort)
    try:
        services.continuing_group_start(cohort=the_cohort, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            f"{the_cohort.name} is now a continuing group. {the_cohort.hub.name} will send "
            "its members their links to opt in.",
        )
    return redirect("facilitation:home")


facilitation_urlpatterns: list[URLPattern] = [
    path(
        "<slug:hub>/cohorts/<uuid:cohort>/continuing-group/",
        facilitation_continuing_group_start,
        name="continuing-group-start",
    ),
]


hub_urlpatterns: list[URLPattern] = [
    path("after/groups/", continuing_groups, name="continuing-groups"),
    path("after/groups/start/<uuid:code>/", continuing_group_start, name="continuing-group-start"),
    path("after/groups/<int:pk>/", continuing_group, name="continuing-group"),
    path("after/support/", business_support, name="business-support"),
    path("after/referrals/", referrals, name="referrals"),
    path("after/referrals/<uuid:code>/<slug:scheme>/", referral, name="referral"),
]
