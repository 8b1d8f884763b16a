"""Superusers fetch from Kolada in the background from the web UI; nobody else may."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from mellanrum.core.models import Task, User
from mellanrum.kolada.models import KoladaSync, KoladaValue

from .fake_kolada import FakeKolada

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _inline(settings: Any) -> None:
    settings.TASKS_INLINE = True


def test_anonymous_visitors_are_sent_to_log_in(client: Client) -> None:
    response = client.get("/nyckeltal/hamta/")
    assert response.status_code == 302 and "/konto/logga-in/" in response["Location"]


def test_an_editor_who_is_not_superuser_is_refused(client: Client, alice: User) -> None:
    client.force_login(alice)
    assert client.get("/nyckeltal/hamta/").status_code == 403
    response = client.post("/nyckeltal/hamta/", {"kpis": "N00901", "years": "2023"})
    assert response.status_code == 403
    assert not KoladaSync.objects.exists()


def test_a_superuser_runs_a_sync_as_a_background_job(
    client: Client, superuser: User, fake_kolada: FakeKolada
) -> None:
    client.force_login(superuser)
    response = client.post("/nyckeltal/hamta/", {"kpis": "N00901, N01951", "years": "2023"})
    job = KoladaSync.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/nyckeltal/hamta/{job.pk}/"
    assert Task.objects.get(ref=f"kolada-sync:{job.pk}").status == Task.Status.DONE
    assert job.status == KoladaSync.Status.DONE and job.created == 6
    assert job.pages >= 3  # small pages: the progress counted each one
    assert KoladaValue.objects.count() == 6
    page = client.get(f"/nyckeltal/hamta/{job.pk}/").content.decode()
    assert "Klart: 6 nya" in page


def test_a_failed_background_sync_says_why_and_stores_nothing(
    client: Client, superuser: User, fake_kolada: FakeKolada
) -> None:
    fake_kolada.mode = "malformed"
    client.force_login(superuser)
    client.post("/nyckeltal/hamta/", {"kpis": "N01951", "years": "2023"})
    job = KoladaSync.objects.get()
    assert job.status == KoladaSync.Status.FAILED
    assert "Ingenting sparades" in job.message and "avkortat" in job.message
    assert not KoladaValue.objects.exists()
    page = client.get(f"/nyckeltal/hamta/{job.pk}/").content.decode()
    assert "Hämtningen misslyckades" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kpis": "N01951X", "years": "2023"}, "menade du N01951"),
        ({"kpis": "N01951", "years": "20x3"}, "är inget årtal"),
        ({"kpis": "N01951", "years": "2999"}, "ligger i framtiden"),
        ({"kpis": "N01951", "years": "2023", "municipalities": "0000x"}, "Okänd kommun"),
    ],
)
def test_bad_input_is_shown_in_the_form_and_starts_nothing(
    client: Client, superuser: User, fake_kolada: FakeKolada, data: dict[str, str],
    message: str
) -> None:
    client.force_login(superuser)
    response = client.post("/nyckeltal/hamta/", data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not KoladaSync.objects.exists() and fake_kolada.requests == []


def test_the_admin_lists_values_and_syncs_read_only(client: Client, superuser: User,
                                                    fake_kolada: FakeKolada) -> None:
    client.force_login(superuser)
    client.post("/nyckeltal/hamta/", {"kpis": "N00901", "years": "2023"})
    assert "N00901" in client.get("/admin/kolada/koladavalue/").content.decode()
    assert client.get("/admin/kolada/koladasync/").status_code == 200
    assert client.get("/admin/kolada/koladavalue/add/").status_code == 403
