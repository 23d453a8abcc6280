from django.contrib import admin
from django.http import HttpRequest

from peernet.admin import ScopedAdmin
from reporting.models import MonthlyReturn, ReturnVersion


class ReturnVersionInline(admin.TabularInline):
    model = ReturnVersion
    fields = ["version", "submitted_at", "submitted_by", "sha256", "reason"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        # KPI.md: versions are made by submission only, never by hand.
        return False


@admin.register(MonthlyReturn)
class MonthlyReturnAdmin(ScopedAdmin):
    list_display = ["hub", "month", "draft_compiled_at"]
    list_filter = ["hub__cluster", "hub", "month"]
    search_fields = ["hub__name", "hub__key"]
    list_select_related = ["hub"]
    date_hierarchy = "month"
    inlines = [ReturnVersionInline]


@admin.register(ReturnVersion)
class ReturnVersionAdmin(ScopedAdmin):
    list_display = ["monthly_return", "version", "submitted_at", "submitted_by", "sha256"]
    list_filter = ["monthly_return__hub"]
    search_fields = ["monthly_return__hub__name", "sha256"]
    list_select_related = ["monthly_return__hub", "submitted_by"]
    # SECURITY.md 26: a submitted return never changes, not even in the admin.
    readonly_fields = [
        "monthly_return",
        "version",
        "figures",
        "breakdowns",
        "narrative",
        "sha256",
        "submitted_at",
        "submitted_by",
        "reason",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
