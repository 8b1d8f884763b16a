from django.urls import path

from . import views

app_name = "health"

urlpatterns = [
    path("samverkan/<int:pk>/halsa/", views.initiative_health, name="initiative"),
    path("samverkan/<int:pk>/halsa/ny-omgang/", views.round_create, name="round_create"),
    path("halsa/omgang/<int:pk>/", views.round_detail, name="round"),
    path("halsa/omgang/<int:pk>/stang/", views.round_close, name="round_close"),
    path("halsa/omgang/<int:pk>/inbjudningar/", views.round_invitations, name="invitations"),
    path("halsa/omgang/<int:pk>/resultat.xlsx", views.round_export, name="round_export"),
    path("enkat/<str:token>/", views.survey, name="survey"),
]
