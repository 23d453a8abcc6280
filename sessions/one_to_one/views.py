"""One-to-one support pages (issue 6).

The provider's workspace, /one-to-one/ (namespace `one_to_one`): my participants with
hours against the minimum, their deadlines and my to-do list; a participant's page;
logging a session; recording how it went; the action plan; my declaration (O7); the
Participant Action Record (PDF).

Who may open a participant's pages is decided by `participant_for_one_to_one`: the
provider assigned to them, and the hub's administrators and the national coordinator
standing in; anyone else (a facilitator of their cohort, another provider, another hub)
gets a 404. The home page is for those who hold the provider role.

In the hub administration area (namespace `hub`), a participant's one-to-one page:
assigning a provider, referring to an existing local programme, recording a refusal
(O8), recording hours from an existing programme on the participant's behalf, and the
Participant Action Record.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from peernet import audit
from peernet.access import (
    hub_admin_required,
    hub_page,
    one_to_one_for_participant,
    participant_for_one_to_one,
    provides_one_to_one,
    require_role,
)
from peernet.forms import form_written
from peernet.models import Role
from reporting.selectors import TODO_SHOWN, todo_for_user
from sessions.action_record import action_record_pdf
from sessions.feed_views import calendar_feed_url
from sessions.models import ActionPlanRevision, OneToOneReferral, OneToOneRoute, SessionStatus
from sessions.one_to_one.forms import (
    ActionPlanForm,
    AssignProviderForm,
    DeclarationForm,
    DeclineForm,
    OneToOneLogForm,
    OutcomeForm,
    ReferralForm,
    duration_initial,
)
from sessions.one_to_one.selectors import (
    PLAN_FIELDS,
    declaration_of,
    decline_of,
    hours_by_route,
    hub_providers,
    one_to_one_rows,
    participant_support,
    plan_of,
    provider_participants,
    rules_for_draft,
)
from sessions.one_to_one.services import (
    action_plan_save,
    one_to_one_assign_provider,
    one_to_one_decline,
    one_to_one_decline_withdraw,
    one_to_one_log,
    one_to_one_refer,
    one_to_one_update,
    provider_declare,
)


def _status(request: HttpRequest, form: Any) -> int:
    return 400 if request.method == "POST" and form.errors else 200


# --- the provider's workspace (/one-to-one/) ------------------------------------------


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """My participants: hours delivered and scheduled against the minimum (O1), the
    deadlines (O2–O4), the action plan (O6), and my to-do list."""
    require_role(request.user, Role.ONE_TO_ONE_PROVIDER)
    todo = todo_for_user(request.user)
    shared, rows = _deadlines_said_once(provider_participants(request.user, as_of=timezone.now()))
    return render(
        request,
        "one_to_one/home.html",
        {
            "section": "home",
            "shared_deadlines": shared,
            "rows": rows,
            "todo": todo[:TODO_SHOWN],
            "todo_count": len(todo),
            "entries": True,
            "calendar_feed_url": calendar_feed_url(request),
        },
    )


def _deadlines_said_once(
    rows: list[Any],
) -> tuple[list[tuple[str, str]], list[tuple[Any, list[tuple[str, str]]]]]:
    """The deadlines (rule, sentence) every participant shares, said once above the
    table, and each participant with the deadlines of their own (a cohort's dates)."""
    per_row = [support.deadlines.sentences() for support in rows]
    shared = (
        [line for line in per_row[0] if all(line in lines for lines in per_row[1:])]
        if len(rows) > 1
        else []
    )
    own = [
        (support, [line for line in lines if line not in shared])
        for support, lines in zip(rows, per_row, strict=True)
    ]
    return shared, own


def _participant_context(participant: Any, **extra: Any) -> dict[str, Any]:
    return {"participant": participant, "hub": participant.hub, **extra}


def _form_page(
    request: HttpRequest, template: str, person: Any, form: Any, **context: Any
) -> HttpResponse:
    """A form of the provider's pages about `person` (logging a session, its outcome,
    the action plan, the declaration); 400 when a posted form has errors."""
    return render(
        request,
        template,
        _participant_context(person, form=form, **context),
        status=_status(request, form),
    )


@login_required
@require_GET
def participant(request: HttpRequest, hub: str, code: uuid.UUID) -> HttpResponse:
    person = participant_for_one_to_one(request.user, hub, code)
    now = timezone.now()
    return render(
        request,
        "one_to_one/participant.html",
        _participant_context(
            person,
            support=participant_support(person, as_of=now),
            rows=one_to_one_rows(person, as_of=now),
            by_route=hours_by_route(person),
            plan=plan_of(person),
            decline=decline_of(person),
            referrals=list(OneToOneReferral.objects.filter(participant=person)),
            declaration=(
                declaration_of(person, person.one_to_one_provider)
                if person.one_to_one_provider
                else None
            ),
            is_provider=provides_one_to_one(request.user, person),
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def log(request: HttpRequest, hub: str, code: uuid.UUID) -> HttpResponse:
    """Issue 6 (4): log a session; a booked one gets its joining instructions (O5). O2
    and O4 refuse with their sentence; O3 and O5 warn."""
    person = participant_for_one_to_one(request.user, hub, code)
    now = timezone.now()
    form = OneToOneLogForm(request.POST if request.method == "POST" else None, now=now)

    def write() -> None:
        values = form.log_values()
        provider = person.one_to_one_provider
        if values["route"] == OneToOneRoute.EXISTING and not provides_one_to_one(
            request.user, person
        ):
            provider = None
        if values["route"] == OneToOneRoute.PROGRAMME and provider is None:
            raise ValidationError("Assign a one-to-one provider to the participant first.")
        one_to_one_log(participant=person, provider=provider, by=request.user, **values)

    if form_written(request, form, write, done="The one-to-one session was saved."):
        return redirect("one_to_one:participant", hub=hub, code=code)
    support = participant_support(person, as_of=now)
    return _form_page(request, "one_to_one/log.html", person, form, support=support)


@login_required
@require_GET
def check(request: HttpRequest, hub: str, code: uuid.UUID) -> JsonResponse:
    """O2–O4 on a session not yet saved, for the log form to show the rules' sentences
    as the provider types (static/js/one-to-one-check.js). The same checks decide when
    the form is sent; without JavaScript the sentences appear then."""
    person = participant_for_one_to_one(request.user, hub, code)
    now = timezone.now()
    form = OneToOneLogForm(request.GET, now=now)
    form.is_valid()  # only the date and time matter here
    starts_at = form.cleaned_data.get("starts_at")
    if starts_at is None:
        return JsonResponse({"results": []})
    status = request.GET.get("status")
    results = rules_for_draft(
        person,
        starts_at=starts_at,
        status=status if status in SessionStatus.values else SessionStatus.SCHEDULED,
        as_of=now,
    )
    return JsonResponse(
        {
            "results": [
                {"rule": r.rule, "outcome": str(r.outcome), "sentence": r.sentence} for r in results
            ]
        }
    )


@login_required
@require_http_methods(["GET", "POST"])
def session(request: HttpRequest, hub: str, code: uuid.UUID, key: str) -> HttpResponse:
    """How a session went: delivered with its hours, or cancelled."""
    person = participant_for_one_to_one(request.user, hub, code)
    one_to_one = one_to_one_for_participant(person, key)
    initial = {
        "status": one_to_one.status,
        "nature_of_support": one_to_one.nature_of_support,
        "actions_agreed": one_to_one.actions_agreed,
        "evidence": one_to_one.evidence,
        **duration_initial(one_to_one.hours),
    }
    form = OutcomeForm(request.POST if request.method == "POST" else None, initial=initial)
    written = form_written(
        request,
        form,
        lambda: one_to_one_update(
            session=one_to_one,
            status=form.cleaned_data["status"],
            hours=form.duration(),
            nature_of_support=form.cleaned_data["nature_of_support"],
            actions_agreed=form.cleaned_data["actions_agreed"],
            evidence=form.cleaned_data["evidence"],
            by=request.user,
        ),
        done="The one-to-one session was updated.",
    )
    if written:
        return redirect("one_to_one:participant", hub=hub, code=code)
    return _form_page(request, "one_to_one/session.html", person, form, one_to_one=one_to_one)


@login_required
@require_http_methods(["GET", "POST"])
def action_plan(request: HttpRequest, hub: str, code: uuid.UUID) -> HttpResponse:
    """O6: the GROW(TH) plan, written with the participant and revised over time; each
    version is kept."""
    person = participant_for_one_to_one(request.user, hub, code)
    today = timezone.localdate()
    plan = plan_of(person)
    initial = {name: getattr(plan, name) for name in PLAN_FIELDS} if plan else {}
    if plan:
        initial["agreed_on"] = plan.agreed_on
    form = ActionPlanForm(
        request.POST if request.method == "POST" else None, initial=initial, today=today
    )
    written = form_written(
        request,
        form,
        lambda: action_plan_save(
            participant=person,
            agreed_on=form.cleaned_data["agreed_on"],
            by=request.user,
            today=today,
            **{name: form.cleaned_data[name] for name in PLAN_FIELDS},
        ),
        done="The action plan was saved.",
    )
    if written:
        return redirect("one_to_one:participant", hub=hub, code=code)
    revisions = (
        list(
            ActionPlanRevision.objects.filter(plan=plan)
            .select_related("revised_by")
            .order_by("-number")
        )
        if plan
        else []
    )
    support = participant_support(person, as_of=timezone.now())
    return _form_page(
        request, "one_to_one/action_plan.html", person, form, revisions=revisions, o6=support.o6
    )


@login_required
@require_http_methods(["GET", "POST"])
def declaration(request: HttpRequest, hub: str, code: uuid.UUID) -> HttpResponse:
    """O7: the assigned provider declares any conflict of interest, and later private
    work; those standing in see it."""
    person = participant_for_one_to_one(request.user, hub, code)
    is_provider = provides_one_to_one(request.user, person)
    if request.method == "POST" and not is_provider:
        raise Http404("Only the participant's provider declares.")
    today = timezone.localdate()
    existing = (
        declaration_of(person, person.one_to_one_provider) if person.one_to_one_provider else None
    )
    initial: dict[str, Any] = {"declared_on": today}
    if existing:
        initial = {
            "has_conflict": "yes" if existing.has_conflict else "no",
            "conflict_details": existing.conflict_details,
            "declared_on": existing.declared_on,
            "private_work_from": existing.private_work_from,
            "private_work_details": existing.private_work_details,
        }
    form = DeclarationForm(
        request.POST if request.method == "POST" else None, initial=initial, today=today
    )

    def write() -> None:
        data = form.cleaned_data
        provider_declare(
            participant=person,
            provider=request.user,
            has_conflict=data["has_conflict"] == "yes",
            conflict_details=data["conflict_details"],
            declared_on=data["declared_on"],
            private_work_from=data["private_work_from"],
            private_work_details=data["private_work_details"],
            today=today,
        )

    if form_written(request, form, write, done="Your declaration was saved."):
        return redirect("one_to_one:participant", hub=hub, code=code)
    return _form_page(
        request,
        "one_to_one/declaration.html",
        person,
        form,
        declaration=existing,
        is_provider=is_provider,
    )


def _pdf_response(request: HttpRequest, person: Any) -> HttpResponse:
    pdf = action_record_pdf(person, as_of=timezone.now())
    audit.record(
        request.user,
        "export",
        obj=person,
        summary="Participant Action Record (PDF)",
        request=request,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="participant-action-record-{person.key}.pdf"'
    )
    return response


@login_required
@require_GET
def action_record(request: HttpRequest, hub: str, code: uuid.UUID) -> HttpResponse:
    """Issue 6 (7): the Participant Action Record, for the participant and the hub."""
    return _pdf_response(request, participant_for_one_to_one(request.user, hub, code))


one_to_one_urlpatterns: list[URLPattern] = [
    path("", home, name="home"),
    path("<slug:hub>/<uuid:code>/", participant, name="participant"),
    path("<slug:hub>/<uuid:code>/sessions/new/", log, name="log"),
    path("<slug:hub>/<uuid:code>/sessions/check/", check, name="check"),
    path("<slug:hub>/<uuid:code>/sessions/<slug:key>/", session, name="session"),
    path("<slug:hub>/<uuid:code>/action-plan/", action_plan, name="action-plan"),
    path("<slug:hub>/<uuid:code>/declaration/", declaration, name="declaration"),
    path("<slug:hub>/<uuid:code>/action-record.pdf", action_record, name="action-record"),
]


# --- the hub administration area (/hub/<hub>/participants/<code>/one-to-one/) ---------


def _hub_participant(request: HttpRequest, code: uuid.UUID) -> Any:
    return participant_for_one_to_one(request.user, request.hub.key, code)


def _hub_page(
    request: HttpRequest, template: str, person: Any, form: Any, **context: Any
) -> HttpResponse:
    """A page of the participant's one-to-one support in the hub administration area."""
    return hub_page(
        request,
        template,
        "registrations",
        participant=person,
        form=form,
        status=_status(request, form),
        **context,
    )


def _back_to_hub_page(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    return redirect("hub:one-to-one", hub=request.hub.key, code=code)


def _hub_dated_record(
    request: HttpRequest,
    code: uuid.UUID,
    form_class: type[Any],
    write: Callable[..., object],
    *,
    done: str,
    title: str,
    context: Callable[[Any], dict[str, Any]] = lambda person: {},
) -> HttpResponse:
    """A dated record the hub makes of the participant's one-to-one support (a referral,
    a refusal): its form, handed to the service `write` with today's date."""
    person = _hub_participant(request, code)
    today = timezone.localdate()
    form = form_class(request.POST if request.method == "POST" else None, today=today)
    written = form_written(
        request,
        form,
        lambda: write(participant=person, by=request.user, today=today, **form.cleaned_data),
        done=done,
    )
    if written:
        return _back_to_hub_page(request, code)
    return _hub_page(
        request, "hub/one_to_one/form.html", person, form, title=title, **context(person)
    )


@login_required
@require_http_methods(["GET", "POST"])
@hub_admin_required
def hub_one_to_one(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    """Issue 6 (1): the participant's one-to-one support, and assigning the provider."""
    person = _hub_participant(request, code)
    providers = list(hub_providers(request.hub.pk))
    initial = {"provider": str(person.one_to_one_provider_id or "")}
    form = AssignProviderForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        providers=providers,
    )
    written = form_written(
        request,
        form,
        lambda: one_to_one_assign_provider(
            participant=person, provider=form.cleaned_data["provider"], by=request.user
        ),
        done="The one-to-one provider was saved.",
    )
    if written:
        return _back_to_hub_page(request, code)
    now = timezone.now()
    return _hub_page(
        request,
        "hub/one_to_one/participant.html",
        person,
        form,
        support=participant_support(person, as_of=now),
        rows=one_to_one_rows(person, as_of=now),
        by_route=hours_by_route(person),
        decline=decline_of(person),
        referrals=list(OneToOneReferral.objects.filter(participant=person)),
        plan=plan_of(person),
    )


@login_required
@require_http_methods(["GET", "POST"])
@hub_admin_required
def hub_referral(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    """O1: refer the participant to an existing local programme."""
    return _hub_dated_record(
        request,
        code,
        ReferralForm,
        one_to_one_refer,
        done="The referral was recorded.",
        title="Refer to an existing local programme",
    )


@login_required
@require_http_methods(["GET", "POST"])
@hub_admin_required
def hub_decline(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    """O8: record that the participant declined one-to-one support, or withdraw it."""
    if request.method == "POST" and request.POST.get("withdraw"):
        person = _hub_participant(request, code)
        one_to_one_decline_withdraw(participant=person, by=request.user)
        messages.success(request, "The refusal was withdrawn.")
        return _back_to_hub_page(request, code)
    return _hub_dated_record(
        request,
        code,
        DeclineForm,
        one_to_one_decline,
        done="The refusal was recorded.",
        title="Record that they declined one-to-one support",
        context=lambda person: {"decline": decline_of(person)},
    )


@login_required
@require_http_methods(["GET", "POST"])
@hub_admin_required
def hub_external_hours(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    """Issue 6 (5): hours of an existing local programme, recorded by the hub on the
    participant's behalf and marked as such."""
    person = _hub_participant(request, code)
    now = timezone.now()
    form = OneToOneLogForm(
        request.POST if request.method == "POST" else None, hub_entry=True, now=now
    )
    written = form_written(
        request,
        form,
        lambda: one_to_one_log(participant=person, by=request.user, **form.log_values()),
        done="The hours were recorded.",
    )
    if written:
        return _back_to_hub_page(request, code)
    return _hub_page(
        request,
        "hub/one_to_one/form.html",
        person,
        form,
        support=participant_support(person, as_of=now),
        title="Record hours from an existing local programme",
    )


@login_required
@require_GET
@hub_admin_required
def hub_action_record(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    """Issue 6 (7): the Participant Action Record, from the hub's side."""
    person = _hub_participant(request, code)
    return _pdf_response(request, person)


hub_one_to_one_urlpatterns: list[URLPattern] = [
    path("participants/<uuid:code>/one-to-one/", hub_one_to_one, name="one-to-one"),
    path(
        "participants/<uuid:code>/one-to-one/referral/",
        hub_referral,
        name="one-to-one-referral",
    ),
    path("participants/<uuid:code>/one-to-one/decline/", hub_decline, name="one-to-one-decline"),
    path(
        "participants/<uuid:code>/one-to-one/existing-programme-hours/",
        hub_external_hours,
        name="one-to-one-external-hours",
    ),
    path(
        "participants/<uuid:code>/one-to-one/action-record.pdf",
        hub_action_record,
        name="one-to-one-action-record",
    ),
]
