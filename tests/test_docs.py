"""Documentation tells the truth: every command, setting and endpoint is described."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[1]


def test_cli_reference_is_generated_from_current_help() -> None:
    from mellanrum.lib.clidocs import CLI_MD, render

    assert CLI_MD.read_text(encoding="utf-8") == render(), "run `make docs`"


def test_every_environment_setting_is_documented() -> None:
    settings = (ROOT / "mellanrum" / "settings.py").read_text(encoding="utf-8")
    names = set(re.findall(r'env(?:bool|int|secret)?\("([A-Z_]+)"', settings))
    names |= set(re.findall(r'os\.getenv\("([A-Z_]+)"', settings))
    documented = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    missing = sorted(n for n in names if f"`{n}" not in documented)
    assert names and not missing, missing


@pytest.mark.django_db
def test_every_api_path_is_documented(client: Client) -> None:
    schema = client.get("/api/openapi.json").json()
    documented = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    for path in schema["paths"]:
        assert path.replace("{pk}", "{id}") in documented, path


def test_swedish_catalogue_is_complete_and_compiled() -> None:
    po_path = ROOT / "mellanrum" / "locale" / "sv" / "LC_MESSAGES" / "django.po"
    catalogue = polib.pofile(str(po_path))
    untranslated = [e.msgid for e in catalogue.untranslated_entries()]
    fuzzy = [e.msgid for e in catalogue.fuzzy_entries()]
    assert not untranslated and not fuzzy, (untranslated, fuzzy)
    compiled = polib.mofile(str(po_path.with_suffix(".mo")))
    assert {e.msgid for e in compiled} >= {e.msgid for e in catalogue.translated_entries()}


def test_every_template_string_is_in_the_catalogue() -> None:
    po_path = ROOT / "mellanrum" / "locale" / "sv" / "LC_MESSAGES" / "django.po"
    known = {e.msgid for e in polib.pofile(str(po_path))}
    pattern = re.compile(r'{% translate "([^"]+)" %}')
    missing = []
    for template in (ROOT / "mellanrum").rglob("templates/**/*.html"):
        for msgid in pattern.findall(template.read_text(encoding="utf-8")):
            if msgid not in known and msgid.replace("%", "%%") not in known:
                missing.append((template.name, msgid))
    assert not missing, f"run `make messages` and translate: {missing}"
