"""Tests for the `mellanrum commonality` command (no database, no web server)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from mellanrum.commonality.cli import commonality

GOOD = """organisation,activity_id,name,systems,annual_cost_sek,volume,lead_time_days
Alfa,a1,Ansök om bygglov,Castor|Ärendo,100000,50,30
Beta,b1,Bygglovsansökan,Ärendo;Castor,300 000,60,45
Beta,b2,Hemtjänst,,,,
Gamma,g1,Stöd i hemmet,Lifecare,,,
Gamma,g2,Rivningslov,,,,
"""


def run(tmp_path: Path, text: str | bytes, *extra: str) -> tuple[int, str, Path]:
    source = tmp_path / "in.csv"
    if isinstance(text, str):
        source.write_text(text, encoding="utf-8")
    else:
        source.write_bytes(text)
    out = tmp_path / "out.json"
    result = CliRunner().invoke(commonality, [str(source), "--out", str(out), *extra])
    return result.exit_code, result.stderr, out


def test_it_writes_every_activity_into_exactly_one_concept(tmp_path: Path) -> None:
    code, _, out = run(tmp_path, GOOD)
    assert code == 0
    data = json.loads(out.read_text("utf-8"))
    members = [m for c in data["concepts"] for m in c["members"]]
    assert sorted(members) == ["a1", "b1", "b2", "g1", "g2"]
    groups = {frozenset(c["members"]) for c in data["concepts"]}
    assert frozenset({"a1", "b1"}) in groups and frozenset({"b2", "g1"}) in groups
    assert all(c["id"] and c["label"] for c in data["concepts"])
    assert data["opportunities"][0]["explanation_sv"]


def test_it_accepts_language_en(tmp_path: Path) -> None:
    text = "organisation,activity_id,name\nA,1,Home care\nB,2,Help at home\nC,3,Library card\n"
    code, _, out = run(tmp_path, text, "--language", "en")
    assert code == 0
    groups = {frozenset(c["members"]) for c in json.loads(out.read_text())["concepts"]}
    assert groups == {frozenset({"1", "2"}), frozenset({"3"})}


def assert_rejected(tmp_path: Path, text: str | bytes, *needles: str) -> None:
    code, stderr, out = run(tmp_path, text)
    assert code != 0
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    for needle in needles:
        assert needle in lines[0]
    assert not out.exists()


def test_it_rejects_missing_columns(tmp_path: Path) -> None:
    assert_rejected(tmp_path, "organisation,activity_id\nA,1\n", "line 1", "missing column", "name")


def test_it_rejects_duplicate_activity_ids(tmp_path: Path) -> None:
    text = "organisation,activity_id,name\nA,1,Bygglov\nB,2,Hemtjänst\nC,1,Dagis\n"
    assert_rejected(tmp_path, text, "line 4", "duplicate activity_id '1'", "line 2")


def test_it_rejects_empty_names(tmp_path: Path) -> None:
    assert_rejected(
        tmp_path, "organisation,activity_id,name\nA,1,Bygglov\nB,2,  \n", "line 3", "empty name"
    )


def test_it_rejects_names_without_words(tmp_path: Path) -> None:
    assert_rejected(
        tmp_path, "organisation,activity_id,name\nA,1,Bygglov\nB,2,–\n", "line 3", "no words"
    )


def test_it_rejects_non_utf8(tmp_path: Path) -> None:
    text = "organisation,activity_id,name\nA,1,Bygglov\nB,2,Hemtjänst\n".encode("latin-1")
    assert_rejected(tmp_path, text, "line 3", "UTF-8")


def test_it_rejects_bad_numbers(tmp_path: Path) -> None:
    text = "organisation,activity_id,name,annual_cost_sek\nA,1,Bygglov,mycket\n"
    assert_rejected(tmp_path, text, "line 2", "annual_cost_sek")


def test_it_leaves_an_existing_output_alone_on_error(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    out.write_text("old", encoding="utf-8")
    code, _, _ = run(tmp_path, "organisation,activity_id\nA,1\n")
    assert code != 0
    assert out.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", "out.json"]


def test_importing_the_command_does_not_import_django() -> None:
    code = (
        "import sys; from mellanrum.commonality.cli import commonality;"
        "assert 'django' not in sys.modules, sorted(m for m in sys.modules if 'django' in m)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_it_runs_the_whole_analysis_on_a_dask_cluster_with_the_same_result(
    tmp_path: Path,
) -> None:
    from distributed import LocalCluster

    code, _, out = run(tmp_path, GOOD)
    assert code == 0
    local = json.loads(out.read_text("utf-8"))
    with LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        code, _, out = run(tmp_path, GOOD, "--dask-scheduler", cluster.scheduler_address)
    assert code == 0
    assert json.loads(out.read_text("utf-8")) == local


def test_an_unreachable_scheduler_is_a_clear_message_and_writes_nothing(tmp_path: Path) -> None:
    import socket

    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    out = tmp_path / "out.json"
    out.write_text("old", encoding="utf-8")
    code, stderr, _ = run(tmp_path, GOOD, "--dask-scheduler", f"tcp://127.0.0.1:{port}")
    assert code == 1
    assert f"The Dask scheduler at tcp://127.0.0.1:{port} does not answer" in stderr
    assert "Traceback" not in stderr
    assert out.read_text(encoding="utf-8") == "old"


def test_workers_with_a_dask_scheduler_is_refused_rather_than_ignored(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    code, stderr, _ = run(tmp_path, GOOD, "--dask-scheduler", "tcp://127.0.0.1:1",
                          "--workers", "2")
    assert code == 2
    assert "--workers sets local processes and does nothing with a Dask scheduler" in stderr
    assert not out.exists()


def test_zero_workers_is_refused(tmp_path: Path) -> None:
    code, stderr, _ = run(tmp_path, GOOD, "--workers", "0")
    assert code == 2
    assert "--workers" in stderr and "0" in stderr
