"""The workshop and the shared principles of an initiative.

A ``Tension`` is a person's judgement of how two partners' statements bear on each other
(partner against partner; statements against the shared goals are ``Alignment`` rows). The
shared principles (gemensamma principer) are a versioned document: a ``PrincipleVersion`` is
a draft until the facilitator publishes it, which freezes it; each partner approves a published
version (``PrincipleApproval``); a change after publishing is a new version.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["Principle", "PrincipleApproval", "PrincipleVersion", "Tension"]


class Tension(models.Model):
    """How one partner's statement bears on another partner's, as set by a person.

    The pair is stored once, with the lower statement id first."""

    class Stance(models.TextChoices):
        SUPPORTS = "supports", _("Supports")
        NEUTRAL = "neutral", _("Neutral")
        TENSION = "tension", _("Tension")
        CONFLICTS = "conflicts", _("Conflicts")

    initiative = models.ForeignKey("collaborations.Initiative", on_delete=models.CASCADE,
                                   related_name="tensions")
    first = models.ForeignKey("collaborations.Statement", on_delete=models.CASCADE,
                              related_name="+")
    second = models.ForeignKey("collaborations.Statement", on_delete=models.CASCADE,
                               related_name="+")
    stance = models.CharField(_("stance"), max_length=16, choices=Stance.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    set_at = models.DateTimeField(auto_now=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("tension between statements")
        verbose_name_plural = _("tensions between statements")
        ordering = ["first", "second"]
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="unique_tension_pair"),
            models.CheckConstraint(condition=models.Q(first__lt=models.F("second")),
                                   name="tension_pair_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.first_id} / {self.second_id}: {self.stance}"


class PrincipleVersion(models.Model):
    """One version of an initiative's shared principles."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    initiative = models.ForeignKey("collaborations.Initiative", on_delete=models.CASCADE,
                                   related_name="principle_versions")
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices,
                              default=Status.DRAFT)
    note = models.CharField(_("what changed"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    # Counts edits of a draft, so that two people editing it at once are told.
    revision = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("version of the shared principles")
        verbose_name_plural = _("versions of the shared principles")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["initiative", "number"],
                                    name="unique_principle_version"),
            models.UniqueConstraint(fields=["initiative"], condition=models.Q(status="draft"),
                                    name="one_principle_draft"),
        ]

    def __str__(self) -> str:
        return f"{self.initiative}: {self.number}"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    def text(self) -> str:
        """The principles as numbered lines, as compared between versions."""
        return "\n".join(f"{i}. {p.text}" for i, p in enumerate(self.principles.all(), 1))


class Principle(models.Model):
    """One shared principle of one version, citing the statements it answers."""

    version = models.ForeignKey(PrincipleVersion, on_delete=models.CASCADE,
                                related_name="principles")
    position = models.PositiveIntegerField(default=0)
    text = models.CharField(_("principle"), max_length=1000)
    statements = models.ManyToManyField("collaborations.Statement", blank=True,
                                        related_name="principles",
                                        verbose_name=_("statements it answers"))

    class Meta:
        verbose_name = _("shared principle")
        verbose_name_plural = _("shared principles")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text


class PrincipleApproval(models.Model):
    """A partner's approval of one published version (by an editor of that partner)."""

    version = models.ForeignKey(PrincipleVersion, on_delete=models.CASCADE,
                                related_name="approvals")
    organisation = models.ForeignKey("landscape.Organisation", on_delete=models.CASCADE,
                                     related_name="+", verbose_name=_("organisation"))
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("approved by"))
    approved_at = models.DateTimeField(_("approved at"), auto_now_add=True)

    class Meta:
        verbose_name = _("approval of the shared principles")
        verbose_name_plural = _("approvals of the shared principles")
        ordering = ["approved_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["version", "organisation"],
                                    name="one_approval_per_partner"),
        ]

    def __str__(self) -> str:
        return f"{self.version}: {self.organisation}"
