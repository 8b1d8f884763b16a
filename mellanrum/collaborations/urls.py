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
    path("samverkan/<int:pk>/nyttorealisering/", views.ledger_page, name="ledger"),
    path("samverkan/<int:pk>/nyttorealisering/export.xlsx", views.ledger_export,
         name="ledger_export"),
    path("samverkan/<int:pk>/nyttorealisering/ny/", views.ledger_row_add,
         name="ledger_row_add"),
    path("samverkan/<int:pk>/nyttorealisering/kalkyl/", views.economics_edit,
         name="economics_edit"),
    path("samverkan/nyttorad/<int:pk>/andra/", views.ledger_row_edit, name="ledger_row_edit"),
    path("samverkan/nyttorad/<int:pk>/ta-bort/", views.ledger_row_remove,
         name="ledger_row_remove"),
    path("samverkan/<int:pk>/kostnadsfordelning/", views.cost_split, name="cost_split"),
    path("samverkan/<int:pk>/kostnadsfordelning/andel/", views.take_split_share,
         name="take_split_share"),
]
