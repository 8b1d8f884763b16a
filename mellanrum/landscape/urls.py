from django.urls import path

from . import import_views, views

app_name = "landscape"

urlpatterns = [
    path("organisationer/", views.organisation_list, name="organisations"),
    path("organisationer/<str:code>/", views.organisation_detail, name="organisation"),
    path(
        "organisationer/<str:code>/verksamheter/ny/",
        views.activity_create,
        name="activity_create",
    ),
    path("organisationer/<str:code>/kontakter/ny/", views.contact_create, name="contact_create"),
    path("organisationer/<str:code>/import/", import_views.import_upload, name="import"),
    path(
        "organisationer/<str:code>/import/<int:job_id>/",
        import_views.import_status,
        name="import_status",
    ),
    path(
        "organisationer/<str:code>/import/<int:job_id>/kolumner/",
        import_views.import_mapping,
        name="import_mapping",
    ),
    path(
        "organisationer/<str:code>/import/<int:job_id>/andra-kolumner/",
        import_views.import_remap,
        name="import_remap",
    ),
    path(
        "organisationer/<str:code>/import/<int:job_id>/bekrafta/",
        import_views.import_confirm,
        name="import_confirm",
    ),
    path(
        "organisationer/<str:code>/import/<int:job_id>/igen/",
        import_views.import_retry,
        name="import_retry",
    ),
    path(
        "organisationer/<str:code>/import/<int:job_id>/avbryt/",
        import_views.import_cancel,
        name="import_cancel",
    ),
    path(
        "organisationer/<str:code>/export.<str:fmt>",
        import_views.export_activities,
        name="export",
    ),
    path("organisationer/<str:code>/logg/", views.audit_log, name="audit_log"),
    path("organisationer/<str:code>/webbplats/", views.website_edit, name="website_edit"),
    path(
        "organisationer/<str:code>/webbplats/bekrafta/",
        views.website_confirm,
        name="website_confirm",
    ),
    path("verksamheter/", views.activity_list, name="activities"),
    path("verksamheter/<int:pk>/", views.activity_detail, name="activity"),
    path("verksamheter/<int:pk>/andra/", views.activity_edit, name="activity_edit"),
    path("verksamheter/<int:pk>/ta-bort/", views.activity_delete, name="activity_delete"),
    path("verksamheter/<int:pk>/samverkan/", views.arrangement_edit, name="arrangement_edit"),
    path("kontakter/<int:pk>/andra/", views.contact_edit, name="contact_edit"),
    path("kontakter/<int:pk>/ta-bort/", views.contact_delete, name="contact_delete"),
    path("mall.<str:fmt>", import_views.template_download, name="template"),
]
