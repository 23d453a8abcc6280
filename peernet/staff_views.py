"""The hub's staff, /hub/<hub>/staff/... (the `hub` namespace): who works in the hub,
inviting someone by email, another cohort for a facilitator, removing a role, sending an
invitation again. No Django admin needed for a hub's daily work (issue 15).

Every view is given the hub by `hub_admin_required` (its administrators and the
national coordinator; anyone else a 404) and the person through the hub: someone with no role in
it is a 404, whatever their id."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from participants.models import Participant
from peernet.access import (
    AuthenticatedRequest,
    HubRequest,
    get_for_user,
    hub_admin_required,
    hub_page,
)
from peernet.models import Hub, Role, RoleAssignment, User
from peernet.staff import (
    HUB_ROLES,
    cohorts_without_facilitator,
    hub_staff,
    hub_staff_member,
    lifetime_words,
    role_words,
    staff_cohorts_assign,
    staff_invitation_resend,
    staff_invite,
    staff_role_remove,
)
from peernet.staff_forms import CohortAssignForm, StaffInviteForm


def _person(request: AuthenticatedRequest, hub: Hub, pk: int) -> User:
    """Someone with a role in the hub, or a 404."""
    return get_for_user(
        User.objects.filter(role_assignments__hub=hub, role_assignments__role__in=HUB_ROLES)
        .distinct()
        .order_by(),
        request.user,
        pk=pk,
    )


def _names(items: list) -> str:
    names = [str(item) for item in items]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


@login_required
@require_GET
@hub_admin_required
def staff_list(request: HubRequest) -> HttpResponse:
    """Everyone with a role in the hub, with their roles and whether they have set up
    their account. Queries: the hub and one for every person's roles (plus the session)."""
    return hub_page(request, "hub/staff/list.html", "staff", members=hub_staff(request.hub))


@login_required
@require_http_methods(["GET", "POST"])
@hub_admin_required
def staff_invite_page(request: HubRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    form = StaffInviteForm(data, cohorts=cohorts_without_facilitator(request.hub))
    if request.method == "POST" and form.is_valid():
        try:
            invitation = staff_invite(
                hub=request.hub,
                name=form.cleaned_data["name"],
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                cohorts=list(form.cleaned_data["cohorts"]),
                by=request.user,
                absolute=request.build_absolute_uri,
                request=request,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            person = invitation.user
            roles = _names([role_words(a) for a in invitation.assignments])
            if person.has_usable_password():
                messages.success(
                    request,
                    f"{person} already has an account: they were added as {roles}, and told "
                    "by email.",
                )
            else:
                messages.success(request, f"An invitation was sent to {person.email}, as {roles}.")
            return redirect("hub:staff-member", hub=request.hub.key, pk=person.pk)
    lifetime = lifetime_words(settings.INVITATION_TIMEOUT)
    return hub_page(request, "hub/staff/invite.html", "staff", form=form, lifetime=lifetime)


@login_required
@require_http_methods(["GET", "POST"])
@hub_admin_required
def staff_member_page(request: HubRequest, pk: int) -> HttpResponse:
    """One person's roles in the hub; a facilitator can be given more cohorts here."""
    person = _person(request, request.hub, pk)
    member = hub_staff_member(request.hub, person)
    form = None
    if member.facilitator and person.is_active:
        data = request.POST if request.method == "POST" else None
        form = CohortAssignForm(data, cohorts=cohorts_without_facilitator(request.hub))
    if request.method == "POST":
        if form is None:
            raise Http404("Only a facilitator is given cohorts.")
        if form.is_valid():
            try:
                given = staff_cohorts_assign(
                    hub=request.hub,
                    user=person,
                    cohorts=list(form.cleaned_data["cohorts"]),
                    by=request.user,
                    request=request,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                cohorts = _names([a.cohort for a in given])
                messages.success(request, f"{person} now facilitates {cohorts}.")
                return redirect("hub:staff-member", hub=request.hub.key, pk=person.pk)
    return hub_page(
        request,
        "hub/staff/member.html",
        "staff",
        member=member,
        person=person,
        form=form,
        rows=[(a, role_words(a)) for a in member.assignments],
    )


@login_required
@require_http_methods(["GET", "POST"])
@hub_admin_required
def staff_role_remove_page(request: HubRequest, pk: int, assignment: int) -> HttpResponse:
    """Check, then remove one role (a facilitator's: one cohort)."""
    person = _person(request, request.hub, pk)
    role = (
        RoleAssignment.objects.select_related("cohort", "user")
        .filter(pk=assignment, user=person, hub=request.hub, role__in=HUB_ROLES)
        .first()
    )
    if role is None:
        raise Http404("No such role in this hub.")
    words = role_words(role)
    problem = ""
    if role.user_id == request.user.pk and role.role == Role.HUB_ADMIN:
        problem = (
            "You cannot remove your own hub administrator role: ask another administrator "
            "of the hub or the national coordinator"
        )
    elif request.method == "POST":
        try:
            keeps = staff_role_remove(
                hub=request.hub, assignment=role, by=request.user, request=request
            )
        except ValidationError as exc:
            problem = " ".join(exc.messages)
        else:
            if keeps:
                messages.success(request, f"{person} was removed as {words}.")
                return redirect("hub:staff-member", hub=request.hub.key, pk=person.pk)
            messages.success(
                request,
                f"{person} was removed as {words}, and has no role in {request.hub.name} now.",
            )
            return redirect("hub:staff", hub=request.hub.key)
    providing = 0
    if role.role == Role.ONE_TO_ONE_PROVIDER:
        providing = Participant.objects.filter(hub=request.hub, one_to_one_provider=person).count()
    return hub_page(
        request,
        "hub/staff/remove.html",
        "staff",
        person=person,
        role=role,
        words=words,
        problem=problem,
        providing=providing,
    )


@login_required
@require_POST
@hub_admin_required
def staff_invitation_resend_page(request: HubRequest, pk: int) -> HttpResponse:
    person = _person(request, request.hub, pk)
    try:
        staff_invitation_resend(
            hub=request.hub,
            user=person,
            by=request.user,
            absolute=request.build_absolute_uri,
            request=request,
        )
    except ValidationError as exc:
        messages.info(request, " ".join(exc.messages))
    else:
        messages.success(request, f"A new invitation was sent to {person.email}.")
    return redirect("hub:staff-member", hub=request.hub.key, pk=person.pk)


hub_urlpatterns = [
    path("staff/", staff_list, name="staff"),
    path("staff/invite/", staff_invite_page, name="staff-invite"),
    path("staff/<int:pk>/", staff_member_page, name="staff-member"),
    path(
        "staff/<int:pk>/roles/<int:assignment>/remove/",
        staff_role_remove_page,
        name="staff-role-remove",
    ),
    path(
        "staff/<int:pk>/invitation/", staff_invitation_resend_page, name="staff-invitation-resend"
    ),
]
