"""Editing a life event keeps what points at its steps, and `mellanrum init` brings the
catalogue up to the shipped one without undoing what a person edited."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from mellanrum.cli import main
from mellanrum.collaborations.actions import do_create_initiative
from mellanrum.collaborations.models import Initiative
from mellanrum.conftest import _user
from mellanrum.core.models import User
from mellanrum.journeys import analysis
from mellanrum.journeys.actions import (
    StepData,
    do_import_catalogue,
    do_load_catalogue,
    do_save_life_event,
)
from mellanrum.journeys.models import CatalogueSetting, LifeEvent, Step
from mellanrum.landscape.models import Organisation

MOVE = "flytta-till-annan-kommun"


def _initiative_on(step: Step) -> Initiative:
    nacka = Organisation.objects.get(code="0182")
    initiative = do_create_initiative(
        acting_user=_user("lead", nacka, "editor"), lead=nacka, title="Flytta en gång",
        purpose="Syfte", is_public=True, phase="idea", citizen_value=3, savings=3,
        feasibility=3, reach=3, risk_level=3,
    )
    initiative.steps.add(step)
    return initiative


def _as_data(event: LifeEvent) -> list[StepData]:
    return [StepData(need=s.need, responsible=s.responsible, lead_time_days=s.lead_time_days,
                     waits_for=tuple(s.waits_for))
            for s in event.steps.order_by("position")]


def _save(event: LifeEvent, steps: list[StepData], user: User | None = None) -> None:
    do_save_life_event(event, acting_user=user, slug=event.slug, label_sv=event.label_sv,
                       steps=steps)


def test_an_initiative_stays_linked_to_its_step_when_the_life_event_is_edited(
    catalogue: None,
) -> None:
    event = LifeEvent.objects.get(slug=MOVE)
    step = event.steps.get(position=2)
    initiative = _initiative_on(step)
    steps = _as_data(event)
    steps.insert(0, StepData(need="Bestäm flyttdag", responsible="home_municipality"))
    steps = [StepData(need=s.need, responsible=s.responsible) for s in steps]

    _save(event, steps)

    kept = initiative.steps.get()
    assert kept.need == step.need and kept.position == 3
    assert list(event.steps.order_by("position").values_list("need", flat=True)) == [
        s.need for s in steps]


def test_a_step_whose_need_is_reworded_keeps_its_row_at_its_place(catalogue: None) -> None:
    event = LifeEvent.objects.get(slug=MOVE)
    step = event.steps.get(position=2)
    initiative = _initiative_on(step)
    steps = _as_data(event)
    steps[1] = StepData(need=steps[1].need + " (omformulerad)", responsible=steps[1].responsible)

    _save(event, steps)

    assert initiative.steps.get().need == step.need + " (omformulerad)"


def test_a_removed_step_takes_its_links_with_it(catalogue: None) -> None:
    event = LifeEvent.objects.get(slug=MOVE)
    initiative = _initiative_on(event.steps.get(position=2))
    steps = _as_data(event)
    del steps[1]
    steps = [StepData(need=s.need, responsible=s.responsible) for s in steps]

    _save(event, steps)

    assert not initiative.steps.exists()
    assert event.steps.count() == len(steps)


def _age_the_catalogue() -> None:
    """Make the database look as if it was loaded from an older shipped catalogue."""
    event = LifeEvent.objects.get(slug="fa-barn")
    event.synonyms = ["en gammal fras"]
    event.save(update_fields=["synonyms"])
    Step.objects.filter(life_event=event, position=1).update(need_en="")
    LifeEvent.objects.filter(slug="skilsmassa").delete()
    setting = CatalogueSetting.objects.get()
    setting.synonyms = [["gammal", "äldre"]]
    setting.save(update_fields=["synonyms"])


@pytest.mark.django_db
def test_a_refresh_brings_unedited_life_events_and_synonyms_up_to_the_shipped_text(
    catalogue: None,
) -> None:
    shipped = analysis.shipped_catalogue()
    _age_the_catalogue()

    counts = do_load_catalogue(refresh=True)

    event = LifeEvent.objects.get(slug="fa-barn")
    first = next(e for e in shipped.life_events if e.id == "fa-barn")
    assert event.synonyms == list(first.synonyms)
    assert event.steps.get(position=1).need_en == first.steps[0].need_en
    assert LifeEvent.objects.filter(slug="skilsmassa").exists()
    assert CatalogueSetting.objects.get().synonyms == [list(s) for s in shipped.synonyms]
    assert counts["life_events_updated"] == 1 and counts["life_events_created"] == 1
    assert do_load_catalogue(refresh=True)["life_events_updated"] == 0


def test_a_refresh_leaves_what_a_person_edited(catalogue: None, admin_user: User) -> None:
    event = LifeEvent.objects.get(slug="fa-barn")
    own = StepData(need="Vår egen första punkt", responsible="home_municipality")
    _save(event, [own], admin_user)
    do_import_catalogue({"life_events": [], "synonyms": [["vår", "egen"]]},
                        acting_user=admin_user)

    do_load_catalogue(refresh=True)

    assert list(event.steps.values_list("need", flat=True)) == ["Vår egen första punkt"]
    assert CatalogueSetting.objects.get().synonyms == [["vår", "egen"]]


def test_init_refreshes_the_catalogue_of_an_existing_database(catalogue: None) -> None:
    _age_the_catalogue()

    result = CliRunner().invoke(main, ["init"])

    assert result.exit_code == 0, result.output
    assert "Life-event catalogue: 1 brought up to the shipped text, 1 added" in result.output
    assert LifeEvent.objects.filter(slug="skilsmassa").exists()
