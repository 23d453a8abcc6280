"""Bulk actions from the registrations list (participants.bulk): the list's checkboxes
and action are posted here; the first post shows what will be done to whom (a
confirmation page), the second does it and shows who was done and who was refused."""

from __future__ import annotations

import uuid

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from cohorts.models import Cohort
from participants import bulk
from participants.models import Participant
from participants.selectors import hub_cohort_choices
from peernet import lists
from peernet.access import hub_admin_required, hub_page
from peernet.calendar import local_date

MOST = 100  # two pages of the list
CHARTER, ALLOCATE = "charter", "allocate"
ACTIONS = [
    ("", "Choose an action"),
    (CHARTER, "Send the Participant Charter"),
    (ALLOCATE, "Allocate to a cohort"),
]


class BulkForm(forms.Form):
    """The registrations chosen on the list and what to do to them; the codes must be
    registrations of the hub the user may see, the cohort one of the hub's."""

    participant = lists.chosen_field(
        coerce=str,
        nothing="Select at least one registration",
        foreign="Select registrations from this hub's list",
    )
    action = forms.ChoiceField(
        choices=ACTIONS,
        error_messages={
            "required": "Select an action",
            "invalid_choice": "Select an action from the list",
        },
    )
    cohort = forms.ChoiceField(
        required=False,
        choices=(),
        error_messages={"invalid_choice": "Select a cohort of this hub"},
    )
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, data: object = None, *, codes: list[str], cohorts: list[tuple[str, str]]):
        super().__init__(data)
        self.fields["participant"].choices = [(c, c) for c in codes]  # type: ignore[attr-defined]
        self.fields["cohort"].choices = [("", "Choose a cohort"), *cohorts]  # type: ignore[attr-defined]

    def clean_participant(self) -> list[str]:
        chosen: list[str] = self.cleaned_data["participant"]
        if len(chosen) > MOST:
            raise forms.ValidationError(f"Select {MOST} registrations or fewer at once")
        return chosen

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("action") == ALLOCATE and not data.get("cohort"):
            self.add_error("cohort", "Select the cohort to allocate them to")
        return data


def _hub_rows(request: HttpRequest) -> tuple[list[str], list[tuple[str, str]]]:
    """The codes the form may name: those posted that are the hub's and visible to the
    user (so a list of 60,000 is never read whole), and the hub's cohorts."""
    posted = request.POST.getlist("participant")[: MOST + 1]
    codes = (
        Participant.objects.filter(hub=request.hub)
        .visible_to(request.user)
        .filter(code__in=[c for c in posted if _is_uuid(c)])
        .values_list("code", flat=True)
    )
    return [str(c) for c in codes], hub_cohort_choices(hub=request.hub, user=request.user)


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


@login_required
@require_POST
@hub_admin_required
def registrations_bulk(request: HttpRequest) -> HttpResponse:
    codes, cohorts = _hub_rows(request)
    form = BulkForm(request.POST, codes=codes, cohorts=cohorts)
    back = reverse("hub:registrations", kwargs={"hub": request.hub.key})
    if not form.is_valid():
        return hub_page(
            request,
            "participants/registrations_bulk.html",
            "registrations",
            form=form,
            back=back,
            status=400,
        )
    data = form.cleaned_data
    people = list(
        Participant.objects.filter(hub=request.hub, code__in=data["participant"])
        .select_related("business", "hub")
        .order_by("last_name", "first_name", "pk")
    )
    cohort = (
        Cohort.objects.get(hub=request.hub, code=data["cohort"])
        if data["action"] == ALLOCATE
        else None
    )
    context = {"form": form, "back": back, "people": people, "cohort": cohort}
    if not data["confirmed"]:
        return hub_page(request, "participants/registrations_bulk.html", "registrations", **context)
    if cohort is not None:
        outcome = bulk.registrations_allocate(
            participants=people,
            cohort=cohort,
            joined=local_date(timezone.now()),
            by=request.user,
        )
    else:
        outcome = bulk.registrations_send_charter(
            participants=people,
            link=lambda token: request.build_absolute_uri(
                reverse("public:charter", kwargs={"token": token})
            ),
            by=request.user,
            hub_id=request.hub.pk,
        )
    return hub_page(
        request,
        "participants/registrations_bulk.html",
        "registrations",
        outcome=outcome,
        **context,
    )


hub_urlpatterns: list[URLPattern] = [
    path("registrations/bulk/", registrations_bulk, name="registrations-bulk"),
]
