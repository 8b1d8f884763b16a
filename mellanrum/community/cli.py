"""``mellanrum community``: events, attendee lists, networks and counterparts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click


def _setup() -> None:
    from mellanrum.cli import setup_django

    setup_django()


def _user(username: str | None) -> Any:
    """The user whose rights apply; None means the command runs with every right."""
    if username is None:
        return None
    from mellanrum.core.models import User

    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise click.ClickException(f"--user: no active user named {username[:50]!r}")
    return user


user_option = click.option("--user", "username", default=None,
                           help="Act as this user and show only what they may see "
                           "(default: everything).")
format_option = click.option("--format", "fmt", type=click.Choice(["text", "json"]),
                             default="text", show_default=True)


@click.group()
def community() -> None:
    """Networks of practice, events and counterparts in other organisations."""


@community.command()
@user_option
@click.option("--past", is_flag=True, help="List past events instead of coming ones.")
@format_option
def events(username: str | None, past: bool, fmt: str) -> None:
    """List coming (or past) events, soonest first."""
    _setup()
    from django.utils import timezone

    from .access import visible_events
    from .models import Event

    user = _user(username)
    queryset = Event.objects.select_related("organiser") if user is None else \
        visible_events(user)
    now = timezone.now()
    queryset = (queryset.filter(ends_at__lt=now).order_by("-starts_at") if past
                else queryset.filter(ends_at__gte=now))
    rows = list(queryset)
    if fmt == "json":
        click.echo(json.dumps([
            {"id": e.pk, "title": e.title, "starts_at": e.starts_at.isoformat(),
             "ends_at": e.ends_at.isoformat(), "place": e.place, "is_digital": e.is_digital,
             "organiser": e.organiser.code, "capacity": e.capacity,
             "registered": e.registered_count, "is_illustrative": e.is_illustrative}
            for e in rows
        ], ensure_ascii=False, indent=2))
        return
    for e in rows:
        start = timezone.localtime(e.starts_at).strftime("%Y-%m-%d %H:%M")
        places = f"{e.registered_count}/{e.capacity}" if e.capacity else str(e.registered_count)
        click.echo(f"{e.pk}\t{start}\t{places}\t{e.title}\t{e.organiser.code}")
    if not rows:
        click.echo("No events.", err=True)


@community.command()
@click.argument("event_id", type=click.IntRange(min=1))
@user_option
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default=None,
              help="File format (default: from the file name, else csv).")
@click.option("--output", "-O", type=click.Path(dir_okay=False, path_type=Path),
              required=True, help="File to write.")
def attendees(event_id: int, username: str | None, fmt: str | None, output: Path) -> None:
    """Export the attendee list of an event (as an organiser's editor with --user)."""
    _setup()
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    from . import export
    from .access import access_attendees
    from .models import Event
    from .views import attendee_rows

    user = _user(username)
    try:
        event = Event.objects.get(pk=event_id) if user is None else \
            access_attendees(user, event_id)
    except (Event.DoesNotExist, Http404, OverflowError):
        raise click.ClickException(f"no event with id {event_id}") from None
    except PermissionDenied:
        raise click.ClickException(
            f"{username} may not export the attendees of event {event_id}") from None
    fmt = fmt or ("xlsx" if output.suffix.lower() == ".xlsx" else "csv")
    header, rows = attendee_rows(event)
    data = (export.table_xlsx("Deltagare", header, rows) if fmt == "xlsx"
            else export.table_csv(header, rows))
    try:
        output.write_bytes(data)
    except OSError as exc:
        raise click.ClickException(f"cannot write {output}: {exc.strerror}") from None
    click.echo(f"Wrote {len(rows)} attendees to {output}", err=True)


@community.command()
@user_option
@format_option
def networks(username: str | None, fmt: str) -> None:
    """List networks of practice."""
    _setup()
    from .access import visible_networks
    from .models import Network

    user = _user(username)
    queryset = Network.objects.all() if user is None else visible_networks(user)
    rows = list(queryset.order_by("title", "pk").prefetch_related("members", "organisations"))
    if fmt == "json":
        click.echo(json.dumps([
            {"id": n.pk, "title": n.title, "visibility": n.visibility,
             "members": len(n.members.all()), "organisations": len(n.organisations.all()),
             "is_illustrative": n.is_illustrative}
            for n in rows
        ], ensure_ascii=False, indent=2))
        return
    for n in rows:
        click.echo(f"{n.pk}\t{n.visibility}\t{len(n.members.all())}\t{n.title}")
    if not rows:
        click.echo("No networks.", err=True)


@community.command()
@click.argument("activity_id", type=click.IntRange(min=1))
@click.option("--county", default="", help="Only organisations in this county (code).")
@click.option("--association", default="", help="Only members of this association (code).")
@format_option
def counterparts(activity_id: int, county: str, association: str, fmt: str) -> None:
    """List the counterparts of an activity: the same thing in other organisations."""
    _setup()
    from mellanrum.landscape.models import Activity

    from . import analysis
    from .models import Network

    try:
        activity = Activity.objects.select_related("organisation").get(pk=activity_id)
    except (Activity.DoesNotExist, OverflowError):
        raise click.ClickException(f"no activity with id {activity_id}") from None
    result = analysis.for_activity(activity, analysis.Filters(county[:2], association[:32]),
                                   Network.objects.all())
    if result.concept is None:
        raise click.ClickException(
            f"activity {activity_id} is not in the latest commonality analysis; "
            "run `mellanrum demo` or an analysis first")
    if fmt == "json":
        click.echo(json.dumps({
            "concept_id": result.concept.concept_id, "concept_label": result.concept.label,
            "counterparts": [
                {"organisation": r.organisation.code, "activity": r.activity.pk,
                 "activity_name": r.activity.name,
                 "contact": r.contact.name if r.contact else None,
                 "email": r.contact.email if r.contact else None,
                 "confidence": round(r.confidence, 4),
                 "similarity": None if r.similarity is None else round(r.similarity, 4)}
                for r in result.rows
            ],
        }, ensure_ascii=False, indent=2))
        return
    click.echo(f"Concept: {result.concept.label}", err=True)
    for r in result.rows:
        similarity = "-" if r.similarity is None else f"{r.similarity:.2f}"
        contact = f"{r.contact.name} <{r.contact.email}>" if r.contact else "-"
        click.echo(f"{r.organisation.code}\t{similarity}\t{r.confidence:.2f}\t"
                   f"{r.activity.name}\t{contact}")
    if not result.rows:
        click.echo("No counterparts.", err=True)
