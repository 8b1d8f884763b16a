"""``mellanrum health``: survey rounds, invitation links and aggregated results."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Any

import click


def _setup() -> None:
    from mellanrum.cli import setup_django

    setup_django()


def _user(username: str | None) -> Any:
    """The acting user; without ``--user`` the command runs as the operator, unchecked."""
    if username is None:
        return None
    from mellanrum.core.models import User

    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise click.ClickException(f"--user: no active user named {username[:50]!r}")
    return user


def _gate(call: Any) -> Any:
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.http import Http404

    try:
        return call()
    except Http404:
        raise click.ClickException("not found (or not visible to --user)") from None
    except PermissionDenied:
        raise click.ClickException("--user may not do this") from None
    except ValidationError as exc:
        raise click.ClickException(" ".join(exc.messages)) from None


def _initiative(user: Any, pk: int, *, write: bool = False) -> Any:
    from mellanrum.collaborations.models import Initiative

    from .access import access_health

    if user is None:
        found = Initiative.objects.filter(pk=pk).first() if 0 < pk < 2**63 else None
        if found is None:
            raise click.ClickException(f"no initiative with id {pk}")
        return found
    return _gate(lambda: access_health(user, pk, write=write))


def _round(user: Any, pk: int, *, write: bool = False) -> Any:
    from .access import access_round
    from .models import Round

    if user is None:
        found = Round.objects.select_related("initiative").filter(pk=pk).first() if (
            0 < pk < 2**63) else None
        if found is None:
            raise click.ClickException(f"no survey round with id {pk}")
        return found
    return _gate(lambda: access_round(user, pk, write=write))


user_option = click.option("--user", "username", default=None,
                           help="Act as this user, with their permissions (default: operator, "
                           "unchecked).")


@click.group()
def health() -> None:
    """Collaboration health surveys: rounds, invitation links and results."""


@health.command(name="rounds")
@click.argument("initiative_id", type=int)
@user_option
def rounds_(initiative_id: int, username: str | None) -> None:
    """List the survey rounds of an initiative.

    The number of responses is shown once a round has closed and only when it is at least
    three ("-" otherwise), as on the results page.
    """
    _setup()
    from .analysis import released_total
    from .models import Round

    initiative = _initiative(_user(username), initiative_id)
    for r in Round.objects.filter(initiative=initiative).order_by("opened_at", "pk"):
        state = "open" if r.is_open else f"closed {r.closed_at:%Y-%m-%d}"
        count = released_total(r, r.responses.count())
        shown = "-" if count is None else str(count)
        click.echo(f"{r.pk}\t{r.opened_at:%Y-%m-%d}\t{state}\t{shown}\t{r.title}")


@health.command(name="open")
@click.argument("initiative_id", type=int)
@click.option("--title", required=True, help="The round's title, e.g. \"Våren 2026\".")
@click.option("--days", type=click.IntRange(1, 365), default=30, show_default=True,
              help="Days an invitation link is valid.")
@user_option
def open_(initiative_id: int, title: str, days: int, username: str | None) -> None:
    """Open a survey round for an initiative (one open round at a time)."""
    _setup()
    from .actions import do_open_round

    user = _user(username)
    initiative = _initiative(user, initiative_id, write=True)
    round_ = _gate(lambda: do_open_round(initiative, acting_user=user, title=title,
                                         invitation_days=days))
    click.echo(round_.pk)


@health.command()
@click.argument("round_id", type=int)
@user_option
def close(round_id: int, username: str | None) -> None:
    """Close a survey round; its links stop working."""
    _setup()
    from .actions import do_close_round

    user = _user(username)
    round_ = _round(user, round_id, write=True)
    _gate(lambda: do_close_round(round_, acting_user=user))
    click.echo(f"Closed round {round_.pk}", err=True)


@health.command()
@click.argument("round_id", type=int)
@click.option("--partner", required=True, help="Code of the partner organisation.")
@click.option("--count", type=int, default=None, help="Number of numbered links.")
@click.option("--emails", default="", help="E-mail addresses (comma-separated), one link each.")
@click.option("--output", "-O", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="CSV file to write (default: standard output).")
@user_option
def links(round_id: int, partner: str, count: int | None, emails: str, output: Path | None,
          username: str | None) -> None:
    """Create personal invitation links and write them as CSV. The links are shown only now."""
    _setup()
    from mellanrum.landscape.models import Organisation

    from .actions import do_create_invitations, parse_emails, survey_url

    user = _user(username)
    round_ = _round(user, round_id, write=True)
    organisation = Organisation.objects.filter(code=partner).first()
    issued = _gate(lambda: do_create_invitations(
        round_, acting_user=user, organisation=organisation, count=count,
        emails=parse_emails(emails) if emails else ()))
    handle = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
    try:
        writer = csv.writer(handle)
        writer.writerow(["organisation", "recipient", "link", "valid_until"])
        for link in issued:
            writer.writerow([link.organisation.code, link.label,
                             survey_url(link.token),
                             link.expires_at.date().isoformat()])
    finally:
        if output:
            handle.close()
    click.echo(f"Created {len(issued)} links", err=True)


@health.command()
@click.argument("round_id", type=int)
@click.option("--format", "fmt", type=click.Choice(["json", "xlsx"]), default="json",
              show_default=True)
@click.option("--output", "-O", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="File to write (required for xlsx; JSON defaults to stdout).")
@user_option
def results(round_id: int, fmt: str, output: Path | None, username: str | None) -> None:
    """Aggregated results of a round (never individual answers)."""
    _setup()
    from . import analysis

    round_ = _round(_user(username), round_id)
    report = analysis.build_report(round_)
    if fmt == "xlsx":
        if output is None:
            raise click.UsageError("--output is required for xlsx")
        output.write_bytes(analysis.to_xlsx(report))
        click.echo(f"Wrote {output}", err=True)
        return
    text = json.dumps(analysis.as_dict(report), ensure_ascii=False, indent=2, default=str)
    if output:
        output.write_text(text + "\n", encoding="utf-8")
    else:
        click.echo(text)
