"""``mellanrum initiatives``: list collaboration initiatives and export the portfolio."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click


def _setup() -> None:
    from mellanrum.cli import setup_django

    setup_django()


def _rows(username: str | None, phase: str, partner: str) -> tuple[list[Any], Any]:
    from mellanrum.core.models import User

    from .access import visible_initiatives
    from .models import Initiative
    from .portfolio import filter_initiatives, parse_weights, ranked

    if username is None:
        queryset = Initiative.objects.all()
    else:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise click.ClickException(f"--user: no active user named {username[:50]!r}")
        queryset = visible_initiatives(user)
    weights = parse_weights({})
    params = {"phase": phase, "partner": partner}
    return ranked(filter_initiatives(queryset, params), weights.values), weights


user_option = click.option("--user", "username", default=None,
                           help="Show only what this user may see (default: everything).")
phase_option = click.option(
    "--phase", default="",
    type=click.Choice(["", "idea", "prestudy", "implementation", "management", "closed"]),
    help="Only initiatives in this phase.",
)
partner_option = click.option("--partner", default="", help="Only with this partner (code).")


@click.group()
def initiatives() -> None:
    """Collaboration initiatives (samverkan) in the database."""


@initiatives.command(name="list")
@user_option
@phase_option
@partner_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def list_(username: str | None, phase: str, partner: str, fmt: str) -> None:
    """List initiatives, highest prioritisation score (default weights) first."""
    _setup()
    rows, _weights = _rows(username, phase, partner)
    if fmt == "json":
        click.echo(json.dumps([
            {"id": r.initiative.pk, "title": r.initiative.title, "phase": r.initiative.phase,
             "lead": r.lead, "partners": list(r.partners), "score": str(r.score),
             "conflicts": r.conflicts, "is_illustrative": r.initiative.is_illustrative}
            for r in rows
        ], ensure_ascii=False, indent=2))
        return
    for r in rows:
        click.echo(f"{r.initiative.pk}\t{r.score}\t{r.initiative.phase}\t{r.initiative.title}"
                   f"\t{r.lead}")
    if not rows:
        click.echo("No initiatives.", err=True)


@initiatives.command()
@user_option
@phase_option
@partner_option
@click.option("--format", "fmt", type=click.Choice(["xlsx"]), default="xlsx",
              show_default=True)
@click.option("--output", "-O", type=click.Path(dir_okay=False, path_type=Path),
              required=True, help="File to write.")
def export(username: str | None, phase: str, partner: str, fmt: str, output: Path) -> None:
    """Export the portfolio with scores as a spreadsheet."""
    _setup()
    from .portfolio import to_xlsx

    rows, weights = _rows(username, phase, partner)
    output.write_bytes(to_xlsx(rows, weights.values))
    click.echo(f"Wrote {len(rows)} initiatives to {output}", err=True)


def _initiative(initiative_id: int, username: str | None) -> tuple[Any, Any]:
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    from mellanrum.core.models import User

    from .access import access_initiative
    from .models import Initiative

    user = None
    if username is not None:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise click.ClickException(f"--user: no active user named {username[:50]!r}")
    try:
        if user is None:
            return Initiative.objects.get(pk=initiative_id), None
        return access_initiative(user, initiative_id), user
    except (Initiative.DoesNotExist, Http404, PermissionDenied):
        raise click.ClickException(f"No initiative {initiative_id} that you may see.") from None


def _add_ledger_commands() -> None:
    # The ledger commands are the benefits app's (`mellanrum benefits ...`); the names they had
    # here keep working.
    from mellanrum.benefits.ledger_cli import ledger, ledger_import

    initiatives.add_command(ledger)
    initiatives.add_command(ledger_import)


_add_ledger_commands()
@initiatives.command()
@click.argument("initiative_id", type=click.IntRange(1, 2**63 - 1))
@user_option
@click.option("--output", "-O", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The .docx file to write.")
def agreement(initiative_id: int, username: str | None, output: Path) -> None:
    """Write a draft samverkansavtal (Word) built from the initiative.

    Parties, purpose, the goal picture with indicators, the approved shared principles, the
    cost-sharing key and each partner's share, governance, term, and placeholders for the exit
    and dispute clauses; marked as a draft for legal review.
    """
    _setup()
    from .agreement import build_docx

    initiative, _user = _initiative(initiative_id, username)
    try:
        output.write_bytes(build_docx(initiative))
    except OSError as exc:
        raise click.ClickException(f"Cannot write {output}: {exc.strerror}") from None
    click.echo(f"Wrote the draft agreement for {initiative.title!r} to {output}", err=True)
