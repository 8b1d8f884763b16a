from django.contrib import admin

from .models import Round


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin[Round]):
    """Rounds only: responses and invitations are left out of the admin site so that it
    cannot show what the anonymity threshold withholds on the results page."""

    list_display = ["title", "initiative", "opened_at", "closed_at", "is_illustrative"]
    list_filter = ["is_illustrative"]
    search_fields = ["title", "initiative__title"]
    readonly_fields = ["instrument_version", "opened_by"]
