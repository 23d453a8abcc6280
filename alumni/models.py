"""After the programme: what a cohort's members do once its funded hours are delivered.

- A continuing group: a completed cohort carrying on, self-facilitated (the Playbook's
  "Keeping groups going"). Members opt in through their own link, each choosing which
  contact details the other members may see (their consent, with its time, withdrawable);
  one member hosts, scheduling the meetings through their link; members answer each
  meeting (coming, then whether they came) and keep their action cards, as in the
  programme, through theirs. None of it is a programme session: no hours, no
  attendance, nothing in a return.
- Business support: the national and local schemes a hub offers at the end of the
  programme (Help to Grow: Management and Digital, the Business Support Helpline, its
  own), and the referrals that come of a participant's interest.
- Alumni events: a hub's event for those who completed (a topic, an expert speaker, a
  date, a place or a platform's link), to which it invites the completers of its cohorts;
  each answers through their link, and the hub records who came.
- Facilitators' action learning sets (the Playbook's "Facilitator Action Learning
  Groups"): a cluster lead (`ClusterLead`, appointed by the national coordinator) forms
  sets of the facilitators of the cluster's hubs, schedules their sessions and records
  who came and the learning points shared, which never hold a participant's data.
- `AlumniLink`: a participant's emailed link to any of these, issued, opened and spent by
  `participants.links` like every participant link.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from cohorts.models import Cohort
from participants.models import LinkRow, Participant, ParticipantRecordQuerySet
from peernet.db import choices_check, set_only_when, staff_member
from peernet.models import Cluster, Hub
from peernet.scoping import ScopedQuerySet

# --- continuing groups --------------------------------------------------------------------


class ContinuingGroupQuerySet(ScopedQuerySet):
    hub_path = "hub"
    cohort_path = "cohort"


class ContinuingGroup(models.Model):
    """A completed cohort carrying on as a self-facilitated group."""

    hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="continuing_groups")
    cohort = models.OneToOneField(Cohort, on_delete=models.PROTECT, related_name="continuing_group")
    started_at = models.DateTimeField()
    started_by = staff_member()

    objects = ContinuingGroupQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.cohort} (continuing)"


class GroupMemberQuerySet(ScopedQuerySet):
    hub_path = "group__hub"
    cohort_path = "group__cohort"


class GroupMember(models.Model):
    """A cohort member's place in its continuing group: invited when the group starts;
    in once they opt in (`opted_in_at`, their consent to what the others may see); out
    again when they withdraw it (`withdrawn_at`), which hides their details at once."""

    group = models.ForeignKey(ContinuingGroup, on_delete=models.CASCADE, related_name="members")
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="group_places"
    )
    opted_in_at = models.DateTimeField(null=True, blank=True)
    # When they last chose what the others may see (their consent, as it stands).
    consent_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    share_email = models.BooleanField(default=False)
    share_phone = models.BooleanField(default=False)
    share_business = models.BooleanField(default=False)
    host = models.BooleanField(default=False)

    objects = GroupMemberQuerySet.as_manager()

    class Meta:
        ordering = ["participant__first_name", "participant__last_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "participant"], name="group_member_once_per_group"
            ),
            models.UniqueConstraint(
                fields=["group"], condition=Q(host=True), name="group_one_host"
            ),
            models.CheckConstraint(
                condition=Q(host=False) | Q(opted_in_at__isnull=False, withdrawn_at__isnull=True),
                name="group_host_is_a_member_in",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant} in {self.group}"

    @property
    def is_in(self) -> bool:
        return self.opted_in_at is not None and self.withdrawn_at is None


class GroupMeetingQuerySet(ScopedQuerySet):
    hub_path = "group__hub"
    cohort_path = "group__cohort"


class GroupMeeting(models.Model):
    """A meeting the host scheduled: when, where (a place or a platform's link), about what."""

    group = models.ForeignKey(ContinuingGroup, on_delete=models.CASCADE, related_name="meetings")
    starts_at = models.DateTimeField()
    place = models.CharField(max_length=300)
    topic = models.CharField(max_length=200, blank=True)
    scheduled_by = models.ForeignKey(
        GroupMember, on_delete=models.SET_NULL, null=True, related_name="meetings_scheduled"
    )
    scheduled_at = models.DateTimeField()

    objects = GroupMeetingQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]

    def __str__(self) -> str:
        return f"{self.group} meeting {self.starts_at:%Y-%m-%d}"


class MeetingReplyQuerySet(ScopedQuerySet):
    hub_path = "meeting__group__hub"
    cohort_path = "meeting__group__cohort"


class MeetingReply(models.Model):
    """A member's answer to a meeting: before it, whether they are coming; after it began,
    whether they came."""

    meeting = models.ForeignKey(GroupMeeting, on_delete=models.CASCADE, related_name="replies")
    member = models.ForeignKey(GroupMember, on_delete=models.CASCADE, related_name="replies")
    coming = models.BooleanField(null=True, blank=True)
    attended = models.BooleanField(null=True, blank=True)
    answered_at = models.DateTimeField()

    objects = MeetingReplyQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="meeting_reply_once"),
        ]

    def __str__(self) -> str:
        return f"{self.member} on {self.meeting}"


class MeetingActionCardQuerySet(ScopedQuerySet):
    hub_path = "meeting__group__hub"
    cohort_path = "meeting__group__cohort"


class MeetingActionCard(models.Model):
    """A member's action card for one of the group's meetings, as in the programme
    (`sessions.action_cards`: the problem or opportunity and the actions agreed, composed
    into `actions` the same way, and the report back on the last meeting's), written
    through their link. Not the programme's K10: no return reads it."""

    meeting = models.ForeignKey(GroupMeeting, on_delete=models.CASCADE, related_name="action_cards")
    member = models.ForeignKey(GroupMember, on_delete=models.CASCADE, related_name="action_cards")
    actions = models.TextField()
    report_back = models.TextField(blank=True)
    updated = models.DateTimeField(auto_now=True)

    objects = MeetingActionCardQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "member"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "member"], name="meeting_action_card_one_per_meeting"
            ),
        ]

    def __str__(self) -> str:
        return f"Action card of {self.member} for {self.meeting}"


# --- business support ----------------------------------------------------------------------


class SupportSchemeQuerySet(ScopedQuerySet):
    hub_path = "hub"
    member_hub_path = "hub"
    names_nobody = True


class SupportScheme(models.Model):
    """A business support scheme the hub offers at the end of the programme: a national
    one (`national` names it) or the hub's own."""

    hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="support_schemes")
    key = models.SlugField(max_length=60)
    title = models.CharField(max_length=120)
    blurb = models.CharField(max_length=400)
    url = models.URLField()
    national = models.BooleanField(default=False)
    offered = models.BooleanField(default=True)

    objects = SupportSchemeQuerySet.as_manager()

    class Meta:
        ordering = ["-national", "title", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["hub", "key"], name="support_scheme_key_in_hub"),
            models.UniqueConstraint(fields=["hub", "title"], name="support_scheme_title_in_hub"),
        ]

    def __str__(self) -> str:
        return self.title


class ReferralStatus(models.TextChoices):
    NEW = "new", "New"
    CONTACTED = "contacted", "Contacted"
    REFERRED = "referred", "Referred"
    NOT_TAKEN_UP = "not_taken_up", "Not taken up"


class ReferralQuerySet(ScopedQuerySet):
    hub_path = "hub"


class Referral(models.Model):
    """A participant's interest in a scheme, which the hub follows up."""

    hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="referrals")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="referrals")
    scheme = models.ForeignKey(SupportScheme, on_delete=models.PROTECT, related_name="referrals")
    status = models.CharField(
        max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.NEW
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    updated_by = staff_member()

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            choices_check("status", ReferralStatus, name="referral_status_valid"),
            models.UniqueConstraint(
                fields=["participant", "scheme"], name="referral_once_per_scheme"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant} to {self.scheme}"


# --- alumni events -------------------------------------------------------------------------


class AlumniEventQuerySet(ScopedQuerySet):
    hub_path = "hub"


class AlumniEvent(models.Model):
    """An event a hub holds for those who completed its cohorts."""

    hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="alumni_events")
    topic = models.CharField(max_length=200)
    speaker = models.CharField(max_length=200, blank=True)
    starts_at = models.DateTimeField()
    place = models.CharField(max_length=300)
    published_at = models.DateTimeField()
    published_by = staff_member()

    objects = AlumniEventQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.topic} ({self.starts_at:%Y-%m-%d})"


class EventAnswer(models.TextChoices):
    ACCEPTED = "accepted", "Coming"
    DECLINED = "declined", "Not coming"


class EventInvitationQuerySet(ScopedQuerySet):
    hub_path = "event__hub"
    cohort_path = "cohort"


class EventInvitation(models.Model):
    """A completer invited to an event (with the cohort they were invited as one of), their
    answer through their link, and whether they came (the hub's record)."""

    event = models.ForeignKey(AlumniEvent, on_delete=models.CASCADE, related_name="invitations")
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="event_invitations"
    )
    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="+")
    invited_at = models.DateTimeField()
    answer = models.CharField(max_length=10, choices=EventAnswer.choices, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    attended = models.BooleanField(null=True, blank=True)

    objects = EventInvitationQuerySet.as_manager()

    class Meta:
        ordering = ["participant__first_name", "participant__last_name", "pk"]
        constraints = [
            choices_check("answer", EventAnswer, name="event_answer_valid", blank=True),
            models.UniqueConstraint(fields=["event", "participant"], name="event_invitation_once"),
        ]

    def __str__(self) -> str:
        return f"{self.participant} to {self.event}"


# --- the links ---------------------------------------------------------------------------


class AlumniLinkPurpose(models.TextChoices):
    GROUP = "group", "Continuing group"
    SUPPORT = "support", "Business support"
    EVENT = "event", "Alumni event"


class AlumniLink(LinkRow):
    """One emailed link of a participant after the programme (participants/links.py): to
    their continuing group or an event's invitation (each stands until it expires or a
    newer one replaces it), or to the business support their hub offers (spent once they
    answer)."""

    purpose = models.CharField(max_length=20, choices=AlumniLinkPurpose.choices)
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="alumni_links"
    )
    group = models.ForeignKey(
        ContinuingGroup, on_delete=models.CASCADE, null=True, blank=True, related_name="links"
    )
    event = models.ForeignKey(
        "AlumniEvent", on_delete=models.CASCADE, null=True, blank=True, related_name="links"
    )
    objects = ParticipantRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at", "-pk"]
        constraints = [
            choices_check("purpose", AlumniLinkPurpose, name="alumni_link_purpose_valid"),
            set_only_when("group", purpose="group", name="alumni_link_group_only_for_groups"),
            set_only_when("event", purpose="event", name="alumni_link_event_only_for_events"),
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("sent_at")), name="alumni_link_expires_after_sent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} link for {self.participant}"


# --- facilitators' action learning sets -----------------------------------------------------


class ClusterQuerySet(ScopedQuerySet):
    """Rows of a cluster, not of a hub: no hub scope narrows them; who may see them is
    decided by `peernet.access` (a cluster's lead, the national coordinator)."""

    hub_owned = False


class ClusterLead(models.Model):
    """A cluster lead: a member of staff the national coordinator appoints to organise the
    facilitators' action learning sets of one cluster."""

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="leads")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="clusters_led"
    )
    appointed_at = models.DateTimeField()
    appointed_by = staff_member()

    objects = ClusterQuerySet.as_manager()

    class Meta:
        ordering = ["cluster__name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["cluster", "user"], name="cluster_lead_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user} leads {self.cluster}"


class LearningSet(models.Model):
    """Facilitators of one cluster's hubs meeting to self-facilitate action learning on
    their own practice."""

    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="learning_sets")
    name = models.CharField(max_length=120)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="learning_sets")
    formed_at = models.DateTimeField()
    formed_by = staff_member()

    objects = ClusterQuerySet.as_manager()

    class Meta:
        ordering = ["cluster__name", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["cluster", "name"], name="learning_set_name_once"),
        ]

    def __str__(self) -> str:
        return self.name


class LearningSetSession(models.Model):
    """A session of a set: when, the joining instructions, and afterwards who came and the
    learning points shared (never a participant's personal data)."""

    learning_set = models.ForeignKey(LearningSet, on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField()
    joining_instructions = models.TextField()
    learning_points = models.TextField(blank=True)
    present = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)
    recorded_at = models.DateTimeField(null=True, blank=True)
    recorded_by = staff_member()

    objects = ClusterQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]

    def __str__(self) -> str:
        return f"{self.learning_set} {self.starts_at:%Y-%m-%d}"
