"""The national area (/national/, namespace `national`): where the coordinator, BEIS and
the evaluator read the returns at national, cluster and hub level (M2), follow
completeness and timeliness (M1, docs/returns.md Submission), and ask for downloads; and
where the evaluator sends the six-month follow-up (S5) to completers who consented.

Aggregates only: no page here names a person (docs/security.md §7; the follow-up's list
shows the evaluator's pseudonyms). Every page answers 404 to
anyone without a national role, and sends the signed-out to sign in.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cohorts.models import Cohort
from participants import surveys
from participants.models import Participant, SurveyInstrument, SurveyKind
from participants.tasks import survey_invitation_send
from peernet import access, audit
from peernet.calendar import local_date
from peernet.forms import GovukErrorsMixin, text_field, written_or_refused
from peernet.models import AuditAction, Programme
from peernet.privacy.pseudonyms import evaluator_pseudonym
from reporting import exports, kpi, national, national_charts, returns
from reporting.models import ExportFile, ExportStatus, ReturnVersion

REFRESH_SECONDS = 3  # how often the progress page of a download loads itself again
RETURN_FORMATS = [
    (exports.ReturnXlsx.identifier, "Excel workbook (XLSX): return, breakdowns, narratives"),
    (exports.ReturnCsv.identifier, "CSV: the return table only"),
    (exports.ReturnPdf.identifier, "PDF report: summary, charts, hub table and narratives"),
]


def _programme() -> Programme:
    programme = Programme.objects.order_by("-delivery_start").first()
    if programme is None:
        raise Http404("No programme has been set up yet.")
    return programme


def _national(request: HttpRequest) -> None:
    if not access.may_see_national(request.user):
        raise Http404("No such page.")


class Period:
    """The programme's months and the month a page shows (?month=YYYY-MM)."""

    def __init__(self, request: HttpRequest) -> None:
        self.now = timezone.now()
        self.programme = _programme()
        self.months = national.programme_months(self.programme)
        self.month = national.parse_month(request.GET.get("month"), self.months, self.now)


def _trend_charts(area: access.Area, period: Period) -> list[dict[str, Any]]:
    return [
        {
            "chart": chart,
            "caption": national_charts.TREND_TITLES[figure],
            "download": chart_download_url(figure, area, period),
        }
        for figure, chart in national_charts.trend_charts(area, period.months).items()
    ]


def chart_download_url(name: str, area: access.Area, period: Period) -> str:
    """The CSV of a chart's (or a grid's) figures, for the area and month a page shows."""
    query = {"area": area.kind, "key": area.key, "month": f"{period.month:%Y-%m}"}
    return f"{reverse('national:chart-csv', kwargs={'chart': name})}?{urlencode(query)}"


def _area_page(request: HttpRequest, area: access.Area, template: str) -> HttpResponse:
    """The national and cluster views share one layout."""
    period = Period(request)
    rows = national.return_table(area.hubs, period.month, period.now)
    area_timeliness = national.timeliness(area.hubs, period.months, period.programme, period.now)
    summary = next(m for m in area_timeliness.months if m.month == period.month)
    total = rows[-1]
    return render(
        request,
        template,
        {
            "area": area,
            "period": period,
            "rows": rows,
            "hub_rows": [r for r in rows if r.level == "hub"],
            "cluster_rows": [r for r in rows if r.level == "cluster"],
            "total": total,
            "progress": national.target_progress(
                rows, national.area_target(area.kind, area.hubs, period.programme)
            ),
            "progress_chart": national_charts.progress_chart(area, period.programme, period.months),
            "ranked": national.hubs_ranked(rows),
            "headlines": [
                (figure, kpi.LABELS[figure], kpi.DEFINITIONS[figure], total.figures.get(figure))
                for figure in national.HEADLINES
            ],
            "summary": summary,
            "timeliness": area_timeliness,
            "completeness_chart": national_charts.completeness_chart(area_timeliness),
            "trends": _trend_charts(area, period),
            "downloads": {
                name: chart_download_url(name, area, period)
                for name in ("progress", "ranking", "completeness")
            },
            "formats": RETURN_FORMATS,
            "section": "returns",
            # The coordinator organises every cluster's facilitators' action learning sets.
            "learning_sets": access.is_coordinator(request.user),
        },
    )


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """National view: totals, trends, completeness and each cluster (M2)."""
    _national(request)
    return _area_page(request, access.area_for(request.user, "national"), "national/home.html")


@login_required
@require_GET
def cluster(request: HttpRequest, cluster: str) -> HttpResponse:
    """Cluster view: its hubs and their sum."""
    _national(request)
    area = access.area_for(request.user, "cluster", cluster)
    return _area_page(request, area, "national/cluster.html")


@login_required
@require_GET
def hub(request: HttpRequest, hub: str) -> HttpResponse:
    """Hub view: the hub's submitted versions for the month, the latest one's figures and
    breakdowns (equality counts of 1 to 4 suppressed, with the counts that would give them
    away, as in the national table: `national.return_table`), and its narrative. The
    coordinator may also see the figures computed afresh (?live=1)."""
    _national(request)
    area = access.area_for(request.user, "hub", hub)
    hub_ = area.hubs[0]
    period = Period(request)
    # Queries: versions of the month (who submitted is left out: names stay out,
    # docs/security.md §7).
    versions = list(
        ReturnVersion.objects.visible_to(request.user)
        .filter(monthly_return__hub=hub_, monthly_return__month=period.month)
        .order_by("version")
        .only(
            "version",
            "figures",
            "breakdowns",
            "parts",
            "narrative",
            "submitted_at",
            "reason",
            "sha256",
            "monthly_return_id",
        )
    )
    latest = versions[-1] if versions else None
    (row,) = [r for r in national.return_table([hub_], period.month, period.now) if r.hub]
    area_timeliness = national.timeliness([hub_], period.months, period.programme, period.now)
    live = None
    if request.GET.get("live") == "1" and access.may_see_live(request.user):
        live = kpi.compute_hub(hub_, period.month)
    return render(
        request,
        "national/hub.html",
        {
            "area": area,
            "hub": hub_,
            "period": period,
            "row": row,
            "versions": versions,
            "latest": latest,
            "figures": [
                (figure, kpi.DEFINITIONS.get(figure, ""), row.figures.get(figure))
                for figure in kpi.FIGURE_IDS
            ],
            "breakdowns": row.shown_breakdowns(),
            "statuses": list(zip(period.months, area_timeliness.hubs[0].cells, strict=True)),
            "trends": _trend_charts(area, period),
            "live": live,
            "live_figures": (
                [(f, live["figures"].get(f)) for f in kpi.FIGURE_IDS] if live else None
            ),
            "may_see_live": access.may_see_live(request.user),
            "formats": RETURN_FORMATS,
            "section": "returns",
        },
    )


@login_required
@require_GET
def timeliness(request: HttpRequest) -> HttpResponse:
    """Each hub's status month by month, and completeness and timeliness per month and
    over the year (docs/returns.md Submission).

    Queries (whatever the number of hubs): the session and user, the role assignments,
    the programme, the hubs with their clusters, and the statuses of every return."""
    _national(request)
    period = Period(request)
    area = access.area_for(request.user, "national")
    return render(
        request,
        "national/timeliness.html",
        {
            "period": period,
            "status_key": [
                (words, national.STATUS_TAGS[status], returns.STATUS_MEANINGS[status])
                for status, words in national.STATUS_WORDS.items()
            ],
            "downloads": {
                name: chart_download_url(name, area, period)
                for name in ("timeliness", "completeness")
            },
            "timeliness": national.timeliness(
                area.hubs, period.months, period.programme, period.now
            ),
            "section": "timeliness",
        },
    )


# --- the figures of each chart, grid and ranking as CSV (issue 18) --------------------------


@login_required
@require_GET
def chart_csv(request: HttpRequest, chart: str) -> HttpResponse:
    """The figures of one chart (or the timeliness grid, or the ranking) for the area of
    the page it is on (?area=national|cluster|hub&key=...&month=YYYY-MM), as CSV: the
    table beside the chart, for a spreadsheet. Aggregates only, as the pages."""
    _national(request)
    if chart not in national_charts.CHART_TABLES:
        raise Http404("No such chart.")
    area = access.area_for(
        request.user, request.GET.get("area") or "national", request.GET.get("key", "")
    )
    period = Period(request)
    table = national_charts.CHART_TABLES[chart]
    rows = table(area, period)
    name = "-".join(part for part in (chart, area.kind, area.key, f"{period.month:%Y-%m}") if part)
    return exports.csv_download(rows, f"peer-networks-{name.replace('_', '-')}.csv")


# --- downloads ---------------------------------------------------------------------------


class ExportRequestForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[(k, e.name) for k, e in exports.EXPORTERS.items()],
        error_messages={"required": "Select a format", "invalid_choice": "Select a format"},
    )
    area = forms.ChoiceField(
        choices=[("national", "National"), ("cluster", "Cluster"), ("hub", "Hub")],
        required=False,
    )
    key = forms.SlugField(required=False)
    month = forms.RegexField(regex=national.MONTH_PATTERN, required=False)

    def params(self) -> dict[str, str]:
        data = self.cleaned_data
        if data["kind"] == exports.BaselineXlsx.identifier:
            return {}
        return {
            "area": data["area"] or "national",
            "key": data["key"] if data["area"] in ("cluster", "hub") else "",
            "month": data["month"],
        }


@login_required
@require_GET
def export_list(request: HttpRequest) -> HttpResponse:
    """The user's own downloads, newest first, and the baseline export for the evaluator."""
    _national(request)
    files = list(ExportFile.objects.for_requester(request.user).order_by("-requested_at")[:50])
    return render(
        request,
        "national/exports.html",
        {
            "files": [
                (file, exports.EXPORTERS[file.kind].name if file.kind in exports.EXPORTERS else "")
                for file in files
            ],
            "may_export_baseline": access.may_export_baseline(request.user),
            "section": "exports",
        },
    )


@login_required
@require_POST
def export_new(request: HttpRequest) -> HttpResponse:
    """Ask for a download: recorded, then built by a worker (reporting.export_tasks)."""
    _national(request)
    form = ExportRequestForm(request.POST)
    if not form.is_valid():
        raise Http404("No such download.")
    kind, params = form.cleaned_data["kind"], form.params()
    if params and not national.month_in(params["month"], national.programme_months(_programme())):
        raise Http404("No such download.")
    if not exports.EXPORTERS[kind].allowed(request.user, params):
        raise Http404("No such download.")
    export = exports.export_request(user=request.user, kind=kind, params=params)
    return redirect("national:export", pk=export.pk)


def _own_export(request: HttpRequest, pk: int) -> ExportFile:
    """docs/security.md §6: the requester's own file, and only while they may still see what it
    holds — checked at every request, not by the id alone."""
    _national(request)
    export = ExportFile.objects.for_requester(request.user).filter(pk=pk).first()
    if export is None or not exports.may_download(request.user, export):
        raise Http404("No such download.")
    return export


def export_progress_page(
    request: HttpRequest, export: ExportFile, template: str, **context: Any
) -> HttpResponse:
    """Progress of a download. While it is being built the page asks the browser to load
    it again every few seconds, without script: the HTTP `Refresh` header, the same
    instruction as a <meta http-equiv="refresh">. WCAG 2.2.1: whoever needs the page to
    stay still can stop the refreshing (?refresh=off) and refresh by hand."""
    waiting = export.status in (ExportStatus.PENDING, ExportStatus.RUNNING)
    refreshing = waiting and request.GET.get("refresh") != "off"
    response = render(
        request,
        template,
        {
            "export": export,
            "name": exports.EXPORTERS[export.kind].name,
            "waiting": waiting,
            "refreshing": refreshing,
            "refresh_seconds": REFRESH_SECONDS,
            **context,
        },
    )
    if refreshing:
        response["Refresh"] = str(REFRESH_SECONDS)
    return response


def export_file(export: ExportFile) -> HttpResponse:
    """The file itself, once it is built, read whole from the file storage (a return's
    file is small; the bytes are in memory only while they are sent)."""
    if export.status != ExportStatus.COMPLETE:
        raise Http404("The download is not ready.")
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response


@login_required
@require_GET
def export(request: HttpRequest, pk: int) -> HttpResponse:
    return export_progress_page(
        request, _own_export(request, pk), "national/export.html", section="exports"
    )


@login_required
@require_GET
def export_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The file itself, to the user who asked, if they still may see it."""
    export = _own_export(request, pk)
    response = export_file(export)
    if export.kind == exports.BaselineXlsx.identifier:
        # docs/security.md §21: participant-level (if pseudonymous) data leaving the system.
        audit.record(
            request.user,
            AuditAction.EXPORT,
            obj=export,
            summary="The evaluator's baseline export (pseudonymous) downloaded",
            request=request,
        )
    return response


# --- survey instruments: each version published from a page (issue 15) -------------------


def _coordinator(request: HttpRequest) -> None:
    """Publishing an instrument changes what every hub's participants are asked: the
    national coordinator's alone."""
    if not access.may_see_live(request.user):
        raise Http404("No such page.")


@login_required
@require_GET
def instruments(request: HttpRequest) -> HttpResponse:
    """Each kind of survey: the version participants answer now, and the earlier ones."""
    _coordinator(request)

    versions = list(SurveyInstrument.objects.order_by("kind", "-version"))
    return render(
        request,
        "national/instruments.html",
        {
            "section": "instruments",
            "kinds": [
                (kind, label, [v for v in versions if v.kind == kind])
                for kind, label in SurveyKind.choices
            ],
        },
    )


class InstrumentForm(GovukErrorsMixin, forms.Form):
    title = text_field("Title", "the title", empty="Give the instrument a title")
    questions = forms.CharField(
        label="Questions (JSON)",
        help_text=(
            "A list of questions, each with a key, its text and a type (scale, choice, "
            "multi_choice, yes_no, number, money or text); a scale has min and max, a choice "
            "its choices; a section puts questions on one page."
        ),
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false"}),
        max_length=200_000,
        error_messages={
            "required": "Enter the questions",
            "max_length": "The questions must be 200,000 characters or fewer",
        },
    )

    def clean_questions(self) -> list[dict]:
        try:
            value = json.loads(self.cleaned_data["questions"])
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(
                f"The questions are not valid JSON: {exc.msg} at line {exc.lineno}, "
                f"column {exc.colno}"
            ) from None
        problems = surveys.questions_problems(value)
        if problems:
            raise forms.ValidationError(problems)
        return value


@login_required
@require_http_methods(["GET", "POST"])
def instrument_new(request: HttpRequest, kind: str) -> HttpResponse:
    """The next version of one kind of survey, starting from the current one. The current
    version is retired, never edited: answers given against it keep it."""
    _coordinator(request)

    if kind not in SurveyKind.values:
        raise Http404("No such survey.")
    current = SurveyInstrument.objects.filter(kind=kind, active=True).first()
    initial = {
        "title": current.title if current else "",
        "questions": json.dumps(current.questions if current else [], indent=2, ensure_ascii=False),
    }
    form = InstrumentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            published = surveys.survey_instrument_publish(
                kind=kind,
                title=form.cleaned_data["title"],
                questions=form.cleaned_data["questions"],
                by=request.user,
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("questions", message)
        else:
            messages.success(
                request,
                f"Version {published.version} of the {published.get_kind_display().lower()} "
                "is published; new invitations use it.",
            )
            return redirect("national:instruments")
    return render(
        request,
        "national/instrument_new.html",
        {
            "section": "instruments",
            "kind": SurveyKind(kind),
            "current": current,
            "form": form,
        },
        status=400 if form.errors else 200,
    )


# --- the six-month follow-up (S5): the evaluator's --------------------------------------------


def _evaluator(request: HttpRequest) -> None:
    """The follow-up is the evaluator's, and the coordinator's who answers for it; BEIS
    reads aggregates only."""
    if not access.may_export_baseline(request.user):
        raise Http404("No such page.")


@login_required
@require_GET
def follow_up(request: HttpRequest) -> HttpResponse:
    """The completers whose six months have come (completion + 6 months), by pseudonym:
    their consent at completion and at six months, and how far the follow-up has gone.
    Only those who consented at completion can be sent it. Three queries."""
    _evaluator(request)
    today = local_date(timezone.now())
    rows = [row for row in surveys.evaluator_list(Cohort.objects.all()) if row.is_due(today)]
    return render(
        request,
        "national/follow_up.html",
        {
            "section": "follow-up",
            "rows": [(row, row.sendable(today)) for row in rows],
            "sendable": sum(1 for row in rows if row.sendable(today)),
        },
    )


class FollowUpSendForm(forms.Form):
    participant = forms.UUIDField()


@login_required
@require_POST
def follow_up_send(request: HttpRequest) -> HttpResponse:
    """Send one completer the follow-up, by the survey's signed link; the service refuses
    anyone not due, not consenting or already sent, with a sentence, and writes nothing."""
    _evaluator(request)
    form = FollowUpSendForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a completer to send the six-month follow-up to.")
        return redirect("national:follow-up")
    participant = Participant.objects.filter(code=form.cleaned_data["participant"]).first()
    if participant is None:
        raise Http404("No such completer.")
    invitation = written_or_refused(
        request,
        lambda: surveys.survey_invite_follow_up(participant=participant, by=request.user),
        done=lambda _: (
            "The six-month follow-up is on its way to the completer "
            f"{evaluator_pseudonym(participant.code)}, by a link of their own."
        ),
    )
    if invitation is not None:
        survey_invitation_send.delay_on_commit(invitation.pk)
    return redirect("national:follow-up")
