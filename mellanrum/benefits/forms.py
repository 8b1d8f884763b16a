from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mellanrum.landscape.models import Organisation

from .analysis import MAX_TABLE_PLAYERS

MAX_AMOUNT = Decimal("1e12")
GROUP_LINE = re.compile(r"^(?P<codes>[^:]+):(?P<amount>.+)$")


def _amount_field(label: Any, *, required: bool = True, help_text: Any = "") -> forms.DecimalField:
    field = forms.DecimalField(
        label=label, required=required, help_text=help_text, localize=True,
        min_value=0, max_value=MAX_AMOUNT, max_digits=16, decimal_places=2,
    )
    field.widget.attrs["inputmode"] = "decimal"
    return field


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
        help_text=_("One group per line: organisation codes separated by commas, a colon and "
                    "the amount, e.g. “0180, 0182: 1 200 000”. Groups you leave out are "
                    "assumed to split into the cheapest known parts."),
    )

    def clean_groups(self) -> list[tuple[list[str], Decimal]]:
        text = self.cleaned_data.get("groups") or ""
        groups = []
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
                raise forms.ValidationError(
                    _("Line %(n)s: write organisation codes, a colon and an amount in kronor."),
                    params={"n": number},
                )
            groups.append(([c.strip() for c in match["codes"].split(",") if c.strip()], amount))
        return groups


class PartnerForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Partner"),
        queryset=Organisation.objects.order_by("name"),
        to_field_name="code",
        required=False,
    )
    alone = _amount_field(
        _("Amount if it does it alone (kr per year)"), required=False,
    )
    usage = _amount_field(_("Usage (optional)"), required=False)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("organisation") and data.get("alone") is None and "alone" not in self.errors:
            self.add_error("alone", _("Give the amount for this partner on its own."))
        if data.get("alone") is not None and not data.get("organisation"):
            self.add_error("organisation", _("Choose the partner this amount belongs to."))
        return data


class BasePartnerFormSet(forms.BaseFormSet[PartnerForm]):
    def clean(self) -> None:
        if any(self.errors):
            return
        codes = [f.cleaned_data["organisation"].code for f in self.forms
                 if f.cleaned_data.get("organisation")]
        if len(codes) < 2:
            raise forms.ValidationError(_("Choose at least two partners."))
        if len(codes) != len(set(codes)):
            raise forms.ValidationError(_("Each partner can only be chosen once."))


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
