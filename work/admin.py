"""Admin of the work app: the escalation rules editable; ledgers read-only (history stays)."""

from django.contrib import admin

from core.admin import AuditedAdmin

from .models import Problem, Settings, Ticket


@admin.register(Settings)
class SettingsAdmin(AuditedAdmin):
    list_display = ["township", "yellow_after_days", "red_after_days", "repeat_window_days"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Problems and tickets change through their services only (transition, escalate)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Problem)
class ProblemAdmin(ReadOnlyAdmin):
    list_display = ["id", "village", "place", "description", "responsible", "deadline", "state"]
    list_filter = ["state", "category", "source"]
    list_select_related = ["village", "responsible"]


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    list_display = ["id", "colour", "problem", "responsible", "due_on", "issued_on", "ended_on"]
    list_filter = ["colour"]
    list_select_related = ["problem", "responsible"]
