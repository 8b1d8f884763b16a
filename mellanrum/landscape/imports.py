"""Activity imports as background jobs: validate and preview first, then apply all or nothing.

The file is parsed, validated and planned once (:func:`check_file`); the plan is stored on the
job, shown as the preview, and applied as it is on confirm. If the activities it concerns changed
in between, nothing is written and the user is asked for a new preview.

The work runs as a task of the shared queue (``mellanrum.core.tasks``): in a thread of the web
process, or in a ``mellanrum worker`` process, so that a 50,000-row file never holds a request
open; the pages poll the job for progress, from any app process. Tests run the same functions
inline. If the process running a job dies, the next look at the job marks it failed; the apply
step is one transaction, so nothing of it was written and the file can be imported again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from mellanrum.core import tasks
from mellanrum.core.models import Task, User

from . import actions
from .models import Activity, ImportJob, Organisation
from .spreadsheet import (
    ColumnChoice,
    MappingNeeded,
    ParseResult,
    RowError,
    SpreadsheetError,
    derive_key,
    parse_activity_file,
)

log = logging.getLogger(__name__)

PREVIEW_ROWS = 50


class UploadRejected(Exception):
    pass


def key_for_name(name: str, organisation: Organisation) -> str:
    """A key for an activity created in the web form, unique within its organisation."""
    base = derive_key(name) or "verksamhet"
    key, n = base, 1
    while Activity.objects.filter(organisation=organisation, key=key).exists():
        n += 1
        key = f"{base[:60]}-{n}"
    return key


def parse_for(
    organisation: Organisation,
    data: bytes,
    filename: str,
    language: str = "sv",
    progress: Callable[[int, int], None] | None = None,
    *,
    lookups: actions.ImportLookups | None = None,
    column_map: Mapping[str, str | None] | None = None,
) -> ParseResult:
    """Validate a file for an organisation, with its remembered column mapping and
    *column_map* (this import's choices) on top."""
    lookups = lookups or actions.import_lookups(organisation)
    return parse_activity_file(
        data,
        filename,
        organisation_code=organisation.code,
        known_categories=lookups.category_labels,
        known_contacts=lookups.contact_names,
        language=language,
        max_bytes=settings.IMPORT_MAX_BYTES,
        progress=progress,
        column_map=column_map or {},
        remembered_map=actions.remembered_columns(organisation),
    )


@dataclass
class Checked:
    """A file parsed, validated and planned once: what the preview shows and the commit writes."""

    result: ParseResult
    plan: actions.ImportPlan

    @property
    def errors(self) -> list[RowError]:
        return [*self.result.errors, *self.plan.errors]


def check_file(
    organisation: Organisation,
    data: bytes,
    filename: str,
    language: str = "sv",
    progress: Callable[[int, int], None] | None = None,
    *,
    column_map: Mapping[str, str | None] | None = None,
) -> Checked:
    """Parse, validate and plan a file, loading categories and contacts once. Raises
    SpreadsheetError (or MappingNeeded) for a file that cannot be used as a whole."""
    lookups = actions.import_lookups(organisation)
    result = parse_for(organisation, data, filename, language, progress, lookups=lookups,
                       column_map=column_map)
    if not result.ok:
        return Checked(result, actions.ImportPlan())
    return Checked(result, actions.plan_import(organisation, result.rows, lookups,
                                               language=language))


def start_validation(organisation: Organisation, upload: UploadedFile, user: User) -> ImportJob:
    if upload.size is not None and upload.size > settings.IMPORT_MAX_BYTES:
        raise UploadRejected(
            _("The file is %(size)s MB; the largest file Mellanrum accepts is %(max)s MB.")
            % {
                "size": round(upload.size / 1024 / 1024, 1),
                "max": settings.IMPORT_MAX_BYTES // 1024 // 1024,
            }
        )
    data = upload.read()
    if not data:
        raise UploadRejected(_("The file is empty."))
    return _queue_validation(organisation, user, (upload.name or "upload")[:255], data)


def _queue_validation(organisation: Organisation, user: User, filename: str,
                      data: bytes) -> ImportJob:
    job = actions.do_create_import_job(organisation, acting_user=user, filename=filename,
                                       data=data)
    tasks.enqueue(validate_job, job.pk, _language(), ref=_ref(job.pk))
    return job


def map_columns(job: ImportJob, columns: dict[str, str], user: User) -> None:
    """Confirm the mapping step and check the file again with it."""
    actions.do_map_import_columns(job, columns, acting_user=user)
    tasks.enqueue(validate_job, job.pk, _language(), ref=_ref(job.pk))


def can_retry(job: ImportJob) -> bool:
    """A failed job keeps its file, so it can be tried again without uploading it anew."""
    return job.status == ImportJob.Status.FAILED and bool(job.data)


def retry(job: ImportJob, user: User) -> ImportJob | None:
    """A new job for a failed job's file, validated afresh (the data may have changed since);
    None when the job cannot be retried. The failed job stays as it was, for the record."""
    if not can_retry(job):
        return None
    again = actions.do_create_import_job(job.organisation, acting_user=user,
                                         filename=job.filename, data=bytes(job.data),
                                         column_map=job.column_map)
    tasks.enqueue(validate_job, again.pk, _language(), ref=_ref(again.pk))
    return again


def _ref(job_id: int) -> str:
    return f"importjob:{job_id}"


def _job_lost(args: list[Any], message: str) -> None:
    """The process running the job died: the job failed, and nothing was imported."""
    actions.do_move_import_job(
        args[0], from_statuses=[ImportJob.Status.VALIDATING, ImportJob.Status.IMPORTING],
        to=ImportJob.Status.FAILED, message=message,
    )


def _language() -> str:
    from django.utils.translation import get_language

    language = (get_language() or "sv")[:2]
    return language if language in {"sv", "en"} else "sv"


def _save_progress(job_id: int) -> Callable[[int, int], None]:
    def progress(done: int, total: int) -> None:
        actions.do_record_import_progress(job_id, done, total)
        tasks.progress(done, total)

    return progress


def error_dicts(errors: Iterable[RowError]) -> list[dict[str, Any]]:
    return [
        {"row": e.row, "column": e.column, "value": e.value, "message": e.message}
        for e in errors
    ]


def problems_message(count: int) -> str:
    return ngettext(
        "%(count)s problem was found. Nothing was imported.",
        "%(count)s problems were found. Nothing was imported.",
        count,
    ) % {"count": count}


@tasks.task(on_lost=_job_lost)
def validate_job(job_id: int, language: str = "sv") -> None:
    job = ImportJob.objects.select_related("organisation").get(pk=job_id)
    column_map = {header: (name or None) for header, name in job.column_map.items()}
    try:
        with translation.override(language):
            checked = check_file(job.organisation, bytes(job.data), job.filename, language,
                                 _save_progress(job_id), column_map=column_map)
    except MappingNeeded as needed:
        mapping = {"header_row": needed.header_row, "columns": _columns(needed.columns)}
        actions.do_finish_import_job(job, ImportJob.Status.MAPPING, message=str(needed),
                                     summary={"mapping": mapping})
        return
    except SpreadsheetError as exc:
        actions.do_finish_import_job(job, ImportJob.Status.INVALID, message=str(exc))
        return
    except Exception:
        log.exception("import validation crashed")
        with translation.override(language):
            message = _("The file could not be read.")
        actions.do_finish_import_job(job, ImportJob.Status.FAILED, message=message)
        return
    if checked.errors:
        errors = error_dicts(checked.errors)
        with translation.override(language):
            message = problems_message(len(errors))
        actions.do_finish_import_job(job, ImportJob.Status.INVALID, errors=errors,
                                     message=message)
        return
    result, plan = checked.result, checked.plan
    summary: dict[str, Any] = {
        **plan.as_summary(),
        "rows": len(result.rows),
        "skipped_empty_rows": result.skipped_empty_rows,
        "encoding": result.encoding or "",
        "header_row": result.header_row,
        "columns": _columns(result.columns),
        "new_sample": [row.name for row in plan.new[:PREVIEW_ROWS]],
        "changed_sample": [
            {"name": row.name, "fields": row.fields, "matched_by": row.matched_by}
            for row in plan.changed[:PREVIEW_ROWS]
        ],
        "name_sample": plan.matched_by_name[:PREVIEW_ROWS],
    }
    actions.do_finish_import_job(job, ImportJob.Status.READY, summary=summary,
                                 plan=plan.to_json())


def _columns(columns: Iterable[ColumnChoice]) -> list[dict[str, Any]]:
    return [
        {"index": c.index, "header": c.header, "field": c.field or "", "source": c.source,
         "samples": list(c.samples)}
        for c in columns
    ]


def remap(job: ImportJob) -> bool:
    """Go back from the preview to the mapping step, with the columns as they were read."""
    mapping = {"header_row": job.summary.get("header_row", 1),
               "columns": job.summary.get("columns", [])}
    return actions.do_move_import_job(
        job.pk, from_statuses=[ImportJob.Status.READY], to=ImportJob.Status.MAPPING,
        summary={"mapping": mapping}, plan={},
    )


def start_import(job: ImportJob, user: User) -> None:
    moved = actions.do_move_import_job(
        job.pk, from_statuses=[ImportJob.Status.READY], to=ImportJob.Status.IMPORTING,
        progress_done=0,
    )
    if moved:
        tasks.enqueue(apply_job, job.pk, user.pk, _language(), ref=_ref(job.pk))


@tasks.task(on_lost=_job_lost)
def apply_job(job_id: int, user_id: int | None, language: str = "sv") -> None:
    """Write the plan the preview showed; the file is not read again."""
    job = ImportJob.objects.select_related("organisation").get(pk=job_id)
    user = User.objects.filter(pk=user_id).first() if user_id is not None else None

    def progress(done: int, total: int) -> None:
        # The rows are written in one transaction: other connections cannot see them (nor
        # progress written beside them) until it commits, so the task's heartbeat reports it.
        tasks.progress(done, total)

    try:
        plan = actions.ImportPlan.from_json(job.plan)
        actions.do_apply_import(job.organisation, plan, acting_user=user, progress=progress)
    except actions.StaleImport:
        with translation.override(language):
            message = _(
                "The activities changed after the preview (someone edited, added or removed "
                "one that the file concerns), so nothing was imported. Check the file again "
                "for a new preview."
            )
        actions.do_finish_import_job(job, ImportJob.Status.FAILED, message=message, plan={})
    except Exception:
        log.exception("import failed")
        with translation.override(language):
            message = _("The import failed and nothing was changed. Try again, or contact your "
                        "administrator.")
        actions.do_finish_import_job(job, ImportJob.Status.FAILED, message=message, plan={})
    else:
        actions.do_finish_import_job(job, ImportJob.Status.DONE,
                                     summary={**job.summary, **plan.as_summary()}, data=b"",
                                     plan={})


def live_progress(job: ImportJob) -> tuple[int, int]:
    """Progress of a job, wherever it runs; a job whose process died is marked failed first."""
    if job.is_finished:
        return job.progress_done, job.progress_total
    task = tasks.check(_ref(job.pk))
    if task is not None and task.status == Task.Status.FAILED:
        job.refresh_from_db()
    if job.status == ImportJob.Status.IMPORTING and task is not None:
        return tasks.live_progress(task)
    return job.progress_done, job.progress_total


def cancel(job: ImportJob) -> None:
    actions.do_move_import_job(
        job.pk,
        from_statuses=[ImportJob.Status.READY, ImportJob.Status.INVALID, ImportJob.Status.MAPPING],
        to=ImportJob.Status.CANCELLED, data=b"", plan={},
    )


def export_rows(activities: Iterable[Activity]) -> list[dict[str, Any]]:
    rows = []
    for activity in activities.select_related("organisation", "category", "owner").prefetch_related(
        "systems"
    ) if hasattr(activities, "select_related") else activities:
        rows.append(
            {
                "organisation_code": activity.organisation.code,
                "key": activity.key,
                "name": activity.name,
                "description": activity.description,
                "kind": activity.kind,
                "category": activity.category.code if activity.category else "",
                "annual_cost_sek": activity.annual_cost_sek,
                "volume_per_year": activity.volume_per_year,
                "volume_unit": activity.volume_unit,
                "fte": activity.fte,
                "lead_time_days": activity.lead_time_days,
                "legal_basis": activity.legal_basis,
                "url": activity.url,
                "systems": tuple((s.product, s.vendor) for s in activity.systems.all()),
                "owner": activity.owner.name if activity.owner else "",
            }
        )
    return rows
