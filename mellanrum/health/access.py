"""The one gate for survey rounds, results and invitation links.

Results are for the initiative's partners (any role) and superusers only, even when the
initiative itself is public: a survey of how partners see each other is not for outsiders.
Rounds are opened, closed and given invitations by those who edit the initiative (the lead
partner's editors and superusers). An invitation link is the only key a respondent has.
"""

from __future__ import annotations

import hashlib
import re

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from mellanrum.collaborations.access import (
    MAX_ID,
    access_initiative,
    can_edit_initiative,
    is_partner,
    is_reader,
)
from mellanrum.collaborations.models import Initiative
from mellanrum.core.models import User

from .models import Invitation, Round

# secrets.token_urlsafe(32): 43 characters of URL-safe base64, 256 bits.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")


class InvitationUnavailable(Exception):
    """A link that exists but takes no (more) answers; ``reason`` says why.

    "expired" and "closed" hold for every link of a batch or round alike; "used" is raised
    only by the submit action, and the survey page answers it exactly like a first answer.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # "used", "expired" or "closed"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def can_read_results(user: User, initiative: Initiative) -> bool:
    if not is_reader(user):
        return False
    if user.is_superuser:
        return True
    return is_partner(user, initiative)


def can_manage_rounds(user: User, initiative: Initiative) -> bool:
    return can_edit_initiative(user, initiative)


def access_health(user: User, initiative_pk: int, *, write: bool = False) -> Initiative:
    """The initiative whose surveys the user may read (or manage, with ``write``)."""
    initiative = access_initiative(user, initiative_pk)
    if not can_read_results(user, initiative):
        raise PermissionDenied
    if write and not can_manage_rounds(user, initiative):
        raise PermissionDenied
    return initiative


def access_round(user: User, pk: int, *, write: bool = False) -> Round:
    if not is_reader(user):
        raise PermissionDenied
    if not 0 < pk <= MAX_ID:
        raise Http404
    try:
        round_ = Round.objects.get(pk=pk)
    except Round.DoesNotExist:
        raise Http404 from None
    round_.initiative = access_health(user, round_.initiative_id, write=write)
    return round_


def access_invitation(token: str) -> Invitation:
    """The invitation behind a link, if its round still takes answers.

    A malformed or unknown token is a 404 (nothing tells whether it ever existed); an
    expired link, or one of a closed round, raises :class:`InvitationUnavailable`. Whether
    the link has been used is deliberately *not* checked here: a used link must look exactly
    like an unused one to anyone who opens it (see docs/health.md, "Anonymity").
    """
    if not TOKEN_PATTERN.fullmatch(token):
        raise Http404
    invitation = (Invitation.objects.select_related("round__initiative")
                  .filter(token_hash=hash_token(token)).first())
    if invitation is None:
        raise Http404
    if not invitation.round.is_open:
        raise InvitationUnavailable("closed")
    if invitation.expires_at <= timezone.now():
        raise InvitationUnavailable("expired")
    return invitation
