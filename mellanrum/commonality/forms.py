from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from mellanrum.landscape.models import Activity, Organisation
from mellanrum.lib.forms import LongSelect, choice_field

from .actions import parse_terms


class RunForm(forms.Form):
    SCOPES = [
        ("all", _("All organisations")),
        ("county", _("The organisations of one county")),
        ("organisations", _("The organisations I choose")),
    ]
    scope = forms.ChoiceField(label=_("Analyse"), choices=SCOPES, initial="all",
                              widget=forms.RadioSelect)
    county = forms.ChoiceField(label=_("County"), required=False)
    organisations = forms.ModelMultipleChoiceField(
        label=_("Organisations"),
        required=False,
        queryset=Organisation.objects.filter(
            Exists(Activity.objects.filter(organisation=OuterRef("pk")))
        ).order_by("name"),
        to_field_name="code",
        help_text=_("Hold down Ctrl (or Cmd) to choose more than one."),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        counties = (
            Organisation.objects.filter(
                Exists(Activity.objects.filter(organisation=OuterRef("pk")))
            )
            .exclude(county_code="")
            .order_by("county_code")
            .values_list("county_code", "county_name")
            .distinct()
        )
        choice_field(self, "county").choices = [("", "–"), *counties]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("scope") == "county" and not data.get("county"):
            self.add_error("county", _("Choose a county."))
        if data.get("scope") == "organisations" and not data.get("organisations"):
            self.add_error("organisations", _("Choose at least one organisation."))
        return data

    def scope_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        if data["scope"] == "county":
            return {"county": data["county"]}
        if data["scope"] == "organisations":
            return {"organisations": [o.code for o in data["organisations"]]}
        return {}


class RenameForm(forms.Form):
    label = forms.CharField(label=_("New name"), max_length=200)


class SplitForm(forms.Form):
    label = forms.CharField(label=_("Name of the new concept"), max_length=200, required=False)


class MergeForm(forms.Form):
    other = forms.ChoiceField(label=_("Merge with"), widget=LongSelect)

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "other").choices = [("", "–"), *choices]


class SynonymSetForm(forms.Form):
    terms = forms.CharField(
        label=_("Terms that mean the same"),
        max_length=2000,
        help_text=_("Separate the terms with commas, for example: "
                    "“hemtjänst, stöd i hemmet, hemhjälp”. Between 2 and 20 terms, "
                    "each at most 60 characters."),
    )

    def clean_terms(self) -> list[str]:
        try:
            return parse_terms(self.cleaned_data.get("terms") or "")
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from None


def _figure(label: Any, max_digits: int, decimal_places: int) -> forms.DecimalField:
    field = forms.DecimalField(
        label=label, required=False, localize=True, min_value=0,
        max_digits=max_digits, decimal_places=decimal_places,
    )
    field.widget.attrs["inputmode"] = "decimal"
    return field


class StarterRowForm(forms.Form):
    """One concept of the starter catalogue: a tick and the organisation's own figures."""

    pick = forms.BooleanField(label=_("We do this"), required=False)
    name = forms.CharField(label=_("Our name for it"), required=False, max_length=200)
    annual_cost_sek = _figure(_("Annual cost (kr)"), 15, 2)
    volume_per_year = _figure(_("Volume per year"), 15, 2)
    lead_time_days = _figure(_("Lead time (days)"), 7, 1)

    FIGURES = ("annual_cost_sek", "volume_per_year", "lead_time_days")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("pick") and not (data.get("name") or "").strip():
            self.add_error("name", _("Write the name of the activity."))
        if not data.get("pick") and self.has_changed():
            self.add_error("pick", _("Tick it to add it, or undo what you filled in."))
        return data
