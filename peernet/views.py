"""Signing in and out, the home page that sends each role to its area, and /health/."""

from __future__ import annotations

import logging
import sys

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from peernet import access, logs, outbox
from peernet.access import AuthenticatedRequest
from peernet.models import Role, RoleAssignment, WorkerHeartbeat
from reporting.selectors import TODO_SHOWN, todo_for_user

logger = logging.getLogger(__name__)
# How long a user or a load balancer is asked to wait when the database is away.
RETRY_AFTER_SECONDS = 30

# Where each role works. The areas arrive in later issues: until a name resolves,
# the home page lists the role without a link.
AREA_URL_NAMES: dict[str, str] = {
    Role.COORDINATOR: "national:home",
    Role.FUNDER: "national:home",
    Role.EVALUATOR: "national:home",
    Role.HUB_ADMIN: "hub:home",
    Role.FACILITATOR: "facilitation:home",
    Role.ONE_TO_ONE_PROVIDER: "one_to_one:home",
}
_ROLE_ORDER = {role: index for index, role in enumerate(Role.values)}
# The home page shows the most urgent items; the areas (later issues) will list them all.


class EmailAuthenticationForm(AuthenticationForm):
    """Django's sign-in form with an email address and plain-English errors."""

    username = forms.CharField(
        label="Email address",
        max_length=254,
        error_messages={"required": "Enter your email address"},
        widget=forms.EmailInput(
            attrs={"autocomplete": "email", "spellcheck": "false", "autocapitalize": "none"}
        ),
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        error_messages={"required": "Enter your password"},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    # The same words whether the account is unknown, the password wrong or the
    # account deactivated: the page must not reveal which accounts exist.
    error_messages = {
        "invalid_login": "Enter a correct email address and password",
        "inactive": "Enter a correct email address and password",
    }

    def clean_username(self) -> str:
        # Emails are stored lower-case (peernet.User), so sign-in ignores case.
        return self.cleaned_data["username"].strip().lower()


class LoginView(auth_views.LoginView):
    """The first step of signing in (docs/security.md §10-12): django-axes counts failures
    (AXES_* settings) and Django's login() gives the session a new key. The page asked
    for then sends the password-only session to the second step (the code, or setting up
    an app), carrying `next` on: peernet.middleware.SecondFactorMiddleware."""

    form_class = EmailAuthenticationForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """POST only (Django's LogoutView refuses GET): a link cannot sign anyone out."""

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        messages.success(request, "You have signed out.")
        return response


def area_url(assignment: RoleAssignment) -> str | None:
    """The URL of the area where this role assignment is worked, if that area exists yet."""
    name = AREA_URL_NAMES.get(assignment.role)
    if name is None:
        return None
    kwargs = {}
    if assignment.role == Role.HUB_ADMIN:
        assert assignment.hub is not None  # a hub administrator's role names their hub
        kwargs = {"hub": assignment.hub.key}
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return None


@login_required
def home(request: AuthenticatedRequest) -> HttpResponse:
    """Send the user to their area; with several places to go, list them, and what needs
    doing (the at-risk scan's open findings that are theirs, most urgent first).

    Queries: the session and user, the role assignments, the user's scope and the
    findings — the same whatever the number of items."""
    assignments = sorted(
        request.user.role_assignments.select_related("hub", "cohort"),
        key=lambda a: (
            _ROLE_ORDER.get(a.role, len(_ROLE_ORDER)),
            a.hub.name if a.hub else "",
            a.cohort.name if a.cohort else "",
        ),
    )
    entries = [(assignment, area_url(assignment)) for assignment in assignments]
    destinations = {url for _, url in entries if url}
    learning_sets = _learning_sets_url(request, assignments)
    if learning_sets:
        destinations.add(learning_sets)
    if len(destinations) == 1:
        return redirect(destinations.pop())
    todo = todo_for_user(request.user)
    return render(
        request,
        "peernet/home.html",
        {
            "entries": entries,
            "learning_sets": learning_sets,
            "todo": todo[:TODO_SHOWN],
            "todo_count": len(todo),
        },
    )


def _learning_sets_url(request: AuthenticatedRequest, assignments: list[RoleAssignment]) -> str:
    """The facilitators' action learning sets, for a cluster's lead (one more place to
    go). The coordinator, who organises every cluster's, finds them from the national
    area, where their home page takes them."""
    if any(a.role == Role.COORDINATOR for a in assignments):
        return ""
    return reverse("learning_sets:home") if access.clusters_led(request.user).exists() else ""


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """For the load balancer and monitoring: the database answers; the pages render (the
    base layout through the template and static-files stack, so a stylesheet missing from
    the production manifest fails here, not only on every real page); when a worker last
    ran; the outbox's backlog (emails waiting, and how long the oldest has waited, in
    seconds). 503 unless the database and the pages are both ok."""
    try:
        last_seen = (
            WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
        )
    except DatabaseError:
        logger.exception("Health check: the database did not answer")
        return JsonResponse({"database": "error", "pages": None, "worker": None}, status=503)
    worker = last_seen.isoformat() if last_seen else None
    try:
        render_to_string("base.html", request=request)
    except Exception:  # whatever stops a page rendering stops this one
        logger.exception("Health check: the base page does not render")
        return JsonResponse({"database": "ok", "pages": "error", "worker": worker}, status=503)
    return JsonResponse({"database": "ok", "pages": "ok", "worker": worker, **outbox.backlog()})


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: an error no page handled. If the database could not be reached
    (restarting, failing over), 503 with Retry-After and a page that says to try again in a
    minute; otherwise 500. Either way the page is rendered without the request, so it
    needs neither the database nor the session, and it gives the request id that the
    logged traceback carries (peernet.logs)."""
    unavailable = isinstance(sys.exc_info()[1], OperationalError | InterfaceError)
    template = "peernet/database_unavailable.html" if unavailable else "peernet/server_error.html"
    context = {"service_name": settings.SERVICE_NAME, "request_id": logs.request_id.get()}
    page: str
    try:
        page = render_to_string(template, context)
    except Exception:  # the error page must never fail in turn
        logger.exception("The error page did not render")
        page = "<h1>Sorry, there is a problem with the service</h1>"
    response = HttpResponse(page, status=503 if unavailable else 500)
    if unavailable:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
