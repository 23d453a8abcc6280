"""Template filters for the one-to-one pages."""

from __future__ import annotations

from decimal import Decimal

from django import template

from peernet.words import hours_words

register = template.Library()


@register.filter
def hours(value: Decimal | None) -> str:
    """Hours as the rules write them: 1.5, 15.0, 3.49 (never rounded to 3.5)."""
    return "" if value is None else hours_words(Decimal(value))
