from __future__ import annotations

import datetime

import pytest
from click.testing import CliRunner
from django.contrib.humanize.templatetags.humanize import intcomma
from django.test import Client

from mellanrum.cli import DEMO_USERS, main
from mellanrum.collaborations.models import Initiative
from mellanrum.core.models import AuditEntry, User
from mellanrum.demo import do_load_full_demo
from mellanrum.health.models import Round
from mellanrum.journeys.models import LifeEvent
from mellanrum.landscape.counts import catalogue_counts
from mellanrum.landscape.models import Activity


@pytest.mark.django_db
def test_full_demo_shows_every_capability_and_can_be_rerun() -> None:
    first = do_load_full_demo(users=DEMO_USERS)
    assert first["shared_concepts"] > 100
    assert first["initiatives"] == 4 == Initiative.objects.count()  # one run by Storsthlm
    assert LifeEvent.objects.count() >= 25
    versions = dict(Activity.objects.values_list("pk", "version"))
    owners = dict(Activity.objects.filter(owner__isnull=False).values_list("pk", "owner_id"))
    assert owners  # the community demo appoints activity owners
    updates = AuditEntry.objects.filter(action="activity.update").count()

    again = do_load_full_demo(users=DEMO_USERS)
    assert Initiative.objects.count() == 4
    assert again["activities"] == first["activities"]
    assert again["initiatives"] == 4  # what there is, not what this run created
    # Loading it again changes nothing that is already there.
    assert dict(Activity.objects.values_list("pk", "version")) == versions
    assert dict(Activity.objects.filter(owner__isnull=False)
                .values_list("pk", "owner_id")) == owners
    assert AuditEntry.objects.filter(action="activity.update").count() == updates


@pytest.mark.django_db
def test_the_demo_agrees_with_itself_everywhere() -> None:
    # Through the command, as `make run` does (loading twice changes nothing).
    do_load_full_demo(users=DEMO_USERS)
    result = CliRunner().invoke(main, ["demo", "--no-serve"])
    assert result.exit_code == 0, result.output
    counts = catalogue_counts()
    # The command counts what the start page counts, with the same query.
    assert (f"{counts['activities']} activities described by "
            f"{counts['with_activities']} organisations") in result.output
    home = Client(HTTP_ACCEPT_LANGUAGE="en").get("/").content.decode()
    assert f"<strong>{intcomma(counts['activities'])}</strong>" in home
    assert f"activities described by {counts['with_activities']} organisations" in home
    # The demo logins name their organisation.
    assert "(editor for Nacka kommun, 0182)" in result.output
    assert "organisation 0182" not in result.output

    today = datetime.date(2026, 12, 6)  # the demo's today
    for initiative in Initiative.objects.all():
        start = initiative.start_date
        assert start is not None and start <= today
        for round_ in Round.objects.filter(initiative=initiative):
            opened = round_.opened_at.date()
            assert start <= opened <= today, round_
            season = "Våren" if opened.month <= 6 else "Hösten"
            assert round_.title == f"{season} {opened.year}", round_
        years = set(initiative.ledger_rows.values_list("year", flat=True))
        # Storsthlm's facilitated initiative is in its pre-study and has no ledger yet.
        assert min(years, default=start.year) == start.year
        realised = set(initiative.ledger_rows.filter(realised__isnull=False)
                       .values_list("year", flat=True))
        assert all(start.year <= year < today.year for year in realised), initiative

    # "Offentligt" is never said of something a visitor who is not logged in cannot see.
    anonymous = Client(HTTP_ACCEPT_LANGUAGE="sv").get("/samverkan/").content.decode()
    assert not [i for i in Initiative.objects.all() if i.title in anonymous]
    admin = Client(HTTP_ACCEPT_LANGUAGE="sv")
    admin.force_login(User.objects.get(username="admin"))
    portfolio = admin.get("/samverkan/").content.decode()
    assert "Offentligt" not in portfolio
    assert portfolio.count("Alla inloggade") == Initiative.objects.filter(is_public=True).count()
