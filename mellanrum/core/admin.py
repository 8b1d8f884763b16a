from datetime import datetime

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import ApiToken, AuditEntry, Task, User


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


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    """Read-only: keys are made by their users on the account page (or with ``mellanrum
    apikey create``). Neither a key nor its hash is ever shown; revoking is an action, through
    the same code as the account page, so it is in the audit log."""

    list_display = ("user", "name", "shown_prefix", "made", "last_used_at", "expires_at",
                    "works")
    list_select_related = ("user",)
    search_fields = ("user__username", "name", "prefix")
    fields = ("user", "name", "shown_prefix", "made", "last_used_at", "expires_at", "works")
    readonly_fields = fields
    actions = ["revoke"]

    @admin.display(description=_("first characters"))
    def shown_prefix(self, token: ApiToken) -> str:
        return f"{token.prefix}…"

    @admin.display(description=_("created"), ordering="created_at")
    def made(self, token: ApiToken) -> datetime:
        return token.created_at

    @admin.display(description=_("works"), boolean=True)
    def works(self, token: ApiToken) -> bool:
        return token.expires_at > timezone.now() and token.user.is_active

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # a plain delete would bypass the audit log: revoke instead

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("core.delete_apitoken")

    @admin.action(description=_("Revoke the selected API keys"), permissions=["revoke"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        from .actions import do_revoke_any_api_token

        acting = request.user if isinstance(request.user, User) else None
        revoked = sum(do_revoke_any_api_token(pk, acting_user=acting) is not None
                      for pk in queryset.values_list("pk", flat=True))
        self.message_user(request, ngettext(
            "%(count)d API key revoked; it no longer works.",
            "%(count)d API keys revoked; they no longer work.", revoked) % {"count": revoked},
            messages.SUCCESS)
