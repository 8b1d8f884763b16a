from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from mellanrum.commonality.models import Concept
from mellanrum.core.access import is_superuser
from mellanrum.core.models import User
from mellanrum.journeys.models import Step
from mellanrum.landscape.models import Activity, Contact, Organisation
from mellanrum.lib.forms import choice_field, model_choice_field

from . import actions
from .models import (
    Alignment,
    DecisionEntry,
    Goal,
    Initiative,
    Partner,
    Risk,
    Statement,
)

NOT_AN_ORGANISATION = _("Choose an organisation from the landscape.")
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def organisation_field(label: StrOrPromise, queryset: QuerySet[Organisation] | None = None,
                       ) -> forms.ModelChoiceField[Organisation]:
    return forms.ModelChoiceField(
        queryset=queryset if queryset is not None else Organisation.objects.order_by("name"),
        to_field_name="code", label=label,
        error_messages={"invalid_choice": NOT_AN_ORGANISATION},
    )


def score_field(label: StrOrPromise) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, min_value=1, max_value=5, initial=3,
        help_text=_("1 (low) to 5 (high)."),
        error_messages={"min_value": _("Give a whole number from 1 to 5."),
                        "max_value": _("Give a whole number from 1 to 5.")},
    )


class ItemForm(forms.Form):
    """A form that adds one thing to an initiative through its action."""

    def apply(self, initiative: Initiative, user: User) -> None:
        raise NotImplementedError


class InitiativeForm(forms.ModelForm[Initiative]):
    citizen_value = score_field(_("citizen value"))
    savings = score_field(_("savings"))
    feasibility = score_field(_("feasibility"))
    reach = score_field(_("reach"))
    risk_level = score_field(_("risk"))

    class Meta:
        model = Initiative
        fields = list(actions.INITIATIVE_FIELDS)
        widgets = {
            "purpose": forms.Textarea(attrs={"rows": 4}),
            "start_date": DATE_WIDGET,
            "end_date": DATE_WIDGET,
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is None and is_superuser(user):
            self.fields["lead"] = organisation_field(_("Lead organisation"))
        if self.instance.pk is None:
            self.fields["lead_role"] = forms.ChoiceField(
                label=_("The leading organisation's role"), initial=Partner.Role.LEAD,
                required=False,
                choices=[(r.value, r.label) for r in Partner.RUNNING_ROLES],
                help_text=_("A lead runs the initiative and pays its share; a facilitator "
                            "(process leader, for example an association of municipalities) "
                            "runs it and pays nothing."))

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        try:
            actions.check_period(data.get("start_date"), data.get("end_date"))
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                self.add_error(field, errors)
        return data

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in actions.INITIATIVE_FIELDS}


class GoalForm(forms.ModelForm[Goal], ItemForm):
    class Meta:
        model = Goal
        fields = ["title", "indicator", "baseline", "target", "target_date"]
        widgets = {"target_date": DATE_WIDGET}

    def clean_target_date(self) -> datetime.date:
        value: datetime.date = self.cleaned_data["target_date"]
        if self.instance.pk is not None and value == self.instance.target_date:
            return value  # an edit may keep a target date that has passed
        try:
            actions.check_target_date(value)
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["target_date"]) from None
        return value

    def apply(self, initiative: Initiative, user: User) -> None:
        actions.do_add_goal(initiative, acting_user=user, **self.cleaned_data)


class PartnerForm(ItemForm):
    organisation = organisation_field(_("Organisation"))
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[c for c in Partner.Role.choices if c[0] != Partner.Role.LEAD],
    )
    contact = forms.CharField(
        label=_("Contact person"), required=False, max_length=200,
        help_text=_("Name or e-mail of one of the organisation's contact persons."),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        organisation = data.get("organisation")
        name = (data.get("contact") or "").strip()
        data["contact"] = None
        if organisation is not None and name:
            contacts = Contact.objects.filter(organisation=organisation)
            found = (contacts.filter(name__iexact=name).first()
                     or contacts.filter(email__iexact=name).first())
            if found is None:
                self.add_error("contact", _("The organisation has no contact person of that "
                                            "name or e-mail; add one on its page first."))
            data["contact"] = found
        return data

    def apply(self, initiative: Initiative, user: User) -> None:
        actions.do_add_partner(initiative, acting_user=user, **self.cleaned_data)


class SteeringMemberForm(ItemForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    organisation = organisation_field(_("Organisation"))
    role = forms.CharField(label=_("Role in the steering group"), max_length=200,
                           required=False)

    def apply(self, initiative: Initiative, user: User) -> None:
        actions.do_add_steering_member(initiative, acting_user=user, **self.cleaned_data)


class DecisionForm(forms.ModelForm[DecisionEntry], ItemForm):
    class Meta:
        model = DecisionEntry
        fields = ["date", "decision", "decided_by", "rationale"]
        widgets = {"date": DATE_WIDGET, "decision": forms.Textarea(attrs={"rows": 3}),
                   "rationale": forms.Textarea(attrs={"rows": 3})}

    def clean_date(self) -> datetime.date:
        value: datetime.date = self.cleaned_data["date"]
        try:
            actions.check_decision_date(value)
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["date"]) from None
        return value

    def apply(self, initiative: Initiative, user: User) -> None:
        actions.do_add_decision(initiative, acting_user=user, **self.cleaned_data)


class RiskForm(forms.ModelForm[Risk], ItemForm):
    likelihood = score_field(_("likelihood"))
    impact = score_field(_("impact"))

    class Meta:
        model = Risk
        fields = ["description", "likelihood", "impact", "owner", "mitigation"]
        widgets = {"mitigation": forms.Textarea(attrs={"rows": 3})}

    def apply(self, initiative: Initiative, user: User) -> None:
        actions.do_add_risk(initiative, acting_user=user, **self.cleaned_data)


class ConceptLinkForm(ItemForm):
    concept = forms.ChoiceField(label=_("Concept"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rows = Concept.objects.order_by("label").values_list("concept_id", "label")
        choice_field(self, "concept").choices = list(dict(rows).items())

    def apply(self, initiative: Initiative, user: User) -> None:
        actions.do_link_concept(initiative, acting_user=user,
                                concept_id=self.cleaned_data["concept"])


class StepChoiceField(forms.ModelChoiceField[Step]):
    def label_from_instance(self, obj: Step) -> str:
        return f"{obj.life_event}: {obj}"


class StepLinkForm(ItemForm):
    step = StepChoiceField(
        label=_("Life-event step"),
        queryset=Step.objects.select_related("life_event").order_by("life_event__label_sv",
                                                                     "position"),
    )

    def apply(self, initiative: Initiative, user: User) -> None:
        actions.do_link_step(initiative, acting_user=user, step=self.cleaned_data["step"])


class ActivityChoiceField(forms.ModelChoiceField[Activity]):
    def label_from_instance(self, obj: Activity) -> str:
        return f"{obj.organisation.name}: {obj.name}"


class ActivityLinkForm(ItemForm):
    activity = ActivityChoiceField(label=_("Activity of a partner"),
                                   queryset=Activity.objects.none())

    def __init__(self, *args: Any, initiative: Initiative, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = model_choice_field(self, "activity")
        field.queryset = Activity.objects.filter(
            organisation__initiative_partnerships__initiative=initiative
        ).select_related("organisation").order_by("organisation__name", "name")

    def apply(self, initiative: Initiative, user: User) -> None:
        actions.do_link_activity(initiative, acting_user=user,
                                 activity=self.cleaned_data["activity"])


class StatementForm(forms.Form):
    organisation = organisation_field(_("On behalf of"))
    kind = forms.ChoiceField(label=_("Kind"), choices=Statement.Kind.choices)
    text = forms.CharField(
        label=_("Statement"), max_length=500,
        help_text=_("One short statement, e.g. “Personal data may not leave the EU.”"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any,
                 ) -> None:
        super().__init__(*args, **kwargs)
        field = model_choice_field(self, "organisation")
        field.queryset = organisations.order_by("name")
        if len(field.queryset) == 1:
            field.empty_label = None


class AlignmentForm(forms.Form):
    statement = forms.IntegerField(min_value=1, max_value=2**63 - 1)
    goal = forms.IntegerField(min_value=1, max_value=2**63 - 1)
    stance = forms.ChoiceField(choices=Alignment.Stance.choices)


def item_form(kind: str, initiative: Initiative, data: Any) -> ItemForm | None:
    classes: dict[str, type[ItemForm]] = {
        "goal": GoalForm, "partner": PartnerForm, "steering": SteeringMemberForm,
        "decision": DecisionForm, "risk": RiskForm, "concept": ConceptLinkForm,
        "step": StepLinkForm,
    }
    if kind == "activity":
        return ActivityLinkForm(data, initiative=initiative)
    form_class = classes.get(kind)
    return form_class(data) if form_class else None


# --- Editing (optimistic locking) -------------------------------------------------------------

EDIT_CONFLICT = _("Someone else saved this while you were editing it. Nothing was saved: "
                  "reload the page to see their changes, then edit again.")


def version_field() -> forms.IntegerField:
    return forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1,
                              max_value=2**31 - 1)


class GoalEditForm(GoalForm):
    version = version_field()


class RiskEditForm(RiskForm):
    version = version_field()


class DecisionEditForm(DecisionForm):
    version = version_field()


class StatementEditForm(forms.ModelForm[Statement]):
    version = version_field()
    text = forms.CharField(label=_("Statement"), max_length=500,
                           widget=forms.Textarea(attrs={"rows": 2}))

    class Meta:
        model = Statement
        fields = ["kind", "text"]


EDIT_FORMS: dict[str, type[forms.ModelForm[Any]]] = {
    "goal": GoalEditForm, "risk": RiskEditForm, "decision": DecisionEditForm,
}


def edit_values(form: forms.ModelForm[Any]) -> dict[str, Any]:
    return {name: form.cleaned_data[name] for name in form._meta.fields or ()}
