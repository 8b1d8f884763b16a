"""Official names and web sites: shipped from the reference file, confirmed or changed by the
organisation's own administrators, marked "ej verifierad" until then."""

from __future__ import annotations

import pytest
from django.test import Client

from mellanrum.conftest import PASSWORD
from mellanrum.core.models import AuditEntry, User
from mellanrum.landscape import reference
from mellanrum.landscape.actions import do_load_reference_data
from mellanrum.landscape.models import Organisation

pytestmark = pytest.mark.django_db


def test_official_names_and_sites_come_from_the_reference_file() -> None:
    by_code = {r.code: r for r in reference.read_municipalities()}
    assert by_code["1280"].name == "Malmö stad"
    assert by_code["1480"].name == "Göteborgs stad"
    assert by_code["0980"].name == "Region Gotland"
    assert by_code["1421"].name == "Orust kommun"
    assert by_code["0182"].name == "Nacka kommun"
    assert by_code["1280"].website == "http://www.malmo.se"


@pytest.fixture
def admin(alfa: Organisation) -> User:
    alfa.website = "http://www.alfa.se"
    alfa.save()
    user = User(username="adam", organisation=alfa, role=User.Role.ADMIN)
    user.set_password(PASSWORD)
    user.save()
    return user


def test_an_unverified_site_is_marked_and_an_administrator_confirms_it(
    client: Client, admin: User, alfa: Organisation
) -> None:
    assert "ej verifierad" in client.get("/organisationer/9901/").content.decode()
    client.force_login(admin)
    response = client.post("/organisationer/9901/webbplats/bekrafta/")
    assert response.status_code == 302
    alfa.refresh_from_db()
    assert alfa.website_verified_by == admin and alfa.website_verified_at is not None
    assert "ej verifierad" not in client.get("/organisationer/9901/").content.decode()
    assert AuditEntry.objects.filter(action="organisation.website_confirmed").exists()


def test_an_administrator_changes_the_site_which_counts_as_verified(
    client: Client, admin: User, alfa: Organisation
) -> None:
    client.force_login(admin)
    response = client.post("/organisationer/9901/webbplats/", {"website": "https://alfa.se/"})
    assert response.status_code == 302
    alfa.refresh_from_db()
    assert alfa.website == "https://alfa.se/" and alfa.website_verified_at is not None
    entry = AuditEntry.objects.get(action="organisation.website")
    assert entry.detail == {"old": "http://www.alfa.se", "new": "https://alfa.se/"}


def test_a_bad_address_is_refused_and_changes_nothing(
    client: Client, admin: User, alfa: Organisation
) -> None:
    client.force_login(admin)
    response = client.post("/organisationer/9901/webbplats/", {"website": "javascript:alert(1)"})
    assert response.status_code == 200
    assert "https://" in response.content.decode()
    alfa.refresh_from_db()
    assert alfa.website == "http://www.alfa.se" and alfa.website_verified_at is None


@pytest.mark.parametrize("who", ["alice", "charlie"])
def test_editors_and_other_organisations_may_not_change_the_site(
    client: Client, request: pytest.FixtureRequest, admin: User, alfa: Organisation, who: str
) -> None:
    client.force_login(request.getfixturevalue(who))
    assert client.post("/organisationer/9901/webbplats/", {"website": "https://x.se"}
                       ).status_code == 403
    assert client.post("/organisationer/9901/webbplats/bekrafta/").status_code == 403
    alfa.refresh_from_db()
    assert alfa.website == "http://www.alfa.se" and alfa.website_verified_at is None


def test_reloading_reference_data_keeps_a_site_the_organisation_set(db: None) -> None:
    Organisation.objects.create(code="1280", name="Malmö kommun", kind="municipality",
                                website="https://malmo.se")
    do_load_reference_data()
    malmo = Organisation.objects.get(code="1280")
    assert malmo.name == "Malmö stad"
    assert malmo.website == "https://malmo.se"
    assert Organisation.objects.get(code="0980").name == "Region Gotland"
    assert Organisation.objects.get(code="0182").website == "http://www.nacka.se"
