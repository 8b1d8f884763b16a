"""``{% organisation_collaborations organisation as data %}`` for the organisation page: the
initiatives the viewer may see that the organisation takes part in, and its net gain."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from mellanrum.benefits.ledger import net_gains
from mellanrum.collaborations.access import visible_initiatives
from mellanrum.landscape.models import Organisation

register = template.Library()


@register.simple_tag(takes_context=True)
def organisation_collaborations(context: dict[str, Any],
                                organisation: Organisation) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None:
        return {"rows": [], "total": None}
    initiatives = list(
        visible_initiatives(user).filter(partners__organisation=organisation)
        .select_related("economics")
        .prefetch_related("partners__organisation")
        .order_by("title", "pk")
    )
    results = net_gains(initiatives)
    rows = []
    total: Decimal | None = None
    for initiative in initiatives:
        role = next((p for p in initiative.partners.all()
                     if p.organisation_id == organisation.pk), None)
        result = results.get(initiative.pk)
        mine = result.partner(organisation.code) if result else None
        gain = mine.net_gain if mine else None
        if gain is not None:
            total = (total or Decimal(0)) + gain
        rows.append({"initiative": initiative, "role": role.get_role_display() if role else "",
                     "net_gain": gain})
    return {"rows": rows, "total": total}
