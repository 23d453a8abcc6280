from django.contrib import admin

from cohorts.models import Cohort, CohortMembership, JoiningInstructions
from peernet.admin import ScopedAdmin


class MembershipInline(admin.TabularInline):
    model = CohortMembership
    fields = ["participant", "joined", "left"]
    raw_id_fields = ["participant"]
    extra = 0


@admin.register(Cohort)
class CohortAdmin(ScopedAdmin):
    list_display = ["name", "key", "hub", "delivery_partner", "planned_start", "programme"]
    list_filter = ["hub", "programme"]
    search_fields = ["name", "key"]
    list_select_related = ["hub", "programme"]
    readonly_fields = ["code", "created"]
    inlines = [MembershipInline]


@admin.register(CohortMembership)
class CohortMembershipAdmin(ScopedAdmin):
    list_display = ["participant", "cohort", "joined", "left"]
    list_filter = ["cohort__hub"]
    search_fields = ["participant__first_name", "participant__last_name", "cohort__name"]
    list_select_related = ["participant", "cohort"]
    raw_id_fields = ["participant", "cohort"]


@admin.register(JoiningInstructions)
class JoiningInstructionsAdmin(ScopedAdmin):
    list_display = ["cohort", "platform", "contact_name", "updated"]
    list_filter = ["cohort__hub"]
    search_fields = ["cohort__name", "platform", "contact_name"]
    list_select_related = ["cohort"]
    raw_id_fields = ["cohort"]
