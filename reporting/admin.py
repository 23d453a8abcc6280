from django.contrib import admin
from django.http import HttpRequest

from peernet.admin import ReadOnlyAdmin, ScopedAdmin
from reporting.models import (
    DigestSent,
    ExportFile,
    Finding,
    MonthlyReturn,
    ReturnVersion,
    RiskScan,
)


class ReturnVersionInline(admin.TabularInline):
    model = ReturnVersion
    fields = ["version", "submitted_at", "submitted_by", "sha256", "reason"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        # docs/returns.md: versions are made by submission only, never by hand.
        return False


@admin.register(MonthlyReturn)
class MonthlyReturnAdmin(ScopedAdmin):
    list_display = ["hub", "month", "draft_compiled_at"]
    list_filter = ["hub__cluster", "hub", "month"]
    search_fields = ["hub__name", "hub__key"]
    list_select_related = ["hub"]
    date_hierarchy = "month"
    inlines = [ReturnVersionInline]
    # The draft is compiled by reporting.returns, never typed in.
    readonly_fields = [
        "hub",
        "month",
        "draft_figures",
        "draft_breakdowns",
        "draft_parts",
        "draft_compiled_at",
        "reminder_sent_at",
    ]


@admin.register(ReturnVersion)
class ReturnVersionAdmin(ScopedAdmin):
    list_display = ["monthly_return", "version", "submitted_at", "submitted_by", "sha256"]
    list_filter = ["monthly_return__hub"]
    search_fields = ["monthly_return__hub__name", "sha256"]
    list_select_related = ["monthly_return__hub", "submitted_by"]
    # docs/security.md §26: a submitted return never changes, not even in the admin.
    readonly_fields = [
        "monthly_return",
        "version",
        "figures",
        "breakdowns",
        "parts",
        "narrative",
        "sha256",
        "submitted_at",
        "submitted_by",
        "reason",
    ]


class ReadOnlyScanAdmin(ScopedAdmin):
    """Written by the at-risk scan only: the admin looks, never edits."""


@admin.register(Finding)
class FindingAdmin(ReadOnlyScanAdmin):
    list_display = [
        "rule",
        "outcome",
        "subject_name",
        "hub",
        "cohort",
        "due",
        "first_found",
        "last_found",
        "resolved",
    ]
    list_filter = [
        "outcome",
        "rule",
        "subject_kind",
        "hub",
        ("resolved", admin.EmptyFieldListFilter),
    ]
    search_fields = ["rule", "subject_name", "sentence", "hub__name", "cohort__name"]
    list_select_related = ["hub", "cohort"]
    date_hierarchy = "first_found"


@admin.register(RiskScan)
class RiskScanAdmin(ReadOnlyScanAdmin):
    list_display = [
        "hub",
        "run_on",
        "runs",
        "started",
        "finished",
        "subjects",
        "open_findings",
        "new_findings",
        "resolved_findings",
    ]
    list_filter = ["hub__cluster", "hub"]
    search_fields = ["hub__name", "hub__key"]
    list_select_related = ["hub"]
    date_hierarchy = "run_on"


@admin.register(DigestSent)
class DigestSentAdmin(ReadOnlyScanAdmin):
    list_display = ["user", "hub", "run_on", "sent_at", "new_findings", "resolved_findings"]
    list_filter = ["hub", "run_on"]
    search_fields = ["user__name", "user__email", "hub__name"]
    list_select_related = ["user", "hub"]
    date_hierarchy = "run_on"


@admin.register(ExportFile)
class ExportFileAdmin(ReadOnlyAdmin):
    """Downloads are made by the export task; the admin only lists them (no bytes)."""

    list_display = ["kind", "requested_by", "requested_at", "status", "progress"]
    list_filter = ["kind", "status"]
    search_fields = ["kind", "requested_by__email", "filename"]
    list_select_related = ["requested_by"]
    fields = ["kind", "params", "requested_by", "status", "progress", "filename", "error"]
    readonly_fields = fields
