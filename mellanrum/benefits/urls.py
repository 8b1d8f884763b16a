from django.urls import path

from . import ledger_views, split_views, views

app_name = "benefits"

urlpatterns = [
    path("kostnadsfordelning/", views.calculator, name="calculator"),
    path("kostnadsfordelning/spel/", views.calculator_upload, name="calculator_upload"),
    # An initiative's benefits follow-up and cost split (the paths they had under samverkan/).
    path("samverkan/<int:pk>/nyttorealisering/", ledger_views.ledger_page, name="ledger"),
    path("samverkan/<int:pk>/nyttorealisering/export.xlsx", ledger_views.ledger_export,
         name="ledger_export"),
    path("samverkan/<int:pk>/nyttorealisering/ny/", ledger_views.ledger_row_add,
         name="ledger_row_add"),
    path("samverkan/<int:pk>/nyttorealisering/kalkyl/", ledger_views.economics_edit,
         name="economics_edit"),
    path("samverkan/nyttorad/<int:pk>/andra/", ledger_views.ledger_row_edit,
         name="ledger_row_edit"),
    path("samverkan/nyttorad/<int:pk>/ta-bort/", ledger_views.ledger_row_remove,
         name="ledger_row_remove"),
    path("samverkan/<int:pk>/budgetunderlag/<str:code>/", ledger_views.budget_sheet,
         name="budget_sheet"),
    path("samverkan/<int:pk>/budgetunderlag/<str:code>/export.xlsx",
         ledger_views.budget_sheet_export, name="budget_sheet_export"),
    path("samverkan/<int:pk>/budgetunderlag/<str:code>/budgetrad/", ledger_views.budget_line_edit,
         name="budget_line_edit"),
    path("samverkan/<int:pk>/kostnadsfordelning/", split_views.cost_split, name="cost_split"),
    path("samverkan/<int:pk>/kostnadsfordelning/andel/", split_views.confirm_split_share,
         name="confirm_split_share"),
]
