"""One home for "filter a list" (the GOV.UK pattern): a list page's filter form, its
sortable columns and its pages, with all of its state in the URL.

A list page names its `Column`s (the words of each heading and the fields it orders by,
a whitelist: the `sort` parameter is a choice among them, never passed to `order_by`
as it came) and its filter form (a `ListFilterForm`: search text and fixed choices,
validated like any form). `list_page` reads the request's GET parameters and answers a
`Listing`: the page of rows, the headings (with their links and `aria-sort`), the query
strings that keep the filters and the sort on every link, and the sentence "Showing 51
to 100 of 312". A bad value (an unknown status, an unknown sort) is a form error shown
in the error summary, and the list is shown unfiltered in its usual order, never a 500.

The templates: `includes/list_filter.html` (the filter panel), `{% list_head listing %}`
(the sortable head row) and `includes/list_pages.html` (the count and the pagination).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.paginator import Page, Paginator
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest, QueryDict

PAGE_SIZE = 50
SORT_MESSAGE = "Sort by one of the columns in the table"

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Column:
    """One column of a list: `key` names it in `?sort=key` (`-key` for descending);
    `order` the fields it orders by (empty: a column that does not sort)."""

    key: str
    words: str
    order: tuple[str, ...] = ()
    numeric: bool = False
    hidden: bool = False


@dataclass(frozen=True)
class Heading:
    words: str
    numeric: bool
    hidden: bool
    href: str = ""
    aria_sort: str = ""


@dataclass
class Listing:
    """What a list page draws: its page of rows and the links that keep its state."""

    form: forms.Form
    page: Page
    headings: list[Heading]
    sort: str
    query: str  # the filters and the sort, for the pagination's links
    filtered: bool  # whether any filter narrows the list (for the empty state)
    cleaned: dict[str, Any] = field(default_factory=dict)

    @property
    def showing(self) -> str:
        count = self.page.paginator.count
        if not count:
            return ""
        return f"Showing {self.page.start_index()} to {self.page.end_index()} of {count}"


class ListFilterForm(forms.Form):
    """A list's filter form: subclasses add their search and choice fields; `sort` is
    set from the list's columns by `list_page`."""

    sort = forms.ChoiceField(
        required=False,
        choices=[("", "")],
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": SORT_MESSAGE},
    )

    def __init__(
        self, data: QueryDict | None = None, *, columns: Sequence[Column] = (), **kwargs: Any
    ):
        super().__init__(data, **kwargs)
        keys = [c.key for c in columns if c.order]
        sort = self.fields["sort"]
        assert isinstance(sort, forms.ChoiceField)
        sort.choices = [("", ""), *[(k, k) for k in keys], *[(f"-{k}", k) for k in keys]]

    def offer(self, name: str, choices: Sequence[tuple[str, str]]) -> None:
        """The choices of the filter `name`, known only per request (the hub's cohorts)."""
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = list(choices)

    def full_clean(self) -> None:
        """An unknown sort is the list's error (the error summary's), not a hidden field's."""
        super().full_clean()
        errors = self.errors
        if "sort" in errors:
            refused = errors.pop("sort")
            errors.setdefault(NON_FIELD_ERRORS, self.error_class(error_class="nonfield"))
            errors[NON_FIELD_ERRORS].extend(refused)


def choice_filter(
    label: str, message: str, choices: Sequence[tuple[str, str]] = ()
) -> forms.ChoiceField:
    """A list's filter by one of a few values (a status, a cohort): never required; a
    value it does not offer is `message` ("Select a cohort from the list"). Choices
    known only per request (the hub's cohorts) are given by `ListFilterForm.offer`."""
    return forms.ChoiceField(
        label=label,
        required=False,
        choices=list(choices),
        error_messages={"invalid_choice": message},
    )


class PlainDateInput(forms.DateInput):
    """The browser's own date picker; its value is the ISO date (2026-03-31)."""

    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


def date_filter(label: str, which: str) -> forms.DateField:
    """A list's filter by a day (`which`: "from", "to"): the browser's date input, an ISO
    date; a day that does not exist is a message naming it."""
    return forms.DateField(
        label=label,
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=PlainDateInput(),
        error_messages={
            "invalid": f"Enter the {which} date as a real date, for example 2026-03-31"
        },
    )


def search_field(label: str) -> forms.CharField:
    """A list's search box: plain text of at most 100 characters, never required."""
    return forms.CharField(
        label=label,
        required=False,
        max_length=100,
        error_messages={"max_length": "Search for 100 characters or fewer"},
    )


def chosen_field(*, coerce: Callable[[str], Any], nothing: str, foreign: str) -> Any:
    """The rows ticked on a list for a bulk action: their keys, each one of the form's
    choices (the rows the user may act on); `nothing` when none is ticked, `foreign` for
    a key that is not on the list."""
    return forms.TypedMultipleChoiceField(
        coerce=coerce,
        choices=(),
        error_messages={"required": nothing, "invalid_choice": foreign},
    )


def search_condition(words: str, fields: Sequence[str]) -> Q:
    """Plain text matched (contains, any case) against each of `fields`, never a lookup;
    an empty condition for no words."""

    words = words.strip()
    condition = Q()
    if words:
        for name in fields:
            condition |= Q(**{f"{name}__icontains": words})
    return condition


def _ordering(columns: Sequence[Column], sort: str) -> tuple[str, ...]:
    descending = sort.startswith("-")
    column = next(c for c in columns if c.key == sort.lstrip("-"))
    return tuple(f"-{name}" if descending else name for name in column.order)


def _headings(columns: Sequence[Column], sort: str, filters: QueryDict) -> list[Heading]:
    headings = []
    for column in columns:
        if not column.order:
            headings.append(Heading(column.words, column.numeric, column.hidden))
            continue
        current = sort.lstrip("-") == column.key
        descending = current and sort.startswith("-")
        query = filters.copy()
        query["sort"] = column.key if (not current or descending) else f"-{column.key}"
        aria = ("descending" if descending else "ascending") if current else "none"
        headings.append(
            Heading(column.words, column.numeric, column.hidden, f"?{query.urlencode()}", aria)
        )
    return headings


def page_of(request: HttpRequest, rows: Sequence[Any] | QuerySet[Any], per_page: int) -> Page:
    """The page of `rows` the request's `page` parameter names: the first page for a
    value that is not a number, the last for one past the end. Every list pages here."""
    return Paginator(rows, per_page).get_page(request.GET.get("page"))


def query_kept(request: HttpRequest) -> str:
    """The request's parameters but its page, for a page whose filters are not a
    `ListFilterForm`: its pagination's links keep them."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def list_page(
    request: HttpRequest,
    *,
    form_class: type[ListFilterForm],
    columns: Sequence[Column],
    rows: Callable[[dict[str, Any]], QuerySet[M]],
    default_order: tuple[Any, ...],
    form_kwargs: dict[str, Any] | None = None,
    per_page: int = PAGE_SIZE,
) -> Listing:
    """The list page of `request`: its filter form validated; `rows(cleaned_data)` (the
    cleaned filters, empty when the form is not valid) ordered by the chosen column or
    by `default_order`, then by primary key (so pages never overlap); one page of it."""

    form = form_class(request.GET or None, columns=columns, **(form_kwargs or {}))
    cleaned: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        cleaned = form.cleaned_data
    sort = cleaned.get("sort", "")
    order: tuple[Any, ...] = _ordering(columns, sort) if sort else default_order
    if not {"pk", "-pk"} & set(order):
        order = (*order, "-pk" if str(order[0]).startswith("-") else "pk")
    queryset = rows(cleaned).order_by(*order)
    page = page_of(request, queryset, per_page)
    filters = QueryDict(mutable=True)
    for name, value in cleaned.items():
        if name != "sort" and value not in ("", None, False):
            filters[name] = str(getattr(value, "pk", value))
    query = filters.copy()
    if sort:
        query["sort"] = sort
    return Listing(
        form=form,
        page=page,
        headings=_headings(columns, sort, filters),
        sort=sort,
        query=query.urlencode(),
        filtered=bool(filters),
        cleaned=cleaned,
    )
