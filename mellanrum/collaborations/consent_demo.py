"""The illustrative initiative Storsthlm runs as facilitator (processledare): invitations (one
declined, one unanswered), a proposal that was blocked and then adopted, an open proposal,
formal decisions from most partners with protocol extracts, and goals with measured values.

Everything is made up for the demo, flagged ``is_illustrative`` and written through the
actions. Dates are fixed as seen on 6 December 2026 (the demo's "today"); a proposal cannot be
made with a deadline in the past, so the closed one is made, answered and closed through the
actions and then dated back to when it happened in the story.
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from mellanrum.core.models import User
from mellanrum.landscape.models import Organisation

from . import actions
from .consent_actions import (
    do_add_formal_decision,
    do_add_measurement,
    do_answer_invitation,
    do_answer_proposal,
    do_close_proposal,
    do_create_proposal,
    do_set_goal_tracking,
)
from .consent_models import Proposal
from .models import DecisionEntry, Initiative, Partner

FACILITATOR = "STORSTHLM"
TITLE = "Gemensam e-tjänsteplattform för ekonomiskt bistånd i länet"
LOGIN = ("storsthlm", "mellanrum-storsthlm", FACILITATOR, "editor", False)
# (code, answer, reason): None is an invitation not yet answered.
INVITED: tuple[tuple[str, bool | None, str], ...] = (
    ("0182", True, ""),  # Nacka
    ("0120", True, ""),  # Värmdö
    ("0187", True, ""),  # Vaxholm
    ("0138", True, ""),  # Tyresö
    ("0186", False, "Lidingö har nyligen upphandlat en egen e-tjänsteplattform och kan pröva "
                    "en gemensam först när avtalet löper ut 2028."),
    ("0163", None, ""),  # Sollentuna
)
# (code, body, body name, date, paragraph): Tyresö has not decided yet.
DECISIONS = (
    ("0182", "kommunstyrelse", "Kommunstyrelsen", datetime.date(2026, 11, 12), "§ 214"),
    ("0120", "kommunstyrelse", "Kommunstyrelsen", datetime.date(2026, 11, 18), "§ 187"),
    ("0187", "namnd", "Socialnämnden", datetime.date(2026, 11, 25), "§ 96"),
)
# Share of digital applications (%) at the end of each half-year, per partner.
DIGITAL = {
    "0182": (48, 57, 66), "0120": (42, 47, 52), "0187": (40, 41, 43), "0138": (45, 52, 60),
}
PERIODS = (datetime.date(2025, 6, 30), datetime.date(2025, 12, 31), datetime.date(2026, 6, 30))
LEAD_TIME = (13, 12, 10)  # median days, all partners together


def protocol_pdf(title: str) -> bytes:
    """A one-page PDF saying that it stands in for a protocol extract (illustrative)."""
    text = title.encode("latin-1", "replace")
    stream = b"BT /F1 14 Tf 60 760 Td (" + text + b") Tj 0 -24 Td " \
        b"(Illustrativt protokollsutdrag - demodata, inte ett verkligt beslut.) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream +
        b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n"
              f"%%EOF\n".encode())
    return out.getvalue()


def _editor(code: str) -> User | None:
    return User.objects.filter(organisation__code=code,
                               role__in=[User.Role.EDITOR, User.Role.ADMIN]).first()


def _invite(initiative: Initiative, organisations: dict[str, Organisation],
            leader: User | None) -> None:
    for code, answer, reason in INVITED:
        if code not in organisations:
            continue
        partner = actions.do_add_partner(initiative, acting_user=leader,
                                         organisation=organisations[code])
        if answer is not None:
            do_answer_invitation(partner, acting_user=_editor(code), accept=answer,
                                 reason=reason)


def _proposals(initiative: Initiative, organisations: dict[str, Organisation],
               leader: User | None) -> None:
    def answer(proposal: Proposal, code: str, position: str, reason: str = "") -> None:
        if code in organisations:
            do_answer_proposal(proposal, acting_user=_editor(code),
                               organisation=organisations[code], position=position,
                               reason=reason)

    today = datetime.date(2026, 12, 6)
    platform = do_create_proposal(
        initiative, acting_user=leader, title="Plattformen byggs på Nackas befintliga "
        "e-tjänsteplattform",
        text="Vi återanvänder Nackas e-tjänsteplattform i stället för att upphandla en ny. "
        "Varje kommuns årliga kostnad för drift och förvaltning blir högst 500 000 kr.",
        deadline=max(today, timezone.localdate()) + datetime.timedelta(days=14))
    answer(platform, "0182", "agree")
    answer(platform, "0120", "agree")
    answer(platform, "0187", "block", "Förslaget sa inget om kostnadstaket; Vaxholms "
           "budgetram tillåter högst 500 000 kr per år.")
    answer(platform, "0138", "abstain")
    # Resolved: the text got the cost ceiling, and Vaxholm changed its answer.
    answer(platform, "0187", "agree", "Kostnadstaket på 500 000 kr står nu i förslaget.")
    closed = do_close_proposal(platform, acting_user=leader)
    Proposal.objects.filter(pk=closed.pk).update(deadline=datetime.date(2026, 10, 30))
    if closed.decision is not None:
        DecisionEntry.objects.filter(pk=closed.decision.pk).update(
            date=datetime.date(2026, 10, 30))
    eid = do_create_proposal(
        initiative, acting_user=leader, title="Gemensam kravställning för e-legitimation",
        text="Kommunerna ställer samma krav på e-legitimation och underskrift i e-tjänsten.",
        deadline=max(datetime.date(2027, 1, 15), timezone.localdate()))
    answer(eid, "0182", "agree")
    answer(eid, "0120", "abstain")


def _decisions(initiative: Initiative, organisations: dict[str, Organisation]) -> None:
    for code, body, name, date, paragraph in DECISIONS:
        if code not in organisations:
            continue
        organisation = organisations[code]
        pdf = io.BytesIO(protocol_pdf(f"{organisation.name}, {name} {date:%Y-%m-%d} "
                                      f"{paragraph}"))
        do_add_formal_decision(
            initiative, acting_user=_editor(code), organisation=organisation, body=body,
            body_name=name, date=date, paragraph=paragraph,
            summary="Kommunen deltar i den gemensamma e-tjänsteplattformen.",
            protocol=pdf, protocol_name=f"protokollsutdrag-{code}.pdf")


def _goals(initiative: Initiative, organisations: dict[str, Organisation],
           leader: User | None) -> None:
    digital = actions.do_add_goal(
        initiative, acting_user=leader, title="Alla ansökningar om ekonomiskt bistånd kan "
        "göras digitalt", indicator="Andel digitala ansökningar (%)", baseline="40 %",
        target="90 %", target_date=datetime.date(2028, 12, 31))
    do_set_goal_tracking(digital, acting_user=leader, per_partner=True,
                         baseline_date=datetime.date(2024, 12, 31))
    for code, values in DIGITAL.items():
        if code not in organisations:
            continue
        for period, value in zip(PERIODS, values, strict=True):
            do_add_measurement(digital, acting_user=_editor(code), period_end=period,
                               value=Decimal(value), organisation=organisations[code])
    lead_time = actions.do_add_goal(
        initiative, acting_user=leader, title="Kortare handläggningstid för ekonomiskt "
        "bistånd", indicator="Median handläggningstid (dagar)", baseline="14 dagar",
        target="7 dagar", target_date=datetime.date(2028, 12, 31))
    do_set_goal_tracking(lead_time, acting_user=leader, per_partner=False,
                         baseline_date=datetime.date(2024, 12, 31))
    for period, value in zip(PERIODS, LEAD_TIME, strict=True):
        do_add_measurement(lead_time, acting_user=leader, period_end=period,
                           value=Decimal(value), note="Alla kommuner tillsammans")


@transaction.atomic
def do_load_demo_consent() -> int:
    """Create Storsthlm's facilitated initiative if it does not exist; returns 1 if created."""
    codes = [FACILITATOR, *(code for code, _a, _r in INVITED)]
    organisations = {o.code: o for o in Organisation.objects.filter(code__in=codes)}
    if FACILITATOR not in organisations:
        return 0
    if Initiative.objects.filter(title=TITLE, is_illustrative=True,
                                 partners__role=Partner.Role.FACILITATOR).exists():
        return 0
    leader = User.objects.filter(username=LOGIN[0]).first()
    initiative = actions.do_create_initiative(
        acting_user=leader, lead=organisations[FACILITATOR], illustrative=True,
        lead_role=Partner.Role.FACILITATOR, title=TITLE,
        purpose="Storsthlm leder arbetet som processledare och betalar inget. Kommunerna "
        "delar en e-tjänsteplattform för ansökan om ekonomiskt bistånd i stället för att "
        "bygga var sin, och var och en beslutar själv om att delta.",
        phase="prestudy", is_public=True, start_date=datetime.date(2025, 1, 1), end_date=None,
        citizen_value=5, savings=4, feasibility=3, reach=4, risk_level=3,
    )
    _invite(initiative, organisations, leader)
    _proposals(initiative, organisations, leader)
    _decisions(initiative, organisations)
    _goals(initiative, organisations, leader)
    return 1
