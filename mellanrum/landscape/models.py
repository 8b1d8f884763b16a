from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

POPULATION_BANDS: list[tuple[str, str, int, int | None]] = [
    # (key, label, lower bound inclusive, upper bound exclusive); SCB/Kolada's size bands.
    ("0-5k", "0–4 999", 0, 5_000),
    ("5-10k", "5 000–9 999", 5_000, 10_000),
    ("10-15k", "10 000–14 999", 10_000, 15_000),
    ("15-20k", "15 000–19 999", 15_000, 20_000),
    ("20-30k", "20 000–29 999", 20_000, 30_000),
    ("30-50k", "30 000–49 999", 30_000, 50_000),
    ("50-100k", "50 000–99 999", 50_000, 100_000),
    ("100-200k", "100 000–199 999", 100_000, 200_000),
    ("200k+", "200 000 –", 200_000, None),
]


class Organisation(models.Model):
    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("Municipality")
        REGION = "region", _("Region")
        STATE_AGENCY = "state_agency", _("State agency")
        ASSOCIATION = "association", _("Association of municipalities")
        MUNICIPAL_COMPANY = "municipal_company", _("Municipal company")
        NON_PROFIT = "non_profit", _("Non-profit organisation")
        OTHER = "other", _("Other")

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    county_code = models.CharField(_("county code"), max_length=2, blank=True, db_index=True)
    county_name = models.CharField(_("county"), max_length=100, blank=True)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    population_date = models.DateField(_("population reference date"), null=True, blank=True)
    land_area_km2 = models.DecimalField(
        _("land area (km²)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    skr_group_code = models.CharField(_("SKR municipality group"), max_length=2, blank=True)
    skr_group_name = models.CharField(_("SKR municipality group name"), max_length=100, blank=True)
    municipal_tax_rate = models.DecimalField(
        _("municipal tax rate (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    regional_tax_rate = models.DecimalField(
        _("regional tax rate (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    tax_year = models.PositiveSmallIntegerField(_("tax year"), null=True, blank=True)
    website = models.URLField(_("website"), blank=True)
    # Shipped web sites are from 2016; one of the organisation's administrators confirms it.
    website_verified_at = models.DateTimeField(_("website verified"), null=True, blank=True)
    website_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("website verified by"),
    )
    description = models.TextField(_("description"), blank=True)
    members = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="associations",
        verbose_name=_("members"),
    )
    is_reference = models.BooleanField(
        _("reference data"), default=False,
        help_text=_("Shipped with Mellanrum from public sources; refreshed by `mellanrum init`."),
    )
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("landscape:organisation", args=[self.code])

    @property
    def population_band(self) -> str:
        if self.population is None:
            return ""
        for key, _label, low, high in POPULATION_BANDS:
            if self.population >= low and (high is None or self.population < high):
                return key
        return ""

    @property
    def total_tax_rate(self) -> Decimal | None:
        if self.municipal_tax_rate is None:
            return None
        return self.municipal_tax_rate + (self.regional_tax_rate or Decimal(0))


class NamedGroup(models.Model):
    """A statistical grouping of organisations used as a filter, e.g. Kolada's size bands."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    title = models.CharField(_("title"), max_length=200)
    source = models.CharField(_("source"), max_length=200, blank=True)
    members = models.ManyToManyField(Organisation, related_name="named_groups")

    class Meta:
        ordering = ["title"]
        verbose_name = _("named group")
        verbose_name_plural = _("named groups")

    def __str__(self) -> str:
        return self.title


class Category(models.Model):
    """An activity category: SKR's KLASSA 2.1 verksamhetsområde or processgrupp."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    label = models.CharField(_("label"), max_length=200)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    level = models.CharField(_("level"), max_length=32)

    class Meta:
        ordering = ["code"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return f"{self.code} {self.label}"


class Contact(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="contacts",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    is_illustrative = models.BooleanField(_("illustrative"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("contact person")
        verbose_name_plural = _("contact persons")

    def __str__(self) -> str:
        return f"{self.name} ({self.role})" if self.role else self.name


class ITSystem(models.Model):
    product = models.CharField(_("product"), max_length=100)
    vendor = models.CharField(_("vendor"), max_length=100, blank=True)

    class Meta:
        ordering = ["product", "vendor"]
        constraints = [
            models.UniqueConstraint(fields=["product", "vendor"], name="unique_product_vendor")
        ]
        verbose_name = _("IT system")
        verbose_name_plural = _("IT systems")

    def __str__(self) -> str:
        return f"{self.product} ({self.vendor})" if self.vendor else self.product


class Nature(models.TextChoices):
    """What kind of task an activity is, which decides how it may be shared (see
    docs/collaboration-law.md)."""

    AUTHORITY = "myndighetsutovning", _("Exercise of public authority (myndighetsutövning)")
    SERVICE = "service", _("Service to residents")
    SUPPORT = "internal_support", _("Internal support (back office)")
    ESERVICE = "eservice", _("E-service")
    INFRASTRUCTURE = "infrastructure", _("Infrastructure")


class Activity(models.Model):
    """Something an organisation does: a service to residents, an internal process or an
    e-service (verksamhet)."""

    class Kind(models.TextChoices):
        SERVICE = "service", _("Service to residents")
        PROCESS = "process", _("Internal process")
        ESERVICE = "eservice", _("E-service")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="activities",
        verbose_name=_("organisation"),
    )
    key = models.CharField(
        _("key"), max_length=64,
        help_text=_("Stable identifier within the organisation; re-imports update by this key."),
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.SERVICE)
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="activities",
        verbose_name=_("category"),
    )
    annual_cost_sek = models.DecimalField(
        _("annual cost (SEK)"), max_digits=15, decimal_places=2, null=True, blank=True
    )
    volume_per_year = models.DecimalField(
        _("volume per year"), max_digits=15, decimal_places=2, null=True, blank=True
    )
    volume_unit = models.CharField(_("volume unit"), max_length=50, blank=True)
    fte = models.DecimalField(
        _("full-time equivalents"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    lead_time_days = models.DecimalField(
        _("median lead time (days)"), max_digits=7, decimal_places=1, null=True, blank=True
    )
    # Lead time is the median number of days from a complete application to a decision; an
    # organisation that measures otherwise says how here.
    lead_time_note = models.CharField(
        _("how the lead time is measured"), max_length=300, blank=True,
        help_text=_("Only if not from a complete application to a decision, e.g. “from "
                    "the first contact to the start of the service”."),
    )
    legal_basis = models.CharField(_("legal basis"), max_length=500, blank=True)
    # Blank: the default derived from the category, kind and name (see `effective_nature`).
    nature = models.CharField(
        _("nature"), max_length=20, blank=True,
        choices=Nature.choices,
        help_text=_("Decides what the law allows to share. Left empty, it follows from the "
                    "category, kind and name."),
    )
    url = models.URLField(_("web address"), max_length=500, blank=True)
    systems = models.ManyToManyField(
        ITSystem, blank=True, related_name="activities", verbose_name=_("IT systems")
    )
    owner = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="activities",
        verbose_name=_("owner"),
    )
    is_illustrative = models.BooleanField(_("illustrative"), default=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["organisation__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "key"], name="unique_activity_key")
        ]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("landscape:activity", args=[self.pk])

    @property
    def cost_per_inhabitant(self) -> Decimal | None:
        population = self.organisation.population
        if self.annual_cost_sek is None or not population:
            return None
        return (self.annual_cost_sek / population).quantize(Decimal("0.01"))

    @property
    def cost_per_case(self) -> Decimal | None:
        if self.annual_cost_sek is None or not self.volume_per_year:
            return None
        return (self.annual_cost_sek / self.volume_per_year).quantize(Decimal("1"))


class IndicatorValue(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="indicators"
    )
    indicator_code = models.CharField(_("indicator"), max_length=32)
    title = models.CharField(_("title"), max_length=200, blank=True)
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=4)
    unit = models.CharField(_("unit"), max_length=50, blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        ordering = ["indicator_code", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "indicator_code", "year"], name="unique_indicator_value"
            )
        ]
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")

    def __str__(self) -> str:
        return f"{self.indicator_code} {self.year}: {self.value}"


class ImportJob(models.Model):
    """An activity import, run in the background so that large files show progress."""

    class Status(models.TextChoices):
        VALIDATING = "validating", _("Validating")
        MAPPING = "mapping", _("Needs column mapping")
        INVALID = "invalid", _("Has errors")
        READY = "ready", _("Ready to import")
        IMPORTING = "importing", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    filename = models.CharField(max_length=255)
    data = models.BinaryField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.VALIDATING)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    errors = models.JSONField(default=list, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    # The columns chosen in the mapping step: folded header -> field, "" to ignore.
    column_map = models.JSONField(default=dict, blank=True)
    # What the preview showed, applied as it is on confirm (see actions.ImportPlan).
    plan = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status not in {self.Status.VALIDATING, self.Status.IMPORTING}

    @property
    def percent(self) -> int:
        if not self.progress_total:
            return 0
        return min(100, round(100 * self.progress_done / self.progress_total))


class ColumnMapping(models.Model):
    """An organisation's confirmed spreadsheet columns, used again on its next import."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    # folded header -> field name, or "" for a column to ignore
    columns = models.JSONField(_("columns"), default=dict, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("column mapping")
        verbose_name_plural = _("column mappings")

    def __str__(self) -> str:
        return str(self.organisation)



class Arrangement(models.Model):
    """How an organisation does one activity today (samverkansläge): on its own, or with
    whom and under which legal form."""

    class Form(models.TextChoices):
        OWN = "egen", _("On its own")
        JOINT_COMMITTEE = "gemensam_namnd", _("Joint committee (gemensam nämnd)")
        FEDERATION = "kommunalforbund", _("Municipal federation (kommunalförbund)")
        AGREEMENT = "avtalssamverkan", _("Agreement with other municipalities (avtalssamverkan)")
        REGION = "region", _("By the region")
        STATE = "stat", _("By a state agency")
        COMPANY = "bolag", _("Through a municipal company")
        PROCURED = "upphandlad", _("Bought from a supplier")

    activity = models.OneToOneField(
        Activity, on_delete=models.CASCADE, related_name="arrangement",
        verbose_name=_("activity"),
    )
    form = models.CharField(_("form"), max_length=20, choices=Form.choices)
    partners = models.ManyToManyField(
        Organisation, blank=True, related_name="arrangement_partnerships",
        verbose_name=_("partners"),
    )
    start_date = models.DateField(_("from"), null=True, blank=True)
    end_date = models.DateField(_("until"), null=True, blank=True)
    url = models.URLField(_("link"), max_length=500, blank=True)
    is_illustrative = models.BooleanField(_("illustrative"), default=False)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )

    # The forms in which others share the task; "bolag" and "upphandlad" are joint only when
    # partners are named (a company owned together, a contract procured together).
    JOINT_FORMS = frozenset({"gemensam_namnd", "kommunalforbund", "avtalssamverkan", "region",
                             "stat"})
    SYMBOLS = {
        "egen": "E", "gemensam_namnd": "GN", "kommunalforbund": "KF", "avtalssamverkan": "AS",
        "region": "R", "stat": "S", "bolag": "B", "upphandlad": "U",
    }

    class Meta:
        ordering = ["activity__organisation__name", "activity__name"]
        verbose_name = _("collaboration arrangement")
        verbose_name_plural = _("collaboration arrangements")

    def __str__(self) -> str:
        return f"{self.activity}: {self.get_form_display()}"

    @property
    def symbol(self) -> str:
        return self.SYMBOLS.get(self.form, "?")

    def is_joint(self, partner_count: int | None = None) -> bool:
        if self.form in self.JOINT_FORMS:
            return True
        if self.form in {"bolag", "upphandlad"}:
            count = partner_count if partner_count is not None else self.partners.count()
            return count > 0
        return False
