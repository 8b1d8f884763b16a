from django.urls import path

from . import concept_views, views

app_name = "commonality"

urlpatterns = [
    path("gemensamt/", views.overview, name="overview"),
    path("gemensamt/analys/", views.start_run, name="start_run"),
    path("gemensamt/analys/<int:pk>/", views.run_status, name="run"),
    path("gemensamt/matris/", views.matrix, name="matrix"),
    path("gemensamt/mojligheter/", views.opportunities, name="opportunities"),
    path("gemensamt/mojligheter/rangordna/", views.rerank, name="rerank"),
    path("gemensamt/mojligheter.xlsx", views.opportunities_xlsx, name="opportunities_xlsx"),
    path("gemensamt/lagen/", views.law, name="law"),
    path("gemensamt/begrepp/<str:concept_id>/starta-samverkan/", views.start_initiative,
         name="start_initiative"),
    path("gemensamt/synonymer/", views.thesaurus, name="thesaurus"),
    path("gemensamt/synonymer/<int:pk>/ta-bort/", views.thesaurus_delete,
         name="thesaurus_delete"),
    path("gemensamt/synonymer/lart/<int:pk>/ta-bort/", views.learned_delete,
         name="learned_delete"),
    path("gemensamt/begrepp/<str:concept_id>/", concept_views.concept_detail, name="concept"),
    path("gemensamt/begrepp/<str:concept_id>/beslut/", concept_views.decide, name="decide"),
    path("organisationer/<str:code>/startkatalog/", views.starter_catalogue,
         name="starter_catalogue"),
]
