"""Every page of the hub administration area (/hub/<hub>/..., the `hub` namespace) is for
the administrators of that hub only: another hub's administrator and every other role
get a 404, and anyone signed out is sent to sign in (docs/security.md §1).

The pages are found by walking the URL resolver, so a new page fails here until it is
added to KWARGS below with the objects its URL needs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.urls import reverse

from alumni.events.services import alumni_event_publish
from peernet import mail
from peernet.models import EmailKind, RoleAssignment
from sessions.models import Complaint, Observation
from tests.factories import (
    Personas,
    make_continuing_group,
    make_finished_export,
    make_referral,
    make_return_version,
    make_session,
    make_survey_invitation,
)
from tests.pages import HUB_OUTSIDERS, area_page_names, assert_sent_to_sign_in

pytestmark = pytest.mark.django_db


class World:
    def __init__(self, personas: Personas) -> None:
        self.p = personas
        self.session = make_session(personas.cohort_a, "2021-10-05T09:30")
        self.complaint = Complaint.objects.create(
            hub=personas.hub_a,
            key="hub-a-c1",
            kind="complaint",
            received=dt.date(2021, 9, 1),
            received_from="A participant",
            summary="The room was cold.",
        )
        self.observation = Observation.objects.create(
            session=self.session,
            observer=personas.hub_a_admin,
            notice_given=self.session.starts_at - dt.timedelta(days=2),
        )
        self.return_version = make_return_version(
            personas.hub_a, dt.date(2021, 10, 1), dt.datetime(2021, 11, 5, 12, 0, tzinfo=dt.UTC)
        )
        # After the programme: cohort A2 carries on as a continuing group; participant A
        # asked to be introduced to Help to Grow: Management.
        self.group = make_continuing_group(personas.cohort_a2)
        self.referral = make_referral(personas.participant_a)
        self.event = alumni_event_publish(
            hub=personas.hub_a,
            topic="Exporting",
            speaker="",
            starts_at=dt.datetime(2031, 1, 10, 18, 0, tzinfo=dt.UTC),
            place="Online",
            by=personas.hub_a_admin,
        )
        # Hub A's October return as a finished download, asked for by its administrator.
        self.export = make_finished_export(
            personas.hub_a_admin, {"area": "hub", "key": personas.hub_a.key, "month": "2021-10"}
        )


def _participant(w: World) -> dict:
    return {"code": w.p.participant_a.code}


def _cohort(w: World) -> dict:
    return {"code": w.p.cohort_a.code}


def _staff_member(w: World) -> dict:
    return {"pk": w.p.facilitator.pk}


def _staff_role(w: World) -> dict:
    role = RoleAssignment.objects.get(user=w.p.facilitator, cohort=w.p.cohort_a)
    return {"pk": w.p.facilitator.pk, "assignment": role.pk}


def _email(w: World) -> dict:
    email = mail.send(
        kind=EmailKind.CHARTER,
        subject="Sign the charter",
        body="Dear Sam",
        to=[w.p.participant_a.email],
        hub=w.p.hub_a,
    )
    return {"pk": email.pk}


# name -> (the URL's arguments besides the hub, POST only?)
KWARGS: dict[str, tuple[Callable[[World], dict], bool]] = {
    "home": (lambda w: {}, False),
    "todo": (lambda w: {}, False),
    "calendar": (lambda w: {}, False),
    "registrations": (lambda w: {}, False),
    "registrations-bulk": (lambda w: {}, True),
    "surveys-outstanding": (lambda w: {}, False),
    "surveys-remind": (lambda w: {}, True),
    "registration-new": (lambda w: {}, False),
    "scenario": (lambda w: {}, False),
    "participant": (_participant, False),
    "participant-edit": (_participant, False),
    "eligibility": (_participant, False),
    "charter": (_participant, False),
    "charter-send": (_participant, True),
    "cohorts": (lambda w: {}, False),
    "cohort": (_cohort, False),
    "joining-details": (_cohort, False),
    "cohort-allocate": (_cohort, True),
    "cohort-move": (_cohort, True),
    "cohort-schedule": (_cohort, False),
    "session-edit": (lambda w: {**_cohort(w), "session": w.session.code}, False),
    "complaints": (lambda w: {}, False),
    "sessions": (lambda w: {}, False),
    "one-to-ones": (lambda w: {}, False),
    "complaint-new": (lambda w: {}, False),
    "complaint": (lambda w: {"key": w.complaint.key}, False),
    "observations": (lambda w: {}, False),
    "observation": (lambda w: {"pk": w.observation.pk}, False),
    "registrations-import": (lambda w: {}, False),
    "registrations-import-confirm": (lambda w: {}, True),
    "registrations-import-template": (lambda w: {"kind": "csv"}, False),
    "surveys": (lambda w: {}, False),
    "survey-cohort": (_cohort, False),
    "survey-evaluator-list": (lambda w: {}, False),
    "survey-evaluator-list-csv": (lambda w: {}, False),
    "survey-participant": (_participant, False),
    "survey-renew": (lambda w: {"pk": make_survey_invitation(w.p.participant_a).pk}, True),
    "returns": (lambda w: {}, False),
    "return": (lambda w: {"month": "2021-10"}, False),
    "return-compile": (lambda w: {"month": "2021-10"}, True),
    "return-version": (lambda w: {"month": "2021-10", "version": 1}, False),
    "return-compare": (lambda w: {"month": "2021-10"}, False),
    "return-figure": (lambda w: {"month": "2021-10", "figure": "started_month"}, False),
    "return-download": (lambda w: {"month": "2021-10"}, True),
    "return-export": (lambda w: {"month": "2021-10", "pk": w.export.pk}, False),
    "return-export-file": (lambda w: {"month": "2021-10", "pk": w.export.pk}, False),
    "one-to-one": (_participant, False),
    "one-to-one-referral": (_participant, False),
    "one-to-one-decline": (_participant, False),
    "one-to-one-external-hours": (_participant, False),
    "one-to-one-action-record": (_participant, False),
    "staff": (lambda w: {}, False),
    "staff-invite": (lambda w: {}, False),
    "staff-member": (_staff_member, False),
    "staff-role-remove": (_staff_role, False),
    "staff-invitation-resend": (_staff_member, True),
    "email-send-again": (_email, True),
    "continuing-groups": (lambda w: {}, False),
    "continuing-group-start": (lambda w: {"code": w.p.cohort_a.code}, True),
    "continuing-group": (lambda w: {"pk": w.group.pk}, False),
    "business-support": (lambda w: {}, False),
    "referrals": (lambda w: {}, False),
    "alumni-events": (lambda w: {}, False),
    "alumni-event-new": (lambda w: {}, False),
    "alumni-event": (lambda w: {"pk": w.event.pk}, False),
    "referral": (
        lambda w: {"code": w.referral.participant.code, "scheme": w.referral.scheme.key},
        False,
    ),
}


def test_every_hub_page_is_covered():
    missing = sorted(set(area_page_names("hub", "hub/<slug:hub>/")) - set(KWARGS))
    assert not missing, f"Add these hub pages to KWARGS in this file: {missing}"


NAMES = sorted(set(area_page_names("hub", "hub/<slug:hub>/")) & set(KWARGS))


def _url(name: str, hub_key: str, world: World) -> str:
    kwargs, _ = KWARGS[name]
    return reverse(f"hub:{name}", kwargs={"hub": hub_key, **kwargs(world)})


@pytest.fixture
def world(personas: Personas) -> World:
    return World(personas)


@pytest.mark.parametrize("role", ["hub_a_admin", "coordinator"])
@pytest.mark.parametrize("name", NAMES)
def test_the_hubs_administrator_can_open_it(client, world, name, role):
    # The national coordinator stands in for any hub's administrator (peernet/access.py).
    client.force_login(getattr(world.p, role))
    response = client.get(_url(name, "hub-a", world))
    post_only = KWARGS[name][1]
    assert response.status_code == (405 if post_only else 200)


@pytest.mark.parametrize("role", HUB_OUTSIDERS)
@pytest.mark.parametrize("name", NAMES)
def test_anyone_else_gets_a_404(client, world, name, role):
    client.force_login(getattr(world.p, role))
    url = _url(name, "hub-a", world)
    # A POST-only page answers a GET with 405 before it looks at the hub: ask as a form would.
    response = client.post(url) if KWARGS[name][1] else client.get(url)
    assert response.status_code == 404


@pytest.mark.parametrize("name", NAMES)
def test_anonymous_is_sent_to_sign_in(client, world, name):
    url = _url(name, "hub-a", world)
    assert_sent_to_sign_in(client.post(url) if KWARGS[name][1] else client.get(url))
