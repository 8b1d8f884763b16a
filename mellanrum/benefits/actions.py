"""Every write to ledgers, their valuation and cost splits goes through a ``do_*`` function
here.

Each validates (so the web forms, the API and the CLI refuse the same things), writes in one
transaction and records who did it in the audit log of the organisation concerned (the action
names keep their ``collaborations.`` prefix from before the move, so the log reads on).
Permission checks are the caller's business, through ``access.py``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mellanrum.collaborations.actions import _audit, _locked, _user_or_none, check_accepted, today
from mellanrum.collaborations.models import Initiative
from mellanrum.core.models import User
from mellanrum.core.validation import full_clean_refusing_nul
from mellanrum.engines import realisation as ledger_engine
from mellanrum.landscape.actions import EditConflict
from mellanrum.landscape.models import Organisation

from . import split as split_analysis
from .analysis import CalculatorError, method_key
from .models import CostSplit, Economics, LedgerRow, PartnerBudget
from .payers import paying_partners
from .split_input import SplitOptions, check_split_options

__all__ = ["EditConflict"]

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
MAX_SPLIT_YEARS = 10
FOLLOWS_SPLIT = gettext_lazy(
    "This planned cost is the partner's share of the chosen split and changes only with the "
    "split; record what was actually paid as the realised amount.")


def _share_description(split: CostSplit) -> str:
    return (_("Share of the joint cost by %(method)s, chosen %(date)s") % {
        "method": split.chosen["label"], "date": f"{split.chosen_at:%Y-%m-%d}"})[:500]


def _sync_split_rows(split: CostSplit, acting_user: User | None) -> None:
    """Make every paying partner's planned cost rows follow the split: one row a year for each
    partner with a share, earlier splits' rows replaced (a row with a realised amount is kept,
    no longer tied to a split) and every confirmation reset. Recorded in each partner's log."""
    initiative = split.initiative
    payers = {p.organisation.code: p.organisation for p in paying_partners(initiative)}
    assert split.first_year is not None
    years = range(split.first_year, split.first_year + split.years)
    shares = {code: Decimal(str(amount)).quantize(Decimal("0.01"))
              for code, amount in split.amounts.items() if code in payers}
    wanted = {(code, year): share for code, share in shares.items() if share > 0
              for year in years}
    description = _share_description(split)
    user = _user_or_none(acting_user)
    kept: set[tuple[str, int]] = set()
    for row in LedgerRow.objects.select_for_update().select_related("organisation").filter(
            initiative=initiative, cost_split__isnull=False).order_by("pk"):
        key = (row.organisation.code, row.year)
        if key in wanted and key not in kept:
            kept.add(key)
            row.planned, row.kind, row.cost_split = wanted[key], split.cost_kind, split
            row.description, row.updated_by, row.version = description, user, row.version + 1
            row.confirmed_at = row.confirmed_by = None
            row.save(update_fields=["planned", "kind", "cost_split", "description",
                                    "updated_by", "version", "confirmed_at", "confirmed_by",
                                    "updated_at"])
        elif row.realised is not None:
            row.cost_split, row.confirmed_at, row.confirmed_by = None, None, None
            row.save(update_fields=["cost_split", "confirmed_at", "confirmed_by",
                                    "updated_at"])
        else:
            row.delete()
    for (code, year), share in sorted(wanted.items()):
        if (code, year) not in kept:
            LedgerRow.objects.create(
                initiative=initiative, organisation=payers[code], year=year,
                kind=split.cost_kind, planned=share, description=description,
                cost_split=split, updated_by=user)
    for code, organisation in payers.items():
        _audit(acting_user, initiative, "split_rows_replaced", organisation=organisation,
               partner=code, split=split.pk, planned=shares.get(code, Decimal(0)),
               kind=split.cost_kind, first_year=split.first_year, years=split.years)


@transaction.atomic
def do_confirm_split_share(split: CostSplit, *, acting_user: User | None,
                           organisation: Organisation) -> int:
    """The partner's editor confirms the planned cost rows its share of the split put in its
    ledger (who and when are kept until the split changes). Returns how many rows.

    Whether the user speaks for the organisation is the caller's check
    (``access.may_confirm``)."""
    split = CostSplit.objects.select_for_update().select_related("initiative").get(pk=split.pk)
    current = split.initiative.cost_splits.first()
    if current is None or current.pk != split.pk:
        raise ValidationError(_("A newer split has been chosen; confirm your share of that."))
    rows = split.ledger_rows.filter(organisation=organisation)
    if not isinstance(organisation, Organisation) or not rows.exists():
        raise ValidationError({"organisation": [
            _("%(name)s pays no share of this split, so there is nothing to confirm.")
            % {"name": getattr(organisation, "name", "")}]})
    count = rows.update(confirmed_at=timezone.now(), confirmed_by=_user_or_none(acting_user))
    _audit(acting_user, split.initiative, "confirm_split_share", organisation=organisation,
           partner=organisation.code, split=split.pk, rows=count)
    return count


@transaction.atomic
def do_update_ledger_row(row: LedgerRow, *, acting_user: User | None,
                         expected_version: int | None = None, **fields: Any) -> LedgerRow:
    unknown = set(fields) - set(LEDGER_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    current: LedgerRow = _locked(row, expected_version)
    values = {name: fields.get(name, getattr(current, name)) for name in LEDGER_FIELDS}
    if current.follows_split and any(
            _changed(values[name], getattr(current, name)) for name in SPLIT_FIELDS):
        raise ValidationError({"planned": [str(FOLLOWS_SPLIT)]})
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


SPLIT_FIELDS = ("year", "kind", "planned")


def _changed(new: Any, old: Any) -> bool:
    if isinstance(old, Decimal):
        try:
            return new is None or Decimal(str(new)) != old
        except InvalidOperation:
            return True
    return bool(new != old)


@transaction.atomic
def do_remove_ledger_row(row: LedgerRow, *, acting_user: User | None) -> None:
    if row.follows_split:
        raise ValidationError(_("This planned cost is the partner's share of the chosen split; "
                                "it goes only when the split changes."))
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
    partners = paying_partners(initiative)
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
            paying_partners(initiative), groups=groups, fixed_percent=fixed_percent,
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
            paying_partners(initiative), groups=groups, fixed_percent=fixed_percent,
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
                         volumes: Mapping[str, Any] | None = None,
                         cost_kind: str = "investment", first_year: Any = None,
                         years: Any = 1) -> CostSplit:
    """Store the lead's choice of how the joint cost is split, with what was known (subgroup
    costs, the capacity model, the fixed share), the comparison of every method and the core
    check as they are now; every paying partner's planned cost rows follow it (a cost of
    ``cost_kind`` each year for ``years`` years from ``first_year``, by default the base year
    of the ledger), waiting for the partner's confirmation."""
    first_year, years = check_split_years(initiative, cost_kind, first_year, years)
    joint, alone, options = check_split(initiative, joint_cost, standalone, groups,
                                        fixed_percent, model, formula, volumes)
    try:
        comparison = split_analysis.compare_split(initiative, joint, alone, options)
    except CalculatorError as exc:
        raise ValidationError({"joint_cost": [str(exc)]}) from None
    snapshot = split_analysis.comparison_snapshot(comparison)
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
        cost_kind=cost_kind, first_year=first_year, years=years,
    )
    full_clean_refusing_nul(split, exclude=["chosen_by"])
    split.save()
    _audit(acting_user, initiative, "choose_cost_split", method=chosen["method"],
           joint_cost=joint)
    _sync_split_rows(split, acting_user)
    return split


def default_first_year(initiative: Initiative) -> int:
    """The base year of the ledger if set, else the initiative's start, else this year."""
    economics = Economics.objects.filter(initiative=initiative).first()
    if economics is not None and economics.base_year:
        return economics.base_year
    return initiative.start_date.year if initiative.start_date else today().year


def check_split_years(initiative: Initiative, cost_kind: str, first_year: Any,
                      years: Any) -> tuple[int, int]:
    """How the shares enter the ledgers, validated: the first year and the number of years."""
    errors: dict[str, list[str]] = {}
    if cost_kind not in SHARE_KINDS:
        errors["cost_kind"] = [_("A share of the joint cost is an investment cost or a running "
                                 "cost.")]
    if first_year in (None, ""):
        first_year = default_first_year(initiative)
    if not isinstance(first_year, int) or not (
            ledger_engine.MIN_YEAR <= first_year <= ledger_engine.MAX_YEAR - MAX_SPLIT_YEARS):
        errors["first_year"] = [_("Give a year between %(low)s and %(high)s.") % {
            "low": ledger_engine.MIN_YEAR, "high": ledger_engine.MAX_YEAR - MAX_SPLIT_YEARS}]
    if years in (None, ""):
        years = 1
    if not isinstance(years, int) or not 1 <= years <= MAX_SPLIT_YEARS:
        errors["years"] = [_("Give a number of years between 1 and %(max)s.") % {
            "max": MAX_SPLIT_YEARS}]
    if errors:
        raise ValidationError(errors)
    return first_year, years


@transaction.atomic
def do_set_partner_budget(initiative: Initiative, *, acting_user: User | None,
                          organisation: Organisation, committee: str,
                          activity: str = "") -> PartnerBudget:
    """Name where the initiative sits in the partner's own budget: its committee (nämnd) and
    activity (verksamhet). Whether the user speaks for the partner is the caller's check."""
    _check_partner(initiative, organisation)
    budget, _created = PartnerBudget.objects.select_for_update().get_or_create(
        initiative=initiative, organisation=organisation)
    old = {"old_committee": budget.committee, "old_activity": budget.activity}
    budget.committee, budget.activity = committee.strip(), activity.strip()
    budget.updated_by = _user_or_none(acting_user)
    full_clean_refusing_nul(budget, exclude=["updated_by", "initiative", "organisation"],
                            validate_constraints=False)
    budget.save()
    _audit(acting_user, initiative, "set_partner_budget", organisation=organisation,
           partner=organisation.code, committee=budget.committee, activity=budget.activity,
           **old)
    return budget
