"""Tests for compound splitting, normalisation and thesaurus loading."""

from __future__ import annotations

import pytest

from mellanrum.engines.textmatch import Lexicon, Thesaurus, normalise, split_compound


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        ("bygglovsansökan", ("bygglov", "ansökan")),
        ("äldreomsorgsboende", ("äldreomsorg", "boende")),
        ("förskoleplats", ("förskola", "plats")),
        ("hemtjänstinsatser", ("hemtjänst", "insatser")),
        ("bostadsanpassningsbidrag", ("bostadsanpassning", "bidrag")),
    ],
)
def test_it_splits_with_linking_letters(word: str, parts: tuple[str, ...]) -> None:
    assert split_compound(word) == parts


def test_known_word_is_kept_whole_unless_asked() -> None:
    assert split_compound("äldreomsorg") == ("äldreomsorg",)
    assert split_compound("äldreomsorg", keep_known=False) == ("äldre", "omsorg")


def test_unknown_word_is_not_split() -> None:
    assert split_compound("xyzabc") == ("xyzabc",)


def test_custom_lexicon() -> None:
    lexicon = Lexicon(["snö", "röjning"])
    assert split_compound("snöröjning", lexicon) == ("snö", "röjning")


def test_normalise_handles_dashes() -> None:
    assert normalise("Vård- och omsorgsboende") == "vård och omsorgsboende"
    assert normalise("Bygglov—ansökan") == "bygglov ansökan"
    assert normalise("E-tjänst") == "etjänst"


def test_shipped_thesaurus_and_lexicon_load() -> None:
    assert len(Thesaurus.default("sv").concepts) >= 60
    assert len(Lexicon.default("sv")) >= 400
    assert "hemtjanst" in Thesaurus.default("en").concepts


def test_malformed_thesaurus_line_is_reported() -> None:
    with pytest.raises(ValueError, match="line 2"):
        Thesaurus.from_lines(["a = b", "no equals sign"])
