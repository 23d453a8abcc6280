"""A hand-worked programme for the KPI, return and command tests, built as a scenario
document (imported through reporting.scenario, as docs/scenario-format.md intends for tests).

Month under test: October 2021 (British Summer Time ends at 02:00 on 31 October).

Hub "ha" (cluster north), target 40:
- p3, p5 joined cohort c1 in July; p1 joined c1 on 28 September; p2 joined c1 on 4
  October and moved to c2 on 15 October (allocated once); p7 joined c2 on 10 October.
- c1 meets seven times for 3 hours; the sixth session (14 October) takes it to exactly
  18 hours, so it completes then with p1, p2, p3 and p5 as members. Sessions 2 (August)
  and 7 (28 October) have no attendance recorded. c2 has delivered 2.5 hours on 31 October
  (after the clock change), 2.5 on 1 November at 00:00 and 3 scheduled: 8 of 18, at risk.
- One-to-ones: p1 2 + 1.5 programme hours (3.5 reached on 20 October), p3 2 existing
  (September) + 1.5 programme (October: 3.5 through both routes), p2 3.49 existing
  (short by 0.01), p5 a cancelled one, p7 declined.
Hub "hb" (cluster north), target 10: q2's first session is at 00:30 on 1 October (London;
still 30 September in UTC); q1 joins later; q1 has 3.5 programme hours.
Hub "hc" (cluster south), target 20: nothing at all.
"""

from __future__ import annotations

from typing import Any

import pytest

OCTOBER = "2021-10"


def _business(key: str, sector: str | None, employees: int | None, turnover: float | None,
              exporter: bool | None = None) -> dict[str, Any]:  # fmt: skip
    return {
        "key": key,
        "name": f"Business {key}",
        "local_authority": "Salford",
        "sector": sector,
        "employees": employees,
        "turnover": turnover,
        "exporter": exporter,
    }


def _participant(
    key: str,
    hub: str,
    registered: str,
    *,
    decided: str | None = None,
    eligible: bool = True,
    equality: dict[str, Any] | None = None,
    declined: bool = False,
    dropped_out: str | None = None,
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "key": key,
        "hub": hub,
        "business": f"b-{key}",
        "first_name": key.upper(),
        "last_name": "Tester",
        "email": f"{key}@example.org",
        "registered": registered,
        "privacy_notice_acknowledged": registered,
        "senior_decision_maker": True,
        "aspiration_to_improve": True,
        "previous_year_participant": False,
        "one_to_one_declined": declined,
    }
    if decided:
        item["eligibility"] = {"decided": decided, "eligible": eligible, "notes": ""}
        if eligible:
            item["charter_signed"] = decided
    if equality is not None:
        item["equality"] = equality
    if dropped_out:
        item["dropped_out"] = {"date": dropped_out, "reason": "Too busy."}
    return item


def _session(
    key: str,
    starts_at: str,
    hours: float,
    *,
    status: str = "delivered",
    sent: str | None = None,
    topics: list[str] | None = None,
    attendance: dict[str, float | None] | None = None,
) -> dict[str, Any]:
    """`attendance`: participant -> hours present, or None for absent."""
    item: dict[str, Any] = {"key": key, "starts_at": starts_at, "hours": hours, "status": status}
    if sent:
        item["joining_instructions_sent"] = sent
    if topics:
        item["topics"] = topics
    if attendance:
        item["attendance"] = {
            who: ({"present": True, "hours": h} if h else {"present": False, "hours": 0})
            for who, h in attendance.items()
        }
    return item


def _one_to_one(
    key: str,
    participant: str,
    starts_at: str,
    hours: float,
    route: str,
    *,
    status: str = "delivered",
    sent: str | None = None,
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "key": key,
        "participant": participant,
        "starts_at": starts_at,
        "hours": hours,
        "status": status,
        "route": route,
    }
    if route == "programme":
        item["provider"] = "coach"
    else:
        item.update(existing_programme="Local Growth Programme", nature_of_support="Coaching.")
    if sent:
        item["joining_instructions_sent"] = sent
    return item


def _feedback(participant: str, session: str, completed: str, score: int | None) -> dict:
    answers = {"overall_satisfaction": score} if score is not None else {}
    return {
        "participant": participant,
        "kind": "session_feedback",
        "session": session,
        "completed": completed,
        "answers": answers,
    }


def _survey(participant: str, kind: str, completed: str) -> dict[str, Any]:
    return {"participant": participant, "kind": kind, "completed": completed, "answers": {}}


def document() -> dict[str, Any]:
    return {
        "format": "peernet-scenario/1",
        "programme": {
            "name": "Peer Networks 2021/22",
            "delivery_start": "2021-04-01",
            "delivery_end": "2022-03-31",
            "national_target": 6000,
        },
        "clusters": [
            {"key": "north", "name": "North"},
            {"key": "south", "name": "South"},
        ],
        "hubs": [
            {"key": "ha", "name": "Hub A", "lep": "LEP A", "cluster": "north", "target": 40},
            {"key": "hb", "name": "Hub B", "lep": "LEP B", "cluster": "north", "target": 10},
            {"key": "hc", "name": "Hub C", "lep": "LEP C", "cluster": "south", "target": 20},
        ],
        "users": [
            {
                "key": "ha-admin",
                "email": "admin@ha.example",
                "name": "Ann Admin",
                "roles": [{"role": "hub_admin", "hub": "ha"}],
            },
            {
                "key": "hb-admin",
                "email": "admin@hb.example",
                "name": "Ben Admin",
                "roles": [{"role": "hub_admin", "hub": "hb"}],
            },
            {
                "key": "coach",
                "email": "coach@example.org",
                "name": "Cat Coach",
                "roles": [
                    {"role": "one_to_one_provider", "hub": "ha"},
                    {"role": "one_to_one_provider", "hub": "hb"},
                ],
            },
        ],
        "businesses": [
            _business("b-p1", "C", 5, 100000, True),
            _business("b-p2", "C", 9, 499999.99, False),
            _business("b-p3", "I", 10, 36000000),
            _business("b-p5", None, 250, 36000000.01),
            _business("b-p7", "F", None, None),
            _business("b-p4", "G", 3, 50000),
            _business("b-p6", "G", 20, 200000),
            _business("b-q1", "J", 30, 900000),
            _business("b-q2", "J", 60, 2000000),
        ],
        "participants": [
            _participant(
                "p1",
                "ha",
                "2021-09-20",
                decided="2021-09-25",
                equality={
                    "gender": "female",
                    "ethnic_group": "white",
                    "age_band": "45-54",
                    "disability": "no",
                },  # fmt: skip
            ),
            _participant(
                "p2",
                "ha",
                "2021-10-01",
                decided="2021-10-04",
                equality={"gender": "male", "ethnic_group": "asian"},
            ),
            _participant(
                "p3",
                "ha",
                "2021-07-01",
                decided="2021-07-05",
                equality={"gender": "female", "ethnic_group": "white"},
            ),
            _participant("p5", "ha", "2021-07-01", decided="2021-07-05", dropped_out="2021-10-20"),
            _participant(
                "p7",
                "ha",
                "2021-10-02",
                decided="2021-10-05",
                equality={"gender": "prefer-not-to-say"},
                declined=True,
            ),
            _participant("p4", "ha", "2021-10-31", decided="2021-10-31", eligible=False),
            _participant("p6", "ha", "2021-11-01"),
            _participant("q1", "hb", "2021-10-10", decided="2021-10-12"),
            _participant("q2", "hb", "2021-09-01", decided="2021-09-03"),
        ],
        "cohorts": [
            {
                "key": "c1",
                "hub": "ha",
                "name": "Cohort 1",
                "members": [
                    {"participant": "p3", "joined": "2021-07-20"},
                    {"participant": "p5", "joined": "2021-07-20"},
                    {"participant": "p1", "joined": "2021-09-28"},
                    {"participant": "p2", "joined": "2021-10-04", "left": "2021-10-15"},
                ],
                "sessions": [
                    _session(
                        "c1-s1",
                        "2021-08-05T10:00",
                        3,
                        sent="2021-08-01T10:00",
                        attendance={"p3": 3, "p5": 3},
                    ),
                    _session("c1-s2", "2021-08-19T10:00", 3, sent="2021-08-15T10:00"),
                    _session(
                        "c1-s3",
                        "2021-09-02T10:00",
                        3,
                        sent="2021-08-30T10:00",
                        attendance={"p3": 3, "p5": None},
                    ),
                    _session(
                        "c1-s4",
                        "2021-09-16T10:00",
                        3,
                        sent="2021-09-13T10:00",
                        attendance={"p3": 3, "p5": 3},
                    ),
                    _session(
                        "c1-s5",
                        "2021-09-30T10:00",
                        3,
                        sent="2021-09-27T10:00",
                        attendance={"p1": 3, "p3": 3, "p5": 3},
                    ),
                    # Exactly 48 hours' notice: not late. The 18th hour is reached here.
                    _session(
                        "c1-s6",
                        "2021-10-14T10:00",
                        3,
                        sent="2021-10-12T10:00",
                        topics=["finance", "digital"],
                        attendance={"p1": 3, "p2": 2, "p3": None, "p5": 3},
                    ),
                    # 47 hours 59 minutes: late. No attendance recorded.
                    _session(
                        "c1-s7",
                        "2021-10-28T10:00",
                        3,
                        sent="2021-10-26T10:01",
                        topics=["digital", "cyber-security"],
                    ),
                ],
            },
            {
                "key": "c2",
                "hub": "ha",
                "name": "Cohort 2",
                "members": [
                    {"participant": "p7", "joined": "2021-10-10"},
                    {"participant": "p2", "joined": "2021-10-15"},
                ],
                "sessions": [
                    # 47.5 hours by the wall clock but 48.5 real hours (the clocks go back
                    # at 02:00 on 31 October): not late.
                    _session(
                        "c2-s1",
                        "2021-10-31T09:30",
                        2.5,
                        sent="2021-10-29T10:00",
                        attendance={"p2": 2.5, "p7": 2.5},
                    ),
                    # 00:00 on 1 November: November's.
                    _session(
                        "c2-s2",
                        "2021-11-01T00:00",
                        2.5,
                        sent="2021-10-28T10:00",
                        attendance={"p2": 2.5, "p7": 2.5},
                    ),
                    _session("c2-s3", "2021-11-15T10:00", 3, status="scheduled"),
                    _session("c2-s4", "2021-11-29T10:00", 3, status="cancelled"),
                ],
            },
            {
                "key": "cb1",
                "hub": "hb",
                "name": "Cohort B1",
                "members": [
                    {"participant": "q2", "joined": "2021-09-03"},
                    {"participant": "q1", "joined": "2021-10-12"},
                ],
                "sessions": [
                    # 00:30 on 1 October in London is 23:30 on 30 September in UTC.
                    _session(
                        "cb1-s1",
                        "2021-10-01T00:30",
                        3,
                        sent="2021-09-28T00:30",
                        attendance={"q2": 3},
                    ),
                    _session(
                        "cb1-s2",
                        "2021-10-20T10:00",
                        3,
                        sent="2021-10-15T10:00",
                        attendance={"q1": 3, "q2": None},
                    ),
                ],
            },
        ],
        "one_to_ones": [
            _one_to_one(
                "o-p1-a", "p1", "2021-10-05T14:00", 2, "programme", sent="2021-10-01T09:00"
            ),
            _one_to_one("o-p1-b", "p1", "2021-10-20T14:00", 1.5, "programme"),  # never sent
            _one_to_one("o-p3-a", "p3", "2021-09-10T14:00", 2, "existing"),
            _one_to_one(
                "o-p3-b", "p3", "2021-10-12T14:00", 1.5, "programme", sent="2021-10-10T14:00"
            ),
            _one_to_one("o-p2-a", "p2", "2021-10-06T14:00", 3.49, "existing"),  # never sent
            _one_to_one("o-p5-a", "p5", "2021-10-07T14:00", 2, "programme", status="cancelled"),
            _one_to_one(
                "o-q1-a", "q1", "2021-10-25T10:00", 3.5, "programme", sent="2021-10-20T10:00"
            ),
        ],
        "observations": [
            {
                "session": "c1-s1",
                "observer": "ha-admin",
                "notice_given": "2021-08-01T10:00",
                "completed": "2021-08-10",
            },
            {
                "session": "c1-s6",
                "observer": "ha-admin",
                "notice_given": "2021-10-10T10:00",
                "completed": "2021-10-20",
            },
            {"session": "c1-s7", "observer": "ha-admin", "notice_given": "2021-10-20T10:00"},
        ],
        "complaints": [
            {"key": "k1", "hub": "ha", "received": "2021-09-15", "summary": "Late start."},
            {"key": "k2", "hub": "ha", "received": "2021-10-31", "summary": "Cold room."},
            {"key": "k3", "hub": "ha", "received": "2021-11-01", "summary": "Noisy room."},
            {
                "key": "k4",
                "hub": "ha",
                "kind": "compliment",
                "received": "2021-10-10",
                "summary": "Great session.",
            },
        ],
        "surveys": [
            _survey("p1", "baseline", "2021-09-26"),
            _survey("p2", "baseline", "2021-10-04"),
            _survey("p7", "baseline", "2021-11-01"),
            _feedback("p3", "c1-s5", "2021-09-30", 3),
            _feedback("p1", "c1-s6", "2021-10-14", 5),
            _feedback("p2", "c1-s6", "2021-10-15", 4),
            _feedback("p5", "c1-s6", "2021-10-15", None),  # the question left unanswered
            _feedback("p7", "c2-s1", "2021-10-31", 4),
            _feedback("q1", "cb1-s2", "2021-10-21", 2),
            _survey("p3", "exit", "2021-10-29"),
            _survey("p5", "dropout", "2021-10-21"),
        ],
    }


# --- the hand-worked figures for October 2021 ---------------------------------------------

HA_OCTOBER: dict[str, Any] = {
    "registrations_month": 3,  # p2 (1st), p7, p4 (31st); not p6 (1 November)
    "registrations_cumulative": 6,
    "eligible_month": 2,  # p2, p7
    "eligible_cumulative": 5,
    "ineligible_month": 1,  # p4 on the 31st
    "ineligible_cumulative": 1,
    "allocated_month": 2,  # p2 (once, though moved), p7
    "allocated_cumulative": 5,
    "started_month": 2,  # p2 at c1-s6, p7 at c2-s1
    "started_cumulative": 5,
    "cohorts_started_month": 1,  # c2
    "cohorts_started_cumulative": 2,
    "cohorts_completed_month": 1,  # c1 at exactly 18 hours on 14 October
    "cohorts_completed_cumulative": 1,
    "participants_completed_month": 4,  # p1, p2 (moved the next day), p3, p5 (dropped later)
    "participants_completed_cumulative": 4,
    "sessions_delivered_month": 3,  # c1-s6, c1-s7, c2-s1
    "sessions_delivered_cumulative": 8,
    "group_hours_delivered_month": "8.50",
    "group_hours_delivered_cumulative": "23.50",
    "participant_hours_attended_month": "13.00",  # 3 + 2 + 3 + 2.5 + 2.5
    "participant_hours_attended_cumulative": "37.00",
    "attendance_rate_month": "83.3",  # 5 present of 6 recorded
    "attendance_rate_cumulative": "86.7",  # 13 of 15
    "one_to_one_sessions_month": 4,
    "one_to_one_sessions_cumulative": 5,
    "one_to_one_hours_programme_month": "5.00",
    "one_to_one_hours_programme_cumulative": "5.00",
    "one_to_one_hours_existing_month": "3.49",
    "one_to_one_hours_existing_cumulative": "5.49",
    "one_to_one_participants_cumulative": 3,  # p1, p2, p3
    "one_to_one_minimum_met_month": 2,  # p1, p3; not p2 at 3.49
    "one_to_one_minimum_met_cumulative": 2,
    "one_to_one_minimum_met_programme_cumulative": 1,  # p1
    "one_to_one_minimum_met_existing_cumulative": 0,
    "one_to_one_minimum_met_mixed_cumulative": 1,  # p3
    "one_to_one_declined_cumulative": 1,  # p7
    "baseline_surveys_month": 1,
    "baseline_surveys_cumulative": 2,
    "session_feedback_responses_month": 4,
    "session_feedback_responses_cumulative": 5,
    "session_satisfaction_mean_month": "4.33",  # (5 + 4 + 4) / 3
    "session_satisfaction_mean_cumulative": "4.00",  # (3 + 5 + 4 + 4) / 4
    "exit_surveys_month": 1,
    "exit_surveys_cumulative": 1,
    "dropout_surveys_month": 1,
    "dropout_surveys_cumulative": 1,
    "dropped_out_month": 1,
    "dropped_out_cumulative": 1,
    "sessions_observed_month": 1,
    "sessions_observed_cumulative": 2,
    "complaints_month": 1,  # k2 on the 31st; not the compliment, not k3 on 1 November
    "complaints_cumulative": 2,
    "late_joining_instructions_month": 3,  # c1-s7, o-p1-b, o-p2-a
    "sessions_missing_attendance": 2,  # c1-s2, c1-s7
    "cohorts_at_risk": 1,  # c2: 2.5 + 2.5 + 3 of 18
    "participants_at_risk_one_to_one": 1,  # p2 at 3.49
    "target": 40,
    "started_vs_target_pct": "12.5",
}

HB_OCTOBER: dict[str, Any] = {
    "registrations_month": 1,
    "registrations_cumulative": 2,
    "eligible_month": 1,
    "eligible_cumulative": 2,
    "ineligible_month": 0,
    "ineligible_cumulative": 0,
    "allocated_month": 1,
    "allocated_cumulative": 2,
    "started_month": 2,  # q2 at 00:30 on 1 October (London), q1
    "started_cumulative": 2,
    "cohorts_started_month": 1,
    "cohorts_started_cumulative": 1,
    "cohorts_completed_month": 0,
    "cohorts_completed_cumulative": 0,
    "participants_completed_month": 0,
    "participants_completed_cumulative": 0,
    "sessions_delivered_month": 2,
    "sessions_delivered_cumulative": 2,
    "group_hours_delivered_month": "6.00",
    "group_hours_delivered_cumulative": "6.00",
    "participant_hours_attended_month": "6.00",
    "participant_hours_attended_cumulative": "6.00",
    "attendance_rate_month": "66.7",  # 2 of 3
    "attendance_rate_cumulative": "66.7",
    "one_to_one_sessions_month": 1,
    "one_to_one_sessions_cumulative": 1,
    "one_to_one_hours_programme_month": "3.50",
    "one_to_one_hours_programme_cumulative": "3.50",
    "one_to_one_hours_existing_month": "0.00",
    "one_to_one_hours_existing_cumulative": "0.00",
    "one_to_one_participants_cumulative": 1,
    "one_to_one_minimum_met_month": 1,
    "one_to_one_minimum_met_cumulative": 1,
    "one_to_one_minimum_met_programme_cumulative": 1,
    "one_to_one_minimum_met_existing_cumulative": 0,
    "one_to_one_minimum_met_mixed_cumulative": 0,
    "one_to_one_declined_cumulative": 0,
    "baseline_surveys_month": 0,
    "baseline_surveys_cumulative": 0,
    "session_feedback_responses_month": 1,
    "session_feedback_responses_cumulative": 1,
    "session_satisfaction_mean_month": "2.00",
    "session_satisfaction_mean_cumulative": "2.00",
    "exit_surveys_month": 0,
    "exit_surveys_cumulative": 0,
    "dropout_surveys_month": 0,
    "dropout_surveys_cumulative": 0,
    "dropped_out_month": 0,
    "dropped_out_cumulative": 0,
    "sessions_observed_month": 0,
    "sessions_observed_cumulative": 0,
    "complaints_month": 0,
    "complaints_cumulative": 0,
    "late_joining_instructions_month": 0,
    "sessions_missing_attendance": 0,
    "cohorts_at_risk": 1,  # 6 of 18 hours, nothing scheduled
    "participants_at_risk_one_to_one": 1,  # q2
    "target": 10,
    "started_vs_target_pct": "20.0",
}

RATES = {
    "attendance_rate_month",
    "attendance_rate_cumulative",
    "session_satisfaction_mean_month",
    "session_satisfaction_mean_cumulative",
}
HC_OCTOBER: dict[str, Any] = {
    figure: (None if figure in RATES else "0.00" if "hours" in figure else 0)
    for figure in HA_OCTOBER
} | {"target": 20, "started_vs_target_pct": "0.0"}

# North = ha + hb, its rates from the summed parts (never an average of the hubs' rates).
NORTH_OCTOBER: dict[str, Any] = {
    "registrations_month": 4,
    "registrations_cumulative": 8,
    "eligible_month": 3,
    "eligible_cumulative": 7,
    "ineligible_month": 1,
    "ineligible_cumulative": 1,
    "allocated_month": 3,
    "allocated_cumulative": 7,
    "started_month": 4,
    "started_cumulative": 7,
    "cohorts_started_month": 2,
    "cohorts_started_cumulative": 3,
    "cohorts_completed_month": 1,
    "cohorts_completed_cumulative": 1,
    "participants_completed_month": 4,
    "participants_completed_cumulative": 4,
    "sessions_delivered_month": 5,
    "sessions_delivered_cumulative": 10,
    "group_hours_delivered_month": "14.50",
    "group_hours_delivered_cumulative": "29.50",
    "participant_hours_attended_month": "19.00",
    "participant_hours_attended_cumulative": "43.00",
    "attendance_rate_month": "77.8",  # 7 of 9, not (83.3 + 66.7) / 2
    "attendance_rate_cumulative": "83.3",  # 15 of 18
    "one_to_one_sessions_month": 5,
    "one_to_one_sessions_cumulative": 6,
    "one_to_one_hours_programme_month": "8.50",
    "one_to_one_hours_programme_cumulative": "8.50",
    "one_to_one_hours_existing_month": "3.49",
    "one_to_one_hours_existing_cumulative": "5.49",
    "one_to_one_participants_cumulative": 4,
    "one_to_one_minimum_met_month": 3,
    "one_to_one_minimum_met_cumulative": 3,
    "one_to_one_minimum_met_programme_cumulative": 2,
    "one_to_one_minimum_met_existing_cumulative": 0,
    "one_to_one_minimum_met_mixed_cumulative": 1,
    "one_to_one_declined_cumulative": 1,
    "baseline_surveys_month": 1,
    "baseline_surveys_cumulative": 2,
    "session_feedback_responses_month": 5,
    "session_feedback_responses_cumulative": 6,
    "session_satisfaction_mean_month": "3.75",  # (13 + 2) / 4, not (4.33 + 2) / 2
    "session_satisfaction_mean_cumulative": "3.60",  # (16 + 2) / 5
    "exit_surveys_month": 1,
    "exit_surveys_cumulative": 1,
    "dropout_surveys_month": 1,
    "dropout_surveys_cumulative": 1,
    "dropped_out_month": 1,
    "dropped_out_cumulative": 1,
    "sessions_observed_month": 1,
    "sessions_observed_cumulative": 2,
    "complaints_month": 1,
    "complaints_cumulative": 2,
    "late_joining_instructions_month": 3,
    "sessions_missing_attendance": 2,
    "cohorts_at_risk": 2,
    "participants_at_risk_one_to_one": 2,
    "target": 50,
    "started_vs_target_pct": "14.0",  # 7 of 50
}
NATIONAL_OCTOBER = NORTH_OCTOBER | {"target": 70, "started_vs_target_pct": "10.0"}


@pytest.mark.django_db
def test_the_scenario_imports_whole():
    """The situation the KPI tests hand-work is a valid scenario document."""
    from reporting.scenario import import_document
    from sessions.models import GroupSession

    summary = import_document(document())
    assert summary.counts["participants"] == 9
    assert GroupSession.objects.count() == 13
