"""Forms of the workshop and the shared principles."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from mellanrum.landscape.models import Organisation
from mellanrum.lib.forms import model_choice_field

from .forms import organisation_field
from .models import Statement, Tension

MAX_ID = 2**63 - 1


class RecordOnBehalfForm(forms.Form):
    organisation = organisation_field(_("Said by"))
    kind = forms.ChoiceField(label=_("Kind"), choices=Statement.Kind.choices)
    text = forms.CharField(
        label=_("Statement"), max_length=500,
        help_text=_("As the partner said it at the meeting. It is a draft until one of the "
                    "partner's editors confirms or edits it."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any,
                 ) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "organisation").queryset = organisations.order_by("name")


class ConfirmForm(forms.Form):
    version = forms.IntegerField(min_value=1, max_value=MAX_ID, required=False,
                                 widget=forms.HiddenInput)


class TensionForm(forms.Form):
    first = forms.IntegerField(min_value=1, max_value=MAX_ID)
    second = forms.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    goal = forms.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    stance = forms.ChoiceField(choices=Tension.Stance.choices)
    note = forms.CharField(max_length=500, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("second") and not data.get("goal"):
            raise forms.ValidationError(_("Choose the statement or goal to set it against."))
        return data


class StatementChoiceField(forms.ModelMultipleChoiceField[Statement]):
    def label_from_instance(self, obj: Statement) -> str:
        return f"{obj.organisation.name}: {obj.text}"


class PrincipleForm(forms.Form):
    text = forms.CharField(label=_("Principle"), max_length=1000,
                           widget=forms.Textarea(attrs={"rows": 2}))
    statements = StatementChoiceField(
        label=_("Statements it answers"), required=False, queryset=Statement.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Optional: the partners' statements this principle replaces or answers."))
    revision = forms.IntegerField(min_value=1, max_value=MAX_ID, widget=forms.HiddenInput)

    def __init__(self, *args: Any, statements: QuerySet[Statement], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["statements"]
        assert isinstance(field, StatementChoiceField)
        field.queryset = statements


class PublishForm(forms.Form):
    note = forms.CharField(label=_("What changed"), max_length=500, required=False)
    revision = forms.IntegerField(min_value=1, max_value=MAX_ID, widget=forms.HiddenInput)


class ApproveForm(forms.Form):
    organisation = organisation_field(_("Approve for"))
    number = forms.IntegerField(min_value=1, max_value=MAX_ID, widget=forms.HiddenInput)

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = model_choice_field(self, "organisation")
        field.queryset = organisations.order_by("name")
        if len(field.queryset) == 1:
            field.empty_label = None
