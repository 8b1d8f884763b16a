"""Who pays: the one rule for which partners of an initiative take a share of its joint cost.

Every split, every planned cost row taken from a split and every budget sheet asks this
module, so the rule is changed here and nowhere else.
"""

from __future__ import annotations

from mellanrum.collaborations.models import Initiative, Partner

__all__ = ["is_paying", "paying_partners"]

def is_paying(partner: Partner) -> bool:
    """Whether this partner takes a share of the joint cost (``Partner.pays``): an accepted
    lead or partner. Observers, facilitators (e.g. an association of municipalities that leads
    without paying) and organisations that are invited or have declined pay nothing."""
    return partner.pays


def paying_partners(initiative: Initiative) -> list[Partner]:
    """The partners that share the joint cost, with their organisations."""
    return [p for p in initiative.partners.select_related("organisation") if is_paying(p)]
