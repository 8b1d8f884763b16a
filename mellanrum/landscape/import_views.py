"""Spreadsheet import (upload, preview, mapping, confirm), the import template and the
activity export of an organisation."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mellanrum.core.http import AuthenticatedHttpRequest

from . import imports
from .access import access_organisation
from .forms import ColumnMappingForm, ImportForm
from .models import Category, ImportJob
from .spreadsheet import activities_to_csv, activities_to_xlsx, template_csv, template_xlsx
from .spreadsheet.columns import FIELDS, header_for


def _posted(request: HttpRequest) -> QueryDict | None:
    return request.POST if request.method == "POST" else None


@login_required
def import_upload(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    organisation = access_organisation(request.user, code, write=True)
    form = ImportForm(_posted(request), request.FILES if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            job = imports.start_validation(organisation, form.cleaned_data["file"], request.user)
        except imports.UploadRejected as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("landscape:import_status", code=organisation.code, job_id=job.pk)
    context = {"form": form, "organisation": organisation}
    return render(request, "landscape/import_upload.html", context, status=400 if form.errors
                  else 200)


def _access_job(request: AuthenticatedHttpRequest, code: str, job_id: int) -> ImportJob:
    organisation = access_organisation(request.user, code, write=True)
    return get_object_or_404(ImportJob, pk=job_id, organisation=organisation)


def _column_header(field: str, language: str) -> str:
    """The spreadsheet header of a model field ("owner_id" -> "Ansvarig")."""
    name = field.removesuffix("_id")
    return header_for(name, language) if name in FIELDS else field


def _preview_with_headers(summary: dict[str, Any]) -> dict[str, Any]:
    """The import preview with each changed field named by its column header, in the page's
    language (the job stores field names, which are the same in every language)."""
    language = _page_language()
    changed = [
        {**change, "fields": [_column_header(f, language) for f in change.get("fields", [])]}
        for change in summary.get("changed_sample", [])
    ]
    columns = [
        {**column, "label": header_for(column["field"], language) if column["field"] else ""}
        for column in summary.get("columns", [])
    ]
    return {**summary, "changed_sample": changed, "columns": columns}


def _page_language() -> str:
    return "en" if (get_language() or "sv").startswith("en") else "sv"


def _status_context(job: ImportJob, mapping_form: ColumnMappingForm | None = None
                    ) -> dict[str, Any]:
    done, total = imports.live_progress(job)
    if mapping_form is None and job.status == ImportJob.Status.MAPPING:
        columns = job.summary.get("mapping", {}).get("columns", [])
        mapping_form = ColumnMappingForm(columns, language=_page_language())
    return {
        "job": job,
        "organisation": job.organisation,
        "preview": _preview_with_headers(job.summary),
        "mapping_form": mapping_form,
        "can_retry": imports.can_retry(job),
        "progress_done": done,
        "progress_total": total,
        "percent": min(100, round(100 * done / total)) if total else 0,
    }


@login_required
def import_status(request: AuthenticatedHttpRequest, code: str, job_id: int) -> HttpResponse:
    job = _access_job(request, code, job_id)
    context = _status_context(job)
    template = "landscape/import_status.html"
    if request.headers.get("HX-Request"):
        template = "landscape/_import_progress.html"
    return render(request, template, context)


@login_required
@require_POST
def import_mapping(request: AuthenticatedHttpRequest, code: str, job_id: int) -> HttpResponse:
    job = _access_job(request, code, job_id)
    if job.status != ImportJob.Status.MAPPING:
        messages.error(request, _("The columns of this import cannot be changed now."))
        return redirect("landscape:import_status", code=code, job_id=job.pk)
    columns = job.summary.get("mapping", {}).get("columns", [])
    form = ColumnMappingForm(columns, request.POST, language=_page_language())
    if not form.is_valid():
        return render(request, "landscape/import_status.html", _status_context(job, form),
                      status=400)
    imports.map_columns(job, form.column_map(), request.user)
    return redirect("landscape:import_status", code=code, job_id=job.pk)


@login_required
@require_POST
def import_remap(request: AuthenticatedHttpRequest, code: str, job_id: int) -> HttpResponse:
    job = _access_job(request, code, job_id)
    if not imports.remap(job):
        messages.error(request, _("The columns of this import cannot be changed now."))
    return redirect("landscape:import_status", code=code, job_id=job.pk)


@login_required
@require_POST
def import_confirm(request: AuthenticatedHttpRequest, code: str, job_id: int) -> HttpResponse:
    job = _access_job(request, code, job_id)
    if job.status != ImportJob.Status.READY:
        messages.error(request, _("This import cannot be started in its current state."))
    else:
        imports.start_import(job, request.user)
    return redirect("landscape:import_status", code=code, job_id=job.pk)


@login_required
@require_POST
def import_retry(request: AuthenticatedHttpRequest, code: str, job_id: int) -> HttpResponse:
    job = _access_job(request, code, job_id)
    again = imports.retry(job, request.user)
    if again is None:
        messages.error(request, _("Only a failed import can be tried again."))
        return redirect("landscape:import_status", code=code, job_id=job.pk)
    messages.info(request, _("The same file is being checked again; nothing has been saved yet."))
    return redirect("landscape:import_status", code=code, job_id=again.pk)


@login_required
@require_POST
def import_cancel(request: AuthenticatedHttpRequest, code: str, job_id: int) -> HttpResponse:
    job = _access_job(request, code, job_id)
    imports.cancel(job)
    messages.info(request, _("The import was cancelled. Nothing was changed."))
    return redirect(job.organisation)


def template_download(request: HttpRequest, fmt: str) -> HttpResponse:
    language = request.LANGUAGE_CODE if request.LANGUAGE_CODE in {"sv", "en"} else "sv"
    categories = dict(Category.objects.values_list("code", "label"))
    if fmt == "xlsx":
        return _download(
            template_xlsx(language, categories=categories), "mellanrum-mall.xlsx", "xlsx"
        )
    return _download(template_csv(language), "mellanrum-mall.csv", "csv")


@login_required
def export_activities(request: AuthenticatedHttpRequest, code: str, fmt: str) -> HttpResponse:
    organisation = access_organisation(request.user, code)
    rows = imports.export_rows(organisation.activities.all())
    language = request.LANGUAGE_CODE if request.LANGUAGE_CODE in {"sv", "en"} else "sv"
    filename = f"verksamheter-{organisation.code}.{fmt}"
    if fmt == "xlsx":
        return _download(activities_to_xlsx(rows, language=language), filename, "xlsx")
    return _download(activities_to_csv(rows, language=language), filename, "csv")


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _download(data: bytes, filename: str, fmt: str) -> HttpResponse:
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response



# --- Web site ----------------------------------------------------------------------------------
