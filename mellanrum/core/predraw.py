"""Charts drawn ahead: the pictures of organisation and concept pages, drawn in the background
when the data they show has changed, so that a page's first viewer does not wait for them.

A picture's address is a hash of everything it is drawn from (``lib/charts.py``), so drawing
ahead needs no invalidation and can never show old data: a page whose data changed describes a
chart with a new address, and its old picture is simply no longer asked for. What is drawn
here is exactly what the pages describe (the same functions build the descriptions), in every
interface language; a picture already drawn is not drawn again.

* After a commonality analysis: every concept page and every organisation page.
* After an import changed activities: the pages of the concepts those activities are in.
* After a Kolada sync: every organisation page (its key figures).

Drawing takes 30-700 ms of CPU per picture in vl-convert (in ``CHART_RENDER_PROCESSES``
helper processes); on the national dataset (about 320 organisations and 450 concepts) the
first time takes a few minutes of one core, later runs only draw what changed.
``CHART_PREDRAW=false`` turns it off.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils import translation

from mellanrum.lib.charts import draw_ahead

from . import tasks

log = logging.getLogger(__name__)


def _draw(addresses: Iterable[str]) -> int:
    return sum(draw_ahead(address) for address in addresses)


def draw_page_charts(*, organisation_pks: Iterable[int] | None = None,
                     concept_pks: Iterable[int] | None = None) -> int:
    """Draws the charts of these organisations' and concepts' pages (None: all of them) that
    are not drawn yet, in every interface language; returns how many pictures were drawn."""
    from mellanrum.commonality.concept_views import concept_chart_urls
    from mellanrum.commonality.models import Concept
    from mellanrum.kolada.templatetags.kolada import organisation_chart_urls
    from mellanrum.landscape.models import Organisation

    organisations = Organisation.objects.order_by("pk")
    if organisation_pks is not None:
        organisations = organisations.filter(pk__in=list(organisation_pks))
    concepts = Concept.objects.order_by("pk")
    if concept_pks is not None:
        concepts = concepts.filter(pk__in=list(concept_pks))
    viewer = AnonymousUser()  # any viewer: a private chart's key does not name the viewer
    drawn = 0
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for organisation in list(organisations):
                drawn += _draw(organisation_chart_urls(organisation))
            for concept in list(concepts):
                drawn += _draw(concept_chart_urls(concept, viewer))
    return drawn


@tasks.task()
def draw_charts_task(organisation_pks: list[int] | None, concept_pks: list[int] | None) -> None:
    drawn = draw_page_charts(organisation_pks=organisation_pks, concept_pks=concept_pks)
    log.info("drew %d chart pictures ahead", drawn)


def after_analysis() -> None:
    """An analysis finished: its concepts are new, and organisation pages may show them."""
    _enqueue(None, None)


def after_kolada_sync() -> None:
    _enqueue(None, [])


def after_import(activity_pks: Iterable[int]) -> None:
    """An import changed these activities: the pages of their concepts show new figures."""
    from mellanrum.commonality.models import Concept

    pks = sorted(set(Concept.objects.filter(memberships__activity__in=list(activity_pks))
                     .values_list("pk", flat=True)))
    if pks:
        _enqueue([], pks)


def _enqueue(organisation_pks: list[int] | None, concept_pks: list[int] | None) -> None:
    if not getattr(settings, "CHART_PREDRAW", True):
        return
    tasks.enqueue(draw_charts_task, organisation_pks, concept_pks, ref="charts")
