"""The ``mellanrum`` command line.

Only commands that touch the database set up Django, so engine commands start fast and need no
configured project.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

DEMO_USERS = [
    # (username, password, organisation code, role, superuser)
    ("demo", "mellanrum-demo", "0182", "editor", False),
    # Storsthlm's process leader, who runs an initiative as facilitator (consent_demo.py).
    ("storsthlm", "mellanrum-storsthlm", "STORSTHLM", "editor", False),
    ("admin", "mellanrum-admin", "", "editor", True),
]


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mellanrum.settings")
    import django

    django.setup()


def migrate(verbosity: int = 0) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="mellanrum")
def main() -> None:
    """Mellanrum: see what every municipality, region and partner does, and work together."""


@main.command()
def init() -> None:
    """Create or upgrade the database and load the reference data.

    Loads all 290 municipalities and 21 regions (SCB codes, county, population 2024, SKR group,
    tax rates 2025), the national agencies, associations of municipalities and the KLASSA
    activity categories. Safe to run again; it refreshes the reference data. After an
    upgrade it also brings the life-event catalogue up to the shipped one, leaving alone the
    life events and synonym sets a person has edited.
    """
    setup_django()
    from mellanrum.journeys.actions import do_load_catalogue
    from mellanrum.journeys.models import LifeEvent
    from mellanrum.landscape.actions import do_load_reference_data

    migrate()
    counts = do_load_reference_data()
    click.echo(
        "Reference data loaded: "
        + ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in counts.items())
    )
    if LifeEvent.objects.exists():  # an empty catalogue is loaded whole on first use
        loaded = do_load_catalogue(refresh=True)
        click.echo(f"Life-event catalogue: {loaded['life_events_updated']} brought up to the "
                   f"shipped text, {loaded['life_events_created']} added")


@main.command()
@click.option("--serve/--no-serve", default=False, help="Start the web app afterwards.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
def demo(serve: bool, host: str, port: int) -> None:
    """Create the demo scenario: Stockholm County's 26 municipalities with illustrative activities.

    Runs `init` first, then loads the life-event catalogue, runs the commonality analysis and
    creates four illustrative collaboration initiatives (one run by Storsthlm as
    facilitator). The catalogues are generated
    deterministically and labelled illustrative everywhere. Creates the demo logins printed at
    the end.
    """
    setup_django()
    from mellanrum.demo import do_load_full_demo

    migrate()
    summary = do_load_full_demo(users=DEMO_USERS)
    click.echo(
        f"Demo scenario ready: {summary['activities']} activities described by "
        f"{summary['organisations']} organisations (counted as on the start page; the "
        f"{summary['illustrative_activities']} of Stockholm County's municipalities, Region "
        f"Stockholm and Storsthlm are illustrative, the others are national agencies' services "
        f"from the life-event catalogue), {summary['shared_concepts']} shared "
        f"concepts and {summary['initiatives']} collaboration initiatives."
    )
    from mellanrum.kolada.demo import SYNC_HINT

    click.echo(
        f"Key figures: {summary['kpi_values']} real values from the shipped SCB and Skatteverket "
        f"files (not from Kolada). To fetch Kolada's figures (needs the network):\n  {SYNC_HINT}"
    )
    _print_logins()
    if serve:
        _serve(host, port)


def _print_logins() -> None:
    from mellanrum.landscape.models import Organisation

    names = dict(Organisation.objects.filter(code__in=[u[2] for u in DEMO_USERS if u[2]])
                 .values_list("code", "name"))
    for username, password, code, role, superuser in DEMO_USERS:
        if superuser:
            who = "superuser: sees and manages everything"
        else:
            who = f"{role} for {names.get(code, 'organisation')}, {code}"
        click.echo(f"  Log in as {username} / {password} ({who})")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 256),
              help="Request threads per app process.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="App processes sharing the port (more than 1: Linux and macOS only).")
def serve(host: str, port: int, threads: int, workers: int) -> None:
    """Serve the web app with a production WSGI server.

    One process (the default) runs Waitress, on any operating system. Python runs one thread
    at a time per process, so to use several cores give --workers (about one per core):
    Gunicorn then runs that many app processes on the same port and restarts any that dies.
    """
    setup_django()
    migrate()
    if workers == 1:
        _serve(host, port, threads)
    else:
        _serve_workers(host, port, threads, workers)


def _serve(host: str, port: int, threads: int = 8) -> None:
    from django.conf import settings
    from waitress import serve as waitress_serve

    from mellanrum.lib.charts import start_helpers
    from mellanrum.lib.memory import limit_malloc_arenas, start_trimming
    from mellanrum.wsgi import application

    limit_malloc_arenas()  # before the request threads start (see the module)
    start_trimming(settings.MALLOC_TRIM_SECONDS)
    start_helpers()
    click.echo(f"Mellanrum is running on http://{host}:{port}/ (Ctrl+C stops it)")
    waitress_serve(application, host=host, port=port, threads=threads, ident="Mellanrum")


def _serve_workers(host: str, port: int, threads: int, workers: int) -> None:
    if os.name != "posix":
        raise click.ClickException(
            "Several workers need Linux or macOS. On Windows, run one `mellanrum serve` per "
            "port behind the proxy (see docs/deployment.md)."
        )
    from django.conf import settings
    from django.db import connections
    from gunicorn.app.base import BaseApplication

    from mellanrum.lib.charts import start_helpers
    from mellanrum.lib.memory import limit_malloc_arenas, start_trimming
    from mellanrum.wsgi import application

    limit_malloc_arenas()  # the workers forked from this process inherit it

    def post_worker_init(_worker: Any) -> None:
        start_trimming(settings.MALLOC_TRIM_SECONDS)  # a thread of each worker's own
        start_helpers()  # each worker's own chart helper, started now rather than on demand

    class Server(BaseApplication):  # type: ignore[misc]  # gunicorn ships no type hints
        def load_config(self) -> None:
            options = {
                "bind": f"{host}:{port}",
                "workers": workers,
                "threads": threads,
                "worker_class": "gthread",
                "timeout": 120,  # imports and analyses run in the background, not in requests
                # Longer than clients and proxies keep an idle connection, so that the app never
                # closes one just as a new request is sent on it (a "connection reset").
                "keepalive": 75,
                "graceful_timeout": 30,
                "proc_name": "mellanrum",
                "post_worker_init": post_worker_init,
            }
            for name, value in options.items():
                self.cfg.set(name, value)

        def load(self) -> Any:
            return application

    # The workers are forked from this process: none may inherit its database connection.
    connections.close_all()
    click.echo(f"Mellanrum is running on http://{host}:{port}/ with {workers} processes × "
               f"{threads} threads (Ctrl+C stops it)")
    Server().run()


class ImportFailed(click.ClickException):
    """An import error, shown in the run's language without click's English "Error:"."""

    def show(self, file: Any = None) -> None:
        click.echo(self.message, err=True)


@main.command(name="import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--organisation", "-o", "code", required=True, help="Organisation code, e.g. 0182.")
@click.option("--user", "username", default=None, help="Import as this user (checks rights).")
@click.option("--dry-run", is_flag=True, help="Validate and show what would change; save nothing.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True,
              help='json prints {"new", "changed", "unchanged", "kept", "errors"}.')
@click.option("--map", "maps", multiple=True, metavar='"THEIR HEADER=FIELD"',
              help="Read a column of the file as a template field (Swedish or English header), "
              "or - to ignore it. Repeat for several columns.")
@click.option("--language", type=click.Choice(["sv", "en"]), default="sv", show_default=True,
              help="Language of every message of the run.")
def import_(file: Path, code: str, username: str | None, dry_run: bool, fmt: str,
            maps: tuple[str, ...], language: str) -> None:
    """Import activities for an organisation from a CSV or XLSX file, all or nothing.

    Rows are matched by key, or by name (ignoring case, spaces and dashes) when there is no
    key, so importing the same file again updates activities instead of duplicating them. A
    name that two activities share is reported, not guessed. Columns the template does not
    know must be mapped with --map (the organisation's mapping saved in the web import is used
    too); the exit status is 1 when anything is wrong, and then nothing is saved.
    """
    setup_django()
    from django.utils import translation

    with translation.override(language):
        _run_import(file, code, username, dry_run, fmt, maps, language)


def _run_import(file: Path, code: str, username: str | None, dry_run: bool, fmt: str,
                maps: tuple[str, ...], language: str) -> None:
    from django.core.exceptions import PermissionDenied
    from django.utils.translation import gettext as _
    from django.utils.translation import ngettext

    from mellanrum.core.models import User
    from mellanrum.landscape import actions, imports
    from mellanrum.landscape.access import require_write
    from mellanrum.landscape.spreadsheet import (
        IGNORE,
        MappingNeeded,
        SpreadsheetError,
        parse_map_option,
    )
    from mellanrum.landscape.spreadsheet.columns import header_for

    as_json = fmt == "json"

    def fail(errors: list[dict[str, Any]], message: str) -> NoReturn:
        if as_json:
            click.echo(json.dumps({"new": 0, "changed": 0, "unchanged": 0, "kept": 0,
                                   "errors": errors}, ensure_ascii=False, indent=2))
            raise SystemExit(1)
        for error in errors:
            if error["row"] is not None:
                click.echo(
                    _("%(file)s: row %(row)s, column %(column)s: %(reason)s")
                    % {"file": file.name, **error}, err=True,
                )
        raise ImportFailed(_("Error: %(message)s") % {"message": message})

    def file_error(message: str) -> NoReturn:
        fail([{"row": None, "column": "", "value": "", "reason": message}], message)

    organisation = _find_organisation(code)
    if organisation is None:
        file_error(_("no organisation with code '%(code)s' (run `mellanrum init` to load the "
                     "reference data; municipality codes have four digits, e.g. 0180)")
                   % {"code": code})
    user = None
    if username is not None:
        user = User.objects.filter(username=username).first()
        if user is None:
            file_error(_("no user called '%(name)s'") % {"name": username})
        try:
            require_write(user, organisation)
        except PermissionDenied:
            file_error(_("%(user)s may not change the activities of %(organisation)s")
                       % {"user": username, "organisation": organisation.name})
    try:
        data = file.read_bytes()
    except OSError as exc:
        file_error(_("cannot read %(file)s: %(reason)s") % {"file": file, "reason": exc.strerror})
    try:
        column_map = dict(parse_map_option(given, language) for given in maps)
        checked = imports.check_file(organisation, data, file.name, language,
                                     column_map=column_map)
    except MappingNeeded as needed:
        errors = []
        for column in needed.columns:
            if column.confirmed:
                continue
            if column.field:
                reason = _('The column is not recognised. Give --map "%(header)s=%(field)s" '
                           '(suggested), another field, or --map "%(header)s=%(ignore)s" to '
                           'ignore it.')
            else:
                reason = _('The column is not recognised. Give --map "%(header)s=%(ignore)s" to '
                           'ignore it, or --map "%(header)s=FIELD" with a template header.')
            field = header_for(column.field, language) if column.field else ""
            errors.append({
                "row": needed.header_row, "column": column.header, "value": column.header,
                "reason": reason % {"header": column.header, "field": field, "ignore": IGNORE},
            })
        fail(errors, _("%(file)s has columns that are not recognised; nothing was imported.")
             % {"file": file.name})
    except SpreadsheetError as exc:
        file_error(str(exc))
    if checked.errors:
        errors = [{"row": e.row, "column": e.column, "value": e.value, "reason": e.message}
                  for e in checked.errors]
        fail(errors, ngettext("%(count)s problem in %(file)s; nothing was imported.",
                              "%(count)s problems in %(file)s; nothing was imported.",
                              len(errors)) % {"count": len(errors), "file": file.name})
    plan = checked.plan
    if not dry_run:
        actions.do_apply_import(organisation, plan, acting_user=user)
    s = plan.as_summary()
    if as_json:
        click.echo(json.dumps({"new": s["new"], "changed": s["changed"],
                               "unchanged": s["unchanged"], "kept": s["untouched"],
                               "errors": []}, ensure_ascii=False, indent=2))
        return
    values = {**s, "organisation": organisation.name}
    if dry_run:
        click.echo(_("Dry run for %(organisation)s, nothing was saved: %(new)s new, %(changed)s "
                     "changed, %(unchanged)s unchanged, %(untouched)s kept (not in the file).")
                   % values)
    else:
        click.echo(_("Imported for %(organisation)s: %(new)s new, %(changed)s changed, "
                     "%(unchanged)s unchanged, %(untouched)s kept (not in the file).") % values)
    if s["matched_by_name"]:
        click.echo(ngettext("%(count)s row without a key was matched by name.",
                            "%(count)s rows without a key were matched by name.",
                            s["matched_by_name"]) % {"count": s["matched_by_name"]})


def _find_organisation(code: str) -> Any:
    from mellanrum.landscape.models import Organisation

    return Organisation.objects.filter(code=code).first()


def _organisation(code: str) -> Any:
    from mellanrum.landscape.models import Organisation

    organisation = Organisation.objects.filter(code=code).first()
    if organisation is None:
        raise click.ClickException(
            f"no organisation with code {code!r} (run `mellanrum init` to load the reference "
            "data; municipality codes have four digits, e.g. 0180)"
        )
    return organisation


@main.command()
@click.option("--organisation", "-o", "code", required=True, help="Organisation code.")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="xlsx",
              show_default=True)
@click.option("--output", "-O", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="File to write, or - for standard output.")
@click.option("--language", type=click.Choice(["sv", "en"]), default="sv", show_default=True)
def export(code: str, fmt: str, output: Path, language: str) -> None:
    """Export an organisation's activities as CSV or XLSX (re-importable)."""
    setup_django()
    from mellanrum.landscape.imports import export_rows
    from mellanrum.landscape.spreadsheet import activities_to_csv, activities_to_xlsx

    organisation = _organisation(code)
    rows = export_rows(organisation.activities.all())
    data = (activities_to_xlsx if fmt == "xlsx" else activities_to_csv)(rows, language=language)
    if str(output) == "-":
        sys.stdout.buffer.write(data)
        return
    output.write_bytes(data)
    click.echo(f"Wrote {len(rows)} activities to {output}")


@main.command()
@click.argument("username")
@click.option("--organisation", "-o", "code", default=None, help="Organisation code.")
@click.option("--role", type=click.Choice(["admin", "editor", "reader"]), default="reader",
              show_default=True)
@click.option("--email", default="")
@click.option("--superuser", is_flag=True, help="May do everything, in every organisation.")
@click.password_option(help="Password (prompted for when not given).")
def createuser(
    username: str, code: str | None, role: str, email: str, superuser: bool, password: str
) -> None:
    """Create a user who belongs to one organisation."""
    setup_django()
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    from mellanrum.core.actions import do_create_user

    if not code and not superuser:
        raise click.ClickException("give --organisation CODE (or --superuser)")
    organisation = _organisation(code) if code else None
    try:
        validate_password(password)
        user = do_create_user(
            username, password=password, organisation=organisation, role=role, email=email,
            superuser=superuser,
        )
    except ValidationError as exc:
        raise click.ClickException(" ".join(exc.messages)) from None
    click.echo(f"Created {user.username}" + (f" ({role} of {organisation})" if organisation
                                             else " (superuser)"))


def _add_app_commands() -> None:
    # Each app owns its commands; these import no Django until they run.
    from mellanrum.benefits.cli import share
    from mellanrum.benefits.ledger_cli import benefits
    from mellanrum.collaborations.cli import initiatives
    from mellanrum.commonality.cli import commonality, concepts, opportunities, starter_catalogue
    from mellanrum.community.cli import community
    from mellanrum.core.cli import apikey, backup, restore, worker
    from mellanrum.health.cli import health
    from mellanrum.journeys.cli import find, journey, places
    from mellanrum.kolada.cli import kolada
    from mellanrum.landscape.cli import arrangements

    for command in (share, commonality, journey, find, initiatives, backup, restore, worker):
        main.add_command(command)
    main.add_command(community)
    main.add_command(health)
    main.add_command(places)
    main.add_command(kolada)
    main.add_command(benefits)
    main.add_command(arrangements)
    main.add_command(opportunities)
    main.add_command(starter_catalogue)
    main.add_command(concepts)
    main.add_command(apikey)


_add_app_commands()

if __name__ == "__main__":
    main()
