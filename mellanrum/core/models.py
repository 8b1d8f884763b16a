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
        ADMIN = "admin", _("Administrator")
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

    @property
    def is_editor(self) -> bool:
        """Editors and administrators may change their own organisation's data."""
        return self.role in {self.Role.EDITOR, self.Role.ADMIN}

    def can_edit(self, organisation: Organisation) -> bool:
        """Whether this user may change the given organisation's activities and contacts."""
        if not self.is_active:
            return False
        if self.is_superuser:
            return True
        return self.is_editor and self.organisation_id == organisation.pk

    def can_see_audit_log(self, organisation: Organisation) -> bool:
        """Superusers, and the organisation's own administrators, read its audit log."""
        if not self.is_active:
            return False
        if self.is_superuser:
            return True
        return self.role == self.Role.ADMIN and self.organisation_id == organisation.pk
