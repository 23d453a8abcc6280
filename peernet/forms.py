"""The GOV.UK form pieces every app's forms are built from (crispy-forms-gds): the error
summary's links, the helper that draws a form inside the page's own <form> tag, the date
input that answers a date that does not exist with a message, and a text field whose
messages name what it asks for; and how a posted form is handed to its service
(`form_written`).

No form class lives here: a form is defined in its app, and lists its own fields."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from crispy_forms.utils import TEMPLATE_PACK, render_field
from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import ConditionalQuestion, ConditionalRadios, Layout, Submit
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.html import format_html_join


class GovukErrorsMixin:
    """The GOV.UK error summary's links: each error to its field's first input (radios
    start at `_1`, date inputs at the day box `_0`)."""

    def error_links(self) -> list[tuple[str, str]]:
        links: list[tuple[str, str]] = []
        for name, errors in self.errors.items():  # type: ignore[attr-defined]
            field = self.fields.get(name)  # type: ignore[attr-defined]
            if isinstance(field, DateInputField):
                anchor = f"id_{name}_0"
            elif isinstance(getattr(field, "widget", None), forms.RadioSelect):
                anchor = f"id_{name}_1"
            else:
                anchor = f"id_{name}"
            links.extend((anchor, str(error)) for error in errors)
        return links


def form_helper(
    *layout: Any,
    button: str = "",
    button_id: str | None = None,
    button_class: str = "",
    page_csrf: bool = False,
    form: forms.BaseForm | None = None,
) -> FormHelper:
    """Draws a form inside the page's own <form> tag: the fields in `layout` (every field
    of `form` when no layout is given), then a submit `button` if named (of another look
    with `button_class`, "govuk-button--warning"). `page_csrf`: the
    page's form tag already carries the CSRF token, so the form does not repeat it."""
    helper = FormHelper(form)
    helper.form_tag = False
    if page_csrf:
        helper.disable_csrf = True
    if button:
        named = {"css_id": button_id} if button_id else {}
        if button_class:
            named["css_class"] = button_class
        layout = (*layout, Submit("submit", button, **named))
    if layout:
        helper.layout = Layout(*layout)
    return helper


class RealDateField(DateInputField):
    """The pack's date input. A date that does not exist is answered with the field's
    "invalid" message: a number too big for a date (a 20-digit year) always (never a
    server error, docs/security.md 19), and with `not_real` a day the calendar lacks
    (31 2 2021) as well, which the pack would answer in Python's words."""

    not_real: tuple[type[Exception], ...] = (OverflowError,)

    def compress(self, data_list: Any) -> dt.date | None:
        try:
            return super().compress(data_list)
        except self.not_real as exc:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from exc


def choice_messages(message: str) -> dict[str, str]:
    """One message for a choice not made and for a value the list does not offer (a
    tampered post): either way, the person is asked to choose."""
    return {"required": message, "invalid_choice": message}


def radios(label: str, choices: Any, messages: dict[str, str]) -> forms.ChoiceField:
    """A question answered by one of a few `choices`, drawn as GOV.UK radios; `messages`
    are its errors (`choice_messages`, or the required one alone)."""
    return forms.ChoiceField(
        label=label, choices=choices, widget=forms.RadioSelect, error_messages=messages
    )


YES_NO = [("yes", "Yes"), ("no", "No")]


class Reveal(ConditionalQuestion):
    """One answer of a question whose answers may reveal a follow-up (GOV.UK conditional
    radios), with the fields it reveals. Its radio is numbered from 1, as the pack's other
    radios are, so the error summary's link (`_1`) reaches the first; the pack's own
    numbers these from 0. Drawn by templates/gds/layout/conditional_question.html."""

    def render(
        self,
        bound_field: Any,
        form: Any,
        context: Any,
        template_pack: str = TEMPLATE_PACK,
        **kwargs: Any,
    ) -> str:
        choices = list(bound_field.field.choices)
        position = [label for _, label in choices].index(self.value)
        content = format_html_join(
            "",
            "{}",
            (
                (render_field(field, form, context, template_pack=template_pack, **kwargs),)
                for field in self.fields
            ),
        )
        context.update(
            {
                "choice": choices[position],
                "field": bound_field,
                "position": position + 1,
                "conditional_content": content,
            }
        )
        return render_to_string(self.get_template_name(template_pack), context.flatten())


def revealing(name: str, *answers: str | Reveal) -> ConditionalRadios:
    """The radios of the question `name`: each answer its label, or a `Reveal` of the
    label with the fields it reveals."""
    return ConditionalRadios(
        name, *(each if isinstance(each, Reveal) else Reveal(each) for each in answers)
    )


def yes_no(label: str, *, message: str, required: bool = True, hint: str = "") -> forms.Field:
    """A yes/no question, drawn as GOV.UK radios (inline), with no answer chosen for the
    person: unanswered, it is an error (`message`, "Select yes if …"). Its value is True,
    False, or None when not `required` and not answered."""
    return forms.TypedChoiceField(
        label=label,
        help_text=hint,
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=required,
        widget=forms.RadioSelect,
        error_messages=choice_messages(message),
    )


def yes_no_initial(value: bool | None) -> str:
    """A stored answer as its yes/no question shows it ("" when not known)."""
    return "" if value is None else ("yes" if value else "no")


def form_written(
    request: HttpRequest, form: Any, write: Callable[[], object], *, done: str
) -> bool:
    """A posted form handed to its service: when the request is a POST and `form` is
    valid, `write` (the service, called with the form's values) runs; its refusal (a
    `ValidationError`, a rule's sentence) becomes the form's error, and its success the
    message `done` on the next page. True once written: the view then redirects."""
    if request.method != "POST" or not form.is_valid():
        return False
    try:
        write()
    except ValidationError as exc:
        form.add_error(None, exc)
        return False
    messages.success(request, done)
    return True


T = TypeVar("T")


def written_or_refused(
    request: HttpRequest, write: Callable[[], T], *, done: Callable[[T], str]
) -> T | None:
    """A write from a button (no form to show an error on): its refusal (a
    `ValidationError`) becomes the error message on the next page and None; its result,
    the success message `done(result)`, and the result."""
    try:
        result = write()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return None
    messages.success(request, done(result))
    return result


def number_input(inputmode: str = "numeric") -> forms.TextInput:
    """A box for a number: a TextInput (not NumberInput) keeps the GOV.UK error border,
    and `inputmode` brings the number keyboard (`decimal` for pounds and pence)."""
    return forms.TextInput(attrs={"inputmode": inputmode, "spellcheck": "false"})


def typed_input(input_type: str, **attrs: str) -> forms.TextInput:
    """A text input of another type (email, tel): a TextInput keeps the GOV.UK error
    border, and the type still brings the right keyboard."""
    widget = forms.TextInput(attrs={"spellcheck": "false", **attrs})
    widget.input_type = input_type
    return widget


def email_field(ask: str, *, hint: str = "") -> forms.EmailField:
    """An email address, a staff member's or a participant's ("Enter their email
    address"), as typed on a phone: no capital first letter, no spelling check, the email
    keyboard."""
    return forms.EmailField(
        label="Email address",
        help_text=hint,
        max_length=254,
        widget=typed_input("email", autocomplete="email", autocapitalize="none"),
        error_messages={
            "required": f"Enter {ask}",
            "invalid": "Enter an email address in the correct format, like name@example.com",
            "max_length": "The email address must be 254 characters or fewer",
        },
    )


def text_field(
    label: str,
    what: str,
    *,
    required: bool = True,
    hint: str = "",
    max_length: int = 200,
    rows: int | None = None,
    ask: str = "",
    empty: str = "",
    too_long: str = "",
) -> forms.CharField:
    """A text box (a textarea of `rows` when given) whose messages name `what` it asks
    for: "Enter the goal", "The goal must be 5,000 characters or fewer". `ask`, when the
    empty box asks for it in longer words ("Enter your first name", "First name must
    be …"); `empty` and `too_long`, a sentence of the field's own for either ("Say what
    to do if the session fails", "Enter a real postcode, like SW1A 1AA")."""
    return forms.CharField(
        label=label,
        help_text=hint,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}) if rows else None,
        error_messages={
            "required": empty or f"Enter {ask or what}",
            "max_length": too_long
            or f"{what[0].upper()}{what[1:]} must be {max_length:,} characters or fewer",
        },
    )
