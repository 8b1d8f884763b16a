"""Panels that other apps' pages include: similar organisations and an activity's concept."""

from __future__ import annotations

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from mellanrum.commonality import analysis
from mellanrum.commonality.access import can_read
from mellanrum.landscape.models import Activity, Organisation

register = template.Library()

OTHER_NAMES = 30


@register.simple_tag(takes_context=True)
def similar_organisations_panel(context: template.Context, organisation: Organisation) -> str:
    request = context.get("request")
    if request is None or not can_read(request.user):
        return ""
    html = render_to_string(
        "commonality/_similar_organisations.html",
        {"organisation": organisation, "neighbours": analysis.similar_to(organisation)},
        request=request,
    )
    return mark_safe(html)  # noqa: S308 - rendered by the template engine, which escapes


@register.simple_tag(takes_context=True)
def concept_for_activity_panel(context: template.Context, activity: Activity) -> str:
    request = context.get("request")
    if request is None or not can_read(request.user):
        return ""
    concept = analysis.concept_of(activity)
    others = []
    if concept is not None:
        others = list(
            concept.memberships.exclude(activity=activity)
            .select_related("activity__organisation")[:OTHER_NAMES]
        )
    html = render_to_string(
        "commonality/_concept_for_activity.html",
        {"concept": concept, "others": others},
        request=request,
    )
    return mark_safe(html)  # noqa: S308 - rendered by the template engine, which escapes
