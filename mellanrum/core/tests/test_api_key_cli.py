"""API keys from the command line (``mellanrum apikey``) and in the admin site: the same rules
as the account page, the key printed once and never listed, revoking audited."""

from __future__ import annotations

import datetime
import json
import re

import pytest
from click.testing import CliRunner, Result
from django.test import Client
from django.utils import timezone

from mellanrum.cli import main
from mellanrum.core.actions import do_create_api_token
from mellanrum.core.models import ApiToken, AuditEntry, User

pytestmark = pytest.mark.django_db

KEY = re.compile(r"mlr_[A-Za-z0-9_-]{43}")


def run(*args: str) -> Result:
    return CliRunner().invoke(main, ["apikey", *args])


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def in_days(days: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def test_a_key_made_on_the_command_line_works_until_its_day(client: Client,
                                                            alice: User) -> None:
    expires = in_days(30)
    result = run("create", "--user", "ALICE", "--name", "Nattlig synk", "--expires", expires)
    assert result.exit_code == 0, result.output
    key = result.stdout.strip()
    assert KEY.fullmatch(key), "stdout is the key and nothing else, for scripts"
    assert "not shown again" in result.stderr
    token = ApiToken.objects.get()
    assert (token.user, token.name, token.prefix) == (alice, "Nattlig synk", key[:10])
    assert timezone.localtime(token.expires_at).isoformat().startswith(f"{expires}T00:00:00")
    assert client.get("/api/organisations", headers=bearer(key)).status_code == 200
    entry = AuditEntry.objects.get(action="core.api_token.create")
    assert entry.user is None and entry.detail["owner"] == "alice"
    assert entry.detail["expires_on"] == expires


def test_defaults_are_a_dated_name_and_ninety_days(alice: User) -> None:
    result = run("create", "--user", "alice")
    assert result.exit_code == 0, result.output
    token = ApiToken.objects.get()
    assert token.name == f"Skapad på kommandoraden {timezone.localdate()}"
    assert timezone.localdate(token.expires_at).isoformat() == in_days(90)


def test_the_list_never_shows_a_key_or_its_hash(alice: User, bob: User) -> None:
    _token, alice_key = do_create_api_token(alice, name="Alices nyckel", lifetime_days=30)
    bob_key = run("create", "--user", "bob", "--name", "Bobs\tnyckel").stdout.strip()
    hashes = list(ApiToken.objects.values_list("key_hash", flat=True))
    listing = run("list")
    assert listing.exit_code == 0, listing.output
    lines = listing.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].split("\t")[1:4] == ["alice", "Alices nyckel", alice_key[:10] + "…"]
    assert lines[1].split("\t")[1:3] == ["bob", "Bobs nyckel"]
    assert lines[0].endswith("\tnever\tactive")
    as_json = run("list", "--user", "bob", "--format", "json")
    assert [row["user"] for row in json.loads(as_json.stdout)] == ["bob"]
    for output in (listing.output, as_json.output):
        for secret in (alice_key, bob_key, *hashes):
            assert secret not in output
            assert secret[10:20] not in output


def test_an_expired_key_or_an_inactive_user_is_marked(alice: User, bob: User) -> None:
    token, _key = do_create_api_token(alice, name="gammal", lifetime_days=30)
    ApiToken.objects.filter(pk=token.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1))
    do_create_api_token(bob, name="bobs", lifetime_days=30)
    User.objects.filter(pk=bob.pk).update(is_active=False)
    statuses = [line.split("\t")[-1] for line in run("list").stdout.splitlines()]
    assert statuses == ["expired", "user inactive"]


def test_revoking_stops_the_key_at_once(client: Client, alice: User) -> None:
    token, key = do_create_api_token(alice, name="Synk", lifetime_days=30)
    result = run("revoke", str(token.pk))
    assert result.exit_code == 0, result.output
    assert "Revoked API key" in result.stdout and "alice" in result.stdout
    assert not ApiToken.objects.exists()
    assert client.get("/api/organisations", headers=bearer(key)).status_code == 401
    entry = AuditEntry.objects.get(action="core.api_token.revoke")
    assert entry.user is None and entry.detail["owner"] == "alice"


@pytest.mark.parametrize(("args", "message"), [
    (["create", "--user", "nobody"], "no user named 'nobody'"),
    (["create", "--user", "alice", "--expires", "31/12/2026"], "write it as YYYY-MM-DD"),
    (["create", "--user", "alice", "--expires", "2026-02-30"], "is not a date"),
    (["create", "--user", "alice", "--expires", "today"], "is not a date"),
    (["create", "--user", "alice", "--name", "   "], "Give the key a name"),
    (["create", "--user", "alice", "--name", "syn\x07k"], "invisible control character"),
    (["create", "--user", "ali\x00ce"], "no user named"),
    (["list", "--user", "nobody"], "no user named 'nobody'"),
    (["revoke", "999999"], "no API key with id 999999"),
    (["revoke", "abc"], "is not a valid integer"),
    (["create"], "Missing option '--user'"),
])
def test_bad_input_is_one_clear_line(alice: User, args: list[str], message: str) -> None:
    result = run(*args)
    assert result.exit_code != 0
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert not ApiToken.objects.exists() or args[0] == "list"
    assert not AuditEntry.objects.filter(action__startswith="core.api_token").exists()


@pytest.mark.parametrize(("days", "message"), [
    (0, "The expiry date must be after today."),
    (-3, "The expiry date must be after today."),
    (366, "An API key lives at most 365 days"),
])
def test_the_expiry_follows_the_account_page_s_longest_lifetime(
    alice: User, days: int, message: str
) -> None:
    result = run("create", "--user", "alice", "--expires", in_days(days))
    assert result.exit_code != 0 and message in result.stderr
    assert not ApiToken.objects.exists()
    assert run("create", "--user", "alice", "--expires", in_days(365)).exit_code == 0


def test_the_account_page_s_limits_hold_on_the_command_line(alice: User, bob: User) -> None:
    for number in range(10):
        do_create_api_token(alice, name=f"nyckel {number}", lifetime_days=30)
    refused = run("create", "--user", "alice")
    assert refused.exit_code != 0 and "already have 10 API keys" in refused.stderr
    User.objects.filter(pk=bob.pk).update(is_active=False)
    inactive = run("create", "--user", "bob")
    assert inactive.exit_code != 0 and "not active" in inactive.stderr
    assert ApiToken.objects.count() == 10


def test_the_admin_lists_keys_read_only_and_revokes_them(
    client: Client, alice: User, superuser: User
) -> None:
    token, key = do_create_api_token(alice, name="Alices synk", lifetime_days=30)
    client.force_login(superuser)
    listing = client.get("/admin/core/apitoken/")
    assert listing.status_code == 200
    page = listing.content.decode()
    assert "Alices synk" in page and f"{token.prefix}…" in page
    assert key not in page and token.key_hash not in page
    assert 'value="revoke"' in page and "Återkalla de valda API-nycklarna" in page
    assert 'value="delete_selected"' not in page  # a plain delete would skip the audit log
    detail = client.get(f"/admin/core/apitoken/{token.pk}/change/").content.decode()
    assert "Alices synk" in detail and token.key_hash not in detail and key not in detail
    assert client.get("/admin/core/apitoken/add/").status_code == 403
    assert client.post(f"/admin/core/apitoken/{token.pk}/delete/").status_code == 403

    done = client.post("/admin/core/apitoken/", {"action": "revoke",
                                                 "_selected_action": [str(token.pk)]},
                       follow=True)
    assert done.status_code == 200
    assert "1 API-nyckel är återkallad" in done.content.decode()
    assert not ApiToken.objects.exists()
    client.logout()
    assert client.get("/api/organisations", headers=bearer(key)).status_code == 401
    entry = AuditEntry.objects.get(action="core.api_token.revoke")
    assert entry.user == superuser and entry.detail["owner"] == "alice"


def test_staff_without_the_delete_permission_cannot_revoke(
    client: Client, alice: User, bob: User
) -> None:
    from django.contrib.auth.models import Permission

    token, _key = do_create_api_token(alice, name="Alices synk", lifetime_days=30)
    User.objects.filter(pk=bob.pk).update(is_staff=True)
    bob.user_permissions.add(Permission.objects.get(codename="view_apitoken"))
    client.force_login(bob)
    page = client.get("/admin/core/apitoken/")
    assert page.status_code == 200 and 'value="revoke"' not in page.content.decode()
    client.post("/admin/core/apitoken/", {"action": "revoke",
                                          "_selected_action": [str(token.pk)]})
    assert ApiToken.objects.filter(pk=token.pk).exists()
