"""The one gate for the commonality app.

Reading needs a logged-in user; running an analysis and deciding about concepts needs an
editor (of any organisation: concepts span organisations) or a superuser.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from mellanrum.core.models import User

from . import analysis
from .models import Concept, SynonymSet


def can_read(user: User) -> bool:
    return user.is_authenticated and user.is_active


def can_decide(user: User) -> bool:
    if not can_read(user):
        return False
    if user.is_superuser:
        return True
    return user.is_editor


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
    if write and not (user.is_superuser or synonyms.created_by_id == user.pk):
        raise PermissionDenied
    return synonyms
