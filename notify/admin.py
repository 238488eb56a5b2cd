"""Read-only admin of robots and deliveries: writes go through the pages and the API, and the
key and secret never appear here (only the key's last four characters)."""

from django.contrib import admin

from .models import Delivery, Robot


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Robot)
class RobotAdmin(ReadOnlyAdmin):
    list_display = ["name", "unit", "vendor", "message_format", "key_hint", "is_active"]
    list_filter = ["vendor", "is_active"]
    search_fields = ["name", "unit__name"]
    fields = ["township", "unit", "name", "vendor", "message_format", "key_hint", "is_active"]
    readonly_fields = fields


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "robot", "event", "title", "status", "attempts", "sent_at"]
    list_filter = ["status", "event"]
    search_fields = ["title", "event"]
    list_select_related = ["robot"]
