"""A ``mellanrum worker --once`` that pauses half-way through a job, for the kill tests.

    python -m mellanrum.core.tests.pausing_worker MARKER TASK_SUFFIX [GO_FILE]

Runs the real worker loop against the database configured by the environment. When the job
whose task name ends with TASK_SUFFIX reports progress past a third of its total, it writes
MARKER (JSON: done, total) and waits: until GO_FILE exists, or, without GO_FILE, until it is
killed (at most two minutes). Analyses save in batches of 10 here, so that small test data
still reports progress in the middle of the saving transaction.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mellanrum.core.models import Task


def main() -> None:
    marker, suffix = Path(sys.argv[1]), sys.argv[2]
    go = Path(sys.argv[3]) if len(sys.argv) > 3 else None
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mellanrum.settings")
    import django

    django.setup()
    from mellanrum.commonality import actions
    from mellanrum.core import tasks

    actions.SAVE_BATCH = 10
    original_progress, original_execute = tasks.progress, tasks._execute
    running: dict[str, str] = {}

    def execute(row: Task, *, heartbeat: bool) -> None:
        running["name"] = row.name
        return original_execute(row, heartbeat=heartbeat)

    def progress(done: int, total: int) -> None:
        original_progress(done, total)
        if (running.get("name", "").endswith(suffix) and total and 3 * done >= total
                and done < total and not marker.exists()):
            marker.write_text(json.dumps({"done": done, "total": total}))
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and not (go and go.exists()):
                time.sleep(0.05)

    tasks.progress, tasks._execute = progress, execute
    print("ran", tasks.work(once=True), flush=True)


if __name__ == "__main__":
    main()
