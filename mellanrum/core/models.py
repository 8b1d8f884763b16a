from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from mellanrum.landscape.models import Organisation


class User(AbstractUser):
    """A person who logs in. Each user belongs to one organisation, as editor or reader."""

    class Role(models.TextChoices):
        EDITOR = "editor", _("Editor")
        READER = "reader", _("Reader")

    organisation = models.ForeignKey(
        "landscape.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.READER)

    def can_edit(self, organisation: Organisation) -> bool:
        """Whether this user may change the given organisation's activities and contacts."""
        if not self.is_active:
            return False
        if self.is_superuser:
            return True
        return self.role == self.Role.EDITOR and self.organisation_id == organisation.pk
