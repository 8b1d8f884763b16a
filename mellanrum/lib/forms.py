"""Typed access to a form's fields.

``form.fields`` maps names to plain ``Field``s; these return the declared field class, so that
its ``queryset``, ``choices`` or ``empty_label`` can be set with the type checker's help.
"""

from typing import Any

from django import forms


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
