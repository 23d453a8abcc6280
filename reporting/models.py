"""Monthly KPI returns (KPI.md). Compilation and submission come with the returns issue."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from peernet.access import ScopedQuerySet
from peernet.models import Hub


class MonthlyReturnQuerySet(ScopedQuerySet):
    hub_path = "hub"
    member_hub_path = "hub"
    names_nobody = True  # returns name nobody: BEIS and the evaluator read them all


class MonthlyReturn(models.Model):
    """A hub's return for one calendar month: the working draft and its versions."""

    hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="monthly_returns")
    month = models.DateField(help_text="The first day of the month reported on.")
    draft_figures = models.JSONField(default=dict, blank=True)
    draft_breakdowns = models.JSONField(default=dict, blank=True)
    draft_compiled_at = models.DateTimeField(null=True, blank=True)
    narrative = models.TextField(blank=True, help_text="M2: the supporting narrative.")

    objects = MonthlyReturnQuerySet.as_manager()

    class Meta:
        ordering = ["-month", "hub__name"]
        constraints = [
            models.UniqueConstraint(fields=["hub", "month"], name="monthly_return_one_per_month"),
            models.CheckConstraint(
                condition=Q(month__day=1), name="monthly_return_month_is_first_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hub} — {self.month:%B %Y}"


class ReturnVersionQuerySet(ScopedQuerySet):
    hub_path = "monthly_return__hub"
    member_hub_path = "monthly_return__hub"
    names_nobody = True


class ReturnVersion(models.Model):
    """A submitted return, frozen: figures as they were, with the SHA-256 of their
    canonical JSON. A resubmission is a new version with a reason (KPI.md Submission)."""

    monthly_return = models.ForeignKey(
        MonthlyReturn, on_delete=models.PROTECT, related_name="versions"
    )
    version = models.PositiveSmallIntegerField()
    figures = models.JSONField()
    breakdowns = models.JSONField()
    narrative = models.TextField(blank=True)
    sha256 = models.CharField(max_length=64)
    submitted_at = models.DateTimeField()
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(blank=True, help_text="Why it was resubmitted.")

    objects = ReturnVersionQuerySet.as_manager()

    class Meta:
        ordering = ["monthly_return", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["monthly_return", "version"], name="return_version_unique"
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="return_version_positive"),
            models.CheckConstraint(
                condition=Q(version=1) | ~Q(reason=""), name="return_resubmission_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.monthly_return} v{self.version}"
