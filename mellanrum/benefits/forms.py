from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from mellanrum.collaborations.forms import organisation_field, version_field
from mellanrum.collaborations.models import Partner
from mellanrum.landscape.models import Organisation
from mellanrum.lib.forms import model_choice_field

from .analysis import MAX_TABLE_PLAYERS, METHOD_LABELS
from .models import LedgerRow

MAX_AMOUNT = Decimal("1e12")
GROUP_LINE = re.compile(r"^(?P<codes>.+):(?P<amount>[^:]+)$")


def _amount_field(label: Any, *, required: bool = True, help_text: Any = "") -> forms.DecimalField:
    field = forms.DecimalField(
        label=label, required=required, help_text=help_text, localize=True,
        min_value=0, max_value=MAX_AMOUNT, max_digits=16, decimal_places=2,
    )
    field.widget.attrs["inputmode"] = "decimal"
    return field


MAX_SUGGESTIONS = 5


def resolve_organisation(text: str) -> Organisation:
    """The organisation a typed partner name means: its code, its name or short name (any
    case), or the start of exactly one name; a clear message when none or several match."""
    typed = " ".join(text.split())
    if not typed or "\x00" in typed:
        raise forms.ValidationError(_("Type the partner's name and choose it from the list."))
    exact = list(Organisation.objects.filter(code=typed)) or list(
        Organisation.objects.filter(Q(name__iexact=typed) | Q(short_name__iexact=typed))
    )
    if not exact:
        exact = [o for o in Organisation.objects.filter(name__istartswith=typed)]
    if len(exact) == 1:
        return exact[0]
    if not exact:
        raise forms.ValidationError(
            _("No organisation is called “%(name)s”. Type the name and choose it from the "
              "list."), params={"name": typed[:80]})
    names = sorted(o.name for o in exact)
    shown = ", ".join(names[:MAX_SUGGESTIONS]) + (" …" if len(names) > MAX_SUGGESTIONS else "")
    raise forms.ValidationError(
        _("“%(name)s” matches several organisations: %(names)s. Type the whole name."),
        params={"name": typed[:80], "names": shown})


class CalculatorForm(forms.Form):
    title = forms.CharField(label=_("What is shared (optional)"), required=False, max_length=200)
    kind = forms.ChoiceField(
        label=_("What do you want to share?"),
        choices=[("cost", _("A joint cost")), ("value", _("A joint saving or gain"))],
        initial="cost",
        widget=forms.RadioSelect,
    )
    total = _amount_field(
        _("Amount when all partners do it together (kr per year)"),
        help_text=_("For a cost: what it costs all partners together. For a saving: what "
                    "all partners together save."),
    )
    groups = forms.CharField(
        label=_("Known amounts for smaller groups (optional)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One group per line: the partners' names separated by commas, a colon and "
                    "the amount, e.g. “Nacka, Värmdö: 1 200 000”. Groups you leave out are "
                    "assumed to split into the cheapest known parts."),
    )

    def clean_groups(self) -> list[tuple[list[str], Decimal, int]]:
        """Lines of (partner names as typed, amount, line number); the names are matched
        to the partners by `resolve_groups` once the partners are known."""
        text = self.cleaned_data.get("groups") or ""
        groups, errors = [], []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            match = GROUP_LINE.match(line.strip())
            amount = None
            if match:
                try:
                    amount = forms.DecimalField(localize=True).clean(
                        match["amount"].strip().replace(" ", "").replace("\u00a0", "")
                    )
                except forms.ValidationError:
                    amount = None
            if not match or amount is None or amount < 0 or amount > MAX_AMOUNT:
                errors.append(forms.ValidationError(
                    _("Line %(n)s: write the partners' names separated by commas, a colon and "
                      "an amount in kronor."),
                    params={"n": number},
                ))
                continue
            names = [c.strip() for c in match["codes"].split(",") if c.strip()]
            groups.append((names, amount, number))
        if errors:
            raise forms.ValidationError(errors)
        return groups

    def resolve_groups(self, partners: list[Organisation]) -> dict[tuple[str, ...], Decimal]:
        """The groups by partner codes; each name that is not one of the partners becomes an
        error on the field (so it is in the summary too)."""
        lookup: dict[str, str] = {}
        for organisation in partners:
            for key in (organisation.code, organisation.name, organisation.short_name):
                if key:
                    lookup[key.casefold()] = organisation.code
        groups: dict[tuple[str, ...], Decimal] = {}
        for names, amount, number in self.cleaned_data["groups"]:
            unknown = [n for n in names if n.casefold() not in lookup]
            if unknown:
                self.add_error("groups", _(
                    "Line %(n)s: “%(name)s” is not one of the partners above."
                ) % {"n": number, "name": unknown[0][:80]})
                continue
            groups[tuple(lookup[n.casefold()] for n in names)] = amount
        return groups


class PartnerForm(forms.Form):
    organisation = forms.CharField(label=_("Partner"), required=False, max_length=200)
    alone = _amount_field(
        _("Amount if it does it alone (kr per year)"), required=False,
    )
    usage = _amount_field(_("Usage (optional)"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].widget.attrs.update(
            {"list": "organisation-names", "autocomplete": "off"}
        )

    def clean_organisation(self) -> Organisation | None:
        text = self.cleaned_data.get("organisation") or ""
        return resolve_organisation(text) if text.strip() else None

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("organisation") and data.get("alone") is None and "alone" not in self.errors:
            self.add_error("alone", _("Give the amount for this partner on its own."))
        if (data.get("alone") is not None and not data.get("organisation")
                and "organisation" not in self.errors):
            self.add_error("organisation", _("Type the partner this amount belongs to."))
        return data


class BasePartnerFormSet(forms.BaseFormSet[PartnerForm]):
    def clean(self) -> None:
        if any(self.errors):
            return
        chosen = [f.cleaned_data["organisation"] for f in self.forms
                  if f.cleaned_data.get("organisation")]
        if len(chosen) < 2:
            raise forms.ValidationError(_("Choose at least two partners."))
        codes = [o.code for o in chosen]
        twice = sorted({o.name for o in chosen if codes.count(o.code) > 1})
        if twice:
            raise forms.ValidationError(
                _("Each partner can only be chosen once: %(names)s."),
                params={"names": ", ".join(twice)})


PartnerFormSet = forms.formset_factory(
    PartnerForm, formset=BasePartnerFormSet, extra=0, min_num=5, max_num=MAX_TABLE_PLAYERS,
    validate_max=True, absolute_max=MAX_TABLE_PLAYERS,
)


class GameUploadForm(forms.Form):
    game = forms.FileField(
        label=_("Game file (JSON)"),
        help_text=_("The same format as `mellanrum share`; players may be organisation codes."),
    )

    def clean_game(self) -> dict[str, Any]:
        upload = self.cleaned_data["game"]
        if upload.size > 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 1 MB."))
        try:
            data = json.loads(upload.read().decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise forms.ValidationError(
                _("The file is not valid JSON: %(reason)s"), params={"reason": str(exc)[:200]}
            ) from None
        if not isinstance(data, dict):
            raise forms.ValidationError(_("The file must contain a JSON object."))
        return data


# --- Benefits ledger, economics and cost split ------------------------------------------------


def amount_field(label: StrOrPromise, *, required: bool = False, help_text: StrOrPromise = "",
                 ) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, required=required, localize=True, help_text=help_text,
        error_messages={"invalid": _("Give a number, e.g. 125000 or 125000,50.")},
    )


class LedgerRowForm(forms.Form):
    organisation = organisation_field(_("Partner"))
    year = forms.IntegerField(label=_("Year"),
                              error_messages={"invalid": _("Give a year, e.g. 2026.")})
    kind = forms.ChoiceField(label=_("Kind"), choices=LedgerRow.Kind.choices)
    planned = amount_field(_("Planned amount"), help_text=_(
        "Kronor; for hours saved, the number of hours. Empty for a qualitative benefit."))
    realised = amount_field(_("Realised amount"), help_text=_(
        "Fill in when the year has been followed up; empty until then."))
    description = forms.CharField(label=_("Description"), max_length=500, required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    version = version_field()

    def __init__(self, *args: Any, organisations: QuerySet[Organisation],
                 row: LedgerRow | None = None, **kwargs: Any) -> None:
        if row is not None:
            kwargs.setdefault("initial", {
                "organisation": row.organisation.code, "year": row.year, "kind": row.kind,
                "planned": row.planned, "realised": row.realised,
                "description": row.description, "version": row.version,
            })
        super().__init__(*args, **kwargs)
        field = model_choice_field(self, "organisation")
        field.queryset = organisations.order_by("name")
        if row is not None:
            del self.fields["organisation"]
        elif len(field.queryset) == 1:
            field.empty_label = None

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"year": data["year"], "kind": data["kind"], "planned": data["planned"],
                "realised": data["realised"], "description": data["description"]}


class EconomicsForm(forms.Form):
    discount_rate_percent = amount_field(_("Discount rate (kalkylränta), %"), required=True,
                                         help_text=_("Between 0 and 20."))
    hourly_cost = amount_field(_("Hourly cost, kr"), required=True, help_text=_(
        "What an hour of a person's time costs, with overheads; values the hours saved."))
    base_year = forms.IntegerField(
        label=_("Base year"), required=False,
        help_text=_("The year values are discounted to; empty means the first year of the "
                    "ledger."),
        error_messages={"invalid": _("Give a year, e.g. 2026.")},
    )


class SplitForm(forms.Form):
    joint_cost = amount_field(_("Joint cost to split, kr"), help_text=_(
        "Not needed with the cost model, which gives it."))
    model = forms.ChoiceField(
        label=_("What is known about the costs"), initial="known", required=False,
        widget=forms.RadioSelect,
        choices=[
            ("known", _("What each partner would pay alone, and what any subgroups you know "
                        "would pay together")),
            ("capacity", _("A capacity model: the partner with the largest need sizes the "
                           "shared system (its own cost is the joint cost)")),
            ("formula", _("A cost model: a fixed part paid once and a part that grows with "
                          "the volume, with economies of scale (every group's cost follows)")),
        ])
    formula_fixed = amount_field(_("Cost model: fixed part paid once, kr"))
    formula_unit_cost = amount_field(_("Cost model: cost per unit of volume, kr"))
    formula_exponent = amount_field(_("Cost model: economies of scale (exponent)"), help_text=_(
        "The volume part is unit cost × volume^exponent: 1 means none, 0.8 is typical. "
        "Empty means 0.8."))
    fixed_percent = forms.CharField(
        label=_("Fixed part of the key “fast del + rörlig del”, %"), required=False,
        max_length=20, initial="30",
        help_text=_("This share of the joint cost is split equally, the rest by population. "
                    "Between 0 and 100."))
    method = forms.ChoiceField(label=_("Chosen method"), required=False,
                               choices=[("", "–")] + [(k, v) for k, v in METHOD_LABELS.items()])
    rationale = forms.CharField(label=_("Rationale for the choice"), max_length=1000,
                                required=False, widget=forms.Textarea(attrs={"rows": 2}))
    cost_kind = forms.ChoiceField(
        label=_("The shares enter the partners' ledgers as"), initial="investment",
        required=False,
        choices=[("investment", _("Investment cost")), ("running", _("Running cost"))])
    first_year = forms.IntegerField(
        label=_("First year of the cost"), required=False,
        help_text=_("Empty means the base year of the ledger."),
        error_messages={"invalid": _("Give a year, e.g. 2026.")})
    years = forms.IntegerField(
        label=_("Number of years"), required=False, initial=1,
        help_text=_("The joint cost is paid each year for this many years (1–10), e.g. a "
                    "yearly licence."),
        error_messages={"invalid": _("Give a number of years between 1 and 10.")})

    def __init__(self, *args: Any, partners: list[Partner], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.codes = [p.organisation.code for p in partners]
        for p in partners:
            self.fields[f"alone_{p.organisation.code}"] = amount_field(
                _("%(name)s: cost alone, kr") % {"name": p.organisation.name})
            self.fields[f"volume_{p.organisation.code}"] = amount_field(
                _("%(name)s: volume for the cost model (e.g. cases a year)")
                % {"name": p.organisation.name})
        example = ", ".join(p.organisation.name for p in partners[:2]) or "Nacka, Värmdö"
        self.fields["groups"] = forms.CharField(
            label=_("Known costs of subgroups (optional)"), required=False, max_length=10000,
            widget=forms.Textarea(attrs={"rows": 3}),
            help_text=_("One group per line: the partners' names separated by commas, a colon "
                        "and what they would pay together, e.g. “%(example)s: 900 000”. "
                        "Groups left out are assumed to split into the cheapest known parts."
                        ) % {"example": example})
        # The subgroups come right after the stand-alone costs, the choice last.
        order = ["joint_cost", "model", *[f"alone_{c}" for c in self.codes], "groups",
                 "formula_fixed", "formula_unit_cost", "formula_exponent",
                 *[f"volume_{c}" for c in self.codes], "fixed_percent", "method", "rationale",
                 "cost_kind", "first_year", "years"]
        self.order_fields(order)

    def options(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"groups": data.get("groups") or "", "fixed_percent": data.get("fixed_percent"),
                "model": data.get("model") or "known",
                "formula": {k: data.get(f"formula_{k}") for k in ("fixed", "unit_cost",
                                                                    "exponent")},
                "volumes": {c: data.get(f"volume_{c}") for c in self.codes}}

    def ledger_options(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"cost_kind": data.get("cost_kind") or "investment",
                "first_year": data.get("first_year"), "years": data.get("years")}

    def standalone(self) -> dict[str, Any]:
        return {code: self.cleaned_data.get(f"alone_{code}") for code in self.codes}


class PartnerBudgetForm(forms.Form):
    committee = forms.CharField(
        label=_("Committee (nämnd)"), max_length=200, required=False,
        help_text=_("The committee whose budget carries the costs and savings, e.g. "
                    "Socialnämnden."))
    activity = forms.CharField(
        label=_("Activity (verksamhet)"), max_length=200, required=False,
        help_text=_("Your own name for the budget line, e.g. Äldreomsorg, hemtjänst."))
