"""Collaboration health surveys: rounds per initiative, one-time invitation links and the
anonymous responses.

A response stores the partner organisation and the round, never the invitation it came
through: the invitation only knows that it has been used.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mellanrum.engines.health import CURRENT_VERSION, Instrument, get_instrument


class Round(models.Model):
    initiative = models.ForeignKey("collaborations.Initiative", on_delete=models.CASCADE,
                                   related_name="health_rounds")
    title = models.CharField(_("title"), max_length=200)
    instrument_version = models.CharField(_("instrument version"), max_length=20,
                                          default=CURRENT_VERSION)
    invitation_days = models.PositiveSmallIntegerField(
        _("days an invitation link is valid"), default=30,
    )
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    is_illustrative = models.BooleanField(_("illustrative"), default=False)

    class Meta:
        ordering = ["opened_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["initiative"], condition=models.Q(closed_at=None),
                                    name="one_open_health_round_per_initiative"),
            models.CheckConstraint(
                condition=models.Q(invitation_days__gte=1, invitation_days__lte=365),
                name="health_round_invitation_days_in_range",
            ),
        ]
        verbose_name = _("survey round")
        verbose_name_plural = _("survey rounds")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("health:round", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def instrument(self) -> Instrument:
        return get_instrument(self.instrument_version)

    def invitation_expiry(self, now: datetime.datetime | None = None) -> datetime.datetime:
        return (now or timezone.now()) + datetime.timedelta(days=self.invitation_days)


class Invitation(models.Model):
    """One personal link. Only the SHA-256 of its token is kept; the link is shown once."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="invitations")
    organisation = models.ForeignKey("landscape.Organisation", on_delete=models.CASCADE,
                                     related_name="+", verbose_name=_("organisation"))
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(_("expires"))
    is_used = models.BooleanField(_("used"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["pk"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.round} / {self.organisation}"


class Response(models.Model):
    """One anonymous response. No timestamp and no link to the invitation, by design."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="responses")
    organisation = models.ForeignKey("landscape.Organisation", on_delete=models.CASCADE,
                                     related_name="+", verbose_name=_("organisation"))
    instrument_version = models.CharField(max_length=20)
    comment = models.TextField(_("comment"), max_length=2000, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("response")
        verbose_name_plural = _("responses")

    def __str__(self) -> str:
        return f"{self.round} / {self.organisation}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    item = models.CharField(max_length=40)
    value = models.PositiveSmallIntegerField(null=True, blank=True)  # None is "vet ej"

    class Meta:
        verbose_name = _("answer to a statement")
        verbose_name_plural = _("answers to statements")
        constraints = [
            models.UniqueConstraint(fields=["response", "item"], name="one_answer_per_item"),
            models.CheckConstraint(
                condition=models.Q(value__isnull=True)
                | models.Q(value__gte=1, value__lte=5),
                name="health_answer_on_scale",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item}: {self.value}"
