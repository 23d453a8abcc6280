"""Shapes the apps' models share, so each is written once: a field held to its choices by
the database, the member of staff a row names, a link set only for one kind of row, and
rows written once and never changed; the next free key of a record; and a row's changed
fields saved.

Each helper builds exactly what the models spelt out before, so the migrations see no
change."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q


def choices_check(
    field: str, choices: type[models.Choices], *, name: str, blank: bool = False
) -> models.CheckConstraint:
    """The database refuses a value outside the field's choices (and, with `blank`,
    accepts the empty "not answered")."""
    condition = Q(**{f"{field}__in": choices.values})
    if blank:
        condition = Q(**{field: ""}) | condition
    return models.CheckConstraint(condition=condition, name=name)


def set_only_when(field: str, *, name: str, **when: str) -> models.CheckConstraint:
    """`field` (a link) is set for the rows that match `when`, and only for them: a
    session's feedback survey names its session, no other survey does."""
    return models.CheckConstraint(
        condition=(
            Q(**when, **{f"{field}__isnull": False})
            | (~Q(**when) & Q(**{f"{field}__isnull": True}))
        ),
        name=name,
    )


def staff_member() -> models.ForeignKey:
    """The member of staff who recorded, decided or wrote a row. The row outlives their
    account (the link is emptied, never cascaded), and the user has no reverse accessor."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )


def save_fields(instance: models.Model, *also: str, **values: Any) -> None:
    """Set `values` on the row and save those fields only, with the fields named in
    `also` (set already, by the caller)."""
    for name, value in values.items():
        setattr(instance, name, value)
    instance.save(update_fields=[*values, *also])


def next_key(taken: models.QuerySet, stem: str, *, made: int) -> str:
    """`<stem><n>`: n one more than the `made` records counted so far, skipping keys
    already `taken` (records imported from a scenario may be keyed otherwise)."""
    n = made + 1
    while taken.filter(key=f"{stem}{n}").exists():
        n += 1
    return f"{stem}{n}"


class WrittenOnceQuerySet:
    """Rows written once and never changed or deleted (the audit trail, a submitted
    return: docs/security.md 21 and 26): no bulk route round the model either. A
    database trigger refuses UPDATE and DELETE underneath as well.

    A mixin, put before the queryset class it guards (`class X(WrittenOnceQuerySet,
    ScopedQuerySet)`): a QuerySet of its own would give django-stubs two `as_manager`s
    to reconcile."""

    refusal: type[Exception] = Exception
    never_changes = ""
    never_deleted = ""

    def update(self, **kwargs: object) -> int:
        raise self.refusal(self.never_changes)

    def delete(self) -> tuple[int, dict[str, int]]:
        raise self.refusal(self.never_deleted)

    def bulk_update(self, *args: object, **kwargs: object) -> int:
        raise self.refusal(self.never_changes)
