from django.contrib import admin

from mellanrum.collaborations.admin import ReadOnlyAdmin

from .models import Event, Network, NetworkMember, Registration


class NetworkMemberInline(admin.TabularInline[NetworkMember, Network]):
    model = NetworkMember
    extra = 0


class RegistrationInline(admin.TabularInline[Registration, Event]):
    model = Registration
    extra = 0


@admin.register(Network)
class NetworkAdmin(ReadOnlyAdmin):
    list_display = ["title", "visibility", "is_illustrative"]
    inlines = [NetworkMemberInline]


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["title", "starts_at", "organiser", "capacity", "registered_count"]
    list_filter = ["is_digital", "is_illustrative"]
    inlines = [RegistrationInline]
