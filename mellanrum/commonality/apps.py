from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


def _forget_similar(**_kwargs: Any) -> None:
    from .analysis import forget_similar

    forget_similar()


class CommonalityConfig(AppConfig):
    name = "mellanrum.commonality"
    label = "commonality"
    verbose_name = _("Common ground")

    def ready(self) -> None:
        # An organisation's figures or a finished run change who is alike: this process
        # forgets its remembered answers at once (others when they see the data versions change).
        for model in ("landscape.Organisation", "commonality.AnalysisRun"):
            post_save.connect(_forget_similar, sender=model,
                              dispatch_uid=f"forget-similar-save-{model}")
            post_delete.connect(_forget_similar, sender=model,
                                dispatch_uid=f"forget-similar-delete-{model}")
