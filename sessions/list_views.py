"""The hub's lists of delivery, each filtered, sorted and paged as any list
(peernet.lists): the sessions list (/hub/<hub>/sessions/), every session of the hub's
cohorts by cohort, status (register missing among them) and dates, each row linked to
the page that edits the session; and the one-to-ones list (/hub/<hub>/one-to-ones/),
each eligible participant's one-to-one hours by route against the minimum, by provider,
cohort and whether short, each row linked to the participant's one-to-one page."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path
from django.utils import timezone
from django.views.decorators.http import require_GET

from participants.selectors import hub_cohort_choices
from peernet import lists
from peernet.access import hub_admin_required, hub_page
from peernet.calendar import local_date
from peernet.models import Programme
from peernet.words import number_words
from sessions.forms import OneToOneFilterForm, SessionFilterForm
from sessions.one_to_one.selectors import hub_one_to_one_hours, hub_providers
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


ONE_TO_ONE_COLUMNS = (
    lists.Column("name", "Participant", ("last_name", "first_name")),
    lists.Column("provider", "Provider", ("one_to_one_provider__name",)),
    lists.Column("programme", "Programme route", ("hours_programme",), numeric=True),
    lists.Column("existing", "Existing programmes", ("hours_existing",), numeric=True),
    lists.Column("hours", "Delivered", ("hours_delivered",), numeric=True),
    lists.Column("scheduled", "Scheduled", ("hours_scheduled",), numeric=True),
)


def _minimum_words(today: dt.date) -> str:
    """This programme year's one-to-one minimum, in words ("3.5 hours")."""
    try:
        return f"{number_words(Programme.for_month(today).one_to_one_hours)} hours"
    except Programme.DoesNotExist:
        return "the minimum hours"


@login_required
@require_GET
@hub_admin_required
def one_to_one_list(request: HttpRequest) -> HttpResponse:
    """The fewest hours delivered first; any provider, cohort, or only those short."""
    listing = lists.list_page(
        request,
        form_class=OneToOneFilterForm,
        columns=ONE_TO_ONE_COLUMNS,
        rows=lambda cleaned: hub_one_to_one_hours(
            hub=request.hub,
            user=request.user,
            search=cleaned.get("q", ""),
            provider=cleaned.get("provider", ""),
            cohort=cleaned.get("cohort", ""),
            short=bool(cleaned.get("short")),
        ),
        default_order=("hours_delivered", "last_name", "first_name"),
        form_kwargs={
            "providers": [
                (str(p.pk), p.name) for p in hub_providers(request.hub.pk).order_by("name")
            ],
            "cohorts": hub_cohort_choices(hub=request.hub, user=request.user),
            "minimum": _minimum_words(local_date(timezone.now())),
        },
    )
    return hub_page(
        request, "sessions/one_to_one_list.html", "one-to-ones", form=listing.form, listing=listing
    )


hub_session_list_urlpatterns: list[URLPattern] = [
    path("sessions/", session_list, name="sessions"),
    path("one-to-ones/", one_to_one_list, name="one-to-ones"),
]
