"""The session-feedback results (S2) on the facilitator's session page, without
changing that page's view: `{% session_survey_results session as survey %}`."""

from __future__ import annotations

from django import template

from participants.surveys import SessionResults
from participants.surveys import session_survey_results as results_for
from sessions.models import GroupSession

register = template.Library()


@register.simple_tag
def session_survey_results(session: GroupSession) -> SessionResults:
    return results_for(session)
