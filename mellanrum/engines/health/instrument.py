"""The collaboration health instrument: short statements grouped into success factors.

The statements are Mellanrum's own wording, written for Swedish public-sector collaborations;
the factors follow the research on what makes collaborations succeed (see ``docs/health.md``).
No published questionnaire's wording is used.

Every text is kept in Swedish and English *inside the definition* rather than in the
translation catalogue: the wording is part of a versioned instrument, and results from two
rounds are comparable only when both used the same statements. A change of wording therefore
means a new version, never a silent catalogue edit.

Examples
--------
>>> v1 = get_instrument("2026.1")
>>> len(v1.items), len(v1.factors)
(21, 8)
>>> v1.factor_of("benefit_more_out")
'own_benefit'
>>> v1.item("benefit_more_out").text("en")
'My organisation gets more out of the collaboration than it puts in.'
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CURRENT_VERSION",
    "INSTRUMENTS",
    "SCALE_MAX",
    "SCALE_MIN",
    "Factor",
    "Instrument",
    "Item",
    "ScalePoint",
    "get_instrument",
]

SCALE_MIN = 1
SCALE_MAX = 5


@dataclass(frozen=True)
class Factor:
    key: str
    sv: str
    en: str

    def text(self, language: str) -> str:
        return self.en if language.startswith("en") else self.sv


@dataclass(frozen=True)
class Item:
    key: str
    factor: str
    sv: str
    en: str

    def text(self, language: str) -> str:
        return self.en if language.startswith("en") else self.sv


@dataclass(frozen=True)
class ScalePoint:
    value: int | None  # None is "vet ej" (don't know)
    sv: str
    en: str

    def text(self, language: str) -> str:
        return self.en if language.startswith("en") else self.sv


@dataclass(frozen=True)
class Instrument:
    version: str
    factors: tuple[Factor, ...]
    items: tuple[Item, ...]
    scale: tuple[ScalePoint, ...]
    benefit_factor: str

    def __post_init__(self) -> None:
        keys = [f.key for f in self.factors]
        if len(set(keys)) != len(keys):
            raise ValueError("factor keys must be unique")
        items = [i.key for i in self.items]
        if len(set(items)) != len(items):
            raise ValueError("item keys must be unique")
        unknown = {i.factor for i in self.items} - set(keys)
        if unknown:
            raise ValueError(f"items refer to unknown factors: {sorted(unknown)}")
        if self.benefit_factor not in keys:
            raise ValueError("the benefit factor must be one of the factors")

    @property
    def item_keys(self) -> tuple[str, ...]:
        return tuple(i.key for i in self.items)

    def item(self, key: str) -> Item:
        for item in self.items:
            if item.key == key:
                return item
        raise KeyError(key)

    def factor(self, key: str) -> Factor:
        for factor in self.factors:
            if factor.key == key:
                return factor
        raise KeyError(key)

    def factor_of(self, item_key: str) -> str:
        return self.item(item_key).factor

    def items_of(self, factor_key: str) -> tuple[Item, ...]:
        return tuple(i for i in self.items if i.factor == factor_key)


_SCALE = (
    ScalePoint(1, "Instämmer inte alls", "Do not agree at all"),
    ScalePoint(2, "Instämmer i liten grad", "Agree to a small extent"),
    ScalePoint(3, "Instämmer delvis", "Partly agree"),
    ScalePoint(4, "Instämmer i stor grad", "Agree to a large extent"),
    ScalePoint(5, "Instämmer helt", "Fully agree"),
    ScalePoint(None, "Vet ej", "Don't know"),
)

_V1 = Instrument(
    version="2026.1",
    benefit_factor="own_benefit",
    scale=_SCALE,
    factors=(
        Factor("shared_vision", "Gemensam målbild", "Shared vision and goals"),
        Factor("trust", "Tillit och respekt", "Mutual trust and respect"),
        Factor("roles", "Tydliga roller och spelregler", "Clear roles and rules"),
        Factor("resources", "Tillräckliga resurser", "Adequate resources"),
        Factor("communication", "Öppen kommunikation", "Open communication"),
        Factor("leadership", "Ledning", "Leadership"),
        Factor("own_benefit", "Nytta för den egna organisationen",
               "Benefit for one's own organisation"),
        Factor("compromise", "Vilja att kompromissa", "Willingness to compromise"),
    ),
    items=(
        Item("vision_agree", "shared_vision",
             "Vi är överens om vad samverkan ska uppnå.",
             "We agree on what the collaboration is meant to achieve."),
        Item("vision_followup", "shared_vision",
             "Målen för samverkan är så tydliga att de går att följa upp.",
             "The goals of the collaboration are clear enough to be followed up."),
        Item("vision_own", "shared_vision",
             "Min organisation ser samverkans mål som sina egna.",
             "My organisation sees the collaboration's goals as its own."),
        Item("trust_promises", "trust",
             "Parterna gör det de har lovat.",
             "The partners do what they have promised."),
        Item("trust_raise", "trust",
             "Jag kan ta upp problem utan att det slår tillbaka mot min organisation.",
             "I can raise problems without it backfiring on my organisation."),
        Item("trust_expertise", "trust",
             "Parternas olika kunskaper tas till vara.",
             "The partners' different kinds of knowledge are put to use."),
        Item("roles_who", "roles",
             "Det är tydligt vem som gör vad.",
             "It is clear who does what."),
        Item("roles_decisions", "roles",
             "Jag vet hur beslut fattas i samverkan och av vem.",
             "I know how decisions in the collaboration are made, and by whom."),
        Item("roles_kept", "roles",
             "De överenskomna spelreglerna följs även när det blir svårt.",
             "The agreed rules are kept even when things get difficult."),
        Item("resources_enough", "resources",
             "Samverkan har den tid och de pengar som arbetet kräver.",
             "The collaboration has the time and money the work requires."),
        Item("resources_people", "resources",
             "Min organisation har avsatt de medarbetare som behövs.",
             "My organisation has set aside the staff that are needed."),
        Item("resources_fair", "resources",
             "Arbetet är rimligt fördelat mellan parterna.",
             "The work is fairly shared between the partners."),
        Item("communication_timely", "communication",
             "Jag får den information jag behöver i tid.",
             "I get the information I need in time."),
        Item("communication_open", "communication",
             "Vi säger vad vi tycker, också när vi inte håller med varandra.",
             "We say what we think, also when we disagree with each other."),
        Item("leadership_together", "leadership",
             "Samverkan leds så att parterna hålls samman.",
             "The collaboration is led in a way that keeps the partners together."),
        Item("leadership_progress", "leadership",
             "De som leder arbetet ser till att det går framåt.",
             "Those who lead the work make sure it moves forward."),
        Item("benefit_more_out", "own_benefit",
             "Min organisation får ut mer av samverkan än den lägger in.",
             "My organisation gets more out of the collaboration than it puts in."),
        Item("benefit_visible", "own_benefit",
             "Nyttan för min organisation syns redan eller är tydligt planerad.",
             "The benefit for my organisation is already visible or clearly planned."),
        Item("benefit_continue", "own_benefit",
             "Min ledning skulle välja att fortsätta samverkan.",
             "My management would choose to continue the collaboration."),
        Item("compromise_give", "compromise",
             "Parterna är beredda att ge och ta för att nå de gemensamma målen.",
             "The partners are prepared to give and take to reach the shared goals."),
        Item("compromise_clash", "compromise",
             "Vi hittar lösningar när parternas intressen krockar.",
             "We find solutions when the partners' interests clash."),
    ),
)

INSTRUMENTS: dict[str, Instrument] = {_V1.version: _V1}
CURRENT_VERSION = _V1.version


def get_instrument(version: str = CURRENT_VERSION) -> Instrument:
    """The instrument of this version; a round keeps the version it was opened with."""
    try:
        return INSTRUMENTS[version]
    except KeyError:
        raise KeyError(f"unknown instrument version: {version!r}") from None
