"""Shared helpers for the scenario import and export tests."""

from __future__ import annotations

import contextlib
import copy
import json
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.db import transaction

from alumni import models as alumni
from cohorts.models import Cohort, CohortMembership
from participants.models import (
    Business,
    EligibilityException,
    EqualityData,
    Participant,
    SurveyResponse,
)
from peernet.models import Cluster, DeliveryPartner, Hub, Programme, RoleAssignment, User
from reporting.scenario import export_document, import_document
from sessions.models import (
    ActionCard,
    Attendance,
    Complaint,
    FacilitatorNote,
    GroupSession,
    Observation,
    OneToOneSession,
)

SMALL = Path(__file__).with_name("scenario_small.json")
# The apps whose tables an import writes; seeded topics and instruments are counted too,
# so a test sees it if an import ever touched them.
APP_LABELS = ("peernet", "participants", "cohorts", "delivery", "reporting", "alumni")
SEEDED = {"delivery.Topic", "participants.SurveyInstrument"}
# The after-the-programme records, children first.
AFTER_THE_PROGRAMME = (
    alumni.AlumniLink,
    alumni.EventInvitation,
    alumni.AlumniEvent,
    alumni.MeetingActionCard,
    alumni.MeetingReply,
    alumni.GroupMeeting,
    alumni.GroupMember,
    alumni.ContinuingGroup,
    alumni.Referral,
    alumni.SupportScheme,
    alumni.LearningSetSession,
    alumni.LearningSet,
    alumni.ClusterLead,
)


@pytest.fixture(scope="session")
def small_text() -> str:
    return SMALL.read_text(encoding="utf-8")


@pytest.fixture
def small(small_text: str) -> dict[str, Any]:
    """A fresh copy of the hand-written fixture document, free to change."""
    return json.loads(small_text)


def table_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for label in APP_LABELS
        for model in apps.get_app_config(label).get_models()
    }


class _RollBack(Exception):
    pass


def export_after_import(document: dict[str, Any], **export: Any) -> dict[str, Any]:
    """Import into the test database as it is, export, then roll the import back, so the
    next import again starts from the same (empty) database."""
    before = table_counts()
    with contextlib.suppress(_RollBack), transaction.atomic():
        import_document(copy.deepcopy(document))
        exported = export_document(**export)
        raise _RollBack
    assert table_counts() == before
    return exported


def empty_database() -> None:
    """Delete everything an import writes (children first), keeping the seeded topics and
    survey instruments: the state of a new installation."""
    for model in (
        *AFTER_THE_PROGRAMME,
        SurveyResponse,
        Observation,
        Attendance,
        ActionCard,
        FacilitatorNote,
        OneToOneSession,
        Complaint,
        GroupSession,
        CohortMembership,
        RoleAssignment,
        Cohort,
        EqualityData,
        EligibilityException,
        Participant,
        Business,
        User,
        DeliveryPartner,
        Hub,
        Cluster,
        Programme,
    ):
        model.objects.all().delete()
    assert not any(count for label, count in table_counts().items() if label not in SEEDED), (
        table_counts()
    )


def item(items: list[dict[str, Any]], key: str) -> dict[str, Any]:
    """The item with this key in a document's list."""
    return next(entry for entry in items if entry["key"] == key)
