from django.contrib import admin

from peernet.admin import AuditedAdmin, ReadOnlyAdmin, ScopedAdmin
from sessions.models import (
    AbsenceFollowUp,
    ActionCard,
    ActionPlan,
    ActionPlanRevision,
    Attendance,
    CalendarFeed,
    Complaint,
    FacilitatorNote,
    GroupSession,
    JoiningInstructionsSent,
    Observation,
    OneToOneDecline,
    OneToOneReferral,
    OneToOneSession,
    ProviderDeclaration,
    Topic,
)


@admin.register(Topic)
class TopicAdmin(AuditedAdmin):
    list_display = ["name", "key", "parent", "position"]
    list_filter = ["parent"]
    search_fields = ["name", "key"]
    list_select_related = ["parent"]


class AttendanceInline(admin.TabularInline):
    model = Attendance
    fields = ["participant", "present", "hours"]
    raw_id_fields = ["participant"]
    extra = 0


@admin.register(GroupSession)
class GroupSessionAdmin(ScopedAdmin):
    list_display = [
        "cohort",
        "key",
        "starts_at",
        "hours",
        "status",
        "joining_instructions_sent_at",
    ]
    list_filter = ["status", "cohort__hub"]
    search_fields = ["key", "cohort__name"]
    list_select_related = ["cohort"]
    date_hierarchy = "starts_at"
    filter_horizontal = ["topics"]
    raw_id_fields = ["cohort"]
    readonly_fields = ["code"]
    inlines = [AttendanceInline]


@admin.register(Attendance)
class AttendanceAdmin(ScopedAdmin):
    list_display = ["participant", "session", "present", "apologies", "hours"]
    list_filter = ["present", "session__cohort__hub"]
    search_fields = ["participant__first_name", "participant__last_name", "session__key"]
    list_select_related = ["participant", "session__cohort"]
    raw_id_fields = ["participant", "session"]


@admin.register(AbsenceFollowUp)
class AbsenceFollowUpAdmin(ScopedAdmin):
    """Read only: follow-ups are recorded on the facilitator's member page (K13)."""

    list_display = ["participant", "cohort", "followed_up_on", "method", "recorded_by"]
    list_select_related = ["participant", "cohort", "recorded_by"]
    search_fields = ["participant__first_name", "participant__last_name"]
    readonly_fields = [
        "participant",
        "cohort",
        "followed_up_on",
        "method",
        "outcome",
        "recorded_by",
        "recorded_at",
    ]


@admin.register(FacilitatorNote)
class FacilitatorNoteAdmin(ScopedAdmin):
    list_display = ["session", "author", "updated"]
    list_filter = ["session__cohort__hub"]
    search_fields = ["session__key", "hot_topics"]
    list_select_related = ["session__cohort", "author"]
    raw_id_fields = ["session", "author"]


@admin.register(ActionCard)
class ActionCardAdmin(ScopedAdmin):
    list_display = ["participant", "session", "updated"]
    list_filter = ["session__cohort__hub"]
    search_fields = ["participant__first_name", "participant__last_name"]
    list_select_related = ["participant", "session__cohort"]
    raw_id_fields = ["participant", "session"]


@admin.register(Observation)
class ObservationAdmin(ScopedAdmin):
    list_display = ["session", "observer", "notice_given", "completed", "recording_deleted"]
    list_filter = ["session__cohort__hub"]
    search_fields = ["session__key", "observer__name"]
    list_select_related = ["session__cohort", "observer"]
    raw_id_fields = ["session", "observer"]


@admin.register(OneToOneSession)
class OneToOneSessionAdmin(ScopedAdmin):
    list_display = [
        "participant",
        "key",
        "starts_at",
        "hours",
        "status",
        "route",
        "provider",
        "existing_programme",
    ]
    list_filter = ["status", "route", "participant__hub"]
    search_fields = [
        "key",
        "participant__first_name",
        "participant__last_name",
        "existing_programme",
    ]
    list_select_related = ["participant", "provider"]
    date_hierarchy = "starts_at"
    raw_id_fields = ["participant", "provider"]


@admin.register(ActionPlan)
class ActionPlanAdmin(ScopedAdmin):
    list_display = ["participant", "agreed_on", "provider"]
    search_fields = ["participant__first_name", "participant__last_name", "goal"]
    list_select_related = ["participant", "provider"]
    raw_id_fields = ["participant", "provider"]


@admin.register(ActionPlanRevision)
class ActionPlanRevisionAdmin(ScopedAdmin):
    """O6: the plan's history is a record: read only."""

    list_display = ["plan", "number", "agreed_on", "revised_by", "revised_at"]
    list_select_related = ["plan__participant", "revised_by"]
    readonly_fields = [
        "plan",
        "number",
        "goal",
        "reality",
        "options",
        "way_forward",
        "tactics",
        "habits",
        "agreed_on",
        "revised_by",
        "revised_at",
    ]


@admin.register(OneToOneReferral)
class OneToOneReferralAdmin(ScopedAdmin):
    list_display = ["participant", "programme_name", "referred_on", "contact"]
    list_filter = ["participant__hub"]
    search_fields = ["participant__first_name", "participant__last_name", "programme_name"]
    list_select_related = ["participant"]
    raw_id_fields = ["participant", "recorded_by"]


@admin.register(OneToOneDecline)
class OneToOneDeclineAdmin(ScopedAdmin):
    list_display = ["participant", "declined_on"]
    list_filter = ["participant__hub"]
    list_select_related = ["participant"]
    raw_id_fields = ["participant", "recorded_by"]


@admin.register(ProviderDeclaration)
class ProviderDeclarationAdmin(ScopedAdmin):
    list_display = ["participant", "provider", "has_conflict", "declared_on", "private_work_from"]
    list_filter = ["has_conflict", "participant__hub"]
    list_select_related = ["participant", "provider"]
    raw_id_fields = ["participant", "provider"]


@admin.register(Complaint)
class ComplaintAdmin(ScopedAdmin):
    list_display = ["hub", "key", "received", "resolved"]
    list_filter = ["hub", "resolved"]
    search_fields = ["key", "summary", "action_taken"]
    list_select_related = ["hub"]
    date_hierarchy = "received"


@admin.register(JoiningInstructionsSent)
class JoiningInstructionsSentAdmin(ScopedAdmin):
    list_display = ["participant", "session", "one_to_one", "sent_at"]
    list_filter = ["session__cohort__hub"]
    search_fields = ["participant__first_name", "participant__last_name", "session__key"]
    list_select_related = ["participant", "session__cohort", "one_to_one"]
    raw_id_fields = ["participant", "session", "one_to_one"]
    readonly_fields = ["participant", "session", "one_to_one", "sent_at"]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(ReadOnlyAdmin):
    """Who has a calendar feed link and when it was issued or stopped (not the nonce)."""

    list_display = ["user", "created", "revoked"]
    fields = ["user", "created", "revoked"]
    list_select_related = ["user"]
