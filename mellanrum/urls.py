from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.views.i18n import set_language

from mellanrum.core import account_views
from mellanrum.core import views as core_views
from mellanrum.core.login import ThrottledLoginView

from .api import api

urlpatterns = [
    path("", core_views.home, name="home"),
    path("om/", core_views.about, name="about"),
    path("konto/logga-in/", ThrottledLoginView.as_view(), name="login"),
    path("konto/logga-ut/", auth_views.LogoutView.as_view(), name="logout"),
    path("konto/", account_views.account, name="account"),
    path("konto/losenord/", account_views.PasswordChangeView.as_view(), name="password_change"),
    re_path(r"^diagram/(?P<key>[0-9a-f]{64})\.svg$", core_views.chart, name="chart"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("", include("mellanrum.landscape.urls")),
    path("", include("mellanrum.benefits.urls")),
    path("", include("mellanrum.commonality.urls")),
    path("", include("mellanrum.journeys.urls")),
    path("", include("mellanrum.collaborations.urls")),
    path("", include("mellanrum.health.urls")),
    path("", include("mellanrum.community.urls")),
    path("", include("mellanrum.kolada.urls")),
]

handler403 = "mellanrum.core.views.permission_denied"
handler404 = "mellanrum.core.views.page_not_found"
handler500 = "mellanrum.core.views.server_error"
