"""The demo programme: a deterministic, realistic Peer Networks year as a scenario document.

`build_demo_document(anchor)` describes a programme year as it stands on `anchor` ("today"
for the demo) in the interchange format of docs/scenario-format.md; `manage.py seed_demo`
imports it. Everything is placed relative to the anchor, so the demo always tells the same
story: two cohorts have completed their 18 hours, three are running (one of them cannot
reach 18 hours before the window closes), one is forming, and people keep registering,
being turned down, dropping out and moving between cohorts; and a completed cohort
carries on as a continuing group (`demo.after`).

The only randomness is `random.Random` seeded with fixed strings, one stream per part of
the document, so the same anchor always gives the same document and a change to one part
does not reshuffle the others.
"""

from __future__ import annotations

import datetime as dt

from demo.after import after_the_programme
from demo.group_sessions import cohort_json, schedule
from demo.one_to_ones import one_to_ones
from demo.people import move_between_cohorts, record_drop_outs, recruit_cohort, register_others
from demo.plan import (
    CLUSTERS,
    COHORTS,
    DELIVERY_PARTNERS,
    HUBS,
    NATIONAL_TARGET,
    STAFF,
    HubPlan,
    StaffPlan,
)
from demo.quality import complaints, observations
from demo.records import DemoYear, Json
from demo.survey_responses import surveys

FORMAT = "peernet-scenario/1"


def build_demo_document(anchor: dt.date) -> Json:
    """The demo programme as it stands on `anchor`, as a scenario document."""
    year = DemoYear(anchor)
    for plan in COHORTS:
        year.sessions[plan.key] = schedule(year, plan)
    for plan in COHORTS:
        recruit_cohort(year, plan)
    move_between_cohorts(year)
    record_drop_outs(year)
    register_others(year)
    # The cohorts' sessions record who attended, which the one-to-ones start from.
    cohorts = [cohort_json(year, plan) for plan in COHORTS]
    support = one_to_ones(year)
    return {
        "format": FORMAT,
        "programme": {
            "name": f"Peer Networks {year.year_label}",
            "delivery_start": year.start.isoformat(),
            "delivery_end": year.end.isoformat(),
            "national_target": NATIONAL_TARGET,
        },
        "clusters": [{"key": key, "name": name} for key, name in CLUSTERS],
        "hubs": [_hub_json(hub) for hub in HUBS],
        "delivery_partners": [
            {"key": key, "hub": hub, "name": name, "service": service}
            for key, hub, name, service in DELIVERY_PARTNERS
        ],
        "users": [_user_json(staff) for staff in STAFF],
        "businesses": _businesses_json(year),
        "participants": [p.to_json(year.charter_version) for p in year.participants],
        "cohorts": cohorts,
        "one_to_ones": support,
        "observations": observations(year),
        "complaints": complaints(year),
        "surveys": surveys(year),
        **after_the_programme(year),
    }


def _hub_json(hub: HubPlan) -> Json:
    return {
        "key": hub.key,
        "name": hub.name,
        "lep": hub.lep,
        "cluster": hub.cluster,
        "target": hub.target,
        "local_authorities": list(hub.areas),
        "privacy_notice_url": f"https://www.example.org/{hub.key}/peer-networks/privacy",
    }


def _user_json(staff: StaffPlan) -> Json:
    user: Json = {
        "key": staff.key,
        "email": staff.email,
        "name": staff.name,
        "roles": [{"role": staff.role, "hub": staff.hub}],
    }
    if staff.organisation:
        user["organisation"] = staff.organisation
    return user


def _businesses_json(year: DemoYear) -> list[Json]:
    seen: dict[str, Json] = {}
    for participant in year.participants:
        seen.setdefault(participant.business.key, participant.business.to_json())
    return list(seen.values())
