"""Every write to initiatives goes through a ``do_*`` function here.

Each validates (so the web forms, the API and the CLI refuse the same things), writes in one
transaction and records who did it in the landscape audit log. Permission checks are the
caller's business, through ``access.py``.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mellanrum.benefits.models import LedgerRow
from mellanrum.commonality.models import Concept
from mellanrum.core.actions import record_audit
from mellanrum.core.models import User
from mellanrum.core.validation import full_clean_refusing_nul
from mellanrum.journeys.models import Step
from mellanrum.landscape.actions import EditConflict
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

__all__ = ["EditConflict"]

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


def _lead_organisation(initiative: Initiative) -> Organisation | None:
    lead = initiative.lead
    return lead.organisation if lead else None


def _audit(user: User | None, initiative: Initiative, action: str, *,
           organisation: Organisation | None = None, **detail: Any) -> None:
    """Record in the audit log of the organisation concerned (by default the lead)."""
    record_audit(user, organisation or _lead_organisation(initiative),
                 f"collaborations.{action}", initiative.title, initiative=initiative.pk,
                 **detail)


def check_accepted(initiative: Initiative, organisation: Organisation) -> Partner:
    """The partner, if it has accepted its invitation; a clear refusal otherwise."""
    partner = initiative.partners.filter(organisation=organisation).first()
    if partner is None:
        raise ValidationError({"organisation": [
            _("%(name)s is not a partner of the initiative.") % {"name": organisation.name}]})
    if partner.status == Partner.Status.DECLINED:
        raise ValidationError({"organisation": [
            _("%(name)s has declined the invitation to the initiative and cannot act in it.")
            % {"name": organisation.name}]})
    if partner.status == Partner.Status.INVITED:
        raise ValidationError({"organisation": [
            _("%(name)s has not accepted the invitation yet; until one of its editors accepts, "
              "it reads the initiative but cannot act in it.") % {"name": organisation.name}]})
    return partner


def _check_contact(organisation: Organisation, contact: Contact | None) -> None:
    if contact is not None and contact.organisation_id != organisation.pk:
        raise ValidationError(
            {"contact": [_("The contact person must belong to the partner organisation.")]}
        )


@transaction.atomic
def do_create_initiative(
    *, acting_user: User | None, lead: Organisation, lead_contact: Contact | None = None,
    illustrative: bool = False, lead_role: str = Partner.Role.LEAD, **fields: Any,
) -> Initiative:
    """Create an initiative run by ``lead``: as its paying lead, or as a facilitator
    (processledare) that runs it and pays nothing. The organisation that starts it has
    consented by starting it."""
    unknown = set(fields) - set(INITIATIVE_FIELDS)
    if unknown:
        raise ValueError(f"unknown fields: {sorted(unknown)}")
    if not isinstance(lead, Organisation) or lead.pk is None:
        raise ValidationError({"lead": [_("Choose an organisation from the landscape.")]})
    _check_contact(lead, lead_contact)
    if lead_role not in Partner.RUNNING_ROLES:
        raise ValidationError({"lead_role": [_("Lead as the paying lead or as facilitator.")]})
    initiative = Initiative(**fields, is_illustrative=illustrative)
    if acting_user is not None and acting_user.is_authenticated:
        initiative.created_by = acting_user
    full_clean_refusing_nul(initiative, exclude=["created_by"])
    check_period(initiative.start_date, initiative.end_date)
    initiative.save()
    now = timezone.now()
    Partner.objects.create(initiative=initiative, organisation=lead, role=lead_role,
                           contact=lead_contact, status=Partner.Status.ACCEPTED,
                           invited_at=now, answered_at=now,
                           answered_by=_user_or_none(acting_user))
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
    if "phase" in fields and fields["phase"] != old_phase:
        from .consent_actions import check_phase_change

        check_phase_change(initiative, fields["phase"])
    for name, value in fields.items():
        setattr(initiative, name, value)
    full_clean_refusing_nul(initiative, exclude=["created_by"])
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
    full_clean_refusing_nul(goal)
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
    if role == Partner.Role.FACILITATOR and initiative.partners.filter(role=role).exists():
        raise ValidationError({"role": [_("The initiative already has a facilitator.")]})
    if initiative.partners.filter(organisation=organisation).exists():
        raise ValidationError(
            {"organisation": [_("This organisation is already a partner.")]}
        )
    _check_contact(organisation, contact)
    # Joining is consent: the organisation is invited, and one of its editors answers.
    partner = Partner(initiative=initiative, organisation=organisation, role=role,
                      contact=contact, status=Partner.Status.INVITED, invited_at=timezone.now(),
                      invited_by=_user_or_none(acting_user))
    full_clean_refusing_nul(partner, validate_constraints=False,
                            exclude=["invited_by", "answered_by"])
    partner.save()
    _audit(acting_user, initiative, "invite_partner", partner=organisation.code, role=role)
    return partner


@transaction.atomic
def do_add_steering_member(initiative: Initiative, *, acting_user: User | None, name: str,
                           organisation: Organisation | None, role: str = "") -> SteeringMember:
    if not isinstance(organisation, Organisation) or organisation.pk is None:
        raise ValidationError({"organisation": [_("Choose an organisation from the landscape.")]})
    member = SteeringMember(initiative=initiative, name=name, organisation=organisation,
                            role=role)
    full_clean_refusing_nul(member)
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
    full_clean_refusing_nul(entry, exclude=["recorded_by"])
    entry.save()
    _audit(acting_user, initiative, "add_decision", date=date)
    return entry


@transaction.atomic
def do_add_risk(initiative: Initiative, *, acting_user: User | None, description: str,
                likelihood: int, impact: int, owner: str = "", mitigation: str = "") -> Risk:
    risk = Risk(initiative=initiative, description=description, likelihood=likelihood,
                impact=impact, owner=owner, mitigation=mitigation)
    full_clean_refusing_nul(risk)
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


REMOVABLE: dict[str, type[Goal | Partner | SteeringMember | Risk | ConceptLink]] = {
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

    Decision entries are never removed (corrections are edits, kept in the audit log), and
    statements are removed by their own partner.
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
        if isinstance(item, Partner) and item.runs and not initiative.partners.filter(
                role__in=Partner.RUNNING_ROLES, status=Partner.Status.ACCEPTED).exclude(
                pk=item.pk).exists():
            raise ValidationError(_("The facilitator runs the initiative and cannot be "
                                    "removed."))
        if isinstance(item, Partner) and LedgerRow.objects.filter(
            initiative=initiative, organisation_id=item.organisation_id
        ).exists():
            raise ValidationError(_("The partner has rows in the benefits ledger. Its editors "
                                    "remove them first, so that no figures are lost by "
                                    "accident."))
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
    check_accepted(initiative, organisation)
    statement = Statement(initiative=initiative, organisation=organisation, kind=kind,
                          text=text.strip(), created_by=_user_or_none(acting_user))
    full_clean_refusing_nul(statement, exclude=["created_by"])
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


# --- Editing goals, risks, decisions and statements (optimistic locking) --------------------

GOAL_FIELDS = ("title", "indicator", "baseline", "target", "target_date")
RISK_FIELDS = ("description", "likelihood", "impact", "owner", "mitigation")
DECISION_FIELDS = ("date", "decision", "decided_by", "rationale")
STATEMENT_FIELDS = ("kind", "text")


def _locked(obj: Any, expected_version: int | None) -> Any:
    """The row locked for update; ``EditConflict`` when someone saved it since it was read."""
    current = type(obj).objects.select_for_update().filter(pk=obj.pk).first()
    if current is None:
        raise ValidationError(_("That item does not exist any more."))
    if expected_version is not None and current.version != expected_version:
        raise EditConflict
    return current


def _update(obj: Any, allowed: Sequence[str], fields: Mapping[str, Any],
            expected_version: int | None, exclude: list[str] | None = None,
            ) -> tuple[Any, dict[str, Any]]:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    current = _locked(obj, expected_version)
    old = {name: getattr(current, name) for name in fields}
    for name, value in fields.items():
        setattr(current, name, value)
    full_clean_refusing_nul(current, exclude=exclude)
    current.version += 1
    current.save(update_fields=[*fields, "version"])
    changed = {f"old_{k}": v for k, v in old.items() if v != fields[k]}
    return current, changed


@transaction.atomic
def do_update_goal(goal: Goal, *, acting_user: User | None, expected_version: int | None = None,
                   **fields: Any) -> Goal:
    # A target date may stay as it was even when it has passed; a new one must be ahead.
    if "target_date" in fields and fields["target_date"] != goal.target_date:
        check_target_date(fields["target_date"])
    goal, old = _update(goal, GOAL_FIELDS, fields, expected_version)
    _audit(acting_user, goal.initiative, "update_goal", goal=goal.title, **old)
    return goal


@transaction.atomic
def do_update_risk(risk: Risk, *, acting_user: User | None, expected_version: int | None = None,
                   **fields: Any) -> Risk:
    risk, old = _update(risk, RISK_FIELDS, fields, expected_version)
    _audit(acting_user, risk.initiative, "update_risk", risk=risk.description, **old)
    return risk


@transaction.atomic
def do_update_decision(entry: DecisionEntry, *, acting_user: User | None,
                       expected_version: int | None = None, **fields: Any) -> DecisionEntry:
    """Correct a decision log entry; the audit log keeps the text it replaced."""
    if "date" in fields:
        check_decision_date(fields["date"])
    entry, old = _update(entry, DECISION_FIELDS, fields, expected_version,
                         exclude=["recorded_by"])
    _audit(acting_user, entry.initiative, "update_decision", date=entry.date, **old)
    return entry


@transaction.atomic
def do_update_statement(statement: Statement, *, acting_user: User | None,
                        expected_version: int | None = None, **fields: Any) -> Statement:
    if "text" in fields:
        fields["text"] = str(fields["text"]).strip()
    organisation = statement.organisation
    statement, old = _update(statement, STATEMENT_FIELDS, fields, expected_version,
                             exclude=["created_by"])
    _audit(acting_user, statement.initiative, "update_statement", organisation=organisation,
           partner=organisation.code, **old)
    return statement
