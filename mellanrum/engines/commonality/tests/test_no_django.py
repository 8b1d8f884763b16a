"""The text and commonality engines must never import Django (nor their helpers in lib)."""

from __future__ import annotations

import subprocess
import sys


def test_engines_import_without_django() -> None:
    code = (
        "import sys, mellanrum.engines.textmatch, mellanrum.engines.commonality;"
        "import mellanrum.engines.commonality.similarity;"
        "import mellanrum.engines.commonality.worker_memory;"
        "assert 'django' not in sys.modules, sorted(m for m in sys.modules if 'django' in m)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
