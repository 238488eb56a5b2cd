"""Admin: a township's grievance settings (categories, time limits) are edited here, audited.
Grievances, their history and the rota are read-only here: they change through the services."""

from django.contrib import admin

from core.admin import AuditedAdmin

from .models import DutyShift, Event, Grievance, Settings, Ticket


@admin.register(Settings)
class SettingsAdmin(AuditedAdmin):
    list_display = ["township", "grievance_days", "petition_days"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Grievance)
class GrievanceAdmin(ReadOnlyAdmin):
    list_display = ["id", "subject", "is_petition", "state", "received_on", "deadline"]
    list_filter = ["state", "is_petition", "channel"]
    # The person's name and phone are left out of the admin lists on purpose.
    exclude = ["outsider_name", "outsider_phone", "outsider_id_number"]


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["grievance", "action", "from_state", "to_state", "actor", "at"]


@admin.register(DutyShift)
class DutyShiftAdmin(ReadOnlyAdmin):
    list_display = ["date", "unit", "leader", "place"]


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    list_display = ["grievance", "colour", "reason", "due_on", "issued_on", "unit", "ended_on"]
    list_filter = ["colour", "reason"]
