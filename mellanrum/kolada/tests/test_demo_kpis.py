"""The demo's key figures: real values from shipped files, never attributed to Kolada."""

from __future__ import annotations

import shlex

import pytest
from click.testing import CliRunner
from django.test import Client

from mellanrum.cli import main
from mellanrum.kolada.demo import SYNC_HINT, do_load_demo_kpis
from mellanrum.kolada.models import KoladaValue
from mellanrum.landscape.models import Organisation

from .fake_kolada import FakeKolada

pytestmark = pytest.mark.django_db


def test_the_demo_stores_real_population_and_tax_rates_with_their_sources() -> None:
    assert do_load_demo_kpis() == 580
    nacka = KoladaValue.objects.get(kpi_id="N01951", municipality_code="0182", year=2024)
    assert nacka.value == 112112  # SCB, 2024-12-31 (shared/data/sweden)
    assert nacka.source.startswith("SCB") and nacka.attribution != "Källa: Kolada"
    tax = KoladaValue.objects.get(kpi_id="N00901", municipality_code="0114", year=2025)
    assert tax.value == 19.42 and tax.source.startswith("Skatteverket")
    assert do_load_demo_kpis() == 580  # again: the same values, nothing duplicated
    assert KoladaValue.objects.count() == 580


def test_pages_name_the_true_source_not_kolada(client: Client) -> None:
    Organisation.objects.create(code="0114", name="Upplands Väsby kommun", kind="municipality")
    do_load_demo_kpis()
    page = client.get("/nyckeltal/N00901/").content.decode()
    caption = page[page.index("<caption"):page.index("</caption>")]
    assert "Källa: Skatteverket" in caption and "Kolada" not in caption
    assert "inte hämtade från Kolada" in page
    org_page = client.get("/organisationer/0114/").content.decode()
    assert "Källa: Skatteverket" in org_page


def test_a_sync_replaces_demo_values_with_koladas(fake_kolada: FakeKolada) -> None:
    do_load_demo_kpis()
    fake_kolada.set("N01951", "0182", 2024, 111000.0)
    result = CliRunner().invoke(main, ["kolada", "sync", "--kpi", "N01951", "--year", "2024",
                                       "--municipality", "0182"])
    assert result.exit_code == 0, result.output
    nacka = KoladaValue.objects.get(kpi_id="N01951", municipality_code="0182", year=2024)
    assert (nacka.value, nacka.source, nacka.attribution) == (111000.0, "", "Källa: Kolada")
    assert do_load_demo_kpis() == 579  # the demo leaves Kolada's value alone


def test_the_printed_sync_hint_is_a_valid_command(fake_kolada: FakeKolada) -> None:
    args = shlex.split(SYNC_HINT)
    assert args[:3] == ["mellanrum", "kolada", "sync"]
    result = CliRunner().invoke(main, args[1:])
    assert result.exit_code == 0, result.output
