"""The scenario format's after-the-programme sections: support schemes and referrals,
continuing groups, alumni events, cluster leads and action learning sets.

Built on the small fixture, with cohort gm-1 completing its 18 hours (3 + 2.5 delivered,
then s3 and s4 and four more sessions of 3 hours: 20.5) and a second facilitator in the
north-west (fac-3, of gm-2), so a learning set has two members.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from alumni.models import (
    ContinuingGroup,
    EventInvitation,
    GroupMember,
    LearningSet,
    MeetingActionCard,
    Referral,
)
from peernet.models import Hub
from reporting import kpi
from reporting.scenario import ScenarioError, export_document, import_document
from reporting.scenario.after_reader import AFTER_SECTIONS
from reporting.scenario.upload import scenario_upload
from tests.reporting.conftest import export_after_import, item, table_counts

pytestmark = pytest.mark.django_db

SECTIONS = AFTER_SECTIONS


def completed(small: dict[str, Any]) -> dict[str, Any]:
    """The small fixture with gm-1 completed and fac-3 facilitating gm-2."""
    document = copy.deepcopy(small)
    gm1 = item(document["cohorts"], "gm-1")
    for session in gm1["sessions"]:
        if session["key"] in ("gm-1-s3", "gm-1-s4"):
            session["status"] = "delivered"
    for n, day in enumerate(("07-27", "08-10", "08-24", "09-07"), start=5):
        gm1["sessions"].append(
            {
                "key": f"gm-1-s{n}",
                "starts_at": f"2021-{day}T09:30",
                "hours": 3,
                "status": "delivered",
            }
        )
    document["users"].append(
        {
            "key": "fac-3",
            "email": "fac3@gm.example",
            "name": "Farah Ali",
            "roles": [{"role": "facilitator", "hub": "gm"}],
        }
    )
    item(document["cohorts"], "gm-2")["facilitator"] = "fac-3"
    return document


def with_after(small: dict[str, Any]) -> dict[str, Any]:
    document = completed(small)
    document["support_schemes"] = [
        {
            "hub": "gm",
            "key": "help-to-grow-management",
            "title": "Help to Grow: Management",
            "blurb": "A 12-week course.",
            "url": "https://helptogrow.campaign.gov.uk/",
            "national": True,
            "offered": True,
        },
        {
            "hub": "gm",
            "key": "salford-export-club",
            "title": "Salford Export Club",
            "blurb": None,
            "url": "https://salford.example/export",
            "national": False,
            "offered": False,
        },
    ]
    document["referrals"] = [
        {
            "participant": "p1",
            "scheme": "help-to-grow-management",
            "status": "contacted",
            "created_at": "2021-09-08T10:00",
            "updated_at": "2021-09-10T16:30",
        }
    ]
    document["continuing_groups"] = [
        {
            "cohort": "gm-1",
            "started_at": "2021-09-08T12:00",
            "members": [
                {
                    "participant": "p1",
                    "opted_in_at": "2021-09-09T08:00",
                    "consent_at": "2021-09-09T08:00",
                    "withdrawn_at": None,
                    "share_email": True,
                    "share_phone": False,
                    "share_business": True,
                    "host": True,
                },
                {
                    "participant": "p2",
                    "opted_in_at": "2021-09-09T09:00",
                    "consent_at": "2021-09-12T09:00",
                    "withdrawn_at": None,
                    "share_email": False,
                    "share_phone": True,
                    "share_business": False,
                    "host": False,
                },
                {
                    "participant": "p3",
                    "opted_in_at": None,
                    "consent_at": None,
                    "withdrawn_at": None,
                    "share_email": False,
                    "share_phone": False,
                    "share_business": False,
                    "host": False,
                },
            ],
            "meetings": [
                {
                    "starts_at": "2021-10-06T09:30",
                    "place": "Salford Innovation Forum",
                    "topic": "Pricing",
                    "scheduled_by": "p1",
                    "scheduled_at": "2021-09-20T18:00",
                    "replies": {
                        "p1": {"coming": True, "attended": True, "answered_at": "2021-10-06T12:00"},
                        "p2": {"coming": True, "attended": None, "answered_at": "2021-09-21T08:00"},
                    },
                    "action_cards": {
                        "p1": {"actions": "Raise prices by 5%", "report_back": None},
                    },
                }
            ],
        }
    ]
    document["alumni_events"] = [
        {
            "hub": "gm",
            "topic": "Exporting after Brexit",
            "speaker": "Dana Reid",
            "starts_at": "2021-11-04T17:00",
            "place": "https://meet.example/exporting",
            "published_at": "2021-10-01T09:00",
            "invitations": [
                {
                    "participant": "p2",
                    "cohort": "gm-1",
                    "invited_at": "2021-10-01T09:05",
                    "answer": "accepted",
                    "answered_at": "2021-10-02T20:00",
                    "attended": True,
                },
                {
                    "participant": "p5",
                    "cohort": "gm-1",
                    "invited_at": "2021-10-01T09:05",
                    "answer": None,
                    "answered_at": None,
                    "attended": None,
                },
            ],
        }
    ]
    document["cluster_leads"] = [
        {"cluster": "north-west", "user": "coordinator-1", "appointed_at": "2021-05-04T10:00"}
    ]
    document["learning_sets"] = [
        {
            "cluster": "north-west",
            "name": "North West set 1",
            "formed_at": "2021-05-10T10:00",
            "members": ["fac-1", "fac-3"],
            "sessions": [
                {
                    "starts_at": "2021-07-01T14:00",
                    "joining_instructions": "Room 2, Lowry Centre.",
                    "learning_points": "Silence after a question gives room to think.",
                    "present": ["fac-1", "fac-3"],
                    "recorded_at": "2021-07-01T17:00",
                },
                {
                    "starts_at": "2021-09-01T14:00",
                    "joining_instructions": "On the usual video link.",
                    "learning_points": None,
                    "present": [],
                    "recorded_at": None,
                },
            ],
        }
    ]
    return document


def problems(document: dict[str, Any], **options: Any) -> dict[str, str]:
    before = table_counts()
    with pytest.raises(ScenarioError) as raised:
        import_document(document, **options)
    assert table_counts() == before  # nothing written
    found: dict[str, str] = {}
    for problem in raised.value.problems:  # a path's messages, in the order found
        found[problem.path] = "; ".join(filter(None, [found.get(problem.path), problem.message]))
    return found


# --- round trip -----------------------------------------------------------------------


def test_every_section_round_trips(small):
    document = with_after(small)
    exported = export_after_import(document)

    for section in SECTIONS:
        assert exported[section] == document[section], section
    # and the exported document imports into an empty database to give itself again
    assert export_after_import(exported) == exported


def test_a_programme_without_them_exports_as_before(small):
    exported = export_after_import(completed(small))
    assert not set(SECTIONS) & set(exported)


def test_the_records_are_written_as_the_hub_s_pages_show_them(small):
    import_document(with_after(small))

    group = ContinuingGroup.objects.get(cohort__key="gm-1")
    assert group.hub.key == "gm"
    host = GroupMember.objects.get(group=group, host=True)
    assert (host.participant.key, host.is_in, host.share_email) == ("p1", True, True)
    assert not GroupMember.objects.get(group=group, participant__key="p3").is_in
    card = MeetingActionCard.objects.get()
    assert (card.member.participant.key, card.actions) == ("p1", "Raise prices by 5%")
    referral = Referral.objects.get()
    assert (referral.hub.key, referral.scheme.title, referral.status) == (
        "gm",
        "Help to Grow: Management",
        "contacted",
    )
    came = EventInvitation.objects.get(participant__key="p2")
    assert (came.answer, came.attended, came.cohort.key) == ("accepted", True, "gm-1")
    learning_set = LearningSet.objects.get()
    assert sorted(user.key for user in learning_set.members.all()) == ["fac-1", "fac-3"]
    assert [len(s.present.all()) for s in learning_set.sessions.order_by("starts_at")] == [2, 0]


def test_a_hub_s_part_has_its_own_records_and_no_learning_sets(small):
    document = with_after(small)
    gm = export_after_import(document, hub_key="gm")
    wy = export_after_import(document, hub_key="wy")

    assert [group["cohort"] for group in gm["continuing_groups"]] == ["gm-1"]
    assert len(gm["alumni_events"][0]["invitations"]) == 2
    assert "learning_sets" not in gm and "cluster_leads" not in gm
    assert not set(SECTIONS) & set(wy)


def test_export_queries_do_not_grow_with_the_records(small):
    import_document(with_after(small))
    with CaptureQueriesContext(connection) as few:
        export_document()
    more = with_after(small)
    more["continuing_groups"][0]["meetings"].append(
        {**more["continuing_groups"][0]["meetings"][0], "starts_at": "2021-11-03T09:30"}
    )
    more["alumni_events"].append({**more["alumni_events"][0], "topic": "Hiring"})
    more["learning_sets"].append({**more["learning_sets"][0], "name": "North West set 2"})
    import_document(more, update=True)
    with CaptureQueriesContext(connection) as many:
        export_document()
    assert len(many) == len(few)


def test_import_queries_do_not_grow_with_the_records(small):
    """Each section is written in bulk: more records, the same number of queries."""

    def queries(document: dict[str, Any]) -> int:
        with CaptureQueriesContext(connection) as done, transaction.atomic():
            import_document(document)
            transaction.set_rollback(True)
        return len(done)

    few = queries(with_after(small))
    more = with_after(small)
    more["continuing_groups"][0]["meetings"].append(
        {**more["continuing_groups"][0]["meetings"][0], "starts_at": "2021-11-03T09:30"}
    )
    more["alumni_events"].append({**more["alumni_events"][0], "topic": "Hiring"})
    more["learning_sets"].append({**more["learning_sets"][0], "name": "North West set 2"})
    more["referrals"].append({**more["referrals"][0], "participant": "p2"})
    assert queries(more) == few


# --- updating ---------------------------------------------------------------------------


def test_without_update_a_record_held_already_is_refused(small):
    document = with_after(small)
    import_document(document)
    found = problems(document)
    held = "the database already holds this record; use --update to replace it"
    assert {path: found[path] for path in found if path.split("[")[0] in SECTIONS} == {
        f"{section}[0]": held for section in SECTIONS
    } | {"support_schemes[1]": held}


def test_with_update_what_hangs_below_is_replaced(small):
    document = with_after(small)
    import_document(document)
    group = document["continuing_groups"][0]
    group["members"] = group["members"][:2]
    group["meetings"][0]["replies"].pop("p2")
    document["alumni_events"][0]["invitations"].pop()
    document["referrals"][0]["status"] = "referred"

    import_document(document, update=True)

    exported = export_document()
    for section in SECTIONS:
        assert exported[section] == document[section], section
    assert ContinuingGroup.objects.count() == 1


def test_with_update_an_event_that_moved_replaces_the_one_it_was(small):
    document = with_after(small)
    import_document(document)
    document["alumni_events"][0]["starts_at"] = "2021-11-11T17:00"

    import_document(document, update=True)

    assert export_document()["alumni_events"] == document["alumni_events"]
    assert EventInvitation.objects.count() == 2


# --- bad documents ----------------------------------------------------------------------


def test_a_group_of_a_cohort_that_has_not_completed_is_refused(small):
    document = with_after(small)
    document["continuing_groups"][0]["cohort"] = "gm-2"
    document["continuing_groups"][0]["meetings"] = []
    found = problems(document)
    assert found["continuing_groups[0].cohort"] == (
        'K2: cohort "gm-2" has delivered 0 of its 18 hours; only a completed cohort carries '
        "on as a continuing group"
    )
    # and p1, p2 are not members of gm-2
    assert found["continuing_groups[0].members[0].participant"] == (
        '"p1" is not a member of cohort "gm-2"'
    )


def test_the_group_s_people_are_its_members(small):
    document = with_after(small)
    group = document["continuing_groups"][0]
    group["members"][1]["host"] = True
    group["members"][2]["host"] = True
    group["meetings"][0]["replies"]["p5"] = {"coming": False, "answered_at": "2021-10-01T08:00"}
    group["meetings"][0]["scheduled_by"] = "p4"
    group["members"][2]["consent_at"] = "2021-09-09T08:00"
    found = problems(document)
    assert found["continuing_groups[0].members[1].host"] == (
        "the group already has its host at continuing_groups[0].members[0]"
    )
    assert found["continuing_groups[0].members[2].host"] == (
        "the host is a member who has opted in and not left; the group already has its host "
        "at continuing_groups[0].members[0]"
    )
    assert found["continuing_groups[0].members[2].consent_at"] == (
        "a member who opted in gave their consent, and only they"
    )
    assert found["continuing_groups[0].meetings[0].replies.p5"] == (
        '"p5" is not a member of the group'
    )
    assert found["continuing_groups[0].meetings[0].scheduled_by"] == (
        '"p4" is not a member of the group'
    )


def test_references_that_name_nothing_are_refused(small):
    document = with_after(small)
    document["referrals"][0]["scheme"] = "help-to-grow-digital"  # gm's schemes do not hold it
    document["alumni_events"][0]["invitations"][0]["cohort"] = "somewhere"
    document["alumni_events"][0]["invitations"][1]["participant"] = "p7"  # wy's, not in gm-1
    document["learning_sets"][0]["members"] = ["fac-1", "fac-2"]  # fac-2 is Yorkshire's
    found = problems(document)
    assert found["referrals[0].scheme"] == (
        'hub "gm" offers no scheme with key "help-to-grow-digital"'
    )
    assert found["alumni_events[0].invitations[0].cohort"] == (
        'an invitation names a cohort given in the same document, not "somewhere"'
    )
    assert found["alumni_events[0].invitations[1].participant"] == (
        '"p7" is not a member of cohort "gm-1"'
    )
    assert found["learning_sets[0].members[1]"] == (
        '"fac-2" facilitates no cohort of cluster "north-west" in this document'
    )


def test_learning_points_never_hold_a_participant_s_personal_data(small):
    document = with_after(small)
    session = document["learning_sets"][0]["sessions"][0]
    session["learning_points"] = "Alex Smith (alex@smith.example) asked about pricing."
    found = problems(document)
    assert found["learning_sets[0].sessions[0].learning_points"] == (
        "take out an email address and the name of a participant (Alex Smith): learning "
        "points are shared without any participant's personal data"
    )


def test_the_same_record_twice_in_a_document_is_refused(small):
    document = with_after(small)
    document["alumni_events"].append(copy.deepcopy(document["alumni_events"][0]))
    found = problems(document)
    assert found["alumni_events[1]"] == "the same hub, start and topic as alumni_events[0]"


def test_a_hub_s_upload_cannot_appoint_a_cluster_lead_or_form_a_set(small):
    """A hub's administrator uploads only their hub's records: a cluster's leads and sets
    are the national coordinator's (else one could make themselves a cluster lead)."""
    import_document(completed(small))
    gm = Hub.objects.get(key="gm")
    document = with_after(small)
    part = {
        "format": document["format"],
        "programme": document["programme"],
        "cluster_leads": [{**document["cluster_leads"][0], "user": "gm-admin"}],
        "learning_sets": document["learning_sets"],
    }
    before = table_counts()
    with pytest.raises(ScenarioError) as raised:
        scenario_upload(document=part, by=None, hub=gm)
    assert table_counts() == before
    messages = {problem.path: problem.message for problem in raised.value.problems}
    assert messages["cluster_leads"] == "a hub's document cannot define cluster leads"
    assert messages["learning_sets"] == "a hub's document cannot define learning sets"


# --- nothing of it is the programme -------------------------------------------------------


def test_the_returns_are_the_same_with_and_without_them(small):
    def figures(document: dict[str, Any]) -> dict[str, Any]:
        import_document(document)
        hubs = list(Hub.objects.order_by("key"))
        result = {
            hub.key: kpi.figures_json(kpi.compute_hub(hub, "2021-10")["figures"]) for hub in hubs
        }
        return result

    with transaction.atomic():
        without = figures(completed(small))
        transaction.set_rollback(True)
    with_them = figures(with_after(small))
    assert with_them == without
    assert ContinuingGroup.objects.exists()  # so the comparison is of a database holding them
