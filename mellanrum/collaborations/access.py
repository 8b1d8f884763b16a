"""The one gate through which views, the API and the CLI fetch initiatives.

Anonymous users see nothing. Partners (any role) read their initiatives; other logged-in users
read only public ones, and a private initiative is a 404 to them, so its existence stays hidden.
The editors of the partner that runs it (the lead, or a facilitator that leads without paying)
and superusers edit the initiative; each accepted partner's editors edit their own statements;
alignments are set by the statement's organisation or the lead. An invited partner reads the
initiative and acts only once it has accepted (see ``consent_access.py``).

The ledger, economics and cost split have their gates in ``benefits/access.py``.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from mellanrum.core import access as core_access
from mellanrum.core.http import AnyUser
from mellanrum.core.models import User
from mellanrum.landscape.models import Organisation

from .models import Initiative, Partner, Statement

# The largest primary key a database stores; a bigger number in a URL is simply not found.
MAX_ID = 2**63 - 1


def is_reader(user: AnyUser) -> bool:
    return core_access.is_reader(user)


def visible_initiatives(user: AnyUser) -> QuerySet[Initiative]:
    if not isinstance(user, User) or not is_reader(user):
        return Initiative.objects.none()
    if core_access.is_superuser(user):
        return Initiative.objects.all()
    return Initiative.objects.filter(
        Q(is_public=True) | Q(partners__organisation_id=user.organisation_id)
    ).distinct()


def is_partner(user: User, initiative: Initiative) -> bool:
    if not is_reader(user):
        return False
    if user.organisation_id is None:
        return False
    return initiative.partners.filter(organisation_id=user.organisation_id).exists()


def sees_as_partner(user: User, initiative: Initiative) -> bool:
    """Partners, and superusers, see what is shown to the partners of an initiative."""
    if core_access.is_superuser(user):
        return True
    return is_partner(user, initiative)


def can_create_initiative(user: AnyUser) -> bool:
    """Editors start initiatives, led by their own organisation; superusers for any."""
    return core_access.can_edit_for_some_organisation(user)


def can_lead(user: User, organisation: Organisation) -> bool:
    """Whether the user may start an initiative with this organisation as its lead."""
    return core_access.can_edit_organisation(user, organisation)


def can_edit_initiative(user: User, initiative: Initiative) -> bool:
    if not is_reader(user):
        return False
    if core_access.is_superuser(user):
        return True
    runners = initiative.partners.filter(role__in=Partner.RUNNING_ROLES,
                                         status=Partner.Status.ACCEPTED).select_related(
                                             "organisation")
    return any(core_access.can_edit_organisation(user, p.organisation) for p in runners)


def can_speak_for(user: User, initiative: Initiative, organisation: Organisation) -> bool:
    """Whether the user may write statements and alignments for this partner organisation."""
    if not is_reader(user):
        return False
    if not initiative.partners.filter(organisation=organisation).exists():
        return False
    return core_access.can_edit_organisation(user, organisation)


def statement_organisations(user: User, initiative: Initiative) -> QuerySet[Organisation]:
    """The partner organisations the user may write statements for."""
    partners = Organisation.objects.filter(
        initiative_partnerships__initiative=initiative,
        initiative_partnerships__status=Partner.Status.ACCEPTED)
    return partners.filter(pk__in=core_access.editable_organisations(user))


def can_set_alignment(user: User, statement: Statement) -> bool:
    if can_speak_for(user, statement.initiative, statement.organisation):
        return True
    return can_edit_initiative(user, statement.initiative)


def access_initiative(user: User, pk: int, *, write: bool = False) -> Initiative:
    if not is_reader(user):
        raise PermissionDenied
    if not 0 < pk <= MAX_ID:
        raise Http404
    try:
        initiative = visible_initiatives(user).get(pk=pk)
    except Initiative.DoesNotExist:
        raise Http404 from None
    if write and not can_edit_initiative(user, initiative):
        raise PermissionDenied
    return initiative


def access_statement(user: User, pk: int, *, write: bool = False) -> Statement:
    if not 0 < pk <= MAX_ID:
        raise Http404
    try:
        statement = Statement.objects.select_related("organisation").get(pk=pk)
    except Statement.DoesNotExist:
        raise Http404 from None
    initiative = access_initiative(user, statement.initiative_id)
    statement.initiative = initiative
    if write and not can_speak_for(user, initiative, statement.organisation):
        raise PermissionDenied
    return statement
# --- The workshop and the shared principles --------------------------------------------------


def can_facilitate(user: User, initiative: Initiative) -> bool:
    """Whether the user runs the initiative's workshop: records statements on behalf of
    partners, sets tensions and drafts and publishes the shared principles: whoever runs the
    initiative (the editors of its accepted lead or facilitator, and superusers)."""
    return can_edit_initiative(user, initiative)


def can_confirm(user: User, statement: Statement) -> bool:
    """A draft recorded on a partner's behalf is confirmed by that partner's editors."""
    return statement.is_draft and can_speak_for(user, statement.initiative,
                                                statement.organisation)


def approval_organisations(user: User, initiative: Initiative) -> QuerySet[Organisation]:
    """The partner organisations for which the user may approve the shared principles."""
    return statement_organisations(user, initiative)
