"""Panels that other apps' pages include (placeholders until the commonality app fills them)."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def similar_organisations_panel(context: template.Context, organisation: object) -> str:
    return ""


@register.simple_tag(takes_context=True)
def concept_for_activity_panel(context: template.Context, activity: object) -> str:
    return ""
