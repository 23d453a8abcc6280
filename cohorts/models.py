"""Cohorts and their membership."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import F, Q

from participants.models import Participant
from peernet.models import Hub, Programme
from peernet.scoping import ScopedQuerySet


class CohortQuerySet(ScopedQuerySet):
    hub_path = "hub"
    cohort_path = ""
    provider_path = "memberships__participant__one_to_one_provider"


class Cohort(models.Model):
    """A peer group of up to 11 SME leaders (K1) meeting for 18 hours (K2).

    Its state (forming, running, completed) is derived from its sessions, not stored.
    """

    key = models.SlugField(max_length=60, unique=True)
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="cohorts")
    hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="cohorts")
    name = models.CharField(max_length=120)
    delivery_partner = models.ForeignKey(
        "peernet.DeliveryPartner",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cohorts",
        help_text="The organisation that facilitates this cohort, if not the hub itself.",
    )
    planned_start = models.DateField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    objects = CohortQuerySet.as_manager()

    class Meta:
        ordering = ["hub__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["hub", "name"], name="cohort_unique_name_in_hub"),
        ]

    def __str__(self) -> str:
        return self.name


class MembershipQuerySet(ScopedQuerySet):
    hub_path = "cohort__hub"
    cohort_path = "cohort"
    provider_path = "participant__one_to_one_provider"


class CohortMembership(models.Model):
    """A participant's time in a cohort. A move ends one membership and starts another,
    so the history is kept (K11)."""

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="memberships")
    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="memberships"
    )
    joined = models.DateField()
    left = models.DateField(null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["joined"]
        constraints = [
            models.CheckConstraint(
                condition=Q(left__isnull=True) | Q(left__gte=F("joined")),
                name="membership_left_after_joined",
            ),
            # One current cohort at a time.
            models.UniqueConstraint(
                fields=["participant"],
                condition=Q(left__isnull=True),
                name="membership_one_current_cohort",
            ),
            models.UniqueConstraint(
                fields=["cohort", "participant", "joined"], name="membership_unique_spell"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant} in {self.cohort}"


class SessionMode(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    ONLINE = "online", "Online"
    HYBRID = "hybrid", "Hybrid: in person, and online for some"


class JoiningInstructionsQuerySet(ScopedQuerySet):
    hub_path = "cohort__hub"
    cohort_path = "cohort"


class JoiningInstructions(models.Model):
    """A cohort's joining instructions template (Playbook: Communicating the Back-Up
    Plan), sent to every current member before each session (K7)."""

    cohort = models.OneToOneField(
        Cohort, on_delete=models.CASCADE, related_name="joining_instructions"
    )
    mode = models.CharField(max_length=10, choices=SessionMode.choices, blank=True)
    platform = models.CharField(max_length=120, blank=True, help_text="Venue or platform.")
    link = models.URLField(blank=True, help_text="The video call link, if online.")
    dial_in = models.CharField(max_length=200, blank=True)
    backup_plan = models.TextField(
        blank=True, help_text="What happens if the connection fails or the venue changes."
    )
    contact_name = models.CharField(max_length=160, blank=True)
    contact_details = models.CharField(
        max_length=200, blank=True, help_text="Phone or email for connection problems."
    )
    updated = models.DateTimeField(auto_now=True)

    objects = JoiningInstructionsQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "joining instructions"

    def __str__(self) -> str:
        return f"Joining instructions for {self.cohort}"
