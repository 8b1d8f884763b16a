from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

_SPLIT = re.compile(r"[\s,;]+")


def _words(text: str) -> list[str]:
    return [w for w in _SPLIT.split(text.strip()) if w][:100]


class SyncForm(forms.Form):
    kpis = forms.CharField(
        label=gettext_lazy("KPI ids"), max_length=2000,
        help_text=gettext_lazy("Kolada ids separated by spaces or commas, e.g. N01951 N00901."),
    )
    years = forms.CharField(
        label=gettext_lazy("Years"), max_length=500,
        help_text=gettext_lazy("Separated by spaces or commas, e.g. 2023 2024."),
    )
    municipalities = forms.CharField(
        label=gettext_lazy("Only these municipalities or regions (optional)"), max_length=4000,
        required=False,
        help_text=gettext_lazy("Codes such as 0180 or Kolada's region id 0001; empty for all."),
    )

    def clean_kpis(self) -> list[str]:
        return _words(self.cleaned_data["kpis"])

    def clean_years(self) -> list[int]:
        years = []
        for word in _words(self.cleaned_data["years"]):
            if not word.isdigit() or len(word) != 4:
                raise forms.ValidationError(
                    _("%(year)s is not a year (four digits, e.g. 2024).") % {"year": word[:20]}
                )
            years.append(int(word))
        return years

    def clean_municipalities(self) -> list[str]:
        return _words(self.cleaned_data["municipalities"])

    def cleaned(self) -> dict[str, Any]:
        return self.cleaned_data
