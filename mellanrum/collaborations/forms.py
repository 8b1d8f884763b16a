from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from mellanrum.benefits.analysis import METHOD_LABELS
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
    LedgerRow,
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


# --- Benefits ledger, economics and cost split ------------------------------------------------


def amount_field(label: StrOrPromise, *, required: bool = False, help_text: StrOrPromise = "",
                 ) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, required=required, localize=True, help_text=help_text,
        error_messages={"invalid": _("Give a number, e.g. 125000 or 125000,50.")},
    )


class SplitShareForm(forms.Form):
    """A partner enters its share of the chosen split as a planned cost in its ledger."""

    organisation = organisation_field(_("Partner"))
    year = forms.IntegerField(label=_("Year"),
                              error_messages={"invalid": _("Give a year, e.g. 2026.")})
    kind = forms.ChoiceField(label=_("Kind"), choices=[
        (kind.value, kind.label) for kind in actions.SHARE_KINDS])

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"year": datetime.date.today().year,
                                      "kind": LedgerRow.Kind.INVESTMENT})
        super().__init__(*args, **kwargs)
        field = model_choice_field(self, "organisation")
        field.queryset = organisations.order_by("name")
        if len(field.queryset) == 1:
            field.empty_label = None


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
                 *[f"volume_{c}" for c in self.codes], "fixed_percent", "method", "rationale"]
        self.order_fields(order)

    def options(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"groups": data.get("groups") or "", "fixed_percent": data.get("fixed_percent"),
                "model": data.get("model") or "known",
                "formula": {k: data.get(f"formula_{k}") for k in ("fixed", "unit_cost",
                                                                    "exponent")},
                "volumes": {c: data.get(f"volume_{c}") for c in self.codes}}

    def standalone(self) -> dict[str, Any]:
        return {code: self.cleaned_data.get(f"alone_{code}") for code in self.codes}
