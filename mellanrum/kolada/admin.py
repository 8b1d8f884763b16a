from django.contrib import admin

from .models import ConceptKpi, KoladaSync, KoladaValue


@admin.register(KoladaValue)
class KoladaValueAdmin(admin.ModelAdmin[KoladaValue]):
    """Kolada's values are shown as fetched; a value Kolada withdrew can be deleted here."""

    list_display = ["kpi_id", "municipality_code", "year", "gender", "value", "source",
                    "changed_at"]
    list_filter = ["year", "gender"]
    search_fields = ["kpi_id", "municipality_code"]
    readonly_fields = ["kpi_id", "municipality_code", "year", "gender", "value", "status",
                       "source", "changed_at"]

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(KoladaSync)
class KoladaSyncAdmin(admin.ModelAdmin[KoladaSync]):
    list_display = ["pk", "status", "kpis", "years", "created", "updated", "unchanged",
                    "finished_at", "user"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in KoladaSync._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(ConceptKpi)
class ConceptKpiAdmin(admin.ModelAdmin[ConceptKpi]):
    list_display = ["concept_id", "kpi_id", "created_by", "created_at"]
    search_fields = ["concept_id", "kpi_id"]
