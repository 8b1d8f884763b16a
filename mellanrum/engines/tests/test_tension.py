"""The tension engine with the issue's examples, and pairs that must not match."""

from __future__ import annotations

from decimal import Decimal

import pytest

from mellanrum.engines.tension import amounts, negated_words, suggest_tension

NACKA = "Vi återanvänder befintliga e-tjänsteplattformar."
VAXHOLM = "Vaxholms andel får kosta högst 500 000 kr per år."
GOAL = "Alla ansökningar kan göras digitalt"


def test_reuse_of_e_service_platforms_supports_all_applications_digital() -> None:
    found = suggest_tension(NACKA, GOAL)
    assert found.stance == "supports"
    assert "e-tjänsteplattformar" in found.sv and "digitalt" in found.sv
    assert found.shared == ("digital service",)


def test_reuse_of_a_platform_is_in_tension_with_a_budget_ceiling() -> None:
    found = suggest_tension("Återanvänd befintlig plattform.", VAXHOLM)
    assert (found.stance, found.rule) == ("tension", "ceiling")
    assert "500 000 kr" in found.sv and "”plattform”" in found.sv


def test_the_ceiling_may_stand_first_and_be_worded_as_over_and_not() -> None:
    found = suggest_tension("Investeringar över 500 000 kr per år ryms inte i budgetramen.",
                            NACKA)
    assert found.stance == "tension"
    assert "”återanvänder”" in found.sv


def test_an_amount_above_the_ceiling_conflicts_and_one_below_fits() -> None:
    over = suggest_tension("En ny plattform kostar 2 mkr att bygga.", VAXHOLM)
    assert (over.stance, over.rule) == ("conflicts", "over_ceiling")
    assert "2 mkr" in over.sv
    under = suggest_tension("Anpassningen kostar 300 000 kr.", VAXHOLM)
    assert (under.stance, under.rule) == ("supports", "under_ceiling")


def test_a_budget_rule_makes_any_amount_a_ceiling() -> None:
    found = suggest_tension("500 000 kr per år.", "Ett nytt system upphandlas.",
                            first_kind="budget_rule")
    assert found.stance == "tension"
    assert suggest_tension("500 000 kr per år.", "Ett nytt system upphandlas.").stance == \
        "neutral"


def test_a_negated_shared_word_conflicts_and_says_which_negation() -> None:
    found = suggest_tension("Handläggningen får inte flyttas till en annan kommun.",
                            "Handläggningen flyttas till en gemensam nämnd.")
    assert (found.stance, found.rule) == ("conflicts", "negation")
    assert "”inte”" in found.sv and "”flyttas”" in found.sv


@pytest.mark.parametrize("negation", ["inte", "ej", "aldrig"])
def test_each_negation_word_is_understood(negation: str) -> None:
    found = suggest_tension(f"Uppgifterna lämnas {negation} till leverantören.",
                            "Uppgifterna lämnas till leverantören.")
    assert found.stance == "conflicts"


def test_without_negates_the_noun_phrase_after_it() -> None:
    found = suggest_tension("Vi bygger utan ny plattform.", "En ny gemensam plattform.")
    assert found.stance == "conflicts"
    assert "”utan”" in found.sv


def test_the_same_negation_on_both_sides_is_no_conflict() -> None:
    found = suggest_tension("Uppgifter får inte lagras utanför EU.",
                            "Vi lagrar aldrig uppgifter utanför EU.")
    assert found.stance == "supports"


def test_a_restriction_is_a_tension() -> None:
    found = suggest_tension("Endast befintliga system används.",
                            "Ett gemensamt system upphandlas.")
    assert (found.stance, found.rule) == ("tension", "restriction")


def test_compound_parts_and_inflections_relate_texts() -> None:
    found = suggest_tension("Bygglovsprocessen följer Boverkets vägledning.",
                            "Ansökningar om bygglov handläggs lika.")
    assert found.stance == "supports"
    assert "Bygglovsprocessen" in found.sv


@pytest.mark.parametrize(("first", "second"), [
    ("Bättre kontinuitet för brukare i hemtjänsten.", VAXHOLM),
    ("Personuppgifter får inte lagras utanför EU.", NACKA),
    ("Kortare handläggningstid för ekonomiskt bistånd.", "Personuppgifter får inte lagras "
     "utanför EU."),
    ("Ansökningar om bygglov görs digitalt.", "Ansökningar om färdtjänst prövas snabbt."),
    ("Gemensam kommun för alla.", "Gemensamt ansvar i kommunen."),
])
def test_unrelated_statements_are_neutral(first: str, second: str) -> None:
    found = suggest_tension(first, second)
    assert (found.stance, found.rule) == ("neutral", "unrelated")
    assert found.shared == ()


def test_negation_of_an_unrelated_word_does_not_make_a_conflict() -> None:
    found = suggest_tension("Bygglov handläggs lika, men avgiften höjs inte.",
                            "Bygglov handläggs i en gemensam nämnd.")
    assert found.stance == "supports"


def test_amounts_read_thousands_decimals_and_units() -> None:
    found = amounts("Högst 1,5 mkr, och sedan 250 tkr om året.")
    assert [a.kronor for a in found] == [Decimal("1500000.0"), Decimal("250000")]
    assert [a.is_ceiling for a in found] == [True, False]


def test_negated_words_end_at_the_clause() -> None:
    assert negated_words("Vi höjer inte avgiften, men bygger ut.") == ("höjer", "avgiften")


def test_examples_in_the_docstrings_run() -> None:
    import doctest

    from mellanrum.engines import tension

    result = doctest.testmod(tension)
    assert result.attempted > 5 and result.failed == 0


def test_the_engine_imports_without_django() -> None:
    import subprocess
    import sys

    code = ("import sys, mellanrum.engines.tension;"
            "assert 'django' not in sys.modules, sorted(m for m in sys.modules if 'django' in m)")
    subprocess.run([sys.executable, "-c", code], check=True)
