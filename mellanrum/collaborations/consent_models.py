"""Consent and decisions in an initiative: proposals the partners answer (as in Loomio), each
partner's formal decision with its protocol extract, and measured values of the shared goals.

The invitation itself is a state of ``Partner`` (``models.py``): invited, accepted, declined.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Proposal(models.Model):
    """A proposal the partners answer until its deadline (or until the initiative's runner
    closes it); its outcome then goes into the decision log."""

    class Outcome(models.TextChoices):
        ADOPTED = "adopted", _("Adopted")
        NOT_ADOPTED = "not_adopted", _("Not adopted")
        BLOCKED = "blocked", _("Blocked")

    initiative = models.ForeignKey("collaborations.Initiative", on_delete=models.CASCADE,
                                   related_name="proposals")
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("proposal"), max_length=5000)
    deadline = models.DateField(_("deadline"),
                                help_text=_("Answers are taken until the end of this day."))
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices,
                               blank=True)
    decision = models.OneToOneField("collaborations.DecisionEntry", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="proposal")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")

    def __str__(self) -> str:
        return self.title

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    @property
    def is_due(self) -> bool:
        """Open, but its deadline has passed: closed by the next one who looks."""
        return not self.is_closed and self.deadline < timezone.localdate()


class ProposalAnswer(models.Model):
    """One partner's answer to a proposal, given by one of its editors; changeable until the
    proposal closes."""

    class Position(models.TextChoices):
        AGREE = "agree", _("Agree")
        ABSTAIN = "abstain", _("Abstain")
        DISAGREE = "disagree", _("Disagree")
        BLOCK = "block", _("Block")

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="answers")
    organisation = models.ForeignKey("landscape.Organisation", on_delete=models.CASCADE,
                                     related_name="+", verbose_name=_("organisation"))
    position = models.CharField(_("answer"), max_length=16, choices=Position.choices)
    reason = models.TextField(_("reason"), max_length=2000, blank=True)
    answered_at = models.DateTimeField(_("answered at"), auto_now=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "organisation"],
                                    name="one_answer_per_partner"),
        ]
        verbose_name = _("answer to a proposal")
        verbose_name_plural = _("answers to proposals")

    def __str__(self) -> str:
        return f"{self.organisation}: {self.position}"


def protocol_path(instance: FormalDecision, filename: str) -> str:
    """A random name: the uploader's file name is kept only as text, never as a path."""
    return f"protocols/{secrets.token_hex(16)}.pdf"


class FormalDecision(models.Model):
    """A partner's formal decision to take part (KS Nacka 2026-11-12 § 214), with the protocol
    extract as a PDF served only to those who may see the initiative."""

    class Body(models.TextChoices):
        EXECUTIVE = "kommunstyrelse", _("Municipal executive board (kommunstyrelse)")
        COMMITTEE = "namnd", _("Committee (nämnd)")
        COUNCIL = "fullmaktige", _("Council (fullmäktige)")
        FEDERATION = "forbundsstyrelse", _("Federation board (förbundsstyrelse)")
        REGION = "regionstyrelse", _("Regional executive board (regionstyrelse)")

    initiative = models.ForeignKey("collaborations.Initiative", on_delete=models.CASCADE,
                                   related_name="formal_decisions")
    organisation = models.ForeignKey("landscape.Organisation", on_delete=models.CASCADE,
                                     related_name="+", verbose_name=_("organisation"))
    body = models.CharField(_("decision-making body"), max_length=20, choices=Body.choices)
    body_name = models.CharField(_("name of the body"), max_length=200, blank=True,
                                 help_text=_("For example “Socialnämnden”."))
    date = models.DateField(_("date of the decision"))
    paragraph = models.CharField(_("paragraph"), max_length=40,
                                 help_text=_("As in the protocol, for example “§ 214”."))
    summary = models.CharField(_("what was decided"), max_length=500, blank=True)
    protocol = models.FileField(_("protocol extract (PDF)"), upload_to=protocol_path,
                                max_length=200, blank=True)
    protocol_name = models.CharField(max_length=200, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["organisation__name", "-date", "-pk"]
        verbose_name = _("formal decision")
        verbose_name_plural = _("formal decisions")

    def __str__(self) -> str:
        return f"{self.organisation} {self.date} {self.paragraph}"


class GoalTracking(models.Model):
    """How a shared goal's indicator is followed up: per partner or for the whole initiative,
    since when (the baseline's date), and optionally which Kolada KPI fills it in."""

    goal = models.OneToOneField("collaborations.Goal", on_delete=models.CASCADE,
                                related_name="tracking")
    per_partner = models.BooleanField(
        _("measured per partner"), default=False,
        help_text=_("Each partner has its own value of the indicator."))
    baseline_date = models.DateField(_("date of the baseline"), null=True, blank=True)
    kolada_kpi = models.CharField(
        _("Kolada KPI"), max_length=16, blank=True,
        help_text=_("For example N00945. The partner municipalities' stored Kolada values "
                    "fill in the measured values."))
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("follow-up of a goal")
        verbose_name_plural = _("follow-ups of goals")

    def __str__(self) -> str:
        return str(self.goal)


class Measurement(models.Model):
    """One measured value of a goal's indicator at the end of a period, for the whole
    initiative (no organisation) or for one partner."""

    goal = models.ForeignKey("collaborations.Goal", on_delete=models.CASCADE,
                             related_name="measurements")
    organisation = models.ForeignKey("landscape.Organisation", null=True, blank=True,
                                     on_delete=models.CASCADE, related_name="+",
                                     verbose_name=_("partner"))
    period_end = models.DateField(_("end of the period"))
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=4)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_at = models.DateTimeField(auto_now=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["period_end", "organisation__name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["goal", "organisation", "period_end"],
                                    name="one_value_per_goal_partner_period"),
            models.UniqueConstraint(fields=["goal", "period_end"],
                                    condition=models.Q(organisation__isnull=True),
                                    name="one_joint_value_per_goal_period"),
        ]
        verbose_name = _("measured value")
        verbose_name_plural = _("measured values")

    def __str__(self) -> str:
        return f"{self.goal} {self.period_end}: {self.value}"
