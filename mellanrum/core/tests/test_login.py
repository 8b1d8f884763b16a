"""Throttling of password guessing at every door (docs/security.md): the log-in page,
/admin/login/ and HTTP Basic on the API share one budget per normalised user name and one per
client address, and a real user is never locked out by guesses from elsewhere."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client, RequestFactory, override_settings
from django.utils import timezone

from mellanrum.conftest import PASSWORD
from mellanrum.core.login import (
    ADDRESS_LIMIT,
    FREE_FAILURES,
    client_address,
    delay_after,
)
from mellanrum.core.models import AuditEntry, LoginFailure, LoginSuccess, User
from mellanrum.landscape.models import Organisation

ATTACKER = "203.0.113.66"
HOME = "198.51.100.7"


def _basic(username: str, password: str) -> dict[str, Any]:
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {token}"}


def _form(client: Client, username: str, password: str, address: str = ATTACKER) -> int:
    return client.post("/konto/logga-in/", {"username": username, "password": password},
                       REMOTE_ADDR=address).status_code


def _admin(client: Client, username: str, password: str, address: str = ATTACKER) -> int:
    return client.post("/admin/login/", {"username": username, "password": password},
                       REMOTE_ADDR=address).status_code


def _api(client: Client, username: str, password: str, address: str = ATTACKER) -> int:
    return client.get("/api/organisations", REMOTE_ADDR=address,
                      **_basic(username, password)).status_code


def _time_passes(delta: timedelta) -> None:
    """Move every stored failure back in time, as if `delta` had passed."""
    for failure in LoginFailure.objects.all():
        LoginFailure.objects.filter(pk=failure.pk).update(at=failure.at - delta)


def test_login_and_logout(client: Client, alice: User) -> None:
    response = client.post("/konto/logga-in/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").context["user"].username == "alice"
    client.post("/konto/logga-ut/")
    assert not client.get("/").context["user"].is_authenticated


def test_guessing_on_the_log_in_page_gets_growing_delays_not_a_lockout(
    client: Client, alice: User
) -> None:
    for _ in range(FREE_FAILURES):
        assert _form(client, "alice", "guess") == 200
    blocked = client.post("/konto/logga-in/", {"username": "Alice", "password": PASSWORD},
                          REMOTE_ADDR=ATTACKER)
    assert blocked.status_code == 429
    assert blocked["Retry-After"] == "15"
    assert "Vänta 15 sekunder" in blocked.content.decode()
    assert not client.get("/").context["user"].is_authenticated
    _time_passes(timedelta(seconds=16))
    assert _form(client, "alice", "guess") == 200  # one more guess, then a longer wait
    blocked = client.post("/konto/logga-in/", {"username": "alice", "password": PASSWORD},
                          REMOTE_ADDR=ATTACKER)
    assert blocked.status_code == 429 and blocked["Retry-After"] == "30"
    _time_passes(timedelta(seconds=31))
    assert _form(client, "alice", PASSWORD) == 302


def test_delays_double_up_to_fifteen_minutes() -> None:
    assert [delay_after(n).total_seconds() for n in range(4, 13)] == [
        0, 15, 30, 60, 120, 240, 480, 900, 900]


def test_basic_auth_guessing_on_the_api_is_throttled(client: Client, superuser: User) -> None:
    for _ in range(FREE_FAILURES):
        assert _api(client, "root", "guess") == 401
    response = client.get("/api/organisations", REMOTE_ADDR=ATTACKER,
                          **_basic("root", PASSWORD))
    assert response.status_code == 429
    assert response["Retry-After"] == "15"
    assert response.json()["retry_after"] == 15


def test_admin_log_in_guessing_is_throttled(client: Client, superuser: User) -> None:
    for _ in range(FREE_FAILURES):
        assert _admin(client, "root", "guess") == 200
    blocked = client.post("/admin/login/", {"username": "root", "password": PASSWORD},
                          REMOTE_ADDR=ATTACKER)
    assert blocked.status_code == 429
    assert blocked["Retry-After"] == "15"
    assert "Vänta 15 sekunder" in blocked.content.decode()
    assert "_auth_user_id" not in client.session


def test_every_door_shares_one_budget(client: Client, alice: User) -> None:
    assert _form(client, "alice", "guess") == 200
    assert _form(client, "alice", "guess") == 200
    assert _admin(client, "alice", "guess") == 200
    assert _admin(client, "alice", "guess") == 200
    assert _api(client, "alice", "guess") == 401
    assert _api(client, "alice", PASSWORD) == 429
    assert _form(client, "alice", PASSWORD) == 429
    assert _admin(client, "alice", PASSWORD) == 429


def test_a_look_alike_name_logs_in_to_the_same_account_and_shares_its_budget(
    client: Client, alfa: Organisation
) -> None:
    hud = User(username="hud_ed", organisation=alfa, role="editor")
    hud.set_password(PASSWORD)
    hud.save()
    assert _form(client, "\uff48ud_ed", PASSWORD) == 302  # fullwidth h
    assert client.get("/").context["user"] == hud
    attacker = Client()
    for name in ["\uff48ud_ed", "HUD_ED", " hud_ed", "\uff28\uff35\uff24_ed", "Hud_Ed"]:
        assert _form(attacker, name, "guess", address="192.0.2.9") == 200
    assert _api(attacker, "hud_ed", PASSWORD, address="192.0.2.9") == 429
    assert _form(attacker, "hud_ed", PASSWORD, address="192.0.2.9") == 429


def test_the_real_user_logs_in_from_their_own_address_while_an_attacker_hammers(
    client: Client, alice: User
) -> None:
    assert _form(client, "alice", PASSWORD, address=HOME) == 302  # yesterday, say
    attacker = Client()
    for _ in range(FREE_FAILURES):
        assert _form(attacker, "alice", "guess") == 200
    for _ in range(10):
        assert _form(attacker, "alice", "guess") == 429
        assert _api(attacker, "alice", "guess") == 429
    home = Client()
    assert _form(home, "alice", PASSWORD, address=HOME) == 302
    assert _api(Client(), "alice", PASSWORD, address=HOME) == 200
    # ... and their own mistakes from home are still counted, by the same schedule.
    for _ in range(FREE_FAILURES):
        assert _form(Client(), "alice", "typo", address=HOME) == 200
    assert _form(Client(), "alice", PASSWORD, address=HOME) == 429


def test_a_user_with_a_valid_session_is_let_through_while_attacked(
    client: Client, alice: User
) -> None:
    client.force_login(alice)
    attacker = Client()
    for _ in range(FREE_FAILURES):
        assert _form(attacker, "alice", "guess") == 200
    assert _form(attacker, "alice", PASSWORD) == 429
    # Asked for the password again (say, on the admin's log-in page), from a new address.
    assert _form(client, "alice", PASSWORD, address="192.0.2.200") == 302


def test_one_address_guessing_many_names_is_limited(client: Client, alice: User) -> None:
    for n in range(ADDRESS_LIMIT):
        assert _form(client, f"user{n}", "guess") == 200
    blocked = client.post("/konto/logga-in/", {"username": "alice", "password": PASSWORD},
                          REMOTE_ADDR=ATTACKER)
    assert blocked.status_code == 429
    assert "från ditt nätverk" in blocked.content.decode()
    assert _form(Client(), "alice", PASSWORD, address="192.0.2.10") == 302
    _time_passes(timedelta(minutes=16))
    assert _form(client, "someone", "guess") == 200


def test_failures_from_every_door_are_audited_without_typed_names(
    client: Client, alice: User
) -> None:
    _form(client, "ALICE", "guess-one")
    _admin(client, "alice", "guess-two")
    _api(client, "alice", "guess-three")
    _form(client, "hunter2-typed-here", "x")
    entries = list(AuditEntry.objects.filter(action="login.failed").order_by("pk"))
    assert [e.detail["door"] for e in entries] == ["form", "admin", "api", "form"]
    assert [e.object_repr for e in entries] == ["alice", "alice", "alice", ""]
    assert {e.detail["address"] for e in entries} == {ATTACKER}
    assert entries[0].organisation == alice.organisation
    stored = repr([(e.object_repr, e.detail) for e in entries])
    stored += repr(list(LoginFailure.objects.values()))
    for typed in ("hunter2", "guess-one", "guess-two", "guess-three"):
        assert typed not in stored


def test_refused_and_successful_attempts_are_not_failures(client: Client, alice: User) -> None:
    for _ in range(FREE_FAILURES):
        _form(client, "alice", "guess")
    _form(client, "alice", "guess")  # refused before its password was looked at
    assert LoginFailure.objects.count() == FREE_FAILURES
    assert AuditEntry.objects.filter(action="login.failed").count() == FREE_FAILURES
    _form(Client(), "alice", PASSWORD, address=HOME)  # from a new address: must wait too
    LoginFailure.objects.all().delete()
    assert _form(Client(), "alice", PASSWORD, address=HOME) == 302
    assert not LoginFailure.objects.exists()
    assert LoginSuccess.objects.filter(address=HOME).count() == 1


@pytest.mark.parametrize("header", [
    "Basic %%%not-base64", "Basic " + base64.b64encode(b"\xff\xfe:x").decode(),
    "Basic " + base64.b64encode(b"no-colon").decode(), "Bearer abc", "Basic a b c",
    "Basic " + base64.b64encode(b"nul\x00name:pw").decode(),
    "Basic " + base64.b64encode(("x" * 5000 + ":pw").encode()).decode(),
])
def test_broken_basic_auth_headers_get_401_never_500(client: Client, alice: User,
                                                     header: str) -> None:
    response = client.get("/api/organisations", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401


def test_odd_log_in_form_input_gets_a_page_never_500(client: Client, alice: User) -> None:
    assert _form(client, "nul\x00name", "pw") == 200
    assert _form(client, "x" * 5000, "pw") == 200
    assert client.post("/konto/logga-in/", {}).status_code == 200
    assert client.post("/admin/login/", {"username": ["a", "b"]}).status_code == 200


def test_the_client_address_is_remote_addr_unless_proxies_are_trusted() -> None:
    factory = RequestFactory()
    spoofed = factory.get("/", REMOTE_ADDR="10.0.0.2",
                          HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7")
    assert client_address(spoofed) == "10.0.0.2"
    with override_settings(TRUSTED_PROXY_COUNT=1):
        assert client_address(spoofed) == "198.51.100.7"  # what our proxy saw
        assert client_address(factory.get("/", REMOTE_ADDR="10.0.0.2")) == "10.0.0.2"
        bad = factory.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="not-an-ip")
        assert client_address(bad) == "not-an-ip"
        nul = factory.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="a\x00b\u00e5c")
        assert client_address(nul) == "abc"
    with override_settings(TRUSTED_PROXY_COUNT=2):
        assert client_address(spoofed) == "1.2.3.4"
    v6 = factory.get("/", REMOTE_ADDR="2001:db8:1:2:aaaa::1")
    assert client_address(v6) == "2001:db8:1:2::/64"  # one machine has a whole /64
    assert client_address(factory.get("/", REMOTE_ADDR="::ffff:192.0.2.1")) == "192.0.2.1"


def test_an_attacker_cannot_choose_their_address_with_x_forwarded_for(
    client: Client, alice: User
) -> None:
    for n in range(FREE_FAILURES):
        assert client.post("/konto/logga-in/", {"username": "alice", "password": "guess"},
                           REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=f"10.9.9.{n}"
                           ).status_code == 200
    assert set(LoginFailure.objects.values_list("address", flat=True)) == {ATTACKER}


def test_old_failures_are_forgotten(client: Client, alice: User) -> None:
    for _ in range(FREE_FAILURES):
        _form(client, "alice", "guess")
    _time_passes(timedelta(hours=2))
    assert _form(client, "bob", "guess") == 200
    assert LoginFailure.objects.count() == 1
    assert timezone.now() - LoginFailure.objects.get().at < timedelta(minutes=1)


def test_an_address_is_known_for_thirty_days_after_a_log_in(client: Client, alice: User) -> None:
    assert _form(client, "alice", PASSWORD, address=HOME) == 302
    LoginSuccess.objects.update(at=timezone.now() - timedelta(days=31))
    for _ in range(FREE_FAILURES):
        assert _form(Client(), "alice", "guess") == 200
    assert _form(Client(), "alice", PASSWORD, address=HOME) == 429  # no longer known
    LoginFailure.objects.all().delete()
    assert _form(Client(), "alice", PASSWORD, address="192.0.2.78") == 302
    assert not LoginSuccess.objects.filter(address=HOME).exists()  # forgotten


def test_a_flood_of_bad_basic_requests_keeps_the_failure_table_bounded(
    client: Client, alice: User, settings: Any
) -> None:
    """Every failed HTTP Basic call is a LoginFailure row, but one address gets
    ADDRESS_LIMIT of them per window and the refused rest leave no row and no audit entry;
    more addresses buy more rows only for the hour that rows are kept."""
    # Unknown names are checked against a dummy hash of the default hasher: make it cheap.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    statuses = [_api(client, f"bot{n}", "guess") for n in range(3 * ADDRESS_LIMIT)]
    assert statuses == [401] * ADDRESS_LIMIT + [429] * (2 * ADDRESS_LIMIT)
    assert LoginFailure.objects.count() == ADDRESS_LIMIT
    assert AuditEntry.objects.filter(action="login.failed").count() == ADDRESS_LIMIT
    for n in range(10):  # one guess each from many addresses
        assert _api(client, f"spread{n}", "guess", address=f"192.0.2.{n + 1}") == 401
    assert LoginFailure.objects.count() == ADDRESS_LIMIT + 10
    _time_passes(timedelta(hours=1, minutes=1))
    assert _api(client, "late", "guess", address=HOME) == 401
    assert LoginFailure.objects.count() == 1  # the hour's rows are all that is kept


def test_a_script_at_its_known_address_keeps_working_through_a_basic_flood(
    client: Client, alice: User
) -> None:
    assert _api(client, "alice", PASSWORD, address=HOME) == 200  # the script's usual server
    for n in range(20):  # a flood against alice's name from many addresses
        for _ in range(3):
            _api(Client(), "alice", "guess", address=f"203.0.113.{n + 1}")
    assert LoginFailure.objects.filter(address=HOME).count() == 0
    for _ in range(5):
        assert _api(Client(), "alice", PASSWORD, address=HOME) == 200
    elsewhere = Client().get("/api/organisations", REMOTE_ADDR="192.0.2.77",
                             **_basic("alice", PASSWORD))
    assert elsewhere.status_code == 429  # a new address waits, at most MAX_DELAY
    assert 0 < int(elsewhere["Retry-After"]) <= 15 * 60


def test_the_account_menu_marks_my_account_as_the_current_page_only_there(
    client: Client, alice: User
) -> None:
    client.force_login(alice)
    current = 'href="/konto/" aria-current="page"'
    assert current in client.get("/konto/").content.decode()
    assert current not in client.get("/organisationer/").content.decode()
