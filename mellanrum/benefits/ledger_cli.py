"""``mellanrum benefits``: an initiative's ledger (export and import) and each partner's
budget sheet. Django is set up only when a command runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

user_option = click.option("--user", "username", default=None,
                           help="Show only what this user may see (default: everything).")


def _setup() -> None:
    from mellanrum.cli import setup_django

    setup_django()


def _initiative(initiative_id: int, username: str | None) -> tuple[Any, Any]:
    from mellanrum.collaborations.cli import _initiative as found

    return found(initiative_id, username)


@click.group()
def benefits() -> None:
    """Benefits follow-up: ledgers and budget sheets of initiatives."""


@benefits.command()
@click.argument("initiative_id", type=click.IntRange(1, 2**63 - 1))
@user_option
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "json"]), default="csv",
              show_default=True)
@click.option("--output", "-O", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="File to write (default: standard output; required for xlsx).")
def ledger(initiative_id: int, username: str | None, fmt: str, output: Path | None) -> None:
    """Export an initiative's benefits ledger (rows, NPV and net gain per partner).

    CSV holds the rows in the import format; JSON also the NPV summary; XLSX both, with the
    totals per partner and year.
    """
    _setup()
    from . import ledger_files as files
    from .ledger import ledger_view

    initiative, _user = _initiative(initiative_id, username)
    view = ledger_view(initiative)
    if fmt == "xlsx":
        if output is None:
            raise click.UsageError("--output is required for xlsx.")
        output.write_bytes(files.to_xlsx(initiative, view))
    else:
        text = files.to_csv(view) if fmt == "csv" else json.dumps(
            files.to_json(initiative, view), ensure_ascii=False, indent=2)
        if output is None:
            click.echo(text, nl=fmt == "json")
            return
        output.write_text(text, encoding="utf-8")
    click.echo(f"Wrote {len(view.rows)} ledger rows to {output}", err=True)


@benefits.command(name="ledger-import")
@click.argument("initiative_id", type=click.IntRange(1, 2**63 - 1))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--user", "username", required=True,
              help="The user the rows are written as; only partners this user edits.")
@click.option("--dry-run", is_flag=True, help="Check the file and write nothing.")
def ledger_import(initiative_id: int, file: Path, username: str, dry_run: bool) -> None:
    """Add ledger rows from a CSV file, all or nothing.

    Columns: organisation (code), year, kind (investment, running, money, hours,
    qualitative), planned, realised, description. Every row is checked first; if any is
    refused, each refusal is listed with its line number and nothing is written.
    """
    _setup()
    from django.db import transaction

    from . import actions
    from . import ledger_files as files
    from .access import ledger_organisations

    initiative, user = _initiative(initiative_id, username)
    try:
        rows = files.parse_csv(file.read_bytes())
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    allowed = list(ledger_organisations(user, initiative))
    if not allowed:
        raise click.ClickException(f"{username[:50]} may not write ledger rows for any "
                                   "partner of this initiative.")
    try:
        with transaction.atomic():
            created = actions.do_import_ledger(initiative, rows, acting_user=user,
                                               allowed=allowed)
            if dry_run:
                transaction.set_rollback(True)
    except actions.LedgerImportError as exc:
        for line, message in exc.errors:
            click.echo(f"line {line}: {message}", err=True)
        raise click.ClickException(
            f"{len(exc.errors)} problems; nothing was imported.") from None
    verb = "Would import" if dry_run else "Imported"
    click.echo(f"{verb} {len(created)} ledger rows.", err=True)


@benefits.command(name="budget-sheet")
@click.argument("initiative_id", type=click.IntRange(1, 2**63 - 1))
@click.argument("organisation")
@user_option
@click.option("--format", "fmt", type=click.Choice(["json", "xlsx"]), default="json",
              show_default=True)
@click.option("--output", "-O", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="File to write (default: standard output; required for xlsx).")
def budget_sheet(initiative_id: int, organisation: str, username: str | None, fmt: str,
                 output: Path | None) -> None:
    """A paying partner's budget sheet for an initiative (ORGANISATION is its code).

    Per year the operating costs, investments, savings and net, the payback year, the planned
    NPV and the goals the initiative serves. A file name ending in .xlsx writes XLSX.
    """
    _setup()
    from . import budget, budget_files

    initiative, _user = _initiative(initiative_id, username)
    found = next((o for o in budget.sheet_organisations(initiative)
                  if o.code == organisation), None)
    if found is None:
        raise click.ClickException(
            f"{organisation[:40]} is not a paying partner of initiative {initiative_id}.")
    sheet = budget.budget_sheet(initiative, found)
    if output is not None and output.suffix.lower() == ".xlsx":
        fmt = "xlsx"
    if fmt == "xlsx":
        if output is None:
            raise click.UsageError("--output is required for xlsx.")
        output.write_bytes(budget_files.to_xlsx(sheet))
        click.echo(f"Wrote the budget sheet of {found.name} to {output}", err=True)
        return
    text = json.dumps(budget.sheet_as_json(sheet), ensure_ascii=False, indent=2)
    if output is None:
        click.echo(text)
    else:
        output.write_text(text, encoding="utf-8")
