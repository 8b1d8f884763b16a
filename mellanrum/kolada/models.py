from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class KoladaValue(models.Model):
    """One value as Kolada publishes it (Källa: Kolada), never changed by Mellanrum."""

    class Gender(models.TextChoices):
        TOTAL = "T", _("Total")
        WOMEN = "K", _("Women")
        MEN = "M", _("Men")

    kpi_id = models.CharField(_("KPI"), max_length=16)
    # Kolada's code: SCB's four digits for municipalities, Kolada's "00NN" for regions.
    municipality_code = models.CharField(_("municipality or region"), max_length=8)
    year = models.PositiveSmallIntegerField(_("year"))
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    value = models.FloatField(_("value"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=40, blank=True)
    # Empty for a value fetched from Kolada's API. The demo stores real values from the files
    # Mellanrum ships (SCB population, Skatteverket tax rates) under a KPI id, and names their
    # source here so that they are never attributed to Kolada; a sync replaces them.
    source = models.CharField(_("source, when not fetched from Kolada"), max_length=200,
                              blank=True)
    # When Mellanrum first stored this value or last saw Kolada change it.
    changed_at = models.DateTimeField(_("changed"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kpi_id", "municipality_code", "year", "gender"],
                name="kolada_value_unique",
            )
        ]
        indexes = [models.Index(fields=["kpi_id", "year"], name="kolada_value_kpi_year")]
        ordering = ["kpi_id", "year", "municipality_code", "gender"]
        verbose_name = _("Kolada value")
        verbose_name_plural = _("Kolada values")

    def __str__(self) -> str:
        return f"{self.kpi_id} {self.municipality_code} {self.year} {self.gender}: {self.value}"

    @property
    def attribution(self) -> str:
        return f"Källa: {self.source}" if self.source else "Källa: Kolada"


class KoladaSync(models.Model):
    """A sync: what was asked for and what changed. A failed sync stores no values; the
    superusers' background syncs keep their row to show what went wrong."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    status = models.CharField(_("status"), max_length=16, choices=Status.choices,
                              default=Status.DONE)
    message = models.TextField(_("message"), blank=True)
    pages = models.PositiveIntegerField(_("pages read"), default=0)
    values_read = models.PositiveIntegerField(_("values read"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    kpis = models.JSONField(_("KPIs"), default=list)
    years = models.JSONField(_("years"), default=list)
    municipalities = models.JSONField(_("municipalities"), default=list, blank=True)
    created = models.PositiveIntegerField(_("new values"), default=0)
    updated = models.PositiveIntegerField(_("changed values"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged values"), default=0)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("started by"),
    )

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("Kolada sync")
        verbose_name_plural = _("Kolada syncs")

    def __str__(self) -> str:
        return f"{', '.join(self.kpis)} {self.years} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}


class ConceptKpi(models.Model):
    """A person's confirmation that a Kolada KPI measures a commonality concept. Keyed by the
    concept's stable id, so the link survives new analysis runs."""

    concept_id = models.CharField(_("concept id"), max_length=100)
    kpi_id = models.CharField(_("KPI"), max_length=16)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("confirmed by"),
    )
    created_at = models.DateTimeField(_("confirmed"), auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["concept_id", "kpi_id"], name="kolada_concept_kpi")
        ]
        ordering = ["kpi_id"]
        verbose_name = _("concept's KPI")
        verbose_name_plural = _("concepts' KPIs")

    def __str__(self) -> str:
        return f"{self.concept_id} ↔ {self.kpi_id}"
