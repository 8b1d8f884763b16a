"""The finder on everyday phrasings, typos and bad input.

Development tables in mellanrum/journeys/tests/data (tuned on): `finder_dev.csv` and
`finder_heldout1_retired.csv` … `finder_heldout5_retired.csv` (the first five held-out tables,
retired into development after they were evaluated). The held-out table
`finder_heldout_v6.csv` was written independently, kept outside the repository until the
coordinator scored it once (`bench/finder_eval.py heldout`), then added here; it is never
tuned on. docs/journeys.md reports
the accuracy; the floors below keep it from sliding back."""

from __future__ import annotations

from pathlib import Path

import pytest

from mellanrum.engines.journeys import (
    ActivityRef,
    Finder,
    OrganisationRef,
    Place,
    find,
    load_catalogue,
)
from mellanrum.engines.journeys import cues as cues_module
from mellanrum.engines.journeys import evidence as evidence_module
from mellanrum.engines.journeys.evidence import shipped_examples
from mellanrum.engines.journeys.phrasings import evaluate, read_phrasings
from mellanrum.engines.journeys.query_text import spell_out
from mellanrum.engines.journeys.spelling import ages

DATA = Path(__file__).resolve().parents[3] / "journeys" / "tests" / "data"
CATALOGUE = load_catalogue()
FINDER = Finder(CATALOGUE.life_events, CATALOGUE.synonyms)


def _ids(text: str) -> list[str]:
    result = find(text, CATALOGUE.life_events, synonyms=CATALOGUE.synonyms)
    return [m.event.id for m in result.life_events]


def test_the_retired_held_out_table_has_at_least_100_phrasings_of_every_kind() -> None:
    rows = read_phrasings(DATA / "finder_heldout1_retired.csv")
    assert len(rows) >= 100
    known = {e.id for e in CATALOGUE.life_events}
    for row in rows:
        assert set(row.expected.replace("+", "|").split("|")) <= known, row
    kinds = {row.kind for row in rows}
    assert {"typo", "slang", "indirect", "english", "multi"} <= kinds


DEVELOPMENT_TABLES = ("finder_dev.csv", "finder_heldout1_retired.csv",
                      "finder_heldout2_retired.csv")


@pytest.mark.parametrize(("first", "second"), [
    (a, b) for i, a in enumerate(DEVELOPMENT_TABLES) for b in DEVELOPMENT_TABLES[i + 1:]])
def test_the_development_tables_share_no_phrasing(first: str, second: str) -> None:
    one = {r.text.lower() for r in read_phrasings(DATA / first)}
    other = {r.text.lower() for r in read_phrasings(DATA / second)}
    assert not sorted(one & other)


def test_the_retired_second_held_out_table_keeps_its_rows_and_kinds() -> None:
    rows = read_phrasings(DATA / "finder_heldout2_retired.csv")
    assert len(rows) == 304
    known = {e.id for e in CATALOGUE.life_events}
    for row in rows:
        assert set(row.expected.replace("+", "|").split("|")) <= known, row
    assert {"typo", "slang", "indirect", "english", "multi", "everyday"} == {
        row.kind for row in rows}


def test_the_retired_third_held_out_table_keeps_its_rows_and_kinds() -> None:
    rows = read_phrasings(DATA / "finder_heldout3_retired.csv")
    assert len(rows) == 364
    known = {e.id for e in CATALOGUE.life_events}
    assert {e for row in rows for e in row.expected.replace("+", "|").split("|")} == known
    assert {"typo", "slang", "indirect", "english", "multi", "everyday"} == {
        row.kind for row in rows}


def test_the_retired_fourth_held_out_table_keeps_its_rows_and_kinds() -> None:
    rows = read_phrasings(DATA / "finder_heldout4_retired.csv")
    assert len(rows) == 367
    known = {e.id for e in CATALOGUE.life_events}
    assert {e for row in rows for e in row.expected.replace("+", "|").split("|")} == known
    assert {"typo", "slang", "indirect", "english", "multi", "everyday"} == {
        row.kind for row in rows}


def test_the_retired_fifth_held_out_table_keeps_its_rows_and_kinds() -> None:
    rows = read_phrasings(DATA / "finder_heldout5_retired.csv")
    assert len(rows) == 374
    known = {e.id for e in CATALOGUE.life_events}
    assert {e for row in rows for e in row.expected.replace("+", "|").split("|")} == known
    assert {"typo", "slang", "indirect", "english", "multi", "everyday"} == {
        row.kind for row in rows}


def test_worded_examples_come_only_from_the_development_tables() -> None:
    development = {r.text.strip().lower() for name in (*DEVELOPMENT_TABLES,
                                                       "finder_heldout3_retired.csv",
                                                       "finder_heldout4_retired.csv",
                                                       "finder_heldout5_retired.csv")
                   for r in read_phrasings(DATA / name)}
    examples = shipped_examples()
    known = {e.id for e in CATALOGUE.life_events}
    assert len(examples) > 1500
    assert all(text.lower() in development and event in known for text, event in examples)


def test_an_event_is_found_by_words_only_its_worded_examples_have() -> None:
    plain = Finder(CATALOGUE.life_events, CATALOGUE.synonyms, examples=())
    taught = Finder(CATALOGUE.life_events, CATALOGUE.synonyms,
                    examples=[("kvastkvalp zorblik", "gifta-sig")])
    assert not plain.score_events("kvastkvalp zorblik")
    assert taught.score_events("kvastkvalp zorblik")[0].event.id == "gifta-sig"


def test_a_word_counts_for_the_event_whose_examples_use_it_most_often_in_proportion(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The word evidence alone (the examples' centroids switched off): "zorblik" is in both
    # examples of getting married and in 3 of 10 of the driving licence, so it speaks for
    # marrying first although the driving licence has it more often.
    monkeypatch.setattr(evidence_module, "EXAMPLE_WEIGHT", 0.0)
    examples = [("zorblik kvastkvalp", "gifta-sig"), ("zorblik plonkelitt", "gifta-sig")]
    examples += [("zorblik", "ta-korkort")] * 3 + [("trumfjälp", "ta-korkort")] * 7
    finder = Finder(CATALOGUE.life_events, CATALOGUE.synonyms, examples=examples)
    ranked = finder.score_events("zorblik")
    assert [m.event.id for m in ranked[:2]] == ["gifta-sig", "ta-korkort"]
    assert ranked[0].score > ranked[1].score
    # A word of a single example is no evidence; the same word in two examples is.
    assert not finder.score_events("kvastkvalp")
    assert finder.score_events("trumfjälp")[0].event.id == "ta-korkort"


def test_words_in_the_order_an_event_s_examples_use_them_count_for_that_event() -> None:
    # Each word is in two examples of both events, so only the pairs of consecutive words
    # ("kvastkvalp zorblik" for marrying, "zorblik kvastkvalp" for the licence) tell them
    # apart.
    examples = [("kvastkvalp zorblik", "gifta-sig"), ("kvastkvalp zorblik plonk", "gifta-sig"),
                ("zorblik kvastkvalp", "ta-korkort"), ("zorblik kvastkvalp plonk", "ta-korkort")]
    finder = Finder(CATALOGUE.life_events, CATALOGUE.synonyms, examples=examples)
    one = finder.score_events("kvastkvalp zorblik")
    other = finder.score_events("zorblik kvastkvalp")
    assert one[0].event.id == "gifta-sig" and one[0].score > one[1].score
    assert other[0].event.id == "ta-korkort" and other[0].score > other[1].score


@pytest.mark.parametrize("text", ["how to close my sole trader business",
                                  "winding up my sole trader business"])
def test_closing_a_business_is_an_ending_not_a_start(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert FINDER.score_events(text)[0].event.id == "avveckla-foretag"
    # Starting one keeps its place when nothing speaks of an ending.
    assert FINDER.score_events("starta enskild firma")[0].event.id == "starta-foretag"
    # Without the negative evidence of ending words the shared business words win.
    cues = tuple(c for c in cues_module.NEGATIVE_CUES if "starta-foretag" not in c[1])
    monkeypatch.setattr(cues_module, "NEGATIVE_CUES", cues)
    monkeypatch.setattr(cues_module, "POSITIVE_CUES", ())
    assert FINDER.score_events(text)[0].event.id == "starta-foretag"


def test_word_evidence_lifts_a_situation_described_in_everyday_words(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = "ovanför mig bor nån som borrar och bankar hela nätterna"
    monkeypatch.setattr(cues_module, "POSITIVE_CUES", ())  # a neighbour at night is a cue too
    assert FINDER.score_events(text)[0].event.id == "storningar-i-boendet"
    monkeypatch.setattr(evidence_module, "EVIDENCE_WEIGHT", 0.0)
    monkeypatch.setattr(evidence_module, "PAIR_WEIGHT", 0.0)
    assert FINDER.score_events(text)[0].event.id != "storningar-i-boendet"


@pytest.mark.parametrize(("text", "expected", "cue_against"), [
    # An employee's workplace closes: a lost job, not closing or hiring.
    ("firman jag jobbar på har gått i konkurs", "forlora-jobbet", "avveckla-foretag"),
    # A business one has is not being started (nor closed).
    ("min enskilda firma har fått så mycket jobb att jag inte hinner själv", "anstalla-forsta",
     "starta-foretag"),
    # Something in the home one has: not looking for a home.
    ("kackerlackor i hyreslägenheten", "storningar-i-boendet", "skaffa-bostad"),
])
def test_words_about_who_and_where_speak_against_a_neighbouring_event(
    text: str, expected: str, cue_against: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    examples = [x for x in shipped_examples() if x[0].lower() != text]
    finder = Finder(CATALOGUE.life_events, CATALOGUE.synonyms, examples)
    assert finder.score_events(text)[0].event.id == expected
    assert cues_module.against(text)[cue_against] < 1.0
    monkeypatch.setattr(cues_module, "NEGATIVE_CUES", ())
    assert finder.score_events(text)[0].event.id == cue_against


def test_positive_cues_name_an_ending_business_and_a_disturbance_at_home() -> None:
    assert cues_module.lifted("vad gör jag med serveringstillståndet när vi stänger krogen")
    assert cues_module.lifted("closing down my shop") == {"avveckla-foretag": 0.3}
    # The one who loses a job where a business closes does not close it.
    assert not cues_module.lifted("företaget har lagt ner och jag står utan arbete")
    assert cues_module.lifted("fläkten under oss låter hela natten") == {
        "storningar-i-boendet": 0.3}
    assert not cues_module.lifted("han låter mig inte träffa någon hela natten")


@pytest.mark.parametrize("text", ["my employer went bankrupt",
                                  "företaget där jag jobbar går i konkurs",
                                  "the company I work for is closing down"])
def test_an_employee_whose_workplace_fails_loses_a_job(text: str) -> None:
    assert _ids(text)[0] == "forlora-jobbet"
    assert cues_module.lifted(text) == {"forlora-jobbet": 0.3}
    # The owner who closes the business is not losing a job.
    assert _ids("vi ska stänga vår firma")[0] == "avveckla-foretag"


def test_the_cues_read_the_words_as_written_not_a_split_compound() -> None:
    # "ledstänger" (handrails) is split into "stänger" (closes) by the spelling repair.
    assert FINDER.score_events(
        "morfar har svårt med trapporna och behöver ledstänger")[0].event.id == (
        "aldras-stod-hemma")
    assert "starta-foretag" not in cues_module.against("behöver ledstänger")


def test_a_near_tie_is_broken_by_the_need_more_clauses_name() -> None:
    ranked = _ids("går ut nian i vår, hur söker jag gymnasiet? och kan man få sommarjobb")
    assert ranked[0] == "borja-gymnasiet"
    assert "ung-utan-jobb-eller-skola" in ranked[:3]


def test_an_abbreviation_that_is_an_english_word_is_spelled_out_only_in_capitals() -> None:
    assert spell_out("fick PUT igår") == "fick PUT permanent uppehållstillstånd igår"
    assert spell_out("fick put igår") == "fick put permanent uppehållstillstånd igår"
    assert spell_out("can I put a sauna in the garden") == "can I put a sauna in the garden"
    assert _ids("fått PUT nu, vad gör jag")[0] == "flykting-ny-i-sverige"


def test_colloquial_words_and_abbreviations_are_spelled_out_and_idioms_stay_whole() -> None:
    assert spell_out("fick sparken, ringde FK") == (
        "fick sparken uppsagd, ringde FK försäkringskassan")
    assert spell_out("a-kassan och soc") == (
        "a-kassan arbetslöshetskassa och soc socialtjänsten")
    assert spell_out("social och afrika") == "social och afrika"
    # Round 6's everyday and youth words; a multi-word key is found whole.
    assert spell_out("knegar på krogen, hon är på smällen") == (
        "knegar jobbar på krogen restaurangen, hon är på smällen gravid")
    assert spell_out("fiket") == "fiket kaféet"
    assert spell_out("fik") == "fik"  # a typo of "fick" is not a café


@pytest.mark.parametrize(("table", "top1_floor", "top3_floor"),
                         [("finder_dev.csv", 0.98, 0.99),
                          ("finder_heldout1_retired.csv", 0.98, 0.99),
                          ("finder_heldout2_retired.csv", 0.975, 0.99),
                          ("finder_heldout3_retired.csv", 0.94, 0.985),
                          ("finder_heldout4_retired.csv", 0.95, 0.985),
                          ("finder_heldout5_retired.csv", 0.97, 0.99),
                          # Held-out v6 as scored once (docs/journeys.md): kept from sliding.
                          ("finder_heldout_v6.csv", 0.95, 0.99)])
def test_accuracy_floor(table: str, top1_floor: float, top3_floor: float) -> None:
    score = evaluate(FINDER, read_phrasings(DATA / table))
    assert score.total >= 100
    assert score.top1_share >= top1_floor
    assert score.top3_share >= top3_floor


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("vi har fått barn", "fa-barn"),
        ("vill plugga upp mina betyg", "studera-som-vuxen"),
        ("grannen spelar hög musik", "storningar-i-boendet"),
        ("we had a baby", "fa-barn"),
    ],
)
def test_the_issues_examples_find_the_right_life_event_first(text: str, expected: str) -> None:
    assert _ids(text)[:1] == [expected]


def test_a_father_who_no_longer_knows_his_child_is_dementia_or_old_age_not_a_birth() -> None:
    assert _ids("pappa känner inte igen mig längre")[0] in {"anhorig-demens", "aldras-stod-hemma"}


def test_vill_is_a_wish_not_a_villa() -> None:
    assert "bygga-hus" not in _ids("min dotter vill börja köra bil")[:1]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("flyttar", "flytta-till-annan-kommun"),
        ("fytta", "flytta-till-annan-kommun"),
        ("äldreboende", "aldras-stod-hemma"),
        ("särskilt boende", "aldras-stod-hemma"),
        ("mamma klarar sig inte hemma längre", "aldras-stod-hemma"),
        ("jag vill starta ett kafé", "oppna-restaurang"),
        ("jag vill starta ett cafe", "oppna-restaurang"),
        ("hemtjänts", "aldras-stod-hemma"),
        ("FÖRÄLDRAPENNING", "fa-barn"),
    ],
)
def test_everyday_words_and_typos_find_the_life_event(text: str, expected: str) -> None:
    assert _ids(text)[:1] == [expected]


@pytest.mark.parametrize("text", ["", "   ", "och i på", "<b></b>", "!!!"])
def test_empty_or_wordless_queries_find_nothing(text: str) -> None:
    assert _ids(text) == []


def test_a_10000_character_query_is_cut_and_answered() -> None:
    assert _ids("flytta " * 1500)[:1] == ["flytta-till-annan-kommun"]


def test_nonsense_finds_nothing_confidently() -> None:
    assert _ids("xqzzt blorf") == []


NACKA = OrganisationRef("0182", "Nacka kommun", "municipality", "01")
STHLM = OrganisationRef("01", "Region Stockholm", "region", "01")
PM = OrganisationRef("PM", "Pensionsmyndigheten", "state_agency")
SERVICES = [
    ActivityRef("1", "Hemtjänst", NACKA),
    ActivityRef("2", "Trygghetslarm", NACKA),
    ActivityRef("3", "Bygglov", NACKA),
    ActivityRef("4", "Hjälpmedel – förskrivning", STHLM),
    ActivityRef("5", "Bostadstillägg för pensionärer", PM),
]


def test_services_of_the_best_life_event_come_with_what_to_prepare() -> None:
    place = Place(NACKA, region=STHLM, agencies={"PM": PM})
    result = find("mamma klarar sig inte hemma längre", CATALOGUE.life_events, SERVICES,
                  synonyms=CATALOGUE.synonyms, place=place)
    names = [s.activity.name for s in result.services]
    assert names[:2] == ["Hemtjänst", "Trygghetslarm"]
    assert "Bygglov" not in names
    assert "Hjälpmedel – förskrivning" in names
    # Housing supplement applies when money is short: these words do not say so.
    assert "Bostadstillägg för pensionärer" not in names
    money = find("mamma klarar sig inte hemma och pensionen räcker inte", CATALOGUE.life_events,
                 SERVICES, synonyms=CATALOGUE.synonyms, place=place)
    assert "Bostadstillägg för pensionärer" in [s.activity.name for s in money.services]
    assert "personnummer" in result.services[0].data_items
    assert result.services[0].life_event_id == "aldras-stod-hemma"


def test_a_service_named_in_the_query_is_found_directly() -> None:
    result = find("bygglov", CATALOGUE.life_events, SERVICES, synonyms=CATALOGUE.synonyms)
    assert "Bygglov" in [s.activity.name for s in result.services]


def test_scores_are_ordered_and_between_0_and_1() -> None:
    result = find("vi ska flytta till Nacka", CATALOGUE.life_events, SERVICES,
                  synonyms=CATALOGUE.synonyms)
    scores = [m.score for m in result.life_events]
    assert scores == sorted(scores, reverse=True)
    assert all(0 < s <= 1 for s in scores)


BUILD = [
    ActivityRef("10", "Tomtkö", NACKA),
    ActivityRef("11", "Bygglov – ansök", NACKA),
    ActivityRef("12", "Bostadsförsörjning", NACKA, kind="process"),
    ActivityRef("13", "Ansök om förskoleplats", NACKA),
    ActivityRef("14", "Ansök om asyl", OrganisationRef("MIGR", "Migrationsverket", "state_agency")),
]


def test_a_deck_does_not_offer_building_plots_but_a_new_house_does() -> None:
    place = Place(NACKA, region=STHLM)
    deck = find("bygga altan", CATALOGUE.life_events, BUILD, synonyms=CATALOGUE.synonyms,
                place=place)
    assert [s.activity.name for s in deck.services] == ["Bygglov – ansök"]
    house = find("vi ska bygga ett nytt hus", CATALOGUE.life_events, BUILD,
                 synonyms=CATALOGUE.synonyms, place=place)
    assert "Tomtkö" in [s.activity.name for s in house.services]


def test_internal_processes_never_reach_citizens() -> None:
    result = find("bostadsförsörjning", CATALOGUE.life_events, BUILD,
                  synonyms=CATALOGUE.synonyms)
    assert all(s.activity.kind != "process" for s in result.services)
    assert "Bostadsförsörjning" not in [s.activity.name for s in result.services]


def test_starting_preschool_does_not_wander_into_asylum() -> None:
    migr = OrganisationRef("MIGR", "Migrationsverket", "state_agency")
    place = Place(NACKA, region=STHLM, agencies={"MIGR": migr})
    result = find("barnet ska börja förskolan", CATALOGUE.life_events, BUILD,
                  synonyms=CATALOGUE.synonyms, place=place)
    names = [s.activity.name for s in result.services]
    assert names[0] == "Ansök om förskoleplats"
    assert "Ansök om asyl" not in names


def test_a_move_with_a_child_in_school_offers_the_new_municipalitys_school_services() -> None:
    malmo = OrganisationRef("1280", "Malmö stad", "municipality", "12")
    skane = OrganisationRef("12", "Region Skåne", "region", "12")
    services = [
        ActivityRef("1", "Välj skola", NACKA), ActivityRef("2", "Fritidshem", NACKA),
        ActivityRef("3", "Välj skola", malmo), ActivityRef("4", "Fritidshem", malmo),
        ActivityRef("5", "Lista dig på en vårdcentral", skane),
    ]
    place = Place(NACKA, region=STHLM, to=malmo, to_region=skane)
    result = find("vi flyttar till Malmö och barnen behöver ny skola", CATALOGUE.life_events,
                  services, synonyms=CATALOGUE.synonyms, place=place)
    codes = {s.activity.organisation.code for s in result.services}
    assert "0182" not in codes
    assert {"1280", "12"} <= codes


@pytest.mark.parametrize(("text", "needs"), [
    ("jag har blivit uppsagd och kan inte betala hyran",
     {"forlora-jobbet", "ekonomiska-svarigheter"}),
    ("vi ska skiljas och jag behöver en egen lägenhet", {"skilsmassa", "skaffa-bostad"}),
    ("I lost my job and need somewhere to live", {"forlora-jobbet", "skaffa-bostad"}),
])
def test_every_need_of_a_sentence_with_several_is_among_the_first_three(
    text: str, needs: set[str]
) -> None:
    assert needs <= set(_ids(text)[:3])


def test_a_conjunction_in_a_single_need_keeps_the_whole_sentence_first() -> None:
    # "och" splits the sentence, but the first event is still the whole sentence's best.
    assert _ids("hjälp med dusch och städning för pappa som är gammal")[0] == (
        "aldras-stod-hemma")


def test_an_event_that_explains_every_word_beats_one_that_explains_only_the_generic_one(
) -> None:
    # Both events know "företag"; only one knows "konkurs" and "avveckla".
    assert _ids("avveckla företaget")[0] == "avveckla-foretag"
    assert _ids("konkurs i bolaget")[0] == "avveckla-foretag"


def test_a_word_the_events_know_is_not_corrected_into_another_event_s_word() -> None:
    # "körskola" is one letter from "förskola"; the events know both words.
    assert _ids("körskola")[0] == "ta-korkort"
    assert FINDER.matcher.analyser.correct("körskola") == "körskola"


def test_a_compound_of_an_event_word_is_split_on_it() -> None:
    # "knark" is not in the shipped lexicon, but the addiction event uses it.
    assert _ids("knarkproblem")[0] == "missbruk-och-beroende"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("forsakringskassan sjukpenning", "langvarigt-sjuk"),  # å, ä, ö left out
        ("aldreboende for mamma", "aldras-stod-hemma"),
        ("handikappsparkering", "behova-fardtjanst-och-hjalpmedel"),  # compound not in texts
        ("jobblös", "forlora-jobbet"),  # X-lös is "utan X"
        ("vi har fått jobb i Umeå och ska bo där", "flytta-till-annan-kommun"),  # a place
    ],
)
def test_misspelt_words_unknown_compounds_and_place_names_are_understood(
    text: str, expected: str
) -> None:
    assert _ids(text)[:1] == [expected]


def test_spelling_repair_leaves_known_words_and_ordinary_place_words_alone() -> None:
    speller = FINDER.speller
    assert speller.repair("körskola") == "körskola"
    assert speller.repair("bygglov i Vara") == "bygglov i Vara"  # "vara" is a Swedish word
    assert speller.repair("förskola i Malmö") == "förskola i annan ort"


def test_a_price_word_does_not_pull_towards_the_driving_licence() -> None:
    # Snowball stems "billigare" to "bil".
    assert "ta-korkort" not in _ids("måste hitta billigare boende")[:3]


def test_something_no_longer_possible_is_a_loss_not_a_beginning() -> None:
    # "köra bil" is the driving licence's phrase; "inte ... längre" speaks against it.
    assert _ids("pappa kan inte köra bil längre")[0] == "behova-fardtjanst-och-hjalpmedel"


def test_a_clause_that_names_its_need_far_more_clearly_comes_first() -> None:
    assert _ids("företaget går omkull och jag blir utan jobb")[0] == "forlora-jobbet"


def test_a_stated_age_points_to_the_life_events_of_that_age() -> None:
    assert _ids("studiebidrag för 16-åring")[0] == "borja-gymnasiet"
    assert "studera-som-vuxen" not in _ids("studiebidrag för 16-åring")[:1]
    assert _ids("mamma är 88 och klarar sig inte")[0] == "aldras-stod-hemma"


def test_english_inflections_and_labour_pains_are_understood() -> None:
    assert _ids("my dad keeps getting lost")[0] == "anhorig-demens"
    assert _ids("sambon har värkar")[0] == "fa-barn"


def test_a_short_head_of_an_unknown_compound_is_no_evidence_alone() -> None:
    # "frisörsalong" must not become the English "long".
    assert "long" not in FINDER.speller.repair("frisörsalong").split()


def test_services_are_found_for_a_query_written_without_the_swedish_letters() -> None:
    result = find("hemtjanst at mamma", CATALOGUE.life_events, SERVICES,
                  synonyms=CATALOGUE.synonyms)
    assert result.life_events[0].event.id == "aldras-stod-hemma"
    assert "Hemtjänst" in [s.activity.name for s in result.services]


def test_spelling_repair_neither_reads_common_words_as_places_nor_corrects_short_words(
) -> None:
    speller = FINDER.speller
    assert speller.repair("sonen sitter bara hemma") == "sonen sitter bara hemma"  # Bara, Skåne
    assert speller.repair("svårt att sitta still") == "svårt att sitta still"  # not "till"
    # The longest head of an unknown compound wins: "el|räkningen", not "elräkn|ingen".
    assert "ingen" not in speller.repair("elräkningen").split()
    assert _ids("kan man få hjälp med elräkningen")[:3].count("ekonomiska-svarigheter") == 1


def test_spelling_repair_leaves_common_swedish_and_english_words_alone() -> None:
    speller = FINDER.speller
    for text in ("vad händer nu", "vi fick ett beslut", "jag funderar på", "här bor vi",
                 "I like cooking", "a cleaning company"):
        assert speller.repair(text) == text
    # Typos are still repaired.
    assert speller.repair("sjukpening") == "sjukpenning"
    assert speller.repair("hemtjanst") == "hemtjänst"


def test_an_idiom_found_whole_outweighs_a_place_word() -> None:
    # "somnade in" is a death; "sjukhuset" alone would be a transport need.
    assert _ids("mormor somnade in igår på sjukhuset")[0] == "dodsfall-i-familjen"
    assert _ids("gick in i väggen i våras och är fortfarande hemma")[0] == "langvarigt-sjuk"


def test_asking_for_help_and_naming_the_person_are_no_evidence() -> None:
    assert _ids("söker lya, nån som har tips?")[:1] == ["skaffa-bostad"]
    assert _ids("tonåringen röker på, vad gör vi?")[:1] == ["missbruk-och-beroende"]
    assert _ids("I want to start my own cleaning company, where do I begin?")[:1] == [
        "starta-foretag"]


def test_ages_in_words_and_english_are_read() -> None:
    assert _ids("I'm 19, dropped out of school and have no job")[0] == \
        "ung-utan-jobb-eller-skola"
    assert cues_module.lifted("", ages("lillan fyller ett i vår")) == {"borja-forskola": 0.3}
    # A duration or a distance is no age.
    assert ages("uppsagd efter 20 år") == ages("om det är 4 km dit") == ()


def test_a_partner_who_moved_out_is_a_separation_not_a_move() -> None:
    ids = _ids("han har flyttat ut och vi ska bestämma var barnen ska bo")
    assert ids[0] == "skilsmassa"
    assert _ids("vi ska flytta till Umeå")[0] == "flytta-till-annan-kommun"


def test_a_word_of_a_synonym_phrase_does_not_stand_for_the_phrase() -> None:
    # "svenska" is the language, not citizenship ("bli svensk"); "jobba" is not unemployment
    # ("utan jobb"); "sjukhuset" is not building a house.
    assert _ids("vill lära mig svenska och är ny i Sverige")[0] == "flykting-ny-i-sverige"
    assert _ids("kan jag bli svensk nu?")[0] == "bli-svensk-medborgare"
    assert "bygga-hus" not in _ids("mormor ligger på sjukhuset")[:3]
