"""Numbers that are identifiers are never printed with a thousands separator.

USE_THOUSAND_SEPARATOR is on, so ``{{ activity.pk }}`` prints "1 234" once there are a thousand
activities; in a form value or an address that is a broken identifier. Such numbers go through
``|unlocalize`` (or ``stringformat:"d"``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import translation

ROOT = Path(__file__).resolve().parents[1]
# A variable that is a numeric identifier or a page number, printed without any filter
# (``auto_id`` and ``table_id`` are the texts of HTML ids, not numbers).
BARE_IDENTIFIER = re.compile(
    r"\{\{\s*[\w.]*(?:\.pk|\.id|(?<!auto)(?<!table)_id|page_number)\s*\}\}"
)


def test_no_template_prints_an_identifier_with_the_thousands_separator() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "mellanrum").rglob("templates/**/*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if BARE_IDENTIFIER.search(line)
    ]
    assert not offenders, offenders


@pytest.mark.parametrize("language", ["sv", "en"])
def test_unlocalize_keeps_a_large_identifier_whole(language: str) -> None:
    with translation.override(language):
        bare = Template("{{ n }}").render(Context({"n": 12345}))
        kept = Template("{% load l10n %}{{ n|unlocalize }}").render(Context({"n": 12345}))
    assert bare != "12345"  # what the check above guards against
    assert kept == "12345"
