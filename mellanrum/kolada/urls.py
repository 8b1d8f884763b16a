from django.urls import path

from . import views

app_name = "kolada"

urlpatterns = [
    path("nyckeltal/", views.kpi_index, name="kpis"),
    path("nyckeltal/hamta/", views.sync_start, name="sync"),
    path("nyckeltal/hamta/<int:pk>/", views.sync_status, name="sync_status"),
    path("nyckeltal/begrepp/<str:concept_id>/koppla/", views.concept_link, name="concept_link"),
    path("nyckeltal/begrepp/<str:concept_id>/ta-bort/", views.concept_unlink,
         name="concept_unlink"),
    path("nyckeltal/<str:kpi_id>/", views.kpi_detail, name="kpi"),
    path("nyckeltal/<str:kpi_id>/export.<str:fmt>", views.kpi_export, name="kpi_export"),
]
