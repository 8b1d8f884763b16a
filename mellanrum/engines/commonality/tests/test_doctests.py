"""Run the Examples sections of the commonality modules."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import mellanrum.engines.commonality as package

MODULES = sorted(
    m.name for m in pkgutil.iter_modules(package.__path__, package.__name__ + ".") if not m.ispkg
)


@pytest.mark.parametrize("name", MODULES)
def test_examples_run(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name))
    assert result.failed == 0
