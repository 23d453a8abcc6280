"""The hub's monthly returns (/hub/<hub>/returns/...): the list with each month's status,
a return's draft beside the previous month, recompiling, the narrative and submission,
the frozen versions and the difference between two, and the records behind a figure.

Thin views: the hub from `peernet.access.hub_admin_required` (the hub's administrators
and the national coordinator; anyone else a 404), work in `reporting.returns`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from crispy_forms_gds.layout import HTML, Field
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Max, Min, Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from peernet.access import hub_admin_required, hub_page
from peernet.calendar import Month
from peernet.forms import GovukErrorsMixin, form_helper, text_field
from peernet.models import Programme
from reporting import cockpit, drilldown, exports, kpi, national, national_views, returns
from reporting.models import ExportFile, MonthlyReturn, ReturnVersion
from rules.monthly_return import return_due_at

STATUS_TAGS = {
    returns.NOT_YET_DUE: "govuk-tag--grey",
    returns.DUE: "govuk-tag--blue",
    returns.ON_TIME: "govuk-tag--green",
    returns.LATE: "govuk-tag--orange",
    returns.MISSING: "govuk-tag--red",
}


class ReturnSubmitForm(GovukErrorsMixin, forms.Form):
    """The supporting narrative (M2) and, for a resubmission, the reason (docs/returns.md)."""

    narrative = text_field(
        "Supporting narrative",
        "the narrative",
        ask="the supporting narrative",
        hint="What the figures do not say: progress, problems and what the hub is doing "
        "about them (M2).",
        rows=8,
        max_length=10000,
    )
    reason = text_field(
        "Why are you resubmitting the return?",
        "the reason",
        required=False,
        rows=3,
        max_length=2000,
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args: Any, resubmission: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.resubmission = resubmission
        fields: list[Any] = [Field.textarea("narrative")]
        if resubmission:
            fields.append(Field.textarea("reason"))
        else:
            del self.fields["reason"]
        fields += [
            Field("expected_version"),
            HTML(
                '<p class="govuk-body">Once submitted, the figures are frozen as they are '
                "shown here. A correction later is a resubmission, with a reason.</p>"
            ),
        ]
        button = "Resubmit the return" if resubmission else "Submit the return"
        self.helper = form_helper(*fields, button=button)

    def clean_reason(self) -> str:
        reason = self.cleaned_data.get("reason", "").strip()
        if self.resubmission and not reason:
            raise forms.ValidationError("Enter why you are resubmitting the return")
        return reason


# --- helpers -------------------------------------------------------------------------------


def _month_in_window(month: dt.date) -> Programme:
    """The programme year whose delivery window holds the month; other months are a 404."""
    programme = Programme.for_month(month)
    if not programme.holds(Month.of(month)):
        raise Http404("No return for that month.")
    return programme


def _value(value: Any) -> str:
    if value is None:
        return "—"
    return str(kpi.json_value(value))


def _figure_url(hub_key: str, month: dt.date, figure: str) -> str:
    if not drilldown.drillable(figure):
        return ""
    return reverse("hub:return-figure", kwargs={"hub": hub_key, "month": month, "figure": figure})


def _rows(
    hub_key: str,
    month: dt.date,
    columns: list[dict[str, Any] | None],
    *,
    links: bool = True,
    flag_changes: bool = False,
    changes: dict[str, cockpit.FigureChange] | None = None,
) -> list[dict[str, Any]]:
    """A row per figure: its id, definition and its value in each column (None: nothing);
    with `flag_changes`, whether the last column differs from the first."""
    rows = []
    for figure in kpi.FIGURE_IDS:
        values = [_value(c["figures"].get(figure)) if c else "—" for c in columns]
        rows.append(
            {
                "figure": figure,
                "section": kpi.SECTIONS[figure],
                "label": kpi.LABELS[figure],
                "definition": kpi.DEFINITIONS[figure],
                "values": values,
                "changed": flag_changes and values[0] != values[-1],
                "change": changes[figure].change if changes else "",
                "url": _figure_url(hub_key, month, figure) if links else "",
            }
        )
    return rows


def _previous_result(
    hub: Any, month: dt.date, programme: Programme
) -> tuple[str, dict[str, Any] | None]:
    """The previous month as submitted (its latest version), else its draft, else as the
    records now stand (nothing before the delivery window)."""
    previous = Month.of(month).previous().first_day
    earlier = (
        MonthlyReturn.objects.filter(hub=hub, month=previous)
        .prefetch_related(Prefetch("versions", queryset=ReturnVersion.objects.order_by("version")))
        .first()
    )
    label = f"{previous:%B %Y}"
    versions = list(earlier.versions.all()) if earlier else []
    if versions:
        return f"{label} (version {versions[-1].version})", returns.version_result(versions[-1])
    draft = returns.draft_result(earlier) if earlier else None
    if draft:
        return f"{label} (draft)", draft
    if Month.of(previous) < Month.of(programme.delivery_start):
        return label, None
    return f"{label} (as the records now stand)", kpi.compute_hub(hub, previous)


def _versions(hub: Any, month: dt.date) -> tuple[MonthlyReturn | None, list[ReturnVersion]]:
    monthly_return = (
        MonthlyReturn.objects.filter(hub=hub, month=month)
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=ReturnVersion.objects.select_related("submitted_by").order_by("version"),
            )
        )
        .first()
    )
    versions = list(monthly_return.versions.all()) if monthly_return else []
    return monthly_return, versions


# --- pages ---------------------------------------------------------------------------------


@login_required
@require_GET
@hub_admin_required
def return_list(request: HttpRequest) -> HttpResponse:
    """Every month of the delivery window so far, newest first, with its status (M1)."""
    now = timezone.now()
    programme = Programme.for_month(timezone.localdate())
    months = returns.return_months(programme, now)
    statuses = returns.return_statuses([request.hub], months, now=now)
    stored = {
        mr.month: mr
        for mr in MonthlyReturn.objects.filter(hub=request.hub, month__in=months).annotate(
            latest_version=Max("versions__version"), first_submitted=Min("versions__submitted_at")
        )
    }
    rows = []
    for month in months:
        status = statuses[(request.hub.pk, month)]
        rows.append(
            {
                "month": month,
                "due_at": return_due_at(month, programme),
                "status": returns.STATUS_WORDS[status],
                "tag": STATUS_TAGS[status],
                "stored": stored.get(month),
            }
        )
    return hub_page(request, "returns/list.html", "returns", rows=rows)


def _submit_confirm_page(
    request: HttpRequest,
    month: dt.date,
    form: ReturnSubmitForm,
    latest: ReturnVersion | None,
    *,
    now: dt.datetime,
    programme: Programme,
) -> HttpResponse:
    """Are you sure? The version it makes, whether it is on time, and the narrative; its
    button posts the same answers again with `confirm`."""
    due_at = return_due_at(month, programme)
    return hub_page(
        request,
        "returns/submit_confirm.html",
        "returns",
        month=month,
        latest=latest,
        version=(latest.version if latest else 0) + 1,
        due_at=due_at,
        late=now > due_at,
        narrative=form.cleaned_data["narrative"],
        reason=form.cleaned_data.get("reason", ""),
        posted=[
            (name, request.POST.get(name, ""))
            for name in ("narrative", "reason", "expected_version")
            if name in form.fields
        ],
    )


def _submitted(
    request: HttpRequest,
    month: dt.date,
    form: ReturnSubmitForm,
    monthly_return: MonthlyReturn,
) -> bool:
    """The confirmed answers handed to the service: True once a version is submitted;
    its refusals become the form's errors."""
    try:
        version = returns.submit_return(
            monthly_return,
            request.user,
            form.cleaned_data["narrative"],
            form.cleaned_data.get("reason", ""),
            expected_version=form.cleaned_data["expected_version"],
        )
    except returns.ReturnProblem as exc:
        for name, problem in exc.problems.items():
            form.add_error(name if name in form.fields else None, problem)
        return False
    messages.success(
        request, f"Version {version.version} of the return for {month:%B %Y} was submitted."
    )
    return True


@login_required
@require_http_methods(["GET", "POST"])
@hub_admin_required
def return_detail(request: HttpRequest, month: dt.date) -> HttpResponse:
    """The return for one month: the draft (or the latest version) beside the previous
    month; recompile, write the narrative and submit; the versions."""
    programme = _month_in_window(month)
    now = timezone.now()
    monthly_return, versions = _versions(request.hub, month)
    latest = versions[-1] if versions else None
    initial = {
        "narrative": latest.narrative if latest else getattr(monthly_return, "narrative", ""),
        "expected_version": latest.version if latest else 0,
    }
    data = request.POST if request.method == "POST" else None
    form = ReturnSubmitForm(data, initial=initial, resubmission=latest is not None)
    if data is not None and form.is_valid():
        if "confirm" not in data:
            # The first click asks, saying what submitting does; nothing is submitted yet.
            return _submit_confirm_page(request, month, form, latest, now=now, programme=programme)
        if monthly_return is None:
            monthly_return = returns.return_draft_create(hub=request.hub, month=month)
        if _submitted(request, month, form, monthly_return):
            return redirect("hub:return", hub=request.hub.key, month=month)

    shown: dict[str, Any] | None
    if latest is not None:
        shown, shown_label = returns.version_result(latest), f"Submitted (version {latest.version})"
    else:
        shown = returns.draft_result(monthly_return) if monthly_return else None
        shown_label = "Draft"
    previous_label, previous = _previous_result(request.hub, month, programme)
    columns: list[dict[str, Any] | None] = [shown, previous]
    labels = [shown_label, previous_label]
    # What a resubmission would report, the records as they now stand, is worked out
    # when asked for (`?now=1`): it is the one column computed live, and most visits
    # only read the frozen figures.
    beside_now = latest is not None and request.GET.get("now") == "1"
    if beside_now:
        columns.append(kpi.compute_hub(request.hub, month))
        labels.append("As the records now stand")
    changes = cockpit.figure_changes(shown, previous)
    status = returns.return_status(request.hub, month, now=now)
    return render(
        request,
        "returns/detail.html",
        {
            "hub": request.hub,
            "section": "returns",
            "month": month,
            "monthly_return": monthly_return,
            "versions": versions,
            "latest": latest,
            "status": returns.STATUS_WORDS[status],
            "tag": STATUS_TAGS[status],
            "due_at": return_due_at(month, programme),
            "ended": returns.month_has_ended(month, now),
            "beside_now": beside_now,
            "labels": labels,
            "rows": (
                _rows(request.hub.key, month, columns, flag_changes=beside_now, changes=changes)
                if shown
                else []
            ),
            "changes": bool(changes),
            "breakdowns": national.suppressed(shown["breakdowns"]) if shown else {},
            "form": form,
            "formats": national_views.RETURN_FORMATS,
        },
    )


@login_required
@require_POST
@hub_admin_required
def return_compile(request: HttpRequest, month: dt.date) -> HttpResponse:
    """Recompile the draft from the records as they stand (until it is submitted)."""
    _month_in_window(month)
    monthly_return = returns.compile_draft(request.hub.pk, month)
    if monthly_return.versions.exists():
        messages.error(
            request,
            "The return is submitted, so its figures are frozen. A resubmission reports the "
            "records as they now stand.",
        )
    else:
        messages.success(request, "The draft was compiled from the records as they stand.")
    return redirect("hub:return", hub=request.hub.key, month=month)


@login_required
@require_GET
@hub_admin_required
def return_version(request: HttpRequest, month: dt.date, version: int) -> HttpResponse:
    """One frozen version: its figures, breakdowns, narrative and SHA-256."""
    _month_in_window(month)
    found = (
        ReturnVersion.objects.visible_to(request.user)
        .filter(monthly_return__hub=request.hub, monthly_return__month=month, version=version)
        .select_related("submitted_by", "monthly_return__hub")
        .first()
    )
    if found is None:
        raise Http404("No such version.")
    result = returns.version_result(found)
    return render(
        request,
        "returns/version.html",
        {
            "hub": request.hub,
            "section": "returns",
            "month": month,
            "version": found,
            "labels": [f"Version {found.version}, as submitted"],
            "rows": _rows(request.hub.key, month, [result], links=False),
            "breakdowns": national.suppressed(result["breakdowns"]),
        },
    )


@login_required
@require_GET
@hub_admin_required
def return_compare(request: HttpRequest, month: dt.date) -> HttpResponse:
    """The difference between two versions, figure by figure (default: the last two)."""
    _month_in_window(month)
    _, versions = _versions(request.hub, month)
    by_number = {v.version: v for v in versions}
    try:
        after = int(request.GET.get("to", versions[-1].version if versions else 0))
        before = int(request.GET.get("from", after - 1))
    except ValueError as exc:
        raise Http404("No such versions.") from exc
    pair = (by_number.get(before), by_number.get(after))
    rows: list[dict[str, Any]] = []
    if all(pair):
        rows = [
            {"figure": d.figure, "label": kpi.LABELS[d.figure]}
            | {"before": _value(d.before), "after": _value(d.after)}
            | {"changed": d.changed}
            for d in returns.differences(pair[0].figures, pair[1].figures)
        ]
    elif "from" in request.GET or "to" in request.GET:
        raise Http404("No such versions.")
    return render(
        request,
        "returns/compare.html",
        {
            "hub": request.hub,
            "section": "returns",
            "month": month,
            "versions": versions,
            "before": pair[0],
            "after": pair[1],
            "rows": rows,
            "changed": sum(1 for row in rows if row["changed"]),
        },
    )


@login_required
@require_GET
@hub_admin_required
def return_figure(request: HttpRequest, month: dt.date, figure: str) -> HttpResponse:
    """The records behind one figure, as they now stand (hub users only)."""
    _month_in_window(month)
    if not drilldown.drillable(figure):
        raise Http404("No such figure.")
    return render(
        request,
        "returns/figure.html",
        {
            "hub": request.hub,
            "section": "returns",
            "month": month,
            "figure": figure,
            "label": kpi.LABELS[figure],
            "definition": kpi.DEFINITIONS[figure],
            "sections": drilldown.figure_records(request.hub, month, figure),
        },
    )


# --- the hub's own return, downloaded (XLSX, CSV, PDF) -------------------------------------


def _hub_params(hub: Any, month: dt.date) -> dict[str, str]:
    return {"area": "hub", "key": hub.key, "month": f"{month:%Y-%m}"}


@login_required
@require_POST
@hub_admin_required
def return_download(request: HttpRequest, month: dt.date) -> HttpResponse:
    """Ask for the hub's return for the month in one format: built by a worker, as every
    download is (reporting.exports), then shown on its own page."""
    _month_in_window(month)
    kind = request.POST.get("kind", "")
    params = _hub_params(request.hub, month)
    if kind not in dict(national_views.RETURN_FORMATS) or not exports.EXPORTERS[kind].allowed(
        request.user, params
    ):
        raise Http404("No such download.")
    export = exports.export_request(user=request.user, kind=kind, params=params)
    return redirect("hub:return-export", hub=request.hub.key, month=month, pk=export.pk)


def _hub_export(request: HttpRequest, month: dt.date, pk: int) -> ExportFile:
    """docs/security.md §6: a download of this hub's return for this month, to the hub's
    administrators (it is the hub's own document, whoever of them asked for it), checked
    again at every request: they must still be able to see it."""
    export = ExportFile.objects.filter(pk=pk, params=_hub_params(request.hub, month)).first()
    if export is None or not exports.may_download(request.user, export):
        raise Http404("No such download.")
    return export


@login_required
@require_GET
@hub_admin_required
def return_export(request: HttpRequest, month: dt.date, pk: int) -> HttpResponse:
    """The download's progress; the page refreshes itself while it is being built."""
    where = {"hub": request.hub.key, "month": month, "pk": pk}
    return national_views.export_progress_page(
        request,
        _hub_export(request, month, pk),
        "returns/export.html",
        hub=request.hub,
        section="returns",
        month=month,
        here=reverse("hub:return-export", kwargs=where),
        file_url=reverse("hub:return-export-file", kwargs=where),
    )


@login_required
@require_GET
@hub_admin_required
def return_export_file(request: HttpRequest, month: dt.date, pk: int) -> HttpResponse:
    return national_views.export_file(_hub_export(request, month, pk))
