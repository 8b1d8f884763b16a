"""Tests for similar_organisations."""

from __future__ import annotations

import pytest

from mellanrum.engines.commonality import OrganisationProfile, similar_organisations

PROFILES = [
    OrganisationProfile(
        "small-a",
        {"population": 10_000, "tax_rate": 33.0},
        {"county": "X"},
        frozenset({"bygglov", "hemtjanst", "forskola"}),
    ),
    OrganisationProfile(
        "small-b",
        {"population": 11_000, "tax_rate": 33.1},
        {"county": "X"},
        frozenset({"bygglov", "hemtjanst", "forskola"}),
    ),
    OrganisationProfile(
        "small-c", {"population": 12_000, "tax_rate": 32.9}, {"county": "Y"}, frozenset({"bygglov"})
    ),
    OrganisationProfile(
        "city",
        {"population": 900_000, "tax_rate": 30.0},
        {"county": "X"},
        frozenset({"bygglov", "hemtjanst", "forskola", "hamn"}),
    ),
]


def test_structurally_close_organisation_with_same_activities_ranks_first() -> None:
    result = similar_organisations(PROFILES, "small-a", k=3)
    assert [n.organisation for n in result] == ["small-b", "small-c", "city"]
    best = result[0]
    assert best.shared_concepts == 3 and best.activity == 1.0
    assert "samma län (X)" in best.reasons_sv
    assert "same county (X)" in best.reasons_en


def test_k_limits_the_answer_and_unknown_organisation_fails() -> None:
    assert len(similar_organisations(PROFILES, "city", k=1)) == 1
    with pytest.raises(KeyError):
        similar_organisations(PROFILES, "nowhere")


def test_missing_concepts_fall_back_to_structure() -> None:
    profiles = [OrganisationProfile(p.id, p.numeric, p.categorical) for p in PROFILES]
    result = similar_organisations(profiles, "small-a", k=1)
    assert result[0].activity is None and result[0].similarity == result[0].structural
