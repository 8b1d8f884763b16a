from django.contrib import admin

from .models import (
    Activity,
    Category,
    ColumnMapping,
    Contact,
    IndicatorValue,
    ITSystem,
    NamedGroup,
    Organisation,
)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin[Organisation]):
    list_display = ("name", "code", "kind", "county_name", "population")
    list_filter = ("kind", "county_name", "skr_group_code", "is_reference")
    search_fields = ("name", "code", "short_name")
    filter_horizontal = ("members",)


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin[Activity]):
    list_display = ("name", "organisation", "kind", "annual_cost_sek", "is_illustrative")
    list_filter = ("kind", "is_illustrative")
    search_fields = ("name", "key", "organisation__name")
    autocomplete_fields = ("organisation", "owner")
    filter_horizontal = ("systems",)


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin[Contact]):
    list_display = ("name", "role", "organisation", "email")
    search_fields = ("name", "email", "organisation__name")
    autocomplete_fields = ("organisation",)


@admin.register(ITSystem)
class ITSystemAdmin(admin.ModelAdmin[ITSystem]):
    list_display = ("product", "vendor")
    search_fields = ("product", "vendor")


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin[Category]):
    list_display = ("code", "label", "level")
    search_fields = ("code", "label")


@admin.register(NamedGroup)
class NamedGroupAdmin(admin.ModelAdmin[NamedGroup]):
    list_display = ("title", "code")
    search_fields = ("title",)


@admin.register(IndicatorValue)
class IndicatorValueAdmin(admin.ModelAdmin[IndicatorValue]):
    list_display = ("organisation", "indicator_code", "year", "value", "unit")
    list_filter = ("indicator_code", "year")


@admin.register(ColumnMapping)
class ColumnMappingAdmin(admin.ModelAdmin[ColumnMapping]):
    list_display = ("organisation", "updated_by", "updated_at")
    readonly_fields = ("updated_by", "updated_at")
    raw_id_fields = ("organisation",)
