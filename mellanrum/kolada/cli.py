"""``mellanrum kolada``: fetch key figures from Kolada, list them, search the catalogue."""

from __future__ import annotations

import json
import sys
from typing import Any

import click


def _setup() -> None:
    """Django, and the database created or upgraded if needed (as `mellanrum init` does), so
    that a first sync on a new installation works."""
    from mellanrum.cli import migrate, setup_django

    setup_django()
    migrate()


def _fail_on_invalid(call: Any) -> Any:
    from django.core.exceptions import ValidationError
    from django.utils import translation

    from .client import KoladaError

    with translation.override("en"):
        try:
            return call()
        except ValidationError as exc:
            raise click.ClickException(" ".join(exc.messages)) from None
        except KoladaError as exc:
            raise click.ClickException(f"Kolada sync failed, nothing was stored: {exc}") from None


@click.group()
def kolada() -> None:
    """Key figures from Kolada (Källa: Kolada): sync values, list them, search the catalogue."""


@kolada.command()
@click.option("--kpi", "kpis", multiple=True, required=True, metavar="ID",
              help="Kolada KPI id, e.g. N01951. Repeat for more.")
@click.option("--year", "years", multiple=True, required=True, type=int, metavar="YEAR",
              help="Year to fetch. Repeat for more.")
@click.option("--municipality", "municipalities", multiple=True, metavar="CODE",
              help="Only this municipality (0180) or region (Kolada id 0001). Repeat for more; "
              "default all municipalities and regions.")
def sync(kpis: tuple[str, ...], years: tuple[int, ...], municipalities: tuple[str, ...]) -> None:
    """Fetch values from Kolada's API (KOLADA_API_URL) and store them.

    Follows paging, retries transient failures and honours Retry-After. All or nothing: a run
    that fails stores nothing and exits non-zero. Running it again changes only the values
    Kolada has changed since.
    """
    _setup()
    from .actions import do_sync_kolada

    show = sys.stderr.isatty()

    def progress(pages: int, values: int) -> None:
        if show:
            click.echo(f"\rKolada: {pages} pages, {values} values read", nl=False, err=True)

    result = _fail_on_invalid(
        lambda: do_sync_kolada(list(kpis), list(years), list(municipalities), progress=progress)
    )
    if show:
        click.echo("", err=True)
    click.echo(
        f"Kolada sync done: {result.created} new, {result.updated} changed, "
        f"{result.unchanged} unchanged values ({', '.join(result.kpis)}; "
        f"{', '.join(str(y) for y in result.years)}). Källa: Kolada"
    )


@kolada.command()
@click.option("--kpi", "kpi", required=True, metavar="ID", help="Kolada KPI id.")
@click.option("--year", "years", multiple=True, type=int, metavar="YEAR",
              help="Only this year. Repeat for more; default all stored years.")
@click.option("--municipality", "municipalities", multiple=True, metavar="CODE",
              help="Only this municipality or region code. Repeat for more.")
@click.option("--format", "fmt", type=click.Choice(["json", "csv", "table"]), default="table",
              show_default=True)
def values(kpi: str, years: tuple[int, ...], municipalities: tuple[str, ...], fmt: str) -> None:
    """Print the stored values of a KPI, as Kolada gave them (gender T, K or M; null where
    Kolada has no value)."""
    _setup()
    from .actions import check_kpi
    from .models import KoladaValue

    kpi_id = _fail_on_invalid(lambda: check_kpi(kpi))
    rows = KoladaValue.objects.filter(kpi_id=kpi_id).order_by(
        "year", "municipality_code", "gender"
    )
    if years:
        rows = rows.filter(year__in=years)
    if municipalities:
        rows = rows.filter(municipality_code__in=municipalities)
    records = [
        {"municipality": r.municipality_code, "year": r.year, "gender": r.gender,
         "value": r.value}
        for r in rows
    ]
    if fmt == "json":
        click.echo(json.dumps(records, ensure_ascii=False))
        return
    if fmt == "csv":
        import csv

        writer = csv.DictWriter(sys.stdout, fieldnames=["municipality", "year", "gender", "value"])
        writer.writeheader()
        writer.writerows({**r, "value": "" if r["value"] is None else r["value"]}
                         for r in records)
        return
    for r in records:
        shown = "–" if r["value"] is None else f"{r['value']:g}"
        click.echo(f"{r['municipality']}  {r['year']}  {r['gender']}  {shown}")
    click.echo(f"{len(records)} values of {kpi_id}. Källa: Kolada")


@kolada.command()
@click.option("--search", "text", required=True, metavar="TEXT",
              help="Words that must all occur in the id, title or description.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--format", "fmt", type=click.Choice(["json", "table"]), default="table",
              show_default=True)
def kpis(text: str, limit: int, fmt: str) -> None:
    """Search Kolada's KPI catalogue shipped with Mellanrum (no network)."""
    from .catalogue import search

    found = search(text, limit=limit)
    if fmt == "json":
        click.echo(json.dumps(
            [{"id": k.id, "title": k.title, "municipality_type": k.municipality_type,
              "operating_area": k.operating_area} for k in found],
            ensure_ascii=False,
        ))
        return
    for kpi in found:
        click.echo(f"{kpi.id}  {kpi.title}")
    if not found:
        click.echo(f"No KPI matches {text!r}.", err=True)
