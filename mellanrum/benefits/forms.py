from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mellanrum.landscape.models import Organisation

from .analysis import MAX_TABLE_PLAYERS

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
