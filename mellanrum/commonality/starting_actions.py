"""Starting from a concept: an initiative around it, or a new organisation's activities from
the starter catalogue."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from mellanrum.core.actions import record_audit
from mellanrum.core.models import User
from mellanrum.landscape import access as landscape_access
from mellanrum.landscape import actions as landscape_actions
from mellanrum.landscape.imports import key_for_name
from mellanrum.landscape.models import Activity, Organisation
from mellanrum.landscape.spreadsheet import normalise_name

from . import analysis, starter
from .models import (
    AnalysisRun,
    Concept,
    Membership,
    Opportunity,
)

# --- Starting an initiative from an opportunity -------------------------------------------


def do_start_initiative(concept: Concept, *, acting_user: User) -> Any:
    """Create an initiative (phase idea, visible to its partners) led by the user's
    organisation, with the concept linked and every other organisation doing it invited as a
    partner — for a partly joint concept, those still outside. An association of
    municipalities leads as facilitator (processledare) and pays nothing. Returns the
    initiative."""
    from mellanrum.collaborations import actions as collaborations
    from mellanrum.collaborations.models import Partner
    from mellanrum.landscape.models import Organisation

    lead = acting_user.organisation
    if lead is None:
        raise ValidationError(_("Only a user who belongs to an organisation can start an "
                                "initiative; it is led by that organisation."))
    opportunity = Opportunity.objects.filter(concept=concept).first()
    codes = list(opportunity.outside) if opportunity and opportunity.status == \
        Opportunity.Status.PARTLY_JOINT else sorted(set(
            concept.memberships.values_list("activity__organisation__code", flat=True)))
    partners = Organisation.objects.filter(code__in=codes).exclude(pk=lead.pk).order_by("name")
    with transaction.atomic():
        role = (Partner.Role.FACILITATOR if lead.kind == Organisation.Kind.ASSOCIATION
                else Partner.Role.LEAD)
        initiative = collaborations.do_create_initiative(
            acting_user=acting_user, lead=lead, lead_role=role,
            title=(_("Collaboration: %(label)s") % {"label": concept.label})[:200],
            purpose=(opportunity.explanation_sv if opportunity else concept.label)[:5000],
        )
        collaborations.do_link_concept(initiative, acting_user=acting_user,
                                       concept_id=concept.concept_id)
        for organisation in partners:
            collaborations.do_add_partner(initiative, acting_user=acting_user,
                                          organisation=organisation)
    return initiative


# --- The starter catalogue -----------------------------------------------------------------


@dataclass(frozen=True)
class StarterPick:
    """One ticked concept of the starter catalogue, with the organisation's own figures."""

    concept_id: str
    name: str = ""
    annual_cost_sek: Decimal | None = None
    volume_per_year: Decimal | None = None
    lead_time_days: Decimal | None = None


def _check_picks(
    run: AnalysisRun, organisation: Organisation, picks: Sequence[StarterPick]
) -> dict[str, starter.StarterConcept]:
    if not picks:
        raise ValidationError(_("Tick at least one activity to add."))
    offered = {
        item.concept.concept_id: item
        for area in starter.catalogue(run, organisation) for item in area.concepts
    }
    ids = [p.concept_id for p in picks]
    unknown = [i for i in ids if i not in offered]
    if unknown:
        raise ValidationError(
            _("Not in the starter catalogue: %(ids)s") % {"ids": ", ".join(unknown)}
        )
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        raise ValidationError(_("Chosen more than once: %(ids)s") % {"ids": ", ".join(twice)})
    present = [offered[i].name for i in ids if offered[i].present]
    if present:
        raise ValidationError(
            _("%(name)s already has activities for: %(names)s")
            % {"name": organisation.name, "names": ", ".join(present)}
        )
    names = [normalise_name(p.name or offered[p.concept_id].name) for p in picks]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ValidationError(
            _("Two ticked activities have the same name: %(names)s")
            % {"names": ", ".join(repeated)}
        )
    return offered


def do_start_from_catalogue(
    organisation: Organisation, picks: Sequence[StarterPick], *, acting_user: User | None
) -> list[Activity]:
    """Create an activity for each ticked concept, all or nothing, and count it as a member of
    its concept at once; concepts the organisation already has are refused, not duplicated."""
    if acting_user is not None:
        landscape_access.require_write(acting_user, organisation)
    run = analysis.current_run()
    if run is None:
        raise ValidationError(_("There is no finished analysis yet, so no starter catalogue."))
    created = []
    with transaction.atomic():
        # Lock the organisation so two submits of the same ticks cannot both pass the check.
        Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
        offered = _check_picks(run, organisation, picks)
        for pick in picks:
            item = offered[pick.concept_id]
            name = " ".join((pick.name or item.name).split())
            activity = landscape_actions.do_create_activity(
                organisation,
                acting_user=acting_user,
                key=key_for_name(name, organisation),
                name=name,
                kind=item.kind,
                category=item.category,
                annual_cost_sek=pick.annual_cost_sek,
                volume_per_year=pick.volume_per_year,
                volume_unit=item.volume_unit if pick.volume_per_year is not None else "",
                lead_time_days=pick.lead_time_days,
            )
            Membership.objects.create(
                concept=item.concept, activity=activity, confidence=1.0,
                evidence=[_("chosen from the starter catalogue")],
            )
            created.append(activity)
        record_audit(acting_user, organisation, "activity.starter_catalogue", organisation.name,
                     count=len(created), concepts=",".join(p.concept_id for p in picks))
    return created
