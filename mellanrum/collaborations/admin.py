from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .consent_models import FormalDecision, GoalTracking, Measurement, Proposal, ProposalAnswer
from .models import DecisionEntry, Goal, Initiative, Partner, Risk, Statement
from .workshop_models import Principle, PrincipleApproval, PrincipleVersion, Tension


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


# The consent decisions and the workshop's principles are shown read-only like the rest: a
# proposal's answers, a formal decision and a principle's approvals are records of what
# partners said, changed only through the app's own steps.
for model in (DecisionEntry, Risk, Statement, Proposal, ProposalAnswer, FormalDecision,
              GoalTracking, Measurement, Tension, PrincipleVersion, Principle,
              PrincipleApproval):
    admin.site.register(model, ReadOnlyAdmin)
