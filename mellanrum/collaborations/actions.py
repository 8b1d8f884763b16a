"""Every write to initiatives goes through a ``do_*`` function here.

Each validates (so the web forms, the API and the CLI refuse the same things), writes in one
transaction and records who did it in the landscape audit log. Permission checks are the
caller's business, through ``access.py``.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mellanrum.benefits.analysis import CalculatorError, method_key
from mellanrum.commonality.models import Concept
from mellanrum.core.actions import record_audit
from mellanrum.core.models import User
from mellanrum.core.validation import full_clean_refusing_nul
from mellanrum.engines import benefits as ledger_engine
from mellanrum.journeys.models import Step
from mellanrum.landscape.actions import EditConflict
from mellanrum.landscape.models import Activity, Contact, Organisation

from . import analysis
from .models import (
    Alignment,
    ConceptLink,
    CostSplit,
    DecisionEntry,
    Economics,
    Goal,
    Initiative,
    LedgerRow,
    Partner,
    PhaseChange,
    Risk,
    Statement,
    SteeringMember,
)
from .split_input import SplitOptions, check_split_options

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


# --- Benefits ledger --------------------------------------------------------------------------

LEDGER_FIELDS = ("year", "kind", "planned", "realised", "description")


def _amount(value: Any, field: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: [_("Give a number, e.g. 125000 or 125000.50.")]}) from None
    if not number.is_finite():
        raise ValidationError({field: [_("Give a number, e.g. 125000 or 125000.50.")]})
    return number


def check_ledger_values(kind: str, year: Any, planned: Any, realised: Any,
                        description: str) -> tuple[Decimal | None, Decimal | None]:
    """Validate one ledger row's values with messages for people; returns the amounts."""
    errors: dict[str, list[str]] = {}
    if kind not in LedgerRow.Kind.values:
        raise ValidationError({"kind": [_("Choose a kind of cost or benefit.")]})
    if not isinstance(year, int) or not ledger_engine.MIN_YEAR <= year <= ledger_engine.MAX_YEAR:
        errors["year"] = [_("Give a year between %(low)s and %(high)s.") % {
            "low": ledger_engine.MIN_YEAR, "high": ledger_engine.MAX_YEAR}]
    planned_value = _amount(planned, "planned")
    realised_value = _amount(realised, "realised")
    if kind == LedgerRow.Kind.QUALITATIVE:
        if planned_value is not None or realised_value is not None:
            errors["planned"] = [_("A qualitative benefit is described in words, without an "
                                   "amount; choose another kind to give an amount.")]
        if not description.strip():
            errors["description"] = [_("Describe the qualitative benefit.")]
    else:
        limit = ledger_engine.MAX_HOURS if kind == LedgerRow.Kind.HOURS else \
            ledger_engine.MAX_KRONOR
        if planned_value is None:
            errors["planned"] = [_("Give the planned amount (0 if nothing is planned).")]
        for name, value in (("planned", planned_value), ("realised", realised_value)):
            if value is None:
                continue
            if value < 0:
                errors[name] = [_("Amounts cannot be negative: record a cost as a cost row "
                                  "and a benefit as a benefit row.")]
            elif value > limit:
                errors[name] = [_("The amount is unreasonably large (more than %(limit)s); "
                                  "check the unit.") % {"limit": f"{limit:,.0f}".replace(",",
                                                                                      " ")}]
            elif value != value.quantize(Decimal("0.01")):
                errors[name] = [_("Give at most two decimals.")]
        if realised_value is not None and isinstance(year, int) and year > today().year:
            errors["realised"] = [_("A realised amount cannot be recorded for a future year.")]
    if errors:
        raise ValidationError(errors)
    return planned_value, realised_value


def _check_partner(initiative: Initiative, organisation: Any) -> None:
    if not isinstance(organisation, Organisation) or organisation.pk is None:
        raise ValidationError({"organisation": [_("Choose an organisation from the landscape.")]})
    if not initiative.partners.filter(organisation=organisation).exists():
        raise ValidationError(
            {"organisation": [_("Only partners of the initiative keep ledger rows.")]}
        )
    check_accepted(initiative, organisation)


def _build_row(initiative: Initiative, organisation: Organisation, year: Any, kind: str,
               planned: Any, realised: Any, description: str,
               acting_user: User | None) -> LedgerRow:
    _check_partner(initiative, organisation)
    planned_value, realised_value = check_ledger_values(kind, year, planned, realised,
                                                        description)
    row = LedgerRow(initiative=initiative, organisation=organisation, year=year, kind=kind,
                    planned=planned_value, realised=realised_value,
                    description=description.strip(), updated_by=_user_or_none(acting_user))
    full_clean_refusing_nul(row, exclude=["updated_by"])
    return row


@transaction.atomic
def do_add_ledger_row(initiative: Initiative, *, acting_user: User | None,
                      organisation: Organisation, year: int, kind: str,
                      planned: Any = None, realised: Any = None,
                      description: str = "") -> LedgerRow:
    row = _build_row(initiative, organisation, year, kind, planned, realised, description,
                     acting_user)
    row.save()
    _audit(acting_user, initiative, "add_ledger_row", organisation=organisation,
           partner=organisation.code, year=year, kind=kind, planned=row.planned,
           realised=row.realised)
    return row


SHARE_KINDS = (LedgerRow.Kind.INVESTMENT, LedgerRow.Kind.RUNNING)


@transaction.atomic
def do_take_split_share(split: CostSplit, *, acting_user: User | None,
                        organisation: Organisation, year: Any, kind: str) -> LedgerRow:
    """Enter a partner's share of the chosen split as a planned cost in its own ledger.

    Each partner does this for itself (a partner keeps only its own rows), once per split; the
    row says which split it came from, and is edited like any other row afterwards.
    """
    # Lock the split so that two clicks at once cannot both enter the share.
    split = CostSplit.objects.select_for_update().select_related("initiative").get(pk=split.pk)
    initiative = split.initiative
    if not isinstance(organisation, Organisation) or organisation.code not in split.amounts:
        raise ValidationError({"organisation": [
            _("Only partners that pay a share of this split can enter it.")]})
    if kind not in SHARE_KINDS:
        raise ValidationError({"kind": [_("A share of the joint cost is an investment cost or "
                                          "a running cost.")]})
    taken = split.ledger_rows.filter(organisation=organisation).first()
    if taken is not None:
        raise ValidationError({"organisation": [
            _("%(name)s's share of this split is already in the ledger (%(year)s).")
            % {"name": organisation.name, "year": taken.year}]})
    description = _("Share of the joint cost by %(method)s, chosen %(date)s") % {
        "method": split.chosen["label"], "date": f"{split.chosen_at:%Y-%m-%d}"}
    share = Decimal(str(split.amounts[organisation.code])).quantize(Decimal("0.01"))
    row = _build_row(initiative, organisation, year, kind, share, None, description[:500],
                     acting_user)
    row.cost_split = split
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:  # entered by a request that raced this one (the constraint holds)
        raise ValidationError({"organisation": [
            _("%(name)s's share of this split is already in the ledger.")
            % {"name": organisation.name}]}) from None
    _audit(acting_user, initiative, "take_split_share", organisation=organisation,
           partner=organisation.code, split=split.pk, year=row.year, kind=kind,
           planned=row.planned)
    return row


@transaction.atomic
def do_update_ledger_row(row: LedgerRow, *, acting_user: User | None,
                         expected_version: int | None = None, **fields: Any) -> LedgerRow:
    unknown = set(fields) - set(LEDGER_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    current: LedgerRow = _locked(row, expected_version)
    values = {name: fields.get(name, getattr(current, name)) for name in LEDGER_FIELDS}
    planned, realised = check_ledger_values(values["kind"], values["year"], values["planned"],
                                            values["realised"], values["description"] or "")
    old = {f"old_{k}": getattr(current, k) for k in LEDGER_FIELDS}
    current.year, current.kind = values["year"], values["kind"]
    current.planned, current.realised = planned, realised
    current.description = (values["description"] or "").strip()
    current.updated_by = _user_or_none(acting_user)
    full_clean_refusing_nul(current, exclude=["updated_by"])
    current.version += 1
    current.save(update_fields=[*LEDGER_FIELDS, "updated_by", "version", "updated_at"])
    _audit(acting_user, row.initiative, "update_ledger_row", organisation=row.organisation,
           partner=row.organisation.code, row=row.pk, **old)
    current.initiative = row.initiative
    return current


@transaction.atomic
def do_remove_ledger_row(row: LedgerRow, *, acting_user: User | None) -> None:
    initiative, organisation = row.initiative, row.organisation
    _audit(acting_user, initiative, "remove_ledger_row", organisation=organisation,
           partner=organisation.code, year=row.year, kind=row.kind, planned=row.planned,
           realised=row.realised)
    row.delete()


@dataclass(frozen=True)
class LedgerImportRow:
    line: int
    organisation: str  # code
    year: Any
    kind: str
    planned: Any
    realised: Any
    description: str


class LedgerImportError(Exception):
    """Rows of an import that were refused; nothing was written."""

    def __init__(self, errors: list[tuple[int, str]]) -> None:
        super().__init__(f"{len(errors)} rows refused")
        self.errors = errors


@transaction.atomic
def do_import_ledger(initiative: Initiative, rows: Sequence[LedgerImportRow], *,
                     acting_user: User | None,
                     allowed: Sequence[Organisation]) -> list[LedgerRow]:
    """Add many rows, all or nothing; ``allowed`` are the organisations the user speaks for."""
    by_code = {o.code: o for o in allowed}
    errors: list[tuple[int, str]] = []
    built: list[LedgerRow] = []
    for item in rows:
        organisation = by_code.get(item.organisation)
        if organisation is None:
            errors.append((item.line, _("organisation: %(code)s is not a partner you may "
                                        "write ledger rows for.") % {
                                            "code": item.organisation[:40]}))
            continue
        try:
            year = int(str(item.year).strip())
        except ValueError:
            year = None
        try:
            built.append(_build_row(initiative, organisation, year, str(item.kind).strip(),
                                    item.planned, item.realised, item.description or "",
                                    acting_user))
        except ValidationError as exc:
            messages = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
            for field, texts in messages.items():
                errors.append((item.line, f"{field}: {' '.join(texts)}" if field else
                               " ".join(texts)))
    if errors:
        raise LedgerImportError(errors)
    for row in built:
        row.save()
    _audit(acting_user, initiative, "import_ledger", rows=len(built))
    return built


@transaction.atomic
def do_set_economics(initiative: Initiative, *, acting_user: User | None,
                     discount_rate_percent: Any, hourly_cost: Any,
                     base_year: int | None) -> Economics:
    rate = _amount(discount_rate_percent, "discount_rate_percent")
    hourly = _amount(hourly_cost, "hourly_cost")
    errors: dict[str, list[str]] = {}
    if rate is None or not Decimal(0) <= rate <= ledger_engine.MAX_RATE * 100:
        errors["discount_rate_percent"] = [_("Give a discount rate between 0 and 20 %.")]
    if hourly is None or not Decimal(0) <= hourly <= ledger_engine.MAX_HOURLY_COST:
        errors["hourly_cost"] = [_("Give an hourly cost between 0 and 10 000 kr.")]
    if base_year is not None and not (
        isinstance(base_year, int)
        and ledger_engine.MIN_YEAR <= base_year <= ledger_engine.MAX_YEAR
    ):
        errors["base_year"] = [_("Give a year between %(low)s and %(high)s.") % {
            "low": ledger_engine.MIN_YEAR, "high": ledger_engine.MAX_YEAR}]
    if errors:
        raise ValidationError(errors)
    assert rate is not None and hourly is not None  # refused above otherwise
    economics, _created = Economics.objects.select_for_update().get_or_create(
        initiative=initiative)
    economics.discount_rate_percent = rate
    economics.hourly_cost = hourly
    economics.base_year = base_year
    economics.updated_by = _user_or_none(acting_user)
    full_clean_refusing_nul(economics, exclude=["updated_by", "initiative"])
    economics.save()
    _audit(acting_user, initiative, "set_economics", discount_rate=rate, hourly_cost=hourly,
           base_year=base_year or "")
    return economics


def check_split_input(initiative: Initiative, joint_cost: Any,
                      standalone: Mapping[str, Any]) -> tuple[Decimal, dict[str, Decimal]]:
    """The joint cost and every paying partner's stand-alone cost, validated."""
    errors: dict[str, list[str]] = {}
    joint = _amount(joint_cost, "joint_cost")
    if joint is None or not Decimal(0) < joint <= ledger_engine.MAX_KRONOR:
        errors["joint_cost"] = [_("Give a joint cost above 0 and at most 10 000 million kr.")]
    partners = analysis.paying_partners(initiative)
    if len(partners) < 2:
        errors["joint_cost"] = [_("A joint cost is split between at least two paying partners "
                                  "(observers do not pay).")]
    codes = {p.organisation.code for p in partners}
    unknown = set(standalone) - codes
    if unknown:
        errors["standalone"] = [_("Not a paying partner of the initiative: %(codes)s.") % {
            "codes": ", ".join(sorted(c[:40] for c in unknown)[:5])}]
    alone: dict[str, Decimal] = {}
    for code in sorted(codes):
        field = f"alone_{code}"
        try:
            value = _amount(standalone.get(code), field)
        except ValidationError as exc:
            errors.update(exc.message_dict)
            continue
        if value is None or not Decimal(0) < value <= ledger_engine.MAX_KRONOR:
            errors[field] = [_("Give what the partner would pay alone: above 0 and at most "
                               "10 000 million kr.")]
            continue
        alone[code] = value
    if errors:
        raise ValidationError(errors)
    assert joint is not None
    return joint, alone


def check_split(initiative: Initiative, joint_cost: Any, standalone: Mapping[str, Any],
                groups: str = "", fixed_percent: Any = None, model: str = "known",
                formula: Mapping[str, Any] | None = None,
                volumes: Mapping[str, Any] | None = None,
                ) -> tuple[Decimal, dict[str, Decimal], SplitOptions]:
    """Everything the split page was given, validated: every field's message at once. With
    the cost model, the joint and stand-alone costs follow from the model."""
    if model == "formula":
        options = check_split_options(
            analysis.paying_partners(initiative), groups=groups, fixed_percent=fixed_percent,
            model=model, formula=formula, volumes=volumes)
        codes = list(options.volumes)
        by_model = check_split_input(
            initiative, options.cost_of(codes), {c: options.cost_of([c]) for c in codes})
        return by_model[0], by_model[1], options
    errors: dict[str, list[str]] = {}
    joint: Decimal | None = None
    alone: dict[str, Decimal] = {}
    try:
        joint, alone = check_split_input(initiative, joint_cost, standalone)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        options = check_split_options(
            analysis.paying_partners(initiative), groups=groups, fixed_percent=fixed_percent,
            model=model, joint=joint, alone=alone if not errors else None)
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    assert joint is not None
    return joint, alone, options


@transaction.atomic
def do_choose_cost_split(initiative: Initiative, *, acting_user: User | None,
                         joint_cost: Any, standalone: Mapping[str, Any], method: str,
                         rationale: str = "", groups: str = "", fixed_percent: Any = None,
                         model: str = "known", formula: Mapping[str, Any] | None = None,
                         volumes: Mapping[str, Any] | None = None) -> CostSplit:
    """Store the lead's choice of how the joint cost is split, with what was known (subgroup
    costs, the capacity model, the fixed share), the comparison of every method and the core
    check as they are now."""
    joint, alone, options = check_split(initiative, joint_cost, standalone, groups,
                                        fixed_percent, model, formula, volumes)
    try:
        comparison = analysis.compare_split(initiative, joint, alone, options)
    except CalculatorError as exc:
        raise ValidationError({"joint_cost": [str(exc)]}) from None
    snapshot = analysis.comparison_snapshot(comparison)
    # The key "fast del + rörlig del" is chosen by name; its stored method has the share.
    chosen = next((r for r in snapshot if method_key(r["method"]) == method_key(method)),
                  None)
    if chosen is None:
        raise ValidationError({"method": [_("Choose one of the methods compared.")]})
    split = CostSplit(
        initiative=initiative, joint_cost=joint,
        standalone={code: str(value) for code, value in alone.items()},
        game=options.as_json(),
        names={p.code: p.name for p in comparison.partners},
        method=chosen["method"], method_label=chosen["label"], amounts=chosen["amounts"],
        comparison=snapshot, in_core=chosen["in_core"],
        core_is_empty=comparison.core_is_empty, stability=chosen["stability"],
        rationale=rationale.strip(), chosen_by=_user_or_none(acting_user),
    )
    full_clean_refusing_nul(split, exclude=["chosen_by"])
    split.save()
    _audit(acting_user, initiative, "choose_cost_split", method=chosen["method"],
           joint_cost=joint)
    return split
