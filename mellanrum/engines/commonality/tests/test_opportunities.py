"""Tests for opportunity ranking and the distribution summary."""

from __future__ import annotations

import datetime

from mellanrum.engines.commonality import (
    Activity,
    Concept,
    ConceptContext,
    Distribution,
    JourneyGain,
    Opportunity,
    group_activities,
    rank_opportunities,
)


def test_distribution_marks_iqr_outliers() -> None:
    d = Distribution.of({str(i): float(v) for i, v in enumerate([10, 11, 12, 13, 14, 15, 90])})
    assert d is not None
    assert d.median == 13.0 and d.q1 == 11.5 and d.q3 == 14.5
    assert d.outliers == ("6",)


def costly(org: str, name: str, cost: float, system: str, lead: float) -> Activity:
    return Activity(
        f"{org}-{name}",
        org,
        name,
        systems=(system,),
        annual_cost_sek=cost,
        population=10_000,
        lead_time_days=lead,
        volume=100,
    )


def test_wider_spread_and_more_systems_rank_higher() -> None:
    activities = [
        costly("A", "Bygglov", 100_000, "Castor", 10),
        costly("B", "Ansök om bygglov", 900_000, "Ärendo", 60),
        costly("C", "Bygglovsansökan", 300_000, "Vision", 30),
        costly("A", "Fakturahantering", 100_000, "Raindance", 10),
        costly("B", "Fakturahantering", 110_000, "Raindance", 11),
        costly("C", "Fakturahantering", 105_000, "Raindance", 10),
        Activity("D-x", "D", "Skolskjuts"),
    ]
    ranked = rank_opportunities(group_activities(activities))
    assert [o.label for o in ranked][0] in {"Bygglov", "Ansök om bygglov", "Bygglovsansökan"}
    assert len(ranked) == 2
    top = ranked[0]
    assert top.figures["cost_per_inhabitant_factor"] == 9.0
    assert top.components["systems"] == 0.5
    assert top.explanation_sv.startswith(
        "3 kommuner gör detta; kostnaden per invånare skiljer en faktor 9"
    )
    assert "3 olika system används" in top.explanation_sv
    assert "3 different systems are used" in top.explanation_en
    assert top.score == round(
        100 * sum(
            w * top.components[k]
            for k, w in {
                "organisations": 0.25,
                "total_cost": 0.15,
                "cost_spread": 0.10,
                "lead_time_spread": 0.05,
                "systems": 0.10,
                "volume": 0.05,
                "citizen": 0.15,
                "renewal": 0.15,
            }.items()
        ),
        2,
    )


def _concepts() -> list[Concept]:
    activities = [
        costly("A", "Lönehantering", 1_000_000, "Heroma", 5),
        costly("B", "Lönehantering", 3_000_000, "Personec", 9),
        costly("C", "Lönehantering", 2_000_000, "Heroma", 7),
        costly("A", "Grundskola", 9_000_000, "Skolplattform", 1),
        costly("B", "Grundskola", 9_500_000, "Skolplattform", 1),
        costly("A", "Färdtjänst", 500_000, "Resa", 20),
        costly("B", "Färdtjänst", 600_000, "Resa", 30),
        costly("R", "Ansök om färdtjänst", 9_000_000, "Resa", 25),
    ]
    return group_activities(activities)


def _by_label(ranked: list[Opportunity], word: str) -> Opportunity:
    return next(o for o in ranked if word in o.label.casefold())


def test_a_whole_school_form_is_not_ranked() -> None:
    ranked = rank_opportunities(_concepts())
    assert not any("grundskola" in o.label.casefold() for o in ranked)
    assert any("lönehantering" in o.label.casefold() for o in ranked)


def test_done_by_the_region_for_everyone_is_already_joint_and_last() -> None:
    concepts = _concepts()
    fardtjanst = next(c for c in concepts if "färdtjänst" in c.label.casefold())
    context = {fardtjanst.id: ConceptContext(joint={"A": ("R",), "B": ("R",)})}
    ranked = rank_opportunities(concepts, context=context)
    found = _by_label(ranked, "färdtjänst")
    assert found.status == "already_joint"
    assert found.score == 0 and ranked[-1] is found
    assert "redan i samverkan" in found.explanation_sv


def test_partly_joint_names_who_is_still_outside() -> None:
    concepts = _concepts()
    salary = next(c for c in concepts if "lönehantering" in c.label.casefold())
    context = {salary.id: ConceptContext(joint={"A": ("B",)})}
    found = _by_label(rank_opportunities(concepts, context=context,
                                         names={"C": "Cekommun"}), "lönehantering")
    assert found.status == "partly_joint"
    assert found.outside == ("C",)
    assert "1 står utanför befintlig samverkan (Cekommun)" in found.explanation_sv


def test_citizen_hours_and_contract_window_raise_the_score() -> None:
    concepts = _concepts()
    salary = next(c for c in concepts if "lönehantering" in c.label.casefold())
    plain = _by_label(rank_opportunities(concepts), "lönehantering")
    today = datetime.date(2026, 1, 1)
    context = {salary.id: ConceptContext(
        journey=JourneyGain(steps=1, handoffs=2, repeated=2),
        contract_ends={"A": datetime.date(2027, 6, 30), "B": datetime.date(2027, 12, 31),
                       "C": datetime.date(2030, 1, 1)},
    )}
    richer = _by_label(rank_opportunities(concepts, context=context, today=today),
                       "lönehantering")
    assert richer.figures["citizen_hours"] == 300 * (2 * 30 + 2 * 15) / 60
    assert richer.figures["contracts_ending"] == 2
    assert richer.score > plain.score
    assert "avtal löper ut inom 24 månader för 2 organisationer" in richer.explanation_sv


def test_myndighetsutovning_weighs_less_than_internal_support() -> None:
    concepts = _concepts()
    salary = next(c for c in concepts if "lönehantering" in c.label.casefold())
    support = _by_label(rank_opportunities(
        concepts, context={salary.id: ConceptContext(nature="internal_support")}),
        "lönehantering")
    authority = _by_label(rank_opportunities(
        concepts, context={salary.id: ConceptContext(nature="myndighetsutovning")}),
        "lönehantering")
    assert authority.score == round(support.score * 0.5, 2)
    assert "KL 9 kap. 37 §" in support.explanation_sv
