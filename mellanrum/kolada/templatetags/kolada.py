from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from mellanrum.landscape.models import Organisation
from mellanrum.lib.charts import PUBLIC, grouped_bar_chart_url

from .. import analysis, catalogue

register = template.Library()


def _chart(series: analysis.Series, organisation: Organisation) -> str | None:
    own = f"{organisation.name} ({series.attribution})"
    similar = _("Median of Kolada's similar municipalities (computed by Mellanrum)")
    country = _("Median of the country (computed by Mellanrum)")
    rows = []
    for year, value, similar_median, country_median in series.years:
        for label, number in ((own, value), (similar, similar_median), (country, country_median)):
            if number is not None:
                rows.append((str(year), label, number))
    if not rows:
        return None
    return grouped_bar_chart_url(rows, viewer=PUBLIC, category_title=_("Year"),
                                 series_title=_("Figures"),
                                 value_title=series.kpi.title if series.kpi else series.kpi_id)


def _has_panel(organisation: Organisation) -> bool:
    return organisation.kind in {Organisation.Kind.MUNICIPALITY, Organisation.Kind.REGION}


def organisation_chart_urls(organisation: Organisation) -> list[str]:
    """The addresses of the charts the organisation page's Kolada panel shows, in the current
    language (for drawing them ahead, ``core.predraw``)."""
    if not _has_panel(organisation):
        return []
    return [url for s in analysis.organisation_series(organisation)
            if (url := _chart(s, organisation)) is not None]


@register.simple_tag(takes_context=True)
def kolada_organisation_panel(context: template.Context, organisation: Organisation) -> str:
    """The organisation's Kolada key figures over time (public, like Kolada itself)."""
    if not _has_panel(organisation):
        return ""
    series = [(s, _chart(s, organisation)) for s in analysis.organisation_series(organisation)]
    html = render_to_string(
        "kolada/_organisation_panel.html",
        {"organisation": organisation, "series": series,
         "is_municipality": organisation.kind == Organisation.Kind.MUNICIPALITY},
        request=context.get("request"),
    )
    return mark_safe(html)  # noqa: S308 - rendered by the template engine, which escapes


@register.simple_tag(takes_context=True)
def kolada_similar_panel(context: template.Context, organisation: Organisation) -> str:
    """Kolada's 7 similar municipalities per area, beside Mellanrum's own measure."""
    if organisation.kind != Organisation.Kind.MUNICIPALITY:
        return ""
    request = context.get("request")
    user = getattr(request, "user", None)
    logged_in = bool(user is not None and user.is_authenticated)
    areas = analysis.similar_by_area(organisation, compare=logged_in)
    if not areas:
        return ""
    html = render_to_string(
        "kolada/_similar_panel.html",
        {"organisation": organisation, "areas": areas, "compared": logged_in},
        request=request,
    )
    return mark_safe(html)  # noqa: S308 - rendered by the template engine, which escapes


def _concept_members(concept: Any) -> list[tuple[Organisation, float | None, float | None]]:
    """Per organisation: its self-reported cost per inhabitant (all its activities in the
    concept) and median lead time."""
    costs: dict[int, float] = {}
    leads: dict[int, list[float]] = {}
    orgs: dict[int, Organisation] = {}
    # Only the activities' fields used here: a page that read a description would be built
    # again after every edit of one (core/page_cache.py).
    for m in concept.memberships.select_related("activity__organisation").only(
            "activity__organisation", "activity__annual_cost_sek", "activity__lead_time_days"):
        activity = m.activity
        organisation = activity.organisation
        orgs[organisation.pk] = organisation
        if activity.annual_cost_sek is not None and organisation.population:
            costs[organisation.pk] = costs.get(organisation.pk, 0.0) + float(
                activity.annual_cost_sek) / organisation.population
        if activity.lead_time_days is not None:
            leads.setdefault(organisation.pk, []).append(float(activity.lead_time_days))
    return [
        (o, costs.get(pk), analysis.median(leads.get(pk, [])))
        for pk, o in sorted(orgs.items(), key=lambda item: item[1].name)
    ]


@register.simple_tag(takes_context=True)
def kolada_concept_panel(context: template.Context, concept: Any) -> str:
    """The concept's confirmed Kolada KPIs beside self-reported figures, and suggestions."""
    from mellanrum.commonality.access import can_decide

    from ..models import ConceptKpi

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    known = catalogue.catalogue()
    linked = [known[link.kpi_id] for link in ConceptKpi.objects.filter(
        concept_id=concept.concept_id) if link.kpi_id in known]
    members = _concept_members(concept) if linked else []
    figures = [(kpi, analysis.comparable_measure(kpi), analysis.concept_figures(kpi, members))
               for kpi in linked]
    linked_ids = {k.id for k in linked}
    suggestions = [k for k in analysis.suggest_kpis(concept.label, concept.terms)
                   if k.id not in linked_ids]
    html = render_to_string(
        "kolada/_concept_panel.html",
        {"concept": concept, "figures": figures, "suggestions": suggestions,
         "can_decide": can_decide(user), "ratio": analysis.DISAGREEMENT_RATIO},
        request=request,
    )
    return mark_safe(html)  # noqa: S308 - rendered by the template engine, which escapes
