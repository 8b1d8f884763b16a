from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommonalityConfig(AppConfig):
    name = "mellanrum.commonality"
    label = "commonality"
    verbose_name = _("Common ground")
