from django.contrib import admin
from django.core.exceptions import PermissionDenied

from participants.models import (
    Business,
    BusinessMatch,
    EligibilityException,
    EligibilityOutcome,
    EqualityData,
    Participant,
    ParticipantLink,
    SurveyInstrument,
    SurveyInvitation,
    SurveyResponse,
)
from peernet.admin import ReadOnlyAdmin, ScopedAdmin


@admin.register(Business)
class BusinessAdmin(ScopedAdmin):
    list_display = [
        "name",
        "key",
        "company_number",
        "local_authority",
        "sector",
        "employees",
        "turnover",
        "exporter",
    ]
    list_filter = ["sector", "exporter", "scale_up_potential"]
    search_fields = ["name", "key", "company_number", "postcode"]


class EligibilityOutcomeInline(admin.TabularInline):
    model = EligibilityOutcome
    fields = ["rule", "outcome", "sentence"]
    extra = 0


class EligibilityExceptionInline(admin.TabularInline):
    model = EligibilityException
    fields = ["rule", "agreed_by", "agreed_on", "details", "recorded_by"]
    raw_id_fields = ["recorded_by"]
    extra = 0


@admin.register(Participant)
class ParticipantAdmin(ScopedAdmin):
    list_display = [
        "full_name",
        "key",
        "hub",
        "business",
        "registered",
        "eligibility_status",
        "charter_signed_at",
        "dropped_out_on",
    ]
    list_filter = [
        "hub",
        "eligibility_status",
        "one_to_one_declined",
        "previous_year_participant",
        "programme",
    ]
    search_fields = ["first_name", "last_name", "email", "key", "business__name"]
    list_select_related = ["hub", "business"]
    date_hierarchy = "registered"
    raw_id_fields = ["business", "one_to_one_provider", "eligibility_decided_by"]
    readonly_fields = ["code", "created"]
    inlines = [EligibilityOutcomeInline, EligibilityExceptionInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "key",
                    "code",
                    "programme",
                    "hub",
                    "business",
                    ("first_name", "last_name"),
                    ("email", "phone"),
                    "job_title",
                ]
            },
        ),
        (
            "Registration (C2, E5, E7, E8)",
            {
                "fields": [
                    "registered",
                    "privacy_notice_acknowledged",
                    "senior_decision_maker",
                    "aspiration_to_improve",
                    "previous_year_participant",
                ]
            },
        ),
        (
            "Eligibility",
            {
                "fields": [
                    "eligibility_status",
                    "eligibility_decided",
                    "eligibility_decided_by",
                    "eligibility_notes",
                ]
            },
        ),
        ("Charter (C1)", {"fields": ["charter_signed_at", "charter_version"]}),
        ("One-to-one support (O1, O8)", {"fields": ["one_to_one_provider", "one_to_one_declined"]}),
        ("Drop-out", {"fields": ["dropped_out_on", "dropout_reason"]}),
        ("Record", {"fields": ["created"]}),
    ]


@admin.register(EligibilityOutcome)
class EligibilityOutcomeAdmin(ScopedAdmin):
    list_display = ["participant", "rule", "outcome", "sentence"]
    list_filter = ["rule", "outcome"]
    search_fields = ["participant__first_name", "participant__last_name", "sentence"]
    list_select_related = ["participant"]
    raw_id_fields = ["participant"]


@admin.register(EligibilityException)
class EligibilityExceptionAdmin(ScopedAdmin):
    list_display = ["participant", "rule", "agreed_by", "agreed_on"]
    list_filter = ["rule"]
    search_fields = ["participant__first_name", "participant__last_name", "agreed_by"]
    list_select_related = ["participant"]
    raw_id_fields = ["participant", "recorded_by"]


@admin.register(EqualityData)
class EqualityDataAdmin(ScopedAdmin):
    # docs/security.md §25: equality answers are only ever shown aggregated, so the admin shows
    # no one's answers, nor filters by them (the subject access export gives a participant
    # theirs): the list says whose rows exist, and a row cannot be opened.
    list_display = ["participant_id"]
    raw_id_fields = ["participant"]

    def change_view(self, request, object_id, form_url="", extra_context=None):  # type: ignore[no-untyped-def]
        raise PermissionDenied


@admin.register(SurveyInstrument)
class SurveyInstrumentAdmin(ReadOnlyAdmin):
    """Versions are published from the national coordinator's page (national:instruments)."""

    list_display = ["title", "kind", "version", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["title"]


@admin.register(SurveyInvitation)
class SurveyInvitationAdmin(ScopedAdmin):
    list_display = ["participant", "instrument", "session", "sent_at", "expires_at", "completed_at"]
    list_filter = ["kind"]
    search_fields = ["participant__first_name", "participant__last_name"]
    list_select_related = ["participant", "instrument", "session__cohort"]
    raw_id_fields = ["participant", "session"]
    readonly_fields = ["nonce", "draft"]


@admin.register(BusinessMatch)
class BusinessMatchAdmin(ScopedAdmin):
    """Read only: matches are found at registration and decided on the eligibility page."""

    list_display = ["participant", "business", "status", "found_at", "decided_by"]
    list_filter = ["status"]
    list_select_related = ["participant", "business", "decided_by"]
    readonly_fields = ["participant", "business", "status", "found_at", "decided_by", "decided_at"]


@admin.register(ParticipantLink)
class ParticipantLinkAdmin(ScopedAdmin):
    """Read only: a link is issued by sending it and spent by using it (participants/links.py)."""

    list_display = ["participant", "purpose", "session", "sent_at", "expires_at", "used_at"]
    list_filter = ["purpose"]
    search_fields = ["participant__first_name", "participant__last_name"]
    list_select_related = ["participant", "session__cohort"]
    readonly_fields = [
        "purpose",
        "participant",
        "session",
        "nonce",
        "sent_at",
        "expires_at",
        "used_at",
        "superseded_at",
    ]


@admin.register(SurveyResponse)
class SurveyResponseAdmin(ScopedAdmin):
    list_display = ["participant", "kind", "session", "completed"]
    list_filter = ["kind", "instrument"]
    search_fields = ["participant__first_name", "participant__last_name"]
    list_select_related = ["participant", "session__cohort"]
    date_hierarchy = "completed"
    raw_id_fields = ["participant", "session", "invitation"]
