"""docs/security.md §19 for the survey pages: whatever is posted, a page's form answers only
with validation errors, and what it accepts fits the question as stored."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from participants import surveys
from participants.models import SurveyInstrument
from participants.survey_forms import SurveyPageForm

pytestmark = pytest.mark.django_db

posted_value = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", "0", "-1", "5", "10", "yes", "no", "£1,000.50", "1e9", "NaN", "3.5"]),
    st.lists(st.text(max_size=10), max_size=3),
)


@pytest.fixture
def pages() -> list[surveys.Page]:
    return [
        page
        for instrument in SurveyInstrument.objects.filter(active=True)
        for page in surveys.instrument_pages(instrument)
    ]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_post_gives_errors_or_answers_that_fit(pages, data):
    page = data.draw(st.sampled_from(pages))
    post = {q["key"]: data.draw(posted_value) for q in page.questions}
    from django.http import QueryDict

    query = QueryDict(mutable=True)
    for key, value in post.items():
        if isinstance(value, list):
            query.setlist(key, value)
        else:
            query[key] = value
    form = SurveyPageForm(query, questions=page.questions, saved={})
    if not form.is_valid():
        assert form.errors  # validation errors, never an exception
        return
    for question in page.questions:
        stored = surveys.to_stored(question, form.cleaned_data[question["key"]])
        if stored is None:
            assert not surveys.is_required(question)
        else:
            assert surveys.answer_problem(question, stored) is None, (question["key"], stored)


def test_money_accepts_pounds_and_pence_and_refuses_negative(pages):
    [page] = [p for p in pages if any(q["key"] == "turnover_now" for q in p.questions)][:1]
    ok = SurveyPageForm(
        {"employees_now": "0", "turnover_now": "£1,234.5"}, questions=page.questions, saved={}
    )
    assert ok.is_valid(), ok.errors
    stored = surveys.to_stored(page.questions[1], ok.cleaned_data["turnover_now"])
    assert stored == "1234.50"
    bad = SurveyPageForm(
        {"employees_now": "3.5", "turnover_now": "-0.01"}, questions=page.questions, saved={}
    )
    assert not bad.is_valid()
    assert bad.errors["turnover_now"] == [
        "The amount for ‘What was the business's turnover in the last 12 months’ must be 0 or more"
    ]
    assert "whole number" in bad.errors["employees_now"][0]
