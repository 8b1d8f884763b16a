"""The held-out half of the labelled evaluation set must stay above a measured floor."""

from __future__ import annotations

import hashlib

import pytest

from mellanrum.engines.commonality import Activity, group_activities
from mellanrum.engines.commonality.evaluation import (
    DEV3_HALVES,
    DEV4_HALVES,
    DEV6_HALVES,
    DEV7_HALVES,
    DEV8_HALVES,
    REAL_LANGUAGES,
    MissingEvaluationSet,
    dev3_half,
    dev4_half,
    dev6_half,
    dev7_half,
    dev8_half,
    dev_half,
    load_evaluation_set,
    load_real_set,
    load_written_check,
    pairwise_scores,
    real_set_present,
)

# Measured on 2026-11-24 with the default settings: holdout F1 0.958
# (precision 1.000, recall 0.920).  The floor leaves a margin of 0.03.
HOLDOUT_F1_FLOOR = 0.93
HOLDOUT_PRECISION_FLOOR = 0.95


def test_holdout_pairwise_f1_stays_above_floor() -> None:
    activities, gold = load_evaluation_set("holdout")
    concepts = group_activities(activities)
    scores = pairwise_scores([c.activity_ids for c in concepts], gold)
    assert scores.f1 >= HOLDOUT_F1_FLOOR, scores
    assert scores.precision >= HOLDOUT_PRECISION_FLOOR, scores


def test_evaluation_set_is_large_and_split_by_concept() -> None:
    activities, gold = load_evaluation_set("all")
    assert len(activities) >= 400
    assert len(set(gold.values())) >= 60
    assert len({a.organisation for a in activities}) >= 20
    _, tune = load_evaluation_set("tune")
    _, holdout = load_evaluation_set("holdout")
    assert set(tune.values()).isdisjoint(holdout.values())
    assert len(tune) + len(holdout) == len(activities)


# Measured on 2026-12-07 (issue 15): real dev F1 sv 0.992 (dev + the retired held-out half,
# 96 names), en 0.961. These are the sets the matcher was improved on, so the floors only guard
# against regressions; held-out figures are in docs/commonality.md and are not tested here, so
# nobody tunes on them.
REAL_DEV_F1_FLOOR = {"sv": 0.95, "en": 0.93}


@pytest.mark.parametrize("language", REAL_LANGUAGES)
def test_real_dev_names_stay_above_floor(language: str) -> None:
    activities, gold = load_real_set(language, "dev")
    concepts = group_activities(activities, language=language)
    scores = pairwise_scores([c.activity_ids for c in concepts], gold)
    assert scores.f1 >= REAL_DEV_F1_FLOOR[language], scores


def _real_half(group: str) -> str:
    digest = int(hashlib.sha1(f"mellanrum-real-2026:{group}".encode()).hexdigest(), 16)
    return "heldout" if digest % 2 else "dev"


def test_english_real_sets_are_split_by_gold_group_with_the_documented_rule() -> None:
    seen: dict[str, set[str]] = {}
    for split in ("dev", "heldout"):
        _, gold = load_real_set("en", split)
        seen[split] = set(gold.values())
        assert {_real_half(group) for group in seen[split]} == {split}
    assert len(seen["dev"]) >= 8 and len(seen["heldout"]) >= 8


def test_swedish_dev_set_is_the_dev_half_plus_the_retired_held_out_half() -> None:
    activities, gold = load_real_set("sv", "dev")
    first = {gold[a.id] for a in activities if a.id.startswith("sv-dev-")}
    retired = {gold[a.id] for a in activities if a.id.startswith("sv-dev2-")}
    assert {_real_half(group) for group in first} == {"dev"}
    assert {_real_half(group) for group in retired} == {"heldout"}
    assert len(activities) == 96 and len(first | retired) == 24


def test_swedish_dev_halves_split_the_dev_set_by_gold_group() -> None:
    activities, gold = load_real_set("sv", "dev")
    _, half_a = load_real_set("sv", "dev", "a")
    _, half_b = load_real_set("sv", "dev", "b")
    assert set(half_a.values()).isdisjoint(half_b.values())
    assert len(half_a) + len(half_b) == len(activities)
    assert min(len(set(half_a.values())), len(set(half_b.values()))) >= 8
    assert all(dev_half(group) == "a" for group in half_a.values())


def test_swedish_held_out_set_loads_when_present_and_says_so_plainly_when_absent() -> None:
    if real_set_present("sv", "heldout"):
        activities, gold = load_real_set("sv", "heldout")
        assert activities and set(gold) == {a.id for a in activities}
        assert all(a.language == "sv" for a in activities)
    else:
        with pytest.raises(MissingEvaluationSet, match="real_sv_heldout_v8.csv is not in this"):
            load_real_set("sv", "heldout")


def test_the_spent_held_out_v2_set_is_development_set_dev3_with_its_sources_kept() -> None:
    activities, gold = load_real_set("sv", "dev3")
    assert len(activities) == 172 and len(set(gold.values())) == 41
    assert all(a.id.startswith("sv-dev3-") for a in activities)
    assert len({a.organisation for a in activities}) == 113
    _, first = load_real_set("sv", "dev")
    assert set(first.values()).isdisjoint(gold.values())


def test_dev3_is_halved_by_gold_group_into_tune_and_check() -> None:
    activities, gold = load_real_set("sv", "dev3")
    _, tune = load_real_set("sv", "dev3", "tune")
    _, check = load_real_set("sv", "dev3", "check")
    assert set(tune.values()).isdisjoint(check.values())
    assert len(tune) + len(check) == len(activities)
    assert (len(set(tune.values())), len(set(check.values()))) == (21, 20)
    assert {dev3_half(group) for group in check.values()} == {DEV3_HALVES[1]}
    with pytest.raises(ValueError, match="only with the dev split"):
        load_real_set("sv", "dev3", "a")


def test_the_spent_held_out_v3_set_is_development_set_dev4_with_its_sources_kept() -> None:
    activities, gold = load_real_set("sv", "dev4")
    assert len(activities) == 154 and len(set(gold.values())) == 38
    assert all(a.id.startswith("sv-dev4-") for a in activities)
    assert len({a.organisation for a in activities}) == 108
    _, dev3 = load_real_set("sv", "dev3")
    assert set(dev3.values()).isdisjoint(gold.values())


def test_dev4_is_halved_by_gold_group_into_tune_and_check() -> None:
    activities, gold = load_real_set("sv", "dev4")
    _, tune = load_real_set("sv", "dev4", "tune")
    _, check = load_real_set("sv", "dev4", "check")
    assert set(tune.values()).isdisjoint(check.values())
    assert len(tune) + len(check) == len(activities)
    assert (len(set(tune.values())), len(set(check.values()))) == (20, 18)
    assert {dev4_half(group) for group in tune.values()} == {DEV4_HALVES[0]}
    with pytest.raises(ValueError, match="only with the dev split"):
        load_real_set("sv", "dev4", "b")


def test_the_spent_held_out_v4_set_is_development_set_dev6_with_its_sources_kept() -> None:
    activities, gold = load_real_set("sv", "dev6")
    assert len(activities) == 160 and len(set(gold.values())) == 37
    assert all(a.id.startswith("sv-dev6-") for a in activities)
    assert len({a.organisation for a in activities}) == 120


def test_dev6_is_halved_by_gold_group_into_tune_and_check() -> None:
    activities, gold = load_real_set("sv", "dev6")
    _, tune = load_real_set("sv", "dev6", "tune")
    _, check = load_real_set("sv", "dev6", "check")
    assert set(tune.values()).isdisjoint(check.values())
    assert len(tune) + len(check) == len(activities)
    assert (len(set(tune.values())), len(set(check.values()))) == (25, 12)
    assert {dev6_half(group) for group in check.values()} == {DEV6_HALVES[1]}
    with pytest.raises(ValueError, match="only with the dev split"):
        load_real_set("sv", "dev6", "a")


def test_the_spent_held_out_v5_set_is_development_set_dev7_with_its_sources_kept() -> None:
    activities, gold = load_real_set("sv", "dev7")
    assert len(activities) == 159 and len(set(gold.values())) == 40
    assert all(a.id.startswith("sv-dev7-") for a in activities)
    assert len({a.organisation for a in activities}) == 113


def test_dev7_is_halved_by_gold_group_into_tune_and_check() -> None:
    activities, gold = load_real_set("sv", "dev7")
    _, tune = load_real_set("sv", "dev7", "tune")
    _, check = load_real_set("sv", "dev7", "check")
    assert set(tune.values()).isdisjoint(check.values())
    assert len(tune) + len(check) == len(activities)
    assert (len(set(tune.values())), len(set(check.values()))) == (17, 23)
    assert {dev7_half(group) for group in check.values()} == {DEV7_HALVES[1]}
    with pytest.raises(ValueError, match="only with the dev split"):
        load_real_set("sv", "dev7", "a")


def test_dev8_is_halved_by_gold_group_into_tune_and_check() -> None:
    activities, gold = load_real_set("sv", "dev8")
    _, tune = load_real_set("sv", "dev8", "tune")
    _, check = load_real_set("sv", "dev8", "check")
    assert set(tune.values()).isdisjoint(check.values())
    assert len(tune) + len(check) == len(activities)
    assert (len(set(tune.values())), len(set(check.values()))) == (21, 19)
    assert {dev8_half(group) for group in check.values()} == {DEV8_HALVES[1]}


def test_there_is_no_english_dev3_set() -> None:
    with pytest.raises(ValueError, match="there is no en dev3 set"):
        load_real_set("en", "dev3")


def test_a_dev_half_is_refused_for_the_held_out_split() -> None:
    with pytest.raises(ValueError, match="only with the dev split"):
        load_real_set("en", "heldout", "a")


# Measured on 2026-12-07: F1 0.976 before the changes of issue 15's last round (written before
# them), see docs/commonality.md.
WRITTEN_CHECK_F1_FLOOR = 0.95


def test_written_check_set_stays_above_floor_without_false_merges() -> None:
    activities, gold = load_written_check()
    assert len(activities) >= 40 and len(set(gold.values())) >= 10
    concepts = group_activities(activities)
    scores = pairwise_scores([c.activity_ids for c in concepts], gold)
    assert scores.f1 >= WRITTEN_CHECK_F1_FLOOR, scores
    assert scores.precision == 1.0, scores


def test_a_qualified_service_is_not_merged_with_the_service_itself() -> None:
    concepts = group_activities(
        [
            Activity("1", "A", "Ansökan om skolskjuts"),
            Activity("2", "B", "Skolskjuts"),
            Activity("3", "C", "Förhandsprövning skolskjuts"),
            Activity("4", "D", "Förhandsprövning av skolskjuts"),
        ]
    )
    assert sorted(c.activity_ids for c in concepts) == [("1", "2"), ("3", "4")]


def test_a_qualified_service_written_in_another_word_order_joins_its_own_kind() -> None:
    concepts = group_activities(
        [
            Activity("1", "A", "Tillfälligt serveringstillstånd"),
            Activity("2", "B", "Serveringstillstånd, ansökan tillfälligt"),
            Activity("3", "C", "Serveringstillstånd"),
            Activity("4", "D", "Ansökan om serveringstillstånd"),
            Activity("5", "E", "Stadigvarande serveringstillstånd"),
        ]
    )
    assert sorted(c.activity_ids for c in concepts) == [("1", "2"), ("3", "4"), ("5",)]


@pytest.mark.parametrize(
    "names",
    [
        ("Sophämtning", "Uppehåll i sophämtning", "Befrielse från sophämtning"),
        ("Bygglov", "Bygglov för skylt"),
        ("Felanmälan gata", "Felanmälan vatten och avlopp"),
        ("Synpunkter och klagomål", "Klagomål på störningar"),
        ("Återvinningscentral", "Hämtning av grovavfall"),
        ("Ansökan om förskoleplats", "Barnomsorg på obekväm tid"),
        ("Parkeringstillstånd för rörelsehindrade", "Boendeparkering", "Parkeringsanmärkning"),
        (
            "Slamtömning",
            "Extra slamtömning",
            "Uppehåll i slamtömning",
            "Förlängt slamtömningsintervall",
        ),
        ("Uppehåll i sophämtning", "Uppehåll i slamtömning"),
        ("Sophämtning", "Gemensamt sopkärl", "Extra hämtning av sopor"),
        ("Sotning", "Ansök om att sota själv"),
        ("Avlösning i hemmet", "Avlösarservice LSS"),
    ],
)
def test_different_services_named_with_the_same_words_stay_apart(names: tuple[str, ...]) -> None:
    activities = [Activity(str(i), f"org{i}", name) for i, name in enumerate(names)]
    concepts = group_activities(activities)
    assert len(concepts) == len(names), [c.activity_ids for c in concepts]


@pytest.mark.parametrize(
    "names",
    [
        ("Dela sopkärl", "Delad behållare", "Ansökan om gemensam sopbehållare"),
        (
            "Ansökan om förlängt slamtömningsintervall",
            "Längre tömningsintervall för slamavskiljare",
            "Förlängt intervall för slamtömning",
        ),
        ("Egensotning", "Ansök om att sota själv", "Ansökan om dispens för egen sotning"),
    ],
)
def test_forms_of_one_qualifier_name_the_same_qualified_service(names: tuple[str, ...]) -> None:
    activities = [Activity(str(i), f"org{i}", name) for i, name in enumerate(names)]
    concepts = group_activities(activities)
    assert len(concepts) == 1, [c.activity_ids for c in concepts]


# Round 6 (issue 15): services named with the same words that real municipal titles keep apart.
@pytest.mark.parametrize(
    "names",
    [
        ("Kontaktperson", "Bli kontaktperson"),
        ("Kontaktperson", "Ansökan om att bli familjehem/kontaktfamilj/kontaktperson"),
        ("God man", "Du som vill bli god man"),
        ("Ansökan om plats i fritidshem", "Lovfritids - ansökan"),
        ("Nybyggnadskarta", "Enkel nybyggnadskarta"),
        ("Skolskjuts", "Skolskjuts vid växelvis boende"),
        ("Faderskap och föräldraskap", "Samarbetssamtal"),
        ("Hantering av brandfarlig vara", "Hantering av explosiv vara"),
        ("Registrering av livsmedelsanläggning", "Tillfällig livsmedelsverksamhet"),
    ],
)
def test_round_six_look_alikes_stay_apart(names: tuple[str, ...]) -> None:
    activities = [Activity(str(i), f"org{i}", name) for i, name in enumerate(names)]
    concepts = group_activities(activities)
    assert len(concepts) == len(names), [c.activity_ids for c in concepts]


@pytest.mark.parametrize(
    "names",
    [
        ("Lovfritids - ansökan", "Lovplacering på fritidshem, anmälan"),
        ("Faderskap", "Faderskap/föräldraskap", "Föräldra-/Faderskapsbekräftelse"),
        ("Samarbetssamtal", "Samarbetssamtal vid skilsmässor och separationer"),
        ("Aktivitetsbidrag", "Lokalt aktivitetsstöd (Lok)"),
        ("Gatubelysning", "Belysning"),
        ("Skyltning", "Ansöka om bygglov för skyltar"),
        ("Växelvård", "Växelboende"),
        ("Skadestånd", "Ersättningsanspråk rörande Stadsmiljö - ansökan"),
        ("Korttidsvistelse", "Korttidsvistelse utanför det egna hemmet"),
        ("Installation av värmepump, anmälan/ansökan", "Anmälan av bergvärmepump"),
    ],
)
def test_round_six_paraphrases_of_one_service_are_one_concept(names: tuple[str, ...]) -> None:
    activities = [Activity(str(i), f"org{i}", name) for i, name in enumerate(names)]
    concepts = group_activities(activities)
    assert len(concepts) == 1, [c.activity_ids for c in concepts]


def test_round_six_corpus_is_real_titles_with_sources_and_new_to_the_earlier_sets() -> None:
    activities, gold = load_real_set("sv", "dev5")
    assert len(activities) >= 140 and len(set(gold.values())) >= 50
    assert all(a.id.startswith("sv-dev5-") for a in activities)
    earlier = {
        (a.organisation, a.name.lower())
        for split in ("dev", "dev3", "dev4")
        for a in load_real_set("sv", split)[0]
    }
    assert not earlier & {(a.organisation, a.name.lower()) for a in activities}


# Measured on 2026-12-07 (round 6), see docs/commonality.md: dev5 F1 0.919, dev4 tune half 0.945.
# Regression floors for development material, not quality claims.
ROUND_SIX_DEV_FLOORS = {"dev5": 0.87, "dev4": 0.89}


@pytest.mark.parametrize("split", sorted(ROUND_SIX_DEV_FLOORS))
def test_round_six_development_material_stays_above_floor(split: str) -> None:
    activities, gold = load_real_set("sv", split, "tune" if split == "dev4" else None)
    concepts = group_activities(activities)
    scores = pairwise_scores([c.activity_ids for c in concepts], gold)
    assert scores.f1 >= ROUND_SIX_DEV_FLOORS[split], scores


# Round 7 (issue 15): the retired held-out v4 set's tune half; measured 0.929 at the end of the
# round (docs/commonality.md, "Round 7"). A regression floor for development material.
DEV6_TUNE_F1_FLOOR = 0.89


def test_dev6_tune_half_stays_above_floor() -> None:
    activities, gold = load_real_set("sv", "dev6", "tune")
    concepts = group_activities(activities)
    scores = pairwise_scores([c.activity_ids for c in concepts], gold)
    assert scores.f1 >= DEV6_TUNE_F1_FLOOR, scores


# Round 8 (issue 15): the retired held-out v5 set's tune half; 0.767 before round 8, 0.984 at
# its end (docs/commonality.md, "Round 8"). A regression floor for development material.
DEV7_TUNE_F1_FLOOR = 0.94


def test_dev7_tune_half_stays_above_floor() -> None:
    activities, gold = load_real_set("sv", "dev7", "tune")
    concepts = group_activities(activities)
    scores = pairwise_scores([c.activity_ids for c in concepts], gold)
    assert scores.f1 >= DEV7_TUNE_F1_FLOOR, scores


@pytest.mark.parametrize(
    "names",
    [
        (
            "Korttidsvistelse",
            "Korttidsvistelse utanför det egna hemmet",
            "Kortidsvistelse utanför hemmet enligt LSS, lagen om särskilt stöd och service till "
            "vissa funktionshindrade",
        ),
        ("Elektroniska ciggaretter", "Försäljning av e-cigaretter"),
        ("Gräva och schakta", "Schakttillstånd"),
        ("Gravplats", "Gravplatser", "Begravningsplatser"),
        ("Förtidsröstning", "Rösta i förtid"),
        ("Registrera hund", "Registrering av hund"),
        ("Ansluta till fjärrvärme", "Anslutning till fjärrvärme"),
    ],
)
def test_round_seven_paraphrases_of_one_service_are_one_concept(names: tuple[str, ...]) -> None:
    activities = [Activity(str(i), f"org{i}", name) for i, name in enumerate(names)]
    concepts = group_activities(activities)
    assert len(concepts) == 1, [c.activity_ids for c in concepts]


def test_an_extended_service_is_another_service() -> None:
    activities = [
        Activity("1", "A", "Fritidshem"),
        Activity("2", "B", "Utökad tid på fritidshem"),
        Activity("3", "C", "Ansökan om utökad tid i fritidshem"),
    ]
    concepts = group_activities(activities)
    assert sorted(c.activity_ids for c in concepts) == [("1",), ("2", "3")]


@pytest.mark.parametrize(
    "names",
    [
        ("Hygienverksamhet", "Hygienisk verksamhet - anmälan"),
        ("Registreringslotteri - ansökan", "Lotterier med krav på registrering"),
        ("Villatomtkön", "Tomtkö"),
        ("Valaffischering", "Riktlinjer för affischering"),
        ("Ansökan vid vägarbeten", "Trafikanordningsplan"),
    ],
)
def test_round_eight_compound_variants_of_one_service_are_one_concept(
    names: tuple[str, ...],
) -> None:
    activities = [Activity(str(i), f"org{i}", name) for i, name in enumerate(names)]
    concepts = group_activities(activities)
    assert len(concepts) == 1, [c.activity_ids for c in concepts]


def test_the_learned_titles_hold_no_title_of_a_check_half_as_a_development_row() -> None:
    from mellanrum.engines.textmatch.service_titles import load_title_rows, scored_rows

    checks = {("dev", "b")} | {(s, "check") for s in ("dev3", "dev4", "dev6", "dev7", "dev8")}
    held_back = set()
    for split, half in checks:
        activities, _ = load_real_set("sv", split, half)
        held_back |= {(a.organisation, a.name) for a in activities}
    development = [r for r in load_title_rows("sv") if r.origin]
    assert development, "round 10 ships the tuned-on parts of the development sets"
    assert not {(r.organisation, r.name) for r in development} & held_back
    # They are learned, never scored as corpus titles.
    assert not any(r.origin for r in scored_rows("score"))
