"""Cues: words that speak for or against a life event whatever else the sentence says
(plain Python, no Django).

The finder reads them in the words as written (colloquial words spelled out, before the
spelling repair: a compound it splits, "ledstänger" → "stänger", is no cue).  A negative cue
multiplies an event's score by its factor (the strongest cue against an event counts); a
positive cue takes the score a share of the way to 1.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["AGE_CUES", "AGE_LIFTS", "NEGATIVE_CUES", "POSITIVE_CUES", "against", "lifted"]

# A business one has: "min enskilda firma", "har ett aktiebolag", "som egenföretagare".
_OWNS = (r"(?:\b(?:min|mitt|vår|vårt|my|our)\s+(?:egen\s+|eget\s+|own\s+|enskilda\s+)?"
         r"(?:firma|företag|företaget|bolag|ab|aktiebolag|business|company|firm)\b"
         r"|\bhar\s+(?:en\s+|ett\s+)?(?:enskild\s+firma|aktiebolag|eget\s+företag|firma)\b"
         r"|\bsom\s+egenföretagare\b)")
# An employee speaking of the workplace: "jag jobbar på", "där jag jobbat", "min
# arbetsgivare", "my employer", "the company I work for".
_EMPLOYEE = (r"\b(?:jag|vi|han|hon)\s+(?:har\s+)?(?:jobb(?:ar|at|ade)|arbet(?:ar|at|ade)"
             r"|knegar|knegat|varit\s+anställd|är\s+anställd)\s+(?:på|i|för|hos|vid)\b"
             r"|\bdär\s+(?:jag|vi|han|hon)\s+(?:har\s+)?(?:jobb(?:ar|at|ade)|arbet(?:ar|at|ade))\b"
             r"|\b(?:min|vår|hans|hennes)\s+arbetsgivare\b|\bmy\s+employer\b"
             r"|\b(?:company|firm)\s+I\s+work(?:ed)?\s+(?:for|at)\b|\bwhere\s+I\s+work\b")
# Words of ending a business (also a positive cue, below).
_ENDING = (r"(?:stäng\w*|lägg\w*\s+(?:\w+\s+)?ne[rd]|la(?:de|gt)?\s+ne[rd]|läggs?\s+ner"
           r"|läggas\s+ner|avveckl\w*|avsluta\w*|upphör\w*|slå\w*\s+igen|clos(?:e|es|ed|ing)"
           r"|shut\w*(?:\s+down)?|wind\w*\s+up)")
# The factors of round 7's negative cues and the shares of its positive cues (below).
EMPLOYEE_FACTOR = 0.5
OWNER_FACTOR = 0.7
HOME_FACTOR = 0.5
ELDERLY_FACTOR = 0.8
VIOLENCE_SHARE = 0.3
EMPLOYEE_SHARE = 0.3
CLOSING_SHARE = 0.3
DISTURBANCE_SHARE = 0.3
# Negative evidence: words that speak against some life events, and the factor their score
# is multiplied by.  Something that can no longer be done ("kan inte köra bil längre") is a
# loss, not a beginning; an adult does not start upper secondary school as a pupil.
_BEGINNINGS = ("ta-korkort", "fa-barn", "borja-forskola", "borja-skolan", "borja-gymnasiet",
               "starta-foretag", "oppna-restaurang", "gifta-sig")
NEGATIVE_CUES: tuple[tuple[re.Pattern[str], tuple[str, ...], float], ...] = (
    (re.compile(r"\b(?:inte|ej|aldrig)\b.*\blängre\b|\bno longer\b|\bany ?more\b",
                re.IGNORECASE), _BEGINNINGS, 0.6),
    (re.compile(r"\bvuxen|\badults?\b|\bgrown-?up\b", re.IGNORECASE),
     ("borja-gymnasiet", "borja-skolan", "borja-forskola"), 0.8),
    # Moving *out* (of a shared home, a flat, one's parents') is not moving to another
    # municipality: "han har flyttat ut", "måste flytta ut om en månad".
    (re.compile(r"\bflytta(?:r|t|de|)\s+(?:ut|isär|hemifrån)\b(?!\s+(?:på|till|ur)\b)"
                r"|\bmov(?:e|es|ed|ing)\s+out\b(?!\s+(?:to|of town)\b)", re.IGNORECASE),
     ("flytta-till-annan-kommun",), 0.75),
    # Closing a business is an ending, not a beginning: "stänga min enskilda firma", "how to
    # close my sole trader business" share their business words with starting one.
    (re.compile(r"\b(?:stäng(?:a|er|de|t|s)?|lägg(?:a|er)\s+ne[rd]|la(?:de|gt)?\s+ne[rd]"
                r"|avveckl\w*|avsluta(?:r|de|t)?|slå(?:r)?\s+igen|upphör\w*"
                r"|clos(?:e|es|ed|ing)|shut(?:s|ting)?(?:\s+down)?|wind(?:ing)?\s+up)\b",
                re.IGNORECASE), ("starta-foretag", "oppna-restaurang"), 0.6),
    # An employee speaking of the workplace ("firman jag jobbar på har gått i konkurs",
    # "företaget där jag jobbat i femton år", "my employer"): the business that closes or
    # shrinks is someone else's, so the person loses a job rather than closing a business
    # or hiring.
    (re.compile(rf"{_EMPLOYEE}"
                r"|\b(?:arbetsplatsen|jobbet)\s+(?:ska\s+)?(?:läggs?|lägger|flyttar|stänger)\b",
                re.IGNORECASE), ("avveckla-foretag", "anstalla-forsta"), EMPLOYEE_FACTOR),
    # A business one already has ("min enskilda firma har fått så mycket jobb", "har
    # enskild firma och vill anställa", "föräldrapeng som egenföretagare", "my company") is
    # not being started, unless the words say so ("starta mitt företag").
    (re.compile(r"^(?!.*\b(?:start\w*|registrera\w*|öppna\w*|dra\s+igång|drar\s+igång"
                rf"|set\s+up|setting\s+up|register\w*|bli|blir)\b).*{_OWNS}",
                re.IGNORECASE | re.DOTALL), ("starta-foretag",), OWNER_FACTOR),
    # ... nor closed, when no word says it ends ("min enskilda firma har fått så mycket jobb
    # att jag inte hinner själv", "har enskild firma och vill ge min kusin en fast tjänst").
    (re.compile(rf"^(?!.*(?:\b{_ENDING}\b|konkurs|sälj|går\s+(?:back|dåligt|inte\s+runt"
                rf"|inte\s+ihop)|pension|slut|ge\s+upp|lägga\s+av|quit|sell|retire)).*{_OWNS}",
                re.IGNORECASE | re.DOTALL), ("avveckla-foretag",), OWNER_FACTOR),
    # An old person ("farmor kommer inte upp ur sängen", "bostadsanpassning för äldre"):
    # growing old and needing support at home rather than transport and aids alone.
    (re.compile(r"\b(?:farmor|mormor|farfar|morfar|gammelmormor|gammelfarmor|äldre"
                r"|pensionär\w*|grandma|grandpa|grandmother|grandfather|elderly)\b",
                re.IGNORECASE), ("behova-fardtjanst-och-hjalpmedel",), ELDERLY_FACTOR),
    # Something in the home one has ("kackerlackor i hyreslägenheten", "fukt i vår
    # hyresrätt", "mould in my flat"), or a lease one ends ("säga upp hennes
    # hyreslägenhet"): the person has a home and is not looking for one.
    (re.compile(r"\b(?:i|in)\s+(?:(?:min|mitt|vår|vårt|my|our|the)\s+(?:hyres)?"
                r"(?:lägenhet|hyresrätt|bostad|lya|flat|apartment|home)"
                r"|(?:hyres)?(?:lägenheten|hyresrätten|bostaden|lyan))\b"
                r"|\b(?:säga|säger|sagt|sade|sägas)\s+upp\s+(?:\w+\s+){0,2}(?:hyres)?"
                r"(?:lägenhet\w*|kontrakt\w*|hyresrätt\w*)", re.IGNORECASE),
     ("skaffa-bostad",), HOME_FACTOR),
)
# Positive evidence: words that together name a life event whatever else the sentence says,
# and the share of the way to 1 they take its score, unless the second pattern is found too.
# Closing a business: a word of ending near a word of a business ("vi stänger krogen för
# gott", "firman ska läggas ner", "closing down my shop"), unless the person is the one who
# loses a job there ("företaget har lagt ner och jag står utan arbete").
_BUSINESS = (r"(?:firm\w*|företag\w*|bolag\w*|ab|aktiebolag\w*|krog\w*|restaurang\w*|kafé\w*"
             r"|café\w*|fik\w*|butik\w*|affär\w*|salong\w*|verksamhet\w*|pizzeria\w*"
             r"|business\w*|company|companies|shop|restaurant|cafe)")
_JOB_LOSS = (r"\b(?:utan\s+(?:jobb|arbete)|uppsagd|arbetslös|av\s+med\s+jobbet|varsla\w*"
             rf"|lose\s+my\s+job|lost\s+my\s+job|jag\s+(?:jobbar|jobbat|arbetar|arbetat))\b"
             rf"|{_EMPLOYEE}")
POSITIVE_CUES: tuple[tuple[re.Pattern[str], re.Pattern[str] | None, str, float], ...] = (
    (re.compile(rf"\b{_ENDING}\b(?:\W+\w+){{0,4}}?\W+{_BUSINESS}\b"
                rf"|\b{_BUSINESS}\b(?:\W+\w+){{0,4}}?\W+{_ENDING}\b", re.IGNORECASE),
     re.compile(_JOB_LOSS, re.IGNORECASE), "avveckla-foretag", CLOSING_SHARE),
    # An employee's workplace that fails ("firman jag jobbar på har gått i konkurs", "my
    # employer went bankrupt"): the person loses a job (4 of 4 development rows).
    (re.compile(rf"(?=.*(?:{_EMPLOYEE}))(?=.*(?:konkurs|läggs?\s+ner|lägger\s+ner|stäng"
                r"|bankrupt|bust|clos|shut|varsl|drar\s+ner|uppsag|sparka|omkull))",
                re.IGNORECASE | re.DOTALL), None, "forlora-jobbet", EMPLOYEE_SHARE),
    # Violence or a threat from someone close, said outright ("he hits me and I have nowhere
    # to go", "ett ställe att bo där mitt ex inte hittar mig"): safety comes first, before the
    # home or the separation it leads to.
    (re.compile(r"\b(?:slår\s+mig|slog\s+mig|slagit\s+mig|hits\s+me|hit\s+me|beats\s+me"
                r"|misshand\w*|hotar\s+(?:mig|att)|hotade\s+mig|threaten\w*|abus\w*|våld\w*"
                r"|violen\w*|rädd\s+för\s+(?:honom|henne|min|mitt)|afraid\s+of\s+(?:him|her|my)"
                r"|scared\s+of\s+(?:him|her|my)|inte\s+hittar\s+mig|gömma\s+mig)",
                re.IGNORECASE), None, "vald-i-nara-relation", VIOLENCE_SHARE),
    # A disturbance where one lives: a neighbour's place ("under oss", "ovanför mig",
    # "genom väggen", "next door"), or a noise at night ("fläkten låter hela natten",
    # "borrar och bankar på nätterna"), whatever makes it (a restaurant, a fan, a party).
    (re.compile(r"\b(?:under\s+(?:oss|mig)|ovanför\s+(?:oss|mig)|bredvid\s+(?:oss|mig)"
                r"|genom\s+(?:väggen|väggarna|taket|golvet)|i\s+(?:trapphuset|trappuppgången)"
                r"|(?:above|below)\s+(?:us|me)|next\s+door|through\s+the\s+(?:wall|ceiling))\b"
                r"|\b(?:låter(?!\s+(?:mig|oss|dig|honom|henne|dem|bli))|brummar|surrar|väsnas"
                r"|oväsen|dunkar|bankar|borrar|skriker|oljud|buller|bullrar|musik|noise|noisy"
                r"|loud|music)\b.*\b(?:hela\s+(?:natten|nätterna)|på\s+nätterna|om\s+nätterna"
                r"|varje\s+natt|mitt\s+i\s+natten|all\s+night|every\s+night|at\s+night)\b",
                re.IGNORECASE), None, "storningar-i-boendet", DISTURBANCE_SHARE),
)
# A stated age speaks against the life events of other ages: (youngest, oldest, events,
# factor).  A 16-year-old does not study as an adult; a 40-year-old does not start school.
AGE_CUES: tuple[tuple[int, int, tuple[str, ...], float], ...] = (
    (0, 17, ("studera-som-vuxen", "ga-i-pension", "forlora-jobbet"), 0.8),
    (25, 120, ("borja-gymnasiet", "ung-utan-jobb-eller-skola"), 0.6),
)


def against(written: str, stated_ages: Iterable[int] = ()) -> dict[str, float]:
    """The factor of each life event that the words (and the stated ages) speak against.

    >>> against("kan inte köra bil längre")["ta-korkort"]
    0.6
    >>> against("firman jag jobbar på har gått i konkurs")["avveckla-foretag"]
    0.5
    >>> against("jag är 35 och vill läsa vidare", (35,))["ung-utan-jobb-eller-skola"]
    0.6
    """
    factors: dict[str, float] = {}
    for pattern, events, factor in NEGATIVE_CUES:
        if pattern.search(written):
            for event_id in events:  # the strongest cue against an event counts
                factors[event_id] = min(factor, factors.get(event_id, 1.0))
    for age in stated_ages:
        for low, high, events, factor in AGE_CUES:
            if low <= age <= high:
                for event_id in events:
                    factors[event_id] = min(factor, factors.get(event_id, 1.0))
    return factors


# A stated age lifts the life event of that age ("studiebidrag för 16-åring", "mamma är 88"):
# (youngest, oldest, event), each taking the score AGE_SHARE of the way to 1.  (Until round
# 7 the age added a word of that event to the query — "gymnasiet" — which also matched other
# events' texts: "slutat gymnasiet" of young without work or school.)
AGE_LIFTS: tuple[tuple[int, int, str], ...] = (
    (0, 5, "borja-forskola"), (6, 7, "borja-skolan"), (15, 16, "borja-gymnasiet"),
    (17, 24, "ung-utan-jobb-eller-skola"), (61, 68, "ga-i-pension"), (75, 120, "aldras-stod-hemma"))
AGE_SHARE = 0.3
# Two places named ("jag har fått jobb i Luleå och lämnar Malmö", "från Sundsvall till
# Örebro") is a move from one to the other.
TWO_PLACES_EVENT = "flytta-till-annan-kommun"
TWO_PLACES_SHARE = 0.3


def lifted(written: str, stated_ages: Iterable[int] = (), places: int = 0) -> dict[str, float]:
    """The share of the way to 1 that the words take each life event they name (`places`:
    how many municipalities or localities the query names).

    >>> lifted("vi stänger krogen för gott")
    {'avveckla-foretag': 0.3}
    >>> lifted("företaget har lagt ner och jag står utan arbete")
    {}
    >>> lifted("studiebidrag för 16-åring", (16,))
    {'borja-gymnasiet': 0.3}
    >>> lifted("fått jobb i Luleå och lämnar Malmö", places=2)
    {'flytta-till-annan-kommun': 0.3}
    """
    shares = {event_id: share for pattern, unless, event_id, share in POSITIVE_CUES
              if pattern.search(written) and not (unless and unless.search(written))}
    for age in stated_ages:
        for low, high, event_id in AGE_LIFTS:
            if low <= age <= high and AGE_SHARE:
                shares[event_id] = max(AGE_SHARE, shares.get(event_id, 0.0))
    if places >= 2:
        shares[TWO_PLACES_EVENT] = max(TWO_PLACES_SHARE, shares.get(TWO_PLACES_EVENT, 0.0))
    return shares
