"""Who has a budget sheet: ``{% paying_organisations initiative as payers %}`` for the
initiative page and ``{% pays initiative organisation as paying %}`` for the organisation page.
"""

from __future__ import annotations

from django import template

from mellanrum.benefits.payers import is_paying
from mellanrum.collaborations.models import Initiative
from mellanrum.landscape.models import Organisation

register = template.Library()


@register.simple_tag
def paying_organisations(initiative: Initiative) -> list[Organisation]:
    return [p.organisation for p in initiative.partners.select_related("organisation")
            if is_paying(p)]


@register.simple_tag
def pays(initiative: Initiative, organisation: Organisation) -> bool:
    """Whether the organisation pays a share (and so has a budget sheet); uses the prefetched
    partners when there are any."""
    return any(is_paying(p) for p in initiative.partners.all()
               if p.organisation_id == organisation.pk)
