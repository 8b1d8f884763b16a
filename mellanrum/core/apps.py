from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    default = True  # apps.py also holds the admin's config
    name = "mellanrum.core"
    label = "core"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.core import checks

        from . import checks as core_checks
        from . import page_cache  # noqa: F401 - connects the data versions to every connection

        checks.register(core_checks.look_alike_user_names, checks.Tags.database)


class MellanrumAdminConfig(admin_apps.AdminConfig):
    """The admin, with the throttled log-in page (mellanrum.core.admin_site)."""

    default = False
    default_site = "mellanrum.core.admin_site.MellanrumAdminSite"
