from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from core.admin import AuditedAdmin

from .models import RoleAssignment, User


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):
    list_display = ["username", "name", "is_staff", "is_active"]
    search_fields = ["username", "name"]
    fieldsets = (*BaseUserAdmin.fieldsets, (None, {"fields": ("name", "resident")}))
    raw_id_fields = ["resident"]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(AuditedAdmin):
    list_display = ["user", "role", "unit", "household", "start_date", "end_date"]
    list_filter = ["role"]
    raw_id_fields = ["township", "user", "unit", "household", "granted_by"]
