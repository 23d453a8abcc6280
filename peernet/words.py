"""How the product writes dates, times, hours, numbers and money in a sentence.

A rule's sentence, a page and an email say "31 March 2022", "09:30 on 3 June 2021",
"15.0 hours" and "£100,000" the same way because they all ask here. Times are London's
(peernet.calendar).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from peernet.calendar import LONDON, local_date


def date_words(day: dt.date) -> str:
    """31 March 2022 (no leading zero)."""
    return f"{day.day} {day:%B %Y}"


def time_words(moment: dt.datetime) -> str:
    """09:30 in London."""
    return f"{moment.astimezone(LONDON):%H:%M}"


def when_words(moment: dt.datetime) -> str:
    """09:30 on 3 June 2021."""
    return f"{time_words(moment)} on {date_words(local_date(moment))}"


def hours_words(value: Decimal) -> str:
    """Measured hours: one decimal (15.0), or more where it matters (3.49 is not 3.5)."""
    if value == value.quantize(Decimal("0.1")):
        return f"{value:.1f}"
    return f"{value.normalize():f}"


def number_words(value: Decimal | int) -> str:
    """A programme parameter as people write it: 18, 3.5, 11."""
    return f"{Decimal(value).normalize():f}"


def money_words(value: Decimal) -> str:
    """£100,000 (pence only when there are some)."""
    return f"£{value:,.0f}" if value == value.to_integral_value() else f"£{value:,.2f}"


def plural_words(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def duration_words(delta: dt.timedelta) -> str:
    """47 hours 59 minutes; 48 hours; 5 minutes."""
    minutes = int(abs(delta).total_seconds()) // 60
    hours, minutes = divmod(minutes, 60)
    parts = [plural_words(hours, "hour")] if hours else []
    if minutes or not hours:
        parts.append(plural_words(minutes, "minute"))
    return " ".join(parts)


def yes_no_words(value: bool | None) -> str:
    """A yes/no answer as a page shows it; None is an answer not known."""
    return "Not known" if value is None else ("Yes" if value else "No")
