from __future__ import annotations

import unicodedata
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


def normalise_username(username: str) -> str:
    """The identity a user name stands for: NFKC (so a fullwidth ``ｈ`` is ``h``) and
    case-folded (so ``Alice`` and ``ALICE`` are ``alice``), without surrounding spaces.

    Two user names with the same normalised form are the same person's: they log in to the
    same account and share one budget of failed log-ins (docs/security.md).
    """
    return unicodedata.normalize("NFKC", username).casefold().strip()[:150]


class NormalisingUserManager(UserManager["User"]):
    """Finds users by their normalised name, so every door that looks a user up by name
    (log-in, HTTP Basic, ``createsuperuser``) treats look-alike names as the same account."""

    def get_by_natural_key(self, username: str | None) -> User:
        try:
            # Exactly the name first: a user left without a key by migration 0006 (its name
            # collided with an older user's) still logs in with exactly its own name.
            return self.get(username=username)
        except self.model.DoesNotExist:
            return self.get(username_key=normalise_username(username or ""))


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
    # normalise_username(username), kept in step by save(): unique, so two look-alike names
    # can never be two accounts. NULL (not "", which would collide) only for the names that
    # collided with an older user's before this existed (migration 0006).
    username_key = models.CharField(  # noqa: DJ001
        max_length=150, unique=True, null=True, editable=False)

    objects = NormalisingUserManager()  # type: ignore[misc]

    def clean(self) -> None:
        super().clean()
        key = normalise_username(self.username or "")
        if key and User.objects.filter(username_key=key).exclude(pk=self.pk).exists():
            raise ValidationError({"username": _(
                "A user with this name, or one that only differs in case or look-alike "
                "characters, already exists."
            )})

    def save(self, *args: Any, **kwargs: Any) -> None:
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "username" in update_fields:
            self.username_key = normalise_username(self.username or "") or None
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "username_key"}
        super().save(*args, **kwargs)


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
    ``mellanrum.core.login`` also writes a row just before it checks a password and removes it
    when the attempt turns out not to be a failure, so parallel attempts see each other.
    """

    name_hash = models.CharField(max_length=64)
    at = models.DateTimeField(db_index=True)
    # The client address (an IPv6 address as its /64 network), see login.client_address.
    address = models.CharField(max_length=64, blank=True, default="")
    # Which door the password came through: "form", "admin" or "api".
    door = models.CharField(max_length=16, blank=True, default="")

    class Meta:
        verbose_name = _("failed log-in")
        verbose_name_plural = _("failed log-ins")
        indexes = [
            models.Index(fields=["name_hash", "at"], name="core_loginfailure_name_at"),
            models.Index(fields=["address", "at"], name="core_loginfailure_addr_at"),
        ]

    def __str__(self) -> str:
        return f"{self.name_hash[:12]}… at {self.at:%Y-%m-%d %H:%M}"


class LoginSuccess(models.Model):
    """The last successful log-in of a user name (hashed) from a client address: a user who
    has logged in from an address recently is not slowed down by failures from elsewhere."""

    name_hash = models.CharField(max_length=64)
    address = models.CharField(max_length=64)
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("successful log-in")
        verbose_name_plural = _("successful log-ins")
        constraints = [models.UniqueConstraint(fields=["name_hash", "address"],
                                               name="core_loginsuccess_name_address")]

    def __str__(self) -> str:
        return f"{self.name_hash[:12]}… from {self.address} at {self.at:%Y-%m-%d %H:%M}"
class ApiToken(models.Model):
    """A personal key for the JSON API (``Authorization: Bearer <key>``), so scripts need not
    send a password, and each call costs a hash lookup instead of a password hash. Only the
    key's SHA-256 is kept: the key itself is shown once, when it is made."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="api_tokens", verbose_name=_("user"))
    name = models.CharField(_("name"), max_length=100)
    # The key's first characters, so its owner can tell keys apart.
    prefix = models.CharField(max_length=16)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


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
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log entries")
        # The table kept its name when the audit log moved here from landscape.
        db_table = "landscape_auditentry"
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"


class DataVersion(models.Model):
    """A counter per database table, bumped after every committed write of it (and ``*``,
    a random number renewed when anything may have changed): the shared page cache
    (``core/page_cache.py``) keys each page by the counters of the tables it read."""

    name = models.CharField(max_length=100, primary_key=True)
    version = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("data version")
        verbose_name_plural = _("data versions")

    def __str__(self) -> str:
        return f"{self.name}: {self.version}"
