"""Reading an arrangements file (samverkansläge) and planning what it changes.

The file has the columns ``Organisationskod; Verksamhet; Form; Parter; Från; Till; Länk``
(or their English names). Every row is checked before anything is written: an unknown code,
an impossible date, an unknown form or a partner that is not an organisation is reported
with its row, and then nothing changes (``actions.do_import_arrangements``).
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from mellanrum.core.http import AnyUser

from . import access
from .models import Activity, Arrangement, Organisation
from .spreadsheet import normalise_name

COLUMNS: dict[str, str] = {
    # folded header -> field
    "organisationskod": "organisation", "organisation code": "organisation",
    "organisation": "organisation",
    "verksamhet": "activity", "activity": "activity",
    "form": "form",
    "parter": "partners", "partners": "partners",
    "från": "start_date", "from": "start_date",
    "till": "end_date", "until": "end_date", "to": "end_date",
    "länk": "url", "link": "url",
}
REQUIRED = ("organisation", "activity", "form")
MAX_ROWS = 20_000


@dataclass(frozen=True)
class RowProblem:
    row: int | None
    column: str
    value: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "value": self.value,
                "reason": self.reason}


@dataclass(frozen=True)
class PlannedArrangement:
    row: int
    activity_id: int
    form: str
    partner_ids: tuple[int, ...]
    start_date: datetime.date | None
    end_date: datetime.date | None
    url: str
    change: str  # "new", "changed" or "unchanged"


@dataclass
class ArrangementPlan:
    rows: list[PlannedArrangement] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)

    def summary(self) -> dict[str, int]:
        counts = {"new": 0, "changed": 0, "unchanged": 0}
        for row in self.rows:
            counts[row.change] += 1
        return counts


class ArrangementFileError(ValueError):
    """The file as a whole cannot be read (encoding, no header, missing columns)."""


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read_rows(data: bytes) -> list[tuple[int, dict[str, str]]]:
    """(row number, field -> text) for every non-empty row; the header is row 1."""
    text = _decode(data)
    if not text.strip():
        raise ArrangementFileError(_("The file is empty."))
    first = text.splitlines()[0]
    delimiter = ";" if first.count(";") >= max(first.count(","), first.count("\t")) else (
        "\t" if first.count("\t") > first.count(",") else ",")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader)
    fields = [COLUMNS.get(" ".join(h.split()).casefold(), "") for h in header]
    unknown = [h for h, f in zip(header, fields, strict=True) if not f and h.strip()]
    if unknown:
        raise ArrangementFileError(
            _("Unknown column(s): %(columns)s. The columns are Organisationskod, Verksamhet, "
              "Form, Parter, Från, Till and Länk.") % {"columns": ", ".join(unknown)})
    missing = [c for c in REQUIRED if c not in fields]
    if missing:
        names = {"organisation": "Organisationskod", "activity": "Verksamhet", "form": "Form"}
        raise ArrangementFileError(_("Missing column(s): %(columns)s.")
                                   % {"columns": ", ".join(names[c] for c in missing)})
    rows: list[tuple[int, dict[str, str]]] = []
    for number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise ArrangementFileError(_("The file has more than %(max)s rows.")
                                       % {"max": MAX_ROWS})
        values = {f: (cells[i].strip() if i < len(cells) else "")
                  for i, f in enumerate(fields) if f}
        rows.append((number, values))
    return rows


def parse_date(text: str) -> datetime.date | None:
    """A date written YYYY-MM-DD; None when empty; ValueError when impossible."""
    text = text.strip()
    if not text:
        return None
    return datetime.date.fromisoformat(text)


Lookups = tuple[dict[str, Activity], dict[str, list[Activity]]]


def _activities(organisation: Organisation) -> Lookups:
    by_key: dict[str, Activity] = {}
    by_name: dict[str, list[Activity]] = {}
    for activity in Activity.objects.filter(organisation=organisation):
        by_key[activity.key] = activity
        by_name.setdefault(normalise_name(activity.name), []).append(activity)
    return by_key, by_name


def plan_arrangements(data: bytes, *, user: AnyUser | None = None) -> ArrangementPlan:
    """Check every row of an arrangements file; the plan lists the problems or the changes.

    With `user`, each row's organisation must be one whose arrangements the user may edit.
    """
    plan = ArrangementPlan()
    try:
        rows = read_rows(data)
    except ArrangementFileError as exc:
        plan.problems.append(RowProblem(None, "", "", str(exc)))
        return plan
    if not rows:
        plan.problems.append(RowProblem(None, "", "", _("The file has no rows.")))
        return plan
    codes = {code for _n, v in rows for code in [v.get("organisation", "")]} | {
        p.strip() for _n, v in rows for p in v.get("partners", "").split("|") if p.strip()}
    organisations = {o.code: o for o in Organisation.objects.filter(
        code__in=[c for c in codes if "\x00" not in c])}
    lookups: dict[str, Lookups] = {}
    existing = {a.activity_id: a for a in Arrangement.objects.filter(
        activity__organisation__in=list(organisations.values())).prefetch_related("partners")}
    seen: dict[int, int] = {}
    forms = Arrangement.Form.values
    url_check = URLValidator(schemes=["http", "https"])
    for number, values in rows:
        before = len(plan.problems)

        def problem(column: str, value: str, reason: str, number: int = number) -> None:
            plan.problems.append(RowProblem(number, column, value, reason))

        code = values.get("organisation", "")
        organisation = organisations.get(code)
        activity = None
        if not code:
            problem("Organisationskod", code, _("The organisation code is empty."))
        elif organisation is None:
            problem("Organisationskod", code, _("No organisation has this code."))
        elif user is not None and not access.can_edit_arrangement(user, organisation):
            problem("Organisationskod", code,
                    _("You may not change the arrangements of %(organisation)s.")
                    % {"organisation": organisation.name})
        else:
            if code not in lookups:
                lookups[code] = _activities(organisation)
            by_key, by_name = lookups[code]
            given = values.get("activity", "")
            same = by_name.get(normalise_name(given), [])
            if not given:
                problem("Verksamhet", given, _("The activity is empty."))
            elif given in by_key:
                activity = by_key[given]
            elif len(same) == 1:
                activity = same[0]
            elif len(same) > 1:
                problem("Verksamhet", given, _("%(count)s activities of %(organisation)s have "
                                               "this name; give the key instead.")
                        % {"count": len(same), "organisation": organisation.name})
            else:
                problem("Verksamhet", given, _("%(organisation)s has no activity with this key "
                                               "or name.") % {"organisation": organisation.name})
        if activity is not None:
            if activity.pk in seen:
                problem("Verksamhet", values.get("activity", ""),
                        _("The same activity is on row %(row)s too.") % {"row": seen[activity.pk]})
            seen.setdefault(activity.pk, number)
        form = values.get("form", "").casefold()
        if form not in forms:
            problem("Form", values.get("form", ""),
                    _("Unknown form. Use one of: %(forms)s.") % {"forms": ", ".join(forms)})
        partner_ids: list[int] = []
        for partner in (p.strip() for p in values.get("partners", "").split("|")):
            if not partner:
                continue
            found = organisations.get(partner)
            if found is None:
                problem("Parter", partner, _("No organisation has this code."))
            elif organisation is not None and found.pk == organisation.pk:
                problem("Parter", partner, _("An organisation is not its own partner."))
            elif found.pk not in partner_ids:
                partner_ids.append(found.pk)
        if form == Arrangement.Form.OWN and partner_ids:
            problem("Parter", values.get("partners", ""),
                    _("An activity done on its own has no partners."))
        dates: dict[str, datetime.date | None] = {}
        for field_name, column in (("start_date", "Från"), ("end_date", "Till")):
            text = values.get(field_name, "")
            try:
                dates[field_name] = parse_date(text)
            except ValueError:
                dates[field_name] = None
                problem(column, text, _("Not a date; write it as YYYY-MM-DD, e.g. 2025-01-31."))
        start, end = dates["start_date"], dates["end_date"]
        if start and end and end < start:
            problem("Till", values.get("end_date", ""), _("The end date is before the start "
                                                          "date."))
        url = values.get("url", "")
        if url:
            try:
                url_check(url)
            except ValidationError:
                problem("Länk", url, _("Not a web address (https://…)."))
            if len(url) > 500:
                problem("Länk", url[:50], _("The web address is longer than 500 characters."))
        if len(plan.problems) > before or activity is None:
            continue
        old = existing.get(activity.pk)
        change = "new"
        if old is not None:
            same_values = (old.form == form and old.start_date == start and old.end_date == end
                           and old.url == url
                           and sorted(p.pk for p in old.partners.all()) == sorted(partner_ids))
            change = "unchanged" if same_values else "changed"
        plan.rows.append(PlannedArrangement(number, activity.pk, form, tuple(partner_ids),
                                            start, end, url, change))
    return plan
