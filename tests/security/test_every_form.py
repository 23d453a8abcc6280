"""Every form in the project, fed random input (docs/security.md §16, §19): it only ever answers
with validation errors, never an exception, and shows what was typed back escaped.

The forms are found by walking `forms.Form`'s subclasses in the project's modules, so a
new form fails `test_every_form_is_fed_random_input` until it is added to FORMS below
with what its constructor needs. The journeys through the real pages, with what the
forms accept checked against the rules, are in test_hostile_input.py; this file makes
sure no form is left out.

Each field gets random text (markup, numbers that are not, control characters, long
text) or, for a field with choices, sometimes one of its real choices, so that examples
reach the cross-field checks in `clean()` as well as the field checks.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from crispy_forms.utils import render_crispy_form
from django import forms
from django.conf import settings
from django.http import QueryDict
from django.test import RequestFactory
from hypothesis import given
from hypothesis import strategies as st

from cohorts.selectors import hub_facilitators
from cohorts.views import COHORT_COLUMNS
from participants import surveys
from participants.models import SurveyKind
from participants.survey_bulk_views import SURVEY_COLUMNS
from participants.views import REGISTRATION_COLUMNS
from peernet.models import Breach
from peernet.staff import cohorts_without_facilitator
from reporting.cockpit import risk_choices
from sessions.attendance.selectors import session_members
from sessions.list_views import ONE_TO_ONE_COLUMNS, SESSION_COLUMNS
from sessions.models import Complaint
from sessions.one_to_one.selectors import hub_providers
from sessions.views import COMPLAINT_COLUMNS
from tests.factories import Personas, local, make_personas, make_session
from tests.security.test_hostile_input import FEW, MARKUP, TEXT, rolled_back

pytestmark = pytest.mark.django_db

APPS = ("peernet", "participants", "cohorts", "sessions", "reporting", "alumni")
TODAY = dt.date(2021, 10, 12)
NOW = local("2021-10-12T12:00")


def _baseline_questions(p: Personas) -> list[dict]:
    instrument = surveys.instrument_current(SurveyKind.BASELINE)
    return [q for page in surveys.instrument_pages(instrument) for q in page.questions]


def _attendance(p: Personas) -> dict[str, Any]:
    session = make_session(p.cohort_a, "2021-10-05T09:30")
    return {"members": session_members(session), "session_hours": Decimal("3"), "recorded": {}}


def _complaint(p: Personas) -> Complaint:
    return Complaint.objects.create(
        hub=p.hub_a, key="c-form", received=dt.date(2021, 9, 1), summary="Cold room."
    )


def _breach(p: Personas) -> Breach:
    return Breach.objects.create(
        discovered_at=NOW, description="Sent to the wrong hub", data_affected="12 emails"
    )


def _login_request(p: Personas) -> Any:
    return RequestFactory().post("/login/", REMOTE_ADDR="192.0.2.1")


# "module.Class" -> (positional arguments, keyword arguments) for the constructor, given
# the personas; the data is passed as the first positional argument after these.
NO_ARGUMENTS: Callable[[Personas], tuple[list, dict]] = lambda p: ([], {})  # noqa: E731
FORMS: dict[str, Callable[[Personas], tuple[list, dict]]] = {
    "cohorts.forms.AllocateForm": lambda p: ([], {"codes": [str(p.participant_a.code)]}),
    "cohorts.forms.CohortCreateForm": lambda p: (
        [],
        {"facilitators": hub_facilitators(p.hub_a), "partners": p.hub_a.delivery_partners.all()},
    ),
    "cohorts.forms.MoveForm": lambda p: (
        [],
        {
            "members": [str(p.participant_a.code)],
            "cohorts": [(str(p.cohort_a2.code), p.cohort_a2.name)],
        },
    ),
    "cohorts.forms.JoiningDetailsForm": NO_ARGUMENTS,
    "cohorts.forms.PlanForm": NO_ARGUMENTS,
    "cohorts.forms.SessionEditForm": NO_ARGUMENTS,
    "participants.action_card_link_views.ActionCardForm": NO_ARGUMENTS,
    "participants.charter_views.CharterAgreementForm": NO_ARGUMENTS,
    "participants.forms.DecisionForm": NO_ARGUMENTS,
    "participants.forms.E6ExceptionForm": NO_ARGUMENTS,
    "participants.forms.E4FlexibilityForm": NO_ARGUMENTS,
    "participants.forms.E8ExceptionForm": NO_ARGUMENTS,
    "participants.forms.FlexibilityForm": NO_ARGUMENTS,
    "participants.forms.MatchForm": NO_ARGUMENTS,
    "participants.forms.PrivacyNoticeForm": NO_ARGUMENTS,
    "participants.bulk_views.BulkForm": lambda p: (
        [],
        {
            "codes": [str(p.participant_a.code)],
            "cohorts": [(str(p.cohort_a.code), p.cohort_a.name)],
        },
    ),
    "participants.survey_bulk_views.OutstandingFilterForm": lambda p: (
        [],
        {"columns": SURVEY_COLUMNS},
    ),
    "participants.survey_bulk_views.RemindForm": lambda p: ([], {"ids": [1, 2]}),
    "participants.forms.RegistrationFilterForm": lambda p: (
        [],
        {
            "columns": REGISTRATION_COLUMNS,
            "cohorts": [(str(p.cohort_a.code), p.cohort_a.name)],
            "risks": risk_choices(),
        },
    ),
    "peernet.lists.ListFilterForm": lambda p: ([], {"columns": REGISTRATION_COLUMNS}),
    "participants.forms.RegistrationForm": lambda p: ([], {"hub": p.hub_a}),
    "participants.forms.CorrectionForm": lambda p: ([], {"hub": p.hub_a}),
    "participants.forms.StaffRegistrationForm": lambda p: ([], {"hub": p.hub_a}),
    "participants.import_views.UploadForm": NO_ARGUMENTS,
    "participants.survey_forms.SurveyPageForm": lambda p: (
        [],
        {"questions": _baseline_questions(p), "saved": {}},
    ),
    "peernet.account_forms.PasswordChangeForm": lambda p: ([p.hub_a_admin], {}),
    "peernet.account_forms.PasswordResetForm": NO_ARGUMENTS,
    "peernet.account_forms.SetPasswordForm": lambda p: ([p.hub_a_admin], {}),
    "peernet.account_forms.SecondFactorForm": NO_ARGUMENTS,
    "peernet.account_forms.SetUpForm": NO_ARGUMENTS,
    "peernet.privacy_views.AuditFilterForm": NO_ARGUMENTS,
    "peernet.privacy_views.BreachDecisionForm": lambda p: ([], {"breach": _breach(p)}),
    "peernet.privacy_views.BreachForm": NO_ARGUMENTS,
    "peernet.privacy_views.ErasureForm": lambda p: ([], {"code": str(p.participant_a.code)}),
    "peernet.staff_forms.CohortAssignForm": lambda p: (
        [],
        {"cohorts": cohorts_without_facilitator(p.hub_a)},
    ),
    "peernet.staff_forms.StaffInviteForm": lambda p: (
        [],
        {"cohorts": cohorts_without_facilitator(p.hub_a)},
    ),
    "peernet.views.EmailAuthenticationForm": lambda p: ([_login_request(p)], {}),
    "reporting.national_views.ExportRequestForm": NO_ARGUMENTS,
    "reporting.national_views.FollowUpSendForm": NO_ARGUMENTS,
    "reporting.national_views.InstrumentForm": NO_ARGUMENTS,
    "reporting.scenario_views.ScenarioUploadForm": lambda p: ([], {"may_update": True}),
    "reporting.return_views.ReturnSubmitForm": lambda p: ([], {"resubmission": True}),
    "reporting.views.TodoFilterForm": lambda p: ([], {"rules": [("K6", "K6: schedule sessions")]}),
    "sessions.action_card_forms.ActionCardForm": lambda p: (
        [],
        {"participant": p.participant_a, "card": None},
    ),
    "sessions.attendance.forms.AttendanceForm": lambda p: ([], _attendance(p)),
    "sessions.forms.ComplaintCloseForm": lambda p: (
        [],
        {"complaint": _complaint(p), "today": TODAY},
    ),
    "sessions.forms.ComplaintForm": lambda p: ([], {"today": TODAY}),
    "sessions.attendance.forms.DisengagedForm": NO_ARGUMENTS,
    "sessions.joining_views.JoiningNoteForm": NO_ARGUMENTS,
    "sessions.attendance.forms.DropoutForm": lambda p: (
        [],
        {"today": TODAY, "registered": dt.date(2021, 5, 1)},
    ),
    "sessions.forms.FacilitatorNotesForm": NO_ARGUMENTS,
    "sessions.forms.ComplaintFilterForm": lambda p: ([], {"columns": COMPLAINT_COLUMNS}),
    "cohorts.forms.CohortFilterForm": lambda p: (
        [],
        {"columns": COHORT_COLUMNS, "facilitators": [(str(p.facilitator.pk), p.facilitator.name)]},
    ),
    "sessions.forms.OneToOneFilterForm": lambda p: (
        [],
        {
            "columns": ONE_TO_ONE_COLUMNS,
            "providers": [(str(p.provider.pk), p.provider.name)],
            "cohorts": [(str(p.cohort_a.code), p.cohort_a.name)],
            "minimum": "3.5 hours",
        },
    ),
    "sessions.forms.SessionFilterForm": lambda p: (
        [],
        {"columns": SESSION_COLUMNS, "cohorts": [(str(p.cohort_a.code), p.cohort_a.name)]},
    ),
    "sessions.attendance.forms.FollowUpForm": lambda p: ([], {"today": TODAY}),
    "sessions.one_to_one.forms.ActionPlanForm": lambda p: ([], {"today": TODAY}),
    "sessions.one_to_one.forms.AssignProviderForm": lambda p: (
        [],
        {"providers": list(hub_providers(p.hub_a.pk))},
    ),
    "sessions.one_to_one.forms.DeclarationForm": lambda p: ([], {"today": TODAY}),
    "sessions.one_to_one.forms.DeclineForm": lambda p: ([], {"today": TODAY}),
    "sessions.one_to_one.forms.OneToOneLogForm": lambda p: ([], {"now": NOW}),
    "sessions.one_to_one.forms.OutcomeForm": NO_ARGUMENTS,
    "sessions.one_to_one.forms.ReferralForm": lambda p: ([], {"today": TODAY}),
    # After the programme (alumni/).
    "alumni.forms.ShareForm": NO_ARGUMENTS,
    "alumni.forms.MeetingForm": NO_ARGUMENTS,
    "alumni.forms.ReplyForm": NO_ARGUMENTS,
    "alumni.forms.HostForm": lambda p: ([], {"members": [("1", "Ada Ames")]}),
    "alumni.forms.SchemeForm": NO_ARGUMENTS,
    "alumni.forms.InterestForm": lambda p: ([], {"schemes": [("helpline", "Helpline")]}),
    "alumni.forms.ReferralStatusForm": NO_ARGUMENTS,
    "alumni.events.forms.EventForm": NO_ARGUMENTS,
    "alumni.events.forms.InviteForm": lambda p: (
        [],
        {
            "cohorts": [("c1", "Salford")],
            "sectors": [("C", "Manufacturing")],
            "topics": [("finance", "Finance")],
            "cluster": "North West",
        },
    ),
    "alumni.events.forms.CameForm": lambda p: ([], {"invited": [("1", "Ada Ames")]}),
    "alumni.learning_sets.forms.LeadForm": lambda p: ([], {"clusters": [("nw", "North West")]}),
    "alumni.learning_sets.forms.SetForm": lambda p: ([], {"facilitators": [("1", "Fran")]}),
    "alumni.learning_sets.forms.SessionForm": NO_ARGUMENTS,
    "alumni.learning_sets.forms.RecordForm": lambda p: ([], {"members": [("1", "Fran")]}),
}


def _project_forms() -> set[str]:
    """ "module.Class" of every concrete form class defined in the project's apps (names
    starting with _ are shared bases, never shown on their own)."""
    root = Path(settings.BASE_DIR)
    for app in APPS:
        for path in (root / app).rglob("*.py"):
            if "migrations" not in path.parts and "management" not in path.parts:
                importlib.import_module(".".join(path.relative_to(root).with_suffix("").parts))
    found: set[str] = set()
    pending: list[type] = [forms.BaseForm]
    while pending:
        for form in pending.pop().__subclasses__():
            pending.append(form)
            module = inspect.getmodule(form).__name__
            if module.split(".")[0] in APPS and not form.__name__.startswith("_"):
                found.add(f"{module}.{form.__name__}")
    return found


def test_every_form_is_fed_random_input():
    found = _project_forms()
    assert len(found) > 30
    missing = sorted(found - set(FORMS))
    assert not missing, f"Add these forms to FORMS in this file: {missing}"
    assert not sorted(set(FORMS) - found), "FORMS names a form that no longer exists"


def _form_class(name: str) -> type[forms.BaseForm]:
    module, _, cls = name.rpartition(".")
    return getattr(importlib.import_module(module), cls)


def _keys_and_values(form: forms.BaseForm) -> list[tuple[str, st.SearchStrategy, bool]]:
    """(posted key, strategy for its value, whether it takes several values) for every
    field, a multi-widget field (a date as day, month, year) giving one key per part."""
    posted = []
    for name, field in form.fields.items():
        key = form.add_prefix(name)
        choices = [str(value) for value, _ in getattr(field, "choices", []) if value != ""]
        value = st.one_of(TEXT, st.sampled_from(choices)) if choices else TEXT
        many = isinstance(field, forms.MultipleChoiceField)
        widget = field.widget
        if isinstance(widget, forms.MultiWidget):
            posted += [(f"{key}{suffix}", TEXT, False) for suffix in widget.widgets_names]
        else:
            posted.append((key, value, many))
    return posted


@pytest.mark.parametrize("name", sorted(FORMS))
def test_random_input_gets_validation_errors_never_an_exception(name):
    personas = make_personas()
    form_class = _form_class(name)
    args, kwargs = FORMS[name](personas)
    fields = _keys_and_values(form_class(*args, None, **kwargs) if args else form_class(**kwargs))

    @FEW
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        posted = QueryDict(mutable=True)
        for key, value, many in fields:
            if data.draw(st.integers(0, 9)) == 0:
                continue  # a field left out of the post altogether
            if many:
                posted.setlist(key, data.draw(st.lists(value, max_size=3)))
            else:
                posted[key] = data.draw(value)
        with rolled_back():
            form = form_class(*args, posted, **kwargs) if args else form_class(posted, **kwargs)
            if form.is_valid():
                return
            for field, errors in form.errors.items():
                assert errors, field
                assert all(isinstance(e, str) and e.strip() for e in errors), (field, errors)
            html = render_crispy_form(form) if hasattr(form, "helper") else str(form)
            assert MARKUP not in html, "typed markup came back unescaped"

    check()
