"""Stored analyses: runs, the concepts they found, opportunities, and the human decisions and
synonyms that every rerun feeds back to the engine."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from mellanrum.landscape.models import Nature


class AnalysisRun(models.Model):
    """One run of the commonality analysis over a scope of organisations."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Stage(models.TextChoices):
        WAITING = "waiting", _("Waiting to start")
        LOADING = "loading", _("Loading activities")
        GROUPING = "grouping", _("Grouping activities into concepts")
        SAVING = "saving", _("Saving the concepts")
        FINISHED = "finished", _("Finished")

    scope_key = models.CharField(max_length=64, db_index=True)
    scope = models.JSONField(default=dict, blank=True)
    scope_label = models.CharField(_("scope"), max_length=300)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("started by"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    stage = models.CharField(max_length=16, choices=Stage.choices, default=Stage.WAITING)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    message = models.TextField(blank=True)
    activity_count = models.PositiveIntegerField(default=0)
    organisation_count = models.PositiveIntegerField(default=0)
    concept_count = models.PositiveIntegerField(default=0)
    shared_concept_count = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("analysis run")
        verbose_name_plural = _("analysis runs")

    def __str__(self) -> str:
        return f"{self.scope_label} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}

    @property
    def scope_title(self) -> str:
        """The scope in the reader's language (the stored label is in the starter's)."""
        if self.scope_key == "all":
            return str(_("all organisations"))
        return self.scope_label


class Concept(models.Model):
    """A concept of the latest finished run of a scope: the same thing in many organisations."""

    run = models.ForeignKey(AnalysisRun, on_delete=models.CASCADE, related_name="concepts")
    scope_key = models.CharField(max_length=64, db_index=True)
    concept_id = models.CharField(_("concept id"), max_length=100)
    label = models.CharField(_("label"), max_length=200)
    pinned = models.BooleanField(_("confirmed by a person"), default=False)
    position = models.PositiveIntegerField(default=0)
    organisations = models.PositiveIntegerField(_("organisations"), default=0)
    total_cost_sek = models.FloatField(_("total annual cost (SEK)"), default=0)
    total_volume = models.FloatField(_("cases per year"), default=0)
    stats = models.JSONField(default=dict, blank=True)
    systems = models.JSONField(default=dict, blank=True)
    terms = models.JSONField(default=list, blank=True)
    # The members' most common nature (landscape.Nature) and KLASSA area (e.g. "3.5").
    nature = models.CharField(_("nature"), max_length=20, blank=True, choices=Nature.choices)
    area = models.CharField(_("KLASSA area"), max_length=16, blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["run", "concept_id"], name="unique_concept_in_run")
        ]
        verbose_name = _("concept")
        verbose_name_plural = _("concepts")

    def __str__(self) -> str:
        return self.label

    def get_absolute_url(self) -> str:
        return reverse("commonality:concept", args=[self.concept_id])

    def distribution(self, name: str) -> dict[str, Any] | None:
        value = self.stats.get(name)
        return value if isinstance(value, dict) else None


class Membership(models.Model):
    concept = models.ForeignKey(Concept, on_delete=models.CASCADE, related_name="memberships")
    activity = models.ForeignKey(
        "landscape.Activity", on_delete=models.CASCADE, related_name="concept_memberships"
    )
    confidence = models.FloatField(_("confidence"))
    evidence = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["activity__organisation__name", "activity__name"]
        verbose_name = _("concept member")
        verbose_name_plural = _("concept members")

    def __str__(self) -> str:
        return f"{self.concept} ∋ {self.activity}"


class Opportunity(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        PARTLY_JOINT = "partly_joint", _("Partly joint")
        ALREADY_JOINT = "already_joint", _("Already joint")

    concept = models.OneToOneField(
        Concept, on_delete=models.CASCADE, related_name="opportunity"
    )
    rank = models.PositiveIntegerField(_("rank"))
    score = models.FloatField(_("score"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices,
                              default=Status.OPEN, db_index=True)
    # Codes of the organisations doing it, and of those not in a joint arrangement for it.
    organisation_codes = models.JSONField(default=list, blank=True)
    outside = models.JSONField(default=list, blank=True)
    components = models.JSONField(default=dict, blank=True)
    figures = models.JSONField(default=dict, blank=True)
    explanation_sv = models.TextField(blank=True)
    explanation_en = models.TextField(blank=True)

    class Meta:
        ordering = ["rank"]
        verbose_name = _("collaboration opportunity")
        verbose_name_plural = _("collaboration opportunities")

    def __str__(self) -> str:
        return f"{self.rank}. {self.concept}"

    def explanation(self, language: str) -> str:
        return self.explanation_en if language == "en" else self.explanation_sv


class Decision(models.Model):
    """A person's decision about a concept; applied, in order, on every rerun."""

    class Kind(models.TextChoices):
        CONFIRM = "confirm", _("Confirmed")
        RENAME = "rename", _("Renamed")
        INCLUDE = "include", _("Moved an activity in")
        EXCLUDE = "exclude", _("Moved an activity out")
        MERGE = "merge", _("Merged concepts")
        SPLIT = "split", _("Split off a new concept")
        NOT_SAME = "not_same", _("Said not the same as another concept")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    concept_id = models.CharField(_("concept id"), max_length=100, db_index=True)
    members = models.JSONField(default=list, blank=True)
    activity_ids = models.JSONField(default=list, blank=True)
    other_concept_ids = models.JSONField(default=list, blank=True)
    label = models.CharField(_("label"), max_length=200, blank=True)
    new_concept_id = models.CharField(max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("by"),
    )
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.concept_id}"


class SynonymSet(models.Model):
    """Terms users say mean the same thing, added to the shipped thesaurus."""

    terms = models.JSONField(_("terms"), default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("by"),
    )
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("synonym set")
        verbose_name_plural = _("synonym sets")

    def __str__(self) -> str:
        return ", ".join(self.terms)


class Candidate(models.Model):
    """A concept of the same run that may be the same thing ("kanske samma som"), with the
    evidence; computed by the engine at the end of each run."""

    concept = models.ForeignKey(Concept, on_delete=models.CASCADE, related_name="candidates")
    other = models.ForeignKey(Concept, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)
    score = models.FloatField(_("score"))
    similarity = models.FloatField(_("name similarity"))
    shared_terms = models.JSONField(default=list, blank=True)
    organisations = models.PositiveIntegerField(default=0)
    other_organisations = models.PositiveIntegerField(default=0)
    both = models.PositiveIntegerField(_("organisations doing both"), default=0)
    reason_sv = models.TextField(blank=True)
    reason_en = models.TextField(blank=True)

    class Meta:
        ordering = ["concept", "position"]
        verbose_name = _("candidate concept")
        verbose_name_plural = _("candidate concepts")

    def __str__(self) -> str:
        return f"{self.concept} ~ {self.other}"

    def reason(self, language: str) -> str:
        return self.reason_en if language == "en" else self.reason_sv


class LearnedRule(models.Model):
    """A pair of names learned from a person's decision: the same thing (a synonym pair fed to
    the analyser) or different things (a must-not-link pair). Deleting the decision's rule
    stops it from being used; the decision itself stays."""

    class Kind(models.TextChoices):
        SYNONYM = "synonym", _("Same thing")
        APART = "apart", _("Not the same")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    term_a = models.CharField(_("name"), max_length=200)
    term_b = models.CharField(_("name"), max_length=200)
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE,
                                 related_name="learned_rules", verbose_name=_("decision"))
    concept_label = models.CharField(_("concept"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("learned rule")
        verbose_name_plural = _("learned rules")

    def __str__(self) -> str:
        sign = "=" if self.kind == self.Kind.SYNONYM else "≠"
        return f"{self.term_a} {sign} {self.term_b}"
