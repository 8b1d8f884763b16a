"""Writes of the Kolada app: the sync, which stores all values of a run or none."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from mellanrum.core import predraw, tasks
from mellanrum.core.actions import record_audit
from mellanrum.core.models import User

from . import catalogue
from .client import KoladaClient, KoladaError, KoladaValue
from .models import ConceptKpi, KoladaSync
from .models import KoladaValue as StoredValue

# The client's messages (plain Python) are msgids here, so the web UI shows them translated.
CLIENT_MESSAGES = [
    gettext_noop("Kolada did not answer within %(seconds)s seconds (%(url)s)"),
    gettext_noop("Could not reach Kolada at %(url)s: %(reason)s"),
    gettext_noop("Kolada limited the request rate and asked to wait too long (%(url)s)"),
    gettext_noop("Kolada answered HTTP %(status)s for %(url)s"),
    gettext_noop("Kolada's paging did not end (page %(url)s came again)"),
    gettext_noop(
        "Kolada sent a response that is not valid JSON of the expected shape (%(what)s) at "
        "%(url)s"
    ),
    gettext_noop("it could not be parsed; it may be cut short"),
    gettext_noop("no list of values"),
    gettext_noop("next_url is not an address"),
    gettext_noop("an item is not an object"),
    gettext_noop("an item lacks kpi, municipality or values"),
    gettext_noop("a value has no gender T, K or M"),
    gettext_noop("a value is not a number"),
    gettext_noop("a value is not a finite number"),
    gettext_noop("a period is not a year"),
]

EARLIEST_YEAR = 1950


def describe_error(error: KoladaError) -> str:
    """The one-line message of a failed sync, in the active language."""
    params = dict(error.params)
    if "what" in params:
        params["what"] = _(str(params["what"]))
    return _(error.template) % params if params else _(error.template)


def client_from_settings() -> KoladaClient:
    return KoladaClient(
        base_url=settings.KOLADA_API_URL,
        timeout=float(settings.KOLADA_TIMEOUT_SECONDS),
        retries=settings.KOLADA_RETRIES,
        backoff=settings.KOLADA_RETRY_BACKOFF_MS / 1000,
        per_page=settings.KOLADA_PER_PAGE,
    )


def check_kpi(kpi_id: str) -> str:
    """The catalogue id for ``kpi_id``, or a ValidationError that suggests close ids."""
    cleaned = kpi_id.strip().upper()
    if cleaned in catalogue.catalogue():
        return cleaned
    close = catalogue.close_ids(cleaned)
    if close:
        raise ValidationError(
            _("Unknown KPI id %(id)s; did you mean %(close)s?"),
            code="unknown_kpi", params={"id": kpi_id[:40], "close": ", ".join(close)},
        )
    raise ValidationError(
        _("Unknown KPI id %(id)s; search the catalogue for the right one."),
        code="unknown_kpi", params={"id": kpi_id[:40]},
    )


def check_year(year: int) -> int:
    this_year = timezone.localdate().year
    if year > this_year:
        raise ValidationError(
            _("%(year)s lies in the future; Kolada has no values for it."),
            code="future_year", params={"year": year},
        )
    if year < EARLIEST_YEAR:
        raise ValidationError(
            _("%(year)s is before %(earliest)s; Kolada has no values that old."),
            code="old_year", params={"year": year, "earliest": EARLIEST_YEAR},
        )
    return year


def check_municipality(code: str) -> str:
    cleaned = code.strip()
    if cleaned in catalogue.kolada_codes():
        return cleaned
    raise ValidationError(
        _("Unknown municipality or region code %(code)s (use SCB's four digits, e.g. 0180, "
          "or Kolada's region id, e.g. 0001)."),
        code="unknown_municipality", params={"code": code[:20]},
    )


def _unique(items: Sequence[Any]) -> list[Any]:
    return list(dict.fromkeys(items))


def _check_all(
    kpis: Sequence[str], years: Sequence[int], municipalities: Sequence[str]
) -> tuple[list[str], list[int], list[str]]:
    if not kpis:
        raise ValidationError(_("Name at least one KPI."), code="no_kpi")
    if not years:
        raise ValidationError(_("Name at least one year."), code="no_year")
    return (
        _unique([check_kpi(k) for k in kpis]),
        _unique([check_year(y) for y in years]),
        _unique([check_municipality(c) for c in municipalities]),
    )


def do_sync_kolada(
    kpis: Sequence[str],
    years: Sequence[int],
    municipalities: Sequence[str] = (),
    *,
    acting_user: User | None = None,
    client: KoladaClient | None = None,
    progress: Callable[[int, int], None] | None = None,
    job: KoladaSync | None = None,
) -> KoladaSync:
    """Fetch these KPIs and years from Kolada and store them in one transaction.

    Raises ValidationError for bad input and KoladaError when Kolada cannot be read; in both
    cases no value is stored. Values that did not change are left untouched. ``job`` is the
    row of a background sync to complete; without it a row is created on success.
    """
    kpi_ids, year_list, codes = _check_all(kpis, years, municipalities)
    started = timezone.now()
    fetched = (client or client_from_settings()).fetch_values(
        kpi_ids, year_list, codes, progress=progress
    )
    return _store(fetched, kpi_ids, year_list, codes, started=started, acting_user=acting_user,
                  job=job)


@transaction.atomic
def _store(
    fetched: list[KoladaValue],
    kpi_ids: list[str],
    years: list[int],
    codes: list[str],
    *,
    started: Any,
    acting_user: User | None,
    job: KoladaSync | None,
) -> KoladaSync:
    now = timezone.now()
    wanted_codes = set(codes)
    existing_rows = StoredValue.objects.filter(kpi_id__in=kpi_ids, year__in=years)
    if codes:
        existing_rows = existing_rows.filter(municipality_code__in=codes)
    existing = {(r.kpi_id, r.municipality_code, r.year, r.gender): r for r in existing_rows}
    new: list[StoredValue] = []
    changed: list[StoredValue] = []
    unchanged = 0
    for value in fetched:
        # Kolada's group averages (ids starting with G) are not organisations; and a
        # response outside what was asked for is not stored.
        if value.municipality.startswith("G") or value.kpi not in kpi_ids:
            continue
        if value.year not in years or (wanted_codes and value.municipality not in wanted_codes):
            continue
        row = existing.get(value.key)
        if row is None:
            new.append(StoredValue(
                kpi_id=value.kpi, municipality_code=value.municipality, year=value.year,
                gender=value.gender, value=value.value, status=value.status, changed_at=now,
            ))
        elif row.value != value.value or row.status != value.status or row.source:
            row.value, row.status, row.source = value.value, value.status, ""
            row.changed_at = now
            changed.append(row)
        else:
            unchanged += 1
    StoredValue.objects.bulk_create(new, batch_size=1000)
    StoredValue.objects.bulk_update(changed, ["value", "status", "source", "changed_at"],
                                    batch_size=1000)
    user = acting_user if acting_user is not None and acting_user.is_authenticated else None
    fields = {
        "status": KoladaSync.Status.DONE, "message": "", "started_at": started,
        "finished_at": now, "kpis": kpi_ids, "years": years, "municipalities": codes,
        "created": len(new), "updated": len(changed), "unchanged": unchanged,
    }
    if job is None:
        job = KoladaSync.objects.create(user=user, **fields)
    else:
        for name, value in fields.items():
            setattr(job, name, value)
        job.save(update_fields=list(fields))
    record_audit(
        acting_user, None, "kolada.sync", ", ".join(kpi_ids)[:300],
        years=",".join(str(y) for y in years), created=len(new), updated=len(changed),
        unchanged=unchanged,
    )
    if new or changed:
        predraw.after_kolada_sync()
    return job


# --- The superusers' background sync ---------------------------------------------------------


def _ref(pk: int) -> str:
    return f"kolada-sync:{pk}"


def do_start_kolada_sync(
    kpis: Sequence[str], years: Sequence[int], municipalities: Sequence[str] = (), *,
    acting_user: User,
) -> KoladaSync:
    """Queue a sync as a background job (superusers only); bad input is refused at once."""
    if not acting_user.is_superuser:
        raise PermissionDenied
    kpi_ids, year_list, codes = _check_all(kpis, years, municipalities)
    job = KoladaSync.objects.create(
        status=KoladaSync.Status.QUEUED, kpis=kpi_ids, years=year_list, municipalities=codes,
        user=acting_user,
    )
    record_audit(acting_user, None, "kolada.sync_started", ", ".join(kpi_ids)[:300], job=job.pk)
    tasks.enqueue(run_sync_job, job.pk, translation.get_language() or "sv", ref=_ref(job.pk))
    job.refresh_from_db()
    return job


def _job_lost(args: list[Any], message: str) -> None:
    KoladaSync.objects.filter(
        pk=args[0], status__in=[KoladaSync.Status.QUEUED, KoladaSync.Status.RUNNING]
    ).update(status=KoladaSync.Status.FAILED, finished_at=timezone.now(), message=message)


@tasks.task(on_lost=_job_lost)
def run_sync_job(pk: int, language: str) -> None:
    job = KoladaSync.objects.select_related("user").get(pk=pk)
    KoladaSync.objects.filter(pk=pk).update(
        status=KoladaSync.Status.RUNNING, started_at=timezone.now()
    )

    def progress(pages: int, values: int) -> None:
        tasks.progress(pages, 0)
        KoladaSync.objects.filter(pk=pk).update(pages=pages, values_read=values)

    with translation.override(language):
        try:
            do_sync_kolada(job.kpis, job.years, job.municipalities, acting_user=job.user,
                           progress=progress, job=job)
        except (KoladaError, ValidationError) as exc:
            message = (describe_error(exc) if isinstance(exc, KoladaError)
                       else " ".join(exc.messages))
            KoladaSync.objects.filter(pk=pk).update(
                status=KoladaSync.Status.FAILED, finished_at=timezone.now(),
                message=_("Nothing was stored: %(reason)s") % {"reason": message},
            )


def job_state(job: KoladaSync) -> KoladaSync:
    """The job as it is now, marked failed first if the process running it died."""
    if not job.is_finished:
        tasks.check(_ref(job.pk))
        job.refresh_from_db()
    return job


# --- Concepts and KPIs -----------------------------------------------------------------------


@transaction.atomic
def do_link_concept_kpi(concept_id: str, kpi_id: str, *, acting_user: User) -> ConceptKpi:
    """Confirm that a KPI measures a concept (idempotent)."""
    kpi = check_kpi(kpi_id)
    link, _created = ConceptKpi.objects.get_or_create(
        concept_id=concept_id[:100], kpi_id=kpi, defaults={"created_by": acting_user}
    )
    record_audit(acting_user, None, "kolada.concept_kpi", f"{concept_id} {kpi}"[:300])
    return link


@transaction.atomic
def do_unlink_concept_kpi(concept_id: str, kpi_id: str, *, acting_user: User) -> None:
    deleted, _rows = ConceptKpi.objects.filter(concept_id=concept_id, kpi_id=kpi_id).delete()
    if deleted:
        record_audit(acting_user, None, "kolada.concept_kpi_removed",
                     f"{concept_id} {kpi_id}"[:300])
