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


class Task(models.Model):
    """A background job in the shared queue: any app process can read its state and progress.

    The web process enqueues a row; a thread of that process (the default) or a
    ``mellanrum worker`` process claims it, runs it and writes heartbeat and progress to it.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    name = models.CharField(max_length=100)
    args = models.JSONField(default=list, blank=True)
    # What the task works on, e.g. "importjob:12", so its page can find it.
    ref = models.CharField(max_length=100, blank=True, db_index=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # "host boot-id pid" of the process that runs it.
    worker = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "id"], name="core_task_status_id")]
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")

    def __str__(self) -> str:
        return f"{self.name} {self.args} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}


class LoginFailure(models.Model):
    """One failed log-in for a user name (hashed), kept for the throttling window.

    In the database rather than a cache, so that every app process and machine counts the same
    failures: with a per-process cache, N processes would allow N times the guesses.
    """

    name_hash = models.CharField(max_length=64)
    at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["name_hash", "at"], name="core_loginfailure_name_at")]

    def __str__(self) -> str:
        return f"{self.name_hash[:12]}… at {self.at:%Y-%m-%d %H:%M}"
