from django.contrib import admin
from django.db import transaction

from . import audit
from .models import AuditEntry


class AuditedAdmin(admin.ModelAdmin):
    """Admin edits write the same audit entries as the services do (who, when, before/after).

    Deleting is disabled: history is never removed; units and roles end instead.
    """

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        fields = [f.name for f in obj._meta.concrete_fields if f.name != "id"]
        before = {}
        if change:
            before = audit.snapshot(type(obj).objects.get(pk=obj.pk), fields)
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            changes = audit.diff(before, audit.snapshot(obj, fields))
            for key in ("id_number", "phone", "password"):
                if key in changes:
                    changes[key] = ["***", "***"]
            audit.record(
                actor=request.user,
                action="update" if change else "create",
                obj=obj,
                changes=changes,
                reason="admin",
            )


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "content_type", "object_repr", "reason"]
    list_filter = ["action", "content_type"]
    search_fields = ["object_repr", "reason"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
