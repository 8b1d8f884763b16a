"""Runs the Examples sections of every fair-sharing module as doctests."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "__init__",
    "allocation",
    "bitmask",
    "completion",
    "core",
    "game",
    "least_core",
    "nucleolus",
    "scrb",
    "shapley",
    "shapley_sample",
    "simple",
]


@pytest.mark.parametrize("name", MODULES)
def test_examples_run(name: str) -> None:
    module = importlib.import_module(
        "mellanrum.engines.fairshare" + ("" if name == "__init__" else f".{name}")
    )
    failures, tried = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert tried > 0
    assert failures == 0
