from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from mellanrum.conftest import PASSWORD
from mellanrum.core.models import LoginFailure, User


def test_login_and_logout(client: Client, alice: User) -> None:
    response = client.post("/konto/logga-in/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").context["user"].username == "alice"
    client.post("/konto/logga-ut/")
    assert not client.get("/").context["user"].is_authenticated


def test_password_guessing_is_throttled(client: Client, alice: User) -> None:
    for _ in range(5):
        response = client.post("/konto/logga-in/", {"username": "alice", "password": "guess"})
        assert response.status_code == 200
    blocked = client.post("/konto/logga-in/", {"username": "Alice", "password": PASSWORD})
    assert blocked.status_code == 429
    assert "Vänta 15 minuter" in blocked.content.decode()
    assert not client.get("/").context["user"].is_authenticated
    assert Client().post("/konto/logga-in/", {"username": "alice", "password": PASSWORD}
                         ).status_code == 429  # any other process or browser counts them too
    LoginFailure.objects.update(at=timezone.now() - timedelta(minutes=16))  # the window passes
    assert client.post("/konto/logga-in/", {"username": "alice", "password": PASSWORD}
                       ).status_code == 302
    assert not LoginFailure.objects.exists()  # old failures and this name's are cleared


def test_failed_log_ins_store_no_typed_names(client: Client, alice: User) -> None:
    client.post("/konto/logga-in/", {"username": "hunter2-typed-here", "password": "x"})
    stored = LoginFailure.objects.get()
    assert "hunter2" not in stored.name_hash and len(stored.name_hash) == 64
