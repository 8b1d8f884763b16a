"""``mellanrum commonality``: group activities from a CSV file into concepts (no Django);
``mellanrum starter-catalogue``: start an organisation's activities from the shared concepts
(sets up Django when it runs)."""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any, NoReturn

import click

from mellanrum.engines.commonality.activity import Activity
from mellanrum.engines.commonality.concept import Concept
from mellanrum.engines.commonality.executor import ClusterError, connect, executor_for
from mellanrum.engines.commonality.grouping import group_activities
from mellanrum.engines.commonality.opportunities import rank_opportunities
from mellanrum.engines.textmatch.normalise import normalise

__all__ = ["commonality", "starter_catalogue"]

REQUIRED = ("organisation", "activity_id", "name")
NUMBERS = ("annual_cost_sek", "volume", "lead_time_days", "population")


class InputError(click.ClickException):
    """A problem with the input file, reported on one line."""

    def show(self, file: Any = None) -> None:  # noqa: D102 - click API
        click.echo(f"Error: {self.message}", err=True)


def _decode(path: Path) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise InputError(
            f"{path.name}: line {line}: not valid UTF-8 (byte 0x{raw[error.start]:02x}); "
            "save the file as UTF-8"
        ) from None


def _number(value: str, column: str, line: int, name: str) -> float | None:
    text = value.strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        raise InputError(f"{name}: line {line}: {column} {value!r} is not a number") from None
    if number != number or number < 0:
        raise InputError(f"{name}: line {line}: {column} {value!r} must be zero or more")
    return number


def read_activities(path: Path) -> list[Activity]:
    """Read and validate the activities CSV; raise :class:`InputError` on the first problem."""
    text = _decode(path)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    if not header:
        raise InputError(f"{path.name}: line 1: no header row (expected {', '.join(REQUIRED)})")
    reader.fieldnames = header
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InputError(f"{path.name}: line 1: missing column(s): {', '.join(missing)}")
    activities: list[Activity] = []
    first_line: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        if None in row:
            raise InputError(f"{path.name}: line {line}: more cells than header columns")
        values = {k: (v or "").strip() for k, v in row.items()}
        if not any(values.values()):
            continue
        for column in REQUIRED:
            if not values.get(column):
                raise InputError(f"{path.name}: line {line}: empty {column}")
        if not normalise(values["name"]):
            raise InputError(f"{path.name}: line {line}: name {values['name']!r} has no words")
        activity_id = values["activity_id"]
        if activity_id in first_line:
            raise InputError(
                f"{path.name}: line {line}: duplicate activity_id {activity_id!r} "
                f"(first on line {first_line[activity_id]})"
            )
        first_line[activity_id] = line
        numbers = {c: _number(values.get(c, ""), c, line, path.name) for c in NUMBERS}
        systems = tuple(
            s.strip() for s in values.get("systems", "").replace(";", "|").split("|") if s.strip()
        )
        language = values.get("language") or None
        if language not in (None, "sv", "en"):
            raise InputError(f"{path.name}: line {line}: language {language!r} is not sv or en")
        population = numbers["population"]
        activities.append(
            Activity(
                id=activity_id,
                organisation=values["organisation"],
                name=values["name"],
                description=values.get("description") or None,
                kind=values.get("kind") or None,
                systems=systems,
                annual_cost_sek=numbers["annual_cost_sek"],
                volume=numbers["volume"],
                lead_time_days=numbers["lead_time_days"],
                population=int(population) if population else None,
                language=language,
            )
        )
    if not activities:
        raise InputError(f"{path.name}: no activity rows")
    return activities


def concept_json(concept: Concept) -> dict[str, Any]:
    """Return the JSON form of a concept (``members`` lists activity ids)."""
    return {
        "id": concept.id,
        "label": concept.label,
        "members": list(concept.activity_ids),
        "organisations": concept.organisations,
        "pinned": concept.pinned,
        "terms": list(concept.terms),
        "member_details": [asdict(m) for m in concept.members],
        "systems": dict(concept.systems),
        "cost_per_inhabitant": _dist(concept.cost_per_inhabitant),
        "cost_per_case": _dist(concept.cost_per_case),
        "lead_time_days": _dist(concept.lead_time_days),
        "total_cost_sek": concept.total_cost_sek,
        "total_volume": concept.total_volume,
    }


def _dist(value: Any) -> dict[str, Any] | None:
    return None if value is None else asdict(value)


def _write_atomically(path: Path, payload: dict[str, Any]) -> None:
    directory = path.resolve().parent
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(payload, handle, ensure_ascii=False, indent=1)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


@click.command(name="commonality")
@click.argument("input_csv", metavar="INPUT.csv", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--out", "out", required=True, type=click.Path(dir_okay=False), help="JSON file to write."
)
@click.option(
    "--language",
    type=click.Choice(["sv", "en"]),
    default="sv",
    show_default=True,
    help="Language of names without a language column.",
)
@click.option(
    "--dask-scheduler",
    envvar="MELLANRUM_DASK_SCHEDULER",
    default=None,
    help="Run the whole analysis on a Dask cluster, e.g. tcp://host:8786.",
)
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Local processes (default: CPU count); not with --dask-scheduler.")
def commonality(
    input_csv: str, out: str, language: str, dask_scheduler: str | None, workers: int | None
) -> None:
    """Group the activities in INPUT.csv into shared concepts and write OUT.json.

    INPUT.csv is UTF-8 with columns organisation, activity_id, name and
    optionally description, kind, systems (separated by | or ;),
    annual_cost_sek, volume, lead_time_days, population, language.
    """
    if dask_scheduler and workers is not None:
        # The cluster's own workers do the work; a silently ignored option misleads.
        raise click.UsageError(
            "--workers sets local processes and does nothing with a Dask scheduler "
            f"({dask_scheduler}); start more cluster workers with `dask worker` instead, or "
            "leave out --dask-scheduler (and MELLANRUM_DASK_SCHEDULER)."
        )
    activities = read_activities(Path(input_csv))
    if dask_scheduler:
        concepts = _group_on_cluster(dask_scheduler, activities, language)
    else:
        executor = executor_for(None, max_workers=workers)
        concepts = group_activities(activities, language=language, executor=executor)
    opportunities = rank_opportunities(concepts)
    payload: dict[str, Any] = {
        "concepts": [concept_json(c) for c in concepts],
        "opportunities": [asdict(o) for o in opportunities],
        "summary": {
            "activities": len(activities),
            "organisations": len({a.organisation for a in activities}),
            "concepts": len(concepts),
            "shared_concepts": sum(1 for c in concepts if c.organisations > 1),
        },
    }
    _write_atomically(Path(out), payload)
    click.echo(
        f"{len(activities)} activities → {len(concepts)} concepts "
        f"({payload['summary']['shared_concepts']} shared); wrote {out}",
        err=True,
    )


@click.command(name="opportunities")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True,
              help='json prints [{"rank", "concept", "score", "organisations", "status", '
                   '"why"}].')
@click.option("--limit", type=click.IntRange(1, 100_000), default=None,
              help="Only the first N opportunities.")
@click.option("--status", "statuses", multiple=True,
              type=click.Choice(["open", "partly_joint", "already_joint"]),
              help="Only these statuses (repeat for several).")
@click.option("--language", type=click.Choice(["sv", "en"]), default="sv", show_default=True,
              help="Language of the explanations.")
def opportunities(fmt: str, limit: int | None, statuses: tuple[str, ...],
                  language: str) -> None:
    """The ranked collaboration opportunities of the latest analysis.

    Each has a rank, the concept's name, a score (0–100), the number of organisations doing
    it, a status (open; partly_joint: some do it jointly, the explanation names who is
    outside; already_joint: everyone does it jointly, listed last) and why it ranks there.
    Whole school forms and care forms are not listed; their shareable parts are.
    """
    from mellanrum.cli import setup_django

    setup_django()
    from mellanrum.commonality import analysis
    from mellanrum.commonality.models import Opportunity

    run = analysis.current_run()
    if run is None:
        raise click.ClickException("no analysis has been run yet (run `mellanrum demo` or "
                                   "start one on the web)")
    queryset = Opportunity.objects.filter(concept__run=run).select_related("concept")
    if statuses:
        queryset = queryset.filter(status__in=statuses)
    rows = [
        {"rank": o.rank, "concept": o.concept.label, "score": o.score,
         "organisations": o.concept.organisations, "status": o.status,
         "why": o.explanation(language)}
        for o in (queryset[:limit] if limit else queryset)
    ]
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        click.echo(f"{row['rank']:>4}  {row['score']:6.1f}  {row['organisations']:>4}  "
                   f"{row['status']:<13}  {row['concept']}")
        click.echo(f"      {row['why']}")


@click.group(name="concepts")
def concepts() -> None:
    """The concepts of the latest analysis."""


@concepts.command(name="candidates")
@click.argument("concept_id", metavar="ID")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True,
              help='json prints [{"concept_id", "label", "score", "similarity", '
                   '"shared_terms", "organisations", "both", "why"}].')
@click.option("--language", type=click.Choice(["sv", "en"]), default="sv", show_default=True,
              help="Language of the reasons.")
def candidates(concept_id: str, fmt: str, language: str) -> None:
    """Concepts that may be the same as concept ID ("kanske samma som"), best first.

    Each has a score (0–1: name similarity, raised when the organisations doing the one rarely
    do the other), the words and synonyms the names share, how many organisations do it and
    how many do both, and the evidence in plain words. Merge one, or say it is not the same,
    on the concept's page or with POST /api/concepts/ID/decisions. Exits with status 1 when
    there is no such concept.
    """
    from mellanrum.cli import setup_django

    setup_django()
    from mellanrum.commonality import analysis
    from mellanrum.commonality.models import Concept

    run = analysis.current_run()
    concept = Concept.objects.filter(run=run, concept_id=concept_id).first() if run else None
    if concept is None:
        raise click.ClickException(f"no concept {concept_id!r} in the latest analysis")
    rows = [
        {"concept_id": c.other.concept_id, "label": c.other.label, "score": c.score,
         "similarity": c.similarity, "shared_terms": c.shared_terms,
         "organisations": c.other_organisations, "both": c.both, "why": c.reason(language)}
        for c in concept.candidates.select_related("other").order_by("position")
    ]
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("Inga kandidater." if language == "sv" else "No candidates.")
    for row in rows:
        click.echo(f"{row['score']:.2f}  {row['concept_id']}  {row['label']}")
        click.echo(f"      {row['why']}")


@click.command(name="starter-catalogue")
@click.option("--organisation", "-o", "code", required=True, help="Organisation code, e.g. 0182.")
@click.option("--concept", "concepts", multiple=True, metavar="ID",
              help="Add an activity for this concept (an id from the list). Repeat for several; "
              "without it the catalogue is listed.")
@click.option("--user", "username", default=None, help="Add as this user (checks rights).")
@click.option("--language", type=click.Choice(["sv", "en"]), default="sv", show_default=True,
              help="Language of the names of areas and of every message.")
def starter_catalogue(code: str, concepts: tuple[str, ...], username: str | None,
                      language: str) -> None:
    """List the starter catalogue of an organisation, or add activities from it.

    The catalogue is the shared concepts of the latest analysis, grouped by KLASSA area; an
    organisation starts by adding an activity for each concept it does, under the concept's
    most common name. All or nothing: a concept the organisation already has, or an unknown
    id, changes nothing and exits with status 1. Figures are added later in the web pages or
    by importing a spreadsheet.
    """
    from mellanrum.cli import setup_django

    setup_django()
    from django.utils import translation

    with translation.override(language):
        _starter_catalogue(code, concepts, username)


def _starter_catalogue(code: str, concepts: tuple[str, ...], username: str | None) -> None:
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.utils.translation import gettext as _
    from django.utils.translation import ngettext

    from mellanrum.commonality import analysis, starter, starting_actions
    from mellanrum.core.models import User
    from mellanrum.landscape.models import Organisation

    def fail(message: str) -> NoReturn:
        click.echo(_("Error: %(message)s") % {"message": message}, err=True)
        raise SystemExit(1)

    organisation = Organisation.objects.filter(code=code).first()
    if organisation is None:
        fail(_("no organisation with code '%(code)s'") % {"code": code})
    user = None
    if username is not None:
        user = User.objects.filter(username=username).first()
        if user is None:
            fail(_("no user called '%(name)s'") % {"name": username})
    run = analysis.current_run()
    if run is None:
        fail(_("There is no finished analysis yet, so no starter catalogue."))
    if not concepts:
        for area in starter.catalogue(run, organisation):
            click.echo(f"{area.code} {area.label}".strip())
            for item in area.concepts:
                mark = f"  [{_('already present')}]" if item.present else ""
                click.echo(f"  {item.concept.concept_id}  {item.name} "
                           f"({item.organisations}){mark}")
        return
    picks = [starting_actions.StarterPick(concept_id=c) for c in concepts]
    try:
        created = starting_actions.do_start_from_catalogue(organisation, picks, acting_user=user)
    except PermissionDenied:
        fail(_("%(user)s may not change the activities of %(organisation)s")
                         % {"user": username, "organisation": organisation.name})
    except ValidationError as exc:
        fail(" ".join(exc.messages))
    click.echo(ngettext("%(count)s activity was added from the starter catalogue.",
                        "%(count)s activities were added from the starter catalogue.",
                        len(created)) % {"count": len(created)})
    for activity in created:
        click.echo(f"  {activity.key}  {activity.name}")
CLUSTER_MESSAGES = {
    "unreachable": "The Dask scheduler at {address} does not answer ({detail}). Check the "
    "address and that `dask scheduler` runs there; nothing was written.",
    "worker": "A Dask worker died during the analysis, or was stopped for using more memory "
    "than its limit ({detail}). Give the workers more memory (dask worker --memory-limit) or "
    "add workers, and run again; nothing was written.",
    "memory": "A Dask worker ran out of memory ({detail}). Give the workers more memory or add "
    "workers, and run again; nothing was written.",
    "connection": "The connection to the Dask cluster was lost ({detail}). Run again; nothing "
    "was written.",
}


def _group_on_cluster(address: str, activities: list[Activity], language: str) -> list[Concept]:
    """The whole analysis on the cluster at `address`; a cluster failure is a clear message."""
    from mellanrum.engines.commonality.on_cluster import group_partitions_on_cluster

    try:
        with connect(address) as client:
            return group_partitions_on_cluster(client, activities, language=language)
    except ClusterError as exc:
        message = CLUSTER_MESSAGES.get(exc.reason, CLUSTER_MESSAGES["connection"])
        raise click.ClickException(
            message.format(address=address, detail=exc.detail or exc.reason)
        ) from exc
