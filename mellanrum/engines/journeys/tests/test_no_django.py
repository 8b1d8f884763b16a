"""The journeys engine must never import Django."""

from __future__ import annotations

import subprocess
import sys


def test_journeys_engine_imports_without_django() -> None:
    code = (
        "import sys, mellanrum.engines.journeys as j;"
        "c = j.load_catalogue(); j.find('flyttar', c.life_events, synonyms=c.synonyms);"
        "assert 'django' not in sys.modules, sorted(m for m in sys.modules if 'django' in m)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
