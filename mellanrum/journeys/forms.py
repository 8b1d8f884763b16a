from __future__ import annotations

import json
from typing import Any

from django import forms
from django.core.validators import validate_slug
from django.utils.translation import gettext_lazy as _

from mellanrum.landscape.reference import STATE_AGENCIES

from .analysis import RESPONSIBLE_VALUES
from .models import LifeEvent

MAX_IMPORT_BYTES = 2_000_000
RESERVED_SLUGS = {"ny", "import"}
LOCAL_LABELS = {
    "home_municipality": _("Home municipality"),
    "new_municipality": _("Municipality moved to"),
    "region": _("Region"),
    "new_region": _("Region moved to"),
    "other": _("Another actor (name it under provider)"),
}


def responsible_choices() -> list[tuple[str, Any]]:
    agencies = {code: name for code, name, _url in STATE_AGENCIES}
    choices: list[tuple[str, Any]] = []
    for value in RESPONSIBLE_VALUES:
        if value.startswith("agency:"):
            code = value.split(":", 1)[1]
            choices.append((value, f"{agencies.get(code, code)} ({code})"))
        else:
            choices.append((value, LOCAL_LABELS[value]))
    return choices


def split_lines(text: str, *, commas: bool = False) -> list[str]:
    parts = text.replace(",", "\n").splitlines() if commas else text.splitlines()
    return list(dict.fromkeys(p.strip() for p in parts if p.strip()))


class LifeEventForm(forms.Form):
    slug = forms.CharField(
        label=_("Identifier"), max_length=80, validators=[validate_slug],
        help_text=_("Lower-case letters, digits and hyphens, e.g. “fa-barn”. Used in links."),
    )
    label_sv = forms.CharField(label=_("Name in Swedish"), max_length=200)
    label_en = forms.CharField(label=_("Name in English"), max_length=200, required=False)
    audience = forms.ChoiceField(label=_("For"), choices=LifeEvent.Audience.choices)
    description = forms.CharField(label=_("Description"), required=False, max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    description_en = forms.CharField(label=_("Description in English"), required=False,
                                     max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    synonyms_text = forms.CharField(
        label=_("Everyday phrasings"), required=False, max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("How people describe this in their own words, one per line."),
    )

    def __init__(self, *args: Any, instance: LifeEvent | None = None, **kwargs: Any) -> None:
        self.instance = instance
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "slug": instance.slug, "label_sv": instance.label_sv,
                "label_en": instance.label_en, "audience": instance.audience,
                "description": instance.description,
                "description_en": instance.description_en,
                "synonyms_text": "\n".join(instance.synonyms),
            }
        super().__init__(*args, **kwargs)

    def clean_slug(self) -> str:
        slug: str = self.cleaned_data["slug"].strip().lower()
        if slug in RESERVED_SLUGS:
            raise forms.ValidationError(_("This identifier is reserved; choose another."))
        others = LifeEvent.objects.filter(slug=slug)
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(_("Another life event already has this identifier."))
        return slug


class StepForm(forms.Form):
    need = forms.CharField(label=_("Need"), max_length=300)
    need_en = forms.CharField(label=_("Need in English"), max_length=300, required=False)
    responsible = forms.ChoiceField(label=_("Responsible"), choices=responsible_choices,
                                    initial="home_municipality")
    provider = forms.CharField(label=_("Provider"), max_length=200, required=False)
    hints_text = forms.CharField(
        label=_("Activity hints"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Names of the serving activity, one per line."),
    )
    data_items_text = forms.CharField(
        label=_("Information asked for"), required=False, max_length=1000,
        help_text=_("Separated by commas, e.g. “personnummer, adress, inkomst”."),
    )
    lead_time_days = forms.IntegerField(label=_("Typical lead time (days)"), required=False,
                                        min_value=0, max_value=3650)
    waits_for_text = forms.CharField(
        label=_("Waits for steps"), required=False, max_length=200,
        help_text=_("Numbers of the earlier steps that must be done first, e.g. “1, 2”. "
                    "Empty: the step starts at once."),
    )
    when_text = forms.CharField(
        label=_("Applies when"), required=False, max_length=1000,
        help_text=_("Words that say when the step applies, separated by commas; the finder "
                    "offers the step only when the words are used. Empty: always."),
    )

    def clean_waits_for_text(self) -> tuple[int, ...]:
        parts = split_lines(self.cleaned_data.get("waits_for_text", ""), commas=True)
        if not all(p.isdigit() and 1 <= int(p) <= 30 for p in parts):
            raise forms.ValidationError(
                _("Write step numbers separated by commas, e.g. “1, 2”."))
        return tuple(sorted({int(p) for p in parts}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("responsible") == "other" and not data.get("provider", "").strip():
            self.add_error("provider", _("Name who serves the step when it is another actor."))
        return data


class BaseStepFormSet(forms.BaseFormSet[forms.Form]):
    def clean(self) -> None:
        if any(self.errors):
            return
        kept = [f for f in self.forms
                if f.has_changed() and not f.cleaned_data.get("DELETE", False)]
        if not kept:
            raise forms.ValidationError(_("A life event needs at least one step."))


StepFormSet = forms.formset_factory(
    StepForm, formset=BaseStepFormSet, extra=2, can_delete=True, max_num=30, validate_max=True
)


class CatalogueImportForm(forms.Form):
    file = forms.FileField(label=_("Catalogue file (JSON)"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        try:
            return json.loads(upload.read().decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
            # RecursionError: arrays nested thousands deep exhaust the JSON decoder's stack.
            raise forms.ValidationError(
                _("The file is not valid UTF-8 JSON: %(error)s"), params={"error": str(exc)[:200]}
            ) from None
