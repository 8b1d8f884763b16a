"""The shared page cache (core/page_cache.py): a page kept for one request is served to the next
only while nothing it read has changed, whoever or whatever wrote, and never to a viewer who
may see something else."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mellanrum.collaborations.models import Initiative
from mellanrum.conftest import PASSWORD, PageCacheHits
from mellanrum.core import page_cache
from mellanrum.core.models import User
from mellanrum.landscape.models import Activity, Organisation


def _log_in(user: User) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


# --- What a statement writes and reads ------------------------------------------------------

def test_an_update_changes_only_the_columns_it_sets() -> None:
    sql = ('UPDATE "landscape_activity" SET "description" = %s, "version" = %s '
           'WHERE "landscape_activity"."id" = %s')
    assert page_cache._written(sql) == {"landscape_activity.*", "landscape_activity.description",
                                        "landscape_activity.version"}


def test_a_bulk_update_with_case_counts_its_columns_not_its_conditions() -> None:
    sql = ('UPDATE "landscape_activity" SET "name" = CASE WHEN ("landscape_activity"."id" = %s) '
           'THEN %s ELSE NULL END WHERE "landscape_activity"."id" IN (%s)')
    written = page_cache._written(sql)
    assert written is not None and "landscape_activity.name" in written
    assert "landscape_activity" not in written  # the rows are the same rows


def test_inserts_deletes_and_unclear_statements() -> None:
    # A new row (see page_rows below); one that names its primary key counts as any change.
    assert page_cache._written('INSERT INTO "landscape_activity" ("name") VALUES (%s)') == {
        "landscape_activity+", "landscape_activity+@?"}
    assert page_cache._written('INSERT INTO "landscape_activity" ("id", "name") VALUES (%s, %s)'
                               ) == {"landscape_activity"}
    assert page_cache._written("INSERT INTO landscape_activity (name) VALUES (%s)") == {
        "landscape_activity"}
    assert page_cache._written('DELETE FROM "landscape_activity" WHERE "id" = %s') == {
        "landscape_activity"}
    # Hand-written, unquoted: the columns cannot be told, so every reader of the table misses.
    assert page_cache._written("UPDATE landscape_activity SET name = %s") == {
        "landscape_activity", "landscape_activity.*"}
    assert page_cache._written('ALTER TABLE "x" ADD COLUMN "y" int') == {page_cache.EVERYTHING}
    assert page_cache._written("TRUNCATE landscape_activity") == {page_cache.EVERYTHING}
    assert page_cache._written("WITH x AS (DELETE FROM t RETURNING *) SELECT 1") == {
        page_cache.EVERYTHING}
    assert page_cache._written('SELECT "t"."id" FROM "t" FOR UPDATE') is None
    assert page_cache._written(
        'UPDATE "core_user" SET "last_login" = %s WHERE "core_user"."id" = %s') is None
    assert page_cache._written('DELETE FROM "django_session" WHERE "x" = %s') is None


def test_reads_name_their_columns_through_aliases() -> None:
    sql = ('SELECT "a"."id", T3."name" FROM "a" INNER JOIN "landscape_organisation" T3 '
           'ON ("a"."organisation_id" = T3."id") WHERE EXISTS(SELECT 1 AS "x" FROM "b" U0 '
           'WHERE U0."a_id" = "a"."id")')
    assert page_cache._read(sql) == {
        "a", "a.id", "a.organisation_id", "landscape_organisation", "landscape_organisation.name",
        "landscape_organisation.id", "b", "b.a_id",
        # New rows of a and b can be read; a new organisation cannot (joined by its key).
        "a+", "b+"}


def test_a_hand_written_read_depends_on_every_column() -> None:
    assert page_cache._read("SELECT name FROM landscape_activity WHERE id = %s", (1,)) == {
        "landscape_activity", "landscape_activity.*", "landscape_activity+"}
    assert page_cache._read('SELECT COUNT(*) AS "__count" FROM "landscape_activity"') == {
        "landscape_activity", "landscape_activity+"}


# --- Through the pages ------------------------------------------------------------------------

def _edit(client: Client, activity: Activity, **changes: object) -> None:
    activity.refresh_from_db()
    data = {"name": activity.name, "kind": activity.kind, "version": activity.version,
            "description": activity.description, "volume_unit": activity.volume_unit,
            "annual_cost_sek": activity.annual_cost_sek or "",
            "volume_per_year": activity.volume_per_year or "",
            "lead_time_days": activity.lead_time_days or "",
            "category": activity.category_id or "", **changes}
    response = client.post(reverse("landscape:activity_edit", args=[activity.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    # As a browser does: the page it is sent to shows (and so consumes) the message.
    assert client.get(response["Location"]).status_code == 200


def test_an_edit_through_the_form_shows_on_the_next_request(
        alice: User, activity: Activity, caplog: pytest.LogCaptureFixture,
        hits: PageCacheHits) -> None:
    client = _log_in(alice)
    url = activity.organisation.get_absolute_url()
    assert "Ansökan om bygglov" in client.get(url).content.decode()
    assert "Ansökan om bygglov" in client.get(url).content.decode()
    assert hits()
    _edit(client, activity, name="Bygglov, ansökan")
    caplog.clear()
    html = client.get(url).content.decode()
    assert "Bygglov, ansökan" in html and "Ansökan om bygglov" not in html
    # The log says why the page was built again.
    stale = [r.getMessage() for r in caplog.records if "page cache: stale" in r.getMessage()]
    assert stale == [f"page cache: stale {url}, changed ['landscape_activity.name']"]
    assert not hits()


def test_an_edit_of_what_a_page_does_not_show_keeps_it(
        alice: User, activity: Activity, hits: PageCacheHits) -> None:
    client = _log_in(alice)
    url = activity.organisation.get_absolute_url()
    client.get(url)
    _edit(client, activity, description="En ny beskrivning som organisationssidan inte visar.")
    hits.clear()
    client.get(url)
    assert hits()
    # … but the page that shows the description is built again.
    detail = reverse("landscape:activity", args=[activity.pk])
    assert "En ny beskrivning" in client.get(detail).content.decode()


def test_an_initiative_page_follows_its_activities_names_not_their_descriptions(
        alice: User, activity: Activity, linked_initiative: Initiative,
        hits: PageCacheHits) -> None:
    client = _log_in(alice)
    url = linked_initiative.get_absolute_url()
    assert "Ansökan om bygglov" in client.get(url).content.decode()
    _edit(client, activity, description="En ny beskrivning som initiativet inte visar.")
    hits.clear()
    assert "Ansökan om bygglov" in client.get(url).content.decode()
    assert hits()
    _edit(client, activity, name="Bygglov, ansökan")
    html = client.get(url).content.decode()
    assert not hits()
    assert "Bygglov, ansökan" in html and "Ansökan om bygglov" not in html


@pytest.mark.parametrize("how", ["update", "bulk_create", "raw", "delete"])
def test_writes_that_bypass_save_are_seen(how: str, alice: User, activity: Activity,
                                          hits: PageCacheHits) -> None:
    client = _log_in(alice)
    url = activity.organisation.get_absolute_url()
    client.get(url)
    client.get(url)
    assert hits()
    if how == "update":
        Activity.objects.filter(pk=activity.pk).update(annual_cost_sek=Decimal("1234567"))
        expected = "1\u00a0234\u00a0567"
    elif how == "bulk_create":
        Activity.objects.bulk_create([Activity(organisation=activity.organisation, key="ny",
                                               name="Nyss importerad verksamhet")])
        expected = "Nyss importerad verksamhet"
    elif how == "raw":
        with connection.cursor() as cursor:
            cursor.execute("UPDATE landscape_activity SET name = %s WHERE id = %s",
                           ["Ändrad med SQL", activity.pk])
        expected = "Ändrad med SQL"
    else:
        Activity.objects.filter(pk=activity.pk).delete()
        expected = ""
    html = client.get(url).content.decode()
    assert not hits()
    assert expected in html
    if how == "delete":
        assert "Ansökan om bygglov" not in html


def test_a_viewer_who_may_see_less_never_gets_the_page_of_one_who_may_see_more(
        alice: User, bob: User, charlie: User, activity: Activity,
        hits: PageCacheHits) -> None:
    url = activity.organisation.get_absolute_url()
    add = reverse("landscape:activity_create", args=[activity.organisation.code])
    for _ in range(2):  # kept, then served from the cache to alice (editor of Alfa)
        assert add in _log_in(alice).get(url).content.decode()
    assert hits()
    # bob reads Alfa, charlie edits Beta: neither may add an activity to Alfa.
    assert add not in _log_in(bob).get(url).content.decode()
    assert add not in _log_in(charlie).get(url).content.decode()
    # Anonymous visitors do not see the activities at all.
    anonymous = Client().get(url).content.decode()
    assert "Ansökan om bygglov" not in anonymous
    # A page that needs a log-in is not served to an anonymous visitor from the cache.
    detail = reverse("landscape:activity", args=[activity.pk])
    assert _log_in(alice).get(detail).status_code == 200
    assert Client().get(detail).status_code == 302


def test_a_changed_role_is_a_different_viewer(alice: User, activity: Activity) -> None:
    url = activity.organisation.get_absolute_url()
    add = reverse("landscape:activity_create", args=[activity.organisation.code])
    client = _log_in(alice)
    assert add in client.get(url).content.decode()
    alice.role = User.Role.READER
    alice.save()
    assert add not in client.get(url).content.decode()


def test_each_visitor_gets_its_own_csrf_token(db: None, alfa: Organisation) -> None:
    token = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
    url = alfa.get_absolute_url()
    pages = []
    for _ in range(2):
        client = Client(enforce_csrf_checks=True)
        html = client.get(url).content.decode()
        found = token.findall(html)
        assert found and "\x00" not in html
        # The language form posts with the token the page carries, from this visitor's cookie.
        response = client.post(reverse("set_language"), {
            "csrfmiddlewaretoken": found[0], "language": "en", "next": url})
        assert response.status_code == 302
        pages.append(found[0])
    assert pages[0] != pages[1]


def test_messages_are_shown_not_a_kept_page(alice: User, activity: Activity,
                                           hits: PageCacheHits) -> None:
    client = _log_in(alice)
    url = activity.organisation.get_absolute_url()
    client.get(url)
    client.get(url)
    assert hits()
    # An edit that changes nothing the page shows, with its message waiting in the session.
    activity.refresh_from_db()
    client.post(reverse("landscape:activity_edit", args=[activity.pk]), {
        "name": activity.name, "kind": activity.kind, "version": activity.version,
        "description": "Ny", "annual_cost_sek": activity.annual_cost_sek,
        "volume_per_year": activity.volume_per_year, "volume_unit": activity.volume_unit,
        "lead_time_days": activity.lead_time_days, "category": activity.category_id})
    html = client.get(url).content.decode()
    assert not hits()
    assert "saved" in html.lower() or "sparad" in html.lower()
    client.get(url)
    assert hits()


def test_kept_values_per_process_follow_the_data(alfa: Organisation, beta: Organisation) -> None:
    memo: dict[object, object] = {}
    calls = []

    def make() -> list[str]:
        calls.append(1)
        return list(Organisation.objects.order_by("code").values_list("name", flat=True))

    assert page_cache.remember(memo, "names", make) == ["Alfa kommun", "Beta kommun"]
    assert page_cache.remember(memo, "names", make) == ["Alfa kommun", "Beta kommun"]
    assert len(calls) == 1
    Organisation.objects.filter(pk=alfa.pk).update(name="Alfa stad")
    assert page_cache.remember(memo, "names", make) == ["Alfa stad", "Beta kommun"]
    assert len(calls) == 2


def test_one_bump_counts_every_column_once_and_renews_everything(db: None) -> None:
    before = page_cache.versions()
    page_cache.bump({"t.a", "t.*", "u", page_cache.EVERYTHING})
    page_cache.bump({"t.a", page_cache.EVERYTHING})
    after = page_cache.versions()
    assert (after["t.a"], after["t.*"], after["u"]) == (2, 1, 1)
    assert after[page_cache.EVERYTHING] not in {0, before.get(page_cache.EVERYTHING)}
    page_cache.bump(set())
    assert page_cache.versions() == after


@pytest.mark.django_db(transaction=True)
def test_the_counter_is_bumped_when_the_write_commits(alfa: Organisation) -> None:
    before = page_cache.versions().get("landscape_organisation.name", 0)
    with transaction.atomic():
        Organisation.objects.filter(pk=alfa.pk).update(name="Alfa stad")
        assert page_cache.versions().get("landscape_organisation.name", 0) == before
    assert page_cache.versions()["landscape_organisation.name"] == before + 1
    with pytest.raises(RuntimeError), transaction.atomic():
        Organisation.objects.filter(pk=alfa.pk).update(name="Alfa igen")
        raise RuntimeError
    assert page_cache.versions()["landscape_organisation.name"] == before + 1


@pytest.mark.django_db(transaction=True)
def test_a_page_is_built_again_after_a_committed_write(alfa: Organisation,
                                                       hits: PageCacheHits) -> None:
    url = alfa.get_absolute_url()
    Client().get(url)
    Client().get(url)
    assert hits()
    with transaction.atomic():
        alfa.name = "Alfa stad"
        alfa.save()
    assert "Alfa stad" in Client().get(url).content.decode()
    assert not hits()


def test_a_restore_or_migration_makes_every_page_unreachable(
        alfa: Organisation, hits: PageCacheHits) -> None:
    url = alfa.get_absolute_url()
    Client().get(url)
    page_cache.bump_everything()
    Client().get(url)
    assert not hits()


def test_off_when_turned_off(settings: object, alfa: Organisation,
                             hits: PageCacheHits) -> None:
    settings.PAGE_CACHE = False  # type: ignore[attr-defined]
    url = alfa.get_absolute_url()
    Client().get(url)
    Client().get(url)
    assert not hits()


def test_a_running_task_is_never_served_from_a_kept_page(
        alice: User, monkeypatch: pytest.MonkeyPatch, hits: PageCacheHits) -> None:
    """A task is declared lost when its heartbeat grows old, without any write to bump a
    counter: a page kept while it ran would show it running for ever (issue 20, bad input)."""
    from mellanrum.commonality.actions import execute_run
    from mellanrum.commonality.models import AnalysisRun
    from mellanrum.core import tasks
    from mellanrum.core.models import Task

    run = AnalysisRun.objects.create(scope_key="all", scope={}, scope_label="Alla",
                                     status=AnalysisRun.Status.RUNNING)
    now = timezone.now()
    Task.objects.create(name=tasks.task_name(execute_run), args=[run.pk],
                        ref=f"analysisrun:{run.pk}", status=Task.Status.RUNNING,
                        worker="elsewhere boot 1", started_at=now, heartbeat_at=now)
    client = _log_in(alice)
    url = reverse("commonality:overview")
    assert "role=\"status\"" in client.get(url).content.decode()
    monkeypatch.setattr(tasks, "stale_after", lambda: timedelta(seconds=-1))  # the worker died
    page = client.get(url).content.decode()
    assert not hits()
    assert "role=\"alert\"" in page and "role=\"status\"" not in page


def test_a_kept_page_is_built_again_on_a_new_day(
        alfa: Organisation, monkeypatch: pytest.MonkeyPatch,
        hits: PageCacheHits) -> None:
    """Pages count days from today (deadlines, procurement windows) with no write to say so."""
    url = alfa.get_absolute_url()
    Client().get(url)
    Client().get(url)
    assert hits()
    tomorrow = timezone.localdate() + timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda: tomorrow)
    Client().get(url)
    assert not hits()
