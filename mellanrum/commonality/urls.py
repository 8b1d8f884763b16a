from django.urls import path
from django.views.generic import RedirectView

app_name = "commonality"

urlpatterns = [
    path("gemensamt/", RedirectView.as_view(url="/verksamheter/"), name="overview"),
]
