"""The hub's sessions list (/hub/<hub>/sessions/): every session of the hub's cohorts,
filtered by cohort, status (register missing among them) and dates, sorted by date and
paged as any list (peernet.lists); each row links to the page that edits the session."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET

from participants.selectors import hub_cohort_choices
from peernet import lists
from peernet.access import hub_admin_required, hub_page
from sessions.forms import SessionFilterForm
from sessions.selectors import hub_sessions

SESSION_COLUMNS = (
    lists.Column("when", "Date", ("starts_at",)),
    lists.Column("cohort", "Cohort", ("cohort__name",)),
    lists.Column("hours", "Hours", (), numeric=True),
    lists.Column("status", "Status"),
    lists.Column("attendance", "Attendance"),
)


@login_required
@require_GET
@hub_admin_required
def session_list(request: HttpRequest) -> HttpResponse:
    """The newest sessions first; any cohort, status or dates."""
    cohorts = hub_cohort_choices(hub=request.hub, user=request.user)
    listing = lists.list_page(
        request,
        form_class=SessionFilterForm,
        columns=SESSION_COLUMNS,
        rows=lambda cleaned: hub_sessions(
            hub=request.hub,
            user=request.user,
            cohort=cleaned.get("cohort", ""),
            status=cleaned.get("status", ""),
            date_from=cleaned.get("date_from"),
            date_to=cleaned.get("date_to"),
        ),
        default_order=("-starts_at", "-pk"),
        form_kwargs={"cohorts": cohorts},
    )
    return hub_page(
        request,
        "sessions/session_list.html",
        "sessions",
        form=listing.form,
        listing=listing,
        has_cohorts=bool(cohorts),
    )


hub_session_list_urlpatterns: list[URLPattern] = [
    path("sessions/", session_list, name="sessions"),
]
