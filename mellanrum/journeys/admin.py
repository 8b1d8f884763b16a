from django.contrib import admin

from .models import CatalogueSetting, FinderUsage, LifeEvent, PlaceName, Step


class StepInline(admin.TabularInline[Step, LifeEvent]):
    model = Step
    extra = 0


@admin.register(LifeEvent)
class LifeEventAdmin(admin.ModelAdmin[LifeEvent]):
    list_display = ("label_sv", "slug", "audience", "position", "updated_at")
    list_filter = ("audience",)
    search_fields = ("label_sv", "label_en", "slug")
    inlines = [StepInline]


@admin.register(CatalogueSetting)
class CatalogueSettingAdmin(admin.ModelAdmin[CatalogueSetting]):
    list_display = ("__str__", "updated_at")


@admin.register(FinderUsage)
class FinderUsageAdmin(admin.ModelAdmin[FinderUsage]):
    list_display = ("day", "searches", "with_results", "without_results", "rejected")
    readonly_fields = ("day", "searches", "with_results", "without_results", "rejected")

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(PlaceName)
class PlaceNameAdmin(admin.ModelAdmin[PlaceName]):
    list_display = ("name", "kind", "municipality", "source")
    list_filter = ("kind",)
    search_fields = ("name",)
    raw_id_fields = ("municipality",)
