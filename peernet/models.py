"""Programme structure every app hangs from: programme, clusters, hubs, people and roles."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone

from peernet.calendar import Month
from peernet.db import WrittenOnceQuerySet, staff_member
from peernet.roles import NATIONAL_ROLES, Role
from peernet.scoping import HubQuerySet, ScopedQuerySet, UserQuerySet


class Programme(models.Model):
    """One programme year, with the rule parameters of docs/rules.md.

    The numbers live here, never in code, so another programme year can change them.
    """

    name = models.CharField(max_length=120, unique=True)
    delivery_start = models.DateField(help_text="K5: first day of the delivery window.")
    delivery_end = models.DateField(help_text="K5: last day of the delivery window.")
    national_target = models.PositiveIntegerField(help_text="Participants starting nationally.")
    # K1: cohort size
    cohort_size = models.PositiveSmallIntegerField(default=11)
    # K2: facilitated hours per cohort
    cohort_hours = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("18"))
    # K3: recommended session length
    session_hours_min = models.DecimalField(max_digits=4, decimal_places=2, default=Decimal("2"))
    session_hours_max = models.DecimalField(max_digits=4, decimal_places=2, default=Decimal("3"))
    # K4: longest recommended gap between sessions
    session_gap_days_max = models.PositiveSmallIntegerField(default=21)
    # K7, O5: joining instructions notice
    joining_instructions_hours = models.PositiveSmallIntegerField(default=48)
    # O1: one-to-one minimum per participant
    one_to_one_hours = models.DecimalField(max_digits=4, decimal_places=2, default=Decimal("3.5"))
    # O3: one-to-ones within this many months of the cohort's final session
    one_to_one_months_after_final = models.PositiveSmallIntegerField(default=1)
    # Q2: observation notice
    observation_notice_hours = models.PositiveSmallIntegerField(default=24)
    # M1: the return is due on this day of the following month
    return_due_day = models.PositiveSmallIntegerField(default=7)
    # E1: SME thresholds (two or more of three)
    sme_max_employees = models.PositiveIntegerField(default=250)
    sme_max_turnover = models.DecimalField(
        max_digits=14, decimal_places=2, default=Decimal("36000000")
    )
    sme_max_balance_sheet = models.DecimalField(
        max_digits=14, decimal_places=2, default=Decimal("18000000")
    )
    # E2, E3, E4
    min_trading_months = models.PositiveSmallIntegerField(default=12)
    min_paye_employees = models.PositiveSmallIntegerField(default=5)
    min_turnover = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("100000"))

    class Meta:
        ordering = ["-delivery_start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(delivery_end__gt=F("delivery_start")),
                name="programme_window_ordered",
            ),
            models.CheckConstraint(
                condition=Q(session_hours_max__gte=F("session_hours_min"))
                & Q(session_hours_min__gt=0),
                name="programme_session_hours_ordered",
            ),
            models.CheckConstraint(
                condition=Q(cohort_size__gt=0) & Q(cohort_hours__gt=0) & Q(one_to_one_hours__gt=0),
                name="programme_minimums_positive",
            ),
            models.CheckConstraint(
                condition=Q(return_due_day__gte=1) & Q(return_due_day__lte=28),
                name="programme_return_due_day_in_month",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def current(cls) -> Programme:
        """The programme year in force: the newest by delivery start."""
        programme = cls.objects.order_by("-delivery_start").first()
        if programme is None:
            raise cls.DoesNotExist("No programme has been set up yet.")
        return programme

    def months(self) -> list[Month]:
        """Every calendar month the delivery window touches, in order."""
        return list(Month.of(self.delivery_start).through(Month.of(self.delivery_end)))

    def holds(self, month: Month) -> bool:
        """Whether the delivery window touches `month`."""
        return self.delivery_start <= month.last_day and self.delivery_end >= month.first_day

    @classmethod
    def for_month(
        cls, month: Month | dt.date, programmes: Sequence[Programme] | None = None
    ) -> Programme:
        """The programme year whose delivery window holds `month`, else the current one.

        A return carries no programme; the month decides which year's due day applies, so a
        late return for March 2022 is judged by 2021/22's rule even after 2022/23 is set up.
        `programmes` (newest first) when the caller has already read them, else one query.
        """
        month = Month.from_value(month)
        if programmes is not None:
            if not programmes:
                raise cls.DoesNotExist("No programme has been set up yet.")
            return next((p for p in programmes if p.holds(month)), programmes[0])
        covering = cls.objects.filter(
            delivery_start__lte=month.last_day, delivery_end__gte=month.first_day
        ).first()  # ordered newest first
        return covering or cls.current()


class Cluster(models.Model):
    key = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Hub(models.Model):
    """A Growth Hub: the LEP's delivery body and the scope of most records."""

    key = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=160)
    lep = models.CharField("LEP name", max_length=160)
    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="hubs")
    target = models.PositiveIntegerField(help_text="Participants the hub aims to start.")
    # E6: the local authority areas that make up the LEP area
    local_authorities = models.JSONField(default=list, blank=True)
    privacy_notice_url = models.URLField(
        blank=True, help_text="C2: the hub's own privacy notice, shown before registration."
    )

    objects = HubQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DeliveryPartner(models.Model):
    """An organisation a hub contracts to facilitate or to provide one-to-one support."""

    class Service(models.TextChoices):
        FACILITATION = "facilitation", "Facilitation"
        ONE_TO_ONE = "one_to_one", "One-to-one support"
        BOTH = "both", "Facilitation and one-to-one support"

    key = models.SlugField(max_length=60, unique=True)
    hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="delivery_partners")
    name = models.CharField(max_length=160)
    service = models.CharField(max_length=20, choices=Service.choices)

    class Meta:
        ordering = ["hub__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["hub", "name"], name="delivery_partner_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: object) -> User:
        if not email:
            raise ValueError("Enter an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A member of staff: logs in with an email address. Participants have no account."""

    email = models.EmailField(unique=True)
    name = models.CharField(max_length=160)
    key = models.SlugField(
        max_length=60, unique=True, null=True, blank=True, help_text="Scenario key."
    )
    organisation = models.ForeignKey(
        DeliveryPartner, on_delete=models.SET_NULL, null=True, blank=True, related_name="staff"
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="May use the Django admin.")
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()
    # django-otp's question, set on every request's user by
    # peernet.middleware.SecondFactorMiddleware: has this session given a second factor?
    is_verified: Callable[[], bool]

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        ordering = ["name"]
        constraints = [
            # Emails are stored lower-case so that one person has one account.
            models.CheckConstraint(condition=Q(email=Lower("email")), name="user_email_lower_case"),
        ]

    def __str__(self) -> str:
        return self.name or self.email

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.name.split(" ")[0] if self.name else self.email


class RoleAssignment(models.Model):
    """What a user may do, and where.

    National roles have no hub; hub roles name their hub; a facilitator is given
    cohorts by an assignment that also names the cohort.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(max_length=30, choices=Role.choices)
    hub = models.ForeignKey(
        Hub, on_delete=models.CASCADE, null=True, blank=True, related_name="role_assignments"
    )
    cohort = models.ForeignKey(
        "cohorts.Cohort",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="role_assignments",
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user__name", "role"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(role__in=[r.value for r in NATIONAL_ROLES], hub__isnull=True)
                    | (~Q(role__in=[r.value for r in NATIONAL_ROLES]) & Q(hub__isnull=False))
                ),
                name="role_assignment_scope_matches_role",
            ),
            models.CheckConstraint(
                condition=Q(cohort__isnull=True) | Q(role="facilitator"),
                name="role_assignment_cohort_only_for_facilitators",
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(hub__isnull=True),
                name="role_assignment_unique_national_role",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "hub"],
                condition=Q(hub__isnull=False, cohort__isnull=True),
                name="role_assignment_unique_hub_role",
            ),
            models.UniqueConstraint(
                fields=["cohort"],
                condition=Q(cohort__isnull=False),
                name="role_assignment_one_facilitator_per_cohort",
            ),
        ]

    def __str__(self) -> str:
        where = self.cohort or self.hub or "national"
        return f"{self.user} — {self.get_role_display()} ({where})"


class WorkerHeartbeat(models.Model):
    """When each Celery worker last ran the heartbeat task (shown at /health/)."""

    worker = models.CharField(max_length=200, unique=True)
    seen_at = models.DateTimeField()

    class Meta:
        ordering = ["-seen_at"]

    def __str__(self) -> str:
        return f"{self.worker} at {self.seen_at:%Y-%m-%d %H:%M:%S %Z}"


class RuleWarningQuerySet(ScopedQuerySet):
    hub_path = "hub"


class RuleWarning(models.Model):
    """A warning a programme check gave when someone acted (docs/rules.md: a warn
    is shown and recorded), e.g. K11 when a participant joins a cohort that has met."""

    rule = models.CharField(max_length=4)
    # What the check judged (rules.Judges) and its primary key.
    subject_kind = models.CharField(max_length=20)
    subject_id = models.PositiveBigIntegerField()
    hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="rule_warnings")
    sentence = models.TextField()
    action = models.CharField(max_length=40, help_text="The service that acted.")
    recorded_by = staff_member()
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = RuleWarningQuerySet.as_manager()

    class Meta:
        ordering = ["-recorded_at", "rule"]
        indexes = [models.Index(fields=["subject_kind", "subject_id"])]

    def __str__(self) -> str:
        return f"{self.rule} at {self.action}"


# --- the audit trail and the breach register (docs/security.md §21, UK GDPR) -----------------


class AuditAction(models.TextChoices):
    CREATE = "create", "Created"
    UPDATE = "update", "Changed"
    DELETE = "delete", "Deleted"
    VIEW = "view", "Viewed personal data"
    EXPORT = "export", "Exported personal data"
    ERASE = "erase", "Erased personal data"
    LOGIN = "login", "Signed in"
    RETENTION = "retention", "Applied the retention schedule"


class AuditTrailIsAppendOnly(Exception):
    """An attempt to rewrite or delete an audit event."""


class AuditEventQuerySet(WrittenOnceQuerySet, ScopedQuerySet):
    """docs/security.md §21: the trail is append-only. Bulk rewrites and deletes raise here; a
    database trigger (migration 0004) refuses UPDATE and DELETE underneath as well."""

    hub_path = "hub"
    refusal = AuditTrailIsAppendOnly
    never_changes = "Audit events cannot be changed."
    never_deleted = "Audit events cannot be deleted."


def _untied(to: type[models.Model]) -> models.ForeignKey:
    """No database constraint and no cascade: deleting a user or hub must not touch the
    trail, which keeps the id it recorded."""
    return models.ForeignKey(
        to,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )


class AuditEvent(models.Model):
    """One thing someone did: changed a record, or viewed or exported personal data.

    Written only through `peernet.audit.record`. It holds ids and the names of what
    changed, never free text about a participant, so erasure has nothing to rewrite here.
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = _untied(User)
    actor_email = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(max_length=60, blank=True, help_text="app_label.model")
    object_id = models.CharField(max_length=64, blank=True)
    hub = _untied(Hub)
    summary = models.CharField(max_length=300)
    before = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["actor_email", "at"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_email or 'system'} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise AuditTrailIsAppendOnly("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise AuditTrailIsAppendOnly("Audit events cannot be deleted.")


class BreachQuerySet(ScopedQuerySet):
    # Coordinator only: no hub role reads the register (it names what leaked).
    pass


class Breach(models.Model):
    """A personal data breach (UK GDPR Art. 33): reported to the ICO within 72 hours of
    discovery unless it is unlikely to risk anyone's rights, with the reason recorded."""

    REPORT_WITHIN = dt.timedelta(hours=72)

    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    discovered_at = models.DateTimeField()
    description = models.TextField()
    data_affected = models.TextField(help_text="What personal data, about whom, how many.")
    hubs = models.ManyToManyField(Hub, blank=True, related_name="breaches")
    reported_to_ico_at = models.DateTimeField(null=True, blank=True)
    not_reported_reason = models.TextField(
        blank=True, help_text="Why it was decided not to report it to the ICO."
    )
    recorded_by = staff_member()
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = BreachQuerySet.as_manager()

    class Meta:
        ordering = ["-discovered_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reported_to_ico_at__isnull=True) | Q(not_reported_reason=""),
                name="breach_reported_or_not_not_both",
            ),
            models.CheckConstraint(
                condition=Q(reported_to_ico_at__isnull=True)
                | Q(reported_to_ico_at__gte=F("discovered_at")),
                name="breach_reported_after_discovery",
            ),
        ]

    def __str__(self) -> str:
        return f"Breach discovered {self.discovered_at:%Y-%m-%d %H:%M}"

    @property
    def report_due(self) -> dt.datetime:
        return self.discovered_at + self.REPORT_WITHIN

    @property
    def decided(self) -> bool:
        return self.reported_to_ico_at is not None or bool(self.not_reported_reason)

    def overdue(self, now: dt.datetime | None = None) -> bool:
        """Past the 72 hours without a report or a recorded decision not to report; a
        report made late stays overdue (it was)."""
        now = now or timezone.now()
        if self.reported_to_ico_at is not None:
            return self.reported_to_ico_at > self.report_due
        if self.not_reported_reason:
            return False
        return now > self.report_due


class EmailStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to send"
    SENT = "sent", "Sent"
    FAILED = "failed", "Not sent"


class EmailKind(models.TextChoices):
    """What an email is for: the hub's pages name it, and K7/O5 read the ones that carry
    joining instructions (through the notice that asked for them)."""

    JOINING = "joining", "Joining instructions or a session change"
    SURVEY = "survey", "Survey invitation or reminder"
    CHARTER = "charter", "Charter link"
    ACTION_CARD = "action_card", "Action card link"
    REGISTRATION = "registration", "Registration received"
    OBSERVATION = "observation", "Observation notice"
    RETURN = "return", "Monthly return reminder or notice"
    EXPORT = "export", "Download ready"
    ACCOUNT = "account", "Account invitation or password reset"
    NOTICE = "notice", "Notice to the hub's administrators"


class OutboundEmailQuerySet(ScopedQuerySet):
    hub_path = "hub"


class OutboundEmail(models.Model):
    """The outbox: one row per email, written in the same transaction as what caused it
    and delivered afterwards by a task (peernet.outbox). The message is kept whole, as
    its parts, so a retry or a "send again" sends exactly what was written."""

    hub = models.ForeignKey(
        Hub, on_delete=models.CASCADE, null=True, blank=True, related_name="emails"
    )
    kind = models.CharField(max_length=20, choices=EmailKind.choices)
    recipient = models.CharField(
        max_length=254, db_index=True, help_text="The first To address, lower case."
    )
    subject = models.CharField(max_length=300)
    message = models.JSONField(encoder=DjangoJSONEncoder, help_text="The message's parts.")
    status = models.CharField(
        max_length=10, choices=EmailStatus.choices, default=EmailStatus.QUEUED
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = OutboundEmailQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="sent", sent_at__isnull=False)
                | (~Q(status="sent") & Q(sent_at__isnull=True)),
                name="email_sent_when_and_only_when_sent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.recipient}: {self.get_status_display()}"


class OutboundTask(models.Model):
    """A task held until the broker has it (peernet.outbox): written in the transaction
    that asked for it, deleted once published. A row left here means the broker was
    away; beat's sweep publishes it when the broker is back."""

    task = models.CharField(max_length=200)
    args = models.JSONField(default=list, encoder=DjangoJSONEncoder)
    kwargs = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.task}{tuple(self.args)} (waiting since {self.created_at:%H:%M:%S})"
