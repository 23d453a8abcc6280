"""Survey results for the pages (S2 per session, response rates, satisfaction over
time, distance travelled, the hub's equality answers as suppressed counts) and S5, who
the evaluator surveys. Reads only, each in a fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, DecimalField, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.fields.json import KT, KeyTransform
from django.db.models.functions import Cast, Coalesce, TruncMonth

from cohorts.models import Cohort
from participants.models import (
    AgeBand,
    Disability,
    EqualityData,
    EthnicGroup,
    Gender,
    Participant,
    SurveyInstrument,
    SurveyInvitation,
    SurveyKind,
    SurveyResponse,
)
from participants.surveys.instruments import NUMERIC_TYPES
from participants.surveys.selectors import cohorts_completed_on, completer_memberships
from peernet.calendar import add_months
from peernet.hours import hours_total
from peernet.models import Hub
from peernet.privacy.pseudonyms import evaluator_pseudonym
from peernet.privacy.suppression import suppress_counts
from sessions.models import Attendance, GroupSession, SessionStatus

EVALUATOR_FOLLOW_UP_MONTHS = 6  # S5: the evaluator's second survey


def number_in(field: str, key: str) -> Cast:
    """A numeric answer read in SQL from the JSON `field` (a path such as "answers")."""
    return Cast(KT(f"{field}__{key}"), DecimalField(max_digits=16, decimal_places=4))


def _number(key: str) -> Cast:
    return number_in("answers", key)


@dataclass(frozen=True)
class Rate:
    kind: str
    label: str
    expected: int
    responded: int

    @property
    def percent(self) -> int | None:
        if not self.expected:
            return None
        return round(Decimal(100) * self.responded / self.expected)


@dataclass(frozen=True)
class SessionResults:
    present: int
    responded: int
    satisfaction: Decimal | None  # mean of overall_satisfaction, 2 decimals
    usefulness: Decimal | None
    comments: list[str]

    @property
    def percent(self) -> int | None:
        if not self.present:
            return None
        return round(Decimal(100) * self.responded / self.present)


def _mean(value: Decimal | None) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(Decimal("0.01"))


def session_survey_results(session: GroupSession) -> SessionResults:
    """S2 for one session: response rate among those present, mean satisfaction and
    usefulness, and the comments for the facilitator (no names). Three queries."""
    present = Attendance.objects.filter(session=session, present=True).count()
    responses = SurveyResponse.objects.filter(session=session, kind=SurveyKind.SESSION_FEEDBACK)
    figures = responses.aggregate(
        n=Count("pk"),
        satisfaction=Avg(_number("overall_satisfaction")),
        usefulness=Avg(_number("usefulness")),
    )
    comments = [
        text
        for row in responses.order_by("pk").values_list(
            KT("answers__one_change"), KT("answers__comments")
        )
        for text in row
        if text
    ]
    return SessionResults(
        present=present,
        responded=figures["n"],
        satisfaction=_mean(figures["satisfaction"]),
        usefulness=_mean(figures["usefulness"]),
        comments=sorted(comments),
    )


def cohort_session_feedback(cohort: Cohort) -> QuerySet[GroupSession]:
    """The cohort's delivered sessions, each with `present`, `responded` and its mean
    `satisfaction` (None without answers), from one query."""
    feedback = (
        SurveyResponse.objects.filter(session=OuterRef("pk"), kind=SurveyKind.SESSION_FEEDBACK)
        .order_by()
        .values("session")
    )
    present = (
        Attendance.objects.filter(session=OuterRef("pk"), present=True)
        .order_by()
        .values("session")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    return (
        GroupSession.objects.filter(cohort=cohort, status=SessionStatus.DELIVERED)
        .annotate(
            present=Coalesce(Subquery(present), 0),
            responded=Coalesce(Subquery(feedback.annotate(n=Count("pk")).values("n")[:1]), 0),
            satisfaction=Subquery(
                feedback.annotate(m=Avg(_number("overall_satisfaction"))).values("m")[:1]
            ),
        )
        .order_by("starts_at")
    )


def _completed_cohort_ids(cohorts: QuerySet[Cohort]) -> list[int]:
    return list(
        cohorts.annotate(
            delivered=hours_total(
                "sessions__hours", filter=Q(sessions__status=SessionStatus.DELIVERED)
            )
        )
        .filter(delivered__gte=F("programme__cohort_hours"))
        .values_list("pk", flat=True)
    )


def response_rates(cohorts: QuerySet[Cohort]) -> list[Rate]:
    """Response rates by kind over these cohorts: baseline among members, feedback among
    attendances at delivered sessions, exit among those who stayed in a cohort that has
    delivered its hours, drop-out among those who dropped out. Counted in SQL."""
    cohort_ids = list(cohorts.values_list("pk", flat=True))
    members = Participant.objects.filter(memberships__cohort_id__in=cohort_ids).distinct()
    done = _completed_cohort_ids(Cohort.objects.filter(pk__in=cohort_ids))
    stayed = completer_memberships(done).values("participant_id")
    completers = Participant.objects.filter(pk__in=stayed)
    dropped = members.filter(dropped_out_on__isnull=False)

    def answered(people: QuerySet[Participant], kind: str) -> int:
        return (
            SurveyResponse.objects.filter(participant__in=people.values("pk"), kind=kind)
            .values("participant")
            .distinct()
            .count()
        )

    present = Attendance.objects.filter(
        session__cohort_id__in=cohort_ids, session__status=SessionStatus.DELIVERED, present=True
    )
    feedback = SurveyResponse.objects.filter(
        kind=SurveyKind.SESSION_FEEDBACK,
        session__cohort_id__in=cohort_ids,
        session__status=SessionStatus.DELIVERED,
    )
    return [
        Rate("baseline", "Baseline (S1)", members.count(), answered(members, SurveyKind.BASELINE)),
        Rate("session_feedback", "After each session (S2)", present.count(), feedback.count()),
        Rate("exit", "Exit (S3)", completers.count(), answered(completers, SurveyKind.EXIT)),
        Rate("dropout", "Drop-out (S4)", dropped.count(), answered(dropped, SurveyKind.DROPOUT)),
    ]


@dataclass(frozen=True)
class MonthSatisfaction:
    month: dt.date
    responses: int
    satisfaction: Decimal | None


def satisfaction_by_month(cohorts: QuerySet[Cohort]) -> list[MonthSatisfaction]:
    """Session feedback over time: responses and mean satisfaction by month completed."""
    rows = (
        SurveyResponse.objects.filter(
            kind=SurveyKind.SESSION_FEEDBACK, session__cohort__in=cohorts.values("pk")
        )
        .annotate(month=TruncMonth("completed"))
        .values("month")
        .annotate(n=Count("pk"), mean=Avg(_number("overall_satisfaction")))
        .order_by("month")
    )
    return [MonthSatisfaction(r["month"], r["n"], _mean(r["mean"])) for r in rows]


@dataclass(frozen=True)
class Distance:
    key: str
    text: str
    pairs: int  # people who answered it at baseline and at exit
    baseline: Decimal | None
    exit: Decimal | None
    # Six months on (S5): over the people who answered it at baseline, at exit and in
    # the evaluator's follow-up, the mean of each of their three answers.
    followed: int = 0
    followed_baseline: Decimal | None = None
    followed_exit: Decimal | None = None
    six_months: Decimal | None = None

    @property
    def change(self) -> Decimal | None:
        if self.baseline is None or self.exit is None:
            return None
        return self.exit - self.baseline

    @property
    def change_six_months(self) -> Decimal | None:
        """From baseline to six months on, over the people who answered all three."""
        if self.followed_baseline is None or self.six_months is None:
            return None
        return self.six_months - self.followed_baseline


def matched_questions() -> list[dict]:
    """The numeric questions asked at baseline and again at exit (the current exit
    instrument's `matched` questions)."""
    exit_instrument = SurveyInstrument.objects.filter(kind=SurveyKind.EXIT, active=True).first()
    if exit_instrument is None:
        return []
    return [q for q in exit_instrument.questions if q.get("matched") and q["type"] in NUMERIC_TYPES]


def _answer_of(kind: str, key: str) -> Subquery:
    """The same person's numeric answer to `key` in their survey of `kind`."""
    answers = SurveyResponse.objects.filter(kind=kind, participant=OuterRef("participant"))
    return Subquery(answers.annotate(v=_number(key)).values("v")[:1])


def distance_travelled(participants: QuerySet[Participant]) -> list[Distance]:
    """Each matched question compared per person (their exit answer against their own
    baseline answer), summarised as means over the people who answered both; and,
    for those who also answered the six-month follow-up (S5), baseline, exit and six
    months on over the people who answered all three. One query."""
    questions = matched_questions()
    if not questions:
        return []
    exits = SurveyResponse.objects.filter(
        kind=SurveyKind.EXIT, participant__in=participants.values("pk")
    )
    annotations: dict[str, Any] = {}
    aggregates: dict[str, Any] = {}
    for n, question in enumerate(questions):
        key = question["key"]
        annotations[f"b{n}"] = _answer_of(SurveyKind.BASELINE, key)
        annotations[f"e{n}"] = _number(key)
        annotations[f"f{n}"] = _answer_of(SurveyKind.FOLLOW_UP, key)
        both = Q(**{f"b{n}__isnull": False, f"e{n}__isnull": False})
        three = both & Q(**{f"f{n}__isnull": False})
        aggregates[f"n{n}"] = Count("pk", filter=both)
        aggregates[f"bm{n}"] = Avg(f"b{n}", filter=both)
        aggregates[f"em{n}"] = Avg(f"e{n}", filter=both)
        aggregates[f"nf{n}"] = Count("pk", filter=three)
        aggregates[f"bf{n}"] = Avg(f"b{n}", filter=three)
        aggregates[f"ef{n}"] = Avg(f"e{n}", filter=three)
        aggregates[f"ff{n}"] = Avg(f"f{n}", filter=three)
    figures = exits.annotate(**annotations).aggregate(**aggregates)
    return [
        Distance(
            key=q["key"],
            text=q["text"],
            pairs=figures[f"n{n}"],
            baseline=_mean(figures[f"bm{n}"]),
            exit=_mean(figures[f"em{n}"]),
            followed=figures[f"nf{n}"],
            followed_baseline=_mean(figures[f"bf{n}"]),
            followed_exit=_mean(figures[f"ef{n}"]),
            six_months=_mean(figures[f"ff{n}"]),
        )
        for n, q in enumerate(questions)
    ]


@dataclass(frozen=True)
class EqualityCount:
    question: str
    answer: str
    shown: str  # the count, or "suppressed" (peernet.privacy.suppression)


EQUALITY_QUESTIONS = {
    "gender": "Sex or gender",
    "ethnic_group": "Ethnic group",
    "age_band": "Age",
    "disability": "Disability or long-term health condition",
}


def equality_summary(hub: Hub) -> list[EqualityCount]:
    """The hub's equality answers, only as counts per answer (never row by row), each
    question's counts suppressed as every breakdown is (peernet.privacy)."""
    vocab = {
        "gender": Gender,
        "ethnic_group": EthnicGroup,
        "age_band": AgeBand,
        "disability": Disability,
    }
    rows = EqualityData.objects.filter(participant__hub=hub)
    summary = []
    for field, title in EQUALITY_QUESTIONS.items():
        counts = dict(
            rows.exclude(**{field: ""}).values_list(field).annotate(n=Count("pk")).order_by()
        )
        # No total is shown beside them, and the answers not given are not listed.
        shown = suppress_counts(counts, total_shown=False)
        for value, label in vocab[field].choices:
            if counts.get(value):
                summary.append(EqualityCount(title, label, str(shown[value])))
    return summary


# --- S5: who the evaluator surveys ------------------------------------------------------------


CONSENT_WORDS = {True: "Consented", False: "Did not consent", None: "Not asked"}


@dataclass(frozen=True)
class EvaluatorRow:
    participant: Participant
    pseudonym: str  # the evaluator's pseudonym (peernet.privacy.pseudonyms), not a name
    cohort: str
    completed: dt.date
    six_month_due: dt.date
    consent: bool | None  # the latest exit/baseline answer; None when not asked
    # The six-month follow-up (S5): when its invitation was made and emailed, when it
    # was answered, and the consent given in it (None until answered).
    follow_up_invited: dt.datetime | None = None
    follow_up_sent: dt.datetime | None = None
    follow_up_answered: dt.date | None = None
    follow_up_consent: bool | None = None

    @property
    def consent_words(self) -> str:
        return CONSENT_WORDS[self.consent]

    @property
    def follow_up_consent_words(self) -> str:
        if self.follow_up_answered is None:
            return "Not answered yet"
        return CONSENT_WORDS[self.follow_up_consent]

    def is_due(self, today: dt.date) -> bool:
        return self.six_month_due <= today

    def sendable(self, today: dt.date) -> bool:
        """The evaluator may send the follow-up: due, consented at completion (G3), and
        not invited yet."""
        return self.is_due(today) and self.consent is True and self.follow_up_invited is None


def _consent_in(answer: Any) -> bool | None:
    # SQLite hands a JSON true back as 1.
    return bool(answer) if isinstance(answer, bool | int) else None


def _consent_answer(kinds: list[str]) -> Subquery:
    """The person's latest `evaluator_consent` answer in a survey of these kinds."""
    return Subquery(
        SurveyResponse.objects.filter(
            participant=OuterRef("participant"),
            kind__in=kinds,
            answers__has_key="evaluator_consent",
        )
        .annotate(answer=KeyTransform("evaluator_consent", "answers"))
        .order_by("-completed", "-pk")
        .values("answer")[:1]
    )


def evaluator_list(cohorts: QuerySet[Cohort]) -> list[EvaluatorRow]:
    """S5: who completed the programme (stayed in a cohort until it delivered its hours)
    and when, when the evaluator's six-month survey is due, their consent (G3) at
    completion, and how far their six-month follow-up has gone, with its consent.
    Three queries, whatever the number of people."""
    cohort_ids = list(cohorts.values_list("pk", flat=True))
    completed = cohorts_completed_on(cohort_ids)
    follow_up = SurveyInvitation.objects.filter(
        participant=OuterRef("participant"), kind=SurveyKind.FOLLOW_UP
    )
    answered = SurveyResponse.objects.filter(
        participant=OuterRef("participant"), kind=SurveyKind.FOLLOW_UP
    )
    memberships = (
        completer_memberships(completed)
        .select_related("participant__hub", "cohort")
        .annotate(
            consent=_consent_answer([SurveyKind.EXIT, SurveyKind.BASELINE]),
            follow_up_consent=_consent_answer([SurveyKind.FOLLOW_UP]),
            follow_up_invited=Subquery(follow_up.values("created")[:1]),
            follow_up_sent=Subquery(follow_up.values("sent_at")[:1]),
            follow_up_answered=Subquery(answered.values("completed")[:1]),
        )
        .order_by("participant__last_name", "participant__first_name", "pk")
    )
    rows = []
    for membership in memberships:
        day = completed[membership.cohort_id]
        rows.append(
            EvaluatorRow(
                participant=membership.participant,
                pseudonym=evaluator_pseudonym(membership.participant.code),
                cohort=membership.cohort.name,
                completed=day,
                six_month_due=add_months(day, EVALUATOR_FOLLOW_UP_MONTHS),
                consent=_consent_in(membership.consent),
                follow_up_invited=membership.follow_up_invited,
                follow_up_sent=membership.follow_up_sent,
                follow_up_answered=membership.follow_up_answered,
                follow_up_consent=_consent_in(membership.follow_up_consent),
            )
        )
    return sorted(rows, key=lambda r: (r.completed, r.participant.last_name, r.participant.pk))
