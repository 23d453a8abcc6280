"""The registration form's questions: every yes/no question is GOV.UK radios with no answer
chosen for the person, and a follow-up (the company number, another local authority) is
asked, and checked, only when the answer before it needs it."""

from __future__ import annotations

import re

import pytest
from crispy_forms.utils import render_crispy_form

from participants.forms import (
    CorrectionForm,
    RegistrationForm,
    StaffRegistrationForm,
    posted_answers,
)
from tests.factories import registration_form

pytestmark = pytest.mark.django_db

# Each yes/no question and the message it gives unanswered, in the form's order.
YES_NO_MESSAGES = {
    "has_company_number": "Select yes if the business is registered with Companies House",
    "exporter": "Select yes if the business exports or could export",
    "scale_up_potential": "Select yes if the business has the potential to scale up",
    "senior_decision_maker": "Select yes if you are a senior decision maker in the business",
    "aspiration_to_improve": "Select yes if you want to improve how the business performs",
    "previous_year_participant": "Select yes if you took part in Peer Networks last year",
}


def _form(personas, **overrides: str) -> RegistrationForm:
    return RegistrationForm(registration_form(**overrides), hub=personas.hub_a)


def test_the_answers_as_given_are_valid(personas):
    form = _form(personas)
    assert form.is_valid(), form.errors
    arguments = form.service_arguments()
    assert arguments["company_number"] == "01234567"
    assert (arguments["exporter"], arguments["scale_up_potential"]) == (True, False)
    assert arguments["senior_decision_maker"] is True
    assert arguments["previous_year_participant"] is False


@pytest.mark.parametrize(("name", "message"), sorted(YES_NO_MESSAGES.items()))
def test_each_yes_no_question_unanswered_is_its_own_error(personas, name, message):
    data = registration_form()
    del data[name]
    form = RegistrationForm(data, hub=personas.hub_a)
    assert not form.is_valid()
    assert form.errors[name] == [message]
    # The error summary's link reaches the question's first radio.
    assert (f"id_{name}_1", message) in form.error_links()


@pytest.mark.parametrize("name", sorted(YES_NO_MESSAGES))
def test_a_yes_no_answer_not_offered_is_the_same_error(personas, name):
    form = _form(personas, **{name: "on"})  # the old tick box's value, or a tampered post
    assert form.errors[name] == [YES_NO_MESSAGES[name]]


def test_no_answer_is_chosen_for_the_person(personas):
    page = render_crispy_form(RegistrationForm(hub=personas.hub_a))
    assert "checked" not in page
    for name in YES_NO_MESSAGES:
        assert f'id="id_{name}_1"' in page and f'id="id_{name}_2"' in page
    # A yes/no with nothing to reveal sits inline; none is a tick box.
    assert page.count("govuk-radios--inline") == 5
    assert 'type="checkbox"' not in page


def test_the_company_number_is_asked_only_of_a_registered_business(personas):
    form = _form(personas, has_company_number="yes", company_number="")
    assert form.errors == {"company_number": ["Enter the company number"]}
    form = _form(personas, has_company_number="yes", company_number="12-34")
    assert form.errors == {
        "company_number": ["Enter the company number as 8 letters or numbers, like 01234567"]
    }
    form = _form(personas, has_company_number="yes", company_number="sc 123456")
    assert form.is_valid() and form.service_arguments()["company_number"] == "SC123456"
    # Not registered: nothing asked; a number typed there (shown without JavaScript) is
    # not kept, whatever it is.
    for typed in ("", "12-34", "01234567"):
        form = _form(personas, has_company_number="no", company_number=typed)
        assert form.is_valid(), form.errors
        assert form.service_arguments()["company_number"] == ""


def test_another_local_authority_is_asked_only_somewhere_else(personas):
    form = _form(personas, local_authority="elsewhere", other_local_authority=" ")
    assert form.errors == {
        "other_local_authority": ["Enter the local authority of the trading address"]
    }
    form = _form(personas, local_authority="elsewhere", other_local_authority="Leeds")
    assert form.is_valid() and form.service_arguments()["local_authority"] == "Leeds"
    form = _form(personas, local_authority="Salford", other_local_authority="Leeds")
    assert form.is_valid() and form.service_arguments()["local_authority"] == "Salford"


def _conditional(page: str, name: str, position: int) -> str:
    match = re.search(
        rf'<div class="govuk-radios__conditional[^"]*" id="conditional_{name}_{position}"', page
    )
    assert match, f"no follow-up under {name}_{position}"
    return match.group(0)


def test_a_follow_up_is_revealed_under_its_answer(personas):
    page = render_crispy_form(RegistrationForm(hub=personas.hub_a))
    # "Yes" (the first radio) reveals the company number; GOV.UK Frontend reads the link.
    assert 'data-aria-controls="conditional_has_company_number_1"' in page
    assert "conditional--hidden" in _conditional(page, "has_company_number", 1)
    assert 'id="conditional_has_company_number_2"' not in page  # "No" reveals nothing
    # "Somewhere else", after the hub's areas, reveals which local authority.
    areas = len(personas.hub_a.local_authorities)
    assert f'id="id_local_authority_{areas + 1}"' in page
    assert "conditional--hidden" in _conditional(page, "local_authority", areas + 1)
    assert page.index('id="conditional_local_authority') < page.index('name="sector"')
    # Shown again with the answer that reveals it chosen, the follow-up is open.
    shown = render_crispy_form(_form(personas, local_authority="elsewhere"))
    assert "conditional--hidden" not in _conditional(shown, "local_authority", areas + 1)
    assert "conditional--hidden" not in _conditional(shown, "has_company_number", 1)


def test_the_hub_may_leave_growth_and_export_potential_not_known(personas):
    data = registration_form()
    del data["exporter"], data["scale_up_potential"]
    form = CorrectionForm(data, hub=personas.hub_a)
    assert form.is_valid(), form.errors
    assert form.service_arguments()["exporter"] is None
    assert form.service_arguments()["scale_up_potential"] is None
    # The declarations stay questions to answer.
    del data["senior_decision_maker"]
    form = CorrectionForm(data, hub=personas.hub_a)
    assert list(form.errors) == ["senior_decision_maker"]


def test_answers_from_an_import_or_the_api_answer_every_question(personas):
    data = registration_form()
    for name in (*YES_NO_MESSAGES, "company_number"):
        data.pop(name)
    answered = posted_answers(
        {**data, "company_number": "7654321"}, yes={"senior_decision_maker", "exporter"}
    )
    assert answered["has_company_number"] == "yes"
    assert [answered[name] for name in sorted(YES_NO_MESSAGES) if name != "has_company_number"] == [
        "no",  # aspiration_to_improve
        "yes",  # exporter
        "no",  # previous_year_participant
        "no",  # scale_up_potential
        "yes",  # senior_decision_maker
    ]
    assert posted_answers(data, yes=())["has_company_number"] == "no"
    staff = StaffRegistrationForm(
        {
            **answered,
            "acknowledged_on_0": "2",
            "acknowledged_on_1": "5",
            "acknowledged_on_2": "2021",
        },
        hub=personas.hub_a,
    )
    assert staff.is_valid(), staff.errors
    arguments = staff.service_arguments()
    assert (arguments["company_number"], arguments["exporter"]) == ("07654321", True)
    assert arguments["aspiration_to_improve"] is False
