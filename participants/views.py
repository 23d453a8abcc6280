"""Hub administration of registrations and eligibility, and the public registration form."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from participants import bulk_views, selectors, services
from participants.forms import (
    CorrectionForm,
    DecisionForm,
    E4FlexibilityForm,
    E6ExceptionForm,
    E8ExceptionForm,
    FlexibilityForm,
    MatchForm,
    PrivacyNoticeForm,
    RegistrationFilterForm,
    RegistrationForm,
    RegistrationStatus,
    StaffRegistrationForm,
    registration_initial,
)
from participants.models import EligibilityException, MatchStatus, Participant
from peernet import lists, mail, outbox, stale
from peernet.access import hub_admin_required, hub_page
from peernet.addresses import client_ip
from peernet.calendar import local_date
from peernet.models import EmailKind, Hub, Programme
from peernet.rate_limits import claim_once, count_attempt
from reporting import cockpit
from reporting.progress import one_to_one_hours_chart
from rules import criteria_for_applicants

# --- public registration ----------------------------------------------------------------
# The hub's start page (who can take part, what it asks, and the privacy notice, whose
# acknowledgement comes before anything else: C2), then the questions, then check your
# answers; only "Accept and send" writes. The acknowledgement's date and the answers
# between the pages are kept in the session (per hub), never in the page, and the answers
# are checked again when sent.

_ACKNOWLEDGED = "registration_privacy_acknowledged"
_ANSWERS = "registration_answers"
_DONE = "registration_done"
RATE_LIMIT = 5  # registrations sent per address per hour
RATE_WINDOW = 60 * 60
# How long answers wait for "Accept and send" (a session idle for 30 minutes ends sooner).
ANSWERS_KEPT = dt.timedelta(hours=1)
LOST_ANSWERS = (
    "Your answers were not kept: they are kept for a short time only, and only in the "
    "browser you started in. Nothing was sent. Start your registration again."
)
CHANGED_ANSWERS = (
    "Some of your answers could not be used as they were. Nothing was sent. Start your "
    "registration again."
)
_NOT_ANSWERS = ("csrfmiddlewaretoken", "website")


def _public_hub(key: str) -> Hub:
    return get_object_or_404(Hub, key=key)


def _acknowledged_on(request: HttpRequest, hub: Hub) -> dt.date | None:
    value = request.session.get(_ACKNOWLEDGED, {}).get(hub.key)
    return dt.date.fromisoformat(value) if value else None


def _over_rate_limit(request: HttpRequest) -> bool:
    """Count this submission; True once the address has made more than RATE_LIMIT in the
    window. The address is the client's as the sign-in lockout reads it (behind a trusted
    proxy, what the proxy reports; X-Forwarded-For is otherwise the client's to forge).
    The count is in the shared cache (peernet.rate_limits), so every process sees it."""
    count = count_attempt(
        f"registration-rate:{client_ip(request) or ''}", window_seconds=RATE_WINDOW
    )
    return count is not None and count > RATE_LIMIT


def _keep_answers(request: HttpRequest, hub: Hub) -> None:
    kept = dict(request.session.get(_ANSWERS, {}))
    kept[hub.key] = {
        "data": {name: request.POST[name] for name in request.POST if name not in _NOT_ANSWERS},
        "saved": timezone.now().isoformat(),
        "claim": uuid.uuid4().hex,
    }
    request.session[_ANSWERS] = kept


def _kept_answers(request: HttpRequest, hub: Hub) -> dict[str, Any] | None:
    """The answers kept for this hub, or None when there are none or they are stale."""
    kept = request.session.get(_ANSWERS, {}).get(hub.key)
    try:
        saved = dt.datetime.fromisoformat(kept["saved"])
        fresh = timezone.now() - saved <= ANSWERS_KEPT
    except (TypeError, KeyError, ValueError):
        return None
    return kept if fresh and isinstance(kept.get("data"), dict) else None


def _forget_answers(request: HttpRequest, hub: Hub) -> None:
    kept = dict(request.session.get(_ANSWERS, {}))
    kept.pop(hub.key, None)
    request.session[_ANSWERS] = kept


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest, hub: str) -> HttpResponse:
    """The start page: who can take part and what taking part asks (from the rules the
    hub's decision asks), then the privacy notice, acknowledged before anything else (C2)."""
    hub_ = _public_hub(hub)
    programme = Programme.objects.order_by("-delivery_start").first()
    if programme is None:  # nothing to register for yet: say so, ask nothing
        return render(request, "participants/register_not_open.html", {"hub": hub_})
    form = PrivacyNoticeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        acknowledged = dict(request.session.get(_ACKNOWLEDGED, {}))
        acknowledged[hub_.key] = timezone.localdate().isoformat()
        request.session[_ACKNOWLEDGED] = acknowledged
        return redirect("public:register-details", hub=hub_.key)
    return render(
        request,
        "participants/register_notice.html",
        {"hub": hub_, "form": form, "criteria": criteria_for_applicants(programme)},
    )


@require_http_methods(["GET", "POST"])
def register_details(request: HttpRequest, hub: str) -> HttpResponse:
    """The questions: on to check your answers when they are valid, nothing written. Back
    here from a "Change" link, the answers kept are shown again."""
    hub_ = _public_hub(hub)
    if _acknowledged_on(request, hub_) is None:
        return redirect("public:register", hub=hub_.key)
    if request.method == "POST":
        form = RegistrationForm(request.POST, hub=hub_)
        if form.is_spam:
            # Looks like success to the bot; nothing is saved and no email is sent.
            request.session[_DONE] = {"hub": hub_.key, "e9": False}
            return redirect("public:register-done", hub=hub_.key)
        if form.is_valid():
            _keep_answers(request, hub_)
            return redirect("public:register-check", hub=hub_.key)
    else:
        kept = _kept_answers(request, hub_)
        form = RegistrationForm(kept["data"] if kept else None, hub=hub_)
    return render(request, "participants/register_details.html", {"hub": hub_, "form": form})


@require_http_methods(["GET", "POST"])
def register_check(request: HttpRequest, hub: str) -> HttpResponse:
    """Check your answers, each with its "Change" link; "Accept and send" checks them
    again and records the registration, once (a second sending finds it sent)."""
    hub_ = _public_hub(hub)
    acknowledged_on, kept = _acknowledged_on(request, hub_), _kept_answers(request, hub_)
    if kept is None and request.method == "POST" and _sent(request, hub_):
        return redirect("public:register-done", hub=hub_.key)
    if acknowledged_on is None or kept is None:
        _forget_answers(request, hub_)
        messages.error(request, LOST_ANSWERS)
        return redirect("public:register", hub=hub_.key)
    form = RegistrationForm(kept["data"], hub=hub_)
    if not form.is_valid():
        _forget_answers(request, hub_)
        messages.error(request, CHANGED_ANSWERS)
        return redirect("public:register", hub=hub_.key)
    if request.method == "POST":
        if _over_rate_limit(request):
            return render(
                request, "participants/register_rate_limited.html", {"hub": hub_}, status=429
            )
        if claim_once(f"registration-sent:{kept['claim']}", window_seconds=RATE_WINDOW):
            _send(request, hub_, form, acknowledged_on=acknowledged_on)
        _forget_answers(request, hub_)
        return redirect("public:register-done", hub=hub_.key)
    return render(
        request, "participants/register_check.html", {"hub": hub_, "answers": form.answers()}
    )


def _sent(request: HttpRequest, hub: Hub) -> bool:
    return (request.session.get(_DONE) or {}).get("hub") == hub.key


def _send(
    request: HttpRequest, hub: Hub, form: RegistrationForm, *, acknowledged_on: dt.date
) -> None:
    """The registration and its confirmation email, together or not at all."""
    with transaction.atomic():
        registration = services.participant_register(
            hub=hub,
            privacy_notice_acknowledged_on=acknowledged_on,
            registered_on=timezone.localdate(),
            **form.service_arguments(),
        )
        _send_confirmation(hub, registration.participant)
    request.session[_DONE] = {"hub": hub.key, "e9": registration.e9 is not None}


def _send_confirmation(hub: Hub, participant: object) -> None:
    context = {"hub": hub, "participant": participant}
    mail.send(
        kind=EmailKind.REGISTRATION,
        subject=f"Your Peer Networks registration with {hub.name}",
        body=render_to_string("participants/email/registration_confirmation.txt", context),
        to=[participant.email],  # type: ignore[attr-defined]
        hub=hub,
    )


@require_GET
def register_done(request: HttpRequest, hub: str) -> HttpResponse:
    hub_ = _public_hub(hub)
    if not _sent(request, hub_):
        return redirect("public:register", hub=hub_.key)
    done = request.session[_DONE]
    return render(
        request, "participants/register_done.html", {"hub": hub_, "e9": done.get("e9", False)}
    )


# --- the registrations list and the participant page --------------------------------------

REGISTRATION_COLUMNS = (
    lists.Column("select", "Select", hidden=True),
    lists.Column("name", "Name", ("last_name", "first_name")),
    lists.Column("business", "Business", ("business__name",)),
    lists.Column("registered", "Registered", ("registered",)),
    lists.Column("status", "Status"),
)


@login_required
@require_GET
@hub_admin_required
def registrations(request: HttpRequest) -> HttpResponse:
    cohorts = selectors.hub_cohort_choices(hub=request.hub, user=request.user)
    today = local_date(timezone.now())

    def rows(cleaned: dict[str, Any]) -> QuerySet[Participant]:
        risk = cleaned.get("risk", "")
        return selectors.registrations_for_hub(
            hub=request.hub,
            user=request.user,
            status=cleaned.get("status", ""),
            search=cleaned.get("q", ""),
            eligibility=cleaned.get("eligibility", ""),
            cohort=cleaned.get("cohort", ""),
            among=cockpit.participants_at_risk(request.hub, today, risk) if risk else None,
        )

    listing = lists.list_page(
        request,
        form_class=RegistrationFilterForm,
        columns=REGISTRATION_COLUMNS,
        rows=rows,
        default_order=("-registered", "-pk"),
        form_kwargs={"cohorts": cohorts, "risks": cockpit.risk_choices()},
    )
    counts = selectors.registration_counts(hub=request.hub, user=request.user)
    statuses = [(key, label, counts[key]) for key, label in RegistrationStatus.choices]
    return render(
        request,
        "participants/registrations.html",
        {
            "hub": request.hub,
            "section": "registrations",
            "form": listing.form,
            "listing": listing,
            "page": listing.page,
            "counts": counts,
            "statuses": statuses,
            "bulk_actions": bulk_views.ACTIONS,
            "bulk_cohorts": [("", "Choose a cohort"), *cohorts],
            "public_url": request.build_absolute_uri(
                reverse("public:register", kwargs={"hub": request.hub.key})
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@hub_admin_required
def registration_new(request: HttpRequest) -> HttpResponse:
    """A registration taken by the hub's staff (by phone, at an event): the public form's
    questions and rules (C2, E9), recorded as the staff member's, with no email sent."""
    form = StaffRegistrationForm(
        request.POST if request.method == "POST" else None, hub=request.hub
    )
    if request.method == "POST" and form.is_valid() and not form.is_spam:
        try:
            registration = services.participant_register(
                hub=request.hub,
                privacy_notice_acknowledged_on=form.cleaned_data["acknowledged_on"],
                registered_on=timezone.localdate(),
                by=request.user,
                **form.service_arguments(),
            )
        except ValidationError as refusal:
            for message in refusal.messages:
                form.add_error("acknowledged_on", message)
        else:
            person = registration.participant
            messages.success(request, f"{person.full_name}'s registration was recorded.")
            if registration.e9 is not None:
                messages.warning(request, f"E9: {registration.e9.sentence}")
            return redirect("hub:participant", hub=request.hub.key, code=person.code)
    return hub_page(
        request,
        "participants/registration_new.html",
        "registrations",
        form=form,
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
@hub_admin_required
def participant_edit(request: HttpRequest, code: str) -> HttpResponse:
    """Correct a registration: the registration form's questions and checks, the rules
    asked again, the change audited (issue 15)."""
    person = selectors.participant_for_checks(hub=request.hub, user=request.user, code=code)
    form = CorrectionForm(
        request.POST if request.method == "POST" else None,
        hub=request.hub,
        initial=registration_initial(person),
    )
    if request.method == "POST" and form.is_valid():
        try:
            shown = services.participant_correct(
                participant=person,
                values=form.service_arguments(),
                by=request.user,
                seen=request.POST.get("seen"),
                shown=registration_initial,
                labels={name: str(field.label) for name, field in form.fields.items()},
            )
        except ValidationError as refusal:
            for message in refusal.messages:
                form.add_error(None, message)
            person.refresh_from_db()  # show, and check next time against, what is there now
            person.business.refresh_from_db()
        else:
            messages.success(request, f"{person.full_name}'s registration was corrected.")
            for result in shown:
                messages.warning(request, f"{result.rule}: {result.sentence}")
            return redirect("hub:participant", hub=request.hub.key, code=person.code)
    return render(
        request,
        "participants/participant_edit.html",
        {
            "hub": request.hub,
            "section": "registrations",
            "participant": person,
            "form": form,
            "seen": stale.seen(registration_initial(person)),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_GET
@hub_admin_required
def participant(request: HttpRequest, code: str) -> HttpResponse:
    person = selectors.participant_for_page(hub=request.hub, user=request.user, code=code)
    memberships = sorted(person.memberships.all(), key=lambda m: (m.joined, m.pk))
    one_to_ones = sorted(person.one_to_ones.all(), key=lambda o: o.starts_at)
    delivered = sum((o.hours for o in one_to_ones if o.status == "delivered"), start=0)
    scheduled = sum((o.hours for o in one_to_ones if o.status == "scheduled"), start=0)
    return render(
        request,
        "participants/participant.html",
        {
            "hub": request.hub,
            "section": "registrations",
            "participant": person,
            "outcomes": sorted(
                person.eligibility_outcomes.all(), key=lambda o: (len(o.rule), o.rule)
            ),
            "exceptions": list(person.eligibility_exceptions.all()),
            "memberships": memberships,
            "one_to_ones": one_to_ones,
            "one_to_one_delivered": delivered,
            "one_to_one_scheduled": scheduled,
            "one_to_one_chart": one_to_one_hours_chart(
                person.full_name, person.programme.one_to_one_hours, one_to_ones
            ),
            "same_business": selectors.same_business_this_year(person),
            "warnings": list(selectors.participant_rule_warnings(person)),
            "emails": outbox.emails_to(hub=request.hub, address=person.email),
        },
    )


# --- eligibility ------------------------------------------------------------------------

_EXCEPTION_RULES = {
    "e3": EligibilityException.Rule.E3,
    "e4": EligibilityException.Rule.E4,
    "e6": EligibilityException.Rule.E6,
    "e8": EligibilityException.Rule.E8,
}
_FORMS = {
    "decide": DecisionForm,
    "e3": FlexibilityForm,
    "e4": E4FlexibilityForm,
    "e6": E6ExceptionForm,
    "e8": E8ExceptionForm,
    "match": MatchForm,
}


def _decide(request: HttpRequest, person: Participant, form: Any) -> HttpResponse:
    decision = services.participant_decide_eligibility(
        participant=person,
        eligible=form.eligible,
        decided_on=timezone.localdate(),
        by=request.user,
        notes=form.cleaned_data["notes"].strip(),
    )
    status = decision.participant.get_eligibility_status_display().lower()
    messages.success(request, f"{person.full_name} is {status}.")
    return redirect("hub:participant", hub=request.hub.key, code=person.code)


def _decide_match(request: HttpRequest, person: Participant, form: Any) -> HttpResponse:
    match = next(
        (m for m in person.business_matches.all() if m.pk == form.cleaned_data["match"]), None
    )
    if match is None:  # docs/security.md §4: only this participant's own matches
        raise ValidationError("That possible match is not this participant's.")
    same = form.cleaned_data["decision"] == "same"
    services.business_match_decide(match=match, same=same, by=request.user)
    messages.success(
        request,
        "The match is confirmed: they are of that business." if same else "The match is dismissed.",
    )
    return redirect(_eligibility_url(request, person))


def _record_exception(
    request: HttpRequest, person: Participant, form: Any, which: str
) -> HttpResponse:
    services.participant_record_exception(
        participant=person,
        rule=_EXCEPTION_RULES[which],
        agreed_by=form.agreed_by(request.hub) if which == "e6" else form.cleaned_data["agreed_by"],
        agreed_on=form.cleaned_data["agreed_on"],
        details=form.cleaned_data["details"].strip(),
        flexibility=form.cleaned_data.get("flexibility", ""),
        by=request.user,
    )
    messages.success(request, f"The {which.upper()} exception is recorded.")
    return redirect(_eligibility_url(request, person))


def _eligibility_url(request: HttpRequest, person: Participant) -> str:
    return reverse("hub:eligibility", kwargs={"hub": request.hub.key, "code": person.code})


def _submit(request: HttpRequest, person: Participant, form: Any, which: str) -> HttpResponse:
    """Call the service the named form asks for; a refusal (ValidationError, a broken
    rule included) is the caller's to show on the form."""
    if which == "decide":
        return _decide(request, person, form)
    if which == "match":
        return _decide_match(request, person, form)
    return _record_exception(request, person, form, which)


@login_required
@require_http_methods(["GET", "POST"])
@hub_admin_required
def eligibility(request: HttpRequest, code: str) -> HttpResponse:
    """E1–E10 asked live with their evidence; the decision; the E6 and E8 exceptions.

    The page holds several forms, told apart by their prefix; a POST names which one.
    """
    person = selectors.participant_for_checks(hub=request.hub, user=request.user, code=code)
    which = request.POST.get("form") if request.method == "POST" else None
    if which is not None and which not in _FORMS:
        raise Http404("No such form.")
    forms = {
        name: form_class(request.POST if name == which else None, prefix=name)
        for name, form_class in _FORMS.items()
    }
    if which is not None and forms[which].is_valid():
        try:
            return _submit(request, person, forms[which], which)
        except ValidationError as refusal:  # a rule broken (RuleBroken) or another refusal
            for message in refusal.messages:
                forms[which].add_error(None, message)
    return _eligibility_page(request, person, forms, which)


def _eligibility_page(
    request: HttpRequest, person: Participant, forms: dict[str, Any], which: str | None
) -> HttpResponse:
    criteria = selectors.eligibility_assessment(person, as_of=timezone.now())
    failing = {c.result.rule for c in criteria if c.result.outcome == "fail"}
    exceptions = {e.rule: e for e in person.eligibility_exceptions.all()}

    def shown(rule: str) -> bool:  # an exception's form: needed, recorded, or being filled
        return rule in failing or rule in exceptions or which == rule.lower()

    return render(
        request,
        "participants/eligibility.html",
        {
            "hub": request.hub,
            "section": "registrations",
            "participant": person,
            "criteria": criteria,
            "failing": sorted(failing),
            "decide_form": forms["decide"],
            "e6_form": forms["e6"],
            "e8_form": forms["e8"],
            "flexibility_forms": [
                (rule, forms[rule.lower()], exceptions.get(rule))
                for rule in ("E3", "E4")
                if shown(rule)
            ],
            "possible_matches": [
                m for m in person.business_matches.all() if m.status == MatchStatus.POSSIBLE
            ],
            "show_e6": shown("E6"),
            "show_e8": shown("E8"),
            "exceptions": exceptions,
            "error_form": forms[which] if which is not None else None,
        },
        status=200,
    )


hub_urlpatterns: list[URLPattern] = [
    path("registrations/", registrations, name="registrations"),
    path("registrations/new/", registration_new, name="registration-new"),
    path("participants/<uuid:code>/", participant, name="participant"),
    path("participants/<uuid:code>/edit/", participant_edit, name="participant-edit"),
    path("participants/<uuid:code>/eligibility/", eligibility, name="eligibility"),
]
public_urlpatterns: list[URLPattern] = [
    path("register/<slug:hub>/", register, name="register"),
    path("register/<slug:hub>/details/", register_details, name="register-details"),
    path("register/<slug:hub>/check/", register_check, name="register-check"),
    path("register/<slug:hub>/done/", register_done, name="register-done"),
]
