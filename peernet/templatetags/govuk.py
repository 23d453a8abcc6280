"""GOV.UK components whose inputs a template cannot shape by itself: `{% load govuk %}`.

Each tag only arranges what the page already has into the rows its include draws
(`templates/includes/`); the markup lives in the include.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from crispy_forms_gds.templatetags.crispy_forms_gds import field_errors
from django import forms, template

register = template.Library()


def _field_links(form: forms.BaseForm) -> list[tuple[str, str]]:
    """Each visible field's errors, linked to its input: a multi-input field (a date) to
    its first box `_0`, an error of one box to that box (the GOV.UK pack's own grouping)."""
    links: list[tuple[str, str]] = []
    for field in form.visible_fields():
        for anchor, errors in field_errors(field):
            if anchor == field.auto_id and hasattr(field.field, "fields"):
                anchor = f"{anchor}_0"
            links += [(anchor, str(error)) for error in errors]
    return links


def _form_rows(form: Any, *, link_first_field: bool) -> list[tuple[str, str]]:
    if not form or not form.errors:
        return []
    first = form.visible_fields()[0].auto_id if link_first_field else ""
    rows = [(first, str(error)) for error in form.non_field_errors()]
    if hasattr(form, "error_links"):  # the form names its own links (GovukErrorsMixin)
        return rows + [link for link in form.error_links() if link[0] != "id___all__"]
    return rows + _field_links(form)


@register.inclusion_tag("includes/error_summary.html")
def govuk_error_summary(
    form: Any = None,
    *,
    errors: Iterable[Any] = (),
    anchor: str = "",
    link_first_field: bool = False,
) -> dict[str, list[tuple[str, str]]]:
    """The GOV.UK error summary of a form, or of a list of errors; nothing when there
    are none. (The pack's own `{% error_summary %}`, of crispy_forms_gds, draws the
    cohort planner's form errors in its own markup.)

    `form`: each field error links to its field's first input; non-field errors are
    listed unlinked, or with `link_first_field=True` linked to the first visible field.
    `errors`: sentences, each linked to `anchor` (unlinked without one), or
    (anchor, sentence) pairs.
    """
    rows = _form_rows(form, link_first_field=link_first_field)
    for error in errors:
        if isinstance(error, tuple | list):
            where, sentence = error
            rows.append((where, sentence))
        else:
            rows.append((anchor, str(error)))
    return {"rows": rows}


@register.inclusion_tag("includes/table_head.html")
def table_head(*headers: str) -> dict[str, list[tuple[str, bool, bool]]]:
    """The head row of a GOV.UK table, one header a column, in order: "Words" or, for a
    column of figures (right-aligned), "Words:numeric"; "Words:hidden" for a column whose
    header only a screen reader needs (a column of buttons)."""
    columns = []
    for header in headers:
        words, _, kind = str(header).partition(":")
        columns.append((words, kind == "numeric", kind == "hidden"))
    return {"columns": columns}
