"""GOV.UK components whose inputs a template cannot shape by itself: `{% load govuk %}`.

Each tag only arranges what the page already has into the rows its include draws
(`templates/includes/`); the markup lives in the include.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from crispy_forms_gds.templatetags.crispy_forms_gds import field_errors
from django import forms, template
from django.template.base import FilterExpression
from django.template.loader import get_template

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


class _TableNode(template.Node):
    def __init__(
        self,
        rows: FilterExpression,
        names: list[str],
        headers: list[FilterExpression],
        options: dict[str, FilterExpression],
        nodelist: template.NodeList,
    ) -> None:
        self.rows, self.names, self.headers = rows, names, headers
        self.options, self.nodelist = options, nodelist

    def _row(self, context: template.Context, row: Any, index: int, count: int) -> str:
        if len(self.names) > 1:
            named = dict(zip(self.names, row, strict=True))
        else:
            named = {self.names[0]: row}
        loop = {"counter": index + 1, "counter0": index, "first": index == 0}
        loop["last"] = index == count - 1
        with context.push(forloop=loop, **named):
            return self.nodelist.render(context)

    def render(self, context: template.Context) -> str:
        rows = list(self.rows.resolve(context) or ())
        options = {name: value.resolve(context) for name, value in self.options.items()}
        # Each row as the engine drew it (escaped there), in order.
        body = [self._row(context, row, i, len(rows)) for i, row in enumerate(rows)]
        headers = [header.resolve(context) for header in self.headers]
        return get_template("includes/table.html").render(
            {**options, **table_head(*headers), "rows": rows, "body": body}
        )


@register.tag
def govuk_table(parser: template.base.Parser, token: template.base.Token) -> _TableNode:
    """A GOV.UK table of `rows`, or a sentence when there are none:

        {% govuk_table members as m "Name" "Hours:numeric" caption="…" empty="…" %}
          <tr class="govuk-table__row">…{{ m.name }}…</tr>
        {% end_govuk_table %}

    The body is drawn once a row, with the row as the name after `as` (`as session,joining`
    unpacks a pair) and `forloop` as in `{% for %}`; the headers are `{% table_head %}`'s.
    Options: `caption` (visually hidden, or shown at `caption_size` "m" or "s"; a link
    to `caption_url`), `empty` (the sentence shown instead of an empty table), `classes`
    and `data_table` (the table element's own)."""
    bits = token.split_contents()
    if len(bits) < 4 or bits[2] != "as":
        raise template.TemplateSyntaxError("{% govuk_table rows as row … %}")
    headers, options = [], {}
    for bit in bits[4:]:
        name, equals, value = bit.partition("=")
        if equals and name.isidentifier():
            options[name] = parser.compile_filter(value)
        else:
            headers.append(parser.compile_filter(bit))
    nodelist = parser.parse(("end_govuk_table",))
    parser.delete_first_token()
    rows = parser.compile_filter(bits[1])
    return _TableNode(rows, bits[3].split(","), headers, options, nodelist)


@register.inclusion_tag("includes/list_head.html")
def list_head(listing: Any) -> dict[str, Any]:
    """The head row of a filtered list (peernet.lists): each sortable heading a link that
    keeps the filters, with `aria-sort` on each."""
    return {"headings": listing.headings}
