"""What kind of task an activity is, what the law allows for sharing it, and which concepts
are whole core mandates rather than shareable parts (see docs/collaboration-law.md)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "NATURES",
    "SHARING",
    "Nature",
    "Sharing",
    "concept_nature",
    "default_nature",
    "is_core_mandate",
    "klassa_area",
]

Nature = Literal["myndighetsutovning", "service", "internal_support", "eservice",
                 "infrastructure"]
NATURES: tuple[Nature, ...] = ("myndighetsutovning", "service", "internal_support", "eservice",
                               "infrastructure")


@dataclass(frozen=True)
class Sharing:
    """What the law allows for one nature of task.

    Attributes
    ----------
    factor : float
        How freely the task can be shared (1 = by a plain agreement, lower = it needs a
        joint committee, a federation or a special law); multiplies the opportunity score.
    forms : tuple of str
        Arrangement forms that fit without special legislation.
    sv, en : str
        One sentence for the opportunity list, naming the law.
    """

    factor: float
    forms: tuple[str, ...]
    sv: str
    en: str


SHARING: dict[str, Sharing] = {
    "internal_support": Sharing(
        1.0, ("avtalssamverkan", "gemensam_namnd", "kommunalforbund", "bolag", "upphandlad"),
        "internt stöd kan delas genom avtalssamverkan (KL 9 kap. 37 §)",
        "internal support can be shared by agreement (Local Government Act 9:37)"),
    "eservice": Sharing(
        1.0, ("avtalssamverkan", "gemensam_namnd", "kommunalforbund", "bolag", "upphandlad"),
        "en e-tjänst kan byggas och drivas gemensamt genom avtalssamverkan (KL 9 kap. 37 §)",
        "an e-service can be built and run jointly by agreement (Local Government Act 9:37)"),
    "infrastructure": Sharing(
        0.8, ("kommunalforbund", "bolag", "avtalssamverkan", "gemensam_namnd"),
        "infrastruktur delas ofta i kommunalförbund (KL 9 kap. 3 §) eller gemensamt bolag",
        "infrastructure is often shared in a federation (Local Government Act 9:3) or a "
        "jointly owned company"),
    "service": Sharing(
        0.8, ("avtalssamverkan", "gemensam_namnd", "kommunalforbund", "upphandlad"),
        "service till invånare kan utföras av en annan kommun genom avtalssamverkan "
        "(KL 9 kap. 37 §)",
        "a service to residents can be performed by another municipality by agreement "
        "(Local Government Act 9:37)"),
    "myndighetsutovning": Sharing(
        0.5, ("gemensam_namnd", "kommunalforbund"),
        "myndighetsutövning delas i gemensam nämnd (KL 9 kap. 19 §) eller kommunalförbund "
        "(KL 9 kap. 3 §); till andra bara där en lag tillåter det",
        "exercise of public authority is shared in a joint committee (Local Government Act "
        "9:19) or a federation (9:3); handed to others only where a law allows it"),
}

# Words (stems) in a name that mark a decision about someone's rights or duties.
_AUTHORITY_WORDS = (
    "tillstånd", "lov", "tillsyn", "dispens", "förhandsbesked", "kontroll", "bistånd",
    "utredning", "orosanmälan", "anmälan", "överförmyndar", "familjerätt", "föreläggande",
    "bostadsanpassning", "registrering", "beslut", "mottagande i", "försörjningsstöd",
)
# Laws whose named tasks are, in the main, decisions in individual cases.
_AUTHORITY_LAWS = (
    "plan- och bygglagen", "plan- och byggförordningen", "livsmedelslagen", "alkohollagen",
    "tobak", "spellagen", "brandfarliga", "färdtjänst", "bostadsanpassningsbidrag",
    "föräldrabalken", "receptfria",
)
_INFRASTRUCTURE_CATEGORIES = ("3.3.3", "3.3.4", "2.2.3", "2.6.")
_INFRASTRUCTURE_WORDS = (
    "drift", "vatten", "avlopp", "gatu", "väg", "belysning", "snöröjning", "sophämtning",
    "slamtömning", "återvinningscentral", "fastighetsunderhåll", "va-",
)


def _fold(text: str) -> str:
    return " ".join(text.casefold().replace("–", " ").split())


def _has_word(text: str, stems: Iterable[str]) -> bool:
    words = text.split()
    for stem in stems:
        if " " in stem or stem.endswith("-"):
            if stem in text:
                return True
        elif stem == "lov":  # bygglov, rivningslov, marklov; not "lovskola"
            if any(w.endswith("lov") for w in words):
                return True
        elif any(stem in w for w in words):
            return True
    return False


def default_nature(category_code: str, kind: str, name: str, legal_basis: str = "") -> Nature:
    """The nature an activity has unless someone sets another.

    Decisions in individual cases (permits, supervision, needs assessments) are
    myndighetsutövning; then e-services; then infrastructure (water, waste, streets, IT
    operations, premises); KLASSA's steering and support areas (1.x, 2.x) and internal
    processes are internal support; the rest is service to residents.

    Examples
    --------
    >>> default_nature("3.1.5", "service", "Ansökan om bygglov")
    'myndighetsutovning'
    >>> default_nature("3.5.4", "eservice", "Skolval")
    'eservice'
    >>> default_nature("3.3.3", "service", "Dricksvatten och avlopp")
    'infrastructure'
    >>> default_nature("2.3.6", "process", "Lönehantering")
    'internal_support'
    >>> default_nature("3.6.2", "service", "Bibliotek")
    'service'
    """
    folded = _fold(name)
    law = legal_basis.casefold()
    if _has_word(folded, _AUTHORITY_WORDS) or any(w in law for w in _AUTHORITY_LAWS):
        return "eservice" if kind == "eservice" and "anmälan" not in folded \
            and not _has_word(folded, ("tillstånd", "lov")) else "myndighetsutovning"
    if kind == "eservice":
        return "eservice"
    if category_code.startswith(_INFRASTRUCTURE_CATEGORIES) or _has_word(
        folded, _INFRASTRUCTURE_WORDS
    ):
        return "infrastructure"
    if category_code[:2] in {"1.", "2."} or kind == "process":
        return "internal_support"
    return "service"


def concept_nature(natures: Iterable[str]) -> str:
    """The members' most common nature; ties go to the stricter one (NATURES order).

    >>> concept_nature(["service", "myndighetsutovning", "service"])
    'service'
    >>> concept_nature(["service", "myndighetsutovning"])
    'myndighetsutovning'
    >>> concept_nature([])
    ''
    """
    counts = Counter(n for n in natures if n in NATURES)
    if not counts:
        return ""
    return max(counts, key=lambda n: (counts[n], -NATURES.index(n)))


# A school form or a whole care form, as municipalities name it: not one opportunity but a
# mandate whose parts (school choice, meals, transport, admission) are.
_CORE_MANDATES = (
    "förskola", "förskolan", "förskoleverksamhet", "förskoleklass", "förskoleklassen",
    "sexårsverksamhet", "grundskola", "grundskolan", "grundskoleutbildning", "gymnasieskola",
    "gymnasieskolan", "gymnasieutbildning", "gymnasium", "anpassad grundskola",
    "grundsärskola", "särskola", "anpassad gymnasieskola", "gymnasiesärskola", "fritidshem",
    "fritids", "äldreomsorg", "äldreomsorgen", "särskilt boende", "äldreboende",
    "vård- och omsorgsboende", "boende för äldre", "säbo", "hemtjänst", "stöd i hemmet",
    "hjälp i hemmet",
    # Each municipality's own political bodies and elections: not shareable at all.
    "kommunfullmäktige", "fullmäktige", "allmänna val", "val", "valnämnd", "kommunstyrelse",
)
_CORE_PATTERN = re.compile(
    r"^(?:kommunal |kommunala )?(?:" + "|".join(re.escape(c) for c in _CORE_MANDATES)
    + r")(?: (?:åk|för|\d).*)?$"
)


def is_core_mandate(names: Sequence[str]) -> bool:
    """Whether most of a concept's member names name a whole school or care form.

    >>> is_core_mandate(["Grundskola", "Kommunal grundskola", "Grundskola åk 1–9"])
    True
    >>> is_core_mandate(["Skolval", "Välj skola"])
    False
    >>> is_core_mandate(["Hemtjänst", "Ansök om hemtjänst", "Ansökan om hemtjänst"])
    False
    """
    if not names:
        return False
    hits = sum(1 for n in names if _CORE_PATTERN.match(_fold(n)))
    return hits * 2 > len(names)


def klassa_area(category_codes: Iterable[str]) -> str:
    """The most common KLASSA verksamhetsområde (the first two levels, e.g. ``3.5``).

    >>> klassa_area(["3.5.4", "3.5.6", "3.1.5", ""])
    '3.5'
    """
    counts = Counter(".".join(c.split(".")[:2]) for c in category_codes if c.count(".") >= 1)
    if not counts:
        return ""
    return max(sorted(counts), key=lambda a: counts[a])
