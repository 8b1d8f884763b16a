"""`mellanrum kolada sync` and `values` against the fake Kolada the suite starts."""

from __future__ import annotations

import json
import time

import pytest
from click.testing import CliRunner

from mellanrum.cli import main
from mellanrum.kolada.models import KoladaSync, KoladaValue

from .fake_kolada import FakeKolada

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["kolada", *args])
    return result.exit_code, result.output


def stored() -> dict[tuple[str, str, int, str], float | None]:
    return {(v.kpi_id, v.municipality_code, v.year, v.gender): v.value
            for v in KoladaValue.objects.all()}


def test_sync_follows_every_page_and_stores_values(fake_kolada: FakeKolada) -> None:
    code, output = run("sync", "--kpi", "N01951", "--year", "2023")
    assert code == 0, output
    assert "4 new" in output
    assert stored() == {
        ("N01951", "0001", 2023, "T"): 2454821.0,
        ("N01951", "0180", 2023, "T"): 984748.0,
        ("N01951", "0182", 2023, "T"): 110003.0,
        ("N01951", "1480", 2023, "T"): 600000.0,
    }
    # five items in pages of two: three pages, each one request
    assert [p.split("?")[1] for p in fake_kolada.requests] == [
        "page=1&per_page=2", "page=2&per_page=2", "page=3&per_page=2"]


def test_a_relative_next_url_is_followed(fake_kolada: FakeKolada) -> None:
    fake_kolada.relative_next = True
    code, output = run("sync", "--kpi", "N01951", "--year", "2023")
    assert code == 0, output
    assert len(stored()) == 4 and len(fake_kolada.requests) == 3


def test_sync_uses_the_municipality_path_when_codes_are_given(fake_kolada: FakeKolada) -> None:
    code, output = run("sync", "--kpi", "n15004", "--year", "2022", "--municipality", "0182")
    assert code == 0, output
    assert fake_kolada.requests[0].startswith("/v3/data/kpi/N15004/municipality/0182/year/2022")
    assert stored() == {
        ("N15004", "0182", 2022, "T"): 101.5,
        ("N15004", "0182", 2022, "K"): 100.0,
        ("N15004", "0182", 2022, "M"): 103.0,
    }


def test_running_the_same_sync_again_changes_nothing(fake_kolada: FakeKolada) -> None:
    run("sync", "--kpi", "N01951", "--year", "2023")
    before = {v.pk: (v.value, v.changed_at) for v in KoladaValue.objects.all()}
    code, output = run("sync", "--kpi", "N01951", "--year", "2023")
    assert code == 0
    assert "0 new, 0 changed, 4 unchanged" in output
    assert {v.pk: (v.value, v.changed_at) for v in KoladaValue.objects.all()} == before


def test_a_value_kolada_changed_is_updated(fake_kolada: FakeKolada) -> None:
    run("sync", "--kpi", "N01951", "--year", "2023")
    fake_kolada.set("N01951", "0182", 2023, 110004.0)
    code, output = run("sync", "--kpi", "N01951", "--year", "2023")
    assert code == 0
    assert "0 new, 1 changed, 3 unchanged" in output
    assert stored()[("N01951", "0182", 2023, "T")] == 110004.0


def test_values_prints_the_contract_json_with_null_for_missing(fake_kolada: FakeKolada) -> None:
    run("sync", "--kpi", "N00901", "--year", "2023")
    code, output = run("values", "--kpi", "N00901", "--year", "2023", "--format", "json")
    assert code == 0
    assert json.loads(output) == [
        {"municipality": "0180", "year": 2023, "gender": "T", "value": None},
        {"municipality": "0182", "year": 2023, "gender": "T", "value": 19.24},
    ]


def test_a_503_is_retried_and_then_succeeds(fake_kolada: FakeKolada) -> None:
    fake_kolada.mode, fake_kolada.failures = "503", 2
    code, output = run("sync", "--kpi", "N00901", "--year", "2023")
    assert code == 0, output
    assert len(stored()) == 2
    assert len(fake_kolada.requests) == 3


def test_a_429_waits_for_retry_after(fake_kolada: FakeKolada) -> None:
    fake_kolada.mode, fake_kolada.retry_after = "429", "1"
    started = time.monotonic()
    code, output = run("sync", "--kpi", "N00901", "--year", "2023")
    assert code == 0, output
    assert time.monotonic() - started >= 1.0
    assert len(stored()) == 2


def test_malformed_json_on_a_later_page_stores_nothing(fake_kolada: FakeKolada) -> None:
    run("sync", "--kpi", "N01951", "--year", "2023")
    before = stored()
    fake_kolada.set("N01951", "0180", 2023, 1.0)
    fake_kolada.mode = "malformed"
    code, output = run("sync", "--kpi", "N01951", "--year", "2023")
    assert code != 0
    assert "nothing was stored" in output and "cut short" in output
    assert len(output.strip().splitlines()) == 1
    assert stored() == before
    assert KoladaSync.objects.count() == 1


def test_a_server_that_stays_down_fails_after_the_retries(fake_kolada: FakeKolada) -> None:
    fake_kolada.mode = "down"
    code, output = run("sync", "--kpi", "N00901", "--year", "2023")
    assert code != 0
    assert "HTTP 503" in output
    assert len(fake_kolada.requests) == 3  # one try and two retries
    assert stored() == {}


def test_an_unreachable_network_is_one_clear_line(settings: object) -> None:
    settings.KOLADA_API_URL = "http://127.0.0.1:9/v3"  # type: ignore[attr-defined]
    settings.KOLADA_RETRIES = 1  # type: ignore[attr-defined]
    settings.KOLADA_RETRY_BACKOFF_MS = 1  # type: ignore[attr-defined]
    code, output = run("sync", "--kpi", "N00901", "--year", "2023")
    assert code != 0
    assert "Could not reach Kolada" in output
    assert len(output.strip().splitlines()) == 1
    assert "Traceback" not in output


def test_a_timeout_is_retried_then_reported(fake_kolada: FakeKolada, settings: object) -> None:
    settings.KOLADA_TIMEOUT_SECONDS = 0.1  # type: ignore[attr-defined]
    fake_kolada.delay = 0.5
    code, output = run("sync", "--kpi", "N00901", "--year", "2023")
    assert code != 0
    assert "did not answer within" in output
    assert stored() == {}


def test_unknown_kpi_suggests_close_ids(fake_kolada: FakeKolada) -> None:
    code, output = run("sync", "--kpi", "N01951X", "--year", "2023")
    assert code != 0
    assert "Unknown KPI id N01951X" in output and "N01951" in output
    assert len(output.strip().splitlines()) == 1
    assert fake_kolada.requests == []


def test_values_of_an_unknown_kpi_suggest_close_ids(db: None) -> None:
    code, output = run("values", "--kpi", "N0095", "--year", "2023", "--format", "json")
    assert code != 0
    assert "did you mean" in output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--year", "2999"], "future"),
        (["--year", "2023", "--municipality", "9999"], "Unknown municipality"),
        (["--year", "1800"], "before"),
    ],
)
def test_bad_input_is_refused_before_any_request(
    fake_kolada: FakeKolada, args: list[str], message: str
) -> None:
    code, output = run("sync", "--kpi", "N01951", *args)
    assert code != 0
    assert message in output
    assert fake_kolada.requests == []
    assert stored() == {}


def test_kpis_searches_the_shipped_catalogue() -> None:
    code, output = run("kpis", "--search", "skattesats kommun")
    assert code == 0
    assert "N00901" in output
    code, output = run("kpis", "--search", "skattesats", "--format", "json")
    assert {"id": "N00900", "title": "Skattesats, totalt (%)"}.items() <= next(
        k for k in json.loads(output) if k["id"] == "N00900").items()
