"""Monthly KPI returns (docs/returns.md): a hub's working draft per month and its frozen versions
(compiled and submitted by reporting.returns; the figures are reporting.kpi's)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q
from django.db.models.signals import post_delete
from django.dispatch import receiver

from peernet.db import WrittenOnceQuerySet
from peernet.models import Hub
from peernet.scoping import ScopedQuerySet


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
    draft_parts = models.JSONField(
        default=dict, blank=True, help_text="Numerators and denominators of the rates."
    )
    draft_compiled_at = models.DateTimeField(null=True, blank=True)
    narrative = models.TextField(blank=True, help_text="M2: the supporting narrative.")
    reminder_sent_at = models.DateTimeField(
        null=True, blank=True, help_text="When the hub was reminded that it is due (M1)."
    )

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


class FrozenReturn(Exception):
    """docs/security.md §26: a submitted return version never changes and is never deleted."""


class ReturnVersionQuerySet(WrittenOnceQuerySet, ScopedQuerySet):
    hub_path = "monthly_return__hub"
    member_hub_path = "monthly_return__hub"
    names_nobody = True

    # docs/security.md §26: no bulk route round the model either (the database refuses too:
    # see migration 0004's trigger).
    refusal = FrozenReturn
    never_changes = "A submitted return version never changes."
    never_deleted = "A submitted return version is never deleted."


class ReturnVersion(models.Model):
    """A submitted return, frozen: figures as they were, with the SHA-256 of their
    canonical JSON. A resubmission is a new version with a reason (docs/returns.md Submission)."""

    monthly_return = models.ForeignKey(
        MonthlyReturn, on_delete=models.PROTECT, related_name="versions"
    )
    version = models.PositiveSmallIntegerField()
    figures = models.JSONField()
    breakdowns = models.JSONField()
    parts = models.JSONField(
        default=dict, blank=True, help_text="Numerators and denominators of the rates."
    )
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

    def save(self, *args: object, **kwargs: object) -> None:
        # docs/security.md §26: written once, at submission (reporting.returns.submit_return).
        if not self._state.adding:
            raise FrozenReturn(f"{self} was submitted and never changes.")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise FrozenReturn(f"{self} was submitted and is never deleted.")


# --- the daily at-risk scan ------------------------------------------------------------


class FindingQuerySet(ScopedQuerySet):
    # A facilitator sees findings about their cohorts (and their sessions and members);
    # a provider those about the participants they support.
    hub_path = "hub"
    cohort_path = "cohort"
    provider_path = "participant__one_to_one_provider"

    def open(self) -> FindingQuerySet:
        return self.filter(resolved__isnull=True)


class Finding(models.Model):
    """A rule's warn or fail about one subject, found by the at-risk scan.

    Open while the scan keeps finding it (`last_found` moves on); `resolved` when a scan no
    longer does. The same rule failing again later is a new finding, so the history of
    risk is kept.
    """

    class SubjectKind(models.TextChoices):
        PARTICIPANT = "participant", "Participant"
        COHORT = "cohort", "Cohort"
        SESSION = "session", "Group session"
        ONE_TO_ONE = "one_to_one", "One-to-one session"
        OBSERVATION = "observation", "Observation"
        FACILITATOR = "facilitator", "Facilitator"
        COMPLAINT = "complaint", "Complaint"
        MONTHLY_RETURN = "monthly_return", "Monthly return"

    class Outcome(models.TextChoices):
        WARN = "warn", "Warning"
        FAIL = "fail", "Fail"

    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="findings")
    # For access only: the cohort a facilitator sees it through, the participant whose
    # provider sees it. The subject itself is (subject_kind, subject_id).
    cohort = models.ForeignKey(
        "cohorts.Cohort", on_delete=models.CASCADE, null=True, blank=True, related_name="findings"
    )
    participant = models.ForeignKey(
        "participants.Participant",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="findings",
    )
    rule = models.CharField(max_length=4)
    subject_kind = models.CharField(max_length=20, choices=SubjectKind.choices)
    subject_id = models.PositiveBigIntegerField()
    # The public code of participants, cohorts and sessions, for links to their pages.
    subject_code = models.UUIDField(null=True, blank=True)
    subject_name = models.CharField(max_length=300)
    outcome = models.CharField(max_length=4, choices=Outcome.choices)
    sentence = models.TextField()
    due = models.DateField(null=True, blank=True)
    first_found = models.DateTimeField()
    last_found = models.DateTimeField()
    resolved = models.DateTimeField(null=True, blank=True)

    objects = FindingQuerySet.as_manager()

    class Meta:
        ordering = ["hub", "rule", "subject_kind", "subject_id"]
        indexes = [models.Index(fields=["hub", "resolved"])]
        constraints = [
            models.UniqueConstraint(
                fields=["hub", "rule", "subject_kind", "subject_id"],
                condition=Q(resolved__isnull=True),
                name="finding_one_open_per_rule_and_subject",
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=["warn", "fail"]), name="finding_outcome_warn_or_fail"
            ),
            models.CheckConstraint(
                condition=Q(last_found__gte=F("first_found")),
                name="finding_last_found_after_first",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule} {self.get_outcome_display().lower()}: {self.subject_name}"


class RiskScanQuerySet(ScopedQuerySet):
    hub_path = "hub"
    member_hub_path = "hub"
    names_nobody = True


class RiskScan(models.Model):
    """The at-risk scan of one hub on one day (London); a second run that day updates it."""

    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="risk_scans")
    run_on = models.DateField()
    runs = models.PositiveSmallIntegerField(default=1, help_text="Times run on this day.")
    as_of = models.DateTimeField(help_text="The moment the latest run judged the rules at.")
    started = models.DateTimeField()
    finished = models.DateTimeField(null=True, blank=True)
    subjects = models.PositiveIntegerField(default=0, help_text="Records judged.")
    open_findings = models.PositiveIntegerField(default=0)
    new_findings = models.PositiveIntegerField(default=0, help_text="By the latest run.")
    resolved_findings = models.PositiveIntegerField(default=0, help_text="By the latest run.")

    objects = RiskScanQuerySet.as_manager()

    class Meta:
        ordering = ["-run_on", "hub__name"]
        constraints = [
            models.UniqueConstraint(fields=["hub", "run_on"], name="risk_scan_one_per_hub_and_day"),
        ]

    def __str__(self) -> str:
        return f"At-risk scan of {self.hub} on {self.run_on}"


class DigestSentQuerySet(ScopedQuerySet):
    hub_path = "hub"


class DigestSent(models.Model):
    """A risk digest emailed to one person for one hub on one day: never a second."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="risk_digests"
    )
    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="risk_digests")
    run_on = models.DateField()
    as_of = models.DateTimeField(help_text="The scan moment the digest reported changes up to.")
    sent_at = models.DateTimeField()
    new_findings = models.PositiveIntegerField(default=0)
    resolved_findings = models.PositiveIntegerField(default=0)

    objects = DigestSentQuerySet.as_manager()

    class Meta:
        ordering = ["-run_on", "user"]
        verbose_name = "digest sent"
        verbose_name_plural = "digests sent"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "hub", "run_on"], name="digest_sent_once_per_user_hub_day"
            ),
        ]

    def __str__(self) -> str:
        return f"Risk digest to {self.user} for {self.hub} on {self.run_on}"


# --- downloads built in the background ---------------------------------------------------


class ExportStatus(models.TextChoices):
    PENDING = "pending", "Waiting to start"
    RUNNING = "running", "Being built"
    COMPLETE = "complete", "Ready"
    FAILED = "failed", "Failed"


class ExportFileQuerySet(models.QuerySet):
    def for_requester(self, user) -> ExportFileQuerySet:
        """docs/security.md §6: a file is served only to the user who asked for it (and who may
        still see what it holds: the view checks that again at download)."""
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        return self.filter(requested_by=user)


class ExportFile(models.Model):
    """A download built by a Celery task and kept for the user who asked for it.

    The bytes live in the file storage (`default_storage`: local disk by default, object
    storage by configuration) under a name no one can guess; the file is written whole
    before the transaction that marks the row complete and names it, so an export that
    dies half-way leaves neither a "complete" status nor a partial file (docs/security.md
    §27). A file whose row is deleted (the retention job) is deleted with it."""

    kind = models.CharField(max_length=40, help_text="What was asked for, e.g. return-xlsx.")
    params = models.JSONField(default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_files"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        max_length=10, choices=ExportStatus.choices, default=ExportStatus.PENDING
    )
    progress = models.PositiveSmallIntegerField(default=0, help_text="Per cent done.")
    filename = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    file = models.FileField(upload_to="exports/", max_length=300, blank=True, editable=False)
    completed_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    objects = ExportFileQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="export_file_progress_at_most_100"
            ),
            # Complete means the whole file is there; nothing else names a file.
            models.CheckConstraint(
                condition=(
                    (Q(status="complete", completed_at__isnull=False) & ~Q(file=""))
                    | (~Q(status="complete") & Q(file=""))
                ),
                name="export_file_only_when_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.requested_by_id} ({self.status})"

    @property
    def content(self) -> bytes | None:
        """The file's bytes, read from the storage; None until it is complete."""
        if not self.file:
            return None
        with self.file.open("rb") as stored:
            return stored.read()


@receiver(post_delete, sender=ExportFile, dispatch_uid="reporting.export_file_deleted")
def _export_file_deleted(sender: type[ExportFile], instance: ExportFile, **kwargs: Any) -> None:
    """The file goes with its row (the retention job, a user's account deleted), once the
    deletion is committed."""
    if instance.file:
        storage, name = instance.file.storage, instance.file.name
        transaction.on_commit(lambda: storage.delete(name))
