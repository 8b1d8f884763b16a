"""Place texts to municipalities: names in every common form, localities and postcodes."""

from __future__ import annotations

import pytest

from mellanrum.engines.journeys.places import (
    PlaceIndex,
    normalise_postcode,
    shipped_localities,
    shipped_municipality_names,
)

INDEX = PlaceIndex(shipped_municipality_names().items(), shipped_localities())


@pytest.mark.parametrize("text", [
    "Malmö", "Malmö stad", "malmö kommun", "MALMÖ", "malmo", "Malmoe", "  Malmö   Stad ",
    "1280",
])
def test_every_common_form_of_a_municipality_name_resolves(text: str) -> None:
    assert INDEX.resolve(text).codes == ("1280",)


def test_a_name_one_letter_off_is_corrected_and_says_so() -> None:
    answer = INDEX.resolve("Malmöö")
    assert answer.codes == ("1280",) and answer.corrected


def test_habo_and_habo_with_a_ring_are_different_municipalities() -> None:
    assert INDEX.resolve("Håbo").codes == ("0305",)
    assert INDEX.resolve("Habo").codes == ("0643",)


def test_genitive_official_names_resolve() -> None:
    assert INDEX.resolve("Stockholms stad").codes == ("0180",)
    assert INDEX.resolve("Falu kommun").codes == INDEX.resolve("Falun").codes == ("2080",)


def test_a_locality_from_the_shipped_list_resolves_to_its_municipality() -> None:
    answer = INDEX.resolve("Saltsjöbaden")
    assert (answer.codes, answer.kind) == (("0182",), "locality")


def test_a_postcode_without_a_loaded_table_is_a_postcode_problem_not_unknown() -> None:
    assert INDEX.resolve("131 40").problem == "postcode"


def test_loaded_postcodes_resolve_and_one_spanning_two_municipalities_gives_both() -> None:
    index = PlaceIndex(shipped_municipality_names().items(),
                       [("13140", "0182"), ("19140", "0183"), ("19140", "0184")])
    assert index.resolve("SE-131 40").codes == ("0182",)
    assert index.resolve("191 40").codes == ("0183", "0184")


def test_an_unknown_place_gets_suggestions_of_close_names() -> None:
    answer = INDEX.resolve("Malmöhus")
    assert answer.problem == "unknown"
    assert answer.codes == ()
    assert "1280" in answer.suggestions
    assert INDEX.resolve("Götebörj").codes == ("1480",)


@pytest.mark.parametrize("text", ["", "   ", "9999", "<script>", "x" * 10_000])
def test_bad_place_text_is_never_an_error(text: str) -> None:
    answer = INDEX.resolve(text)
    assert answer.problem in {"empty", "unknown"}


def test_postcodes_are_normalised_to_five_digits() -> None:
    assert normalise_postcode(" 131 40 ") == "13140"
    assert normalise_postcode("131400") == ""
