from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.formats import number_format

from mellanrum.engines.health import Factor, FactorScore
from mellanrum.health.analysis import format_score

register = template.Library()


@register.filter
def score(value: float | None) -> str:
    return format_score(value)


@register.filter
def interval(value: FactorScore) -> str:
    if value.low is None or value.high is None:
        return "–"
    return f"{score(value.low)}–{score(value.high)}"


@register.filter
def percent(value: float | None) -> str:
    if value is None:
        return "–"
    # Rounded, not cut off: two answers of three are 67 %, as anyone would write it.
    whole = Decimal(repr(value * 100)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return f"{number_format(whole, decimal_pos=0)} %"


@register.filter
def factor_text(value: Factor, language: str) -> str:
    return value.text(language)
