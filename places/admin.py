from django.contrib import admin

from core.admin import AuditedAdmin

from .models import Household, Resident, ResponsibilityArea, TownshipConfig, Unit


@admin.register(Unit)
class UnitAdmin(AuditedAdmin):
    list_display = ["name", "kind", "grid_level", "path", "township"]
    list_filter = ["kind", "grid_level"]
    search_fields = ["name", "code", "path"]
    # The tree's shape changes only through places.services (paths and copies follow).
    readonly_fields = ["kind", "parent", "path", "township", "village", "grid_level"]

    def has_add_permission(self, request):
        return False


@admin.register(TownshipConfig)
class TownshipConfigAdmin(AuditedAdmin):
    list_display = ["township", "grid_levels", "warning_below", "suspension_below"]


class ResidentInline(admin.TabularInline):
    model = Resident
    extra = 0
    fields = ["name", "sex", "birth_date", "id_number", "phone", "relation", "is_party_member"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Household)
class HouseholdAdmin(AuditedAdmin):
    list_display = ["number", "township", "group", "joint", "address"]
    search_fields = ["number", "address"]
    readonly_fields = ["township", "group", "joint"]
    inlines = [ResidentInline]

    def has_add_permission(self, request):
        return False


@admin.register(Resident)
class ResidentAdmin(AuditedAdmin):
    list_display = ["name", "household", "sex", "birth_date", "relation"]
    search_fields = ["name", "id_number"]
    readonly_fields = ["township", "household"]

    def has_add_permission(self, request):
        return False


@admin.register(ResponsibilityArea)
class ResponsibilityAreaAdmin(AuditedAdmin):
    list_display = ["number", "name", "kind", "grid", "owner", "owner_household"]
    raw_id_fields = ["owner", "owner_household"]
    readonly_fields = ["township", "grid"]

    def has_add_permission(self, request):
        return False
