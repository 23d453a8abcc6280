"""Django admin for the programme structure and people.

The admin is a back office for the national coordinator (superuser) and trusted staff.
Every ModelAdmin narrows its rows through the same access policy as the pages
(`ScopedAdmin`), so a staff user who is not a superuser sees only their scope.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest

from peernet.models import (
    AuditEvent,
    Breach,
    Cluster,
    DeliveryPartner,
    Hub,
    Programme,
    RoleAssignment,
    RuleWarning,
    User,
    WorkerHeartbeat,
)


class ScopedAdmin(admin.ModelAdmin):
    """Narrows the admin's rows to what the user may see (peernet.access)."""

    # Links typed without a scheme are https (Django 6's default, chosen now).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.visible_to(request.user)


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "delivery_start",
        "delivery_end",
        "national_target",
        "cohort_size",
        "cohort_hours",
        "one_to_one_hours",
    ]
    search_fields = ["name"]
    fieldsets = [
        (None, {"fields": ["name", "delivery_start", "delivery_end", "national_target"]}),
        (
            "Cohorts and sessions (K1–K7)",
            {
                "fields": [
                    "cohort_size",
                    "cohort_hours",
                    "session_hours_min",
                    "session_hours_max",
                    "session_gap_days_max",
                    "joining_instructions_hours",
                ]
            },
        ),
        (
            "One-to-one support and quality (O1, O3, Q2)",
            {
                "fields": [
                    "one_to_one_hours",
                    "one_to_one_months_after_final",
                    "observation_notice_hours",
                ]
            },
        ),
        (
            "Eligibility (E1–E4)",
            {
                "fields": [
                    "sme_max_employees",
                    "sme_max_turnover",
                    "sme_max_balance_sheet",
                    "min_trading_months",
                    "min_paye_employees",
                    "min_turnover",
                ]
            },
        ),
        ("Reporting (M1)", {"fields": ["return_due_day"]}),
    ]


class HubInline(admin.TabularInline):
    model = Hub
    fields = ["key", "name", "lep", "target"]
    extra = 0
    show_change_link = True


@admin.register(Cluster)
class ClusterAdmin(admin.ModelAdmin):
    list_display = ["name", "key"]
    search_fields = ["name", "key"]
    inlines = [HubInline]


class DeliveryPartnerInline(admin.TabularInline):
    model = DeliveryPartner
    fields = ["key", "name", "service"]
    extra = 0


@admin.register(Hub)
class HubAdmin(ScopedAdmin):
    list_display = ["name", "key", "lep", "cluster", "target"]
    list_filter = ["cluster"]
    search_fields = ["name", "key", "lep"]
    list_select_related = ["cluster"]
    inlines = [DeliveryPartnerInline]


@admin.register(DeliveryPartner)
class DeliveryPartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "key", "hub", "service"]
    list_filter = ["service", "hub"]
    search_fields = ["name", "key"]
    list_select_related = ["hub"]


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    fields = ["role", "hub", "cohort"]
    raw_id_fields = ["cohort"]
    extra = 0


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["name"]
    list_display = ["name", "email", "organisation", "is_active", "is_staff", "last_login"]
    list_filter = ["is_active", "is_staff", "role_assignments__role", "role_assignments__hub"]
    search_fields = ["name", "email", "key"]
    list_select_related = ["organisation"]
    readonly_fields = ["last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["email", "name", "key", "organisation", "password"]}),
        ("Access", {"fields": ["is_active", "is_staff", "is_superuser"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "name", "password1", "password2"]}),
    ]
    filter_horizontal: list[str] = []
    inlines = [RoleAssignmentInline]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "hub", "cohort", "created"]
    list_filter = ["role", "hub"]
    search_fields = ["user__name", "user__email", "cohort__name"]
    list_select_related = ["user", "hub", "cohort"]
    raw_id_fields = ["user", "cohort"]


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ["worker", "seen_at"]
    search_fields = ["worker"]
    readonly_fields = ["worker", "seen_at"]


@admin.register(RuleWarning)
class RuleWarningAdmin(ScopedAdmin):
    """A record of what was shown: read-only."""

    list_display = ["recorded_at", "rule", "action", "hub", "sentence", "recorded_by"]
    list_filter = ["rule", "action", "subject_kind", "hub"]
    search_fields = ["rule", "sentence", "action"]
    list_select_related = ["hub", "recorded_by"]
    date_hierarchy = "recorded_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ScopedAdmin):
    """SECURITY.md 21: the audit trail, read-only (the model and the database refuse
    changes and deletes as well)."""

    list_display = ["at", "actor_email", "action", "object_type", "object_id", "hub", "summary"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_email", "object_type", "object_id", "summary"]
    list_select_related = ["hub"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Breach)
class BreachAdmin(admin.ModelAdmin):
    """The breach register (kept in the privacy pages); read-only here."""

    list_display = ["discovered_at", "reported_to_ico_at", "recorded_at"]
    readonly_fields = [
        "reference",
        "discovered_at",
        "description",
        "data_affected",
        "hubs",
        "reported_to_ico_at",
        "not_reported_reason",
        "recorded_by",
        "recorded_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        return queryset if request.user.is_superuser else queryset.none()
