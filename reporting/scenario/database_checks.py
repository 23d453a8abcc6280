"""The rest of step (b): the document against what the database already holds.

Keys that already exist (refused without --update), references to records outside the
document, and the rules that span both (E9, surveys already answered, feedback on a
session held in the database). A fixed number of queries, never one per row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from cohorts.models import CohortMembership
from participants.models import EligibilityStatus, Participant, SurveyInstrument, SurveyResponse
from peernet.models import Cluster, Programme, RoleAssignment, User
from reporting.scenario.plan import KEYED_KINDS, KEYED_MODELS, LOOKUP_KINDS, Row
from rules.registry import rule_parameters
from sessions.models import GroupSession, Observation, Topic

if TYPE_CHECKING:
    from reporting.scenario.reader import Reader

# The Programme record's rule parameters (docs/rules.md, "Numbers").
RULE_FIELDS = rule_parameters()


class DatabaseChecks:
    def __init__(self, reader: Reader) -> None:
        self.reader = reader
        self.plan = reader.plan
        self.defined = reader.defined
        self.problem = reader.problem
        self.instruments: dict[str, SurveyInstrument] = {}
        self.session_cohort: dict[str, str] = {}  # session key → cohort key, in the database

    def run(self) -> None:
        self._load_keys()
        self._check_references()
        self._check_programme()
        self._check_keys_already_used()
        self._check_user_emails()
        self._check_eligible_in_database()
        self._check_observations_already_made()
        self._check_surveys_already_answered()
        self._check_survey_answers()
        self._check_feedback_on_database_sessions()

    def _load_keys(self) -> None:
        """One query per kind: the existing records the document defines or names."""
        wanted: dict[str, set[str]] = defaultdict(set)
        for kind, keys in self.defined.items():
            wanted[kind].update(keys)
        for ref in self.reader.refs:
            wanted[ref.kind].add(ref.key)
        for kind, model in KEYED_MODELS.items():
            if wanted[kind]:
                found = model.objects.filter(key__in=wanted[kind]).values_list("key", "pk")
                self.plan.existing[kind].update(found)
        if wanted["topics"]:
            topics = Topic.objects.filter(key__in=wanted["topics"]).values_list("key", "pk")
            self.plan.existing["topics"].update(topics)
        self.instruments = {i.kind: i for i in SurveyInstrument.objects.filter(active=True)}
        self.plan.existing["instruments"].update(
            (kind, instrument.pk) for kind, instrument in self.instruments.items()
        )
        if wanted["sessions"]:
            sessions = GroupSession.objects.filter(key__in=wanted["sessions"])
            self.session_cohort = dict(sessions.values_list("key", "cohort__key"))

    def _check_references(self) -> None:
        existing = self.plan.existing
        for ref in self.reader.refs:
            if ref.key in self.defined[ref.kind]:
                continue
            cohort = self.session_cohort.get(ref.key) if ref.kind == "sessions" else None
            if cohort in self.defined["cohorts"]:
                # The document gives this session's cohort, without this session.
                self.problem(ref.path, f'no session with key "{ref.key}" in cohort "{cohort}"')
            elif ref.kind == "instruments" and ref.key not in existing[ref.kind]:
                self.problem(ref.path, f'no active survey instrument of kind "{ref.key}"')
            elif ref.key not in existing[ref.kind]:
                noun = {**KEYED_KINDS, **LOOKUP_KINDS}[ref.kind]
                self.problem(ref.path, f'no {noun} with key "{ref.key}"')

    def _check_programme(self) -> None:
        """Matched by name: reused when the document repeats it, else --update."""
        wanted, rules = self.plan.programme, self.plan.rules
        if wanted.get("name") is None:
            return  # the document's programme could not be read (the schema says why)
        programme = Programme.objects.filter(name=wanted["name"]).first()
        if programme is None:
            current = {name: Programme._meta.get_field(name).get_default() for name in RULE_FIELDS}
        else:
            self.plan.existing["programme"][programme.name] = programme.pk
            current = {name: getattr(programme, name) for name in [*wanted, *RULE_FIELDS]}
            different = [
                name
                for name, value in {**wanted, **rules}.items()
                if value is not None and current[name] != value
            ]
            if different and not self.plan.update:
                self.problem(
                    "programme.name",
                    f'a programme named "{programme.name}" already exists with a different '
                    f"{', '.join(different)}; use --update to update it",
                )
        low = rules.get("session_hours_min", current["session_hours_min"])
        high = rules.get("session_hours_max", current["session_hours_max"])
        if low is not None and high is not None and high < low:
            self.problem(
                "programme.rules.session_hours_max",
                f"K3: the longest recommended session ({high} hours) is shorter than the "
                f"shortest ({low} hours)",
            )

    def _check_keys_already_used(self) -> None:
        if self.plan.update:
            return
        repeated = self._repeated_shared_records()
        for kind, noun in KEYED_KINDS.items():
            for key, path in self.defined[kind].items():  # in document order
                if key not in self.plan.existing[kind]:
                    continue
                if (kind, key) in repeated:
                    self.plan.reused.add((kind, key))
                else:
                    self.problem(
                        f"{path}.key",
                        f'a {noun} with key "{key}" already exists; use --update to update it',
                    )

    def _repeated_shared_records(self) -> set[tuple[str, str]]:
        """Clusters and staff are shared above a hub: a hub's document may repeat,
        exactly, one that an earlier document created. For a user, exactly means the
        same email, name and organisation, holding every role the document gives."""
        clusters = {row.key: row.fields["name"] for row in self.plan.rows["clusters"]}
        same_clusters = Cluster.objects.filter(key__in=clusters).values_list("key", "name")
        repeated = {("clusters", key) for key, name in same_clusters if clusters[key] == name}
        users = {row.key: row for row in self.plan.rows["users"]}
        held: dict[str, set[tuple[str, str | None]]] = defaultdict(set)
        roles = RoleAssignment.objects.filter(user__key__in=users, cohort=None)
        for user, role, hub in roles.values_list("user__key", "role", "hub__key"):
            held[user].add((role, hub))
        wanted: dict[str, set[tuple[str, str | None]]] = defaultdict(set)
        for role in self.plan.rows["roles"]:
            hub = role.refs["hub"]
            wanted[role.refs["user"].key].add((role.fields["role"], hub.key if hub else None))
        existing = User.objects.filter(key__in=users).values_list(
            "key", "email", "name", "organisation__key"
        )
        for key, email, name, organisation in existing:
            row = users[key]
            if (email, name, organisation) == _user_identity(row) and wanted[key] <= held[key]:
                repeated.add(("users", key))
        return repeated

    def _check_user_emails(self) -> None:
        rows = {row.fields["email"]: row for row in self.plan.rows["users"]}
        emails = {row.key: row.fields["email"] for row in self.plan.rows["users"]}
        owners = User.objects.filter(email__in=rows).values_list("email", "key", "pk")
        for email, owner, pk in owners:
            row = rows[email]
            if owner == row.key:
                continue
            if self.plan.update and owner in emails and emails[owner] != email:
                # The owner gives this email up in the same update: the writer parks it.
                continue
            if owner is None and self.plan.update and row.key not in self.plan.existing["users"]:
                # The account was made outside a scenario (e.g. by createsuperuser).
                self.plan.existing["users"][row.key] = pk
                continue
            if owner is None:
                message = f'a user with email "{email}" already exists; use --update to key it'
            else:
                message = f'the email "{email}" belongs to user "{owner}"'
            self.problem(f"{row.path}.email", message)

    def _check_eligible_in_database(self) -> None:
        """E9 across documents: the business already has an eligible participant in the
        programme, outside this document."""
        programme = self.plan.existing["programme"].get(self.plan.programme.get("name"))
        eligible = self.reader.eligible
        if programme is None or not eligible:
            return
        others = (
            Participant.objects.filter(
                programme_id=programme,
                eligibility_status=EligibilityStatus.ELIGIBLE,
                business__key__in=eligible,
            )
            .exclude(key__in=self.defined["participants"])
            .values_list("business__key", "key")
        )
        for business, other in others:
            _key, path = eligible[business][0]
            self.problem(
                f"{path}.eligibility.eligible",
                "E9: only one person from a business takes part in a programme year, and "
                f'business "{business}" already has eligible participant "{other}"',
            )

    def _already_held(
        self,
        kind: str,
        rows_of: QuerySet,
        identity: Callable[[Row], tuple[Any, ...]],
        lookups: tuple[str, ...],
        words: Callable[[Row], str],
    ) -> None:
        """Records with no key of their own: without --update, one the database already
        holds with the same `identity` (the row's, and the database's by `lookups`; the
        first names the record it belongs to) is refused, in the row's `words`."""
        rows = self.plan.rows[kind]
        if self.plan.update or not rows:
            return
        owners = {identity(row)[0] for row in rows}
        held = set(rows_of.filter(**{f"{lookups[0]}__in": owners}).values_list(*lookups))
        for row in rows:
            if identity(row) in held:
                self.problem(row.path, f"{words(row)}; use --update to update it")

    def _check_observations_already_made(self) -> None:
        self._already_held(
            "observations",
            Observation.objects.all(),
            lambda row: (_key(row, "session"), _key(row, "observer")),
            ("session__key", "observer__key"),
            lambda row: (
                f'session "{_key(row, "session")}" already has an observation by '
                f'"{_key(row, "observer")}"'
            ),
        )

    def _check_surveys_already_answered(self) -> None:
        self._already_held(
            "surveys",
            SurveyResponse.objects.all(),
            lambda row: (_key(row, "participant"), row.fields["kind"], _key(row, "session")),
            ("participant__key", "kind", "session__key"),
            lambda row: (
                f'participant "{_key(row, "participant")}" already has this '
                f"{row.fields['kind']} survey"
            ),
        )

    def _check_survey_answers(self) -> None:
        for row in self.plan.rows["surveys"]:
            instrument = self.instruments.get(row.fields["kind"])
            if instrument is not None:
                row.fields["answers"] = self._answers(instrument, row.fields["answers"], row.path)

    def _answers(
        self, instrument: SurveyInstrument, answers: dict[str, Any], path: str
    ) -> dict[str, Any]:
        """The answers to store, checked against the instrument's questions. A question
        not answered (missing or null) is left out."""
        questions = {question["key"]: question for question in instrument.questions}
        kept: dict[str, Any] = {}
        for name, value in answers.items():
            answer_path = f"{path}.answers.{name}"
            question = questions.get(name)
            if question is None:
                self.problem(answer_path, f'the {instrument.kind} survey has no question "{name}"')
            elif value is not None:
                problem = answer_problem(question, value)
                if problem is not None:
                    self.problem(answer_path, problem)
                kept[name] = value
        return kept

    def _check_feedback_on_database_sessions(self) -> None:
        """Feedback on a session outside the document: the participant was in its cohort."""
        checks = [
            (session, participant, path)
            for session, participant, path in self.reader.feedback_on_other_sessions
            if session in self.session_cohort
            and self.session_cohort[session] not in self.defined["cohorts"]
        ]
        if not checks:
            return
        members = set(
            CohortMembership.objects.filter(
                cohort__sessions__key__in={session for session, _p, _path in checks}
            ).values_list("cohort__sessions__key", "participant__key")
        )
        for session, participant, path in checks:
            if (session, participant) not in members:
                self.problem(
                    f"{path}.participant",
                    f'"{participant}" is not a member of cohort "{self.session_cohort[session]}"',
                )


def answer_problem(question: dict[str, Any], value: Any) -> str | None:
    """Why an answer does not fit its question (scale, yes_no, text or choice), if it
    does not."""
    kind = question["type"]
    if kind == "scale":
        low, high = question.get("min", 1), question.get("max", 5)
        if isinstance(value, bool) or not isinstance(value, int):
            return f"expected a whole number from {low} to {high}"
        if not low <= value <= high:
            return f"{value} is outside the scale {low} to {high}"
    elif kind == "yes_no" and not isinstance(value, bool):
        return "expected true or false"
    elif kind == "text" and not isinstance(value, str):
        return "expected text"
    elif kind == "choice" and value not in question.get("choices", []):
        return f'"{value}" is not one of: {", ".join(question.get("choices", []))}'
    return None


def _key(row: Row, name: str) -> str | None:
    ref = row.refs[name]
    return None if ref is None else ref.key


def _user_identity(row: Row) -> tuple[str, str, str | None]:
    return (row.fields["email"], row.fields["name"], _key(row, "organisation"))
