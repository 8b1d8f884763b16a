"""The draft samverkansavtal: a Word document (python-docx) built from the initiative.

Parties, purpose, the goal picture with indicators, the latest approved shared principles, the
cost-sharing key with each partner's share, governance, term, and placeholders for the exit
and dispute clauses. It is always marked as a draft for legal review. The agreement is a
Swedish document, so it is written in Swedish whatever the reader's interface language.
"""

from __future__ import annotations

import io
import re
from decimal import Decimal
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from docx import Document
from docx.document import Document as DocxDocument
from docx.shared import Pt, RGBColor
from docx.text.paragraph import Paragraph

from .models import Initiative, PrincipleVersion
from .workshop import approving_partners, latest_approved

__all__ = ["DOCX_TYPE", "build_docx", "filename"]

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def filename(initiative: Initiative) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", initiative.title.lower().translate(
        str.maketrans("åäöé", "aaoe"))).strip("-")[:60] or "initiativ"
    return f"samverkansavtal-utkast-{slug}.docx"


# Characters XML 1.0 cannot hold (controls other than tab and newlines, and U+FFFE/U+FFFF): a
# title typed with one of them must not stop the agreement from being written.
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _x(text: object) -> str:
    return XML_INVALID.sub("", str(text))


def _para(document: DocxDocument, text: object, style: str | None = None) -> Paragraph:
    return document.add_paragraph(_x(text), style=style)


def kronor(value: Any) -> str:
    """Whole kronor with a no-break space between thousands, as Swedish writes them."""
    amount = Decimal(str(value)).quantize(Decimal(1))
    return f"{amount:,}".replace(",", "\u00a0") + "\u00a0kr"


def _current_split(initiative: Initiative) -> Any:
    """The chosen split of the joint cost, if any (read through the relation, wherever the
    cost-split model lives)."""
    splits = getattr(initiative, "cost_splits", None)
    return splits.order_by("-chosen_at", "-pk").first() if splits is not None else None


def _placeholder(document: DocxDocument, text: str) -> None:
    run = document.add_paragraph().add_run(f"[{text}]")
    run.italic = True
    run.font.color.rgb = RGBColor(0x80, 0x00, 0x00)


def _table(document: DocxDocument, header: list[str], rows: list[list[str]]) -> None:
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(_x(text)).bold = True
    for row in rows:
        for cell, text in zip(table.add_row().cells, row, strict=True):
            cell.text = _x(text)


def _draft_mark(document: DocxDocument) -> str:
    mark = _("DRAFT – for legal review")
    for section in document.sections:
        section.header.paragraphs[0].text = mark
    paragraph = document.add_paragraph()
    run = paragraph.add_run(mark)
    run.bold = True
    run.font.size = Pt(14)
    run.font.color.rgb = RGBColor(0x80, 0x00, 0x00)
    return mark


def _principles(document: DocxDocument, initiative: Initiative) -> None:
    version: PrincipleVersion | None = latest_approved(initiative)
    if version is None:
        _placeholder(document, _("No version of the shared principles has been approved by "
                                 "every partner yet. Insert the approved principles here."))
        return
    approvals = ", ".join(
        f"{a.organisation.name} {timezone.localtime(a.approved_at):%Y-%m-%d}"
        for a in version.approvals.select_related("organisation"))
    _para(document, _("Version %(number)s, approved by: %(approvals)s.")
                           % {"number": version.number, "approvals": approvals})
    for principle in version.principles.all():
        _para(document, principle.text, style="List Number")


def _split(document: DocxDocument, initiative: Initiative) -> None:
    split = _current_split(initiative)
    if split is None:
        _placeholder(document, _("No split of the joint cost has been chosen yet. Insert the "
                                 "cost-sharing key and each party's share here."))
        return
    _para(document,
        _("The joint cost of %(cost)s is shared by the key “%(method)s”, chosen on %(date)s.")
        % {"cost": kronor(split.joint_cost), "method": split.method_label,
           "date": f"{timezone.localtime(split.chosen_at):%Y-%m-%d}"})
    total = sum((Decimal(str(v)) for v in split.amounts.values()), Decimal(0)) or Decimal(1)
    _table(document, [_("Party"), _("Share"), _("Per cent")], [
        [split.names.get(code, code), kronor(amount),
         f"{Decimal(str(amount)) * 100 / total:.1f}".replace(".", ",") + "\u00a0%"]
        for code, amount in split.amounts.items()])
    if split.rationale:
        _para(document, split.rationale)


def _build(initiative: Initiative) -> DocxDocument:
    document: DocxDocument = Document()
    document.core_properties.title = _x(_("Draft collaboration agreement: %(title)s") % {
        "title": initiative.title})
    document.add_heading(_("Collaboration agreement (samverkansavtal)"), level=0)
    for run in _para(document, initiative.title).runs:
        run.bold = True
    _draft_mark(document)
    _para(document,
        _("Generated by Mellanrum on %(date)s from the initiative as recorded there. Every "
          "part must be checked against the parties' decisions before anyone signs.")
        % {"date": f"{timezone.localdate():%Y-%m-%d}"})
    if initiative.is_illustrative:
        _para(document, _("Illustrative: this initiative is demo data made up by "
                                 "Mellanrum, not real decisions of these organisations."))

    partners = list(initiative.partners.select_related("organisation"))
    document.add_heading(_("1. Parties"), level=1)
    _table(document, [_("Party"), _("Organisation number or code"), _("Role")],
           [[p.organisation.name, p.organisation.code, str(p.get_role_display())]
            for p in partners])

    document.add_heading(_("2. Purpose"), level=1)
    _para(document, initiative.purpose)

    document.add_heading(_("3. Goal picture and indicators"), level=1)
    goals = list(initiative.goals.all())
    if goals:
        _table(document, [_("Goal"), _("Indicator"), _("Baseline"), _("Target"),
                          _("Target date")],
               [[g.title, g.indicator, g.baseline or "–", g.target, f"{g.target_date:%Y-%m-%d}"]
                for g in goals])
    else:
        _placeholder(document, _("No shared goals recorded yet."))

    document.add_heading(_("4. Shared principles"), level=1)
    _principles(document, initiative)

    document.add_heading(_("5. Cost sharing"), level=1)
    _split(document, initiative)

    document.add_heading(_("6. Governance"), level=1)
    members = list(initiative.steering_members.select_related("organisation"))
    if members:
        _para(document, _("The steering group:"))
        for m in members:
            _para(document, f"{m.name}, {m.organisation.name}"
                  + (f" – {m.role}" if m.role else ""), style="List Bullet")
    else:
        _placeholder(document, _("No steering group members recorded yet."))
    _para(document,
        _("The steering group takes the decisions of the collaboration; they are recorded in "
          "the initiative's decision log. Each party takes its own formal decisions in its own "
          "bodies. Changes to the shared principles are approved by every paying party: %(n)s "
          "of them.") % {"n": len(approving_partners(initiative))})

    document.add_heading(_("7. Term"), level=1)
    start = f"{initiative.start_date:%Y-%m-%d}" if initiative.start_date else "[…]"
    end = f"{initiative.end_date:%Y-%m-%d}" if initiative.end_date else "[…]"
    _para(document, _("The agreement runs from %(start)s to %(end)s.")
                           % {"start": start, "end": end})

    document.add_heading(_("8. Leaving the collaboration"), level=1)
    _placeholder(document, _("To be written: notice period, what a leaving party pays and "
                             "keeps, and how the others continue."))
    document.add_heading(_("9. Disputes"), level=1)
    _placeholder(document, _("To be written: how disagreements are first handled in the "
                             "steering group, and which court or arbitration settles them."))

    document.add_heading(_("10. Signatures"), level=1)
    for p in partners:
        _para(document, _("For %(party)s: ______________________ Date: __________")
                               % {"party": p.organisation.name})
    return document


def build_docx(initiative: Initiative) -> bytes:
    """The draft agreement as the bytes of a .docx file."""
    with translation.override("sv"):
        document = _build(initiative)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
