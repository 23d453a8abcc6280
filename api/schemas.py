"""The shapes of the API's answers (pydantic, through django-ninja): the OpenAPI
document at /api/v1/openapi.json is generated from them (docs/api.md)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from ninja import Schema

# A figure: a whole number, a decimal as its exact string ("3.50"), or null where there
# is nothing to show (a rate of no one).
FigureValue = int | str | None


class Problem(Schema):
    """Every refusal: one sentence saying what is wrong and what to do."""

    detail: str


# The refusals any endpoint may give: a parameter that cannot be right (400), no token or
# one that does not work (401), something the user may not see or that is not there (404).
REFUSALS: dict[int, type] = {400: Problem, 401: Problem, 404: Problem}


class ReturnScope(Schema):
    level: str
    key: str = ""
    name: str = ""
    cluster: str = ""
    hubs: list[str] = []
    submitted: list[str] | None = None
    not_submitted: list[str] | None = None


class ReturnVersionOut(Schema):
    version: int
    submitted_at: str
    sha256: str
    reason: str
    narrative: str


class ReturnOut(Schema):
    """One return: figures by id (in the return's order), their labels, and breakdowns
    (equality counts of 1 to 4 suppressed as on every page, docs/security.md §7)."""

    scope: ReturnScope
    month: str
    kind: str  # "submitted" or "draft"
    figures: dict[str, FigureValue]
    labels: dict[str, str]
    breakdowns: dict[str, dict[str, Any]]
    version: ReturnVersionOut | None = None


class MonthTimeliness(Schema):
    month: str
    expected: int
    submitted: int
    on_time: int
    counts: dict[str, int]
    closed: bool
    completeness_pct: str | None
    timeliness_pct: str | None


class YearTimeliness(Schema):
    expected: int
    submitted: int
    on_time: int
    completeness_pct: str | None
    timeliness_pct: str | None


class HubTimeliness(Schema):
    hub: str
    name: str
    cluster: str
    statuses: dict[str, str]


class TimelinessOut(Schema):
    months: list[MonthTimeliness]
    year: YearTimeliness
    hubs: list[HubTimeliness]


class Page(Schema):
    """A page of a list: `next` is the cursor of the next page (null on the last)."""

    next: str | None


class HubOut(Schema):
    key: str
    name: str
    cluster: str


class HubPage(Page):
    results: list[HubOut]


class ParticipantOut(Schema):
    code: uuid.UUID
    first_name: str
    last_name: str
    email: str
    phone: str
    job_title: str
    business: str
    registered: dt.date
    eligibility_status: str
    dropped_out_on: dt.date | None
    cohort: uuid.UUID | None  # the cohort they are in now
    one_to_one_provider: str | None


class ParticipantPage(Page):
    results: list[ParticipantOut]


class CohortOut(Schema):
    code: uuid.UUID
    name: str
    planned_start: dt.date | None
    members: int  # current members
    delivered_hours: str
    scheduled_hours: str
    facilitator: str | None


class CohortPage(Page):
    results: list[CohortOut]


class MembershipOut(Schema):
    participant: uuid.UUID
    name: str
    joined: dt.date
    left: dt.date | None


class CohortDetailOut(CohortOut):
    memberships: list[MembershipOut]


class SessionOut(Schema):
    code: uuid.UUID
    cohort: uuid.UUID
    starts_at: dt.datetime
    hours: str
    status: str
    location: str


class SessionPage(Page):
    results: list[SessionOut]


class OneToOneOut(Schema):
    key: str
    participant: uuid.UUID
    provider: str | None
    starts_at: dt.datetime
    hours: str
    status: str
    route: str
    mode: str


class OneToOnePage(Page):
    results: list[OneToOneOut]


class RegistrationIn(Schema):
    """A registration, as the hub's staff form takes it (the public form's questions,
    and the day the person acknowledged the privacy notice, C2). Dates as YYYY-MM-DD;
    amounts and counts as numbers or text ("250,000"); the form's checks and messages."""

    acknowledged_on: str = ""
    business_name: str = ""
    company_number: str = ""
    postcode: str = ""
    local_authority: str = ""
    other_local_authority: str = ""
    sector: str = ""
    trading_since: str = ""
    employees: int | str = ""
    turnover: int | float | str = ""
    balance_sheet_total: int | float | str = ""
    exporter: bool = False
    scale_up_potential: bool = False
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    phone: str = ""
    job_title: str = ""
    senior_decision_maker: bool = False
    aspiration_to_improve: bool = False
    previous_year_participant: bool = False


class RegistrationOut(Schema):
    participant: uuid.UUID
    eligibility_status: str
    e9: str | None  # E9's sentence when someone else from the business is registered
    replayed: bool  # true when this key had recorded it before: nothing new was written


class RegistrationProblem(Schema):
    detail: str
    errors: dict[str, list[str]]


class SurveyRowOut(Schema):
    pseudonym: str
    hub: str
    cohort: str | None
    sector: str
    employees_band: str
    turnover_band: str
    completed: dt.date
    answers: dict[str, Any]


class SurveyPage(Page):
    results: list[SurveyRowOut]


class CompleterOut(Schema):
    pseudonym: str
    hub: str
    cohort: str
    completed: dt.date
    six_month_survey_due: dt.date
    consent: bool | None  # None: not asked
    name: str | None  # only with consent
    email: str | None  # only with consent


class CompleterPage(Page):
    results: list[CompleterOut]
