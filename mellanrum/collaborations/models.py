"""Collaboration initiatives (samverkansinitiativ): the shared goal picture, the partners and
their own statements, the steering group, the decision log and the risks."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

ONE_TO_FIVE = [MinValueValidator(1), MaxValueValidator(5)]


class Initiative(models.Model):
    class Phase(models.TextChoices):
        IDEA = "idea", _("Idea")
        PRESTUDY = "prestudy", _("Pre-study")
        IMPLEMENTATION = "implementation", _("Implementation")
        MANAGEMENT = "management", _("Management")
        CLOSED = "closed", _("Closed")

    title = models.CharField(_("title"), max_length=200)
    purpose = models.TextField(_("purpose"), max_length=5000)
    is_public = models.BooleanField(
        _("visible to all logged-in users"), default=False,
        help_text=_("Every logged-in user can read the initiative, not only its partners. "
                    "Visitors who are not logged in never see initiatives."),
    )
    phase = models.CharField(_("phase"), max_length=16, choices=Phase.choices,
                             default=Phase.IDEA)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    citizen_value = models.PositiveSmallIntegerField(_("citizen value"), default=3,
                                                     validators=ONE_TO_FIVE)
    savings = models.PositiveSmallIntegerField(_("savings"), default=3, validators=ONE_TO_FIVE)
    feasibility = models.PositiveSmallIntegerField(_("feasibility"), default=3,
                                                   validators=ONE_TO_FIVE)
    reach = models.PositiveSmallIntegerField(_("reach"), default=3, validators=ONE_TO_FIVE)
    risk_level = models.PositiveSmallIntegerField(_("risk"), default=3, validators=ONE_TO_FIVE)
    steps = models.ManyToManyField("journeys.Step", blank=True, related_name="initiatives",
                                   verbose_name=_("life-event steps"))
    activities = models.ManyToManyField("landscape.Activity", blank=True,
                                        related_name="initiatives",
                                        verbose_name=_("activities"))
    is_illustrative = models.BooleanField(_("illustrative"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["title", "pk"]
        verbose_name = _("collaboration initiative")
        verbose_name_plural = _("collaboration initiatives")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("collaborations:initiative", args=[self.pk])

    @property
    def lead(self) -> Partner | None:
        return next((p for p in self.partners.all() if p.role == Partner.Role.LEAD), None)


class PhaseChange(models.Model):
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE,
                                   related_name="phase_changes")
    phase = models.CharField(_("phase"), max_length=16, choices=Initiative.Phase.choices)
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("changed by"))

    class Meta:
        verbose_name = _("phase change")
        verbose_name_plural = _("phase changes")
        ordering = ["changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.initiative}: {self.phase}"


class Goal(models.Model):
    """One shared goal of the goal picture (målbild)."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="goals")
    title = models.CharField(_("goal"), max_length=300)
    indicator = models.CharField(_("indicator"), max_length=300)
    baseline = models.CharField(_("baseline"), max_length=100, blank=True)
    target = models.CharField(_("target"), max_length=100)
    target_date = models.DateField(_("target date"))
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["target_date", "pk"]
        verbose_name = _("shared goal")
        verbose_name_plural = _("shared goals")

    def __str__(self) -> str:
        return self.title


class Partner(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", _("Lead")
        PARTNER = "partner", _("Partner")
        OBSERVER = "observer", _("Observer")

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE,
                                   related_name="partners")
    organisation = models.ForeignKey("landscape.Organisation", on_delete=models.CASCADE,
                                     related_name="initiative_partnerships",
                                     verbose_name=_("organisation"))
    role = models.CharField(_("role"), max_length=16, choices=Role.choices,
                            default=Role.PARTNER)
    contact = models.ForeignKey("landscape.Contact", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+",
                                verbose_name=_("contact person"))

    class Meta:
        ordering = ["role", "organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["initiative", "organisation"],
                                    name="unique_initiative_partner"),
            models.UniqueConstraint(fields=["initiative"], condition=models.Q(role="lead"),
                                    name="one_lead_per_initiative"),
        ]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")

    def __str__(self) -> str:
        return f"{self.organisation} ({self.role})"


class SteeringMember(models.Model):
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE,
                                   related_name="steering_members")
    name = models.CharField(_("name"), max_length=200)
    organisation = models.ForeignKey("landscape.Organisation", on_delete=models.CASCADE,
                                     related_name="+", verbose_name=_("organisation"))
    role = models.CharField(_("role"), max_length=200, blank=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("steering group member")
        verbose_name_plural = _("steering group members")

    def __str__(self) -> str:
        return self.name


class DecisionEntry(models.Model):
    """One line of the decision log. Entries are kept; corrections are edits recorded with
their old text in the audit log."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE,
                                   related_name="decisions")
    date = models.DateField(_("date"))
    decision = models.TextField(_("decision"), max_length=2000)
    decided_by = models.CharField(_("decided by"), max_length=200)
    rationale = models.TextField(_("rationale"), max_length=2000, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return f"{self.date}: {self.decision[:60]}"


class Risk(models.Model):
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="risks")
    description = models.CharField(_("description"), max_length=500)
    likelihood = models.PositiveSmallIntegerField(_("likelihood"), validators=ONE_TO_FIVE)
    impact = models.PositiveSmallIntegerField(_("impact"), validators=ONE_TO_FIVE)
    owner = models.CharField(_("owner"), max_length=200, blank=True)
    mitigation = models.TextField(_("mitigation"), max_length=2000, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("risk")
        verbose_name_plural = _("risks")

    def __str__(self) -> str:
        return self.description

    @property
    def score(self) -> int:
        return self.likelihood * self.impact


class ConceptLink(models.Model):
    """A commonality concept the initiative addresses, kept by engine id and label because
    concept rows are replaced by every analysis run."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE,
                                   related_name="concept_links")
    concept_id = models.CharField(_("concept id"), max_length=100)
    label = models.CharField(_("label"), max_length=200)

    class Meta:
        verbose_name = _("linked concept")
        verbose_name_plural = _("linked concepts")
        ordering = ["label"]
        constraints = [
            models.UniqueConstraint(fields=["initiative", "concept_id"],
                                    name="unique_initiative_concept"),
        ]

    def __str__(self) -> str:
        return self.label


class Statement(models.Model):
    """A partner's own goal, principle, constraint or budget rule bearing on the initiative."""

    class Kind(models.TextChoices):
        GOAL = "goal", _("Own goal")
        PRINCIPLE = "principle", _("Principle")
        CONSTRAINT = "constraint", _("Constraint")
        BUDGET_RULE = "budget_rule", _("Budget rule")

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE,
                                   related_name="statements")
    organisation = models.ForeignKey("landscape.Organisation", on_delete=models.CASCADE,
                                     related_name="+", verbose_name=_("organisation"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    text = models.CharField(_("statement"), max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    version = models.PositiveIntegerField(default=1, editable=False)
    # The workshop: a facilitator records a statement on behalf of a partner; it is a draft
    # ("utkast – inväntar bekräftelse") until that partner's editor confirms or edits it.
    on_behalf = models.BooleanField(_("recorded on behalf of the partner"), default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("recorded by"))
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+",
                                     verbose_name=_("confirmed by"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        ordering = ["organisation__name", "pk"]
        verbose_name = _("partner statement")
        verbose_name_plural = _("partner statements")

    def __str__(self) -> str:
        return self.text

    @property
    def is_draft(self) -> bool:
        return self.on_behalf and self.confirmed_at is None


class Alignment(models.Model):
    """A person's judgement of how one partner statement bears on one shared goal."""

    class Stance(models.TextChoices):
        SUPPORTS = "supports", _("Supports")
        NEUTRAL = "neutral", _("Neutral")
        TENSION = "tension", _("Tension")
        CONFLICTS = "conflicts", _("Conflicts")

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE,
                                  related_name="alignments")
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="alignments")
    stance = models.CharField(_("stance"), max_length=16, choices=Stance.choices)
    set_at = models.DateTimeField(auto_now=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("alignment of a starting point with a goal")
        verbose_name_plural = _("alignments of starting points with goals")
        constraints = [
            models.UniqueConstraint(fields=["statement", "goal"], name="unique_alignment"),
        ]

    def __str__(self) -> str:
        return f"{self.statement} / {self.goal}: {self.stance}"


# --- Benefits follow-up (nyttorealisering) -------------------------------------------------

DEFAULT_DISCOUNT_RATE_PERCENT = Decimal("3.5")
DEFAULT_HOURLY_COST = Decimal("600")


class Economics(models.Model):
    """How an initiative's ledger is valued: discount rate, hourly cost and base year.

    Created on first edit; until then the defaults apply (see ``docs/collaborations.md``).
    """

    initiative = models.OneToOneField(Initiative, on_delete=models.CASCADE,
                                      related_name="economics")
    discount_rate_percent = models.DecimalField(
        _("discount rate (%)"), max_digits=5, decimal_places=2,
        default=DEFAULT_DISCOUNT_RATE_PERCENT,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(20))],
    )
    hourly_cost = models.DecimalField(
        _("hourly cost (kr)"), max_digits=8, decimal_places=2, default=DEFAULT_HOURLY_COST,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(10000))],
    )
    base_year = models.PositiveSmallIntegerField(
        _("base year"), null=True, blank=True,
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
        help_text=_("The year values are discounted to; empty means the first year of the "
                    "ledger."),
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("valuation basis")
        verbose_name_plural = _("valuation bases")

    def __str__(self) -> str:
        return f"{self.initiative}: {self.discount_rate_percent} %"


class LedgerRow(models.Model):
    """One partner's planned (and realised) cost or benefit of one kind in one year.

    Qualitative benefits are rows of kind ``qualitative`` with a description and no amount.
    """

    class Kind(models.TextChoices):
        INVESTMENT = "investment", _("Investment cost")
        RUNNING = "running", _("Running cost")
        MONEY = "money", _("Benefit in money")
        HOURS = "hours", _("Hours saved")
        QUALITATIVE = "qualitative", _("Qualitative benefit")

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE,
                                   related_name="ledger_rows")
    organisation = models.ForeignKey("landscape.Organisation", on_delete=models.CASCADE,
                                     related_name="+", verbose_name=_("organisation"))
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    planned = models.DecimalField(_("planned"), max_digits=14, decimal_places=2, null=True,
                                  blank=True)
    realised = models.DecimalField(_("realised"), max_digits=14, decimal_places=2, null=True,
                                   blank=True)
    description = models.CharField(_("description"), max_length=500, blank=True)
    # The cost split this row's planned amount was taken from (the partner's share), if any.
    cost_split = models.ForeignKey("CostSplit", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="ledger_rows")
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["organisation__name", "year", "kind", "pk"]
        constraints = [
            # A partner enters its share of a split once, even if two requests race.
            models.UniqueConstraint(fields=["cost_split", "organisation"],
                                    condition=models.Q(cost_split__isnull=False),
                                    name="one_share_per_split_and_partner"),
        ]
        verbose_name = _("ledger row")
        verbose_name_plural = _("ledger rows")

    def __str__(self) -> str:
        return f"{self.organisation} {self.year} {self.kind}"

    @property
    def is_hours(self) -> bool:
        return self.kind == self.Kind.HOURS

    @property
    def is_qualitative(self) -> bool:
        return self.kind == self.Kind.QUALITATIVE


class CostSplit(models.Model):
    """A stored split of the joint cost: the game, the chosen method, the comparison of all
    methods and the core check, as they were when the lead chose. The newest is current."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE,
                                   related_name="cost_splits")
    joint_cost = models.DecimalField(_("joint cost"), max_digits=14, decimal_places=2)
    standalone = models.JSONField(_("stand-alone costs"))  # {org code: kronor}
    # What else was known: {"groups": [[[codes], kronor], ...], "model": "known" or
    # "capacity", "fixed_percent": "30"} (split_input.SplitOptions); empty before 2026-12.
    game = models.JSONField(default=dict, blank=True)
    names = models.JSONField(default=dict)  # {org code: name} at the time of choosing
    method = models.CharField(_("chosen method"), max_length=40)
    method_label = models.CharField(max_length=200)
    amounts = models.JSONField()  # {org code: kronor} by the chosen method
    comparison = models.JSONField()  # every method: label, amounts, in_core, blocking
    in_core = models.BooleanField(null=True)
    core_is_empty = models.BooleanField(default=False)
    stability = models.TextField(blank=True)  # the core check in plain words, as shown
    rationale = models.CharField(_("rationale"), max_length=1000, blank=True)
    chosen_at = models.DateTimeField(auto_now_add=True)
    chosen_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-chosen_at", "-pk"]
        get_latest_by = ["chosen_at", "pk"]
        verbose_name = _("cost split")
        verbose_name_plural = _("cost splits")

    def __str__(self) -> str:
        return f"{self.initiative}: {self.method}"

    @property
    def chosen(self) -> dict[str, Any]:
        """The chosen method's entry of the comparison, worded in the reader's language."""
        from .analysis import localised_methods

        methods = localised_methods(self.comparison, self.names)
        return next((m for m in methods if m["method"] == self.method),
                    {"label": self.method_label, "stability": self.stability})


from .workshop_models import *  # noqa: E402, F403 - the workshop's models, one home
