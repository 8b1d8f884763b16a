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
    from django.db import connections
    from django.urls import get_resolver

    from mellanrum.commonality.analysis import warm_up as warm_up_commonality
    from mellanrum.core.page_cache import bump_everything
    from mellanrum.core.warm_up import public_pages, warm_finder, warm_up
    from mellanrum.kolada.analysis import warm_up as warm_up_kolada

    get_resolver().resolve("/")  # imports every view module, and what they import
    # New code or settings may draw any page differently: nothing kept by an earlier start is
    # served (mellanrum/core/page_cache.py).
    bump_everything()
    warm_up_kolada()
    warm_up_commonality()
    warm_up(application, public_pages())
    warm_finder()
    # Gunicorn may fork from this process (`--preload`): no worker may share its connection.
    connections.close_all()
    gc.collect()
    gc.freeze()


_freeze_startup_objects()
