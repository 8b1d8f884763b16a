"""The instrument: 15–25 statements in Swedish and English, each in a known factor."""

from __future__ import annotations

import pytest

from mellanrum.engines.health import INSTRUMENTS, Factor, Instrument, Item, get_instrument


@pytest.mark.parametrize("version", sorted(INSTRUMENTS))
def test_every_version_has_15_to_25_statements_in_both_languages(version: str) -> None:
    instrument = get_instrument(version)
    assert 15 <= len(instrument.items) <= 25
    for item in instrument.items:
        assert item.sv and item.en and item.sv != item.en
        assert len(item.sv) <= 120, "statements are short"
    for factor in instrument.factors:
        assert len(instrument.items_of(factor.key)) >= 2, factor.key
    assert [p.value for p in instrument.scale] == [1, 2, 3, 4, 5, None]
    assert instrument.benefit_factor in {f.key for f in instrument.factors}


def test_unknown_version_is_refused() -> None:
    with pytest.raises(KeyError, match="unknown instrument version"):
        get_instrument("1999.1")


def test_inconsistent_definition_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown factors"):
        Instrument("x", (Factor("a", "A", "A"),), (Item("i", "b", "I", "I"),), (), "a")
    with pytest.raises(ValueError, match="unique"):
        Instrument("x", (Factor("a", "A", "A"),),
                   (Item("i", "a", "I", "I"), Item("i", "a", "J", "J")), (), "a")


def test_text_follows_language() -> None:
    item = get_instrument().item("vision_agree")
    assert item.text("sv") == "Vi är överens om vad samverkan ska uppnå."
    assert item.text("en-gb").startswith("We agree")
