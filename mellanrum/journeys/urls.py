from django.urls import path

from . import views

app_name = "journeys"

urlpatterns = [
    path("livshandelser/", views.life_event_list, name="life_events"),
    path("livshandelser/ny/", views.life_event_create, name="life_event_create"),
    path("livshandelser/export.json", views.catalogue_export, name="export"),
    path("livshandelser/import/", views.catalogue_import, name="import"),
    path("livshandelser/<slug:slug>/", views.life_event_detail, name="life_event"),
    path("livshandelser/<slug:slug>/andra/", views.life_event_edit, name="life_event_edit"),
    path("livshandelser/<slug:slug>/ta-bort/", views.life_event_delete, name="life_event_delete"),
    path("hitta/", views.finder, name="finder"),
]
