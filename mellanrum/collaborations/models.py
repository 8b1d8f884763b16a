"""Collaboration initiatives (samverkansinitiativ): the shared goal picture, the partners and
their own statements, the steering group, the decision log and the risks."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

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
        """The lead partner, or the facilitator of an initiative that has no lead."""
        partners = list(self.partners.all())
        return (next((p for p in partners if p.role == Partner.Role.LEAD), None)
                or next((p for p in partners if p.role == Partner.Role.FACILITATOR), None))


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
    """An organisation invited to an initiative. Joining is consent: until one of its editors
    accepts, it reads the initiative but does not act in it and pays nothing."""

    class Role(models.TextChoices):
        LEAD = "lead", _("Lead")
        FACILITATOR = "facilitator", _("Facilitator (process leader)")
        PARTNER = "partner", _("Partner")
        OBSERVER = "observer", _("Observer")

    class Status(models.TextChoices):
        INVITED = "invited", pgettext_lazy("invitation status", "Invited")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    # Lead and facilitator run the initiative; lead and partners pay.
    RUNNING_ROLES = (Role.LEAD, Role.FACILITATOR)
    PAYING_ROLES = (Role.LEAD, Role.PARTNER)

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
    status = models.CharField(_("status"), max_length=16, choices=Status.choices,
                              default=Status.INVITED)
    invited_at = models.DateTimeField(_("invited at"), null=True, blank=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("answered by"))
    decline_reason = models.CharField(_("reason for declining"), max_length=1000, blank=True)

    class Meta:
        ordering = ["role", "organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["initiative", "organisation"],
                                    name="unique_initiative_partner"),
            models.UniqueConstraint(fields=["initiative"], condition=models.Q(role="lead"),
                                    name="one_lead_per_initiative"),
            models.UniqueConstraint(fields=["initiative"],
                                    condition=models.Q(role="facilitator"),
                                    name="one_facilitator_per_initiative"),
        ]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")

    def __str__(self) -> str:
        return f"{self.organisation} ({self.role})"

    @property
    def is_accepted(self) -> bool:
        return self.status == self.Status.ACCEPTED

    @property
    def runs(self) -> bool:
        """Lead and facilitator run the initiative once they have accepted."""
        return self.is_accepted and self.role in self.RUNNING_ROLES

    @property
    def pays(self) -> bool:
        """Whether the partner takes a share of the joint cost: accepted, and lead or partner
        (facilitators and observers pay nothing)."""
        return self.is_accepted and self.role in self.PAYING_ROLES


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


# Proposals, formal decisions and measured values of goals (registered with the app here).
from .consent_models import FormalDecision, GoalTracking, Measurement, Proposal, ProposalAnswer  # noqa: E402, F401, I001, E501
from .workshop_models import *  # noqa: E402, F403 - the workshop's models, one home
