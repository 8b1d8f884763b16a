from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mellanrum.lib.forms import model_choice_field, number_field

from .models import Activity, Category, Contact, Organisation
from .spreadsheet import ColumnChoice, SpreadsheetError
from .spreadsheet.columns import FIELDS, header_for, normalise_header
from .spreadsheet.mapping import check_mapping

# ITSystem.product and .vendor are 100 characters; longer names failed on PostgreSQL.
SYSTEM_NAME_LENGTH = 100
SYSTEM_PATTERN = re.compile(r"^(?P<product>[^()]+?)\s*(\((?P<vendor>[^()]*)\))?$")


def parse_systems(text: str) -> list[tuple[str, str]]:
    """Parse "Product (Vendor) | Other product" into (product, vendor) pairs."""
    pairs = []
    for part in re.split(r"[|;\n]", text):
        part = part.strip()
        if not part:
            continue
        match = SYSTEM_PATTERN.match(part)
        if not match or len(part) > 200:
            raise forms.ValidationError(
                _("Write each system as “Product (Vendor)”, separated by |: %(part)s"),
                params={"part": part[:100]},
            )
        product, vendor = match["product"].strip(), (match["vendor"] or "").strip()
        if len(product) > SYSTEM_NAME_LENGTH or len(vendor) > SYSTEM_NAME_LENGTH:
            raise forms.ValidationError(
                _("The IT system %(system)s is longer than %(limit)s characters."),
                params={"system": part[:40] + "…", "limit": SYSTEM_NAME_LENGTH},
            )
        pairs.append((product, vendor))
    return pairs


class ActivityForm(forms.ModelForm[Activity]):
    systems_text = forms.CharField(
        label=_("IT systems"),
        required=False,
        max_length=2000,
        help_text=_("For example: “Bygglovsystem Nord (Exempel AB) | E-tjänsteplattform”."),
        widget=forms.TextInput(),
    )
    url = forms.URLField(label=_("web address"), required=False, max_length=500,
                         assume_scheme="https")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # The same limit as the API's; the model's TextField has none.
    description = forms.CharField(label=_("description"), required=False, max_length=5000,
                                  widget=forms.Textarea(attrs={"rows": 4}))

    class Meta:
        model = Activity
        fields = [
            "name",
            "kind",
            "category",
            "description",
            "annual_cost_sek",
            "volume_per_year",
            "volume_unit",
            "fte",
            "lead_time_days",
            "legal_basis",
            "url",
            "owner",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "owner").queryset = Contact.objects.filter(
            organisation=organisation)
        model_choice_field(self, "category").queryset = Category.objects.all()
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            self.fields["systems_text"].initial = " | ".join(
                str(s) for s in self.instance.systems.all()
            )
        for name in ("annual_cost_sek", "volume_per_year", "fte", "lead_time_days"):
            field = number_field(self, name)
            field.min_value = 0
            field.validators.append(_not_negative)
            field.localize = True
            field.widget.is_localized = True

    def clean_systems_text(self) -> list[tuple[str, str]]:
        return parse_systems(self.cleaned_data.get("systems_text") or "")

    def clean_url(self) -> str:
        url: str = self.cleaned_data.get("url") or ""
        if url and not url.lower().startswith(("http://", "https://")):
            raise forms.ValidationError(_("Only http:// and https:// addresses are allowed."))
        return url


def _not_negative(value: Any) -> None:
    if value is not None and value < 0:
        raise forms.ValidationError(_("The value cannot be negative."))


class ContactForm(forms.ModelForm[Contact]):
    class Meta:
        model = Contact
        fields = ["name", "role", "email", "phone"]


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet (CSV or XLSX)"),
        help_text=_("Your own column headers work too: you will be asked which field a column "
                    "holds when it is not clear. Swedish Excel CSV files work as they are."),
    )


class ColumnMappingForm(forms.Form):
    """The mapping step: for each column of the file, the field it holds or "ignore"."""

    def __init__(self, columns: list[dict[str, Any]], *args: Any, language: str = "sv",
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.language = language
        self.columns = columns
        choices = [("", _("Ignore the column")),
                   *((name, header_for(name, language)) for name in FIELDS)]
        for column in columns:
            self.fields[f"col_{column['index']}"] = forms.ChoiceField(
                label=column["header"], choices=choices, required=False,
                initial=column["field"],
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        choices = [
            ColumnChoice(column["index"], column["header"],
                         data.get(f"col_{column['index']}") or None, "given")
            for column in self.columns
        ]
        try:
            check_mapping(choices, self.language)
        except SpreadsheetError as exc:
            raise forms.ValidationError(exc.message) from None
        return data

    def column_map(self) -> dict[str, str]:
        """Folded header -> field ("" to ignore), as stored on the job and remembered."""
        return {
            normalise_header(column["header"]): self.cleaned_data.get(f"col_{column['index']}")
            or ""
            for column in self.columns
        }

    def rows(self) -> list[tuple[dict[str, Any], forms.BoundField]]:
        return [(column, self[f"col_{column['index']}"]) for column in self.columns]

class WebsiteForm(forms.Form):
    website = forms.CharField(
        label=_("Web site"), max_length=200,
        help_text=_("The full address, e.g. https://www.example.se. Saving it marks it as "
                    "verified by you."),
    )


class ArrangementForm(forms.Form):
    """How the organisation does one activity today, and the activity's nature."""

    form = forms.ChoiceField(
        label=_("How is it done today?"), required=False,
        choices=[("", _("Not recorded"))],
        help_text=_("Choose “Not recorded” to remove what was recorded."),
    )
    partners = forms.CharField(
        label=_("Partners"), required=False, max_length=2000,
        help_text=_("Organisation codes separated by |, e.g. 01 | 0180. Leave empty for "
                    "“on its own”."),
    )
    start_date = forms.DateField(label=_("From"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(label=_("Until"), required=False,
                               help_text=_("When the agreement or contract ends, if it does."),
                               widget=forms.DateInput(attrs={"type": "date"}))
    url = forms.URLField(label=_("Link"), required=False, max_length=500, assume_scheme="https",
                         help_text=_("The agreement, the federation's page or the decision."))
    nature = forms.ChoiceField(label=_("Nature"), required=False,
                               help_text=_("Decides what the law allows to share."))
    lead_time_note = forms.CharField(
        label=_("How the lead time is measured"), required=False, max_length=300,
        help_text=_("Only if not from a complete application to a decision, e.g. “from the "
                    "first contact to the start of the service”."))

    def __init__(self, *args: Any, default_nature_label: str = "", **kwargs: Any) -> None:
        from .models import Arrangement, Nature

        super().__init__(*args, **kwargs)
        form_field = self.fields["form"]
        assert isinstance(form_field, forms.ChoiceField)
        form_field.choices = [("", _("Not recorded")), *Arrangement.Form.choices]
        nature_field = self.fields["nature"]
        assert isinstance(nature_field, forms.ChoiceField)
        default = _("Default: %(nature)s") % {"nature": default_nature_label}
        nature_field.choices = [("", default), *Nature.choices]

    def clean_partners(self) -> list[Organisation]:
        codes = [c.strip() for c in self.cleaned_data["partners"].split("|") if c.strip()]
        if any("\x00" in c for c in codes):
            raise forms.ValidationError(_("Null characters are not allowed."))
        found = {o.code: o for o in Organisation.objects.filter(code__in=codes)}
        unknown = [c for c in codes if c not in found]
        if unknown:
            raise forms.ValidationError(_("No organisation has the code(s): %(codes)s"),
                                        params={"codes": ", ".join(unknown)})
        return list(dict.fromkeys(found[c] for c in codes))
