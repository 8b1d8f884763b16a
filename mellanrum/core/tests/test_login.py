from __future__ import annotations

from django.core.cache import cache
from django.test import Client

from mellanrum.conftest import PASSWORD
from mellanrum.core.models import User


def test_login_and_logout(client: Client, alice: User) -> None:
    response = client.post("/konto/logga-in/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").context["user"].username == "alice"
    client.post("/konto/logga-ut/")
    assert not client.get("/").context["user"].is_authenticated


def test_password_guessing_is_throttled(client: Client, alice: User) -> None:
    cache.clear()
    for _ in range(5):
        response = client.post("/konto/logga-in/", {"username": "alice", "password": "guess"})
        assert response.status_code == 200
    blocked = client.post("/konto/logga-in/", {"username": "Alice", "password": PASSWORD})
    assert blocked.status_code == 429
    assert "Vänta 15 minuter" in blocked.content.decode()
    assert not client.get("/").context["user"].is_authenticated
    cache.clear()
    assert client.post("/konto/logga-in/", {"username": "alice", "password": PASSWORD}
                       ).status_code == 302
