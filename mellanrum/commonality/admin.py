from django.contrib import admin

from .models import AnalysisRun, Concept, Decision, SynonymSet


@admin.register(AnalysisRun)
class AnalysisRunAdmin(admin.ModelAdmin[AnalysisRun]):
    list_display = ("created_at", "scope_label", "status", "concept_count", "started_by")
    list_filter = ("status",)
    readonly_fields = ("scope", "message")


@admin.register(Concept)
class ConceptAdmin(admin.ModelAdmin[Concept]):
    list_display = ("label", "concept_id", "organisations", "pinned", "run")
    list_filter = ("pinned",)
    search_fields = ("label", "concept_id")


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin[Decision]):
    list_display = ("created_at", "kind", "concept_id", "label", "created_by")
    list_filter = ("kind",)
    search_fields = ("concept_id", "label")


@admin.register(SynonymSet)
class SynonymSetAdmin(admin.ModelAdmin[SynonymSet]):
    list_display = ("__str__", "created_by", "created_at")
