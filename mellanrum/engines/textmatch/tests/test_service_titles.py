"""Real titles per service learned into concepts and look-alike marks (service_titles.py)."""

from __future__ import annotations

from mellanrum.engines.textmatch import Analyser
from mellanrum.engines.textmatch.service_titles import (
    COMBINED,
    TitleRow,
    load_title_rows,
    title_concepts,
    title_fold,
    title_marks,
    title_part,
)


def _plain() -> Analyser:
    return Analyser("sv", verbal_nouns=True, compound_variants=True)


def _rows(*rows: tuple[str, str, str]) -> list[TitleRow]:
    return [TitleRow(org, name, service, "") for org, name, service in rows]


def test_parts_are_fixed_by_organisation() -> None:
    assert title_part("Umeå kommun") == title_part(" Umeå kommun ")
    assert title_fold("Umeå kommun") in ("fold_a", "fold_b", "score")
    parts = {title_part(f"Kommun {i}") for i in range(30)}
    assert parts == {"learn", "score"}


def test_paraphrases_of_a_new_service_become_its_terms() -> None:
    rows = _rows(
        ("A", "Gatupratare - ansökan", "gatupratare"),
        ("B", "Trottoarpratare", "gatupratare"),
        ("C", "Hyra båtplats", "batplats"),
    )
    learned = title_concepts(_plain(), rows)
    assert set(learned["gatupratare"]) == {"gatupratare", "trottoarpratare"}


def test_guards_keep_ambiguous_combined_and_named_titles_out() -> None:
    rows = _rows(
        ("A", "Trottoarpratare", "gatupratare"),
        ("B", "Trottoarpratare", "skyltlov"),  # one core under two services
        ("C", "Gatupratare och uteservering", COMBINED),
        ("D", "Avgift för hemtjänst", "avgift_hemtjanst"),  # names a thesaurus concept
        ("E", "Ansökan", "bygglov"),  # nothing left but channel words
    )
    learned = title_concepts(_plain(), rows)
    assert learned == {}


def test_a_title_wholly_a_thesaurus_name_extends_that_concept() -> None:
    rows = _rows(
        ("A", "Hemtjänst", "hjalp_hemma"),
        ("B", "Stöd i hemmet", "hjalp_hemma"),
        ("C", "Vardagshjälp för seniorer", "hjalp_hemma"),
    )
    learned = title_concepts(_plain(), rows)
    assert "hjalp_hemma" not in learned
    assert "vardagshjälp seniorer" in learned["hemtjanst"]


def test_marks_tell_a_look_alike_from_the_concept_it_shares() -> None:
    rows = _rows(
        ("A", "Ekonomiskt bistånd", "ekonomiskt_bistand"),
        ("B", "Ansök om ekonomiskt bistånd", "ekonomiskt_bistand"),
        ("C", "Försörjningsstöd", "ekonomiskt_bistand"),
        ("D", "Ekonomiskt bistånd till begravningskostnader", "bistand_begravning"),
        ("E", "Ansök om ekonomiskt bistånd för begravningskostnader", "bistand_begravning"),
    )
    marks = title_marks(_plain(), rows)
    assert dict(marks["ekonomiskt_bistand"]) == {"begravningskostnad": "bistand_begravning"}


def test_shipped_titles_are_valid() -> None:
    rows = load_title_rows("sv")
    assert rows, "data/service_titles_sv.csv is shipped"
    assert all(r.organisation and r.name and r.service for r in rows)
    assert len({(r.organisation, r.name.casefold(), r.service) for r in rows}) == len(rows)


def test_the_commonality_analyser_learns_the_shipped_titles() -> None:
    plain = _plain()
    titled = Analyser("sv", verbal_nouns=True, compound_variants=True, service_titles="all")
    learned = [
        r.name
        for r in load_title_rows("sv")
        if set(titled.analyse(r.name.lower()).features)
        - set(plain.analyse(r.name.lower()).features)
    ]
    assert len(learned) > 50
    # The journeys finder's analyser (service_titles off by default) is unchanged.
    assert Analyser("sv").analyse("Trottoarpratare").concepts == ()


def test_a_look_alike_mark_qualifies_names_of_its_concept() -> None:
    titled = Analyser("sv", verbal_nouns=True, compound_variants=True, service_titles="all")
    plain = titled.analyse("ansök om ekonomiskt bistånd")
    funeral = titled.analyse("ekonomiskt bistånd till begravningskostnader")
    assert plain.qualifiers == ()
    assert funeral.qualifiers and "ekonomiskt_bistand" in funeral.concepts
    assert plain.uncovered == ("ansök",)


def test_the_everyday_word_list_answers_as_wordfreq_does() -> None:
    # service_titles reads wordfreq's small Swedish list itself (importing wordfreq took 0.2 s).
    from wordfreq import zipf_frequency

    from mellanrum.engines.textmatch.normalise import normalise
    from mellanrum.engines.textmatch.service_titles import COMMON_ZIPF, _common_word

    analyser = Analyser("sv")
    words = {
        word
        for row in load_title_rows("sv")
        for word in analyser.content_words(normalise(row.name))
    }
    assert len(words) > 2000
    differ = [
        w for w in words if _common_word(w) != (zipf_frequency(w, "sv", "small") >= COMMON_ZIPF)
    ]
    assert differ == []
