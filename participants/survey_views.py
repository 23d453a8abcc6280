"""Survey pages: answering through an emailed link (the `public` namespace, no login),
and the results for the hub's administrators (the `hub` namespace).

Answering follows the house pattern for participant links (docs/security.md §14, §15): the
landing view moves the token from the URL into the session and redirects to a clean
URL; every answer page reads the invitation back from the token in the session, so a
tampered, expired, used or other survey's link gets a clear page at every step; every
response sends no referrer and is not cached. Long surveys take a section per page,
with progress shown, answers saved page by page, and a check-your-answers page.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alumni.links import support_link_issue
from cohorts.models import Cohort
from participants import surveys
from participants.links import LinkProblem, no_referrer, problem_page, token_landing
from participants.models import Participant, SurveyInvitation, SurveyKind
from participants.survey_forms import SurveyPageForm
from participants.tasks import survey_invitation_send
from peernet import audit
from peernet.access import get_for_user, hub_admin_required, hub_page
from peernet.forms import written_or_refused
from reporting import sheets

audit_log = logging.getLogger("peernet.audit")

SESSION_KEY = "peernet.survey.token"
DONE_KEY = "peernet.survey.done"


# --- answering (public) -------------------------------------------------------------------


def with_invitation(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Open the invitation from the token in the session, or show why it cannot be."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            invitation = surveys.survey_invitation_for_token(
                request.session.get(SESSION_KEY), now=timezone.now()
            )
        except LinkProblem as problem:
            return no_referrer(problem_page(request, problem))
        return view(request, invitation, *args, **kwargs)

    return wrapped


@require_GET
def survey_link(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link: the token moves into the session at once (docs/security.md §15)."""
    request.session.pop(DONE_KEY, None)
    return token_landing(request, token, session_key=SESSION_KEY, then="public:survey")


def _context(invitation: SurveyInvitation, **extra: Any) -> dict[str, Any]:
    pages = surveys.instrument_pages(invitation.instrument)
    return {
        "invitation": invitation,
        "instrument": invitation.instrument,
        "participant": invitation.participant,
        "hub": invitation.participant.hub,
        "session": invitation.session,
        "pages": pages,
        "page_count": len(pages),
        **extra,
    }


def _first_unfinished(invitation: SurveyInvitation) -> int:
    """The first page with a required question still to answer, else the last page."""
    pages = surveys.instrument_pages(invitation.instrument)
    for page in pages:
        if any(surveys.is_required(q) and q["key"] not in invitation.draft for q in page.questions):
            return page.number
    return pages[-1].number


@require_GET
@with_invitation
def survey_start(request: HttpRequest, invitation: SurveyInvitation) -> HttpResponse:
    started = bool(invitation.draft)
    return render(
        request,
        "surveys/start.html",
        _context(
            invitation,
            started=started,
            next_page=_first_unfinished(invitation) if started else 1,
            expires=invitation.expires_at,
        ),
    )


@require_http_methods(["GET", "POST"])
@with_invitation
def survey_page(request: HttpRequest, invitation: SurveyInvitation, number: int) -> HttpResponse:
    pages = surveys.instrument_pages(invitation.instrument)
    if not 1 <= number <= len(pages):
        raise Http404("No such page.")
    page = pages[number - 1]
    form = SurveyPageForm(
        request.POST if request.method == "POST" else None,
        questions=page.questions,
        saved=invitation.draft,
    )
    if request.method == "POST" and form.is_valid():
        try:
            surveys.survey_save_page(invitation=invitation, answers=form.cleaned_data)
        except ValidationError:
            return problem_page(request, surveys.USED)
        if request.GET.get("change") == "1" or number == len(pages):
            return redirect("public:survey-check")
        return redirect("public:survey-page", number=number + 1)
    return render(
        request,
        "surveys/page.html",
        _context(
            invitation,
            page=page,
            form=form,
            rows=form.rows(),
            previous=number - 1,
            change=request.GET.get("change") == "1",
        ),
    )


@require_http_methods(["GET", "POST"])
@with_invitation
def survey_check(request: HttpRequest, invitation: SurveyInvitation) -> HttpResponse:
    """Check your answers, then send them."""
    errors: list[str] = []
    if request.method == "POST":
        try:
            surveys.survey_submit(invitation=invitation, now=timezone.now())
        except ValidationError as refusal:
            errors = refusal.messages
        else:
            request.session.pop(SESSION_KEY, None)
            request.session[DONE_KEY] = {
                "title": invitation.instrument.title,
                "hub": invitation.participant.hub.name,
                "support": _support_offer(invitation),
            }
            return redirect("public:survey-done")
    pages = surveys.instrument_pages(invitation.instrument)
    sections = [
        {
            "page": page,
            "answers": [
                {
                    "question": q,
                    "words": surveys.answer_words(q, invitation.draft.get(q["key"])),
                    "missing": surveys.is_required(q) and q["key"] not in invitation.draft,
                }
                for q in page.questions
            ],
        }
        for page in pages
    ]
    missing = surveys.survey_missing(invitation)
    return render(
        request,
        "surveys/check.html",
        _context(invitation, sections=sections, missing=missing, errors=errors),
        status=400 if errors else 200,
    )


def _support_offer(invitation: SurveyInvitation) -> str:
    """The end of the exit survey offers the business support the hub offers after the
    programme (alumni/), through a link of its own; no other survey does."""
    if invitation.kind != SurveyKind.EXIT:
        return ""
    token = support_link_issue(participant=invitation.participant)
    return reverse("public:support-link", kwargs={"token": token})


@require_GET
def survey_done(request: HttpRequest) -> HttpResponse:
    done = request.session.get(DONE_KEY)
    if not done:
        return no_referrer(problem_page(request, surveys.INVALID))
    return render(request, "surveys/done.html", {"done": done})


public_urlpatterns: list[URLPattern] = [
    path("survey/", survey_start, name="survey"),
    path("survey/page/<int:number>/", survey_page, name="survey-page"),
    path("survey/check/", survey_check, name="survey-check"),
    path("survey/done/", survey_done, name="survey-done"),
    path("survey/<str:token>/", survey_link, name="survey-link"),
]


# --- results (hub administrators and the national coordinator) ----------------------------


@login_required
@require_GET
@hub_admin_required
def hub_surveys(request: HttpRequest) -> HttpResponse:
    """The hub's survey results: response rates by kind, satisfaction by month, distance
    travelled, equality answers in aggregate, and each cohort's page."""
    cohorts = Cohort.objects.filter(hub=request.hub)
    return hub_page(
        request,
        "surveys/hub_results.html",
        "surveys",
        rates=surveys.response_rates(cohorts),
        months=surveys.satisfaction_by_month(cohorts),
        distance=surveys.distance_travelled(Participant.objects.filter(hub=request.hub)),
        equality=surveys.equality_summary(request.hub),
        cohorts=list(cohorts.order_by("name")),
    )


def _cohort(hub_: Any, code: uuid.UUID) -> Cohort:
    try:
        return Cohort.objects.select_related("hub", "programme").get(hub=hub_, code=code)
    except Cohort.DoesNotExist as exc:
        raise Http404("No cohort found.") from exc


@login_required
@require_GET
@hub_admin_required
def hub_survey_cohort(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    """One cohort: rates by kind, each delivered session's feedback, distance travelled."""
    cohort = _cohort(request.hub, code)
    cohorts = Cohort.objects.filter(pk=cohort.pk)
    sessions = surveys.cohort_session_feedback(cohort)
    return hub_page(
        request,
        "surveys/cohort_results.html",
        "surveys",
        cohort=cohort,
        rates=surveys.response_rates(cohorts),
        sessions=sessions,
        months=surveys.satisfaction_by_month(cohorts),
        distance=surveys.distance_travelled(Participant.objects.filter(memberships__cohort=cohort)),
    )


@login_required
@require_GET
@hub_admin_required
def hub_evaluator_list(request: HttpRequest) -> HttpResponse:
    """S5: who completed and when, when the six-month survey is due, with consent. Hub
    administrators and the coordinator see names (the evaluator's own copy, if it gets
    one, uses `EvaluatorRow.pseudonym`)."""
    rows = surveys.evaluator_list(Cohort.objects.filter(hub=request.hub))
    return hub_page(request, "surveys/evaluator_list.html", "surveys", rows=rows)


@login_required
@require_GET
@hub_admin_required
def hub_evaluator_list_csv(request: HttpRequest) -> HttpResponse:
    rows = surveys.evaluator_list(Cohort.objects.filter(hub=request.hub))
    # docs/security.md §21: names and emails leaving the system.
    audit.record(
        request.user,
        "export",
        hub=request.hub,
        summary="Evaluator list (CSV) downloaded",
        request=request,
    )
    header = [
        "pseudonym",
        "first_name",
        "last_name",
        "email",
        "cohort",
        "completed",
        "six_month_due",
        "consent",
    ]
    lines = [
        [
            row.pseudonym,
            # G3: the file is made to go to the evaluator, so contact details only for
            # those who agreed to be contacted; the others appear under their pseudonym.
            *(
                (row.participant.first_name, row.participant.last_name, row.participant.email)
                if row.consent
                else ("",) * 3
            ),
            row.cohort,
            row.completed,
            row.six_month_due,
            {True: "yes", False: "no", None: ""}[row.consent],
        ]
        for row in rows
    ]
    # For Excel: a byte-order mark (accented names), formula-like text neutralised.
    response = HttpResponse(
        sheets.csv_bytes([header, *lines]), content_type=sheets.CSV_CONTENT_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="evaluator-list-{request.hub.key}.csv"'
    audit_log.info(
        "evaluator list exported: user=%s hub=%s rows=%s",
        request.user.pk,
        request.hub.pk,
        len(rows),
        extra={"user_id": request.user.pk, "hub_id": request.hub.pk},
    )
    return response


@login_required
@require_GET
@hub_admin_required
def hub_survey_participant(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    """A participant's survey invitations: sent, reminded, answered, and a new link."""
    participant = get_for_user(Participant.objects.filter(hub=request.hub), request.user, code=code)
    return hub_page(
        request,
        "surveys/participant.html",
        "registrations",
        participant=participant,
        invitations=surveys.participant_survey_invitations(participant),
    )


@login_required
@require_POST
@hub_admin_required
def hub_survey_renew(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a participant a new link to a survey they have not answered yet."""
    invitation = get_for_user(
        SurveyInvitation.objects.filter(participant__hub=request.hub).select_related("participant"),
        request.user,
        pk=pk,
    )
    renewed = written_or_refused(
        request,
        lambda: surveys.survey_invitation_renew(invitation=invitation, by=request.user),
        done=lambda renewed: (
            f"A new link to the {renewed.get_kind_display()} survey is on "
            f"its way to {invitation.participant.full_name}; earlier links no longer work."
        ),
    )
    if renewed is not None:
        survey_invitation_send.delay_on_commit(renewed.pk)
    return redirect("hub:survey-participant", hub=request.hub.key, code=invitation.participant.code)


hub_urlpatterns: list[URLPattern] = [
    path("surveys/", hub_surveys, name="surveys"),
    path("surveys/cohorts/<uuid:code>/", hub_survey_cohort, name="survey-cohort"),
    path("surveys/evaluator-list/", hub_evaluator_list, name="survey-evaluator-list"),
    path("surveys/evaluator-list.csv", hub_evaluator_list_csv, name="survey-evaluator-list-csv"),
    path("surveys/participants/<uuid:code>/", hub_survey_participant, name="survey-participant"),
    path("surveys/invitations/<int:pk>/renew/", hub_survey_renew, name="survey-renew"),
]
