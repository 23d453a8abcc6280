"""Django admin for the programme structure and people.

The admin is a back office for the national coordinator (superuser) and trusted staff.
Every ModelAdmin narrows its rows through the same access policy as the pages
(`ScopedAdmin`), so a staff user who is not a superuser sees only their scope.

The admin reads; the pages write (issue 15). Everything the programme's rules govern
(registrations, eligibility, cohorts, sessions, attendance, one-to-ones, surveys, returns)
is written only through its service, from its page, with the rules, their warnings and
the audit trail: its admin is read only (`ScopedAdmin`). What no page manages, the
programme's structure and the people who sign in (programmes, clusters, hubs, delivery
partners, the BEIS topic list, users and their national roles), is changed here, and every
change is audited (`AuditedAdmin`). tests/peernet/test_admin.py holds the line.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest

from peernet import audit
from peernet.models import (
    AuditEvent,
    Breach,
    Cluster,
    DeliveryPartner,
    Hub,
    OutboundEmail,
    OutboundTask,
    Programme,
    RoleAssignment,
    RuleWarning,
    User,
    WorkerHeartbeat,
)
from peernet.scoping import ScopedQuerySet


class _HttpsLinks(admin.ModelAdmin):
    # Links typed without a scheme are https (Django 6's default, chosen now).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


class _Scoped(_HttpsLinks):
    """Narrows the admin's rows to what the user may see (peernet.access)."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        assert isinstance(queryset, ScopedQuerySet)  # every hub-owned model's
        return queryset.visible_to(request.user)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Reads only: the rows are written through the pages' services."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ScopedAdmin(_Scoped, ReadOnlyAdmin):
    """A hub's records, as its people may see them, read only."""


class AuditedMixin:
    """Reference data no page manages: changed here by the coordinator, every change (and
    every row an inline adds, changes or deletes) in the audit trail (docs/security.md §21)
    with the names of the fields changed."""

    def _audit(self, request: HttpRequest, action: str, obj: Any, fields: list[str]) -> None:
        words = {"create": "added", "update": "changed", "delete": "deleted"}[action]
        audit.record(
            request.user,
            action,
            obj,
            hub=obj.pk if isinstance(obj, Hub) else getattr(obj, "hub_id", None),
            summary=f"{obj._meta.verbose_name.capitalize()} {words} in the admin",
            after={"fields": sorted(fields)} if fields else None,
            request=request,
        )

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)  # type: ignore[misc]
        self._audit(request, "update" if change else "create", obj, list(form.changed_data))

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self._audit(request, "delete", obj, [])
        super().delete_model(request, obj)  # type: ignore[misc]

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            self.delete_model(request, obj)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        super().save_formset(request, form, formset, change)  # type: ignore[misc]
        for obj in formset.new_objects:
            self._audit(request, "create", obj, [])
        for obj, fields in formset.changed_objects:
            self._audit(request, "update", obj, list(fields))
        for obj in formset.deleted_objects:
            self._audit(request, "delete", obj, [])


class AuditedAdmin(AuditedMixin, _HttpsLinks):
    """Reference data no page manages: changed here, every change audited."""


@admin.register(Programme)
class ProgrammeAdmin(AuditedAdmin):
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
class ClusterAdmin(AuditedAdmin):
    list_display = ["name", "key"]
    search_fields = ["name", "key"]
    inlines = [HubInline]


class DeliveryPartnerInline(admin.TabularInline):
    model = DeliveryPartner
    fields = ["key", "name", "service"]
    extra = 0


@admin.register(Hub)
class HubAdmin(_Scoped, AuditedAdmin):
    list_display = ["name", "key", "lep", "cluster", "target"]
    list_filter = ["cluster"]
    search_fields = ["name", "key", "lep"]
    list_select_related = ["cluster"]
    inlines = [DeliveryPartnerInline]


@admin.register(DeliveryPartner)
class DeliveryPartnerAdmin(AuditedAdmin):
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
class UserAdmin(AuditedMixin, DjangoUserAdmin):
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
    filter_horizontal: ClassVar[list[str]] = []
    inlines = [RoleAssignmentInline]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(AuditedAdmin):
    list_display = ["user", "role", "hub", "cohort", "created"]
    list_filter = ["role", "hub"]
    search_fields = ["user__name", "user__email", "cohort__name"]
    list_select_related = ["user", "hub", "cohort"]
    raw_id_fields = ["user", "cohort"]


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(ReadOnlyAdmin):
    list_display = ["worker", "seen_at"]
    search_fields = ["worker"]
    readonly_fields = ["worker", "seen_at"]


@admin.register(OutboundEmail)
class OutboundEmailAdmin(ScopedAdmin):
    list_display = ("created_at", "hub", "kind", "recipient", "status", "attempts", "sent_at")
    list_filter = ("status", "kind")
    search_fields = ("recipient", "subject")
    # Not the message itself: its words are for the recipient.
    fields = (
        "hub",
        "kind",
        "recipient",
        "subject",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "next_attempt_at",
        "sent_at",
    )


@admin.register(OutboundTask)
class OutboundTaskAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "task", "args", "attempts", "last_error")


@admin.register(RuleWarning)
class RuleWarningAdmin(ScopedAdmin):
    """A record of what was shown: read-only."""

    list_display = ["recorded_at", "rule", "action", "hub", "sentence", "recorded_by"]
    list_filter = ["rule", "action", "subject_kind", "hub"]
    search_fields = ["rule", "sentence", "action"]
    list_select_related = ["hub", "recorded_by"]
    date_hierarchy = "recorded_at"


@admin.register(AuditEvent)
class AuditEventAdmin(ScopedAdmin):
    """docs/security.md §21: the audit trail, read-only (the model and the database refuse
    changes and deletes as well)."""

    list_display = ["at", "actor_email", "action", "object_type", "object_id", "hub", "summary"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_email", "object_type", "object_id", "summary"]
    list_select_related = ["hub"]
    date_hierarchy = "at"


@admin.register(Breach)
class BreachAdmin(ReadOnlyAdmin):
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

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        return queryset if request.user.is_superuser else queryset.none()
