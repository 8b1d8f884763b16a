from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from mellanrum.engines.health import Instrument
from mellanrum.landscape.models import Organisation
from mellanrum.lib.forms import model_choice_field

from .actions import MAX_COMMENT, MAX_DAYS, MAX_LINKS

DONT_KNOW = "dk"


class RoundForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200,
                            help_text=_('For example "Spring 2026".'))
    invitation_days = forms.IntegerField(
        label=_("Days an invitation link is valid"), min_value=1, max_value=MAX_DAYS,
        initial=30,
    )


class InvitationForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Partner organisation"), queryset=Organisation.objects.none(),
        to_field_name="code", empty_label=None,
    )
    emails = forms.CharField(
        label=_("E-mail addresses"), required=False, max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One link per address, to send from your own e-mail. The addresses are "
                    "not stored."),
    )
    count = forms.IntegerField(
        label=_("Or a number of links"), required=False, min_value=1, max_value=MAX_LINKS,
        help_text=_("Numbered links to hand out yourself."),
    )

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "organisation").queryset = organisations


class SurveyForm(forms.Form):
    """One required choice per statement (1–5 or don't know) and an optional comment."""

    def __init__(self, *args: Any, instrument: Instrument, language: str,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        choices = [(DONT_KNOW if p.value is None else str(p.value), p.text(language))
                   for p in instrument.scale]
        for item in instrument.items:
            self.fields[item.key] = forms.ChoiceField(
                label=item.text(language), choices=choices, widget=forms.RadioSelect,
                error_messages={"required": _('Choose an answer, or "Don\'t know".'),
                                "invalid_choice": _("Choose an answer on the scale.")},
            )
        self.fields["comment"] = forms.CharField(
            label=_("Comment (optional)"), required=False, max_length=MAX_COMMENT,
            widget=forms.Textarea(attrs={"rows": 4}),
            help_text=_("Do not write names. Comments are shown to the partners when the "
                        "round has closed, all together and without saying who wrote them, "
                        "and only when at least three have answered."),
        )

    def statements(self) -> list[forms.BoundField]:
        return [self[item.key] for item in self.instrument.items]

    def answers(self) -> dict[str, int | None]:
        return {item.key: (None if self.cleaned_data[item.key] == DONT_KNOW
                           else int(self.cleaned_data[item.key]))
                for item in self.instrument.items}
