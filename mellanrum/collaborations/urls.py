from django.urls import path

from . import consent_views, views

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
    # Consent and decisions (consent_views.py)
    path("samverkan/<int:pk>/inbjudan/", consent_views.invitation_answer,
         name="invitation_answer"),
    path("samverkan/<int:pk>/forslag/", consent_views.proposals, name="proposals"),
    path("samverkan/forslag/<int:pk>/", consent_views.proposal_detail, name="proposal"),
    path("samverkan/forslag/<int:pk>/stang/", consent_views.proposal_close,
         name="proposal_close"),
    path("samverkan/<int:pk>/beslut/nytt/", consent_views.formal_decision_add,
         name="formal_decision_add"),
    path("samverkan/beslut/<int:pk>/protokoll.pdf", consent_views.protocol_download,
         name="protocol"),
    path("samverkan/mal/<int:pk>/", consent_views.goal_detail, name="goal"),
    path("samverkan/mal/<int:pk>/uppfoljning/", consent_views.goal_tracking,
         name="goal_tracking"),
    path("samverkan/mal/<int:pk>/matvarde/<int:item_pk>/ta-bort/",
         consent_views.measurement_remove, name="measurement_remove"),
]
