import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mellanrum.settings")

application = get_wsgi_application()


def _freeze_startup_objects() -> None:
    """Fill the per-process caches, then keep everything loaded at start-up out of every
    later garbage collection.

    Django, the chart library's schema and the shipped catalogues leave about 300,000 objects
    that live as long as the process. A full collection scans them all: about 180 ms on the
    national dataset, during which no other request thread of the process runs. Frozen, a
    full collection takes about 15 ms. Gunicorn forks its workers after this, so they share
    the frozen objects' memory pages instead of copying them when the collector touches them,
    and each worker starts with the caches filled instead of filling its own copy of them in
    its first minutes (``mellanrum.core.warm_up``).
    """
    from django.urls import get_resolver

    from mellanrum.core.warm_up import warm_up
    from mellanrum.kolada.analysis import warm_up as warm_up_kolada

    get_resolver().resolve("/")  # imports every view module, and what they import
    warm_up_kolada()
    warm_up(application, _warm_up_pages())
    gc.collect()
    gc.freeze()


def _warm_up_pages() -> list[str]:
    """The public pages whose first view fills a per-process cache (the finder's index, the
    place index, the life-event catalogue, the directory, an organisation page's panels)."""
    from urllib.parse import urlencode

    from django.db import DatabaseError

    from mellanrum.journeys.models import LifeEvent
    from mellanrum.landscape.models import Organisation

    pages = ["/", "/om/", "/organisationer/", "/organisationer/?county=01&sort=name",
             "/livshandelser/", "/samverkan/"]
    try:
        municipality = (Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY)
                        .order_by("code").first())
        event = LifeEvent.objects.order_by("pk").first()
    except DatabaseError:  # not migrated yet: the pages would fail too
        return []
    if municipality is not None:
        pages.append(f"/organisationer/{municipality.code}/")
        pages.append("/hitta/?" + urlencode({"place": municipality.name, "q": "hemtjänst"}))
    if event is not None:
        pages.append(f"/livshandelser/{event.slug}/")
    return pages


_freeze_startup_objects()
