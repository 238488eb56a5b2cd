"""Admin for the star set and settings (configuration); the rating history is read-only."""

from django.contrib import admin

from core.admin import AuditedAdmin

from .models import Campaign, RatingEntry, Star, StarSettings


@admin.register(Star)
class StarAdmin(AuditedAdmin):
    list_display = ["name", "township", "position", "required", "is_active"]
    list_filter = ["township", "required"]


@admin.register(StarSettings)
class StarSettingsAdmin(AuditedAdmin):
    list_display = ["township", "objection_days", "quorum_numerator", "quorum_denominator"]


@admin.register(Campaign)
class CampaignAdmin(AuditedAdmin):
    list_display = ["name", "township", "year", "started_on", "is_closed"]


@admin.register(RatingEntry)
class RatingEntryAdmin(admin.ModelAdmin):
    list_display = ["household", "star", "action", "effective_on", "authority"]
    readonly_fields = [f.name for f in RatingEntry._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
