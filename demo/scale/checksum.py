"""A fingerprint of everything the scale generator makes, to show that two builds of the
same size are the same.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from django.db import models

from cohorts.models import Cohort, CohortMembership
from participants.models import Business, EqualityData, Participant, SurveyResponse
from peernet.models import Hub
from sessions.models import Attendance, Complaint, GroupSession, OneToOneSession


def _rows(queryset: models.QuerySet, *fields: str) -> Iterable[tuple[Any, ...]]:
    return queryset.order_by(*fields).values_list(*fields).iterator(chunk_size=5000)


def checksum() -> str:
    """SHA-256 over the key fields of everything `build` makes, in a fixed order (no
    primary keys or creation times), so two builds of the same N can be compared."""
    digest = hashlib.sha256()
    parts = [
        _rows(Hub.objects, "key", "cluster__key", "target"),
        _rows(
            Participant.objects,
            "key",
            "hub__key",
            "code",
            "registered",
            "privacy_notice_acknowledged",
            "eligibility_status",
            "eligibility_decided",
            "charter_signed_at",
            "one_to_one_provider__email",
            "one_to_one_declined",
            "dropped_out_on",
        ),
        _rows(Business.objects, "key", "sector", "employees", "turnover"),
        _rows(Cohort.objects, "key", "code", "hub__key", "planned_start"),
        _rows(CohortMembership.objects, "participant__key", "cohort__key", "joined", "left"),
        _rows(GroupSession.objects, "key", "starts_at", "hours", "status"),
        _rows(GroupSession.topics.through.objects, "groupsession__key", "topic__key"),
        _rows(Attendance.objects, "session__key", "participant__key", "present", "hours"),
        _rows(OneToOneSession.objects, "key", "starts_at", "hours", "route", "provider__email"),
        _rows(
            SurveyResponse.objects,
            "participant__key",
            "kind",
            "session__key",
            "completed",
            "answers",
        ),
        _rows(Complaint.objects, "key", "received", "resolved"),
        _rows(EqualityData.objects, "participant__key", "gender", "ethnic_group", "age_band"),
    ]
    for rows in parts:
        for row in rows:
            digest.update(repr(row).encode())
        digest.update(b"|")
    return digest.hexdigest()
