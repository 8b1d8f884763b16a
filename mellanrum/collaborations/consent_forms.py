"""Forms for invitations, proposals, formal decisions and measured values of goals."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from mellanrum.landscape.models import Organisation

from .consent_models import FormalDecision, ProposalAnswer
from .forms import DATE_WIDGET, organisation_field


class InvitationAnswerForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("Answer"), widget=forms.RadioSelect,
        choices=[("accept", _("Accept: we take part")),
                 ("decline", _("Decline: we do not take part"))],
        error_messages={"required": _("Choose whether to accept or decline.")},
    )
    reason = forms.CharField(
        label=_("Reason for declining"), required=False, max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you decline; the other partners see it."),
    )


class ProposalForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(label=_("Proposal"), max_length=5000,
                           widget=forms.Textarea(attrs={"rows": 5}))
    deadline = forms.DateField(label=_("Deadline"), widget=DATE_WIDGET,
                               help_text=_("Answers are taken until the end of this day; it "
                                           "cannot be in the past."))


class ProposalAnswerForm(forms.Form):
    organisation = organisation_field(_("Answer for"))
    position = forms.ChoiceField(label=_("Answer"), widget=forms.RadioSelect,
                                 choices=ProposalAnswer.Position.choices,
                                 error_messages={"required": _("Choose an answer.")})
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("Required when you disagree or block."))

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = organisations
        if organisations.count() == 1:
            field.initial = organisations.first()


class FormalDecisionForm(forms.Form):
    organisation = organisation_field(_("Partner"))
    body = forms.ChoiceField(label=_("Decision-making body"),
                             choices=FormalDecision.Body.choices)
    body_name = forms.CharField(label=_("Name of the body"), required=False, max_length=200,
                                help_text=_("For example “Socialnämnden”."))
    date = forms.DateField(label=_("Date of the decision"), widget=DATE_WIDGET)
    paragraph = forms.CharField(label=_("Paragraph"), max_length=40,
                                help_text=_("As in the protocol, for example “§ 214”."))
    summary = forms.CharField(label=_("What was decided"), required=False, max_length=500)
    protocol = forms.FileField(
        label=_("Protocol extract (PDF)"), required=False,
        help_text=_("A PDF of at most 10 MB. Only those who may see the initiative can "
                    "download it."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = organisations
        if organisations.count() == 1:
            field.initial = organisations.first()


class GoalTrackingForm(forms.Form):
    per_partner = forms.BooleanField(label=_("Measured per partner"), required=False)
    baseline_date = forms.DateField(
        label=_("Date of the baseline"), required=False, widget=DATE_WIDGET,
        help_text=_("Where the straight path to the target starts; empty means the "
                    "initiative's start date."))
    kolada_kpi = forms.CharField(
        label=_("Kolada KPI"), required=False, max_length=16,
        help_text=_("For example N00945. The partner municipalities' values stored from Kolada "
                    "fill in the measured values by themselves."))


class MeasurementForm(forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), to_field_name="code", label=_("Partner"),
        required=False)
    period_end = forms.DateField(label=_("End of the period"), widget=DATE_WIDGET,
                                 help_text=_("For a whole year, 31 December of that year."))
    value = forms.CharField(label=_("Value"), max_length=40,
                            help_text=_("A number, for example 62,5."))
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def __init__(self, *args: Any, organisations: QuerySet[Organisation] | None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if organisations is None:
            del self.fields["organisation"]
        else:
            field = self.fields["organisation"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = organisations
            field.required = True
