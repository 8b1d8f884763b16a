"""Tests of the benefits follow-up engine (net present value, net gain, realisation rate)."""

from __future__ import annotations

import doctest
import subprocess
import sys
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mellanrum.engines import realisation as benefits
from mellanrum.engines.realisation import LedgerEntry, LedgerError, Settings, evaluate, npv

S = Settings(discount_rate=D("0.035"), hourly_cost=D("600"), base_year=2025)


def test_examples_in_the_docstrings_run() -> None:
    result = doctest.testmod(benefits)
    assert result.attempted >= 3 and result.failed == 0


def test_engine_imports_without_django() -> None:
    code = ("import sys, mellanrum.engines.realisation;"
            "assert 'django' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_npv_discounts_each_year_to_the_base_year() -> None:
    # By hand: -1000 + 500/1.1 + 605/1.21 = -1000 + 454.5454.. + 500 = -45.45
    flows = [(2025, D("-1000")), (2026, D("500")), (2027, D("605"))]
    assert npv(flows, D("0.10"), 2025) == D("-45.45")


def test_years_before_the_base_year_are_compounded_forward() -> None:
    assert npv([(2023, D("100"))], D("0.10"), 2025) == D("121.00")


def test_a_hand_computed_ledger() -> None:
    rows = [
        LedgerEntry("A", 2025, "investment", D("100000"), D("120000")),
        LedgerEntry("A", 2026, "running", D("10000")),
        LedgerEntry("A", 2026, "money", D("50000"), D("40000")),
        LedgerEntry("A", 2026, "hours", D("100")),  # 100 h × 600 kr = 60 000 kr
        LedgerEntry("B", 2026, "money", D("20000")),
    ]
    settings = Settings(discount_rate=D("0.10"), hourly_cost=D("600"), base_year=2025)
    result = evaluate(rows, settings, partners=["A", "B", "C"])
    a, b, c = result.partners
    assert [p.partner for p in result.partners] == ["A", "B", "C"]
    # Planned: -100 000 + (50 000 + 60 000 - 10 000)/1.1 = -100 000 + 90 909.09
    assert a.npv_planned == D("-9090.91")
    # Realised rows only: -120 000 + 40 000/1.1 = -83 636.36
    assert a.npv_realised == D("-83636.36")
    # Forecast: -120 000 + (40 000 + 60 000 - 10 000)/1.1 = -38 181.82
    assert a.net_gain == D("-38181.82")
    # Only the money row is followed up among the benefits: 40 000 / 50 000.
    assert a.realisation_rate == D("0.8000")
    assert a.cost_planned == D("110000.00") and a.benefit_planned == D("110000.00")
    assert b.npv_planned == b.net_gain == D("18181.82")
    assert b.npv_realised == D("0.00") and b.realisation_rate is None
    assert c.npv_planned == c.net_gain == D("0.00")
    assert result.net_gain == a.net_gain + b.net_gain + c.net_gain
    assert result.npv_planned == D("9090.91")
    years = {(y.partner, y.year): y for y in result.years}
    assert years[("A", 2026)].benefit_planned == D("110000.00")
    assert years[("A", 2026)].net_planned == D("100000.00")
    assert years[("A", 2025)].has_realised and not years[("B", 2026)].has_realised
    assert [t.year for t in result.totals_by_year] == [2025, 2026]
    assert result.totals_by_year[1].benefit_planned == D("130000.00")


def test_an_empty_ledger_gives_zeros() -> None:
    result = evaluate([], S, partners=["A"])
    assert result.npv_planned == result.net_gain == D("0")
    assert result.partners[0].realisation_rate is None
    assert result.years == [] and result.totals_by_year == []
    assert evaluate([], S).partners == []


@pytest.mark.parametrize("rate", [D("-0.01"), D("0.21"), D("NaN"), D("Infinity")])
def test_a_discount_rate_outside_reason_is_refused(rate: D) -> None:
    with pytest.raises(LedgerError) as info:
        evaluate([], Settings(rate, D("600"), 2025))
    assert info.value.field == "discount_rate"


@pytest.mark.parametrize(("entry", "field"), [
    (LedgerEntry("A", 2025, "money", D("-1")), "planned"),
    (LedgerEntry("A", 2025, "money", D("1"), D("-5")), "realised"),
    (LedgerEntry("A", 2025, "money", D("1e12")), "planned"),
    (LedgerEntry("A", 2025, "hours", D("2e7")), "planned"),
    (LedgerEntry("A", 1899, "money", D("1")), "year"),
    (LedgerEntry("A", 2101, "money", D("1")), "year"),
    (LedgerEntry("A", 2025, "gift", D("1")), "kind"),
])
def test_rows_outside_reason_are_refused(entry: LedgerEntry, field: str) -> None:
    with pytest.raises(LedgerError) as info:
        evaluate([entry], S)
    assert info.value.field == field
    assert info.value.message


def test_bad_settings_are_refused() -> None:
    with pytest.raises(LedgerError, match="hourly cost"):
        evaluate([], Settings(D("0.03"), D("-1"), 2025))
    with pytest.raises(LedgerError, match="base year"):
        evaluate([], Settings(D("0.03"), D("600"), 1500))


amounts = st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False,
                      allow_infinity=False)
entries = st.lists(st.builds(
    LedgerEntry, partner=st.sampled_from(["A", "B"]), year=st.integers(2020, 2035),
    kind=st.sampled_from(benefits.KINDS), planned=amounts,
    realised=st.none() | amounts,
), max_size=12)


@given(entries)
def test_at_zero_rate_the_npv_is_the_plain_sum(rows: list[LedgerEntry]) -> None:
    result = evaluate(rows, Settings(D("0"), D("600"), 2020))
    for partner in result.partners:
        mine = [y for y in result.years if y.partner == partner.partner]
        assert partner.npv_planned == sum((y.net_planned for y in mine), D(0))
        assert partner.npv_realised == sum((y.net_realised for y in mine), D(0))


@given(st.lists(st.tuples(st.integers(2025, 2040), amounts), max_size=8),
       st.decimals(min_value=0, max_value=D("0.19"), places=3),
       st.decimals(min_value=D("0.001"), max_value=D("0.01"), places=3))
def test_a_higher_rate_never_raises_the_npv_of_future_benefits(
    flows: list[tuple[int, D]], rate: D, step: D,
) -> None:
    assert npv(flows, rate + step, 2025) <= npv(flows, rate, 2025)


@given(entries)
def test_the_initiative_total_is_the_sum_of_the_partners(rows: list[LedgerEntry]) -> None:
    result = evaluate(rows, S)
    assert result.net_gain == sum((p.net_gain for p in result.partners), D(0))
    if all(r.realised is None for r in rows):
        assert result.net_gain == result.npv_planned
