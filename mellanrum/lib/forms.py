"""Typed access to a form's fields, and a select for long lists of choices.

``form.fields`` maps names to plain ``Field``s; these return the declared field class, so that
its ``queryset``, ``choices`` or ``empty_label`` can be set with the type checker's help.
"""

from html import escape
from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe


class LongSelect(forms.Select):
    """A select whose options are written in Python rather than each through Django's widget
    templates (two template includes per option, about 0.1 ms each): for the ~600 concepts
    of a national installation that was a third of the concept page. Flat choices only."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None,
               renderer: Any = None) -> SafeString:
        chosen = set(self.format_value(value))
        # html.escape, not format_html: this loop is the whole point of the class.
        options = "".join(
            f'<option value="{escape(str(key))}"{" selected" if str(key) in chosen else ""}>'
            f"{escape(str(label))}</option>"
            for key, label in self.choices
        )
        return format_html('<select name="{}"{}>{}</select>', name,
                           flatatt(self.build_attrs(self.attrs, attrs)), mark_safe(options))


def model_choice_field(form: forms.BaseForm, name: str) -> forms.ModelChoiceField[Any]:
    field = form.fields[name]
    if not isinstance(field, forms.ModelChoiceField):
        raise TypeError(f"{type(form).__name__}.{name} is not a ModelChoiceField")
    return field


def choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    field = form.fields[name]
    if not isinstance(field, forms.ChoiceField):
        raise TypeError(f"{type(form).__name__}.{name} is not a ChoiceField")
    return field


def number_field(form: forms.BaseForm, name: str) -> forms.IntegerField:
    """An integer, decimal or float field (the latter two are IntegerFields in Django)."""
    field = form.fields[name]
    if not isinstance(field, forms.IntegerField):
        raise TypeError(f"{type(form).__name__}.{name} is not a number field")
    return field
