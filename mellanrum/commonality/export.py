"""The collaboration opportunities as an XLSX workbook (openpyxl), in real units."""

from __future__ import annotations

import io
from collections.abc import Sequence

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from mellanrum.landscape.models import Nature
from mellanrum.lib.xlsx import safe_row

from .models import Opportunity


def _figure(opportunity: Opportunity, name: str) -> float | None:
    value = opportunity.figures.get(name)
    return None if value is None else float(value)


def opportunities_xlsx(opportunities: Sequence[Opportunity], *, english: bool) -> bytes:
    """One row per opportunity: the columns of the web page, numbers as numbers."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("Opportunities")[:31]
    headers = [
        _("Rank"), _("Concept"), _("Score (0–100)"), _("Status"), _("Nature"),
        _("KLASSA area"), _("Organisations (number)"), _("Outside joint arrangements (number)"),
        _("Outside joint arrangements"), _("Total annual cost (kr)"),
        _("Cost per inhabitant, highest/lowest (factor)"), _("Lead time difference (days)"),
        _("IT systems (number)"), _("Cases per year"), _("Citizen hours saved per year"),
        _("Contracts ending within 24 months (organisations)"), _("Why"),
    ]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for o in opportunities:
        concept = o.concept
        sheet.append(safe_row([
            o.rank, concept.label, round(o.score, 1), o.get_status_display(),
            str(Nature(concept.nature).label) if concept.nature in Nature.values else "",
            concept.area, concept.organisations, len(o.outside), ", ".join(o.outside),
            round(concept.total_cost_sek), _figure(o, "cost_per_inhabitant_factor"),
            _figure(o, "lead_time_difference_days"), len(concept.systems),
            concept.total_volume, _figure(o, "citizen_hours"), _figure(o, "contracts_ending"),
            o.explanation_en if english else o.explanation_sv,
        ]))
    widths = [6, 36, 10, 14, 24, 8, 12, 12, 30, 16, 14, 12, 10, 12, 14, 14, 90]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "C2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
