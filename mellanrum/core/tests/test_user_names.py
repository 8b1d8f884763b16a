"""User names are normalised (NFKC, case-folded) when created: a name that normalises to an
existing one is refused at every place users are created."""

from __future__ import annotations

import importlib
from io import StringIO

import pytest
from click.testing import CliRunner
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client

from mellanrum.cli import main
from mellanrum.conftest import PASSWORD
from mellanrum.core.actions import do_create_user
from mellanrum.core.checks import look_alike_user_names
from mellanrum.core.models import User, normalise_username
from mellanrum.landscape.models import Organisation


def test_names_normalise_with_nfkc_and_case_folding() -> None:
    assert normalise_username("\uff48ud_ed") == "hud_ed"
    assert normalise_username("HUD_ED ") == "hud_ed"
    assert normalise_username("Straße") == "strasse"
    assert normalise_username("\uff21\uff2c\uff29\uff23\uff25") == "alice"


def test_the_normalised_name_is_kept_with_the_user(alice: User) -> None:
    assert alice.username_key == "alice"
    alice.username = "Alice2"
    alice.save(update_fields=["username"])
    alice.refresh_from_db()
    assert alice.username_key == "alice2"


def test_do_create_user_refuses_a_look_alike(alice: User, alfa: Organisation) -> None:
    for name in ["ALICE", "\uff41lice", " alice"]:
        with pytest.raises(ValidationError, match="already exists"):
            do_create_user(name, password=PASSWORD, organisation=alfa)
    assert User.objects.count() == 1


def test_the_cli_refuses_a_look_alike(alice: User, alfa: Organisation) -> None:
    result = CliRunner().invoke(
        main, ["createuser", "\uff41lice", "-o", alfa.code, "--password", PASSWORD])
    assert result.exit_code == 1
    assert "already exists" in result.output and "look-alike" in result.output
    assert User.objects.count() == 1


def test_the_admin_refuses_a_look_alike(client: Client, alice: User, superuser: User) -> None:
    client.force_login(superuser)
    User.objects.create(username="straße")
    response = client.post("/admin/core/user/add/", {
        # Django's own case-insensitive check misses this one.
        "username": "STRASSE", "password1": PASSWORD, "password2": PASSWORD,
        "role": "reader", "usable_password": "true",
    })
    assert response.status_code == 200
    assert "skiljer sig bara" in response.content.decode()
    assert User.objects.count() == 3


def test_createsuperuser_refuses_a_look_alike(alice: User) -> None:
    with pytest.raises(CommandError, match="already taken"):
        call_command("createsuperuser", username="\uff21lice", email="", interactive=False,
                     stdout=StringIO(), stderr=StringIO())
    assert User.objects.count() == 1


def test_the_database_refuses_two_accounts_for_one_name(alice: User) -> None:
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="ALICE")


def test_the_migration_reports_collisions_and_deletes_nothing(
    alice: User, capsys: pytest.CaptureFixture[str]
) -> None:
    older_twin = User.objects.create(username="bob")
    User.objects.filter(pk=older_twin.pk).update(username="Alice")
    User.objects.update(username_key=None)  # as before the migration
    migration = importlib.import_module(
        "mellanrum.core.migrations.0006_login_identity_and_addresses")
    migration.fill_username_keys(apps, None)
    assert "'Alice'" in capsys.readouterr().out
    assert User.objects.count() == 2
    alice.refresh_from_db()
    assert alice.username_key == "alice"
    assert User.objects.get(username="Alice").username_key is None
    warnings = look_alike_user_names()
    assert [w.id for w in warnings] == ["core.W001"] and "'Alice'" in warnings[0].msg
    # Both still log in, each with exactly their own name.
    twin = User.objects.get(username="Alice")
    twin.set_password("another passphrase 42")
    twin.save(update_fields=["password"])
    assert Client().post("/konto/logga-in/", {"username": "alice", "password": PASSWORD}
                         ).status_code == 302
    assert Client().post("/konto/logga-in/", {"username": "Alice",
                                              "password": "another passphrase 42"}
                         ).status_code == 302


@pytest.mark.django_db
def test_no_warning_when_every_name_is_distinct() -> None:
    User.objects.create(username="dora")
    assert look_alike_user_names() == []
