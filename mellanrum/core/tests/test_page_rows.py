"""Which new rows a statement can see (core/page_rows.py): an import into one organisation
leaves the pages of every other organisation, and the pages that read rows by their key, as
they were — and every page that could show a new row is built again."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef
from django.db.models.query import QuerySet
from django.test import Client
from django.urls import reverse

from mellanrum.collaborations.models import Initiative
from mellanrum.conftest import PASSWORD, PageCacheHits
from mellanrum.core import page_cache
from mellanrum.core.models import User
from mellanrum.core.page_rows import bucket
from mellanrum.landscape.models import Activity, Organisation

NEW = "landscape_activity+"


def _new_rows(queryset: QuerySet[Any]) -> set[str]:
    """The insert atoms of a queryset's own SQL, as Django writes it."""
    sql, params = queryset.query.sql_with_params()
    return {atom for atom in page_cache._read(sql, params) if "+" in atom}


def _scoped(organisation: Organisation) -> set[str]:
    return {f"{NEW}@{bucket(organisation.pk)}", f"{NEW}@?"}


def test_a_new_row_bumps_its_organisations_bucket_not_the_rows_of_the_table(
        alfa: Organisation, beta: Organisation, activity: Activity) -> None:
    before = page_cache.versions()
    Activity.objects.bulk_create([Activity(organisation=alfa, key="a", name="Ny a"),
                                  Activity(organisation=beta, key="b", name="Ny b")])
    Activity.objects.create(organisation=alfa, key="c", name="Ny c")
    after = page_cache.versions()
    changed = {name for name in after if after[name] != before.get(name)}
    assert {"landscape_activity+", f"{NEW}@{bucket(alfa.pk)}",
            f"{NEW}@{bucket(beta.pk)}"} <= changed
    assert "landscape_activity" not in changed and f"{NEW}@?" not in changed
    Activity.objects.filter(key="a").delete()
    assert page_cache.versions()["landscape_activity"] != after.get("landscape_activity")


def test_rows_passed_as_an_iterator_are_not_read_but_counted_as_unclear() -> None:
    rows = iter([(19, "a")])
    sql = 'INSERT INTO "t" ("organisation_id", "name") VALUES (%s, %s)'
    assert page_cache._written(sql, rows, True) == {"t+", "t+@?"}
    assert list(rows) == [(19, "a")]  # still there for the database
    assert page_cache._written(sql, [(19, "a"), (83, "b")], True) == {
        "t+", f"t+@{bucket(19)}", f"t+@{bucket(83)}"}


def test_reads_scoped_to_an_organisation_see_only_its_new_rows(alfa: Organisation) -> None:
    assert _new_rows(Activity.objects.filter(organisation=alfa)) == _scoped(alfa)
    assert _new_rows(Activity.objects.filter(organisation=alfa, kind="service")
                     .order_by("name")[:10]) == _scoped(alfa)
    assert _new_rows(alfa.activities.filter(name__icontains="bygg")) == _scoped(alfa)
    assert _new_rows(Activity.objects.filter(organisation=alfa).values("kind").distinct()
                     ) == _scoped(alfa)


def test_the_organisation_is_the_parameter_in_its_place() -> None:
    sql = ('SELECT "t"."id" FROM "t" WHERE ("t"."name" LIKE \'%%\' || %s AND '
           '"t"."organisation_id" = %s AND "t"."kind" = %s)')
    assert {a for a in page_cache._read(sql, ("x", 70, "y")) if "+" in a} == {
        f"t+@{bucket(70)}", "t+@?"}
    assert "t+" in page_cache._read(sql, ("x", None, "y"))  # no organisation: unclear


def test_reads_by_key_or_through_a_link_see_no_new_rows(
        activity: Activity, linked_initiative: Initiative) -> None:
    initiative = linked_initiative
    assert NEW not in str(_new_rows(Activity.objects.filter(pk=activity.pk)))
    assert NEW not in str(_new_rows(Activity.objects.filter(pk__in=[activity.pk, 3])))
    assert NEW not in str(_new_rows(initiative.activities.all()))
    assert NEW not in str(_new_rows(Activity.objects.filter(
        pk__in=initiative.activities.values("pk"))))
    # … but the link table's own new rows are seen.
    assert "collaborations_initiative_activities+" in _new_rows(initiative.activities.all())


def test_every_other_read_sees_every_new_row(alfa: Organisation, beta: Organisation) -> None:
    assert NEW in _new_rows(Activity.objects.all())
    assert NEW in _new_rows(Activity.objects.filter(name__icontains="bygg"))
    assert NEW in _new_rows(Activity.objects.filter(organisation__code="9901"))
    assert NEW in _new_rows(Activity.objects.filter(organisation__in=[alfa, beta]))
    either = Activity.objects.filter(organisation=alfa) | Activity.objects.filter(kind="service")
    assert NEW in _new_rows(either)
    # Through the organisation (its key is not the activity's): every new activity counts.
    assert NEW in _new_rows(Organisation.objects.filter(activities__name="Bygglov"))
    assert NEW in _new_rows(Organisation.objects.filter(
        Exists(Activity.objects.filter(organisation=OuterRef("pk")))))


def _log_in(user: User) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_a_new_activity_rebuilds_its_organisations_page_and_the_search_only(
        alice: User, activity: Activity, beta_activity: Activity, hits: PageCacheHits) -> None:
    client = _log_in(alice)
    alfa_page = activity.organisation.get_absolute_url()
    beta_page = beta_activity.organisation.get_absolute_url()
    detail = reverse("landscape:activity", args=[activity.pk])
    search = reverse("landscape:activities") + "?q=Nyss"
    for url in (alfa_page, beta_page, detail, search):
        assert "Nyss importerad verksamhet" not in client.get(url).content.decode()
    Activity.objects.bulk_create([Activity(organisation=activity.organisation, key="ny",
                                           name="Nyss importerad verksamhet")])
    hits.clear()
    assert "Hemtjänst" in client.get(beta_page).content.decode()
    assert hits()
    client.get(detail)
    assert hits()
    assert "Nyss importerad verksamhet" in client.get(alfa_page).content.decode()
    assert not hits()
    assert "Nyss importerad verksamhet" in client.get(search).content.decode()
    assert not hits()


def test_a_page_that_reads_activities_through_links_waits_for_a_new_link(
        alice: User, activity: Activity, linked_initiative: Initiative,
        hits: PageCacheHits) -> None:
    initiative = linked_initiative
    client = _log_in(alice)
    url = initiative.get_absolute_url()
    client.get(url)
    new = Activity.objects.create(organisation=activity.organisation, key="ny",
                                  name="Nyss importerad verksamhet")
    hits.clear()
    assert "Nyss importerad verksamhet" not in client.get(url).content.decode()
    assert hits()
    initiative.activities.add(new)
    assert "Nyss importerad verksamhet" in client.get(url).content.decode()
    assert not hits()
