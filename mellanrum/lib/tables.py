"""Helpers for long tables written in Python rather than in the template language.

A table of hundreds of rows (a concept's members, an organisation's activities) spent most of
its page's time in the template language: a variable lookup, a filter or a ``reverse()`` per
cell. Views that write such rows themselves use these to do each costly step once."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

__all__ = ["Formatted", "options", "url_maker"]


class Formatted:
    """``floatformat`` with one argument for many numbers, each distinct number formatted
    once (tables repeat the same confidences and figures), exactly as the filter writes it."""

    def __init__(self, arg: str | int) -> None:
        self.arg = arg
        self.done: dict[Any, str] = {}

    def __call__(self, value: Any) -> str:
        if value not in self.done:
            self.done[value] = floatformat(value, self.arg)
        return self.done[value]


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
