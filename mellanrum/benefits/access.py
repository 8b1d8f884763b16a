"""The gates of the benefits follow-up and the cost split, built on the initiative's gate.

Whoever may read an initiative reads its ledger, economics, cost split and budget sheets
(partners always; other logged-in users only when the initiative is public, like the rest of
it). Each partner's editors write, and confirm, their own organisation's ledger rows only; the
lead's editors set the economics settings and choose the cost split.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from mellanrum.collaborations.access import (
    MAX_ID,
    access_initiative,
    can_edit_initiative,
    can_speak_for,
    statement_organisations,
)
from mellanrum.collaborations.models import Initiative
from mellanrum.core.models import User
from mellanrum.landscape.models import Organisation

from .models import LedgerRow

__all__ = ["access_ledger_row", "can_edit_economics", "ledger_organisations"]


def ledger_organisations(user: User, initiative: Initiative) -> QuerySet[Organisation]:
    """The partner organisations whose ledger rows the user may write."""
    return statement_organisations(user, initiative)


def can_edit_economics(user: User, initiative: Initiative) -> bool:
    """Economics settings and the cost split belong to the lead."""
    return can_edit_initiative(user, initiative)


def access_ledger_row(user: User, pk: int, *, write: bool = False) -> LedgerRow:
    if not 0 < pk <= MAX_ID:
        raise Http404
    try:
        row = LedgerRow.objects.select_related("organisation").get(pk=pk)
    except LedgerRow.DoesNotExist:
        raise Http404 from None
    initiative = access_initiative(user, row.initiative_id)
    row.initiative = initiative
    if write and not can_speak_for(user, initiative, row.organisation):
        raise PermissionDenied
    return row


def may_confirm(user: User, initiative: Initiative, organisation: Organisation) -> bool:
    """A partner's editors confirm their own organisation's share of the split, no one else's
    (not even the lead's editors, who chose the split)."""
    return can_speak_for(user, initiative, organisation)
