"""``{% initiative_consent initiative as consent %}`` for the initiative page: the invitation
the viewer may answer, proposals, the partners' formal decisions and each goal's status; and
``{% pending_invitations as invitations %}`` for the start page."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import QuerySet

from mellanrum.collaborations.access import can_edit_initiative
from mellanrum.collaborations.consent_access import (
    answerable_invitations,
    can_answer_invitation,
    speaking_partners,
)
from mellanrum.collaborations.consent_analysis import goal_view
from mellanrum.collaborations.models import Initiative, Partner

register = template.Library()


@register.simple_tag(takes_context=True)
def initiative_consent(context: dict[str, Any], initiative: Initiative) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    partners = list(initiative.partners.select_related("organisation", "answered_by"))
    invitations = [p for p in partners if p.status == Partner.Status.INVITED
                   and user is not None and can_answer_invitation(user, p)]
    decisions = list(initiative.formal_decisions.select_related("organisation"))
    paying = [p for p in partners if p.pays]
    by_partner = [(p, [d for d in decisions if d.organisation_id == p.organisation_id])
                  for p in paying]
    accepted = initiative.partners.filter(status=Partner.Status.ACCEPTED)
    return {
        "invitations": invitations,
        "proposals": list(initiative.proposals.all()[:5]),
        "open_proposals": initiative.proposals.filter(closed_at=None).count(),
        "decisions_by_partner": by_partner,
        "other_decisions": [d for d in decisions
                            if d.organisation_id not in {p.organisation_id for p in paying}],
        "decided": sum(1 for _p, found in by_partner if found),
        "can_record_decision": user is not None and speaking_partners(user, accepted).exists(),
        "can_manage": user is not None and can_edit_initiative(user, initiative),
        "goals": {g.pk: goal_view(g) for g in initiative.goals.all()},
    }


@register.simple_tag(takes_context=True)
def pending_invitations(context: dict[str, Any]) -> QuerySet[Partner]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None:
        return Partner.objects.none()
    return answerable_invitations(user)


@register.filter
def lookup(mapping: dict[Any, Any], key: Any) -> Any:
    return mapping.get(key)
