"""What the split page knows beyond the stand-alone costs, validated with messages for people.

Subgroup costs are written one group per line with the partners' names (or codes), e.g.
"Nacka, Värmdö: 900 000"; the capacity model (an airport game) says that the partner with the
largest need sizes the shared system; the fixed share is that of the key "fast del + rörlig del
per invånare".
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from mellanrum.benefits.analysis import DEFAULT_FIXED_PERCENT
from mellanrum.collaborations.models import Partner
from mellanrum.engines import realisation as ledger_engine

__all__ = ["SplitOptions", "check_split_options", "groups_text"]

MODEL_KNOWN = "known"
MODEL_CAPACITY = "capacity"
MODEL_FORMULA = "formula"
FORMULA_FIELDS = ("fixed", "unit_cost", "exponent")
DEFAULT_EXPONENT = Decimal("0.8")
MAX_GROUP_LINES = 200
NAME_SEPARATORS = re.compile(r"\s*[,;]\s*")


@dataclass(frozen=True)
class SplitOptions:
    # Known subgroup costs: sorted partner codes -> kronor.
    groups: dict[tuple[str, ...], Decimal] = field(default_factory=dict)
    capacity: bool = False
    fixed_percent: Decimal = Decimal(str(DEFAULT_FIXED_PERCENT))
    # The cost model c(S) = fixed + unit_cost * (sum of volumes in S) ** exponent, if given.
    formula: dict[str, Decimal] | None = None
    volumes: dict[str, Decimal] = field(default_factory=dict)

    @property
    def model(self) -> str:
        if self.capacity:
            return MODEL_CAPACITY
        return MODEL_FORMULA if self.formula is not None else MODEL_KNOWN

    def cost_of(self, codes: Sequence[str]) -> Decimal:
        """What a group costs by the cost model."""
        assert self.formula is not None
        volume = float(sum((self.volumes[c] for c in codes), Decimal(0)))
        cost = float(self.formula["fixed"]) + float(self.formula["unit_cost"]) * (
            volume ** float(self.formula["exponent"]))
        return Decimal(str(round(cost, 2))).quantize(Decimal("0.01"))

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "groups": [[list(codes), str(cost)] for codes, cost in self.groups.items()],
            "model": self.model, "fixed_percent": str(self.fixed_percent)}
        if self.formula is not None:
            data["formula"] = {k: str(v) for k, v in self.formula.items()}
            data["volumes"] = {c: str(v) for c, v in self.volumes.items()}
        return data


def options_from_json(data: Mapping[str, Any]) -> SplitOptions:
    """The options stored with a split (empty for splits stored before there were any)."""
    return SplitOptions(
        groups={tuple(codes): Decimal(cost) for codes, cost in data.get("groups", [])},
        capacity=data.get("model") == MODEL_CAPACITY,
        fixed_percent=Decimal(data.get("fixed_percent", str(DEFAULT_FIXED_PERCENT))),
        formula={k: Decimal(v) for k, v in data["formula"].items()}
        if data.get("model") == MODEL_FORMULA else None,
        volumes={c: Decimal(v) for c, v in data.get("volumes", {}).items()},
    )


def groups_text(groups: Mapping[tuple[str, ...], Any], names: Mapping[str, str]) -> str:
    """Stored subgroup costs written back as the form's lines, with the partners' names."""
    return "\n".join(f"{', '.join(names.get(c, c) for c in codes)}: {Decimal(cost):f}"
                     for codes, cost in groups.items())


def _number(text: str) -> Decimal | None:
    cleaned = re.sub(r"[\s\u00a0\u202f]|kr$", "", text.strip().lower()).replace(",", ".")
    try:
        number = Decimal(cleaned)
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _parse_groups(text: str, partners: Sequence[Partner]) -> dict[tuple[str, ...], Decimal]:
    lookup: dict[str, str] = {}
    for p in partners:
        lookup[p.organisation.name.casefold()] = p.organisation.code
        lookup[p.organisation.code.casefold()] = p.organisation.code
    everyone = len(partners)
    groups: dict[tuple[str, ...], Decimal] = {}
    lines: dict[tuple[str, ...], int] = {}
    errors: list[str] = []
    numbered = [(n, line.strip()) for n, line in enumerate(text.splitlines(), start=1)
                if line.strip()]
    if len(numbered) > MAX_GROUP_LINES:
        raise ValidationError({"groups": [_("Give at most %(n)s subgroups.") % {
            "n": MAX_GROUP_LINES}]})
    for number, line in numbered:
        members_text, colon, amount_text = line.rpartition(":")
        cost = _number(amount_text) if colon else None
        if not colon or cost is None or not members_text.strip():
            errors.append(_("Line %(n)s: write the partners' names separated by commas, a "
                            "colon and the cost in kronor, e.g. “Nacka, Värmdö: 900 000”.")
                          % {"n": number})
            continue
        names = [n for n in NAME_SEPARATORS.split(members_text.strip()) if n]
        unknown = [n for n in names if n.casefold() not in lookup]
        if unknown:
            errors.append(_("Line %(n)s: “%(name)s” is not a paying partner of the initiative.")
                          % {"n": number, "name": unknown[0][:80]})
            continue
        codes = [lookup[n.casefold()] for n in names]
        if len(set(codes)) != len(codes):
            errors.append(_("Line %(n)s: a partner is named twice in the group.") % {"n": number})
            continue
        if not 2 <= len(codes) < everyone:
            errors.append(_("Line %(n)s: a subgroup has at least two partners and not all of "
                            "them (what all of them pay together is the joint cost).")
                          % {"n": number})
            continue
        if not Decimal(0) <= cost <= ledger_engine.MAX_KRONOR:
            errors.append(_("Line %(n)s: give a cost of at least 0 and at most 10 000 million "
                            "kr.") % {"n": number})
            continue
        key = tuple(sorted(codes))
        if key in groups:
            errors.append(_("Line %(n)s: this group is already given on line %(first)s.")
                          % {"n": number, "first": lines[key]})
            continue
        groups[key] = cost
        lines[key] = number
    if errors:
        raise ValidationError({"groups": errors})
    return groups


def _check_formula(partners: Sequence[Partner], formula: Mapping[str, Any],
                   volumes: Mapping[str, Any], errors: dict[str, list[str]],
                   ) -> tuple[dict[str, Decimal], dict[str, Decimal]]:
    values: dict[str, Decimal] = {}
    for key in FORMULA_FIELDS:
        raw = formula.get(key)
        if key == "exponent" and raw in (None, ""):
            raw = DEFAULT_EXPONENT
        number = raw if isinstance(raw, Decimal) else _number(str(raw or ""))
        if key == "exponent":
            if number is None or not Decimal(0) < number <= 2:
                errors[f"formula_{key}"] = [_("Give an exponent above 0 and at most 2 (1 "
                                              "means no economies of scale).")]
                continue
        elif number is None or not Decimal(0) <= number <= ledger_engine.MAX_KRONOR:
            errors[f"formula_{key}"] = [_("Give an amount of at least 0 and at most 10 000 "
                                          "million kr.")]
            continue
        values[key] = number
    found: dict[str, Decimal] = {}
    for p in partners:
        code = p.organisation.code
        raw = volumes.get(code)
        number = raw if isinstance(raw, Decimal) else _number(str(raw or ""))
        if number is None or not Decimal(0) <= number <= Decimal("1e12"):
            errors[f"volume_{code}"] = [_("Give the partner's volume: a number of at least "
                                          "0, e.g. the number of cases a year.")]
            continue
        found[code] = number
    return values, found


def check_split_options(partners: Sequence[Partner], *, groups: str = "",
                        fixed_percent: Any = None, model: str = MODEL_KNOWN,
                        joint: Decimal | None = None,
                        alone: Mapping[str, Decimal] | None = None,
                        formula: Mapping[str, Any] | None = None,
                        volumes: Mapping[str, Any] | None = None) -> SplitOptions:
    """Validate the subgroup costs, the model and the fixed share; raise ValidationError with
    a message per field."""
    errors: dict[str, list[str]] = {}
    percent = Decimal(str(DEFAULT_FIXED_PERCENT))
    if fixed_percent not in (None, ""):
        parsed = fixed_percent if isinstance(fixed_percent, Decimal) else _number(
            str(fixed_percent))
        if parsed is None or not parsed.is_finite() or not Decimal(0) <= parsed <= 100:
            errors["fixed_percent"] = [_("Give a fixed share between 0 and 100 %.")]
        else:
            percent = (parsed.quantize(Decimal(1)) if parsed == parsed.to_integral_value()
                       else parsed.normalize())
    if model not in (MODEL_KNOWN, MODEL_CAPACITY, MODEL_FORMULA):
        errors["model"] = [_("Choose what is known about the costs.")]
    parsed_groups: dict[tuple[str, ...], Decimal] = {}
    try:
        parsed_groups = _parse_groups(groups or "", partners)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    capacity = model == MODEL_CAPACITY
    if capacity and parsed_groups:
        errors["groups"] = [_("In the capacity model every group's cost follows from its "
                              "largest need; leave the subgroups empty or choose known "
                              "costs.")]
    if capacity and joint is not None and alone:
        largest = max(alone.values())
        if joint != largest:
            errors["joint_cost"] = [_(
                "In the capacity model the shared system costs what the system of the partner "
                "with the largest need costs (%(largest)s kr). Give that as the joint cost, or "
                "choose known costs.") % {"largest": number_format(
                    largest, decimal_pos=0, force_grouping=True)}]
    formula_values: dict[str, Decimal] | None = None
    found_volumes: dict[str, Decimal] = {}
    if model == MODEL_FORMULA:
        if parsed_groups:
            errors["groups"] = [_("With the cost model every group's cost follows from the "
                                  "model; leave the subgroups empty or choose known costs.")]
        formula_values, found_volumes = _check_formula(partners, formula or {}, volumes or {},
                                                       errors)
        if not errors and any(
                SplitOptions(formula=formula_values, volumes=found_volumes).cost_of([c]) <= 0
                for c in found_volumes):
            errors["formula_fixed"] = [_("By this model some partner would pay nothing alone; "
                                         "give a fixed part or every partner a volume.")]
    if errors:
        raise ValidationError(errors)
    return SplitOptions(parsed_groups, capacity, percent, formula_values, found_volumes)
