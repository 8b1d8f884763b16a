"""The one gate for the commonality app.

Reading needs a logged-in user; running an analysis and deciding about concepts needs an
editor (of any organisation: concepts span organisations) or a superuser.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from mellanrum.core import access as core_access
from mellanrum.core.models import User

from . import analysis
from .models import Concept, LearnedRule, SynonymSet


def can_read(user: User) -> bool:
    return core_access.is_reader(user)


def can_decide(user: User) -> bool:
    if core_access.is_superuser(user):
        return True
    return core_access.has_editor_role(user)


def can_delete_synonyms(user: User, synonyms: SynonymSet) -> bool:
    """Superusers, and whoever added the synonyms."""
    if core_access.is_superuser(user):
        return True
    if not can_read(user):
        return False
    return bool(synonyms.created_by_id == user.pk)


def require_read(user: User) -> None:
    if not can_read(user):
        raise PermissionDenied


def require_decide(user: User) -> None:
    if not can_decide(user):
        raise PermissionDenied


def access_concept(user: User, concept_id: str, *, write: bool = False) -> Concept:
    """A concept of the current analysis, by its engine id."""
    if write:
        require_decide(user)
    require_read(user)
    run = analysis.current_run()
    concept = (
        Concept.objects.select_related("run").filter(run=run, concept_id=concept_id).first()
        if run is not None
        else None
    )
    if concept is None:
        raise Http404
    return concept


def access_synonym_set(user: User, pk: int, *, write: bool = False) -> SynonymSet:
    require_read(user)
    try:
        synonyms = SynonymSet.objects.get(pk=pk)
    except SynonymSet.DoesNotExist:
        raise Http404 from None
    if write and not can_delete_synonyms(user, synonyms):
        raise PermissionDenied
    return synonyms


def access_learned_rule(user: User, pk: int) -> LearnedRule:
    """A learned pair of names, to remove: whoever may decide about concepts."""
    require_decide(user)
    try:
        return LearnedRule.objects.get(pk=pk)
    except LearnedRule.DoesNotExist:
        raise Http404 from None
