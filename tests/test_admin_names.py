"""Every model of the project has its own names in the admin, in Swedish and in English."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import models
from django.utils import translation

PROJECT_MODELS = [m for m in apps.get_models() if m.__module__.startswith("mellanrum.")]


def test_the_project_has_models_to_check() -> None:
    assert len(PROJECT_MODELS) > 40


@pytest.mark.parametrize("model", PROJECT_MODELS, ids=lambda m: m._meta.label)
def test_every_model_has_explicit_names_translated_into_swedish(
    model: type[models.Model],
) -> None:
    options = model._meta
    # Django would otherwise make "audit entrys" from the class name.
    assert "verbose_name" in options.original_attrs, options.label
    assert "verbose_name_plural" in options.original_attrs, options.label
    with translation.override("en"):
        english = (str(options.verbose_name), str(options.verbose_name_plural))
    with translation.override("sv"):
        swedish = (str(options.verbose_name), str(options.verbose_name_plural))
    assert swedish[1] != english[1], f"{options.label}: no Swedish plural ({english[1]!r})"
    assert swedish[0], options.label
