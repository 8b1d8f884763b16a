from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class LifeEvent(models.Model):
    """A life event of a person or a business (livshändelse), with ordered steps."""

    class Audience(models.TextChoices):
        PERSON = "person", _("Person")
        BUSINESS = "business", _("Business")

    slug = models.SlugField(_("identifier"), max_length=80, unique=True)
    label_sv = models.CharField(_("name in Swedish"), max_length=200)
    label_en = models.CharField(_("name in English"), max_length=200, blank=True)
    audience = models.CharField(
        _("for"), max_length=16, choices=Audience.choices, default=Audience.PERSON
    )
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(_("description in English"), blank=True)
    synonyms = models.JSONField(
        _("everyday phrasings"), default=list, blank=True,
        help_text=_("Words people use for this life event, one per line."),
    )
    position = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["audience", "position", "label_sv"]
        verbose_name = _("life event")
        verbose_name_plural = _("life events")

    def __str__(self) -> str:
        return self.label_sv

    def get_absolute_url(self) -> str:
        return reverse("journeys:life_event", args=[self.slug])


class Step(models.Model):
    """One step of a life event: a need, who is responsible and what the person must give."""

    life_event = models.ForeignKey(
        LifeEvent, on_delete=models.CASCADE, related_name="steps", verbose_name=_("life event")
    )
    position = models.PositiveIntegerField(_("order"))
    need = models.CharField(_("need"), max_length=300)
    responsible = models.CharField(_("responsible"), max_length=32)
    provider = models.CharField(
        _("provider"), max_length=200, blank=True,
        help_text=_("Who serves the step when the responsible is another actor."),
    )
    activity_hints = models.JSONField(_("activity hints"), default=list, blank=True)
    data_items = models.JSONField(_("information asked for"), default=list, blank=True)
    lead_time_days = models.PositiveIntegerField(_("typical lead time (days)"), null=True,
                                                 blank=True)
    need_en = models.CharField(_("need in English"), max_length=300, blank=True)
    when = models.JSONField(
        _("applies when"), default=list, blank=True,
        help_text=_("Words that say when the step applies; empty when it always applies."),
    )
    waits_for = models.JSONField(
        _("waits for steps"), default=list, blank=True,
        help_text=_("Numbers of the earlier steps that must be done first."),
    )

    class Meta:
        ordering = ["life_event", "position"]
        constraints = [
            models.UniqueConstraint(fields=["life_event", "position"], name="unique_step_position")
        ]
        verbose_name = _("step")
        verbose_name_plural = _("steps")

    def __str__(self) -> str:
        return f"{self.position}. {self.need}"


class CatalogueSetting(models.Model):
    """Catalogue-wide data: the everyday synonym sets of the finder and who holds each item
    of information (one row)."""

    synonyms = models.JSONField(default=list, blank=True)
    information = models.JSONField(default=list, blank=True)
    # Set by every place import, so each process rebuilds its place index.
    places_loaded_at = models.DateTimeField(null=True, blank=True)
    source = models.TextField(blank=True)
    # Set when a person imports synonym sets or information holders; `mellanrum init`
    # refreshes them from the shipped catalogue only while it is empty.
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("catalogue settings")
        verbose_name_plural = _("catalogue settings")

    def __str__(self) -> str:
        return "catalogue"


class FinderUsage(models.Model):
    """Anonymous daily counts of finder searches; the text people typed is never stored."""

    day = models.DateField(unique=True)
    searches = models.PositiveIntegerField(default=0)
    with_results = models.PositiveIntegerField(default=0)
    without_results = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-day"]
        verbose_name = _("finder usage")
        verbose_name_plural = _("finder usage")

    def __str__(self) -> str:
        return f"{self.day}: {self.searches}"


class PlaceName(models.Model):
    """A postcode or locality an operator has loaded (`mellanrum places import`), with the
    municipality it lies in.  A name loaded with several municipalities spans them."""

    class Kind(models.TextChoices):
        POSTCODE = "postcode", _("Postcode")
        LOCALITY = "locality", _("Locality")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    municipality = models.ForeignKey(
        "landscape.Organisation", on_delete=models.CASCADE, related_name="+",
        verbose_name=_("municipality"),
    )
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "municipality"], name="unique_place_name")
        ]
        verbose_name = _("place name")
        verbose_name_plural = _("place names")

    def __str__(self) -> str:
        return self.name
