"""Networks of practice across organisations and their events (seminars, network meetings).

Counterparts are not stored: they are read from the latest commonality analysis
(see ``analysis.py``).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Network(models.Model):
    """A network of practice (nätverk): people and organisations doing the same thing."""

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public: everyone sees the network and its events")
        MEMBERS = "members", _("Members only: only members see the network and its events")

    title = models.CharField(_("topic"), max_length=200)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    visibility = models.CharField(_("visibility"), max_length=16, choices=Visibility.choices,
                                  default=Visibility.PUBLIC)
    organisations = models.ManyToManyField("landscape.Organisation", blank=True,
                                           related_name="networks",
                                           verbose_name=_("member organisations"))
    initiatives = models.ManyToManyField("collaborations.Initiative", blank=True,
                                         related_name="networks",
                                         verbose_name=_("collaboration initiatives"))
    is_illustrative = models.BooleanField(_("illustrative"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["title", "pk"]
        verbose_name = _("network of practice")
        verbose_name_plural = _("networks of practice")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("community:network", args=[self.pk])

    @property
    def is_public(self) -> bool:
        return self.visibility == self.Visibility.PUBLIC


class NetworkMember(models.Model):
    class Role(models.TextChoices):
        COORDINATOR = "coordinator", _("Coordinator")
        MEMBER = "member", _("Member")

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="network_memberships", verbose_name=_("person"))
    role = models.CharField(_("role"), max_length=16, choices=Role.choices,
                            default=Role.MEMBER)
    joined_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        ordering = ["role", "user__last_name", "user__first_name", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["network", "user"], name="unique_network_member"),
        ]
        verbose_name = _("network member")
        verbose_name_plural = _("network members")

    def __str__(self) -> str:
        return f"{self.user} ({self.role})"


class NetworkConcept(models.Model):
    """A commonality concept the network works on, kept by engine id and label because
    concept rows are replaced by every analysis run."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE,
                                related_name="concept_links")
    concept_id = models.CharField(_("concept id"), max_length=100)
    label = models.CharField(_("label"), max_length=200)

    class Meta:
        verbose_name = _("network concept")
        verbose_name_plural = _("network concepts")
        ordering = ["label"]
        constraints = [
            models.UniqueConstraint(fields=["network", "concept_id"],
                                    name="unique_network_concept"),
        ]

    def __str__(self) -> str:
        return self.label


class Event(models.Model):
    """A seminar or network meeting (seminarium, nätverksträff)."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=300, blank=True,
                             help_text=_("Address or room; leave empty for a digital event."))
    is_digital = models.BooleanField(_("digital"), default=False)
    online_url = models.URLField(_("link to the digital meeting"), max_length=500, blank=True,
                                 help_text=_("Shown only to registered participants."))
    organiser = models.ForeignKey("landscape.Organisation", on_delete=models.CASCADE,
                                  related_name="organised_events",
                                  verbose_name=_("organiser"))
    network = models.ForeignKey(Network, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="events", verbose_name=_("network"))
    capacity = models.PositiveIntegerField(_("places"), null=True, blank=True,
                                           help_text=_("Leave empty for no limit."))
    registration_deadline = models.DateTimeField(
        _("last day to register"), null=True, blank=True,
        help_text=_("Leave empty to allow registration until the event starts."))
    # Kept in step with the registrations by the actions, so that a conditional UPDATE can
    # refuse the registration that would exceed the capacity, also under concurrency.
    registered_count = models.PositiveIntegerField(default=0, editable=False)
    is_illustrative = models.BooleanField(_("illustrative"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("community:event", args=[self.pk])

    @property
    def deadline(self) -> datetime.datetime:
        return self.registration_deadline or self.starts_at

    @property
    def is_past(self) -> bool:
        return self.ends_at < timezone.now()

    @property
    def is_open(self) -> bool:
        return timezone.now() <= self.deadline

    @property
    def places_left(self) -> int | None:
        if self.capacity is None:
            return None
        return max(0, self.capacity - self.registered_count)

    @property
    def is_full(self) -> bool:
        return self.capacity is not None and self.registered_count >= self.capacity


class Registration(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="event_registrations", verbose_name=_("person"))
    registered_at = models.DateTimeField(_("registered"), auto_now_add=True)

    class Meta:
        ordering = ["registered_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="one_registration_per_user"),
        ]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")

    def __str__(self) -> str:
        return f"{self.user} → {self.event}"
