from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from mellanrum.collaborations.models import Initiative
from mellanrum.core.models import User
from mellanrum.landscape.models import Organisation
from mellanrum.lib.forms import choice_field, model_choice_field

from . import actions
from .models import Event, Network, NetworkMember

NOT_AN_ORGANISATION = _("Choose an organisation from the landscape.")
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format=DATETIME_FORMAT, **kwargs)


def _datetime_field(label: StrOrPromise, *, required: bool = True,
                    help_text: StrOrPromise = "",
                    ) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label, required=required, help_text=help_text, widget=LocalDateTimeInput(),
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        error_messages={"invalid": _("Give a date and time, e.g. 2026-03-14 13:00.")},
    )


class NetworkForm(forms.ModelForm[Network]):
    class Meta:
        model = Network
        fields = list(actions.NETWORK_FIELDS)
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}


class EventForm(forms.ModelForm[Event]):
    online_url = forms.URLField(label=_("link to the digital meeting"), required=False,
                                max_length=500, assume_scheme="https",
                                help_text=_("Shown only to registered participants."))
    starts_at = _datetime_field(_("starts"), help_text=_("Swedish time."))
    ends_at = _datetime_field(_("ends"))
    registration_deadline = _datetime_field(
        _("last day to register"), required=False,
        help_text=_("Leave empty to allow registration until the event starts."))
    capacity = forms.IntegerField(
        label=_("places"), required=False, min_value=1, max_value=actions.MAX_CAPACITY,
        help_text=_("Leave empty for no limit."),
        error_messages={
            "min_value": _("Give a number of places from 1 to 10 000, or leave it empty."),
            "max_value": _("Give a number of places from 1 to 10 000, or leave it empty."),
        },
    )

    class Meta:
        model = Event
        fields = ["title", "description", "starts_at", "ends_at", "place", "is_digital",
                  "online_url", "capacity", "registration_deadline", "network"]
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args: Any, organisations: QuerySet[Organisation],
                 networks: QuerySet[Network], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "network").queryset = networks
        self.fields["network"].required = False
        self.fields["network"].error_messages["invalid_choice"] = _(
            "Choose a network you can see.")
        if self.instance.pk is None:
            self.fields["organiser"] = forms.ModelChoiceField(
                queryset=organisations, to_field_name="code", label=_("organiser"),
                initial=organisations.first() if organisations.count() == 1 else None,
                error_messages={"invalid_choice": NOT_AN_ORGANISATION},
            )

    def _post_clean(self) -> None:
        # Validation lives in actions.check_event; the model's own checks run there too.
        pass

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.errors:
            return data
        probe = Event(**{name: data.get(name) for name in actions.EVENT_FIELDS},
                      registered_count=self.instance.registered_count)
        probe.place = probe.place or ""
        probe.online_url = probe.online_url or ""
        try:
            actions.check_event(probe,
                                old_start=self.instance.starts_at if self.instance.pk else None)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        return data

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in actions.EVENT_FIELDS}


class OrganisationItemForm(forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.order_by("name"), to_field_name="code",
        label=_("Organisation"), error_messages={"invalid_choice": NOT_AN_ORGANISATION},
    )


class ConceptItemForm(forms.Form):
    concept = forms.ChoiceField(label=_("Concept"), choices=[],
                                error_messages={"invalid_choice": _(
                                    "No concept with this id in the latest commonality "
                                    "analysis.")})

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "concept").choices = choices


class InitiativeItemForm(forms.Form):
    initiative = forms.ModelChoiceField(
        queryset=Initiative.objects.none(), label=_("Collaboration initiative"),
        error_messages={"invalid_choice": _("Choose an initiative you can see.")},
    )

    def __init__(self, *args: Any, initiatives: QuerySet[Initiative], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "initiative").queryset = initiatives


class PersonItemForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150,
                               help_text=_("The user name the person logs in with."))

    def clean_username(self) -> User:
        name = self.cleaned_data["username"].strip()
        user = User.objects.filter(username=name, is_active=True).first()
        if user is None:
            raise ValidationError(_("No active user with this user name."))
        return user


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=NetworkMember.Role.choices)
