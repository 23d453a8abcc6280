"""A participant with something in every kind of record the privacy registry lists."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest

from participants.models import (
    EligibilityException,
    EligibilityOutcome,
    EqualityData,
    Participant,
    SurveyInstrument,
    SurveyInvitation,
    SurveyResponse,
)
from reporting.models import Finding
from sessions.models import (
    ActionCard,
    ActionPlan,
    Attendance,
    Complaint,
    FacilitatorNote,
    GroupSession,
    OneToOneSession,
)
from tests.factories import Personas, make_business, make_one_to_one, make_session

STORY = "Jordan Quill told us about Quill Widgets' cash flow."


@dataclass
class Rich:
    p: Personas
    person: Participant
    session: GroupSession
    one_to_one: OneToOneSession
    complaint: Complaint
    other_complaint: Complaint


def make_rich(personas: Personas) -> Rich:
    person = personas.participant_a
    business = make_business(name="Quill Widgets Ltd", postcode="M1 1AA", company_number="01234567")
    Participant.objects.filter(pk=person.pk).update(
        first_name="Jordan",
        last_name="Quill",
        email="jordan@quill.example",
        phone="0161 496 0000",
        job_title="Director",
        business=business,
        eligibility_notes="Jordan Quill mentioned a health condition.",
    )
    person.refresh_from_db()
    session = make_session(personas.cohort_a, "2021-06-01T09:30", status="delivered")
    Attendance.objects.create(
        session=session, participant=person, present=True, hours=Decimal("2.50")
    )
    FacilitatorNote.objects.create(
        session=session,
        issues_brought="Jordan raised late payments; Sam raised hiring.",
        actions_agreed="Everyone to test one idea.",
        process_issues="",
        hot_topics="Energy costs",
        author=personas.facilitator,
    )
    ActionCard.objects.create(
        session=session, participant=person, actions="Call the bank", report_back=""
    )
    ActionPlan.objects.create(
        participant=person,
        goal="Double exports",
        reality="Small team",
        agreed_on=dt.date(2021, 6, 5),
    )
    one_to_one = make_one_to_one(
        person, personas.provider, status="delivered", nature_of_support=""
    )
    EqualityData.objects.create(participant=person, gender="female", age_band="35-44")
    EligibilityOutcome.objects.create(
        participant=person, rule="E1", outcome="pass", sentence="Quill Widgets Ltd is an SME."
    )
    EligibilityException.objects.create(
        participant=person,
        rule="E8",
        agreed_by="The hub manager",
        agreed_on=dt.date(2021, 5, 4),
        details="Jordan dropped out last year for family reasons.",
    )
    instrument = SurveyInstrument.objects.create(
        kind="exit",
        version=99,
        title="Exit (test)",
        active=False,
        questions=[
            {"key": "story", "text": "Tell us", "type": "text"},
            {"key": "score", "text": "Score", "type": "scale", "min": 1, "max": 5},
        ],
    )
    invitation = SurveyInvitation.objects.create(
        participant=person,
        instrument=instrument,
        kind="exit",
        expires_at=dt.datetime(2021, 8, 1, tzinfo=dt.UTC),
        draft={"story": "half-written"},
    )
    SurveyResponse.objects.create(
        participant=person,
        instrument=instrument,
        kind="exit",
        invitation=invitation,
        completed=dt.date(2021, 7, 1),
        answers={"story": STORY, "score": 4},
    )
    Finding.objects.create(
        hub=personas.hub_a,
        participant=person,
        rule="O1",
        subject_kind="participant",
        subject_id=person.pk,
        subject_name="Jordan Quill",
        outcome="warn",
        sentence="Jordan Quill has had 1.5 of 3.5 hours.",
        first_found=dt.datetime(2021, 7, 1, tzinfo=dt.UTC),
        last_found=dt.datetime(2021, 7, 1, tzinfo=dt.UTC),
    )
    complaint = Complaint.objects.create(
        hub=personas.hub_a,
        key="c-1",
        received=dt.date(2021, 6, 2),
        received_from="Jordan Quill",
        summary="The venue was too far from my home in Salford.",
    )
    other = Complaint.objects.create(
        hub=personas.hub_a,
        key="c-2",
        received=dt.date(2021, 6, 3),
        received_from="A facilitator",
        summary="The room was cold; jordan quill left early.",
    )
    return Rich(personas, person, session, one_to_one, complaint, other)


@pytest.fixture
def rich(personas: Personas) -> Rich:
    return make_rich(personas)
