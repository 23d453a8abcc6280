"""The hub's surveys not yet answered, as a filtered list (peernet.lists), and the
reminder sent from it to several participants at once (participants.bulk): a
confirmation first, then who was reminded and who was not, and why."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from participants import bulk
from participants.models import SurveyInvitation, SurveyKind
from peernet import lists
from peernet.access import hub_admin_required, hub_page

MOST = 100
SURVEY_COLUMNS = (
    lists.Column("select", "Select", hidden=True),
    lists.Column("name", "Participant", ("participant__last_name", "participant__first_name")),
    lists.Column("survey", "Survey", ("kind",)),
    lists.Column("sent", "Sent", ("sent_at",)),
    lists.Column("expires", "Link expires", ("expires_at",)),
    lists.Column("reminded", "Reminded"),
)


class OutstandingFilterForm(lists.ListFilterForm):
    q = lists.search_field("Name, business or email")
    kind = forms.ChoiceField(
        label="Survey",
        required=False,
        choices=[("", "All surveys"), *SurveyKind.choices],
        error_messages={"invalid_choice": "Select a survey from the list"},
    )


class RemindForm(forms.Form):
    invitation = lists.chosen_field(
        coerce=int,
        nothing="Select at least one participant",
        foreign="Select surveys from this hub's list",
    )
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, data: object = None, *, ids: list[int]):
        super().__init__(data)
        self.fields["invitation"].choices = [(i, i) for i in ids]  # type: ignore[attr-defined]

    def clean_invitation(self) -> list[int]:
        chosen: list[int] = self.cleaned_data["invitation"]
        if len(chosen) > MOST:
            raise forms.ValidationError(f"Select {MOST} or fewer at once")
        return chosen


def _outstanding(request: HttpRequest) -> QuerySet[SurveyInvitation]:
    """The hub's sent surveys not yet answered, with the participant and business."""
    return (
        SurveyInvitation.objects.visible_to(request.user)
        .filter(participant__hub=request.hub, sent_at__isnull=False, completed_at__isnull=True)
        .select_related("participant__business", "participant__hub")
    )


def _filtered(rows: QuerySet[SurveyInvitation], cleaned: dict[str, Any]):
    search = (
        "participant__first_name",
        "participant__last_name",
        "participant__email",
        "participant__business__name",
    )
    rows = rows.filter(lists.search_condition(cleaned.get("q", ""), search))
    return rows.filter(kind=cleaned["kind"]) if cleaned.get("kind") else rows


def _listing(request: HttpRequest) -> lists.Listing:
    """The longest waiting first."""
    return lists.list_page(
        request,
        columns=SURVEY_COLUMNS,
        default_order=("sent_at",),
        form_class=OutstandingFilterForm,
        rows=lambda cleaned: _filtered(_outstanding(request), cleaned),
    )


@login_required
@require_GET
@hub_admin_required
def surveys_outstanding(request: HttpRequest) -> HttpResponse:
    listing = _listing(request)
    return hub_page(
        request,
        "surveys/outstanding.html",
        "surveys",
        form=listing.form,
        listing=listing,
        now=timezone.now(),
    )


@login_required
@require_POST
@hub_admin_required
def surveys_remind(request: HttpRequest) -> HttpResponse:
    posted = [i for i in request.POST.getlist("invitation")[: MOST + 1] if i.isdigit()]
    ids = list(_outstanding(request).filter(pk__in=posted).values_list("pk", flat=True))
    form = RemindForm(request.POST, ids=ids)
    back = reverse("hub:surveys-outstanding", kwargs={"hub": request.hub.key})
    if not form.is_valid():
        return hub_page(request, "surveys/remind.html", "surveys", form=form, back=back, status=400)
    invitations = list(
        _outstanding(request)
        .filter(pk__in=form.cleaned_data["invitation"])
        .order_by("participant__last_name", "participant__first_name", "pk")
    )
    context = {"form": form, "back": back, "invitations": invitations}
    if form.cleaned_data["confirmed"]:
        context["outcome"] = bulk.surveys_remind(
            invitations=invitations, by=request.user, hub_id=request.hub.pk, now=timezone.now()
        )
    return hub_page(request, "surveys/remind.html", "surveys", **context)


hub_urlpatterns: list[URLPattern] = [
    path("surveys/outstanding/", surveys_outstanding, name="surveys-outstanding"),
    path("surveys/remind/", surveys_remind, name="surveys-remind"),
]
