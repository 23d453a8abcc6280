"""Personal API tokens (docs/api.md "Authentication").

A token acts as its user, with exactly that user's access. Only the SHA-256 of its
secret is kept: the secret is shown once, when it is made, and can never be read back.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from peernet.scoping import ScopedQuerySet


class ApiToken(models.Model):
    """One personal API token of a member of staff."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=80, help_text="What the token is for, in the user's words.")
    # The first characters of the secret, to tell tokens apart on the page (not enough to
    # guess the rest: the secret carries 256 random bits).
    prefix = models.CharField(max_length=12)
    digest = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the secret.")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_on = models.DateField(null=True, blank=True, help_text="Last day it works.")
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class ApiRegistrationQuerySet(ScopedQuerySet):
    hub_path = "hub"


class ApiRegistration(models.Model):
    """A registration written through the API (POST /api/v1/hubs/<hub>/registrations/)
    under the client's idempotency key: the same key again gives the same answer and
    writes nothing; the same key with other details is refused."""

    hub = models.ForeignKey("peernet.Hub", on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=100, help_text="The client's Idempotency-Key.")
    body_sha256 = models.CharField(max_length=64)
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="+"
    )
    e9 = models.CharField(max_length=300, blank=True, help_text="E9's sentence, if any.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ApiRegistrationQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["hub", "key"], name="api_registration_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.hub_id})"
