"""The starter catalogue (reads only): the shared concepts of the current analysis, grouped by
KLASSA area, as a list an organisation ticks to start its own activities from.

Each concept is offered under its most common name, kind and category among the activities
that make it up; a concept the organisation already has an activity for (a member of the
concept, or an activity with the same name) is marked as present. ``actions.py`` writes.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from mellanrum.landscape.models import Activity, Category, Organisation
from mellanrum.landscape.spreadsheet import normalise_name

from .models import AnalysisRun, Concept, Membership

__all__ = ["StarterArea", "StarterConcept", "catalogue", "present_concepts"]

# A concept is "shared" when at least this many organisations do it.
MIN_ORGANISATIONS = 2


@dataclass
class StarterConcept:
    concept: Concept
    name: str
    kind: str
    category: Category | None
    volume_unit: str
    organisations: int
    present: bool


@dataclass
class StarterArea:
    code: str
    label: str
    concepts: list[StarterConcept] = field(default_factory=list)


def _area_of(category: Category | None, categories: dict[int, Category]) -> Category | None:
    seen: set[int] = set()
    while category is not None and category.parent_id is not None and category.pk not in seen:
        seen.add(category.pk)
        category = categories.get(category.parent_id)
    return category


def _most_common(values: list[str]) -> str:
    # Counter keeps first-seen order among equals; sorting the input makes ties predictable.
    return Counter(sorted(values)).most_common(1)[0][0] if values else ""


def present_concepts(run: AnalysisRun, organisation: Organisation) -> set[int]:
    """Primary keys of the run's concepts the organisation already has an activity for."""
    members = set(
        Membership.objects.filter(concept__run=run, activity__organisation=organisation)
        .values_list("concept_id", flat=True)
    )
    own_names = {normalise_name(n) for n in organisation.activities.values_list("name", flat=True)}
    if not own_names:
        return members
    for concept_pk, name in Membership.objects.filter(concept__run=run).values_list(
        "concept_id", "activity__name"
    ):
        if normalise_name(name) in own_names:
            members.add(concept_pk)
    return members


def catalogue(run: AnalysisRun, organisation: Organisation) -> list[StarterArea]:
    """The run's shared concepts by KLASSA area (areas by code, concepts most common first)."""
    concepts = list(
        Concept.objects.filter(run=run, organisations__gte=MIN_ORGANISATIONS)
        .order_by("-organisations", "label")
    )
    facts: dict[int, list[tuple[str, str, int | None, str]]] = {c.pk: [] for c in concepts}
    for concept_pk, name, kind, category_pk, unit in Membership.objects.filter(
        concept__in=concepts
    ).values_list("concept_id", "activity__name", "activity__kind", "activity__category_id",
                  "activity__volume_unit"):
        facts[concept_pk].append((name, kind, category_pk, unit))
    categories = {c.pk: c for c in Category.objects.all()}
    present = present_concepts(run, organisation)
    areas: dict[str, StarterArea] = {}
    for concept in concepts:
        rows = facts[concept.pk]
        category_codes = [str(r[2]) for r in rows if r[2] is not None]
        category = categories.get(int(_most_common(category_codes))) if category_codes else None
        area = _area_of(category, categories)
        key = area.code if area else ""
        if key not in areas:
            areas[key] = StarterArea(
                code=key, label=area.label if area else _("Without a KLASSA area")
            )
        areas[key].concepts.append(StarterConcept(
            concept=concept,
            name=_most_common([r[0] for r in rows]) or concept.label,
            kind=_most_common([r[1] for r in rows]) or Activity.Kind.SERVICE,
            category=category,
            volume_unit=_most_common([r[3] for r in rows if r[3]]),
            organisations=concept.organisations,
            present=concept.pk in present,
        ))
    # Areas in KLASSA order; concepts without an area last.
    return sorted(areas.values(), key=lambda a: (a.code == "", _code_key(a.code)))


def _code_key(code: str) -> tuple[int, ...]:
    return tuple(int(p) if p.isdigit() else 0 for p in code.split("."))
