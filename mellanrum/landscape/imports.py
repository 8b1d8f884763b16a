"""Activity imports as background jobs: validate and preview first, then apply all or nothing.

The work runs as a task of the shared queue (``mellanrum.core.tasks``): in a thread of the web
process, or in a ``mellanrum worker`` process, so that a 50,000-row file never holds a request
open; the pages poll the job for progress, from any app process. Tests run the same functions
inline. If the process running a job dies, the next look at the job marks it failed; the apply
step is one transaction, so nothing of it was written and the file can be imported again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from mellanrum.core import tasks
from mellanrum.core.models import Task, User

from . import actions
from .models import Activity, Category, ImportJob, Organisation
from .spreadsheet import ParseResult, SpreadsheetError, derive_key, parse_activity_file

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


def parse_for(organisation: Organisation, data: bytes, filename: str, language: str = "sv",
              progress: Callable[[int, int], None] | None = None) -> ParseResult:
    return parse_activity_file(
        data,
        filename,
        organisation_code=organisation.code,
        known_categories=dict(Category.objects.values_list("code", "label")),
        known_contacts=[
            value
            for name, email in organisation.contacts.values_list("name", "email")
            for value in (name, email)
            if value
        ],
        language=language,
        max_bytes=settings.IMPORT_MAX_BYTES,
        progress=progress,
    )


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
    job = ImportJob.objects.create(
        organisation=organisation,
        created_by=user,
        filename=filename,
        data=data,
        status=ImportJob.Status.VALIDATING,
    )
    tasks.enqueue(validate_job, job.pk, _language(), ref=_ref(job.pk))
    return job


def can_retry(job: ImportJob) -> bool:
    """A failed job keeps its file, so it can be tried again without uploading it anew."""
    return job.status == ImportJob.Status.FAILED and bool(job.data)


def retry(job: ImportJob, user: User) -> ImportJob | None:
    """A new job for a failed job's file, validated afresh (the data may have changed since);
    None when the job cannot be retried. The failed job stays as it was, for the record."""
    if not can_retry(job):
        return None
    return _queue_validation(job.organisation, user, job.filename, bytes(job.data))


def _ref(job_id: int) -> str:
    return f"importjob:{job_id}"


def _job_lost(args: list[Any], message: str) -> None:
    """The process running the job died: the job failed, and nothing was imported."""
    ImportJob.objects.filter(
        pk=args[0], status__in=[ImportJob.Status.VALIDATING, ImportJob.Status.IMPORTING]
    ).update(status=ImportJob.Status.FAILED, message=message)


def _language() -> str:
    from django.utils.translation import get_language

    language = (get_language() or "sv")[:2]
    return language if language in {"sv", "en"} else "sv"


def _save_progress(job_id: int) -> Callable[[int, int], None]:
    def progress(done: int, total: int) -> None:
        ImportJob.objects.filter(pk=job_id).update(progress_done=done, progress_total=total)
        tasks.progress(done, total)

    return progress


@tasks.task(on_lost=_job_lost)
def validate_job(job_id: int, language: str = "sv") -> None:
    job = ImportJob.objects.select_related("organisation").get(pk=job_id)
    try:
        result = parse_for(job.organisation, bytes(job.data), job.filename, language,
                           _save_progress(job_id))
    except SpreadsheetError as exc:
        _finish(job, ImportJob.Status.INVALID, message=str(exc))
        return
    except Exception:
        log.exception("import validation crashed")
        _finish(job, ImportJob.Status.FAILED, message=_("The file could not be read."))
        return
    if not result.ok:
        errors = [
            {"row": e.row, "column": e.column, "value": e.value, "message": e.message}
            for e in result.errors
        ]
        _finish(job, ImportJob.Status.INVALID, errors=errors,
                message=_("%(count)s problems were found. Nothing was imported.")
                % {"count": len(errors)})
        return
    plan = actions.plan_import(job.organisation, result.rows)
    summary: dict[str, Any] = {
        **plan.as_summary(),
        "rows": len(result.rows),
        "skipped_empty_rows": result.skipped_empty_rows,
        "encoding": result.encoding or "",
        "new_sample": [row.name for row in plan.new[:PREVIEW_ROWS]],
        "changed_sample": [
            {"name": row.name, "fields": fields} for row, fields in plan.changed[:PREVIEW_ROWS]
        ],
    }
    _finish(job, ImportJob.Status.READY, summary=summary)


def _finish(job: ImportJob, status: str, **fields: Any) -> None:
    job.status = status
    for name, value in fields.items():
        setattr(job, name, value)
    job.save(update_fields=["status", *fields])


def start_import(job: ImportJob, user: User) -> None:
    updated = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.READY).update(
        status=ImportJob.Status.IMPORTING, progress_done=0
    )
    if updated:
        tasks.enqueue(apply_job, job.pk, user.pk, ref=_ref(job.pk))


@tasks.task(on_lost=_job_lost)
def apply_job(job_id: int, user_id: int | None) -> None:
    job = ImportJob.objects.select_related("organisation").get(pk=job_id)
    user = User.objects.filter(pk=user_id).first() if user_id is not None else None

    def progress(done: int, total: int) -> None:
        # The rows are written in one transaction: other connections cannot see them (nor
        # progress written beside them) until it commits, so the task's heartbeat reports it.
        tasks.progress(done, total)

    try:
        result = parse_for(job.organisation, bytes(job.data), job.filename)
        if not result.ok:
            raise SpreadsheetError(_("The file no longer validates against current data."))
        plan = actions.do_import_activities(
            job.organisation, result.rows, acting_user=user, progress=progress
        )
    except Exception as exc:
        log.exception("import failed")
        message = str(exc) if isinstance(exc, SpreadsheetError) else _(
            "The import failed and nothing was changed. Try again, or contact your administrator."
        )
        _finish(job, ImportJob.Status.FAILED, message=message)
    else:
        _finish(job, ImportJob.Status.DONE, summary={**job.summary, **plan.as_summary()},
                data=b"")


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
    ImportJob.objects.filter(
        pk=job.pk, status__in=[ImportJob.Status.READY, ImportJob.Status.INVALID]
    ).update(status=ImportJob.Status.CANCELLED, data=b"")


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
