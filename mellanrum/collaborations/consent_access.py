"""Who answers invitations and proposals, records formal decisions and measured values.

- An invitation is answered by an editor or administrator of the invited organisation (or a
  superuser); every partner, invited or not, reads the initiative.
- A proposal is made and closed by those who run the initiative (``can_edit_initiative``), and
  answered by the editors of an accepted partner, each for its own organisation only.
- A formal decision is recorded by the editors of the partner that took it.
- Measured values of a goal: per partner by that partner's editors, joint values and the
  follow-up settings by those who run the initiative.
- A protocol extract is served to whoever may see the initiative.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from mellanrum.core import access as core_access
from mellanrum.core.http import AnyUser
from mellanrum.core.models import User
from mellanrum.landscape.models import Organisation

from .access import MAX_ID, access_initiative, can_edit_initiative, is_reader
from .consent_models import FormalDecision, Proposal
from .models import Goal, Partner

__all__ = [
    "access_formal_decision", "access_goal", "access_proposal", "answerable_invitations",
    "can_answer_invitation", "can_edit_initiative", "speaking_partners",
]


def can_answer_invitation(user: AnyUser, partner: Partner) -> bool:
    if not is_reader(user):
        return False
    return core_access.can_edit_organisation(user, partner.organisation)


def answerable_invitations(user: AnyUser) -> QuerySet[Partner]:
    """The open invitations the user may answer (for the start page)."""
    if not core_access.has_editor_role(user):
        return Partner.objects.none()
    assert isinstance(user, User)
    if user.organisation_id is None:
        return Partner.objects.none()
    return Partner.objects.filter(
        status=Partner.Status.INVITED, organisation_id=user.organisation_id,
    ).select_related("initiative", "organisation", "invited_by")


def speaking_partners(user: AnyUser, partners: QuerySet[Partner]) -> QuerySet[Partner]:
    """The partners (of those given) for which the user may answer or record: its own
    organisation's, or all for a superuser."""
    if core_access.is_superuser(user):
        return partners
    return partners.filter(organisation__in=core_access.editable_organisations(user))


def _check_pk(pk: int) -> None:
    if not 0 < pk <= MAX_ID:
        raise Http404


def access_proposal(user: User, pk: int, *, manage: bool = False) -> Proposal:
    """A proposal of an initiative the user may see; ``manage`` to close it."""
    _check_pk(pk)
    found = Proposal.objects.filter(pk=pk).first()
    if found is None:
        raise Http404
    found.initiative = access_initiative(user, found.initiative_id)
    if manage and not can_edit_initiative(user, found.initiative):
        raise PermissionDenied
    return found


def access_formal_decision(user: User, pk: int) -> FormalDecision:
    _check_pk(pk)
    found = FormalDecision.objects.select_related("organisation").filter(pk=pk).first()
    if found is None:
        raise Http404
    found.initiative = access_initiative(user, found.initiative_id)
    return found


def access_goal(user: User, pk: int) -> Goal:
    _check_pk(pk)
    found = Goal.objects.filter(pk=pk).first()
    if found is None:
        raise Http404
    found.initiative = access_initiative(user, found.initiative_id)
    return found


def can_record_for(user: AnyUser, organisation: Organisation) -> bool:
    return core_access.can_edit_organisation(user, organisation)
