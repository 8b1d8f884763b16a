from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who logs in. Each user belongs to one organisation, with a role in it.

    What each role may do is decided in ``core/access.py``, never here.
    """

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


class AuditEntry(models.Model):
    """Who changed what, kept for every write made through actions."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation = models.ForeignKey(
        "landscape.Organisation", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=300, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        # The table kept its name when the audit log moved here from landscape.
        db_table = "landscape_auditentry"
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"
