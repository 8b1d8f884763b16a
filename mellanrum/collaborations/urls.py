from django.urls import path

from . import views

app_name = "collaborations"

urlpatterns = [
    path("samverkan/", views.portfolio_view, name="portfolio"),
    path("samverkan/export.xlsx", views.portfolio_export, name="portfolio_export"),
    path("samverkan/ny/", views.initiative_create, name="initiative_create"),
    path("samverkan/<int:pk>/", views.initiative_detail, name="initiative"),
    path("samverkan/<int:pk>/andra/", views.initiative_edit, name="initiative_edit"),
    path("samverkan/<int:pk>/lagg-till/<slug:kind>/", views.item_add, name="item_add"),
    path("samverkan/<int:pk>/andra/<slug:kind>/<int:item_pk>/", views.item_edit,
         name="item_edit"),
    path("samverkan/<int:pk>/ta-bort/<slug:kind>/<int:item_pk>/", views.item_remove,
         name="item_remove"),
    path("samverkan/<int:pk>/utgangspunkter/ny/", views.statement_add, name="statement_add"),
    path("samverkan/utgangspunkt/<int:pk>/andra/", views.statement_edit,
         name="statement_edit"),
    path("samverkan/utgangspunkt/<int:pk>/ta-bort/", views.statement_remove,
         name="statement_remove"),
    path("samverkan/<int:pk>/samstammighet/", views.alignment, name="alignment"),
]
