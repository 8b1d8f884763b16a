"""``mellanrum journey`` and ``mellanrum find``: journey analysis and the finder on the database.

Both set up Django (they need the organisations and activities) and load the shipped
life-event catalogue when the database has none.
"""

from __future__ import annotations

import json
from typing import Any

import click

from mellanrum.lib.cli import OneLineErrors

MAX_QUERY_LENGTH = 500


def _prepare() -> None:
    from mellanrum.cli import setup_django

    setup_django()
    from django.db.utils import DatabaseError

    from mellanrum.journeys.actions import ensure_catalogue

    try:
        ensure_catalogue()
    except DatabaseError:
        raise click.ClickException(
            "the database is not set up: run `mellanrum init` first"
        ) from None


def _municipality(code: str, option: str) -> Any:
    from mellanrum.journeys.analysis import lookup_municipality
    from mellanrum.landscape.models import Organisation

    lookup = lookup_municipality(code)
    found = lookup.organisation if not lookup.corrected else None
    if found is None:
        hint = "" if Organisation.objects.exists() else " (run `mellanrum init` to load them)"
        raise click.ClickException(
            f"{option}: unknown municipality code {code.strip()[:20]!r}; use the four-digit "
            f"SCB code, e.g. 0182 for Nacka{hint}"
        )
    return found


def _fmt_days(value: float | None) -> str:
    return "–" if value is None else f"{value:g}"


def _journey_table(result: dict[str, Any]) -> str:
    a = result["analysis"]
    lines = [f"{result['life_event']['label']} – {result['place']['municipality']['name']}"
             + (f" → {result['place']['to']['name']}" if result["place"]["to"] else "")]
    for s in result["steps"]:
        who = s["organisation"]["name"] if s["organisation"] else "?"
        what = s["activity"]["name"] if s["activity"] else ("LUCKA" if s["gap"] else "–")
        waits = f" (väntar på {', '.join(map(str, s['waits_for']))})" if s["waits_for"] else ""
        lines.append(f"{s['number']:>2}. {s['need']}{waits} | {who} | {what} | "
                     f"{_fmt_days(s['lead_time_days'])} d | dag {_fmt_days(s['start_day'])}–"
                     f"{_fmt_days(s['end_day'])}")
    lines.append(
        f"Organisationer: {a['organisation_count']}, överlämningar: {a['handoff_count']}, "
        f"gränser: kommun {a['borders']['municipal']}, region {a['borders']['regional']}, "
        f"stat {a['borders']['state']}, väntetid (kritisk linje): "
        f"{_fmt_days(a['critical_path_days'])} d, handläggningstid totalt: "
        f"{_fmt_days(a['total_lead_time_days'])} d, luckor: {a['gap_count']}"
    )
    for r in a["repeated_information"]:
        lines.append(f"  {r['item']}: {r['times']} gånger ({', '.join(r['asked_by'])})")
    for f in a["fetchable_information"]:
        lines.append(f"  kunde hämtas: {f['item']} i steg {', '.join(map(str, f['steps']))} "
                     f"({f['holder']})")
    return "\n".join(lines)


def _find_table(result: dict[str, Any]) -> str:
    lines = ["Livshändelser:"]
    lines += [f"  {e['score']:.2f}  {e['label']} ({e['id']})" for e in result["life_events"]]
    lines.append("Tjänster:")
    lines += [f"  {s['score']:.2f}  {s['name']} – {s['organisation']}"
              + (f" (ha redo: {', '.join(s['prepare'])})" if s["prepare"] else "")
              for s in result["services"]]
    return "\n".join(lines)


FORMAT = click.Choice(["json", "table"])


@click.command(cls=OneLineErrors)
@click.argument("life_event")
@click.option("--municipality", required=True,
              help="SCB code (or exact name) of the home municipality.")
@click.option("--to", "to", default="",
              help="SCB code (or exact name) of the municipality moved to.")
@click.option("--format", "output_format", type=FORMAT, default="json", show_default=True)
def journey(life_event: str, municipality: str, to: str, output_format: str) -> None:
    """Resolve LIFE_EVENT (an id such as flytta-till-annan-kommun) in a municipality.

    Prints the steps with their organisations and activities, and the analysis: number of
    organisations, hand-offs, borders crossed (municipal, regional, state), information asked
    for more than once and by whom, total lead time and gaps. See docs/journeys.md.
    """
    _prepare()
    from mellanrum.journeys import analysis

    home = _municipality(municipality, "--municipality")
    moved_to = _municipality(to, "--to") if to.strip() else None
    try:
        result = analysis.journey_for_place(life_event, home, moved_to)
    except analysis.UnknownLifeEvent:
        events, _synonyms = analysis.engine_catalogue()
        raise click.ClickException(
            f"unknown life event {life_event[:80]!r}; known ids: "
            + ", ".join(e.id for e in events)
        ) from None
    if output_format == "json":
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        click.echo(_journey_table(result))


@click.command(cls=OneLineErrors)
@click.argument("text")
@click.option("--municipality", default="",
              help="SCB code (or exact name) of the municipality lived in.")
@click.option("--format", "output_format", type=FORMAT, default="json", show_default=True)
def find(text: str, municipality: str, output_format: str) -> None:
    """Find life events and services for TEXT, a need in everyday Swedish.

    For example: mellanrum find "mamma klarar sig inte hemma längre" --municipality 0182.
    Prints {"life_events": [...], "services": [...]}, best first.
    """
    from django.utils.html import strip_tags

    if len(text) > MAX_QUERY_LENGTH:
        raise click.ClickException(f"TEXT is longer than {MAX_QUERY_LENGTH} characters")
    _prepare()
    query = " ".join(strip_tags(text).split())
    if not query:
        raise click.ClickException("TEXT is empty: describe the need in a few words")
    from mellanrum.journeys import analysis

    home = _municipality(municipality, "--municipality") if municipality.strip() else None
    result = analysis.find_for_place(query, home)
    if output_format == "json":
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        click.echo(_find_table(result))


@click.group()
def places() -> None:
    """Postcodes and localities the finder resolves to municipalities."""


@places.command("import", cls=OneLineErrors)
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--replace", is_flag=True, help="Remove the places loaded before.")
def places_import(file: str, replace: bool) -> None:
    """Load postcodes and localities from a CSV FILE, all or nothing.

    Columns (header row, comma or semicolon): place (a postcode such as 131 40, or a
    locality), municipality_code (four-digit SCB code). A place listed with several
    municipalities spans them; the finder then asks which one. Every bad row is reported
    and nothing is changed.
    """
    _prepare()
    from mellanrum.journeys.actions import do_import_places

    try:
        with open(file, encoding="utf-8-sig") as handle:
            text = handle.read(50_000_000)
    except UnicodeDecodeError:
        raise click.ClickException(f"{file}: not UTF-8 text") from None
    result = do_import_places(text, source=file.rsplit("/", 1)[-1], replace=replace)
    if result.errors:
        for error in result.errors[:100]:
            click.echo(error, err=True)
        if len(result.errors) > 100:
            click.echo(f"... and {len(result.errors) - 100} more", err=True)
        raise click.ClickException(
            f"{len(result.errors)} bad row(s); nothing was imported")
    click.echo(f"Imported {result.added} places ({result.unchanged} already loaded).")
