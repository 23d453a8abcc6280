"""Delivery: group sessions, attendance, facilitator notes, action cards, observations,
one-to-one sessions, action plans and complaints."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from cohorts.models import Cohort
from participants.models import Participant
from peernet.db import choices_check, staff_member
from peernet.models import Hub, OutboundEmail
from peernet.scoping import ScopedQuerySet

HOURS = {"max_digits": 5, "decimal_places": 2}


class Topic(models.Model):
    """The BEIS core topics and the finer topics under them (seeded by a migration)."""

    key = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=160)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return self.name


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    DELIVERED = "delivered", "Delivered"
    CANCELLED = "cancelled", "Cancelled"


class GroupSessionQuerySet(ScopedQuerySet):
    hub_path = "cohort__hub"
    cohort_path = "cohort"


class GroupSession(models.Model):
    """A facilitated action-learning session of a cohort (K2–K9)."""

    key = models.SlugField(max_length=60, unique=True)
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="sessions")
    starts_at = models.DateTimeField()
    hours = models.DecimalField(**HOURS)
    status = models.CharField(
        max_length=10, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED
    )
    location = models.CharField(max_length=300, blank=True, help_text="Venue or video link.")
    # K7: joining instructions no later than 48 hours before the *current* start: set by
    # the first instructions (or update) sent since the session last moved.
    joining_instructions_sent_at = models.DateTimeField(null=True, blank=True)
    topics = models.ManyToManyField(Topic, blank=True, related_name="sessions")
    # iCalendar SEQUENCE (RFC 5545 3.8.7.4): raised each time the session moves or is
    # cancelled, so every calendar that holds it takes the update.
    sequence = models.PositiveIntegerField(default=0)

    objects = GroupSessionQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["status", "starts_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0), name="group_session_hours_positive"),
            choices_check("status", SessionStatus, name="group_session_status_valid"),
            models.UniqueConstraint(
                fields=["cohort", "starts_at"], name="group_session_one_start_per_cohort"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cohort} — {self.starts_at:%d %b %Y %H:%M}"


class AttendanceQuerySet(ScopedQuerySet):
    hub_path = "session__cohort__hub"
    cohort_path = "session__cohort"


class Attendance(models.Model):
    """K8: present or absent at a delivered session; a late arrival may attend fewer hours."""

    session = models.ForeignKey(GroupSession, on_delete=models.CASCADE, related_name="attendance")
    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="attendance"
    )
    present = models.BooleanField()
    apologies = models.BooleanField(default=False, help_text="Absent with apologies.")
    hours = models.DecimalField(**HOURS)
    recorded_at = models.DateTimeField(auto_now=True)

    objects = AttendanceQuerySet.as_manager()

    class Meta:
        ordering = ["session", "participant"]
        verbose_name_plural = "attendance"
        constraints = [
            models.UniqueConstraint(
                fields=["session", "participant"], name="attendance_one_per_session"
            ),
            models.CheckConstraint(
                condition=Q(present=True, hours__gt=0) | Q(present=False, hours=0),
                name="attendance_hours_match_presence",
            ),
            models.CheckConstraint(
                condition=Q(present=False) | Q(apologies=False),
                name="attendance_apologies_only_when_absent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant} at {self.session}: {'present' if self.present else 'absent'}"


class FacilitatorNote(models.Model):
    """K9: the facilitator's notes for a delivered session."""

    session = models.OneToOneField(
        GroupSession, on_delete=models.CASCADE, related_name="facilitator_note"
    )
    issues_brought = models.TextField(blank=True)
    actions_agreed = models.TextField(blank=True)
    process_issues = models.TextField(blank=True)
    hot_topics = models.TextField(blank=True)  # in the facilitator's words; tagged as
    # the session's topics (GroupSession.topics), the one record the return counts.
    author = staff_member()
    updated = models.DateTimeField(auto_now=True)

    objects = AttendanceQuerySet.as_manager()

    class Meta:
        ordering = ["session"]

    def __str__(self) -> str:
        return f"Facilitator notes for {self.session}"


class ActionCardQuerySet(ScopedQuerySet):
    hub_path = "participant__hub"
    cohort_path = "session__cohort"


class ActionCard(models.Model):
    """K10: the actions a participant commits to in a session, and the report back."""

    session = models.ForeignKey(GroupSession, on_delete=models.CASCADE, related_name="action_cards")
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="action_cards"
    )
    actions = models.TextField()
    report_back = models.TextField(blank=True)
    updated = models.DateTimeField(auto_now=True)

    objects = ActionCardQuerySet.as_manager()

    class Meta:
        ordering = ["session", "participant"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "participant"], name="action_card_one_per_session"
            ),
        ]

    def __str__(self) -> str:
        return f"Action card of {self.participant} for {self.session}"


class FollowUpMethod(models.TextChoices):
    PHONE = "phone", "Phone call"
    EMAIL = "email", "Email"
    MESSAGE = "message", "Text or other message"
    IN_PERSON = "in_person", "In person"
    OTHER = "other", "Another way"


class AbsenceFollowUpQuerySet(ScopedQuerySet):
    hub_path = "participant__hub"
    cohort_path = "cohort"


class AbsenceFollowUp(models.Model):
    """K13: an absence followed up with the participant: when, how and what came of it.
    It answers the absences up to that day; a later absence is followed up anew."""

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="absence_follow_ups"
    )
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="+")
    followed_up_on = models.DateField()
    method = models.CharField(max_length=10, choices=FollowUpMethod.choices)
    outcome = models.TextField()
    recorded_by = staff_member()
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = AbsenceFollowUpQuerySet.as_manager()

    class Meta:
        ordering = ["followed_up_on", "pk"]
        constraints = [
            choices_check("method", FollowUpMethod, name="absence_follow_up_method_valid"),
        ]

    def __str__(self) -> str:
        return f"Absence of {self.participant} followed up on {self.followed_up_on}"


class ObservationQuerySet(ScopedQuerySet):
    hub_path = "session__cohort__hub"
    cohort_path = "session__cohort"


class Observation(models.Model):
    """Q1–Q4: a quality observation of a group session."""

    session = models.ForeignKey(GroupSession, on_delete=models.PROTECT, related_name="observations")
    observer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="observations"
    )
    notice_given = models.DateTimeField(help_text="Q2: at least 24 hours before the session.")
    privacy_statement_shared = models.DateTimeField(null=True, blank=True)
    completed = models.DateField(null=True, blank=True)
    feedback = models.TextField(blank=True)
    # The Playbook's observation criteria (Topic, Facilitation, Behaviour): each item's
    # rating and comment, keyed by criterion, e.g. {"topic": {"rating": 4, "comment": ""}}.
    ratings = models.JSONField(default=dict, blank=True)
    recording_made = models.BooleanField(
        default=False, help_text="Q4: a recording was made for the observation."
    )
    recording_deleted = models.DateTimeField(null=True, blank=True, help_text="Q4")

    objects = ObservationQuerySet.as_manager()

    class Meta:
        ordering = ["session"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "observer"], name="observation_one_per_observer"
            ),
        ]

    def __str__(self) -> str:
        return f"Observation of {self.session}"


class OneToOneRoute(models.TextChoices):
    PROGRAMME = "programme", "Delivered by the programme"
    EXISTING = "existing", "Through an existing local programme"


class OneToOneMode(models.TextChoices):
    VIDEO = "video", "Video call"
    PHONE = "phone", "Phone"
    IN_PERSON = "in_person", "In person"


class OneToOneQuerySet(ScopedQuerySet):
    hub_path = "participant__hub"
    # The session's provider, and the participant's assigned provider (who sees the
    # hours the hub records from an existing programme on the participant's behalf).
    provider_path = "participant__one_to_one_provider"


class OneToOneSession(models.Model):
    """O1–O5: one-to-one support, by the programme or an existing local programme."""

    key = models.SlugField(max_length=60, unique=True)
    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="one_to_ones"
    )
    provider = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="one_to_ones_provided",
    )
    starts_at = models.DateTimeField()
    hours = models.DecimalField(**HOURS)
    status = models.CharField(
        max_length=10, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED
    )
    route = models.CharField(max_length=10, choices=OneToOneRoute.choices)
    existing_programme = models.CharField(max_length=200, blank=True)
    nature_of_support = models.TextField(blank=True, help_text="O1: for an existing programme.")
    joining_instructions_sent_at = models.DateTimeField(null=True, blank=True)
    sequence = models.PositiveIntegerField(default=0)  # iCalendar SEQUENCE, as GroupSession's
    mode = models.CharField(max_length=10, choices=OneToOneMode.choices, blank=True)
    platform = models.CharField(max_length=100, blank=True, help_text="For example, Teams.")
    evidence = models.TextField(blank=True, help_text="O1: evidence of existing-programme support.")
    actions_agreed = models.TextField(blank=True)
    # Issue 6 (5): hours from an existing programme the hub records on the participant's
    # behalf, shown as such wherever hours are listed.
    entered_by_hub = models.BooleanField(default=False)
    recorded_by = staff_member()

    objects = OneToOneQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        verbose_name = "one-to-one session"
        indexes = [models.Index(fields=["status", "starts_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0), name="one_to_one_hours_positive"),
            choices_check("status", SessionStatus, name="one_to_one_status_valid"),
            # O1: an existing programme is named; the programme route has a provider.
            models.CheckConstraint(
                condition=(
                    Q(route="existing") & ~Q(existing_programme="")
                    | Q(route="programme", existing_programme="", provider__isnull=False)
                ),
                name="o1_one_to_one_route_recorded",
            ),
            models.UniqueConstraint(
                fields=["participant", "starts_at"], name="one_to_one_one_start_per_participant"
            ),
            choices_check("mode", OneToOneMode, name="one_to_one_mode_valid", blank=True),
            models.CheckConstraint(
                condition=Q(entered_by_hub=False) | Q(route="existing"),
                name="one_to_one_hub_entries_are_existing_programme",
            ),
        ]

    def __str__(self) -> str:
        return f"One-to-one for {self.participant} — {self.starts_at:%d %b %Y}"


def _plan_parts() -> tuple[models.Field, ...]:
    """O6: the GROW(TH) plan, as the plan and each of its saved versions hold it: goal,
    reality, obstacles and options, way forward, tactics, habits, and the day agreed."""
    return (
        models.TextField(),
        models.TextField(blank=True),
        models.TextField("obstacles and options", blank=True),
        models.TextField(blank=True),
        models.TextField(blank=True),
        models.TextField(blank=True),
        models.DateField(),
    )


class OneToOneRecordQuerySet(ScopedQuerySet):
    """A record of a participant's one-to-one support (the plan, a referral, a refusal),
    seen through the participant's hub and by their assigned provider."""

    hub_path = "participant__hub"
    provider_path = "participant__one_to_one_provider"


class ActionPlan(models.Model):
    """O6: a short GROW(TH) plan agreed after the first group session."""

    participant = models.OneToOneField(
        Participant, on_delete=models.CASCADE, related_name="action_plan"
    )
    goal, reality, options, way_forward, tactics, habits, agreed_on = _plan_parts()
    provider = staff_member()

    objects = OneToOneRecordQuerySet.as_manager()

    class Meta:
        ordering = ["participant"]

    def __str__(self) -> str:
        return f"Action plan of {self.participant}"


class ComplaintQuerySet(ScopedQuerySet):
    hub_path = "hub"


class ComplaintKind(models.TextChoices):
    COMPLAINT = "complaint", "Complaint"
    COMPLIMENT = "compliment", "Compliment"


class Complaint(models.Model):
    """Q5: complaints and feedback (compliments too), from whom, with the action taken;
    `resolved` is the date it was closed."""

    key = models.SlugField(max_length=60, unique=True)
    hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="complaints")
    kind = models.CharField(
        max_length=10, choices=ComplaintKind.choices, default=ComplaintKind.COMPLAINT
    )
    received = models.DateField()
    received_from = models.CharField(max_length=200, blank=True)
    summary = models.TextField()
    action_taken = models.TextField(blank=True)
    resolved = models.DateField(null=True, blank=True)

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        ordering = ["-received"]
        constraints = [
            models.CheckConstraint(
                condition=Q(resolved__isnull=True) | Q(resolved__gte=F("received")),
                name="complaint_resolved_after_received",
            ),
            choices_check("kind", ComplaintKind, name="complaint_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"Complaint to {self.hub} on {self.received}"


class JoiningInstructionsSentQuerySet(ScopedQuerySet):
    hub_path = "participant__hub"
    cohort_path = "session__cohort"
    provider_path = "one_to_one__provider"


class NoticeKind(models.TextChoices):
    SCHEDULE = "schedule", "The whole schedule"
    INSTRUCTIONS = "instructions", "Joining instructions"
    UPDATE = "update", "Update: moved or changed"
    CANCELLATION = "cancellation", "Cancellation"


# What counts as joining instructions for K7 and O5: the instructions, or an update that
# carries them for the session's new time.
INSTRUCTING = (NoticeKind.INSTRUCTIONS, NoticeKind.UPDATE)


class JoiningInstructionsSent(models.Model):
    """K6, K7, O5: one email about one session to one participant: the schedule at the
    outset, the joining instructions, an update when the session moved, a cancellation.
    Who was told what (the start they were told, the calendar SEQUENCE) and when; a job
    run twice sends nothing twice (one row per kind and sequence)."""

    session = models.ForeignKey(
        GroupSession,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="joining_instructions_sent",
    )
    one_to_one = models.ForeignKey(
        OneToOneSession,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="joining_instructions_sent",
    )
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="joining_instructions_received"
    )
    sent_at = models.DateTimeField()
    kind = models.CharField(
        max_length=12, choices=NoticeKind.choices, default=NoticeKind.INSTRUCTIONS
    )
    sequence = models.PositiveIntegerField(default=0)
    starts_at = models.DateTimeField(null=True, blank=True)  # the start they were told
    # The email that carries it (peernet.outbox): sent, waiting, or refused and why.
    email = models.ForeignKey(
        OutboundEmail,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="joining_notices",
    )

    objects = JoiningInstructionsSentQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at"]
        verbose_name_plural = "joining instructions sent"
        constraints = [
            models.CheckConstraint(
                condition=Q(session__isnull=False, one_to_one__isnull=True)
                | Q(session__isnull=True, one_to_one__isnull=False),
                name="joining_instructions_for_one_session",
            ),
            choices_check("kind", NoticeKind, name="session_notice_kind_valid"),
            models.UniqueConstraint(
                fields=["session", "participant", "kind", "sequence"],
                condition=Q(session__isnull=False),
                name="joining_instructions_once_per_member",
            ),
            models.UniqueConstraint(
                fields=["one_to_one", "kind", "sequence"],
                condition=Q(one_to_one__isnull=False),
                name="joining_instructions_once_per_one_to_one",
            ),
        ]

    def __str__(self) -> str:
        return f"Joining instructions to {self.participant} at {self.sent_at:%Y-%m-%d %H:%M}"


# --- one-to-one support: assignment, referral, refusal, plan history, declarations -----


class OneToOneReferral(models.Model):
    """O1: a referral to an existing local programme — which programme, the nature of the
    support and the contact there."""

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="one_to_one_referrals"
    )
    programme_name = models.CharField(max_length=200)
    nature_of_support = models.TextField()
    contact = models.CharField(max_length=200)
    referred_on = models.DateField()
    recorded_by = staff_member()
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = OneToOneRecordQuerySet.as_manager()

    class Meta:
        ordering = ["referred_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(programme_name=""), name="one_to_one_referral_names_programme"
            ),
        ]

    def __str__(self) -> str:
        return f"Referral of {self.participant} to {self.programme_name}"


class OneToOneDecline(models.Model):
    """O8: the participant declined one-to-one support, recorded with the date."""

    participant = models.OneToOneField(
        Participant, on_delete=models.CASCADE, related_name="one_to_one_decline"
    )
    declined_on = models.DateField()
    note = models.TextField(blank=True)
    recorded_by = staff_member()
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = OneToOneRecordQuerySet.as_manager()

    class Meta:
        ordering = ["declined_on"]

    def __str__(self) -> str:
        return f"{self.participant} declined one-to-one support on {self.declined_on}"


class ActionPlanRevisionQuerySet(ScopedQuerySet):
    hub_path = "plan__participant__hub"
    provider_path = "plan__participant__one_to_one_provider"


class ActionPlanRevision(models.Model):
    """O6: each saved version of a participant's GROW(TH) plan, oldest first."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveSmallIntegerField()
    goal, reality, options, way_forward, tactics, habits, agreed_on = _plan_parts()
    revised_by = staff_member()
    revised_at = models.DateTimeField()

    objects = ActionPlanRevisionQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "number"], name="action_plan_revision_numbered_once"
            ),
        ]

    def __str__(self) -> str:
        return f"Version {self.number} of {self.plan}"


class ProviderDeclarationQuerySet(ScopedQuerySet):
    hub_path = "participant__hub"
    provider_path = "provider"


class ProviderDeclaration(models.Model):
    """O7: a provider's declaration about one participant: any conflict of interest, and
    (later) that they went on to work with the participant privately."""

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="provider_declarations"
    )
    provider = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="provider_declarations"
    )
    has_conflict = models.BooleanField()
    conflict_details = models.TextField(blank=True)
    declared_on = models.DateField()
    private_work_from = models.DateField(null=True, blank=True)
    private_work_details = models.TextField(blank=True)
    updated = models.DateTimeField(auto_now=True)

    objects = ProviderDeclarationQuerySet.as_manager()

    class Meta:
        ordering = ["participant", "provider"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "provider"], name="provider_declaration_once_per_pair"
            ),
            models.CheckConstraint(
                condition=Q(has_conflict=False) | ~Q(conflict_details=""),
                name="o7_conflict_described",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider}'s declaration about {self.participant}"


class CalendarFeed(models.Model):
    """A facilitator's or a provider's calendar feed (docs/cockpit.md): the nonce its
    secret link is signed over (`sessions/feeds.py`). Issuing a new link revokes the old
    one; a revoked feed's link answers 404."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    nonce = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    revoked = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user}'s calendar feed"
