"""Personal API keys: made and revoked on the account page, used as Bearer keys on the API."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from mellanrum.conftest import PASSWORD
from mellanrum.core.actions import do_create_api_token
from mellanrum.core.models import ApiToken, AuditEntry, LoginFailure, User
from mellanrum.landscape.models import Activity, Organisation


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def _make_key(client: Client, user: User, name: str = "Synk från ärendesystemet",
              days: str = "90") -> str:
    client.force_login(user)
    response = client.post("/konto/", {"name": name, "lifetime_days": days})
    assert response.status_code == 200
    found = re.search(r'value="(mlr_[A-Za-z0-9_-]{43})"', response.content.decode())
    assert found, "the new key is shown once"
    return found.group(1)


def test_a_key_made_on_the_account_page_reads_and_writes_as_its_user(
    client: Client, alice: User, activity: Activity
) -> None:
    key = _make_key(client, alice)
    client.logout()
    token = ApiToken.objects.get()
    assert token.key_hash != key and key not in token.key_hash  # only the hash is kept
    assert token.prefix == key[:10]
    assert (token.expires_at - timezone.now()).days in (89, 90)

    assert client.get("/api/organisations", headers=_bearer(key)).status_code == 200
    body = {"name": "Bygglov via nyckel", "version": activity.version}
    response = client.put(f"/api/activities/{activity.pk}", body,
                          content_type="application/json", headers=_bearer(key))
    assert response.status_code == 200, response.content
    activity.refresh_from_db()
    assert activity.name == "Bygglov via nyckel"
    assert ApiToken.objects.get().last_used_at is not None
    assert not LoginFailure.objects.exists()  # no password was checked


def test_a_key_is_shown_once_and_not_on_the_next_visit(client: Client, alice: User) -> None:
    key = _make_key(client, alice)
    page = client.get("/konto/").content.decode()
    assert key not in page
    assert key[:10] in page and "Synk från ärendesystemet" in page


def test_a_reader_s_key_cannot_write(client: Client, bob: User, activity: Activity) -> None:
    key = _make_key(client, bob)
    client.logout()
    body = {"name": "Inte tillåtet", "version": activity.version}
    response = client.put(f"/api/activities/{activity.pk}", body,
                          content_type="application/json", headers=_bearer(key))
    assert response.status_code == 403


@pytest.mark.parametrize("key", [
    "mlr_" + "A" * 43, "nonsense", "mlr_" + "A" * 4000, "mlr_\x00" + "A" * 42, "",
])
def test_an_unknown_or_malformed_key_is_401(client: Client, alice: User, key: str) -> None:
    do_create_api_token(alice, name="riktig", lifetime_days=30)
    response = client.get("/api/organisations", headers=_bearer(key))
    assert response.status_code == 401


def test_an_expired_key_or_an_inactive_user_s_key_is_401(client: Client, alice: User) -> None:
    token, key = do_create_api_token(alice, name="gammal", lifetime_days=30)
    assert client.get("/api/organisations", headers=_bearer(key)).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get("/api/organisations", headers=_bearer(key)).status_code == 401
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() + timedelta(days=1))
    User.objects.filter(pk=alice.pk).update(is_active=False)
    assert client.get("/api/organisations", headers=_bearer(key)).status_code == 401


def test_revoking_a_key_stops_it_and_only_its_owner_can(
    client: Client, alice: User, bob: User
) -> None:
    key = _make_key(client, alice)
    token = ApiToken.objects.get()
    client.force_login(bob)
    response = client.post("/konto/", {"revoke": str(token.pk)}, follow=True)
    assert "Du har ingen sådan API-nyckel; inget har ändrats." in response.content.decode()
    assert ApiToken.objects.filter(pk=token.pk).exists()

    client.force_login(alice)
    client.post("/konto/", {"revoke": str(token.pk)})
    assert not ApiToken.objects.exists()
    client.logout()
    assert client.get("/api/organisations", headers=_bearer(key)).status_code == 401
    assert AuditEntry.objects.filter(action="core.api_token.revoke").count() == 1


@pytest.mark.parametrize("data", [
    {"name": "", "lifetime_days": "90"},
    {"name": "x", "lifetime_days": "7"},
    {"name": "x" * 101, "lifetime_days": "90"},
    {"revoke": "9" * 40},
    {"revoke": "abc"},
])
def test_bad_account_forms_change_nothing(client: Client, alice: User,
                                          data: dict[str, str]) -> None:
    client.force_login(alice)
    response = client.post("/konto/", data)
    assert response.status_code in (302, 400)
    assert not ApiToken.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="core.api_token").exists()


def test_a_user_has_at_most_ten_keys(client: Client, alice: User) -> None:
    for number in range(10):
        do_create_api_token(alice, name=f"nyckel {number}", lifetime_days=30)
    client.force_login(alice)
    response = client.post("/konto/", {"name": "en till", "lifetime_days": "30"})
    assert response.status_code == 400
    assert ApiToken.objects.count() == 10


def test_the_account_page_needs_a_login(client: Client, db: None) -> None:
    response = client.get("/konto/")
    assert response.status_code == 302 and "/konto/logga-in/" in response["Location"]


def test_changing_the_password(client: Client, alice: User) -> None:
    client.force_login(alice)
    refused = client.post("/konto/losenord/", {"old_password": "fel", "new_password1": "a",
                                               "new_password2": "b"})
    assert refused.status_code == 200 and "errorlist" in refused.content.decode()
    new = "ett helt nytt och långt lösenord"
    done = client.post("/konto/losenord/", {"old_password": PASSWORD, "new_password1": new,
                                            "new_password2": new})
    assert done.status_code == 302 and done["Location"] == "/konto/"
    alice.refresh_from_db()
    assert alice.check_password(new)
    assert client.get("/konto/").status_code == 200  # still logged in
    assert AuditEntry.objects.filter(action="core.password.change").count() == 1


def test_other_organisations_cannot_see_a_user_s_keys(
    client: Client, alice: User, beta: Organisation
) -> None:
    from mellanrum.conftest import _user

    do_create_api_token(alice, name="Alices hemliga nyckel", lifetime_days=30)
    client.force_login(_user("carl", beta, "editor"))
    assert "Alices hemliga nyckel" not in client.get("/konto/").content.decode()
