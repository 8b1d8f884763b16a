"""Every write to initiatives goes through a ``do_*`` function here.

Each validates (so the web forms, the API and the CLI refuse the same things), writes in one
transaction and records who did it in the landscape audit log. Permission checks are the
caller's business, through ``access.py``.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mellanrum.commonality.models import Concept
from mellanrum.core.models import User
from mellanrum.journeys.models import Step
from mellanrum.landscape.actions import record_audit
from mellanrum.landscape.models import Activity, Contact, Organisation

from .models import (
    Alignment,
    ConceptLink,
    DecisionEntry,
    Goal,
    Initiative,
    Partner,
    PhaseChange,
    Risk,
    Statement,
    SteeringMember,
)

INITIATIVE_FIELDS = (
    "title", "purpose", "is_public", "phase", "start_date", "end_date",
    "citizen_value", "savings", "feasibility", "reach", "risk_level",
)
EARLIEST = datetime.date(1990, 1, 1)
LATEST = datetime.date(2100, 12, 31)


def today() -> datetime.date:
    return timezone.localdate()


def check_period(start: datetime.date | None, end: datetime.date | None) -> None:
    errors: dict[str, list[str]] = {}
    for name, value in (("start_date", start), ("end_date", end)):
        if value is not None and not EARLIEST <= value <= LATEST:
            errors[name] = [_("Give a date between 1990 and 2100.")]
    if not errors and start and end and end < start:
        errors["end_date"] = [_("The end date cannot be before the start date.")]
    if errors:
        raise ValidationError(errors)


def check_target_date(value: datetime.date) -> None:
    if value < today():
        raise ValidationError({"target_date": [_("A target date cannot be in the past.")]})
    if value > LATEST:
        raise ValidationError({"target_date": [_("Give a date between 1990 and 2100.")]})


def check_decision_date(value: datetime.date) -> None:
    if value > today():
        raise ValidationError(
            {"date": [_("A decision cannot be dated in the future; record it once it is taken.")]}
        )
    if value < EARLIEST:
        raise ValidationError({"date": [_("Give a date between 1990 and 2100.")]})


def _full_clean(obj: Any, exclude: list[str] | None = None, **kwargs: Any) -> None:
    """Model validation plus a refusal of NUL characters, which PostgreSQL cannot store."""
    errors = {
        f.name: [_("Remove the invisible control character (NUL) from the text.")]
        for f in obj._meta.concrete_fields
        if isinstance(getattr(obj, f.attname, None), str) and "\x00" in getattr(obj, f.attname)
    }
    if errors:
        raise ValidationError(errors)
    obj.full_clean(exclude=exclude, **kwargs)


def _lead_organisation(initiative: Initiative) -> Organisation | None:
    lead = initiative.partners.filter(role=Partner.Role.LEAD).select_related("organisation")
    first = lead.first()
    return first.organisation if first else None


def _audit(user: User | None, initiative: Initiative, action: str, *,
           organisation: Organisation | None = None, **detail: Any) -> None:
    """Record in the audit log of the organisation concerned (by default the lead)."""
    record_audit(user, organisation or _lead_organisation(initiative),
                 f"collaborations.{action}", initiative.title, initiative=initiative.pk,
                 **detail)


def _check_contact(organisation: Organisation, contact: Contact | None) -> None:
    if contact is not None and contact.organisation_id != organisation.pk:
        raise ValidationError(
            {"contact": [_("The contact person must belong to the partner organisation.")]}
        )


@transaction.atomic
def do_create_initiative(
    *, acting_user: User | None, lead: Organisation, lead_contact: Contact | None = None,
    illustrative: bool = False, **fields: Any,
) -> Initiative:
    unknown = set(fields) - set(INITIATIVE_FIELDS)
    if unknown:
        raise ValueError(f"unknown fields: {sorted(unknown)}")
    if not isinstance(lead, Organisation) or lead.pk is None:
        raise ValidationError({"lead": [_("Choose an organisation from the landscape.")]})
    _check_contact(lead, lead_contact)
    initiative = Initiative(**fields, is_illustrative=illustrative)
    if acting_user is not None and acting_user.is_authenticated:
        initiative.created_by = acting_user
    _full_clean(initiative, exclude=["created_by"])
    check_period(initiative.start_date, initiative.end_date)
    initiative.save()
    Partner.objects.create(initiative=initiative, organisation=lead, role=Partner.Role.LEAD,
                           contact=lead_contact)
    PhaseChange.objects.create(initiative=initiative, phase=initiative.phase,
                               changed_by=initiative.created_by)
    _audit(acting_user, initiative, "create")
    return initiative


@transaction.atomic
def do_update_initiative(initiative: Initiative, *, acting_user: User | None,
                         **fields: Any) -> Initiative:
    unknown = set(fields) - set(INITIATIVE_FIELDS)
    if unknown:
        raise ValueError(f"unknown fields: {sorted(unknown)}")
    initiative = Initiative.objects.select_for_update().get(pk=initiative.pk)
    old_phase = initiative.phase
    for name, value in fields.items():
        setattr(initiative, name, value)
    _full_clean(initiative, exclude=["created_by"])
    check_period(initiative.start_date, initiative.end_date)
    initiative.save(update_fields=[*fields, "updated_at"])
    if initiative.phase != old_phase:
        PhaseChange.objects.create(
            initiative=initiative, phase=initiative.phase,
            changed_by=acting_user if acting_user and acting_user.is_authenticated else None,
        )
    _audit(acting_user, initiative, "update", fields=",".join(sorted(fields)))
    return initiative


def _user_or_none(user: User | None) -> User | None:
    return user if user is not None and user.is_authenticated else None


@transaction.atomic
def do_add_goal(initiative: Initiative, *, acting_user: User | None, title: str,
                indicator: str, target: str, target_date: datetime.date, baseline: str = "",
                allow_past: bool = False) -> Goal:
    if not allow_past:
        check_target_date(target_date)
    goal = Goal(initiative=initiative, title=title, indicator=indicator, baseline=baseline,
                target=target, target_date=target_date)
    _full_clean(goal)
    goal.save()
    _audit(acting_user, initiative, "add_goal", goal=title)
    return goal


@transaction.atomic
def do_add_partner(initiative: Initiative, *, acting_user: User | None,
                   organisation: Organisation | None, role: str = Partner.Role.PARTNER,
                   contact: Contact | None = None) -> Partner:
    if not isinstance(organisation, Organisation) or organisation.pk is None:
        raise ValidationError({"organisation": [_("Choose an organisation from the landscape.")]})
    if role == Partner.Role.LEAD:
        raise ValidationError({"role": [_("An initiative has one lead, set when it is created.")]})
    if initiative.partners.filter(organisation=organisation).exists():
        raise ValidationError(
            {"organisation": [_("This organisation is already a partner.")]}
        )
    _check_contact(organisation, contact)
    partner = Partner(initiative=initiative, organisation=organisation, role=role,
                      contact=contact)
    _full_clean(partner, validate_constraints=False)
    partner.save()
    _audit(acting_user, initiative, "add_partner", partner=organisation.code, role=role)
    return partner


@transaction.atomic
def do_add_steering_member(initiative: Initiative, *, acting_user: User | None, name: str,
                           organisation: Organisation | None, role: str = "") -> SteeringMember:
    if not isinstance(organisation, Organisation) or organisation.pk is None:
        raise ValidationError({"organisation": [_("Choose an organisation from the landscape.")]})
    member = SteeringMember(initiative=initiative, name=name, organisation=organisation,
                            role=role)
    _full_clean(member)
    member.save()
    _audit(acting_user, initiative, "add_steering_member", name=name)
    return member


@transaction.atomic
def do_add_decision(initiative: Initiative, *, acting_user: User | None, date: datetime.date,
                    decision: str, decided_by: str, rationale: str = "") -> DecisionEntry:
    check_decision_date(date)
    entry = DecisionEntry(initiative=initiative, date=date, decision=decision,
                          decided_by=decided_by, rationale=rationale,
                          recorded_by=_user_or_none(acting_user))
    _full_clean(entry, exclude=["recorded_by"])
    entry.save()
    _audit(acting_user, initiative, "add_decision", date=date)
    return entry


@transaction.atomic
def do_add_risk(initiative: Initiative, *, acting_user: User | None, description: str,
                likelihood: int, impact: int, owner: str = "", mitigation: str = "") -> Risk:
    risk = Risk(initiative=initiative, description=description, likelihood=likelihood,
                impact=impact, owner=owner, mitigation=mitigation)
    _full_clean(risk)
    risk.save()
    _audit(acting_user, initiative, "add_risk", risk=description)
    return risk


@transaction.atomic
def do_link_concept(initiative: Initiative, *, acting_user: User | None,
                    concept_id: str) -> ConceptLink:
    concept = Concept.objects.filter(concept_id=concept_id).order_by("-run_id").first()
    if concept is None:
        raise ValidationError(
            {"concept": [_("No concept with this id in the latest commonality analysis.")]}
        )
    if initiative.concept_links.filter(concept_id=concept_id).exists():
        raise ValidationError({"concept": [_("This concept is already linked.")]})
    link = ConceptLink.objects.create(initiative=initiative, concept_id=concept.concept_id,
                                      label=concept.label)
    _audit(acting_user, initiative, "link_concept", concept=concept_id)
    return link


@transaction.atomic
def do_link_step(initiative: Initiative, *, acting_user: User | None, step: Step) -> None:
    initiative.steps.add(step)
    _audit(acting_user, initiative, "link_step", step=step.pk)


@transaction.atomic
def do_link_activity(initiative: Initiative, *, acting_user: User | None,
                     activity: Activity) -> None:
    initiative.activities.add(activity)
    _audit(acting_user, initiative, "link_activity", activity=activity.pk)


REMOVABLE = {
    "goal": Goal,
    "partner": Partner,
    "steering": SteeringMember,
    "risk": Risk,
    "concept": ConceptLink,
}


@transaction.atomic
def do_remove_item(initiative: Initiative, kind: str, pk: int, *,
                   acting_user: User | None) -> None:
    """Remove a goal, partner, steering member, risk, concept link, step or activity link.

    The decision log is append-only, and statements are removed by their own partner.
    """
    if kind == "step":
        initiative.steps.remove(pk)
    elif kind == "activity":
        initiative.activities.remove(pk)
    elif kind in REMOVABLE:
        item = REMOVABLE[kind].objects.filter(initiative=initiative, pk=pk).first()
        if item is None:
            raise ValidationError(_("That item does not exist any more."))
        if isinstance(item, Partner) and item.role == Partner.Role.LEAD:
            raise ValidationError(_("The lead partner cannot be removed."))
        if isinstance(item, Partner):
            Statement.objects.filter(initiative=initiative,
                                     organisation_id=item.organisation_id).delete()
        item.delete()
    else:
        raise ValueError(kind)
    _audit(acting_user, initiative, "remove", kind=kind, pk=pk)


@transaction.atomic
def do_add_statement(initiative: Initiative, *, acting_user: User | None,
                     organisation: Organisation, kind: str, text: str) -> Statement:
    if not initiative.partners.filter(organisation=organisation).exists():
        raise ValidationError(
            {"organisation": [_("Only partners of the initiative record statements.")]}
        )
    statement = Statement(initiative=initiative, organisation=organisation, kind=kind,
                          text=text.strip(), created_by=_user_or_none(acting_user))
    _full_clean(statement, exclude=["created_by"])
    statement.save()
    _audit(acting_user, initiative, "add_statement", organisation=organisation,
           partner=organisation.code)
    return statement


@transaction.atomic
def do_remove_statement(statement: Statement, *, acting_user: User | None) -> None:
    initiative = statement.initiative
    organisation = statement.organisation
    statement.delete()
    _audit(acting_user, initiative, "remove_statement", organisation=organisation)


@transaction.atomic
def do_set_alignment(statement: Statement, goal: Goal, stance: str, *,
                     acting_user: User | None) -> Alignment:
    if goal.initiative_id != statement.initiative_id:
        raise ValidationError({"goal": [_("The goal belongs to another initiative.")]})
    if stance not in Alignment.Stance.values:
        raise ValidationError({"stance": [_("Choose supports, neutral or conflicts.")]})
    alignment, _created = Alignment.objects.update_or_create(
        statement=statement, goal=goal,
        defaults={"stance": stance, "set_by": _user_or_none(acting_user)},
    )
    _audit(acting_user, statement.initiative, "set_alignment", statement=statement.pk,
           goal=goal.pk, stance=stance)
    return alignment
