"""Read the package's data files (private helper)."""

from __future__ import annotations

from importlib import resources


def read_data_lines(name: str) -> list[str]:
    """Return the non-empty lines of ``data/<name>`` with ``#`` comments removed."""
    text = (
        resources.files("mellanrum.engines.textmatch").joinpath(f"data/{name}").read_text("utf-8")
    )
    lines = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            lines.append(line)
    return lines


def read_data_words(name: str) -> list[str]:
    """Return the whitespace-separated words of ``data/<name>``."""
    return [word for line in read_data_lines(name) for word in line.split()]
