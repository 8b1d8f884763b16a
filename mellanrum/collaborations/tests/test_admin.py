"""The admin shows every collaboration record read-only, consent and workshop included."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.db.models import Model
from django.test import Client

from mellanrum.collaborations.consent_models import FormalDecision, Proposal
from mellanrum.collaborations.workshop_models import Principle, Tension
from mellanrum.core.models import User


@pytest.mark.parametrize("model", [Proposal, FormalDecision, Tension, Principle])
def test_consent_and_workshop_records_are_listed_read_only(
    client: Client, superuser: User, model: type[Model]
) -> None:
    client.force_login(superuser)
    meta = model._meta
    listing = client.get(f"/admin/{meta.app_label}/{meta.model_name}/")
    assert listing.status_code == 200
    assert client.get(f"/admin/{meta.app_label}/{meta.model_name}/add/").status_code == 403
    model_admin = admin.site._registry[model]
    assert not model_admin.has_change_permission(listing.wsgi_request)
    assert not model_admin.has_delete_permission(listing.wsgi_request)
