from django.urls import path

from . import views

app_name = "benefits"

urlpatterns = [
    path("kostnadsfordelning/", views.calculator, name="calculator"),
    path("kostnadsfordelning/spel/", views.calculator_upload, name="calculator_upload"),
]
