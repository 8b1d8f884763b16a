"""Journey resolution and analysis on small, hand-made places."""

from __future__ import annotations

import pytest

from mellanrum.engines.journeys import (
    ActivityRef,
    LifeEvent,
    OrganisationRef,
    Place,
    Step,
    load_catalogue,
    resolve_journey,
)

VASBY = OrganisationRef("0114", "Upplands Väsby kommun", "municipality", "01")
MALMO = OrganisationRef("1280", "Malmö kommun", "municipality", "12")
STHLM = OrganisationRef("01", "Region Stockholm", "region", "01")
SKANE = OrganisationRef("12", "Region Skåne", "region", "12")
SKV = OrganisationRef("SKV", "Skatteverket", "state_agency")
FK = OrganisationRef("FK", "Försäkringskassan", "state_agency")

MOVE = LifeEvent("flytta", "Flytta", "Moving", "person", steps=(
    Step("Anmäla flytten", "agency:SKV", ("flyttanmälan",), ("personnummer", "adress"), 5),
    Step("Säga upp förskoleplatsen", "home_municipality", ("förskoleplats",),
         ("personnummer",), 30),
    Step("Ny förskoleplats", "new_municipality", ("förskoleplats",),
         ("personnummer", "adress", "inkomst"), 120),
    Step("Vårdcentral", "new_region", ("vårdcentral",), ("personnummer",), 1),
    Step("Bostadsbidrag", "agency:FK", ("bostadsbidrag",), ("inkomst", "adress"), 30),
    Step("Flyttfirma", "other", ("flyttfirma",), (), 2, provider="Flyttfirman"),
))

ACTIVITIES = {
    "SKV": [ActivityRef("s1", "Flyttanmälan", SKV, lead_time_days=3)],
    "0114": [ActivityRef("v1", "Ansök om förskoleplats", VASBY, lead_time_days=20),
             ActivityRef("v2", "Bygglov", VASBY)],
    "1280": [ActivityRef("m1", "Förskoleplats – ansökan", MALMO)],
    "12": [ActivityRef("r1", "Lista dig på en vårdcentral", SKANE, lead_time_days=1)],
}


def _place() -> Place:
    return Place(VASBY, region=STHLM, to=MALMO, to_region=SKANE,
                 agencies={"SKV": SKV, "FK": FK})


def test_a_move_across_a_county_border_crosses_municipal_and_regional_borders() -> None:
    journey = resolve_journey(MOVE, _place(), ACTIVITIES)
    assert [s.organisation.code if s.organisation else None for s in journey.steps] == [
        "SKV", "0114", "1280", "12", "FK", "other:Flyttfirman"]
    assert [s.activity.id if s.activity else None for s in journey.steps] == [
        "s1", "v1", "m1", "r1", None, None]
    assert journey.borders == {"municipal": 1, "regional": 1, "state": 3}
    assert journey.organisation_count == 6
    assert len(journey.handoffs) == 5


def test_gaps_are_steps_without_an_activity_and_outside_providers_are_not_gaps() -> None:
    journey = resolve_journey(MOVE, _place(), ACTIVITIES)
    assert [(g.number, g.gap) for g in journey.gaps] == [(5, "no_services")]
    other = {**ACTIVITIES, "FK": [ActivityRef("f1", "Sjukpenning", FK)]}
    journey = resolve_journey(MOVE, _place(), other)
    assert [(g.number, g.gap) for g in journey.gaps] == [(5, "no_activity")]
    assert journey.steps[5].gap == ""


def test_information_asked_more_than_once_names_who_asks() -> None:
    journey = resolve_journey(MOVE, _place(), ACTIVITIES)
    repeated = {r.item: r for r in journey.repeated_information}
    assert set(repeated) == {"personnummer", "adress", "inkomst"}
    assert repeated["personnummer"].steps == (1, 2, 3, 4)
    assert repeated["personnummer"].asked_by == (
        "Skatteverket", "Upplands Väsby kommun", "Malmö kommun", "Region Skåne")
    assert repeated["inkomst"].asked_by == ("Malmö kommun", "Försäkringskassan")


def test_lead_time_uses_the_activity_where_known_else_the_catalogue() -> None:
    journey = resolve_journey(MOVE, _place(), ACTIVITIES)
    assert [(s.lead_time_days, s.lead_time_source) for s in journey.steps] == [
        (3.0, "activity"), (20.0, "activity"), (120.0, "catalogue"), (1.0, "activity"),
        (30.0, "catalogue"), (2.0, "catalogue")]
    assert journey.total_lead_time_days == 176.0


def test_without_a_destination_the_move_stays_in_the_home_municipality() -> None:
    place = Place(VASBY, region=STHLM, agencies={"SKV": SKV, "FK": FK})
    journey = resolve_journey(MOVE, place, ACTIVITIES)
    assert journey.steps[2].organisation == VASBY
    assert journey.steps[3].organisation == STHLM
    assert journey.steps[3].gap == "no_services"  # Region Stockholm has none here
    assert journey.borders["municipal"] == 0
    assert journey.borders["regional"] == 0


def test_a_missing_region_or_agency_is_a_gap_without_organisation() -> None:
    place = Place(VASBY, to=MALMO)
    journey = resolve_journey(MOVE, place, ACTIVITIES)
    assert journey.steps[0].organisation is None
    assert journey.steps[0].gap == "no_organisation"
    assert journey.steps[3].gap == "no_organisation"


def test_a_journey_with_one_organisation_has_no_handoffs() -> None:
    event = LifeEvent("x", "X", "X", "person", steps=(
        Step("A", "home_municipality", ("förskoleplats",)),
        Step("B", "home_municipality", ("bygglov",)),
    ))
    journey = resolve_journey(event, Place(VASBY), ACTIVITIES)
    assert journey.handoffs == ()
    assert journey.borders == {"municipal": 0, "regional": 0, "state": 0}
    assert journey.steps_without_lead_time == 1


def test_activity_matching_tolerates_other_wordings_but_not_other_services() -> None:
    journey = resolve_journey(MOVE, _place(), ACTIVITIES)
    assert journey.steps[2].activity is not None  # "Förskoleplats – ansökan"
    assert journey.steps[1].activity is not None
    assert journey.steps[1].activity.name != "Bygglov"


@pytest.mark.parametrize("event", load_catalogue().life_events, ids=lambda e: e.id)
def test_every_shipped_life_event_resolves(event: LifeEvent) -> None:
    journey = resolve_journey(event, _place(), ACTIVITIES)
    assert len(journey.steps) == len(event.steps)
    assert journey.total_lead_time_days >= 0


def test_an_internal_process_never_serves_a_step() -> None:
    internal = {**ACTIVITIES, "1280": [
        ActivityRef("m1", "Förskoleplats – ansökan", MALMO, kind="process")]}
    journey = resolve_journey(MOVE, _place(), internal)
    assert journey.steps[2].activity is None
    assert journey.steps[2].gap == "no_services"


PARALLEL = LifeEvent("flytta", "Flytta", "Moving", "person", steps=(
    Step("Anmäla flytten", "agency:SKV", ("flyttanmälan",), ("personnummer", "adress"), 5),
    Step("Säga upp förskoleplatsen", "home_municipality", ("förskoleplats",),
         ("personnummer",), 30),
    Step("Ny förskoleplats", "new_municipality", ("förskoleplats",),
         ("personnummer", "adress", "inkomst"), 120, waits_for=(1,)),
    Step("Vårdcentral", "new_region", ("vårdcentral",), ("personnummer",), 1, waits_for=(1,)),
    Step("Bostadsbidrag", "agency:FK", ("bostadsbidrag",), ("inkomst", "adress"), 30,
         waits_for=(1,)),
))


def test_the_critical_path_is_the_longest_chain_of_waiting_steps_not_the_sum() -> None:
    journey = resolve_journey(PARALLEL, _place(), ACTIVITIES)
    # Step 1 takes 3 days (Skatteverket's median), the new preschool place 120 after it.
    assert journey.total_lead_time_days == 3 + 20 + 120 + 1 + 30
    assert journey.critical_path_days == 123
    assert journey.critical_path == (1, 3)
    starts = {s.number: (s.start_day, s.end_day) for s in journey.steps}
    assert starts[2] == (0, 20)  # waits for nothing: runs beside the move
    assert starts[4] == (3, 4)


def test_a_step_can_only_wait_for_an_earlier_step() -> None:
    with pytest.raises(ValueError, match="earlier steps"):
        LifeEvent("x", "X", "X", "person", steps=(
            Step("A", "agency:SKV", waits_for=(2,)), Step("B", "agency:SKV")))


def test_fetchable_items_are_counted_per_step_and_personnummer_is_no_burden() -> None:
    from mellanrum.engines.journeys import load_catalogue

    information = load_catalogue().information
    journey = resolve_journey(PARALLEL, _place(), ACTIVITIES, information)
    assert "personnummer" not in [r.item for r in journey.repeated_information]
    fetchable = {f.item: f.steps for f in journey.fetchable_information}
    # The address is in the population register the others can read (Navet), but the
    # person reporting a move gives Skatteverket the new address; the new municipality may
    # fetch income (SSBTEK), Försäkringskassan too.
    assert fetchable["adress"] == (3, 5)
    assert fetchable["inkomst"] == (3, 5)
    assert journey.steps[2].fetchable == ("adress", "inkomst")
    assert journey.fetchable_count == 4
