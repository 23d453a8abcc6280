"""Privacy pages, /privacy/... (namespace `privacy`): the audit trail, the breach register
and the personal-data registry for the national coordinator; subject access and erasure
of one participant for the coordinator and that participant's hub administrators.

Anyone else gets a 404 (docs/security.md §1); anonymous users are sent to sign in.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from crispy_forms_gds.layout import Field, Size
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from peernet import audit, lists, pdf, privacy
from peernet.access import (
    AuthenticatedRequest,
    breach_for_coordinator,
    participant_for_privacy,
    require_coordinator,
)
from peernet.breaches import NOT_REPORTED, REPORTED, breach_decide, breach_record
from peernet.calendar import london_midnight
from peernet.forms import form_helper, text_field
from peernet.models import AuditAction, AuditEvent, Breach, Hub

PAGE_SIZE = lists.PAGE_SIZE


class _ErrorLinks:
    def error_links(self) -> list[tuple[str, str]]:
        return [
            (f"id_{name}", str(error))
            for name, errors in self.errors.items()  # type: ignore[attr-defined]
            for error in errors
        ]


# --- home and the registry ---------------------------------------------------------------


@login_required
@require_GET
def home(request: AuthenticatedRequest) -> HttpResponse:
    require_coordinator(request.user)
    now = timezone.now()
    open_breaches = [b for b in Breach.objects.all() if not b.decided]
    return render(
        request,
        "privacy/home.html",
        {
            "open_breaches": open_breaches,
            "overdue": [b for b in open_breaches if b.overdue(now)],
        },
    )


@login_required
@require_GET
def registry(request: AuthenticatedRequest) -> HttpResponse:
    require_coordinator(request.user)
    return render(
        request,
        "privacy/registry.html",
        {
            "entries": privacy.entries(),
            "not_personal": sorted(privacy.NOT_PERSONAL.items()),
        },
    )


# --- the audit trail (docs/security.md §21) ----------------------------------------------------


class AuditFilterForm(_ErrorLinks, forms.Form):
    actor = forms.CharField(label="Who (email address contains)", required=False, max_length=254)
    action = forms.ChoiceField(
        label="What they did", choices=[("", "Anything"), *AuditAction.choices], required=False
    )
    object_type = forms.CharField(
        label="Kind of record",
        help_text="For example, participants.participant",
        required=False,
        max_length=60,
    )
    object_id = forms.CharField(label="Record id", required=False, max_length=64)
    date_from = forms.DateField(
        label="From (YYYY-MM-DD)",
        required=False,
        error_messages={"invalid": "The date from must be a real date, like 2021-10-05"},
    )
    date_to = forms.DateField(
        label="To (YYYY-MM-DD)",
        required=False,
        error_messages={"invalid": "The date to must be a real date, like 2021-10-05"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            Field.text("actor"),
            Field.select("action"),
            Field.text("object_type", field_width=20),
            Field.text("object_id", field_width=20),
            Field.text("date_from", field_width=10),
            Field.text("date_to", field_width=10),
            button="Search",
        )
        self.helper.form_method = "get"

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The date to must be the same as or after the date from")
        return data


@login_required
@require_GET
def audit_trail(request: AuthenticatedRequest) -> HttpResponse:
    require_coordinator(request.user)
    form = AuditFilterForm(request.GET or None)
    events = AuditEvent.objects.select_related("hub").order_by("-at", "-pk")
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        # Each filter names its own lookup: nothing from the request becomes a lookup
        # (docs/security.md §18).
        if data["actor"]:
            events = events.filter(actor_email__icontains=data["actor"])
        if data["action"]:
            events = events.filter(action=data["action"])
        if data["object_type"]:
            events = events.filter(object_type=data["object_type"].strip().lower())
        if data["object_id"]:
            events = events.filter(object_id=data["object_id"].strip())
        if data["date_from"]:
            events = events.filter(at__gte=london_midnight(data["date_from"]))
        if data["date_to"]:
            events = events.filter(at__lt=london_midnight(data["date_to"] + dt.timedelta(days=1)))
    elif form.is_bound:
        events = events.none()
    page = lists.page_of(request, events, PAGE_SIZE)
    return render(
        request,
        "privacy/audit.html",
        {"form": form, "page": page, "query": lists.query_kept(request)},
    )


# --- the breach register ------------------------------------------------------------------


class BreachForm(_ErrorLinks, forms.Form):
    discovered_at = forms.DateTimeField(
        label="When was it discovered?",
        help_text="UK time, for example 2021-10-05 14:30",
        error_messages={
            "required": "Enter when the breach was discovered",
            "invalid": "Enter when the breach was discovered as a date and time, like "
            "2021-10-05 14:30",
        },
    )
    description = text_field("What happened?", "what happened", rows=5, max_length=5000)
    data_affected = text_field(
        "What personal data was affected?",
        "the personal data affected",
        ask="what personal data was affected",
        hint="What kind of data, about whom, and roughly how many people.",
        rows=3,
        max_length=5000,
    )
    hubs = forms.ModelMultipleChoiceField(
        label="Which hubs' data?",
        queryset=Hub.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        hubs = self.fields["hubs"]
        assert isinstance(hubs, forms.ModelMultipleChoiceField)  # declared above
        hubs.queryset = Hub.objects.order_by("name")
        self.helper = form_helper(
            Field.text("discovered_at", field_width=20),
            Field.textarea("description"),
            Field.textarea("data_affected"),
            Field.checkboxes("hubs", legend_size=Size.SMALL),
            button="Record the breach",
        )

    def clean_discovered_at(self) -> dt.datetime:
        value = self.cleaned_data["discovered_at"]
        if value > timezone.now():
            raise forms.ValidationError("The time it was discovered must be in the past")
        return value


class BreachDecisionForm(_ErrorLinks, forms.Form):
    decision = forms.ChoiceField(
        label="Was it reported to the ICO?",
        choices=[
            (REPORTED, "Yes, it was reported to the ICO"),
            (NOT_REPORTED, "No: it is unlikely to risk anyone's rights and freedoms"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether it was reported to the ICO"},
    )
    reported_at = forms.DateTimeField(
        label="When was it reported?",
        help_text="UK time, for example 2021-10-06 09:00",
        required=False,
        error_messages={
            "invalid": "Enter when it was reported as a date and time, like 2021-10-06 09:00"
        },
    )
    reason = forms.CharField(
        label="Why was it not reported?",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
    )

    def __init__(self, *args: Any, breach: Breach, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.breach = breach
        self.helper = form_helper(
            Field.radios("decision", legend_size=Size.MEDIUM),
            Field.text("reported_at", field_width=20),
            Field.textarea("reason"),
            button="Record the decision",
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        decision = data.get("decision")
        if decision == REPORTED:
            when = data.get("reported_at")
            if when is None and "reported_at" not in self.errors:
                self.add_error("reported_at", "Enter when it was reported to the ICO")
            elif when is not None and when < self.breach.discovered_at:
                self.add_error(
                    "reported_at", "The time it was reported must be after it was discovered"
                )
            elif when is not None and when > timezone.now():
                self.add_error("reported_at", "The time it was reported must be in the past")
        elif decision == NOT_REPORTED and not (data.get("reason") or "").strip():
            self.add_error("reason", "Enter why it was not reported to the ICO")
        return data


@login_required
@require_GET
def breaches(request: AuthenticatedRequest) -> HttpResponse:
    require_coordinator(request.user)
    now = timezone.now()
    rows = [(b, b.overdue(now)) for b in Breach.objects.prefetch_related("hubs")]
    return render(request, "privacy/breaches.html", {"rows": rows, "now": now})


@login_required
@require_http_methods(["GET", "POST"])
def breach_new(request: AuthenticatedRequest) -> HttpResponse:
    require_coordinator(request.user)
    form = BreachForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        breach = breach_record(
            discovered_at=form.cleaned_data["discovered_at"],
            description=form.cleaned_data["description"],
            data_affected=form.cleaned_data["data_affected"],
            hubs=form.cleaned_data["hubs"],
            by=request.user,
            request=request,
        )
        messages.success(request, "The breach is recorded: decide on reporting within 72 hours.")
        return redirect("privacy:breach", reference=breach.reference)
    return render(request, "privacy/breach_new.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def breach(request: AuthenticatedRequest, reference: Any) -> HttpResponse:
    item = breach_for_coordinator(request.user, reference)
    form = BreachDecisionForm(request.POST or None, breach=item)
    # A decided breach refuses another decision (breach_decide) whatever the form says.
    if request.method == "POST" and (form.is_valid() or item.decided):
        data = form.cleaned_data
        try:
            breach_decide(
                breach=item,
                reported_at=data.get("reported_at") if data.get("decision") == REPORTED else None,
                not_reported_reason=data.get("reason") or "",
                by=request.user,
                request=request,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "The decision is recorded.")
            return redirect("privacy:breach", reference=item.reference)
    return render(
        request,
        "privacy/breach.html",
        {"breach": item, "form": form, "overdue": item.overdue()},
    )


# --- subject access and erasure (docs/security.md §22, §23) ---------------------------------------


@login_required
@require_GET
def participant(request: AuthenticatedRequest, code: Any) -> HttpResponse:
    person = participant_for_privacy(request.user, code)
    return render(
        request,
        "privacy/participant.html",
        {"participant": person, "erased": privacy.is_erased(person)},
    )


def _export_name(person: Any, suffix: str) -> str:
    return f"subject-access-{person.code}-{timezone.localdate():%Y-%m-%d}.{suffix}"


@login_required
@require_GET
def export_json(request: AuthenticatedRequest, code: Any) -> HttpResponse:
    person = participant_for_privacy(request.user, code)
    document = privacy.subject_access_document(person, by=request.user, at=timezone.now())
    audit.record(
        request.user,
        "export",
        person,
        summary="Subject access export (JSON)",
        request=request,
    )
    response = HttpResponse(
        json.dumps(document, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{_export_name(person, "json")}"'
    return response


@login_required
@require_GET
def export_pdf(request: AuthenticatedRequest, code: Any) -> HttpResponse:
    person = participant_for_privacy(request.user, code)
    pdf_bytes = pdf.pdf_from_html(subject_access_html(person, at=timezone.now()))
    audit.record(
        request.user, "export", person, summary="Subject access export (PDF)", request=request
    )
    response = HttpResponse(pdf_bytes, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_export_name(person, "pdf")}"'
    return response


def subject_access_html(person: Any, *, at: dt.datetime) -> str:
    """The subject access PDF's HTML: written to the participant, who may be handed it."""
    local = timezone.localtime(at, privacy.LONDON)
    return render_to_string(
        "privacy/subject_access.html",
        {
            "participant": person,
            "hub": person.hub,
            "sections": privacy.subject_access_readable(person),
            "prepared": f"{local.day} {local:%B %Y}",
        },
    )


class ErasureForm(_ErrorLinks, forms.Form):
    confirm_code = forms.CharField(
        label="Type the participant's code to confirm",
        max_length=40,
        error_messages={"required": "Type the participant's code to confirm"},
    )
    reason = text_field(
        "Why is their data being erased?",
        "the reason",
        ask="why their data is being erased",
        hint="For example, the date of their request to be forgotten.",
        rows=3,
        max_length=500,
    )

    def __init__(self, *args: Any, code: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.code = code
        self.helper = form_helper(
            Field.text("confirm_code"),
            Field.textarea("reason"),
            button="Erase their personal data",
            button_class="govuk-button--warning",
        )

    def clean_confirm_code(self) -> str:
        typed = self.cleaned_data["confirm_code"].strip().lower()
        if typed != self.code:
            raise forms.ValidationError("The code you typed does not match the participant's")
        return typed


@login_required
@require_http_methods(["GET", "POST"])
def erase(request: AuthenticatedRequest, code: Any) -> HttpResponse:
    person = participant_for_privacy(request.user, code)
    form = ErasureForm(request.POST or None, code=str(person.code))
    if privacy.is_erased(person):
        messages.info(request, "This participant's personal data has already been erased.")
        return redirect("privacy:participant", code=person.code)
    if request.method == "POST" and form.is_valid():
        try:
            privacy.erase_participant(person, request.user, form.cleaned_data["reason"])
        except privacy.ErasureRefused as refusal:
            form.add_error("reason", str(refusal))
        else:
            messages.success(request, "Their personal data is erased.")
            return redirect("privacy:participant", code=person.code)
    return render(request, "privacy/erase.html", {"participant": person, "form": form})
