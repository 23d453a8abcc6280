"""The GOV.UK component tags (peernet/templatetags/govuk.py): each error links to the input
it is about, and a table's head marks its columns of figures."""

import re

from crispy_forms_gds.fields import DateInputField
from django import forms
from django.template import Context, Template


def _render(source: str, **context: object) -> str:
    return Template("{% load govuk %}" + source).render(Context(context))


def _links(html: str) -> list[tuple[str, str]]:
    return [
        (anchor, words)
        for anchor, linked, unlinked in re.findall(
            r'<li>(?:<a href="#([^"]*)">([^<]*)</a>|([^<]*))</li>', html
        )
        for words in [linked or unlinked]
    ]


class _PlainForm(forms.Form):
    name = forms.CharField()
    when = DateInputField(require_all_fields=False)

    def clean(self) -> dict:
        raise forms.ValidationError("Something about the whole form")


class _NamedLinksForm(forms.Form):
    """Names its own links, as the forms on GovukErrorsMixin do (radios start at `_1`)."""

    kind = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)

    def clean(self) -> dict:
        raise forms.ValidationError("Something about the whole form")

    def error_links(self) -> list[tuple[str, str]]:
        return [
            ("id___all__" if name == "__all__" else f"id_{name}_1", str(error))
            for name, errors in self.errors.items()
            for error in errors
        ]


def test_no_errors_no_summary():
    assert _render("{% govuk_error_summary form %}", form=_PlainForm()).strip() == ""
    assert _render("{% govuk_error_summary errors=errors %}", errors=[]).strip() == ""
    assert _render("{% govuk_error_summary form %}", form=None).strip() == ""


def test_a_form_links_each_field_error_to_its_first_input():
    form = _PlainForm(data={})
    form.is_valid()
    html = _render("{% govuk_error_summary form %}", form=form)
    assert "There is a problem" in html
    assert _links(html) == [
        ("", "Something about the whole form"),
        ("id_name", "This field is required."),
        ("id_when_0", "Enter the day, month and year"),
    ]


def test_non_field_errors_can_point_at_the_first_field():
    form = _PlainForm(data={})
    form.is_valid()
    html = _render("{% govuk_error_summary form link_first_field=True %}", form=form)
    assert _links(html)[0] == ("id_name", "Something about the whole form")


def test_a_form_that_names_its_links_keeps_them():
    form = _NamedLinksForm(data={})
    form.is_valid()
    assert _links(_render("{% govuk_error_summary form %}", form=form)) == [
        ("", "Something about the whole form"),
        ("id_kind_1", "This field is required."),
    ]


def test_sentences_link_to_one_anchor_or_none_and_pairs_to_their_own():
    assert _links(_render('{% govuk_error_summary errors=e anchor="plan" %}', e=["Too late"])) == [
        ("plan", "Too late")
    ]
    assert _links(_render("{% govuk_error_summary errors=e %}", e=["Too late"])) == [
        ("", "Too late")
    ]
    pairs = [("waiting-list", "Choose someone")]
    assert _links(_render("{% govuk_error_summary errors=e %}", e=pairs)) == pairs


def test_a_sentence_is_escaped():
    html = _render("{% govuk_error_summary errors=e %}", e=["<b>bold</b>"])
    assert "&lt;b&gt;bold&lt;/b&gt;" in html


def test_a_table_head_marks_figures_and_hidden_headers():
    html = _render('{% table_head "Cohort" "Members:numeric" "Action:hidden" %}')
    headers = re.findall(r'<th scope="col" class="([^"]*)">(.*?)</th>', html)
    assert headers == [
        ("govuk-table__header", "Cohort"),
        ("govuk-table__header govuk-table__header--numeric", "Members"),
        ("govuk-table__header", '<span class="govuk-visually-hidden">Action</span>'),
    ]
