"""Benchmark of the commonality engine on synthetic data.

    python bench/commonality.py                      # 290 organisations × 150 activities
    python bench/commonality.py --scale 10           # 2,900 × 150 = 435,000 activities
    python bench/commonality.py --unique-rate 1.0    # worst case: every name unique
    python bench/commonality.py --dask-scheduler tcp://host:8786
    MELLANRUM_DASK_SCHEDULER=tcp://host:8786 python bench/commonality.py

Prints wall time of grouping and of opportunity ranking, peak resident memory
(ru_maxrss of this process and of its worker processes) and pairwise F1
against the generator's gold concepts.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import time

from mellanrum.engines.commonality import (
    GroupingSettings,
    executor_for,
    group_activities,
    rank_opportunities,
)
from mellanrum.engines.commonality.evaluation import pairwise_scores
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


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--orgs", type=int, default=290)
    parser.add_argument("--per-org", type=int, default=150)
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the organisations")
    parser.add_argument("--typo-rate", type=float, default=0.03)
    parser.add_argument("--unique-rate", type=float, default=0.0)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--dask-scheduler", default=os.environ.get("MELLANRUM_DASK_SCHEDULER"))
    args = parser.parse_args()
    organisations = int(round(args.orgs * args.scale))
    t0 = time.perf_counter()
    activities, gold = synthetic_activities(
        organisations, args.per_org, typo_rate=args.typo_rate, unique_rate=args.unique_rate
    )
    t1 = time.perf_counter()
    executor = executor_for(args.dask_scheduler, max_workers=args.workers)
    concepts = group_activities(activities, settings=GroupingSettings(), executor=executor)
    t2 = time.perf_counter()
    opportunities = rank_opportunities(concepts)
    t3 = time.perf_counter()
    scores = pairwise_scores([c.activity_ids for c in concepts], gold)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"machine: nproc={os.cpu_count()} cpu={cpu_model()!r} python={platform.python_version()}")
    print(
        f"input: {len(activities):,} activities, {organisations} organisations, "
        f"{len({a.name for a in activities}):,} distinct names "
        f"(typo rate {args.typo_rate}, unique rate {args.unique_rate}); "
        f"generated in {t1 - t0:.2f} s"
    )
    print(f"group_activities: {t2 - t1:.2f} s → {len(concepts):,} concepts")
    print(f"rank_opportunities: {t3 - t2:.2f} s → {len(opportunities):,} opportunities")
    print(f"peak RSS: {own:.0f} MiB (this process), {children:.0f} MiB (largest worker)")
    print(
        f"pairwise vs generator gold: precision={scores.precision:.4f} "
        f"recall={scores.recall:.4f} f1={scores.f1:.4f}"
    )


if __name__ == "__main__":
    main()
