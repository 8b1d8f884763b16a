"""Benchmark of the whole commonality analysis on a Dask cluster against one process.

    python bench/commonality_cluster.py --catalogues 45              # ~2,000,000 on 2 workers
    python bench/commonality_cluster.py --catalogues 22 --mode single  # ~1,000,000 in one process
    python bench/commonality_cluster.py --catalogues 10 --mode both    # speed-up at 450,000

Input: `--catalogues` catalogues of the project's synthetic generator, each with
`--orgs` organisations × `--per-org` activities and its own seed (think several
countries' registries, or one registry per year): organisation ids are
per catalogue, names follow the generator's Swedish variants and typos.

In cluster mode a LocalCluster of `--workers` worker processes, each limited to
`--memory-limit`, is started; the catalogues are generated once on the workers
and stored as files (outside the time), the engine reads each file on a worker
(twice: for the names and for the summaries; the client never holds the
activities) and the concepts stay on the cluster, where they are counted and
scored.  Prints wall time, peak resident memory of the
client process (which also hosts the scheduler) and of every worker, and pairwise
F1 against the generator's gold concepts.  In single mode the same activities
are grouped by `group_activities` in this process.
"""

from __future__ import annotations

import argparse
import os
import pickle
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from functools import partial
from typing import Any

from dask.utils import key_split
from distributed.diagnostics.plugin import SchedulerPlugin

from mellanrum.engines.commonality import Activity, Concept, group_activities, group_on_cluster
from mellanrum.engines.commonality.evaluation.synthetic import synthetic_activities


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def catalogue(number: int, organisations: int, per_organisation: int) -> list[Activity]:
    """One catalogue of the synthetic generator, ids and organisations made unique."""
    activities, _ = synthetic_activities(organisations, per_organisation, seed=number)
    prefix = f"C{number:03d}-"
    return [
        Activity(
            id=prefix + a.id,
            organisation=prefix + a.organisation,
            name=a.name,
            systems=a.systems,
            annual_cost_sek=a.annual_cost_sek,
            volume=a.volume,
            lead_time_days=a.lead_time_days,
            population=a.population,
        )
        for a in activities
    ]


def save_catalogue(number: int, organisations: int, per_organisation: int, folder: str) -> str:
    """Generate one catalogue once and store it, as a registry's export would be stored."""
    path = os.path.join(folder, f"catalogue-{number:03d}.pickle")
    with open(path, "wb") as handle:
        pickle.dump(catalogue(number, organisations, per_organisation), handle, protocol=5)
    return path


def load_catalogue(path: str) -> list[Activity]:
    """Read a stored catalogue (the engine reads each input partition twice)."""
    with open(path, "rb") as handle:
        activities: list[Activity] = pickle.load(handle)
    return activities


def gold_of(activity_id: str) -> str:
    """The generator's concept, recomputed from the id: same index, same concept."""
    return activity_id.rsplit("-", 1)[1]


def pair_counts(concepts: list[Concept]) -> tuple[int, int, Counter[str], int]:
    """(predicted pairs, true pairs, gold sizes, activities) of some concepts."""
    predicted = true = activities = 0
    gold: Counter[str] = Counter()
    for concept in concepts:
        labels = Counter(gold_of(i) for i in concept.activity_ids)
        n = len(concept.members)
        activities += n
        predicted += n * (n - 1) // 2
        true += sum(k * (k - 1) // 2 for k in labels.values())
        gold.update(labels)
    return predicted, true, gold, activities


def scores(parts: list[tuple[int, int, Counter[str], int]]) -> str:
    predicted = sum(p[0] for p in parts)
    true = sum(p[1] for p in parts)
    gold: Counter[str] = Counter()
    for p in parts:
        gold.update(p[2])
    gold_pairs = sum(k * (k - 1) // 2 for k in gold.values())
    precision = true / predicted if predicted else 1.0
    recall = true / gold_pairs if gold_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return f"precision={precision:.4f} recall={recall:.4f} f1={f1:.4f}"


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_single(args: argparse.Namespace) -> float:
    start = time.perf_counter()
    activities = [a for n in range(args.catalogues) for a in catalogue(n, args.orgs, args.per_org)]
    generated = time.perf_counter()
    concepts = group_activities(activities)
    done = time.perf_counter()
    print(
        f"one process: {len(activities):,} activities → {len(concepts):,} concepts; "
        f"generating {generated - start:.1f} s + grouping {done - generated:.1f} s = "
        f"{done - start:.1f} s; peak RSS {peak_mib():.0f} MiB; "
        f"{scores([pair_counts(concepts)])}",
        flush=True,
    )
    return done - start


def single_in_child(args: argparse.Namespace) -> float:
    """One process, in a fresh child (peak RSS is per process and survives fork)."""
    command = [
        sys.executable,
        __file__,
        "--mode",
        "single",
        "--catalogues",
        str(args.catalogues),
        "--orgs",
        str(args.orgs),
        "--per-org",
        str(args.per_org),
    ]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    line = next(x for x in output.splitlines() if x.startswith("one process"))
    print(line, flush=True)
    return float(line.split(" s; peak")[0].rsplit("= ", 1)[1])


class MemoryWatch(threading.Thread):
    """Samples every worker's resident memory (as the scheduler sees it) and the machine's
    load average once a second."""

    def __init__(self, client: Any) -> None:
        super().__init__(daemon=True)
        self.client = client
        self.peak: dict[str, float] = {}
        self.load: list[tuple[float, float]] = []  # (time, 1-minute load average)
        self.halt = threading.Event()

    def run(self) -> None:
        while not self.halt.wait(1.0):
            self.load.append((time.perf_counter(), os.getloadavg()[0]))
            try:
                workers = self.client.scheduler_info()["workers"]
            except Exception:  # noqa: BLE001 - a sample lost while a worker restarts
                continue
            for address, info in workers.items():
                rss = info.get("metrics", {}).get("memory", 0) / 2**20
                self.peak[address] = max(self.peak.get(address, 0.0), rss)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process on this machine (LocalCluster workers)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class TaskPlaces(SchedulerPlugin):
    """A scheduler plugin: per task name and worker, how many tasks ran and their compute time."""

    name = "bench-task-places"

    def __init__(self, scheduler: Any) -> None:
        super().__init__()
        self.scheduler = scheduler
        # per summary task: (worker it was given to, workers then holding its group, or the
        # share of the group's rows split off for it)
        self.summary_homes: list[tuple[str, set[str]]] = []
        self.count: Counter[tuple[str, str]] = Counter()
        self.seconds: defaultdict[tuple[str, str], float] = defaultdict(float)
        self.fetched: defaultdict[tuple[str, str], float] = defaultdict(float)  # getting inputs

    def transition(self, key: Any, start: str, finish: str, *args: Any, **kwargs: Any) -> None:
        if finish == "processing" and key_split(key) == "summaries":
            task = self.scheduler.tasks.get(key)
            if task is not None and task.processing_on is not None:
                homes = {
                    ws.address
                    for dep in task.dependencies
                    if key_split(dep.key) in {"first_merge", "round_merge"}
                    or any(key_split(d.key) == "summary_shares" for d in dep.dependencies)
                    for ws in dep.who_has or ()
                }
                self.summary_homes.append((task.processing_on.address, homes))
        if start != "processing" or finish != "memory" or "worker" not in kwargs:
            return
        place = (key_split(key), kwargs["worker"])
        self.count[place] += 1
        for span in kwargs.get("startstops", ()):
            if span["action"] == "compute":
                self.seconds[place] += span["stop"] - span["start"]
            elif span["action"] == "transfer":
                self.fetched[place] += span["stop"] - span["start"]


def stage_report(
    marks: list[tuple[str, float, dict[str, float]]],
    workers: dict[str, str],
    load: list[tuple[float, float]],
) -> None:
    """Time, each worker's CPU share and the load average per stage (between progress marks)."""
    stages: dict[str, list[float]] = {}
    cpu: dict[str, defaultdict[str, float]] = {}
    spans: dict[str, list[tuple[float, float]]] = {}
    for (_, t0, c0), (name, t1, c1) in zip(marks, marks[1:], strict=False):
        label = {"analysing": "reading", "neighbours": "analysis", "summaries": "summaries"}.get(
            name, "grouping" if len(stages) >= 3 else "neighbours"
        )
        stages.setdefault(label, []).append(t1 - t0)
        spans.setdefault(label, []).append((t0, t1))
        for who, seconds in c1.items():
            cpu.setdefault(label, defaultdict(float))[who] += seconds - c0[who]
    for label, times in stages.items():
        wall = sum(times)
        loads = [v for t, v in load if any(a <= t <= b for a, b in spans[label])]
        shares = ", ".join(
            f"{workers.get(who, who)} {100 * cpu[label][who] / wall if wall else 0:.0f} %"
            for who in sorted(cpu[label])
        )
        load_range = f"{min(loads):.1f}-{max(loads):.1f}" if loads else "n/a"
        print(
            f"  stage {label:10s} {wall:7.1f} s; CPU share of the stage's wall time: {shares}; "
            f"load average {load_range}",
            flush=True,
        )


def run_cluster(args: argparse.Namespace) -> float:
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=args.workers,
            threads_per_worker=1,
            memory_limit=args.memory_limit,
            processes=True,
            dashboard_address=None,
        ) as cluster,
        Client(cluster) as client,
    ):
        folder = tempfile.mkdtemp(prefix="mellanrum-catalogues-")
        generating = time.perf_counter()
        paths = client.gather(
            [
                client.submit(save_catalogue, n, args.orgs, args.per_org, folder, pure=False)
                for n in range(args.catalogues)
            ]
        )
        print(
            f"  generated {args.catalogues} catalogues on the workers into {folder} in "
            f"{time.perf_counter() - generating:.1f} s (not part of the time below)",
            flush=True,
        )
        sources = [partial(load_catalogue, path) for path in paths]
        pids: dict[str, int] = client.run(os.getpid)
        names = {address: f"worker {n}" for n, address in enumerate(sorted(pids))}
        names["client"] = "client+scheduler"
        places = TaskPlaces(cluster.scheduler)
        cluster.scheduler.add_plugin(places)

        def used() -> dict[str, float]:
            times = os.times()
            return {
                **{address: cpu_seconds(pid) for address, pid in pids.items()},
                "client": times.user + times.system,
            }

        watch = MemoryWatch(client)
        watch.start()
        start = time.perf_counter()
        marks: list[tuple[str, float, dict[str, float]]] = []

        def progress(stage: str, done: int, total: int) -> None:
            marks.append((stage, time.perf_counter(), used()))
            print(f"  {time.perf_counter() - start:7.1f} s  {stage} ({done}/{total})", flush=True)

        run = group_on_cluster(client, sources, progress=progress)
        seconds = time.perf_counter() - start
        watch.halt.set()
        stage_report(marks, names, watch.load)
        for task in ("summaries", "route"):
            print(
                f"  _{task} tasks per worker: "
                + "; ".join(
                    f"{names.get(w, w)} {places.count[(task, w)]} tasks, "
                    f"{places.seconds[(task, w)]:.1f} s computing, "
                    f"{places.fetched[(task, w)]:.1f} s fetching inputs"
                    for w in sorted(pids)
                ),
                flush=True,
            )
        counts = client.gather([client.submit(pair_counts, part) for part in run.partitions])
        concepts = client.gather([client.submit(len, part) for part in run.partitions])
        if places.summary_homes:
            at_home = sum(ran in homes for ran, homes in places.summary_homes)
            print(
                "  _summaries tasks given to a worker that held their group (or share): "
                f"{at_home} of {len(places.summary_homes)}",
                flush=True,
            )
        print(
            f"cluster ({args.workers} workers × {args.memory_limit}): {run.activities:,} "
            f"activities → {sum(concepts):,} concepts in {seconds:.1f} s; "
            f"peak RSS client+scheduler {peak_mib():.0f} MiB, workers (sampled each second) "
            + ", ".join(f"{names.get(a, a)} {v:.0f} MiB" for a, v in sorted(watch.peak.items()))
            + f"; {scores(counts)}",
            flush=True,
        )
    shutil.rmtree(folder, ignore_errors=True)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--catalogues", type=int, default=45)
    parser.add_argument("--orgs", type=int, default=300)
    parser.add_argument("--per-org", type=int, default=150)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--memory-limit", default="1.5GB")
    parser.add_argument("--mode", choices=["cluster", "single", "both"], default="cluster")
    args = parser.parse_args()
    print(f"machine: nproc={os.cpu_count()} cpu={cpu_model()!r} python={platform.python_version()}")
    single = None
    if args.mode == "single":
        single = run_single(args)
    elif args.mode == "both":
        single = single_in_child(args)
    cluster = run_cluster(args) if args.mode in {"cluster", "both"} else None
    if single and cluster:
        print(f"speed-up of the cluster over one process: {single / cluster:.2f}×")


if __name__ == "__main__":
    main()
