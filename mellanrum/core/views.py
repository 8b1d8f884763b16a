from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from mellanrum.core.page_cache import cached_page
from mellanrum.landscape.counts import catalogue_counts
from mellanrum.lib.charts import PRIVATE_LINK_SECONDS, chart_picture

# A chart's picture is a plain SVG with inline presentation styles and nothing to run.
CHART_CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'"


@cached_page
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {"counts": catalogue_counts()})


def about(request: HttpRequest) -> HttpResponse:
    return render(request, "core/about.html")


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/error.html", {"status": 403}, status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/error.html", {"status": 404}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "core/error.html", {"status": 500}, status=500)


@require_safe
def chart(request: HttpRequest, key: str) -> HttpResponse:
    """The picture of a chart a page has described (``mellanrum.lib.charts``).

    The address is a hash of the chart's content, so the picture never changes. A chart of
    public data may be kept by anyone; a private one is served only to the user it was
    described for, with a valid signature, and kept only by that user's browser. Anything
    else is 404, so an address reveals nothing about a chart one may not see.
    """
    token = request.GET.get("a")
    picture = chart_picture(key, token=token, viewer=request.user)
    if picture is None:
        raise Http404("No such chart.")
    response = HttpResponse(picture.svg, content_type="image/svg+xml; charset=utf-8")
    if picture.private:
        response["Cache-Control"] = f"private, max-age={PRIVATE_LINK_SECONDS}"
    else:
        response["Cache-Control"] = "public, max-age=604800, immutable"
    response["Content-Security-Policy"] = CHART_CONTENT_SECURITY_POLICY
    return response
