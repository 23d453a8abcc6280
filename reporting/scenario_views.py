"""The scenario upload pages (docs/scenario-format.md): the national coordinator's, for any hub
(`national:scenario`), and a hub's administrators', for their own hub (`hub:scenario`).
All or nothing: every problem listed by its JSON path, and nothing written."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from peernet import access
from peernet.access import hub_admin_required
from peernet.forms import GovukErrorsMixin
from reporting.scenario import ScenarioError
from reporting.scenario.parsing import parse_document
from reporting.scenario.upload import scenario_upload


class ScenarioUploadForm(GovukErrorsMixin, forms.Form):
    document = forms.FileField(
        label="The scenario document (JSON)",
        error_messages={
            "required": "Select a JSON file",
            "empty": "The selected file is empty",
            "invalid": "Select a JSON file",
        },
    )
    update = forms.BooleanField(
        label="Update records whose keys already exist (instead of refusing them)",
        required=False,
    )

    def __init__(self, *args: Any, may_update: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not may_update:
            del self.fields["update"]

    def clean_document(self) -> Any:
        upload = self.cleaned_data["document"]
        limit = settings.SCENARIO_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(f"The file must be at most {limit // (1024 * 1024)} MB")
        return parse_document(upload.read(limit + 1), upload.name)


def _upload_page(
    request: HttpRequest, *, base: str, hub: Any, area_name: str, done: str
) -> HttpResponse:
    may_update = hub is None
    form = ScenarioUploadForm(request.POST or None, request.FILES or None, may_update=may_update)
    problems: list[Any] = []
    if request.method == "POST":
        try:
            if form.is_valid():
                summary = scenario_upload(
                    document=form.cleaned_data["document"],
                    by=request.user,
                    hub=hub,
                    update=bool(form.cleaned_data.get("update")),
                )
                messages.success(
                    request, "Imported: " + ("; ".join(summary.lines()) or "nothing new")
                )
                return redirect(done)
        except ScenarioError as exc:  # a parse error (clean_document) or the import's
            problems = exc.problems
    return render(
        request,
        "reporting/scenario_upload.html",
        {
            "base": base,
            "hub": hub,
            "section": "registrations" if hub is not None else "scenario",
            "area_name": area_name,
            "form": form,
            "problems": problems,
            "limit_mb": settings.SCENARIO_MAX_BYTES // (1024 * 1024),
        },
        status=400 if problems or form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def national_upload(request: HttpRequest) -> HttpResponse:
    """The coordinator's: any hub's records, or the whole programme."""
    if not access.may_see_live(request.user):
        raise Http404("No such page.")
    return _upload_page(
        request,
        base="national/base.html",
        hub=None,
        area_name="the programme",
        done=request.path,
    )


@login_required
@require_http_methods(["GET", "POST"])
@hub_admin_required
def hub_upload(request: HttpRequest) -> HttpResponse:
    """A hub's administrators': their own hub's records only."""
    return _upload_page(
        request,
        base="hub/base.html",
        hub=request.hub,
        area_name=request.hub.name,
        done=request.path,
    )
