"""Tests for opportunity ranking and the distribution summary."""

from __future__ import annotations

from mellanrum.engines.commonality import (
    Activity,
    Distribution,
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
        costly("A", "Hemtjänst", 100_000, "Lifecare", 10),
        costly("B", "Stöd i hemmet", 110_000, "Lifecare", 11),
        costly("C", "Hemhjälp", 105_000, "Lifecare", 10),
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
        sum(
            w * top.components[k]
            for k, w in {
                "organisations": 0.3,
                "total_cost": 0.2,
                "cost_spread": 0.15,
                "lead_time_spread": 0.1,
                "systems": 0.15,
                "volume": 0.1,
            }.items()
        ),
        6,
    )
