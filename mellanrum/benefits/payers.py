"""Who pays: the one rule for which partners of an initiative take a share of its joint cost.

Every split, every planned cost row taken from a split and every budget sheet asks this
module, so the rule is changed here and nowhere else.
"""

from __future__ import annotations

from mellanrum.collaborations.models import Initiative, Partner

__all__ = ["NON_PAYING_ROLES", "is_paying", "paying_partners"]

# Observers follow the work and a facilitator (e.g. an association of municipalities) leads it
# without paying; neither takes a share of the joint cost.
NON_PAYING_ROLES = frozenset({"observer", "facilitator"})
# A partner that has been invited but not yet accepted, or that declined, pays nothing either.
NON_PAYING_STATUSES = frozenset({"invited", "declined"})


def is_paying(partner: Partner) -> bool:
    """Whether this partner takes a share of the joint cost."""
    if partner.role in NON_PAYING_ROLES:
        return False
    return getattr(partner, "status", "") not in NON_PAYING_STATUSES


def paying_partners(initiative: Initiative) -> list[Partner]:
    """The partners that share the joint cost, with their organisations."""
    return [p for p in initiative.partners.select_related("organisation") if is_paying(p)]
