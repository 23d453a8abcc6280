"""Small builders for test data, and the personas every access test uses.

Each builder takes only what a test cares about and fills the rest with valid values.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from alumni.links import SUPPORT, support_link_issue
from alumni.services import continuing_group_start, referrals_record
from cohorts.models import Cohort, CohortMembership
from participants.links import link_open
from participants.models import Business, EligibilityStatus, Participant, SurveyResponse
from participants.surveys.selectors import instrument_current
from peernet.calendar import LONDON
from peernet.models import Cluster, Hub, Programme, Role, RoleAssignment, User
from reporting.models import ExportFile, ExportStatus
from sessions.models import GroupSession, OneToOneRoute, OneToOneSession, SessionStatus

_sequence = itertools.count(1)


def local(value: str) -> dt.datetime:
    """An aware datetime from a Europe/London wall-clock time, e.g. "2021-10-05T09:30"."""
    return dt.datetime.fromisoformat(value).replace(tzinfo=LONDON)


def make_programme(**overrides: object) -> Programme:
    values: dict[str, object] = {
        "name": "Peer Networks 2021/22",
        "delivery_start": dt.date(2021, 4, 1),
        "delivery_end": dt.date(2022, 3, 31),
        "national_target": 6000,
    }
    values.update(overrides)
    return Programme.objects.create(**values)


def make_hub(key: str, cluster: Cluster | None = None, **overrides: object) -> Hub:
    if cluster is None:
        cluster, _ = Cluster.objects.get_or_create(key="north-west", name="North West")
    values: dict[str, object] = {
        "name": f"{key.upper()} Growth Hub",
        "lep": f"{key.upper()} LEP",
        "cluster": cluster,
        "target": 150,
        "local_authorities": ["Manchester", "Salford"],
    }
    values.update(overrides)
    return Hub.objects.create(key=key, **values)


def make_business(**overrides: object) -> Business:
    n = next(_sequence)
    values: dict[str, object] = {
        "key": f"b{n}",
        "name": f"Business {n} Ltd",
        "local_authority": "Salford",
        "sector": "C",
        "trading_since": dt.date(2015, 1, 1),
        "employees": 20,
        "turnover": Decimal("1500000"),
        "balance_sheet_total": Decimal("600000"),
    }
    values.update(overrides)
    return Business.objects.create(**values)


def make_participant(
    hub: Hub, programme: Programme, business: Business | None = None, **overrides: object
) -> Participant:
    n = next(_sequence)
    values: dict[str, object] = {
        "key": f"p{n}",
        "first_name": "Alex",
        "last_name": f"Smith{n}",
        "email": f"alex{n}@example.org",
        "registered": dt.date(2021, 5, 3),
        "privacy_notice_acknowledged": dt.date(2021, 5, 3),
        "senior_decision_maker": True,
        "aspiration_to_improve": True,
        "previous_year_participant": False,
    }
    values.update(overrides)
    return Participant.objects.create(
        hub=hub, programme=programme, business=business or make_business(), **values
    )


def make_eligible(participant: Participant) -> Participant:
    participant.eligibility_status = EligibilityStatus.ELIGIBLE
    participant.eligibility_decided = participant.registered
    participant.save(update_fields=["eligibility_status", "eligibility_decided"])
    return participant


def make_cohort(hub: Hub, programme: Programme, **overrides: object) -> Cohort:
    n = next(_sequence)
    values: dict[str, object] = {"key": f"{hub.key}-{n}", "name": f"{hub.name} cohort {n}"}
    values.update(overrides)
    return Cohort.objects.create(hub=hub, programme=programme, **values)


def make_member(cohort: Cohort, participant: Participant, **overrides: object) -> CohortMembership:
    values: dict[str, object] = {"joined": dt.date(2021, 5, 20)}
    values.update(overrides)
    return CohortMembership.objects.create(cohort=cohort, participant=participant, **values)


def make_session(cohort: Cohort, starts_at: str = "2021-06-01T09:30", **overrides: object):
    n = next(_sequence)
    values: dict[str, object] = {"key": f"{cohort.key}-s{n}", "hours": Decimal("3")}
    values.update(overrides)
    return GroupSession.objects.create(cohort=cohort, starts_at=local(starts_at), **values)


# A moment after cohort A's session of 5 October 2021 (09:30, three hours) has ended.
AFTER_THE_SESSION = local("2021-10-05T13:00")


def make_delivered_session(personas: Personas) -> GroupSession:
    """Cohort A's session delivered on 5 October 2021: the one the facilitator writes up."""
    return make_session(personas.cohort_a, "2021-10-05T09:30", status=SessionStatus.DELIVERED)


def facilitation_url(name: str, session: GroupSession) -> str:
    """The address of `session`'s page `name` in the facilitator's area."""
    kwargs = {"hub": session.cohort.hub.key, "code": session.code}
    return reverse(f"facilitation:{name}", kwargs=kwargs)


def session_edit_url(session: GroupSession) -> str:
    """The address of the hub's page that moves or cancels `session`."""
    cohort = session.cohort
    kwargs = {"hub": cohort.hub.key, "code": cohort.code, "session": session.code}
    return reverse("hub:session-edit", kwargs=kwargs)


def make_one_to_one(participant: Participant, provider: User | None, **overrides: object):
    n = next(_sequence)
    values: dict[str, object] = {
        "key": f"{participant.key}-o{n}",
        "starts_at": local("2021-06-10T14:00"),
        "hours": Decimal("1.5"),
        "route": OneToOneRoute.PROGRAMME,
    }
    values.update(overrides)
    return OneToOneSession.objects.create(participant=participant, provider=provider, **values)


def make_user(
    role: str, hub: Hub | None = None, cohort: Cohort | None = None, **overrides: object
) -> User:
    n = next(_sequence)
    values: dict[str, object] = {"name": f"{role.title()} {n}"}
    values.update(overrides)
    email = str(values.pop("email", f"{role}{n}@example.org"))
    user = User.objects.create_user(email=email, password=None, **values)
    RoleAssignment.objects.create(
        user=user, role=role, hub=hub or (cohort.hub if cohort else None), cohort=cohort
    )
    return user


@dataclass
class Personas:
    """Two hubs with one of everything, and a person in every role (docs/security.md §1)."""

    programme: Programme
    hub_a: Hub
    hub_b: Hub
    cohort_a: Cohort
    cohort_a2: Cohort
    cohort_b: Cohort
    participant_a: Participant  # in cohort_a, assigned to provider
    participant_a2: Participant  # in cohort_a2 (another facilitator's)
    participant_b: Participant
    # A two-hub business (docs/security.md §1): registered with hub B from participant_a's
    # business. Ruled out, so E9 and the returns read as without them; a test that needs
    # them eligible or pending says so.
    participant_b_same_business: Participant
    coordinator: User
    funder: User
    evaluator: User
    hub_a_admin: User
    hub_b_admin: User
    facilitator: User  # facilitates cohort_a only
    provider: User  # provides one-to-one support to participant_a only


def make_personas() -> Personas:
    programme = make_programme()
    hub_a = make_hub("hub-a")
    hub_b = make_hub("hub-b", cluster=Cluster.objects.create(key="midlands", name="Midlands"))
    cohort_a = make_cohort(hub_a, programme)
    cohort_a2 = make_cohort(hub_a, programme)
    cohort_b = make_cohort(hub_b, programme)
    provider = make_user(Role.ONE_TO_ONE_PROVIDER, hub=hub_a)
    participant_a = make_eligible(make_participant(hub_a, programme, one_to_one_provider=provider))
    participant_a2 = make_eligible(make_participant(hub_a, programme))
    participant_b = make_eligible(make_participant(hub_b, programme))
    participant_b_same_business = make_participant(
        hub_b,
        programme,
        business=participant_a.business,
        first_name="Bronwen",
        last_name="Otherhub",
        email="bronwen.otherhub@example.org",
        eligibility_status=EligibilityStatus.INELIGIBLE,
        eligibility_decided=dt.date(2021, 5, 10),
    )
    make_member(cohort_a, participant_a)
    make_member(cohort_a2, participant_a2)
    make_member(cohort_b, participant_b)
    return Personas(
        programme=programme,
        hub_a=hub_a,
        hub_b=hub_b,
        cohort_a=cohort_a,
        cohort_a2=cohort_a2,
        cohort_b=cohort_b,
        participant_a=participant_a,
        participant_a2=participant_a2,
        participant_b=participant_b,
        participant_b_same_business=participant_b_same_business,
        coordinator=make_user(Role.COORDINATOR),
        funder=make_user(Role.FUNDER),
        evaluator=make_user(Role.EVALUATOR),
        hub_a_admin=make_user(Role.HUB_ADMIN, hub=hub_a),
        hub_b_admin=make_user(Role.HUB_ADMIN, hub=hub_b),
        facilitator=make_user(Role.FACILITATOR, cohort=cohort_a),
        provider=provider,
    )


# --- second factor (docs/security.md §11): sign in through the real pages -------------------


def make_totp_device(user: User, *, confirmed: bool = True, name: str = "Authenticator app"):
    """A TOTP device for `user`, as the enrolment page leaves it; `totp_now(device)` gives
    the code an authenticator app would show now."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.create(user=user, name=name, confirmed=confirmed)


def totp_now(device, at: dt.datetime | None = None) -> str:
    """The device's 6-digit code now (or at `at`). A code is accepted once per 30-second
    step (the replay check): to sign in twice in one test, move the clock on (time_machine)."""
    import time

    from django_otp.oath import TOTP

    generator = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    generator.time = at.timestamp() if at is not None else time.time()
    return f"{generator.token():0{device.digits}d}"


# --- submitted monthly returns, as the national area reads them ---------------------------


def make_return_version(
    hub: Hub,
    month: dt.date,
    submitted_at: dt.datetime,
    *,
    figures: dict | None = None,
    breakdowns: dict | None = None,
    parts: dict | None = None,
    narrative: str = "A steady month.",
    by: User | None = None,
):
    """A submitted version with hand-made figures (every other figure 0), for tests of what
    reads returns. Submitting through reporting.returns computes the figures instead."""
    from reporting import kpi
    from reporting.models import MonthlyReturn, ReturnVersion

    monthly_return, _ = MonthlyReturn.objects.get_or_create(hub=hub, month=month)
    rates = (
        "attendance_rate_month",
        "attendance_rate_cumulative",
        "session_satisfaction_mean_month",
        "session_satisfaction_mean_cumulative",
        "started_vs_target_pct",
    )
    values = dict.fromkeys(kpi.FIGURE_IDS, 0) | dict.fromkeys(rates) | (figures or {})
    version = monthly_return.versions.count() + 1
    return ReturnVersion.objects.create(
        monthly_return=monthly_return,
        version=version,
        figures=kpi.figures_json(values),
        breakdowns=breakdowns or {},
        parts={rate: {"numerator": 0, "denominator": 0} for rate in rates[:4]} | (parts or {}),
        narrative=narrative,
        sha256="0" * 64,
        submitted_at=submitted_at,
        submitted_by=by or make_user(Role.HUB_ADMIN, hub=hub),
        reason="" if version == 1 else "Corrected figures.",
    )


def make_survey_invitation(participant: Participant, kind: str = "baseline", **overrides: object):
    """An invitation to the active instrument of `kind` (for a session: pass `session`)."""
    from participants.models import SurveyInstrument, SurveyInvitation

    values: dict[str, object] = {"expires_at": dt.datetime(2021, 7, 1, tzinfo=dt.UTC)}
    values.update(overrides)
    return SurveyInvitation.objects.create(
        participant=participant,
        kind=kind,
        instrument=SurveyInstrument.objects.get(kind=kind, active=True),
        **values,
    )


def make_finished_export(requested_by: User, params: dict):
    """A monthly return's CSV download, finished (a one-line file), asked for by `requested_by`
    with the export form's `params` (area, key, month)."""
    return ExportFile.objects.create(
        kind="return-csv",
        params=params,
        requested_by=requested_by,
        status=ExportStatus.COMPLETE,
        progress=100,
        filename="return.csv",
        content_type="text/csv; charset=utf-8",
        file=ContentFile(b"level\r\n", name="return.csv"),
        completed_at=timezone.now(),
    )


def date_fields(name: str, day: str, month: str, year: str) -> dict[str, str]:
    """A GOV.UK date input's three boxes as a form posts them (`<name>_0` is the day)."""
    return {f"{name}_0": day, f"{name}_1": month, f"{name}_2": year}


def schedule_form(**overrides: str) -> dict[str, str]:
    """A cohort's schedule planner as posted: a session every two weeks from 14 December
    2021 at 09:30, three hours each to 18 hours, at Salford Innovation Forum; `overrides`
    change or add fields."""
    data = {
        **date_fields("first_day", "14", "12", "2021"),
        "start_time": "09:30",
        "cadence_weeks": "2",
        "session_hours": "3",
        "total_hours": "18",
        "location": "Salford Innovation Forum",
    }
    data.update(overrides)
    return data


def registration_form(**overrides: str) -> dict[str, str]:
    """The public registration form's questions page as posted for Priya Patel of Acme
    Widgets Ltd, an eligible-looking business in Salford (every yes/no question answered);
    `overrides` change or add fields."""
    data = {
        "business_name": "Acme Widgets Ltd",
        "company_number": "01234567",
        "postcode": "m1 1aa",
        "local_authority": "Salford",
        "other_local_authority": "",
        "sector": "C",
        "trading_since_0": "1",
        "trading_since_1": "3",
        "trading_since_2": "2015",
        "employees": "20",
        "turnover": "£1,500,000",
        "balance_sheet_total": "600000",
        "exporter": "yes",
        "scale_up_potential": "no",
        "first_name": "Priya",
        "last_name": "Patel",
        "email": "priya@example.org",
        "phone": "0161 000 0000",
        "job_title": "Managing director",
        "senior_decision_maker": "yes",
        "aspiration_to_improve": "yes",
        "previous_year_participant": "no",
        "website": "",
    }
    data.update(overrides)
    # Registered with Companies House when a company number is given, unless said.
    data.setdefault("has_company_number", "yes" if data["company_number"] else "no")
    return data


def make_cohort_member(
    cohort: Cohort,
    *,
    joined: dt.date | None = None,
    left: dt.date | None = None,
    **overrides: object,
) -> Participant:
    """An eligible participant of the cohort's hub and programme year who joined the cohort
    (`joined`, `left`: the membership's dates; `overrides`: the participant's)."""
    participant = make_eligible(make_participant(cohort.hub, cohort.programme, **overrides))
    dates = {"joined": joined, "left": left}
    make_member(cohort, participant, **{k: day for k, day in dates.items() if day is not None})
    return participant


def make_api_token(user: User, **kwargs: object) -> str:
    """A personal API token of `user` (api.tokens), as its `Authorization` header value."""
    from api.tokens import api_token_create

    _, secret = api_token_create(user=user, name="Test token", **kwargs)  # type: ignore[arg-type]
    return f"Bearer {secret}"


# --- after the programme (alumni/) ----------------------------------------------------------


def make_completed(cohort: Cohort, first: str = "2021-06-01T09:30") -> list[GroupSession]:
    """Six delivered three-hour sessions a week apart: the cohort's 18 hours (K2), so it
    completed on the sixth's day (6 July 2021 from the default `first`)."""
    start = local(first)
    return [
        GroupSession.objects.create(
            cohort=cohort,
            key=f"{cohort.key}-done{n}",
            starts_at=start + dt.timedelta(weeks=n),
            hours=Decimal("3"),
            status=SessionStatus.DELIVERED,
        )
        for n in range(6)
    ]


def make_continuing_group(cohort: Cohort, by: User | None = None):
    """The cohort completed and started as a continuing group, its members invited."""
    make_completed(cohort)
    return continuing_group_start(cohort=cohort, by=by)


def make_referral(participant: Participant, key: str = "help-to-grow-management"):
    """The participant asked, through their support link, to be introduced to the scheme
    `key` (a national one by default) of their hub."""
    token = support_link_issue(participant=participant)
    link = link_open(token, kind=SUPPORT)
    (referral,) = referrals_record(link=link, keys=[key])
    return referral


def make_survey_response(
    participant: Participant,
    kind: str,
    completed: dt.date,
    answers: dict,
    session: GroupSession | None = None,
) -> SurveyResponse:
    """The participant's answers to the current instrument of `kind`, completed that day
    (as if imported: no invitation)."""
    return SurveyResponse.objects.create(
        participant=participant,
        instrument=instrument_current(kind),
        kind=kind,
        session=session,
        completed=completed,
        answers=answers,
    )
