"""Step (b) of an import: read a document into a `Plan`, resolving every key and checking
every rule the database would otherwise refuse, all problems at once.

The document is the part of the given one that step (a) found readable
(`validation.check_schema`): every value has its schema's JSON type and every object its
required fields, but a list item may be `Unreadable` (skipped here, its key kept) and a
value the schema refused is `faulty` (read as unknown, so nothing is concluded from it).
A schema-valid document is read as given.

The reader queries the database only to look keys up (a few queries per kind, never one
per row) and writes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

from django.db.models import DecimalField

from participants.models import EligibilityStatus, SurveyKind
from peernet.models import NATIONAL_ROLES, Programme
from reporting.scenario.after_reader import AfterTheProgramme
from reporting.scenario.database_checks import RULE_FIELDS, DatabaseChecks
from reporting.scenario.plan import Plan, Ref, Row
from reporting.scenario.problems import Problem
from reporting.scenario.values import (
    format_date,
    parse_date_or_datetime,
    parse_decimal,
)
from sessions.models import OneToOneRoute, SessionStatus

T = TypeVar("T")

# C1: the model records which charter was signed; a document that gives a signature
# without a version gets this one.
DEFAULT_CHARTER_VERSION = "1"
RULE_DECIMALS = {
    name for name in RULE_FIELDS if isinstance(Programme._meta.get_field(name), DecimalField)
}
NATIONAL = {role.value for role in NATIONAL_ROLES}
FEEDBACK = SurveyKind.SESSION_FEEDBACK.value


class Reader(AfterTheProgramme):
    """Reads one document; `read()` returns the plan and every problem found."""

    def read(self) -> tuple[Plan, list[Problem]]:
        self._generate_keys()
        if self.document.get("programme") is not None:
            self._read_programme(self.document["programme"])
        sections: list[tuple[str, Callable[[dict[str, Any], str], None]]] = [
            ("clusters", self._read_cluster),
            ("hubs", self._read_hub),
            ("delivery_partners", self._read_partner),
            ("users", self._read_user),
            ("businesses", self._read_business),
            ("participants", self._read_participant),
            ("cohorts", self._read_cohort),
            ("one_to_ones", self._read_one_to_one),
            ("observations", self._read_observation),
            ("complaints", self._read_complaint),
            ("surveys", self._read_survey),
        ]
        for section, read_item in sections:
            for path, item in self._items(self.document.get(section), section, section):
                read_item(item, path)
        self.read_after_the_programme()
        self._check_one_current_cohort()
        self._check_one_eligible_per_business()
        DatabaseChecks(self).run()
        self.check_after_in_database()
        return self.plan, self.problems

    def _read_programme(self, item: dict[str, Any]) -> None:
        start = self._date(item, "delivery_start", "programme")
        end = self._date(item, "delivery_end", "programme")
        if start is not None and end is not None and end <= start:
            self.problem("programme.delivery_end", "the delivery window must end after it starts")
        self.plan.programme = {
            "name": item["name"],
            "delivery_start": start,
            "delivery_end": end,
            "national_target": item["national_target"],
        }
        for name, value in (item.get("rules") or {}).items():
            if name in RULE_DECIMALS:
                value = self._convert(parse_decimal, value, f"programme.rules.{name}")
            self.plan.rules[name] = value

    def _read_cluster(self, item: dict[str, Any], path: str) -> None:
        self._add("clusters", Row(path, {"name": item["name"]}, key=item["key"]))
        self._unique("cluster name", item["name"], f"{path}.name", "the same name as {first}")

    def _read_hub(self, item: dict[str, Any], path: str) -> None:
        fields = {
            "name": item["name"],
            "lep": item["lep"],
            "target": item["target"],
            "local_authorities": [
                area for area in item.get("local_authorities") or [] if isinstance(area, str)
            ],
            "privacy_notice_url": item.get("privacy_notice_url") or "",
        }
        refs = {"cluster": self._ref("clusters", item["cluster"], f"{path}.cluster")}
        self._add("hubs", Row(path, fields, refs, key=item["key"]))

    def _read_partner(self, item: dict[str, Any], path: str) -> None:
        refs = {"hub": self._ref("hubs", item["hub"], f"{path}.hub")}
        fields = {"name": item["name"], "service": item["service"]}
        self._add("delivery_partners", Row(path, fields, refs, key=item["key"]))
        self._unique(
            "partner name",
            (item["hub"], item["name"]),
            f"{path}.name",
            "the same name as {first}, in the same hub",
        )

    def _read_user(self, item: dict[str, Any], path: str) -> None:
        # Emails are stored lower-case so that one person has one account.
        email = item["email"].lower()
        organisation = self._ref(
            "delivery_partners", item.get("organisation"), f"{path}.organisation"
        )
        fields = {"email": email, "name": item["name"]}
        self._add("users", Row(path, fields, {"organisation": organisation}, key=item["key"]))
        self._unique("user email", email, f"{path}.email", "the same email as {first}")
        for role_path, role in self._items(item.get("roles"), f"{path}.roles"):
            self._read_role(item["key"], role, role_path)

    def _read_role(self, user: str, item: dict[str, Any], path: str) -> None:
        role, hub = item["role"], item.get("hub")
        if role in NATIONAL and hub is not None:
            self.problem(f"{path}.hub", f"the {role} role is national: it has no hub")
        elif role not in NATIONAL and hub is None:
            self.problem(f"{path}.hub", f"the {role} role needs the hub it is held in")
        self._unique("role", (user, role, hub), path, "the same role as {first}")
        refs = {"user": Ref("users", user, path), "hub": self._ref("hubs", hub, f"{path}.hub")}
        self._add("roles", Row(path, {"role": role}, refs))

    def _read_business(self, item: dict[str, Any], path: str) -> None:
        fields = {
            "name": item["name"],
            "company_number": item.get("company_number") or "",
            "local_authority": item["local_authority"],
            "postcode": item.get("postcode") or "",
            "sector": item.get("sector") or "",
            "trading_since": self._date(item, "trading_since", path),
            "employees": item.get("employees"),
            "turnover": self._decimal(item, "turnover", path),
            "balance_sheet_total": self._decimal(item, "balance_sheet_total", path),
            "exporter": item.get("exporter"),
            "scale_up_potential": item.get("scale_up_potential"),
        }
        self._add("businesses", Row(path, fields, key=item["key"]))

    # -- participants ------------------------------------------------------------------

    def _read_participant(self, item: dict[str, Any], path: str) -> None:
        key = item["key"]
        registered = self._date(item, "registered", path)
        acknowledged = self._date(item, "privacy_notice_acknowledged", path)
        self._not_before(
            acknowledged,
            registered,
            f"{path}.privacy_notice_acknowledged",
            "C2: the privacy notice is acknowledged on or before registration "
            f"({format_date(registered)})",
        )
        charter_signed = self._convert(
            parse_date_or_datetime, item.get("charter_signed"), f"{path}.charter_signed"
        )
        fields: dict[str, Any] = {
            "first_name": item["first_name"],
            "last_name": item["last_name"],
            "email": item["email"],
            "phone": item.get("phone") or "",
            "job_title": item.get("job_title") or "",
            "registered": registered,
            "privacy_notice_acknowledged": acknowledged,
            "senior_decision_maker": item["senior_decision_maker"],
            "aspiration_to_improve": item["aspiration_to_improve"],
            "previous_year_participant": item["previous_year_participant"],
            "charter_signed_at": charter_signed,
            "charter_version": item.get("charter_version")
            or (DEFAULT_CHARTER_VERSION if charter_signed else ""),
            "one_to_one_declined": item.get("one_to_one_declined", False),
            **self._eligibility(key, item, path, registered),
            **self._dropped_out(item, path, registered),
        }
        refs = {
            "programme": self._programme_ref(path),
            "hub": self._ref("hubs", item["hub"], f"{path}.hub"),
            "business": self._ref("businesses", item["business"], f"{path}.business"),
            "one_to_one_provider": self._ref(
                "users", item.get("one_to_one_provider"), f"{path}.one_to_one_provider"
            ),
        }
        self._add("participants", Row(path, fields, refs, key=key))
        if fields["eligibility_status"] == EligibilityStatus.ELIGIBLE:
            self.eligible[item["business"]].append((key, path))
        if item.get("equality") is not None:
            self._read_equality(key, item["equality"], f"{path}.equality")

    def _eligibility(
        self, key: str, item: dict[str, Any], path: str, registered: dt.date | None
    ) -> dict[str, Any]:
        eligibility = item.get("eligibility")
        if eligibility is None:
            return {"eligibility_status": EligibilityStatus.PENDING.value}
        path = f"{path}.eligibility"
        eligible, decided = eligibility["eligible"], self._date(eligibility, "decided", path)
        if eligible is None and eligibility["decided"] is not None:
            self.problem(f"{path}.decided", "a pending decision has no date: give eligible too")
        elif eligible is not None and eligibility["decided"] is None:
            self.problem(f"{path}.decided", "a decision needs the date it was made")
        self._not_before(
            registered,
            decided,
            f"{path}.decided",
            f"the decision cannot come before registration ({format_date(registered)})",
        )
        for exception_path, exception in self._items(
            eligibility.get("exceptions"), f"{path}.exceptions"
        ):
            self._read_exception(key, exception, exception_path)
        if eligible is None:
            status = EligibilityStatus.PENDING
        else:
            status = EligibilityStatus.ELIGIBLE if eligible else EligibilityStatus.INELIGIBLE
        return {
            "eligibility_status": status.value,
            "eligibility_decided": decided,
            "eligibility_notes": eligibility.get("notes") or "",
        }

    def _read_exception(self, participant: str, item: dict[str, Any], path: str) -> None:
        self._unique(
            "exception",
            (participant, item["rule"]),
            f"{path}.rule",
            "an exception to the same rule as {first}",
        )
        flexibility = item.get("flexibility") or ""
        allowed = {"E3": {"covid", "creative"}, "E4": {"covid"}}.get(item["rule"], {""})
        if flexibility not in allowed:
            self.problem(
                f"{path}.flexibility",
                f"{item['rule']} takes "
                + (
                    " or ".join(sorted(allowed))
                    if allowed != {""}
                    else "no flexibility (only E3 and E4 have them)"
                ),
            )
        fields = {
            "rule": item["rule"],
            "agreed_by": item["agreed_by"],
            "agreed_on": self._date(item, "agreed_on", path),
            "details": item.get("details") or "",
            "flexibility": flexibility,
        }
        self._add(
            "exceptions", Row(path, fields, {"participant": Ref("participants", participant, path)})
        )

    def _dropped_out(
        self, item: dict[str, Any], path: str, registered: dt.date | None
    ) -> dict[str, Any]:
        dropped_out = item.get("dropped_out")
        if dropped_out is None:
            return {"dropped_out_on": None, "dropout_reason": ""}
        date = self._date(dropped_out, "date", f"{path}.dropped_out")
        self._not_before(
            registered,
            date,
            f"{path}.dropped_out.date",
            f"a participant cannot drop out before registering ({format_date(registered)})",
        )
        return {"dropped_out_on": date, "dropout_reason": dropped_out.get("reason") or ""}

    def _read_equality(self, participant: str, item: dict[str, Any], path: str) -> None:
        # An equality question not asked or not answered is null here and "" in the model.
        fields = {
            name: item.get(name) or ""
            for name in ("gender", "ethnic_group", "age_band", "disability")
        }
        self._add(
            "equality", Row(path, fields, {"participant": Ref("participants", participant, path)})
        )

    # -- cohorts, sessions and attendance ----------------------------------------------

    def _read_cohort(self, item: dict[str, Any], path: str) -> None:
        key = item["key"]
        refs = {
            "programme": self._programme_ref(path),
            "hub": self._ref("hubs", item["hub"], f"{path}.hub"),
        }
        self._add("cohorts", Row(path, {"name": item["name"]}, refs, key=key))
        self._unique(
            "cohort name",
            (item["hub"], item["name"]),
            f"{path}.name",
            "the same name as {first}, in the same hub",
        )
        cohort = Ref("cohorts", key, path)
        if item.get("facilitator") is not None:
            facilitator = {
                "user": self._ref("users", item["facilitator"], f"{path}.facilitator"),
                "hub": refs["hub"],
                "cohort": cohort,
            }
            self._add(
                "facilitators", Row(f"{path}.facilitator", {"role": "facilitator"}, facilitator)
            )
        for member_path, member in self._items(item.get("members"), f"{path}.members"):
            self._read_member(key, member, member_path)
        sessions = self._items(item.get("sessions"), f"{path}.sessions", "sessions", cohort=key)
        for session_path, session in sessions:
            self._read_session(key, session, session_path)

    def _read_member(self, cohort: str, item: dict[str, Any], path: str) -> None:
        participant = item["participant"]
        joined, left = self._date(item, "joined", path), self._date(item, "left", path)
        self._not_before(joined, left, f"{path}.left", "a member cannot leave before joining")
        self._unique(
            "membership",
            (cohort, participant, item["joined"]),
            f"{path}.joined",
            "the same spell as {first}",
        )
        self.members[cohort].add(participant)
        if item.get("left") is None:
            self.current_spells[participant].append(path)
        refs = {
            "cohort": Ref("cohorts", cohort, path),
            "participant": self._ref("participants", participant, f"{path}.participant"),
        }
        self._add("memberships", Row(path, {"joined": joined, "left": left}, refs))

    def _read_session(self, cohort: str, item: dict[str, Any], path: str) -> None:
        key = item["key"]
        starts_at = self._datetime(item, "starts_at", path)
        hours = self._decimal(item, "hours", path)
        status = item.get("status") or SessionStatus.SCHEDULED.value
        if starts_at is not None:
            self._unique(
                "session start",
                (cohort, starts_at),
                f"{path}.starts_at",
                "the same start as {first}, in the same cohort",
            )
        fields = {
            "starts_at": starts_at,
            "hours": hours,
            "status": status,
            "location": item.get("location") or "",
            "joining_instructions_sent_at": self._datetime(item, "joining_instructions_sent", path),
        }
        self._add("sessions", Row(path, fields, {"cohort": Ref("cohorts", cohort, path)}, key=key))
        self.session_cohort[key] = cohort
        session = Ref("sessions", key, path)
        for topic_path, topic in self._items(item.get("topics"), f"{path}.topics"):
            topic_ref = self._ref("topics", topic, topic_path)
            self._add(
                "session_topics", Row(path, {}, {"groupsession": session, "topic": topic_ref})
            )
        attendance = item.get("attendance") or {}
        if attendance and status != SessionStatus.DELIVERED:
            self.problem(
                f"{path}.attendance",
                f"K8: attendance is recorded only for a delivered session, not a {status} one",
            )
        for participant, record in attendance.items():
            self._read_attendance(cohort, session, hours, participant, record)
        if item.get("facilitator_notes") is not None:
            notes = item["facilitator_notes"]
            fields = {
                name: notes.get(name) or ""
                for name in ("issues_brought", "actions_agreed", "process_issues", "hot_topics")
            }
            self._add(
                "facilitator_notes", Row(f"{path}.facilitator_notes", fields, {"session": session})
            )
        for participant, card in (item.get("action_cards") or {}).items():
            card_path = f"{path}.action_cards.{participant}"
            self._check_member(cohort, participant, card_path)
            fields = {"actions": card["actions"], "report_back": card.get("report_back") or ""}
            refs = {
                "session": session,
                "participant": self._ref("participants", participant, card_path),
            }
            self._add("action_cards", Row(card_path, fields, refs))

    def _read_attendance(
        self,
        cohort: str,
        session: Ref,
        session_hours: Decimal | None,
        participant: str,
        item: dict[str, Any],
    ) -> None:
        path = f"{session.path}.attendance.{participant}"
        self._check_member(cohort, participant, path)
        hours = self._decimal(item, "hours", path)
        if item["present"]:
            if item.get("hours") is None:
                self.problem(
                    f"{path}.hours", "give the hours a participant who was present attended"
                )
            elif hours is not None and hours <= 0:
                self.problem(
                    f"{path}.hours", "a participant who was present attended more than 0 hours"
                )
            elif hours is not None and session_hours is not None and hours > session_hours:
                self.problem(
                    f"{path}.hours", f"{hours} is more than the session's {session_hours} hours"
                )
        elif hours:
            self.problem(f"{path}.hours", "an absent participant attended 0 hours")
        fields = {"present": item["present"], "hours": hours if item["present"] else Decimal(0)}
        refs = {"session": session, "participant": self._ref("participants", participant, path)}
        self._add("attendance", Row(path, fields, refs))

    def _check_member(self, cohort: str, participant: str, path: str) -> None:
        if cohort in self.unread_cohorts:
            return  # its members could not be read
        if participant not in self.members[cohort]:
            self.problem(path, f'"{participant}" is not a member of cohort "{cohort}"')

    # -- one-to-ones, observations, complaints, surveys --------------------------------

    def _read_one_to_one(self, item: dict[str, Any], path: str) -> None:
        key = item.get("key") or self.generated_keys[path]
        route = item["route"]
        existing_programme = item.get("existing_programme") or ""
        # O1: an existing programme is named; the programme route has a provider.
        if route == OneToOneRoute.EXISTING and not existing_programme:
            self.problem(f"{path}.existing_programme", "O1: name the existing local programme")
        if route == OneToOneRoute.PROGRAMME:
            if item.get("provider") is None:
                self.problem(
                    f"{path}.provider", "a one-to-one through the programme names its provider"
                )
            if existing_programme:
                self.problem(
                    f"{path}.existing_programme",
                    "only a one-to-one through an existing programme names one",
                )
        starts_at = self._datetime(item, "starts_at", path)
        if starts_at is not None:
            self._unique(
                "one-to-one start",
                (item["participant"], starts_at),
                f"{path}.starts_at",
                "the same participant and start as {first}",
            )
        fields = {
            "starts_at": starts_at,
            "hours": self._decimal(item, "hours", path),
            "status": item.get("status") or SessionStatus.SCHEDULED.value,
            "route": route,
            "existing_programme": existing_programme,
            "nature_of_support": item.get("nature_of_support") or "",
            "joining_instructions_sent_at": self._datetime(item, "joining_instructions_sent", path),
        }
        refs = {
            "participant": self._ref("participants", item["participant"], f"{path}.participant"),
            "provider": self._ref("users", item.get("provider"), f"{path}.provider"),
        }
        self._add("one_to_ones", Row(path, fields, refs, key=key))

    def _read_observation(self, item: dict[str, Any], path: str) -> None:
        self._unique(
            "observation",
            (item["session"], item["observer"]),
            f"{path}.observer",
            "the same session and observer as {first}",
        )
        fields = {
            "notice_given": self._datetime(item, "notice_given", path),
            "privacy_statement_shared": self._datetime(item, "privacy_statement_shared", path),
            "completed": self._date(item, "completed", path),
            "feedback": item.get("feedback") or "",
            "recording_deleted": self._datetime(item, "recording_deleted", path),
        }
        refs = {
            "session": self._ref("sessions", item["session"], f"{path}.session"),
            "observer": self._ref("users", item["observer"], f"{path}.observer"),
        }
        self._add("observations", Row(path, fields, refs))

    def _read_complaint(self, item: dict[str, Any], path: str) -> None:
        received, resolved = self._date(item, "received", path), self._date(item, "resolved", path)
        self._not_before(
            received,
            resolved,
            f"{path}.resolved",
            "a complaint cannot be resolved before it is received",
        )
        fields = {
            "kind": item.get("kind") or "complaint",
            "received": received,
            "received_from": item.get("received_from") or "",
            "summary": item["summary"],
            "action_taken": item.get("action_taken") or "",
            "resolved": resolved,
        }
        refs = {"hub": self._ref("hubs", item["hub"], f"{path}.hub")}
        key = item.get("key") or self.generated_keys[path]
        self._add("complaints", Row(path, fields, refs, key=key))

    def _read_survey(self, item: dict[str, Any], path: str) -> None:
        participant, kind, session = item["participant"], item["kind"], item.get("session")
        if kind == FEEDBACK and session is None:
            self.problem(f"{path}.session", "a session_feedback survey names its session")
        elif kind != FEEDBACK and session is not None:
            self.problem(f"{path}.session", "only a session_feedback survey names a session")
        if kind == FEEDBACK and session is not None:
            self._unique(
                "survey",
                (participant, kind, session),
                f"{path}.session",
                "the same participant and session as {first}",
            )
            cohort = self.session_cohort.get(session)
            if cohort is not None:
                self._check_member(cohort, participant, f"{path}.participant")
            else:
                self.feedback_on_other_sessions.append((session, participant, path))
        elif kind != FEEDBACK:
            self._unique(
                "survey",
                (participant, kind, None),
                f"{path}.kind",
                "the same participant and kind as {first}",
            )
        fields = {
            "kind": kind,
            "completed": self._date(item, "completed", path),
            "answers": dict(item.get("answers") or {}),
        }
        refs = {
            "participant": self._ref("participants", participant, f"{path}.participant"),
            "session": self._ref(
                "sessions", session if kind == FEEDBACK else None, f"{path}.session"
            ),
            "instrument": self._ref("instruments", kind, f"{path}.kind"),
        }
        self._add("surveys", Row(path, fields, refs))

    # -- checks across records ---------------------------------------------------------

    def _check_one_current_cohort(self) -> None:
        for participant, paths in self.current_spells.items():
            for path in paths[1:]:
                self.problem(
                    f"{path}.left",
                    f'"{participant}" is still a member at {paths[0]}: a participant is in '
                    "one cohort at a time, so end that membership first",
                )

    def _check_one_eligible_per_business(self) -> None:
        for business, participants in self.eligible.items():
            first_key, first_path = participants[0]
            for _key, path in participants[1:]:
                self.problem(
                    f"{path}.eligibility.eligible",
                    f"E9: only one person from a business takes part in a programme year, and "
                    f'business "{business}" already has eligible participant "{first_key}" '
                    f"at {first_path}",
                )
