"""Admin: supermarkets, goods and settings are edited with an audit row; the insert-only books
(stock entries, receipts, voids) are read-only here, as in the database."""

from django.contrib import admin

from core.admin import AuditedAdmin

from .models import Goods, Receipt, ReceiptVoid, Settings, StockEntry, Supermarket, Suspension


@admin.register(Supermarket)
class SupermarketAdmin(AuditedAdmin):
    list_display = ["code", "name", "unit", "township", "opening_hours", "active"]
    list_filter = ["township", "active"]
    search_fields = ["code", "name"]
    filter_horizontal = ["villages"]
    raw_id_fields = ["unit", "township", "created_by"]


@admin.register(Goods)
class GoodsAdmin(AuditedAdmin):
    list_display = ["name", "supermarket", "unit", "price", "active"]
    list_filter = ["active", "supermarket__township"]
    search_fields = ["name"]
    raw_id_fields = ["supermarket", "township"]


@admin.register(Settings)
class SettingsAdmin(AuditedAdmin):
    list_display = ["township", "keeper_void_days", "updated_at"]
    raw_id_fields = ["township", "updated_by"]


@admin.register(Suspension)
class SuspensionAdmin(AuditedAdmin):
    list_display = ["household", "reason", "authority", "starts_on", "ends_on", "lifted_at"]
    raw_id_fields = ["township", "household", "created_by", "lifted_by"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StockEntry)
class StockEntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "supermarket", "goods", "kind", "quantity", "created_by"]
    list_filter = ["kind", "supermarket__township"]


@admin.register(Receipt)
class ReceiptAdmin(ReadOnlyAdmin):
    list_display = ["number", "supermarket", "household", "points", "created_by", "created_at"]
    search_fields = ["number"]


@admin.register(ReceiptVoid)
class ReceiptVoidAdmin(ReadOnlyAdmin):
    list_display = ["receipt", "authority", "reason", "voided_by", "voided_at"]
