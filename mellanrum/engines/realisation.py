"""Benefits realisation (nyttorealisering): costs and benefits per partner and year, planned
against realised, their net present value, and each partner's budget years and payback year.

Plain Python, no Django. A ledger is a list of :class:`LedgerEntry` rows, one per partner,
year and kind (investment cost, running cost, money benefit or hours saved), each with a
planned amount and optionally a realised one. :func:`evaluate` values hours at the hourly
cost, discounts every year's net benefit to the base year and returns totals per partner and
year, the net present value per partner (planned, realised and forecast) and for the whole
initiative, and the realisation rate of the benefits.

Definitions
-----------
Net benefit of a year ``t`` (for one partner, planned or realised)::

    N_t = money benefits + hours saved × hourly cost − investment costs − running costs

Net present value at the discount rate ``r`` (kalkylränta) and base year ``t0``::

    NPV = Σ_t N_t / (1 + r) ** (t − t0)

Years before the base year are compounded forward (the exponent is negative). The *realised*
NPV counts only rows with a realised amount. The *forecast* NPV takes the realised amount where
one is recorded and the planned amount otherwise; it is the partner's **net gain**, the best
estimate of what the initiative yields it. The **realisation rate** is the realised benefit
divided by the planned benefit over the rows with a realised amount (undiscounted kronor), so a
year not yet followed up does not lower it.

References
----------
Ekonomistyrningsverket, *Samhällsekonomiska analyser och nyttorealisering* (ESV 2021) and
DIGG, *Nyttorealisering – vägledning*: net present value of benefit and cost streams at a
stated discount rate, benefits owned per organisation.

Examples
--------
>>> from decimal import Decimal as D
>>> rows = [LedgerEntry("A", 2025, "investment", D("1000")),
...         LedgerEntry("A", 2026, "money", D("1100"))]
>>> result = evaluate(rows, Settings(discount_rate=D("0.10"), hourly_cost=D("600"),
...                                  base_year=2025))
>>> result.partners[0].npv_planned
Decimal('0.00')
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

__all__ = [
    "BENEFIT_KINDS",
    "COST_KINDS",
    "BudgetYear",
    "KINDS",
    "LedgerEntry",
    "LedgerError",
    "LedgerResult",
    "PartnerYear",
    "PartnerResult",
    "Settings",
    "budget_years",
    "evaluate",
    "npv",
    "payback_year",
    "validate_entry",
    "validate_settings",
]

COST_KINDS = ("investment", "running")
BENEFIT_KINDS = ("money", "hours")
KINDS = COST_KINDS + BENEFIT_KINDS

#: Sane ranges; anything outside is a typing mistake, not a plan.
MIN_YEAR = 2000
MAX_YEAR = 2100
MAX_RATE = Decimal("0.20")
MAX_KRONOR = Decimal("10000000000")  # 10 000 million kronor in one row
MAX_HOURS = Decimal("10000000")  # ten million hours (about 6 000 full-time years)
MAX_HOURLY_COST = Decimal("10000")
ORE = Decimal("0.01")


class LedgerError(ValueError):
    """A ledger row or setting outside reason; ``field`` names the offending input."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class LedgerEntry:
    """One ledger row: a partner's cost or benefit of one kind in one year.

    ``planned`` and ``realised`` are kronor, or hours for ``kind == "hours"``.
    """

    partner: str
    year: int
    kind: str
    planned: Decimal
    realised: Decimal | None = None


@dataclass(frozen=True)
class Settings:
    """Discount rate as a fraction (0.035 for 3.5 %), hourly cost in kronor, base year."""

    discount_rate: Decimal
    hourly_cost: Decimal
    base_year: int


@dataclass(frozen=True)
class PartnerYear:
    partner: str
    year: int
    cost_planned: Decimal
    benefit_planned: Decimal
    cost_realised: Decimal
    benefit_realised: Decimal
    has_realised: bool

    @property
    def net_planned(self) -> Decimal:
        return self.benefit_planned - self.cost_planned

    @property
    def net_realised(self) -> Decimal:
        return self.benefit_realised - self.cost_realised


@dataclass(frozen=True)
class PartnerResult:
    partner: str
    cost_planned: Decimal
    benefit_planned: Decimal
    cost_realised: Decimal
    benefit_realised: Decimal
    npv_planned: Decimal
    npv_realised: Decimal
    net_gain: Decimal  # forecast NPV: realised where recorded, planned otherwise
    realisation_rate: Decimal | None  # None when no benefit row has been followed up


@dataclass(frozen=True)
class LedgerResult:
    settings: Settings
    years: list[PartnerYear]
    partners: list[PartnerResult]
    npv_planned: Decimal
    npv_realised: Decimal
    net_gain: Decimal
    realisation_rate: Decimal | None
    totals_by_year: list[PartnerYear] = field(default_factory=list)  # partner == ""

    def partner(self, code: str) -> PartnerResult | None:
        return next((p for p in self.partners if p.partner == code), None)


def _decimal(value: object, name: str) -> Decimal:
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise LedgerError(name, f"{name} must be a number.") from None
    if not number.is_finite():
        raise LedgerError(name, f"{name} must be a finite number.")
    return number


def validate_settings(settings: Settings) -> Settings:
    """Raise :class:`LedgerError` unless the settings are within reason."""
    rate = _decimal(settings.discount_rate, "discount_rate")
    if not Decimal(0) <= rate <= MAX_RATE:
        raise LedgerError("discount_rate", "The discount rate must be between 0 and 20 %.")
    hourly = _decimal(settings.hourly_cost, "hourly_cost")
    if not Decimal(0) <= hourly <= MAX_HOURLY_COST:
        raise LedgerError("hourly_cost", "The hourly cost must be between 0 and 10 000 kr.")
    if not isinstance(settings.base_year, int) or not MIN_YEAR <= settings.base_year <= MAX_YEAR:
        raise LedgerError("base_year", f"The base year must be between {MIN_YEAR} and "
                          f"{MAX_YEAR}.")
    return Settings(rate, hourly, settings.base_year)


def validate_entry(entry: LedgerEntry) -> LedgerEntry:
    """Raise :class:`LedgerError` unless the row is within reason."""
    if entry.kind not in KINDS:
        raise LedgerError("kind", f"Unknown kind {entry.kind[:40]!r}; use one of "
                          f"{', '.join(KINDS)}.")
    if not isinstance(entry.year, int) or not MIN_YEAR <= entry.year <= MAX_YEAR:
        raise LedgerError("year", f"The year must be between {MIN_YEAR} and {MAX_YEAR}.")
    limit = MAX_HOURS if entry.kind == "hours" else MAX_KRONOR
    amounts: dict[str, Decimal | None] = {}
    for name in ("planned", "realised"):
        raw = getattr(entry, name)
        if raw is None:
            if name == "planned":
                raise LedgerError("planned", "Give the planned amount.")
            amounts[name] = None
            continue
        value = _decimal(raw, name)
        if value < 0:
            raise LedgerError(name, "Amounts cannot be negative; record a cost as a cost row.")
        if value > limit:
            raise LedgerError(name, f"The amount is larger than {limit:,} – check the unit.")
        amounts[name] = value
    planned = amounts["planned"]
    assert planned is not None
    return LedgerEntry(entry.partner, entry.year, entry.kind, planned, amounts["realised"])


def _value(entry_kind: str, amount: Decimal, hourly_cost: Decimal) -> tuple[Decimal, Decimal]:
    """(cost, benefit) in kronor of an amount of the given kind."""
    if entry_kind in COST_KINDS:
        return amount, Decimal(0)
    if entry_kind == "hours":
        return Decimal(0), amount * hourly_cost
    return Decimal(0), amount


def _factor(year: int, settings: Settings) -> Decimal:
    return (Decimal(1) + settings.discount_rate) ** (settings.base_year - year)


def npv(flows: Iterable[tuple[int, Decimal]], discount_rate: Decimal, base_year: int,
        ) -> Decimal:
    """Net present value of ``(year, net amount)`` flows at ``base_year``, to the öre.

    Examples
    --------
    >>> from decimal import Decimal as D
    >>> npv([(2025, D("-100")), (2026, D("110"))], D("0.10"), 2025)
    Decimal('0.00')
    >>> npv([(2024, D("100"))], D("0.10"), 2025)
    Decimal('110.00')
    """
    settings = Settings(discount_rate, Decimal(0), base_year)
    total = sum((amount * _factor(year, settings) for year, amount in flows), Decimal(0))
    return total.quantize(ORE, ROUND_HALF_UP)


def _rate(realised: Decimal, planned: Decimal) -> Decimal | None:
    if planned == 0:
        return None
    return (realised / planned).quantize(Decimal("0.0001"), ROUND_HALF_UP)


@dataclass
class _Sums:
    cost_planned: Decimal = Decimal(0)
    benefit_planned: Decimal = Decimal(0)
    cost_realised: Decimal = Decimal(0)
    benefit_realised: Decimal = Decimal(0)
    cost_forecast: Decimal = Decimal(0)
    benefit_forecast: Decimal = Decimal(0)
    followed_planned_benefit: Decimal = Decimal(0)
    has_realised: bool = False

    def add(self, other: _Sums) -> None:
        for name in ("cost_planned", "benefit_planned", "cost_realised", "benefit_realised",
                     "cost_forecast", "benefit_forecast", "followed_planned_benefit"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.has_realised = self.has_realised or other.has_realised


def _year_row(partner: str, year: int, sums: _Sums) -> PartnerYear:
    return PartnerYear(partner, year, sums.cost_planned.quantize(ORE),
                       sums.benefit_planned.quantize(ORE), sums.cost_realised.quantize(ORE),
                       sums.benefit_realised.quantize(ORE), sums.has_realised)


def evaluate(entries: Sequence[LedgerEntry], settings: Settings,
             partners: Sequence[str] = ()) -> LedgerResult:
    """Totals, net present values and realisation rates of a ledger.

    Parameters
    ----------
    entries : rows of the ledger; each is validated (see :func:`validate_entry`).
    settings : discount rate, hourly cost and base year (see :func:`validate_settings`).
    partners : partners to report even without rows (with zeros), in this order; partners
        that only appear in ``entries`` follow in order of first appearance.

    Returns
    -------
    LedgerResult with per partner and year totals, per partner results and initiative totals.

    Raises
    ------
    LedgerError when a row or a setting is outside reason.
    """
    settings = validate_settings(settings)
    clean = [validate_entry(e) for e in entries]
    order = list(dict.fromkeys([*partners, *(e.partner for e in clean)]))
    cells: dict[tuple[str, int], _Sums] = {}
    for entry in clean:
        sums = cells.setdefault((entry.partner, entry.year), _Sums())
        cost, benefit = _value(entry.kind, entry.planned, settings.hourly_cost)
        sums.cost_planned += cost
        sums.benefit_planned += benefit
        if entry.realised is None:
            sums.cost_forecast += cost
            sums.benefit_forecast += benefit
            continue
        r_cost, r_benefit = _value(entry.kind, entry.realised, settings.hourly_cost)
        sums.cost_realised += r_cost
        sums.benefit_realised += r_benefit
        sums.cost_forecast += r_cost
        sums.benefit_forecast += r_benefit
        sums.followed_planned_benefit += benefit
        sums.has_realised = True

    years = [_year_row(p, y, cells[(p, y)])
             for p in order for y in sorted(y for (q, y) in cells if q == p)]
    results = []
    grand = _Sums()
    for code in order:
        mine = {y: s for (q, y), s in cells.items() if q == code}
        total = _Sums()
        for sums in mine.values():
            total.add(sums)
        grand.add(total)
        flows = {
            "planned": [(y, s.benefit_planned - s.cost_planned) for y, s in mine.items()],
            "realised": [(y, s.benefit_realised - s.cost_realised) for y, s in mine.items()],
            "forecast": [(y, s.benefit_forecast - s.cost_forecast) for y, s in mine.items()],
        }
        rate, base = settings.discount_rate, settings.base_year
        results.append(PartnerResult(
            partner=code,
            cost_planned=total.cost_planned.quantize(ORE),
            benefit_planned=total.benefit_planned.quantize(ORE),
            cost_realised=total.cost_realised.quantize(ORE),
            benefit_realised=total.benefit_realised.quantize(ORE),
            npv_planned=npv(flows["planned"], rate, base),
            npv_realised=npv(flows["realised"], rate, base),
            net_gain=npv(flows["forecast"], rate, base),
            realisation_rate=_rate(total.benefit_realised, total.followed_planned_benefit),
        ))
    by_year: dict[int, _Sums] = {}
    for (_code, year), sums in cells.items():
        by_year.setdefault(year, _Sums()).add(sums)
    return LedgerResult(
        settings=settings,
        years=years,
        partners=results,
        # Sums of the partners' rounded values, so that the table adds up to the öre.
        npv_planned=sum((p.npv_planned for p in results), Decimal("0.00")),
        npv_realised=sum((p.npv_realised for p in results), Decimal("0.00")),
        net_gain=sum((p.net_gain for p in results), Decimal("0.00")),
        realisation_rate=_rate(grand.benefit_realised, grand.followed_planned_benefit),
        totals_by_year=[_year_row("", y, by_year[y]) for y in sorted(by_year)],
    )


@dataclass(frozen=True)
class BudgetYear:
    """One partner's planned figures of one year in budget terms (kronor): operating costs
    (drift), investments, savings (money benefits and hours saved at the hourly cost), the
    year's net and the running total of the nets since the first year."""

    year: int
    operating: Decimal
    investment: Decimal
    saving: Decimal
    net: Decimal
    cumulative: Decimal


def budget_years(entries: Iterable[LedgerEntry], partner: str,
                 hourly_cost: Decimal) -> list[BudgetYear]:
    """The partner's planned cost, saving and net per year, every year from its first to its
    last row listed (a year without rows is a row of zeros).

    >>> from decimal import Decimal as D
    >>> rows = [LedgerEntry("A", 2025, "investment", D("1000")),
    ...         LedgerEntry("A", 2027, "money", D("600")), LedgerEntry("A", 2027, "hours", D("1")),
    ...         LedgerEntry("B", 2025, "running", D("5"))]
    >>> [(y.year, str(y.net), str(y.cumulative)) for y in budget_years(rows, "A", D("400"))]
    ... # doctest: +NORMALIZE_WHITESPACE
    [(2025, '-1000.00', '-1000.00'), (2026, '0.00', '-1000.00'),
     (2027, '1000.00', '0.00')]
    """
    sums: dict[int, dict[str, Decimal]] = {}
    for entry in entries:
        if entry.partner != partner or entry.kind not in KINDS:
            continue
        amount = entry.planned * hourly_cost if entry.kind == "hours" else entry.planned
        kind = "money" if entry.kind == "hours" else entry.kind
        bucket = sums.setdefault(entry.year, {k: Decimal(0) for k in COST_KINDS + ("money",)})
        bucket[kind] += amount
    if not sums:
        return []
    found: list[BudgetYear] = []
    cumulative = Decimal(0)
    zero = {k: Decimal(0) for k in COST_KINDS + ("money",)}
    for year in range(min(sums), max(sums) + 1):
        values = sums.get(year, zero)
        net = values["money"] - values["investment"] - values["running"]
        cumulative += net
        found.append(BudgetYear(year, values["running"].quantize(ORE),
                                values["investment"].quantize(ORE),
                                values["money"].quantize(ORE), net.quantize(ORE),
                                cumulative.quantize(ORE)))
    return found


def payback_year(years: Sequence[BudgetYear]) -> int | None:
    """The first year from which the running total of the nets stays at or above zero after a
    dip below it; the first year when there is no dip; ``None`` when it never pays back.

    >>> from decimal import Decimal as D
    >>> def y(year, cumulative): return BudgetYear(year, D(0), D(0), D(0), D(0), D(cumulative))
    >>> payback_year([y(2025, -10), y(2026, 5), y(2027, -1), y(2028, 2)])
    2028
    >>> payback_year([y(2025, -10), y(2026, -4)]) is None
    True
    """
    found: int | None = None
    for item in years:
        if item.cumulative < 0:
            found = None
        elif found is None:
            found = item.year
    return found
