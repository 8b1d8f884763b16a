"""Benefits and fair sharing: how an initiative's ledger is valued (``Economics``), each
partner's planned and realised costs and benefits (``LedgerRow``) and the stored split of the
joint cost (``CostSplit``).

The tables kept their names from when these models lived in ``collaborations``
(``collaborations_ledgerrow`` ...); migration ``0001`` took them over without touching data.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

DEFAULT_DISCOUNT_RATE_PERCENT = Decimal("3.5")
DEFAULT_HOURLY_COST = Decimal("600")


class Economics(models.Model):
    """How an initiative's ledger is valued: discount rate, hourly cost and base year.

    Created on first edit; until then the defaults apply (see ``docs/benefits.md``).
    """

    initiative = models.OneToOneField("collaborations.Initiative", on_delete=models.CASCADE,
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
        db_table = "collaborations_economics"  # kept from before the move to benefits
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

    initiative = models.ForeignKey("collaborations.Initiative", on_delete=models.CASCADE,
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
    # A row taken from a split follows it: its planned amount changes only with the split.
    cost_split = models.ForeignKey("CostSplit", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="ledger_rows")
    # The partner's editor confirms the planned cost its share of the split puts in its ledger;
    # a new split resets the confirmation.
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+",
                                     verbose_name=_("confirmed by"))
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        db_table = "collaborations_ledgerrow"  # kept from before the move to benefits
        ordering = ["organisation__name", "year", "kind", "pk"]
        constraints = [
            # A split gives a partner one planned cost row a year, even if two requests race.
            models.UniqueConstraint(fields=["cost_split", "organisation", "year"],
                                    condition=models.Q(cost_split__isnull=False),
                                    name="one_share_per_split_partner_and_year"),
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

    @property
    def follows_split(self) -> bool:
        return self.cost_split_id is not None


class CostSplit(models.Model):
    """A stored split of the joint cost: the game, the chosen method, the comparison of all
    methods and the core check, as they were when the lead chose. The newest is current."""

    initiative = models.ForeignKey("collaborations.Initiative", on_delete=models.CASCADE,
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
    # How the shares enter the partners' ledgers: as costs of this kind (investment or
    # running), from the first year, the same amount each year for ``years`` years.
    cost_kind = models.CharField(_("kind of cost"), max_length=16, default="investment",
                                 choices=[("investment", _("Investment cost")),
                                          ("running", _("Running cost"))])
    first_year = models.PositiveSmallIntegerField(
        _("first year"), null=True, blank=True,
        validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    years = models.PositiveSmallIntegerField(
        _("number of years"), default=1, validators=[MinValueValidator(1), MaxValueValidator(10)])
    chosen_at = models.DateTimeField(auto_now_add=True)
    chosen_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")

    class Meta:
        db_table = "collaborations_costsplit"  # kept from before the move to benefits
        ordering = ["-chosen_at", "-pk"]
        get_latest_by = ["chosen_at", "pk"]
        verbose_name = _("cost split")
        verbose_name_plural = _("cost splits")

    def __str__(self) -> str:
        return f"{self.initiative}: {self.method}"

    @property
    def chosen(self) -> dict[str, Any]:
        """The chosen method's entry of the comparison, worded in the reader's language."""
        from .split import localised_methods

        methods = localised_methods(self.comparison, self.names)
        return next((m for m in methods if m["method"] == self.method),
                    {"label": self.method_label, "stability": self.stability})


class PartnerBudget(models.Model):
    """Where an initiative sits in one partner's own budget: the committee (nämnd) responsible
    and the partner's name for the activity (verksamhet). Drift or investering follows from
    each ledger row's kind."""

    initiative = models.ForeignKey("collaborations.Initiative", on_delete=models.CASCADE,
                                   related_name="partner_budgets")
    organisation = models.ForeignKey("landscape.Organisation", on_delete=models.CASCADE,
                                     related_name="+", verbose_name=_("organisation"))
    committee = models.CharField(_("committee (nämnd)"), max_length=200, blank=True)
    activity = models.CharField(_("activity (verksamhet)"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["initiative", "organisation"],
                                    name="one_budget_per_initiative_and_partner"),
        ]
        verbose_name = _("partner budget line")
        verbose_name_plural = _("partner budget lines")

    def __str__(self) -> str:
        return f"{self.organisation}: {self.committee}"
