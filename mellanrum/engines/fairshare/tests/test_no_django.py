"""The engine is plain Python: importing it must not import Django."""

from __future__ import annotations

import subprocess
import sys


def test_importing_the_engine_does_not_import_django() -> None:
    code = "import sys, mellanrum.engines.fairshare as f; f.solve; print('django' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
