"""The health engine must never import Django."""

from __future__ import annotations

import subprocess
import sys


def test_health_engine_imports_without_django() -> None:
    code = (
        "import sys, mellanrum.engines.health as h;"
        "h.score_round(h.get_instrument(), [h.ResponseData('A', {'trust_raise': 4})] * 3);"
        "assert 'django' not in sys.modules, sorted(m for m in sys.modules if 'django' in m)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
