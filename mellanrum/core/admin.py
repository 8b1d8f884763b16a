from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry, Task, User


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
    list_display = ("username", "email", "organisation", "role", "is_superuser")
    list_filter = ("role", "is_superuser", "is_active")
    autocomplete_fields = ("organisation",)
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (_("Organisation"), {"fields": ("organisation", "role")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("Organisation"), {"fields": ("organisation", "role")}),
    )


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin[Task]):
    """Read-only: jobs are written by the queue, never by hand."""

    list_display = ("pk", "name", "ref", "status", "worker", "heartbeat_at", "finished_at")
    list_filter = ("status", "name")
    search_fields = ("ref", "name")

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin[AuditEntry]):
    list_display = ("at", "user", "organisation", "action", "object_repr")
    list_filter = ("action",)
    readonly_fields = ("at", "user", "organisation", "action", "object_repr", "detail")

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
