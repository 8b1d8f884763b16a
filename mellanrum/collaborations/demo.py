"""Three illustrative initiatives among the Stockholm County demo municipalities.

Everything here is made up for the demo and flagged ``is_illustrative`` so the UI labels it.
Goals, statements, decisions, risks, ledgers and cost splits are written through the actions
like any other data. Every date is fixed and agrees with the others, as seen on 6 December
2026 (the demo's "today"): an initiative starts before its first decision, its ledger starts
in the year it started, and only whole years before 2026 have realised figures; so the demo
gives the same numbers whenever it is loaded.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import transaction

from mellanrum.benefits.demo import add_demo_ledger
from mellanrum.commonality.models import Concept
from mellanrum.journeys.models import Step
from mellanrum.landscape.models import Organisation

from . import actions
from .consent_actions import do_answer_invitation
from .models import Alignment, Initiative, Partner


@dataclass(frozen=True)
class DemoInitiative:
    title: str
    purpose: str
    phase: str
    ratings: tuple[int, int, int, int, int]
    lead: str
    partners: tuple[tuple[str, str], ...]
    start: datetime.date
    # title, indicator, baseline, target, target date
    goals: tuple[tuple[str, str, str, str, datetime.date], ...]
    statements: tuple[tuple[str, str, str], ...]  # organisation code, kind, text
    decisions: tuple[tuple[datetime.date, str, str, str], ...]  # date, decision, who, why
    risks: tuple[tuple[str, int, int, str, str], ...]
    concept_words: tuple[str, ...] = ()
    step_words: tuple[str, ...] = ()
    conflicts: tuple[tuple[int, int], ...] = field(default=())  # (statement index, goal index)
    is_public: bool = True
    # Ledger scale in kronor: the lead's investment; partners' figures are scaled from it.
    investment: int = 1_000_000
    split_method: str = "shapley"
    # What the split knows: "known" subgroup costs, a cost "formula" or a "capacity" model.
    split_model: str = "known"


DEMO = (
    DemoInitiative(
        title="Gemensam e-tjänst för ekonomiskt bistånd",
        purpose="Kommunerna driver samma tjänst i olika system. En gemensam e-tjänst ger "
        "invånarna samma ingång och delar utvecklingskostnaden.",
        phase="implementation", ratings=(5, 4, 3, 4, 3), lead="0182",
        start=datetime.date(2024, 2, 5),
        partners=(("0120", "partner"), ("0187", "partner"), ("0138", "observer")),
        goals=(
            ("Alla ansökningar kan göras digitalt", "Andel digitala ansökningar", "45 %",
             "90 %", datetime.date(2027, 12, 31)),
            ("Kortare handläggningstid för ekonomiskt bistånd", "Median handläggningstid",
             "14 dagar", "7 dagar", datetime.date(2027, 12, 31)),
        ),
        statements=(
            ("0182", "principle", "Vi återanvänder befintliga e-tjänsteplattformar."),
            ("0120", "goal", "Kortare handläggningstid för ekonomiskt bistånd till invånarna."),
            ("0187", "budget_rule",
             "Investeringar över 500 000 kr per år ryms inte i budgetramen."),
        ),
        decisions=(
            (datetime.date(2024, 2, 5), "Förstudie startas med Nacka som ledande part.",
             "Styrgruppen", "Nacka har störst volym och en befintlig plattform."),
            (datetime.date(2024, 9, 16), "Genomförandet startar; e-tjänsten tas i drift 2025.",
             "Kommundirektörerna", "Förstudien visade att två system räcker att integrera."),
        ),
        risks=(
            ("Olika verksamhetssystem gör integrationen dyr", 4, 4, "Projektledaren",
             "Börja med ett gemensamt API mot två system."),
        ),
        concept_words=("ekonomiskt bistånd", "försörjningsstöd"),
        conflicts=((2, 0),),
    ),
    DemoInitiative(
        title="Gemensam bygglovsprocess",
        purpose="En gemensam process och gemensamma mallar för bygglov gör handläggningen "
        "likvärdig och lättare att bemanna.",
        phase="implementation", ratings=(4, 3, 4, 3, 2), lead="0180",
        start=datetime.date(2024, 1, 15),
        partners=(("0114", "partner"), ("0126", "partner")),
        goals=(
            ("Lagstadgad handläggningstid hålls", "Andel ärenden inom 10 veckor", "78 %",
             "98 %", datetime.date(2027, 6, 30)),
        ),
        statements=(
            ("0180", "principle", "Bygglovsprocessen följer Boverkets vägledning."),
            ("0114", "constraint", "Handläggningen av bygglov får inte flyttas till en "
             "annan kommun."),
        ),
        decisions=(
            (datetime.date(2024, 1, 15), "Gemensamma mallar för beslut om bygglov tas fram.",
             "Styrgruppen", "Mallarna är det som ger mest likvärdighet till lägst kostnad."),
            (datetime.date(2024, 5, 20), "Genomförandet startar i juni 2024.",
             "Kommundirektörerna", ""),
        ),
        risks=(("Nyckelpersoner slutar under projektet", 3, 3, "HR", "Dokumentera och "
                "sprid kunskapen i ett gemensamt nätverk."),),
        concept_words=("bygglov",), step_words=("bygglov",),
        investment=600_000, split_method="nucleolus", split_model="formula",
    ),
    DemoInitiative(
        title="Gemensamt planeringssystem för hemtjänsten",
        purpose="Ett gemensamt system för att planera hemtjänstens besök ger bättre "
        "kontinuitet och lägre licenskostnader.",
        phase="idea", ratings=(4, 5, 2, 4, 4), lead="0136",
        start=datetime.date(2026, 10, 1),
        partners=(("0192", "partner"), ("0181", "partner")),
        goals=(
            ("Färre olika personal hos varje brukare", "Antal personal per brukare och "
             "14 dagar", "15", "10", datetime.date(2029, 12, 31)),
        ),
        statements=(
            ("0192", "constraint", "Personuppgifter får inte lagras utanför EU."),
            ("0136", "goal", "Bättre kontinuitet för brukare i hemtjänsten."),
        ),
        decisions=(),
        risks=(("Upphandlingen överprövas", 3, 4, "Upphandlingschefen",
                "Gemensam förstudie av marknaden före upphandlingen."),),
        concept_words=("hemtjänst",),
        is_public=False,
        investment=1_500_000, split_method="scrb", split_model="capacity",
    ),
)


def _link_concepts(initiative: Initiative, words: tuple[str, ...]) -> None:
    for word in words:
        concept = Concept.objects.filter(label__icontains=word).order_by("-run_id").first()
        if concept and not initiative.concept_links.filter(
            concept_id=concept.concept_id
        ).exists():
            actions.do_link_concept(initiative, acting_user=None,
                                    concept_id=concept.concept_id)


def _create(item: DemoInitiative, organisations: dict[str, Organisation]) -> Initiative:
    value, savings, feasibility, reach, risk = item.ratings
    initiative = actions.do_create_initiative(
        acting_user=None, lead=organisations[item.lead], illustrative=True,
        title=item.title, purpose=item.purpose, phase=item.phase, is_public=item.is_public,
        start_date=item.start, end_date=None, citizen_value=value,
        savings=savings, feasibility=feasibility, reach=reach, risk_level=risk,
    )
    for code, role in item.partners:
        if code in organisations:
            partner = actions.do_add_partner(initiative, acting_user=None,
                                             organisation=organisations[code], role=role)
            do_answer_invitation(partner, acting_user=None, accept=True)
    goals = [
        actions.do_add_goal(initiative, acting_user=None, title=title, indicator=indicator,
                            baseline=baseline, target=target, target_date=target_date)
        for title, indicator, baseline, target, target_date in item.goals
    ]
    statements = [
        actions.do_add_statement(initiative, acting_user=None,
                                 organisation=organisations[code], kind=kind, text=text)
        for code, kind, text in item.statements if code in organisations
    ]
    for day, decision, who, rationale in item.decisions:
        actions.do_add_decision(initiative, acting_user=None, date=day, decision=decision,
                                decided_by=who, rationale=rationale)
    for description, likelihood, impact, owner, mitigation in item.risks:
        actions.do_add_risk(initiative, acting_user=None, description=description,
                            likelihood=likelihood, impact=impact, owner=owner,
                            mitigation=mitigation)
    for statement_index, goal_index in item.conflicts:
        if statement_index < len(statements):
            actions.do_set_alignment(statements[statement_index], goals[goal_index],
                                     Alignment.Stance.CONFLICTS, acting_user=None)
    _link_concepts(initiative, item.concept_words)
    for word in item.step_words:
        step = Step.objects.filter(need__icontains=word).first()
        if step:
            actions.do_link_step(initiative, acting_user=None, step=step)
    return initiative


@transaction.atomic
def do_load_demo_initiatives() -> int:
    """Create the demo initiatives that do not exist yet; returns how many were created."""
    codes = {code for item in DEMO for code in [item.lead, *(c for c, _r in item.partners)]}
    organisations = {o.code: o for o in Organisation.objects.filter(code__in=codes)}
    created = 0
    for item in DEMO:
        if item.lead not in organisations:
            continue
        existing = Initiative.objects.filter(
            title=item.title, is_illustrative=True,
            partners__role=Partner.Role.LEAD, partners__organisation=organisations[item.lead],
        ).first()
        if existing is None:
            existing = _create(item, organisations)
            created += 1
        add_demo_ledger(existing, investment=item.investment, start=item.start,
                        method=item.split_method, model=item.split_model)
    return created
