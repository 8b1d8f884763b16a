from django.urls import path

from . import views

app_name = "community"

urlpatterns = [
    path("motparter/verksamhet/<int:pk>/", views.activity_counterparts,
         name="activity_counterparts"),
    path("motparter/begrepp/<str:concept_id>/", views.concept_counterparts,
         name="concept_counterparts"),
    path("natverk/", views.network_list, name="networks"),
    path("natverk/nytt/", views.network_create, name="network_create"),
    path("natverk/<int:pk>/", views.network_detail, name="network"),
    path("natverk/<int:pk>/andra/", views.network_edit, name="network_edit"),
    path("natverk/<int:pk>/ga-med/", views.network_join, name="network_join"),
    path("natverk/<int:pk>/lamna/", views.network_leave, name="network_leave"),
    path("natverk/<int:pk>/lagg-till/<slug:kind>/", views.network_item_add,
         name="network_item_add"),
    path("natverk/<int:pk>/ta-bort/<slug:kind>/<int:item_pk>/", views.network_item_remove,
         name="network_item_remove"),
    path("natverk/<int:pk>/medlem/<int:member_pk>/", views.network_member,
         name="network_member"),
    path("traffar/", views.event_list, name="events"),
    path("traffar/ny/", views.event_create, name="event_create"),
    path("traffar/<int:pk>/", views.event_detail, name="event"),
    path("traffar/<int:pk>/andra/", views.event_edit, name="event_edit"),
    path("traffar/<int:pk>/ta-bort/", views.event_delete, name="event_delete"),
    path("traffar/<int:pk>/anmal/", views.event_register, name="event_register"),
    path("traffar/<int:pk>/avanmal/", views.event_cancel, name="event_cancel"),
    path("traffar/<int:pk>/deltagare.<str:fmt>", views.event_attendees,
         name="event_attendees"),
    path("traffar/<int:pk>/kalender.ics", views.event_calendar, name="event_calendar"),
]
