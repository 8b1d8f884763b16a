"""The Examples sections of the engine's docstrings run."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["model", "catalogue", "matching", "resolve", "finder", "spelling"]


@pytest.mark.parametrize("name", MODULES)
def test_examples_run(name: str) -> None:
    module = importlib.import_module(f"mellanrum.engines.journeys.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
