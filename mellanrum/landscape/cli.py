"""``mellanrum arrangements``: how organisations do their activities today (samverkansläge)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, NoReturn

import click

__all__ = ["arrangements"]


class ArrangementImportFailed(click.ClickException):
    """Shown in the run's language without click's English "Error:"."""

    def show(self, file: Any = None) -> None:  # noqa: D102 - click API
        click.echo(self.message, err=True)


@click.group()
def arrangements() -> None:
    """How organisations do their activities today: on their own or with whom."""


@arrangements.command(name="import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--user", "username", default=None,
              help="Import as this user (checks that they may edit each row's organisation).")
@click.option("--dry-run", is_flag=True, help="Validate and show what would change; save nothing.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help='json prints {"new", "changed", "unchanged", "errors"}.')
@click.option("--illustrative", is_flag=True,
              help="Mark the arrangements as illustrative (demo data).")
@click.option("--language", type=click.Choice(["sv", "en"]), default="sv", show_default=True,
              help="Language of every message of the run.")
def import_arrangements(file: Path, username: str | None, dry_run: bool, fmt: str,
                        illustrative: bool, language: str) -> None:
    """Import arrangements from a CSV file, all or nothing.

    Columns (separated by ; or ,): Organisationskod; Verksamhet (the activity's key, or its
    name ignoring case, spaces and dashes); Form (egen, gemensam_namnd, kommunalforbund,
    avtalssamverkan, region, stat, bolag, upphandlad); Parter (organisation codes separated
    by |); Från and Till (YYYY-MM-DD); Länk. An activity's earlier arrangement is replaced.
    Any problem is reported by row and nothing is saved (exit status 1). Afterwards the
    collaboration opportunities are ranked again.
    """
    from mellanrum.cli import setup_django

    setup_django()
    from django.utils import translation

    with translation.override(language):
        _run(file, username, dry_run, fmt == "json", illustrative)


def _run(file: Path, username: str | None, dry_run: bool, as_json: bool,
         illustrative: bool) -> None:
    from django.utils.translation import gettext as _
    from django.utils.translation import ngettext

    from mellanrum.commonality.actions import do_rerank_opportunities
    from mellanrum.core.models import User
    from mellanrum.landscape import actions
    from mellanrum.landscape.arrangements import RowProblem, plan_arrangements

    def fail(problems: list[RowProblem], message: str) -> NoReturn:
        if as_json:
            click.echo(json.dumps({"new": 0, "changed": 0, "unchanged": 0,
                                   "errors": [p.as_dict() for p in problems]},
                                  ensure_ascii=False, indent=2))
            raise SystemExit(1)
        for p in problems:
            if p.row is not None:
                click.echo(_("%(file)s: row %(row)s, column %(column)s: %(reason)s (%(value)s)")
                           % {"file": file.name, "row": p.row, "column": p.column,
                              "reason": p.reason, "value": p.value}, err=True)
        raise ArrangementImportFailed(_("Error: %(message)s") % {"message": message})

    user = None
    if username is not None:
        user = User.objects.filter(username=username).first()
        if user is None:
            message = _("no user called '%(name)s'") % {"name": username}
            fail([RowProblem(None, "", "", message)], message)
    try:
        data = file.read_bytes()
    except OSError as exc:
        message = _("cannot read %(file)s: %(reason)s") % {"file": file, "reason": exc.strerror}
        fail([RowProblem(None, "", "", message)], message)
    plan = plan_arrangements(data, user=user)
    if plan.problems:
        whole = [p for p in plan.problems if p.row is None]
        if whole:
            fail(plan.problems, whole[0].reason + " " + _("Nothing was imported."))
        fail(plan.problems, ngettext("%(count)s problem in %(file)s; nothing was imported.",
                                     "%(count)s problems in %(file)s; nothing was imported.",
                                     len(plan.problems))
             % {"count": len(plan.problems), "file": file.name})
    summary = plan.summary()
    if not dry_run:
        actions.do_import_arrangements(plan, acting_user=user, illustrative=illustrative)
        do_rerank_opportunities(acting_user=user)
    if as_json:
        click.echo(json.dumps({**summary, "errors": []}, ensure_ascii=False, indent=2))
        return
    if dry_run:
        click.echo(_("Dry run, nothing was saved: %(new)s new, %(changed)s changed, "
                     "%(unchanged)s unchanged.") % summary)
    else:
        click.echo(_("Imported: %(new)s new, %(changed)s changed, %(unchanged)s unchanged.")
                   % summary)
