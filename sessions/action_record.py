"""The Participant Action Record (issue 6 (7)): a printable summary, for the participant
and the hub, of the support received (group sessions and one-to-one), the one-to-one
hours by route (O1, M3), and the next steps from the action plan (O6).

Rendered from `one_to_one/action_record.html` as a tagged PDF (peernet.pdf), in Arial
(Liberation Sans where Arial is not installed)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from django.template.loader import render_to_string

from peernet import pdf
from peernet.calendar import local_date
from peernet.hours import hours_total
from peernet.words import hours_words, number_words
from sessions.models import ActionPlan, Attendance, OneToOneReferral, OneToOneSession, SessionStatus
from sessions.one_to_one.selectors import decline_of, hours_by_route, participant_support, plan_of


def action_record_context(participant: Any, *, as_of: dt.datetime) -> dict[str, Any]:
    support = participant_support(participant, as_of=as_of)
    by_route = hours_by_route(participant)
    group = Attendance.objects.filter(
        participant=participant, present=True, session__status=SessionStatus.DELIVERED
    ).aggregate(
        sessions=Count("pk"),
        hours=hours_total(),
    )
    delivered = list(
        OneToOneSession.objects.filter(participant=participant, status=SessionStatus.DELIVERED)
        .select_related("provider")
        .order_by("starts_at", "pk")
    )
    plan: ActionPlan | None = plan_of(participant)
    latest_actions = next((s.actions_agreed for s in reversed(delivered) if s.actions_agreed), "")
    return {
        "participant": participant,
        "hub": participant.hub,
        "support": support,
        "by_route": by_route,
        "words": {
            "programme": hours_words(by_route.programme),
            "existing": hours_words(by_route.existing),
            "existing_by_hub": hours_words(by_route.existing_by_hub),
            "total": hours_words(by_route.total),
            "needed": number_words(support.needed),
            "group_hours": hours_words(group["hours"]),
        },
        "group_sessions": group["sessions"],
        "delivered": [
            {
                "session": s,
                "day": local_date(s.starts_at),
                "hours": hours_words(s.hours),
            }
            for s in delivered
        ],
        "referrals": list(
            OneToOneReferral.objects.filter(participant=participant).filter(~Q(programme_name=""))
        ),
        "decline": decline_of(participant),
        "plan": plan,
        "latest_actions": latest_actions,
        "printed_on": local_date(as_of),
    }


def action_record_html(participant: Any, *, as_of: dt.datetime) -> str:
    return render_to_string(
        "one_to_one/action_record.html", action_record_context(participant, as_of=as_of)
    )


def action_record_pdf(participant: Any, *, as_of: dt.datetime) -> bytes:
    return pdf.pdf_from_html(action_record_html(participant, as_of=as_of))
