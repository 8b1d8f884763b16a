from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import DecisionEntry, Goal, Initiative, Partner, Risk, Statement


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    """Writes go through actions (validation and the audit log); the admin is for looking."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class GoalInline(admin.TabularInline[Goal, Initiative]):
    model = Goal
    extra = 0


class PartnerInline(admin.TabularInline[Partner, Initiative]):
    model = Partner
    extra = 0


@admin.register(Initiative)
class InitiativeAdmin(ReadOnlyAdmin):
    list_display = ["title", "phase", "is_public", "is_illustrative"]
    list_filter = ["phase", "is_public", "is_illustrative"]
    search_fields = ["title"]
    inlines = [GoalInline, PartnerInline]


for model in (DecisionEntry, Risk, Statement):
    admin.site.register(model, ReadOnlyAdmin)
