"""Kolada values joined to organisations, and the figures Mellanrum computes from them.

Values are Kolada's (Källa: Kolada). Medians and quartiles are computed here, by Mellanrum, and
every page labels them so; they are never presented as Kolada's.
"""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from django.db.models import Count, Max, Min

from mellanrum.core.page_cache import remember
from mellanrum.landscape.models import Organisation

from . import catalogue
from .models import KoladaValue


def kolada_code(organisation: Organisation) -> str:
    """Kolada's id of an organisation: a municipality's code, ``00NN`` for region ``NN``."""
    return _kolada_code(organisation.code, organisation.kind)


def _kolada_code(code: str, kind: str) -> str:
    if kind == Organisation.Kind.REGION and len(code) == 2:
        return f"00{code}"
    return code


@dataclass(frozen=True)
class Summary:
    """Computed by Mellanrum from Kolada values."""

    count: int
    median: float | None
    lower_quartile: float | None
    upper_quartile: float | None
    minimum: float | None
    maximum: float | None


def summarise(values: Iterable[float]) -> Summary:
    data = sorted(values)
    if not data:
        return Summary(0, None, None, None, None, None)
    if len(data) == 1:
        return Summary(1, data[0], data[0], data[0], data[0], data[0])
    q1, q2, q3 = statistics.quantiles(data, n=4, method="inclusive")
    return Summary(len(data), q2, q1, q3, data[0], data[-1])


def median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


@dataclass(frozen=True)
class Row:
    organisation: Organisation
    value: float | None
    status: str
    source: str = ""  # empty: fetched from Kolada


def attribution(sources: Iterable[str]) -> str:
    """"Källa: Kolada", or the sources of values the demo stored from shipped files."""
    named = sorted({s for s in sources if s})
    return "Källa: " + "; ".join(named) if named else "Källa: Kolada"


def synced_kpis() -> list[dict[str, object]]:
    """KPIs with stored values: id, title, number of values and the years they span."""
    rows = (
        KoladaValue.objects.values("kpi_id")
        .annotate(n=Count("id"), first=Min("year"), last=Max("year"))
        .order_by("kpi_id")
    )
    known = catalogue.catalogue()
    return [
        {**row, "title": known[row["kpi_id"]].title if row["kpi_id"] in known else ""}
        for row in rows
    ]


def years_of(kpi_id: str) -> list[int]:
    return sorted(
        KoladaValue.objects.filter(kpi_id=kpi_id).values_list("year", flat=True).distinct(),
        reverse=True,
    )


def kpi_rows(
    kpi_id: str, year: int, gender: str, organisations: Iterable[Organisation]
) -> list[Row]:
    """One row per organisation that Kolada has a value (or an empty value) for."""
    by_code = {kolada_code(o): o for o in organisations}
    stored = KoladaValue.objects.filter(
        kpi_id=kpi_id, year=year, gender=gender, municipality_code__in=list(by_code)
    )
    return [Row(by_code[v.municipality_code], v.value, v.status, v.source) for v in stored]


SERIES = ("own", "similar", "country")


@dataclass(frozen=True)
class Series:
    kpi: catalogue.Kpi | None
    kpi_id: str
    # year -> (the organisation's value (Kolada), median of its similar municipalities
    # (computed), median of all municipalities or regions (computed))
    years: list[tuple[int, float | None, float | None, float | None]]
    similar_count: int
    attribution: str = "Källa: Kolada"


def organisation_series(organisation: Organisation, limit: int = 12) -> list[Series]:
    """Each synced KPI of the organisation as a time series beside two computed medians."""
    code = kolada_code(organisation)
    kpi_ids = list(
        KoladaValue.objects.filter(municipality_code=code, gender="T")
        .values_list("kpi_id", flat=True).distinct().order_by("kpi_id")[:limit]
    )
    if not kpi_ids:
        return []
    group = catalogue.similar_to(code)
    similar_codes = set(group.similar) if group else set()
    same_kind = {c for c, kind in _kinds_by_kolada_code().items() if kind == organisation.kind}
    values, sources = _kpi_values(tuple(kpi_ids))
    known = catalogue.catalogue()
    result = []
    for kpi_id in kpi_ids:
        years = sorted({y for k, y in values if k == kpi_id})
        points = []
        for year in years:
            by_code = values[(kpi_id, year)]
            own = by_code.get(code)
            similar = [by_code[c] for c in similar_codes if c in by_code]
            country = [v for c, v in by_code.items() if c in same_kind]
            points.append((year, own, median(similar), median(country)))
        result.append(Series(known.get(kpi_id), kpi_id, points, len(similar_codes),
                             attribution(sources.get(kpi_id, ()))))
    return result


# Every organisation page with a Kolada panel reads the same few hundred values and the kind
# of every municipality and region: kept per process with the data versions of what they were
# read from (core/page_cache.py), so that a sync or a changed organisation is seen at once.
# Only read once made: the request threads share them.
_MEMO: dict[object, object] = {}


def _kinds_by_kolada_code() -> dict[str, str]:
    def read() -> dict[str, str]:
        return {_kolada_code(code, kind): kind for code, kind in Organisation.objects.filter(
            kind__in=[Organisation.Kind.MUNICIPALITY, Organisation.Kind.REGION]
        ).values_list("code", "kind")}

    return remember(_MEMO, "kinds", read)  # type: ignore[no-any-return]


KpiValues = dict[tuple[str, int], dict[str, float]]


def _kpi_values(kpi_ids: tuple[str, ...]) -> tuple[KpiValues, dict[str, set[str]]]:
    """(KPI, year) -> Kolada code -> value, and each KPI's sources, for everyone (gender T)."""
    def read() -> tuple[KpiValues, dict[str, set[str]]]:
        values: KpiValues = defaultdict(dict)
        sources: dict[str, set[str]] = defaultdict(set)
        for kpi_id, year, municipality_code, value, source in (
            KoladaValue.objects.filter(kpi_id__in=kpi_ids, gender="T").exclude(value=None)
            .values_list("kpi_id", "year", "municipality_code", "value", "source")
        ):
            values[(kpi_id, year)][municipality_code] = value  # type: ignore[assignment]
            sources[kpi_id].add(source)
        return dict(values), dict(sources)

    return remember(_MEMO, ("values", kpi_ids), read, size=100)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class SimilarArea:
    area: str
    reference_year: int
    similar: list[tuple[str, str, bool]]  # (code, name, also among Mellanrum's most alike)
    agree: int


def mellanrum_most_alike(organisation: Organisation, k: int = 7) -> set[str]:
    """Codes of the organisations Mellanrum's own measure finds most alike (needs a login:
    it draws on the activities organisations describe)."""
    from mellanrum.commonality.analysis import similar_to

    return {n.organisation.code for n in similar_to(organisation, k=k)}


def similar_by_area(organisation: Organisation, *, compare: bool) -> list[SimilarArea]:
    names = dict(
        Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY)
        .values_list("code", "name")
    )
    ours = mellanrum_most_alike(organisation) if compare else set()
    result = []
    for area in catalogue.SIMILAR_AREAS:
        group = catalogue.similar_to(organisation.code, area)
        if group is None:
            continue
        similar = [(c, names.get(c) or catalogue.kolada_codes().get(c, c), c in ours)
                   for c in group.similar]
        result.append(SimilarArea(area, group.reference_year, similar,
                                  sum(1 for _c, _n, also in similar if also)))
    return result


# --- Concepts and KPIs -------------------------------------------------------------------------

_WORD = re.compile(r"[a-zåäöé]{4,}")
# Words too common in KPI titles to say anything about a concept.
_COMMON = {"kommun", "kommunen", "antal", "andel", "totalt", "kostnad", "region", "invånare",
           "personer", "enligt", "samt", "eller", "inom", "över", "under", "från", "till"}


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.casefold()) if w not in _COMMON}


@dataclass(frozen=True)
class _KpiStems:
    kpis: list[catalogue.Kpi]
    title: list[frozenset[str]]
    description: list[frozenset[str]]
    by_stem: dict[str, list[int]]  # stem -> the KPIs whose title or description has it


@cache
def _kpi_stems() -> _KpiStems:
    """Every KPI with the stems of its title and description, and which KPIs have each stem,
    worked out once per process: the concept page asks for suggestions on every view, and
    the catalogue does not change while the app runs."""
    kpis = list(catalogue.catalogue().values())
    title = [frozenset(w[:6] for w in _words(kpi.title)) for kpi in kpis]
    description = [frozenset(w[:6] for w in _words(kpi.description)) for kpi in kpis]
    by_stem: dict[str, list[int]] = defaultdict(list)
    for index, stems in enumerate(zip(title, description, strict=True)):
        for stem in stems[0] | stems[1]:
            by_stem[stem].append(index)
    return _KpiStems(kpis, title, description, dict(by_stem))


def warm_up() -> None:
    """Works out the per-process catalogue data before the first request needs it."""
    _kpi_stems()


def suggest_kpis(label: str, terms: Sequence[str], limit: int = 5) -> list[catalogue.Kpi]:
    """KPIs whose title (twice as much) and description share words with the concept's label
    and terms; words are compared by their first six letters, so "bygglov"/"bygglovet"
    match."""
    wanted = {w[:6] for w in _words(" ".join([label, *terms]))}
    if not wanted:
        return []
    stems = _kpi_stems()
    sharing = {index for stem in wanted for index in stems.by_stem.get(stem, ())}
    scored = []
    for index in sharing:
        title = stems.title[index]
        score = 2 * len(wanted & title) + len(wanted & stems.description[index] - title)
        if score >= 2:
            kpi = stems.kpis[index]
            scored.append((-score, kpi.id, kpi))
    return [kpi for _score, _id, kpi in sorted(scored)[:limit]]


# A self-reported figure and Kolada's disagree strongly when one is more than this many times
# the other.
DISAGREEMENT_RATIO = 2.0


def comparable_measure(kpi: catalogue.Kpi) -> str:
    """Which self-reported figure a KPI can be compared with: its unit decides."""
    title = kpi.title.casefold()
    if "kr/inv" in title:
        return "cost_per_inhabitant"
    if "dagar" in title:
        return "lead_time_days"
    return ""


def disagrees(own: float | None, official: float | None) -> bool:
    if own is None or official is None or own <= 0 or official <= 0:
        return False
    return max(own, official) / min(own, official) > DISAGREEMENT_RATIO


@dataclass(frozen=True)
class ConceptFigure:
    organisation: Organisation
    cost_per_inhabitant: float | None
    lead_time_days: float | None
    official: float | None
    official_year: int | None
    disagrees: bool


def concept_figures(kpi: catalogue.Kpi, members: Iterable[tuple[Organisation, float | None,
                                                                  float | None]]
                    ) -> list[ConceptFigure]:
    """Per organisation: self-reported cost per inhabitant and lead time beside Kolada's latest
    value of the KPI, flagged where they disagree strongly."""
    members = list(members)
    codes = {kolada_code(o): o for o, _c, _l in members}
    latest: dict[str, tuple[int, float | None]] = {}
    for v in KoladaValue.objects.filter(kpi_id=kpi.id, gender="T",
                                        municipality_code__in=list(codes)).order_by("year"):
        latest[v.municipality_code] = (v.year, v.value)
    measure = comparable_measure(kpi)
    result = []
    for organisation, cost, lead in members:
        year, official = latest.get(kolada_code(organisation), (None, None))
        own = cost if measure == "cost_per_inhabitant" else (
            lead if measure == "lead_time_days" else None)
        result.append(ConceptFigure(organisation, cost, lead, official, year,
                                    disagrees(own, official)))
    return result


# --- "My similar municipalities" for a concept ---------------------------------------------------

# Words in a KPI's operating area, or in a concept's name, and the Kolada similarity area that
# fits them (first match wins); everything else is compared on the overall similarity.
AREA_WORDS = [
    ("äldre", "äldreomsorg"), ("hemtjänst", "äldreomsorg"), ("särskilt boende", "äldreomsorg"),
    ("funktionshind", "LSS"), ("lss", "LSS"), ("grundskol", "grundskola"),
    ("förskol", "förskola"), ("fritidshem", "fritidshem"), ("gymnasie", "gymnasieskola"),
    ("ekonomiskt bistånd", "ekonomiskt bistånd"), ("försörjningsstöd", "ekonomiskt bistånd"),
    ("individ- och familjeomsorg", "IFO"), ("socialtjänst", "IFO"),
    ("räddningstjänst", "räddningstjänst"), ("arbetsmarknad", "arbetsmarknad"),
]


def _area_of(text: str) -> str | None:
    folded = text.casefold()
    for word, area in AREA_WORDS:
        if word in folded:
            return area
    return None


def concept_area(concept_id: str, label: str) -> str:
    """The Kolada similarity area that fits a concept: from its confirmed KPIs' operating
    area, else from its name, else the overall similarity."""
    from .models import ConceptKpi

    known = catalogue.catalogue()
    for kpi_id in ConceptKpi.objects.filter(concept_id=concept_id).values_list("kpi_id",
                                                                               flat=True):
        if kpi_id in known and (area := _area_of(known[kpi_id].operating_area)):
            return area
    return _area_of(label) or "övergripande"


def my_similar(organisation: Organisation | None, concept_id: str, label: str
               ) -> tuple[str, set[str]] | None:
    """The area and the codes (the organisation's own and Kolada's 7 similar municipalities)
    of "my similar municipalities" for a concept; None when the organisation is no
    municipality."""
    if organisation is None or organisation.kind != Organisation.Kind.MUNICIPALITY:
        return None
    area = concept_area(concept_id, label)
    group = catalogue.similar_to(organisation.code, area) or catalogue.similar_to(
        organisation.code)
    if group is None:
        return None
    return group.area, {organisation.code, *group.similar}
