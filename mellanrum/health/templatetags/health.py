from __future__ import annotations

from django import template
from django.utils.formats import number_format

from mellanrum.engines.health import Factor, FactorScore

register = template.Library()


@register.filter
def score(value: float | None) -> str:
    if value is None:
        return "–"
    return number_format(value, decimal_pos=1)


@register.filter
def interval(value: FactorScore) -> str:
    if value.low is None or value.high is None:
        return "–"
    return f"{score(value.low)}–{score(value.high)}"


@register.filter
def percent(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{number_format(value * 100, decimal_pos=0)} %"


@register.filter
def factor_text(value: Factor, language: str) -> str:
    return value.text(language)
