"""The open reference API: public reference data readable without logging in, like Kolada's.

Organisations (as shipped reference data), associations and their members, Kolada's similar
municipalities, synced Kolada values, the KPI catalogue and life events. Each list is JSON, CSV
or NDJSON (``?format=``), carries an ``ETag`` (and ``Last-Modified`` where the data has a
date) and answers ``If-None-Match``/``If-Modified-Since`` with 304. Rate-limited per client
address (``REFERENCE_API_RATE``). Nothing an organisation enters about itself is here.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, Literal

from django.conf import settings
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.utils.http import http_date, parse_http_date_safe
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from ninja.throttling import SimpleRateThrottle

from mellanrum.core.login import client_address
from mellanrum.landscape.models import Organisation

from . import analysis, catalogue
from .models import KoladaValue

# The shipped Kolada metadata (catalogue, similar municipalities) is a snapshot of this date.
KOLADA_METADATA_DATE = datetime(2026, 3, 23, tzinfo=UTC)
OPEN: dict[str, Any] = {"security": []}  # OpenAPI: no authentication needed



def open_bulk(schema: str) -> dict[str, Any]:
    """OpenAPI of an open list that can also be downloaded as CSV or NDJSON (`?format=`)."""
    items = {"type": "array", "items": {"$ref": f"#/components/schemas/{schema}"}}
    return {
        "security": [],
        # An int key, as ninja writes its own: "200" would stand beside it as a second key
        # with the same name, which YAML parsers (Swagger UI) refuse.
        "responses": {200: {"content": {
            "application/json": {"schema": items},
            "text/csv": {"schema": {"type": "string"}},
            "application/x-ndjson": {"schema": {"type": "string"}},
        }}},
    }


class ClientAddressThrottle(SimpleRateThrottle):
    """Limits every client address, logged in or not, to ``REFERENCE_API_RATE``."""

    scope = "reference"

    def __init__(self) -> None:
        self.rate = None
        self.num_requests, self.duration = None, None

    def get_cache_key(self, request: HttpRequest) -> str | None:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def get_ident(self, request: HttpRequest) -> str | None:
        # ninja's own trusts any X-Forwarded-For, which a client writes itself; count the
        # address the way log-in throttling does (docs/security.md, TRUSTED_PROXY_COUNT).
        return client_address(request)

    def allow_request(self, request: HttpRequest) -> bool:
        self.rate = settings.REFERENCE_API_RATE
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return bool(super().allow_request(request))


router = Router(tags=["open reference data"], auth=None, throttle=[ClientAddressThrottle()])

Format = Literal["json", "csv", "ndjson"]
CONTENT_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "ndjson": "application/x-ndjson",
}


def _respond(request: HttpRequest, records: Sequence[dict[str, Any]] | dict[str, Any],
             fmt: str, name: str, last_modified: datetime | None = None) -> HttpResponse:
    if fmt == "csv" and isinstance(records, Sequence):
        out = io.StringIO()
        columns = list(records[0]) if records else []
        writer = csv.DictWriter(out, fieldnames=columns)
        writer.writeheader()
        for row in records:
            writer.writerow({k: "" if v is None else (
                ";".join(v) if isinstance(v, list) else v) for k, v in row.items()})
        body = out.getvalue().encode("utf-8")
    elif fmt == "ndjson" and isinstance(records, Sequence):
        body = "".join(json.dumps(r, ensure_ascii=False, default=str) + "\n"
                       for r in records).encode("utf-8")
    else:
        fmt = "json"
        body = json.dumps(records, ensure_ascii=False, default=str).encode("utf-8")
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    modified = int(last_modified.timestamp()) if last_modified else None
    since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
    match = request.headers.get("If-None-Match")
    if (match and etag in [m.strip() for m in match.split(",")]) or (
        not match and modified is not None and since is not None and modified <= since
    ):
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
        if fmt != "json":
            response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    response["ETag"] = etag
    if modified is not None:
        response["Last-Modified"] = http_date(modified)
    response["Cache-Control"] = "public, max-age=300"
    return response


class ReferenceOrganisationOut(Schema):
    code: str
    kolada_code: str
    name: str
    short_name: str
    kind: str
    county_code: str
    county_name: str
    population: int | None
    skr_group_code: str
    skr_group_name: str
    website: str
    website_verified: bool


def _organisation(o: Organisation) -> dict[str, Any]:
    return {
        "code": o.code, "kolada_code": analysis.kolada_code(o), "name": o.name,
        "short_name": o.short_name, "kind": o.kind, "county_code": o.county_code,
        "county_name": o.county_name, "population": o.population,
        "skr_group_code": o.skr_group_code, "skr_group_name": o.skr_group_name,
        "website": o.website, "website_verified": o.website_verified_at is not None,
    }


class ReferenceOrganisationQuery(Schema):
    kind: str = ""
    county: str = ""
    format: Format = "json"


@router.get(
    "/reference/organisations",
    response=list[ReferenceOrganisationOut],
    openapi_extra=open_bulk("ReferenceOrganisationOut"),
)
def reference_organisations(request: HttpRequest, query: Query[ReferenceOrganisationQuery]
                            ) -> HttpResponse:
    """Open: municipalities, regions, agencies and associations from the shipped reference data
    (official names, SCB codes, county, population, SKR group, web site and whether the
    organisation has verified it). `format=csv` or `ndjson` for bulk download."""
    orgs = Organisation.objects.filter(is_reference=True).order_by("code")
    if kind := query.kind.replace("\x00", ""):
        orgs = orgs.filter(kind=kind[:32])
    if county := query.county.replace("\x00", ""):
        orgs = orgs.filter(county_code=county[:2])
    return _respond(request, [_organisation(o) for o in orgs], query.format, "organisations")


@router.get("/reference/organisations/{code}",
            response=ReferenceOrganisationOut, openapi_extra=OPEN)
def reference_organisation(request: HttpRequest, code: str) -> HttpResponse:
    """Open: one organisation of the reference data, with its members and associations."""
    found = Organisation.objects.filter(is_reference=True,
                                        code=code.replace("\x00", "")[:32]).first()
    if found is None:
        raise HttpError(404, "no organisation with this code in the reference data")
    record = _organisation(found)
    record["member_codes"] = sorted(found.members.values_list("code", flat=True))
    record["association_codes"] = sorted(found.associations.values_list("code", flat=True))
    return _respond(request, record, "json", found.code)


class ReferenceMembershipOut(Schema):
    association: str
    association_name: str
    member: str
    member_name: str


@router.get(
    "/reference/associations",
    response=list[ReferenceMembershipOut],
    openapi_extra=open_bulk("ReferenceMembershipOut"),
)
def reference_associations(request: HttpRequest, format: Format = "json") -> HttpResponse:  # noqa: A002
    """Open: associations of municipalities and their members, one row per membership."""
    rows = []
    for association in Organisation.objects.filter(
        kind=Organisation.Kind.ASSOCIATION
    ).prefetch_related("members").order_by("code"):
        for member in sorted(association.members.all(), key=lambda m: m.code):
            rows.append({"association": association.code, "association_name": association.name,
                         "member": member.code, "member_name": member.name})
    return _respond(request, rows, format, "associations")


class KoladaSimilarGroupOut(Schema):
    municipality: str
    area: str
    reference_year: int
    similar: list[str]
    kolada_group_id: str


def _similar(groups: Iterable[catalogue.SimilarGroup]) -> list[dict[str, Any]]:
    order = {a: i for i, a in enumerate(catalogue.SIMILAR_AREAS)}
    return [
        {"municipality": g.municipality, "area": g.area, "reference_year": g.reference_year,
         "similar": list(g.similar), "kolada_group_id": g.kolada_group_id}
        for g in sorted(groups, key=lambda g: (g.municipality, order.get(g.area, 99)))
    ]


@router.get(
    "/reference/similar",
    response=list[KoladaSimilarGroupOut],
    openapi_extra=open_bulk("KoladaSimilarGroupOut"),
)
def reference_similar(request: HttpRequest, area: str = "", format: Format = "json"  # noqa: A002
                      ) -> HttpResponse:
    """Open: Kolada's similar municipalities (Källa: Kolada), per municipality and area; in CSV
    the 7 codes are joined with `;`."""
    groups = [g for g in catalogue.similar_groups().values() if not area or g.area == area]
    return _respond(request, _similar(groups), format, "similar-municipalities",
                    KOLADA_METADATA_DATE)


@router.get("/reference/similar/{code}", response=list[KoladaSimilarGroupOut], openapi_extra=OPEN)
def reference_similar_to(request: HttpRequest, code: str) -> HttpResponse:
    """Open: the municipality's 7 similar municipalities in each of Kolada's 12 areas."""
    groups = [g for (c, _a), g in catalogue.similar_groups().items() if c == code]
    if not groups:
        raise HttpError(404, "no municipality with this code")
    return _respond(request, _similar(groups), "json", f"similar-{code}", KOLADA_METADATA_DATE)


class KoladaKpiOut(Schema):
    id: str
    title: str
    municipality_type: str
    operating_area: str


@router.get(
    "/reference/kpis",
    response=list[KoladaKpiOut],
    openapi_extra=open_bulk("KoladaKpiOut"),
)
def reference_kpis(request: HttpRequest, search: str = "", format: Format = "json"  # noqa: A002
                   ) -> HttpResponse:
    """Open: Kolada's KPI catalogue shipped with Mellanrum, all or those matching `search`."""
    found = catalogue.search(search[:200], limit=10_000) if search.strip() else list(
        catalogue.catalogue().values())
    rows = [{"id": k.id, "title": k.title, "municipality_type": k.municipality_type,
             "operating_area": k.operating_area} for k in found]
    return _respond(request, rows, format, "kolada-kpis", KOLADA_METADATA_DATE)


class KoladaValueOut(Schema):
    kpi: str
    municipality: str
    year: int
    gender: str
    value: float | None
    status: str
    source: str


class KoladaValueQuery(Schema):
    year: int | None = None
    municipality: str = ""
    format: Format = "json"


@router.get(
    "/reference/kpis/{kpi_id}/values",
    response=list[KoladaValueOut],
    openapi_extra=open_bulk("KoladaValueOut"),
)
def reference_values(request: HttpRequest, kpi_id: str, query: Query[KoladaValueQuery]
                     ) -> HttpResponse:
    """Open: the values of a KPI synced from Kolada, unchanged (Källa: Kolada); `null` where
    Kolada has no value. `Last-Modified` is when a value last changed in Mellanrum."""
    kpi = kpi_id.upper().replace("\x00", "")[:16]
    if kpi not in catalogue.catalogue():
        raise HttpError(404, "no such KPI in Kolada's catalogue")
    rows = KoladaValue.objects.filter(kpi_id=kpi).order_by("year", "municipality_code", "gender")
    if query.year is not None:
        rows = rows.filter(year=query.year)
    if municipality := query.municipality.replace("\x00", ""):
        rows = rows.filter(municipality_code=municipality[:8])
    last = rows.aggregate(last=Max("changed_at"))["last"]
    records = [{"kpi": v.kpi_id, "municipality": v.municipality_code, "year": v.year,
                "gender": v.gender, "value": v.value, "status": v.status,
                "source": v.source or "Kolada"} for v in rows]
    return _respond(request, records, query.format, f"kolada-{kpi}", last)


class ReferenceLifeEventOut(Schema):
    id: str
    label: str
    label_en: str
    audience: str
    description: str


@router.get(
    "/reference/life-events",
    response=list[ReferenceLifeEventOut],
    openapi_extra=open_bulk("ReferenceLifeEventOut"),
)
def reference_life_events(request: HttpRequest, format: Format = "json"  # noqa: A002
                          ) -> HttpResponse:
    """Open: the life-event catalogue, for bulk download."""
    from mellanrum.journeys.models import LifeEvent

    events = LifeEvent.objects.order_by("position", "slug")
    last = events.aggregate(last=Max("updated_at"))["last"]
    rows = [{"id": e.slug, "label": e.label_sv, "label_en": e.label_en,
             "audience": e.audience, "description": e.description} for e in events]
    return _respond(request, rows, format, "life-events", last)
