"""The evaluator's endpoints, /api/v1/evaluation/... (docs/api.md): the completed surveys
and the completers list, as the evaluator's downloads give them. Participant-level rows
carry the evaluator's pseudonym (`peernet.privacy.pseudonyms`), never a name, except the
name and email of a completer who consented to the evaluator's contact (G3). For the
evaluator and the national coordinator, who answers for it; anyone else gets a 404."""

from __future__ import annotations

from typing import Any, Literal

from django.http import Http404, HttpRequest
from ninja import Query, Router

from api.pagination import DEFAULT_LIMIT, Cursor, Limit, cursor_list, cursor_page
from api.schemas import REFUSALS, CompleterPage, SurveyPage
from cohorts.models import Cohort
from participants import surveys
from participants.models import SurveyKind
from peernet import access
from peernet.privacy.pseudonyms import evaluator_pseudonym
from reporting.exports import evaluator_question_keys, evaluator_survey_rows

router = Router(tags=["evaluation"])


def _evaluator(request: HttpRequest) -> None:
    if not access.may_export_baseline(request.user):
        raise Http404("No such area.")


@router.get(
    "/surveys/",
    response={200: SurveyPage, **REFUSALS},
    url_name="evaluation-surveys",
    summary="Completed surveys, pseudonymous (as the baseline export)",
)
def survey_rows(
    request: HttpRequest,
    kind: Literal["baseline", "exit", "dropout"] = "baseline",
    hub: str = Query("", max_length=60, description="A hub's key"),
    cursor: Cursor = "",
    limit: Limit = DEFAULT_LIMIT,
) -> dict[str, Any]:
    """One row per completed survey of `kind` (S1, S3, S4): the pseudonym, hub and
    cohort keys, sector, size bands, the date and the answers to the questions with set
    answers (free text is left out: it may name people)."""
    _evaluator(request)
    keys = evaluator_question_keys(SurveyKind(kind))
    rows = evaluator_survey_rows(SurveyKind(kind))
    if hub:
        rows = rows.filter(participant__hub__key=hub)
    page = cursor_page(rows, cursor, limit)
    page["results"] = [
        {
            "pseudonym": evaluator_pseudonym(row["participant__code"]),
            "hub": row["participant__hub__key"],
            "cohort": row["cohort_key"],
            "sector": row["participant__business__sector"] or "",
            "employees_band": row["employees_band"],
            "turnover_band": row["turnover_band"],
            "completed": row["completed"],
            "answers": {k: (row["answers"] or {}).get(k) for k in keys},
        }
        for row in page["results"]
    ]
    return page


@router.get(
    "/completers/",
    response={200: CompleterPage, **REFUSALS},
    url_name="evaluation-completers",
    summary="Who completed the programme, and their consent to the evaluator's contact",
)
def completers(
    request: HttpRequest,
    hub: str = Query("", max_length=60, description="A hub's key"),
    cursor: Cursor = "",
    limit: Limit = DEFAULT_LIMIT,
) -> dict[str, Any]:
    """S5, as the hubs' evaluator lists: each completer's pseudonym, hub, cohort, when
    they completed and when the six-month survey is due, and their consent (G3); their
    name and email only when they consented."""
    _evaluator(request)
    cohorts = Cohort.objects.select_related("hub")
    if hub:
        cohorts = cohorts.filter(hub__key=hub)
    rows = surveys.evaluator_list(cohorts)
    page = cursor_list(rows, lambda row: row.participant.pk, cursor, limit)
    page["results"] = [_completer(row) for row in page["results"]]
    return page


def _completer(row: Any) -> dict[str, Any]:
    person = row.participant
    consented = row.consent is True
    return {
        "pseudonym": row.pseudonym,
        "hub": person.hub.key,
        "cohort": row.cohort,
        "completed": row.completed,
        "six_month_survey_due": row.six_month_due,
        "consent": row.consent,
        "name": person.full_name if consented else None,
        "email": person.email if consented else None,
    }
