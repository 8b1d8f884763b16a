"""Helpers for long tables written in Python rather than in the template language.

A table of hundreds of rows (a concept's members, an organisation's activities) spent most of
its page's time in the template language: a variable lookup, a filter or a ``reverse()`` per
cell. Views that write such rows themselves use these to do each costly step once."""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from decimal import ROUND_HALF_UP, Context, Decimal, getcontext
from typing import Any

from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import numberformat
from django.utils.formats import get_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

__all__ = ["Formatted", "options", "text", "url_maker"]


def text(value: Any) -> str:
    """``django.utils.html.escape``'s text (the same characters), without its check for lazy
    arguments on every call: for the cells of long tables, marked safe as a whole row."""
    return html.escape(str(value))


class Formatted:
    """``floatformat`` with one argument for many numbers, exactly as the filter writes it,
    each distinct number formatted once (tables repeat the same confidences and figures), and
    the separators of the active language looked up once: make one per response (it keeps
    the language that was active when it was made)."""

    def __init__(self, arg: str | int) -> None:
        self.arg = arg
        self.done: dict[Any, str] = {}
        # The argument as floatformat reads it: places, and "g" (grouped) or "u" (not
        # localized) after them.
        force_grouping, use_l10n, places = False, True, arg
        if isinstance(arg, str):
            if arg[-2:] in {"gu", "ug"}:
                force_grouping, use_l10n, places = True, False, arg[:-2] or -1
            elif arg[-1] == "g":
                force_grouping, places = True, arg[:-1] or -1
            elif arg[-1] == "u":
                use_l10n, places = False, arg[:-1] or -1
        try:
            self.places: int | None = int(places)
        except ValueError:
            self.places = None  # floatformat writes the value as it is
        self.force_grouping, self.use_l10n = force_grouping, use_l10n
        language = get_language() if use_l10n else None
        self.separators = tuple(get_format(name, language, use_l10n=use_l10n) for name in (
            "DECIMAL_SEPARATOR", "NUMBER_GROUPING", "THOUSAND_SEPARATOR"))

    def __call__(self, value: Any) -> str:
        if self.places is None:  # the value as it is: equal numbers may be written otherwise
            return floatformat(value, self.arg)
        done = self.done.get(value)
        if done is None:
            done = self.done[value] = self._format(value)
        return done

    def _format(self, value: Any) -> str:
        """floatformat's own steps (Django 5.x), for a finite int, float or Decimal; anything
        else goes to the filter itself."""
        p = self.places
        if p is None or isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            return floatformat(value, self.arg)
        try:
            d = Decimal(str(value))
        except ArithmeticError:
            return floatformat(value, self.arg)
        if not d.is_finite():
            return floatformat(value, self.arg)
        _sign, digits, exponent = d.as_tuple()
        if len(digits) + abs(int(exponent)) > 200:
            return floatformat(value, self.arg)
        m = int(d) - d
        decimal_separator, grouping, thousand_separator = self.separators
        if not m and p <= 0:
            return mark_safe(numberformat.format(
                str(int(d)), decimal_separator, 0, grouping, thousand_separator,
                force_grouping=self.force_grouping, use_l10n=self.use_l10n))
        exp = Decimal(1).scaleb(-abs(p))
        units = len(digits)
        units += -int(exponent) if m else int(exponent)
        prec = max(getcontext().prec, abs(p) + units + 1)
        rounded_d = d.quantize(exp, ROUND_HALF_UP, Context(prec=prec))
        sign, rounded, exponent = rounded_d.as_tuple()
        out = [str(digit) for digit in reversed(rounded)]
        while len(out) <= abs(int(exponent)):
            out.append("0")
        out.insert(-int(exponent), ".")
        if sign and rounded_d:
            out.append("-")
        return mark_safe(numberformat.format(
            "".join(reversed(out)), decimal_separator, abs(p), grouping, thousand_separator,
            force_grouping=self.force_grouping, use_l10n=self.use_l10n))


def url_maker(name: str) -> Callable[[str | int], str]:
    """``reverse(name, args=[value])`` for the rows of a long table: the pattern is resolved
    once and each row's value put in its place (codes and ids, which need no quoting)."""
    marker = "0123456789"
    before, after = reverse(name, args=[marker]).split(marker, 1)
    return lambda value: f"{before}{value}{after}"


def options(choices: Iterable[tuple[Any, Any]], selected: str | None) -> SafeString:
    """The ``<option>``s of a long select (every organisation of the country) for a template's
    ``{% for %}`` loop over (value, label) pairs with ``{% if chosen == value %} selected``: the
    same HTML, written once here instead of a lookup, comparison and escape per option."""
    return mark_safe("".join(  # noqa: S308 - every value is escaped here
        f'<option value="{escape(value)}"{" selected" if selected == value else ""}>'
        f"{escape(label)}</option>"
        for value, label in choices))
