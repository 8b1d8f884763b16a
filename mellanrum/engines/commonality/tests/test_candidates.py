"""Tests of "kanske samma som": candidate concepts with their evidence."""

from __future__ import annotations

from mellanrum.engines.commonality import Activity, group_activities
from mellanrum.engines.commonality.candidates import maybe_same
from mellanrum.engines.commonality.concept import Concept, Member


def concept(cid: str, names: dict[str, str]) -> Concept:
    members = tuple(Member(f"{cid}{org}", org, name, 1.0, ()) for org, name in names.items())
    return Concept(cid, next(iter(names.values())), members, len(names), False, (), {},
                   None, None, None, 0.0, 0.0)


ARKIVERING = concept("ark", {"A": "Arkivering", "B": "Arkivering", "C": "Arkivering"})
ARKIVHANTERING = concept("hant", {"D": "Arkivhantering", "E": "Arkivhantering"})
HEMTJANST = concept("hem", {"A": "Hemtjänst", "D": "Hemtjänst"})


def test_similar_names_are_proposed_in_both_directions_with_a_reason() -> None:
    found = maybe_same([ARKIVERING, ARKIVHANTERING, HEMTJANST])
    pairs = {(c.concept_id, c.other_id) for c in found}
    assert pairs == {("ark", "hant"), ("hant", "ark")}
    first = next(c for c in found if c.concept_id == "ark")
    assert (first.organisations, first.other_organisations, first.both) == (3, 2, 0)
    assert "ingen gör båda" in first.reason_sv
    assert "none does both" in first.reason_en
    assert 0 < first.score <= first.similarity <= 1


def test_complementary_organisations_score_higher_than_overlapping_ones() -> None:
    overlapping = concept("hant", {"A": "Arkivhantering", "B": "Arkivhantering"})
    apart = maybe_same([ARKIVERING, ARKIVHANTERING])[0]
    together = maybe_same([ARKIVERING, overlapping])[0]
    assert apart.similarity == together.similarity
    assert together.both == 2
    assert apart.score > together.score
    assert "olika saker" in together.reason_sv


def test_shared_words_and_synonyms_are_named() -> None:
    larm = concept("larm", {"A": "Larm i hemmet"})
    trygg = concept("trygg", {"B": "Trygghetslarm i hemmet"})
    found = maybe_same([larm, trygg, HEMTJANST], extra_synonyms=[("larm", "trygghetslarm")])
    assert found, "the shared synonym should make them candidates"
    assert found[0].shared_terms
    assert "Gemensamma ord" in found[0].reason_sv


def test_pairs_declared_different_are_not_proposed() -> None:
    found = maybe_same([ARKIVERING, ARKIVHANTERING],
                       must_not_link=[("ARKIVHANTERING", "arkivering")])
    assert found == []


def test_at_most_per_concept_candidates_best_first() -> None:
    many = [concept(f"k{i}", {f"O{i}": f"Arkiv{suffix}"})
            for i, suffix in enumerate(["ering", "hantering", "vård", "förvaltning", "service",
                                        "redovisning", "sök"])]
    found = maybe_same(many, per_concept=2)
    per: dict[str, list[float]] = {}
    for c in found:
        per.setdefault(c.concept_id, []).append(c.score)
    assert per and all(len(scores) <= 2 for scores in per.values())
    assert all(scores == sorted(scores, reverse=True) for scores in per.values())


def test_candidates_do_not_depend_on_the_order_of_concepts() -> None:
    items = [Activity(str(i), f"O{i}", n) for i, n in enumerate(
        ["Vattenmätare", "Vattenmätare", "Vattenmätarbyte", "Skateboardramper", "Skateparker",
         "Hemtjänst"])]
    concepts = group_activities(items)
    found = maybe_same(concepts)
    assert found
    assert found == maybe_same(list(reversed(concepts)))


def test_fewer_than_two_concepts_give_nothing() -> None:
    assert maybe_same([ARKIVERING]) == []


def test_reasons_count_one_organisation_in_the_singular() -> None:
    single = concept("ark1", {"A": "Arkivering"})
    other = concept("hant1", {"B": "Arkivhantering"})
    reason = next(c for c in maybe_same([single, other]) if c.concept_id == "ark1")
    assert "Den ena görs av 1 organisation, den andra av 1 organisation" in reason.reason_sv
    assert "1 och 1 organisationer" not in reason.reason_sv
    assert "by 1 organisation, the other by 1 organisation" in reason.reason_en
