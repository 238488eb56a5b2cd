from django.contrib import admin

from .models import Household, Resident, ResponsibilityArea, TownshipConfig, Unit


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "grid_level", "path", "township"]
    list_filter = ["kind", "grid_level"]
    search_fields = ["name", "code", "path"]
    raw_id_fields = ["parent", "township", "village"]
    readonly_fields = ["path"]


@admin.register(TownshipConfig)
class TownshipConfigAdmin(admin.ModelAdmin):
    list_display = ["township", "grid_levels", "warning_below", "suspension_below"]


class ResidentInline(admin.TabularInline):
    model = Resident
    extra = 0
    fields = ["name", "sex", "birth_date", "id_number", "phone", "relation", "is_party_member"]


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):
    list_display = ["number", "township", "group", "joint", "address"]
    search_fields = ["number", "address"]
    raw_id_fields = ["township", "group", "joint"]
    inlines = [ResidentInline]


@admin.register(Resident)
class ResidentAdmin(admin.ModelAdmin):
    list_display = ["name", "household", "sex", "birth_date", "relation"]
    search_fields = ["name", "id_number"]
    raw_id_fields = ["township", "household"]


@admin.register(ResponsibilityArea)
class ResponsibilityAreaAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "kind", "grid", "owner", "owner_household"]
    raw_id_fields = ["township", "grid", "owner", "owner_household"]
