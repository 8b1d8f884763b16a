"""Every write of the workshop and of the shared principles goes through a ``do_*`` here.

As in ``actions.py``: each validates, writes in one transaction and records who did it in the
audit log; permission checks are the caller's business, through ``access.py``
(``can_facilitate``, ``can_confirm``, ``approval_organisations``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mellanrum.core.models import User
from mellanrum.core.validation import full_clean_refusing_nul
from mellanrum.landscape.models import Organisation

from . import actions
from .actions import _audit, _user_or_none
from .models import (
    Initiative,
    Partner,
    Principle,
    PrincipleApproval,
    PrincipleVersion,
    Statement,
    Tension,
)


class VersionConflict(ValidationError):
    """The version the user saw has changed (or been replaced) since; nothing was written."""


# --- Statements recorded on behalf of a partner ---------------------------------------------


def active_partner(initiative: Initiative, organisation: Organisation) -> Partner | None:
    """The organisation's partnership, if it takes part (a partner that declined an
    invitation, or has not answered one yet, does not act)."""
    partner = initiative.partners.filter(organisation=organisation).first()
    if partner is None:
        return None
    if getattr(partner, "status", "accepted") in {"invited", "declined"}:
        return None
    return partner


def _require_partner(initiative: Initiative, organisation: Organisation, message: str) -> None:
    if active_partner(initiative, organisation) is None:
        raise ValidationError({"organisation": [message]})


@transaction.atomic
def do_record_on_behalf(initiative: Initiative, *, acting_user: User | None,
                        organisation: Organisation, kind: str, text: str) -> Statement:
    """A statement the facilitator heard a partner make, as a draft awaiting confirmation."""
    _require_partner(initiative, organisation,
                     _("Only partners of the initiative have statements recorded for them."))
    statement = Statement(initiative=initiative, organisation=organisation, kind=kind,
                          text=text.strip(), created_by=_user_or_none(acting_user),
                          on_behalf=True, recorded_by=_user_or_none(acting_user))
    full_clean_refusing_nul(statement, exclude=["created_by", "recorded_by", "confirmed_by"])
    statement.save()
    _audit(acting_user, initiative, "record_on_behalf", organisation=organisation,
           partner=organisation.code)
    return statement


def _confirm(statement: Statement, acting_user: User | None) -> Statement:
    statement.confirmed_by = _user_or_none(acting_user)
    statement.confirmed_at = timezone.now()
    statement.save(update_fields=["confirmed_by", "confirmed_at"])
    _audit(acting_user, statement.initiative, "confirm_statement",
           organisation=statement.organisation, partner=statement.organisation.code)
    return statement


@transaction.atomic
def do_confirm_statement(statement: Statement, *, acting_user: User | None,
                         expected_version: int | None = None) -> Statement:
    """The partner confirms a draft recorded on its behalf, as it was worded."""
    current = Statement.objects.select_for_update().filter(pk=statement.pk).first()
    if current is None:
        raise ValidationError(_("That item does not exist any more."))
    if expected_version is not None and current.version != expected_version:
        raise VersionConflict(_("The draft was changed after you read it; read it again "
                                "before you confirm it."))
    if not current.is_draft:
        raise ValidationError(_("This statement is not a draft awaiting confirmation."))
    _require_partner(statement.initiative, statement.organisation,
                     _("Only partners of the initiative confirm statements."))
    current.initiative = statement.initiative
    current.organisation = statement.organisation
    return _confirm(current, acting_user)


@transaction.atomic
def do_update_statement_as_partner(statement: Statement, *, acting_user: User | None,
                                   expected_version: int | None = None,
                                   **fields: Any) -> Statement:
    """The partner's own edit; editing a draft recorded on its behalf confirms it."""
    was_draft = statement.is_draft
    updated = actions.do_update_statement(statement, acting_user=acting_user,
                                          expected_version=expected_version, **fields)
    if was_draft:
        updated.initiative = statement.initiative
        updated.organisation = statement.organisation
        _confirm(updated, acting_user)
    return updated


# --- Tensions between partners' statements ---------------------------------------------------


@transaction.atomic
def do_set_tension(first: Statement, second: Statement, stance: str, *,
                   acting_user: User | None, note: str = "") -> Tension:
    if first.pk == second.pk:
        raise ValidationError(_("Set a statement against another statement, not itself."))
    if first.initiative_id != second.initiative_id:
        raise ValidationError(_("Both statements must belong to the same initiative."))
    if first.organisation_id == second.organisation_id:
        raise ValidationError(_("Set statements of two different partners against each "
                                "other."))
    if stance not in Tension.Stance.values:
        raise ValidationError({"stance": [_("Choose supports, neutral, tension or "
                                            "conflicts.")]})
    if first.pk > second.pk:
        first, second = second, first
    tension, _created = Tension.objects.update_or_create(
        first=first, second=second,
        defaults={"initiative_id": first.initiative_id, "stance": stance,
                  "note": note.strip(), "set_by": _user_or_none(acting_user)},
    )
    full_clean_refusing_nul(tension, exclude=["set_by"])
    _audit(acting_user, first.initiative, "set_tension", first=first.pk, second=second.pk,
           stance=stance)
    return tension


# --- Shared principles -------------------------------------------------------------------------


def latest_published(initiative: Initiative) -> PrincipleVersion | None:
    return initiative.principle_versions.filter(
        status=PrincipleVersion.Status.PUBLISHED).order_by("-number").first()


def _locked_draft(draft: PrincipleVersion, expected_revision: int | None) -> PrincipleVersion:
    current = PrincipleVersion.objects.select_for_update().filter(pk=draft.pk).first()
    if current is None or not current.is_draft:
        raise VersionConflict(_("This version has been published in the meantime and is "
                                "frozen; start a new version to change it."))
    if expected_revision is not None and current.revision != expected_revision:
        raise VersionConflict(_("Someone else changed the draft while you were editing it. "
                                "Nothing was saved: reload the page and try again."))
    current.initiative = draft.initiative
    return current


def _touch(draft: PrincipleVersion) -> None:
    draft.revision += 1
    draft.save(update_fields=["revision"])


def _check_citations(initiative: Initiative, statements: Iterable[Statement]) -> list[Statement]:
    chosen = list(statements)
    if any(s.initiative_id != initiative.pk for s in chosen):
        raise ValidationError({"statements": [_("Cite only statements of this initiative.")]})
    return chosen


@transaction.atomic
def do_start_principles_draft(initiative: Initiative, *,
                              acting_user: User | None) -> PrincipleVersion:
    """The open draft, or a new one copied from the latest published version."""
    existing = initiative.principle_versions.filter(
        status=PrincipleVersion.Status.DRAFT).first()
    if existing is not None:
        return existing
    latest = initiative.principle_versions.order_by("-number").first()
    draft = PrincipleVersion.objects.create(
        initiative=initiative, number=(latest.number + 1) if latest else 1,
        created_by=_user_or_none(acting_user))
    published = latest_published(initiative)
    if published is not None:
        for principle in published.principles.prefetch_related("statements"):
            copy = Principle.objects.create(version=draft, position=principle.position,
                                            text=principle.text)
            copy.statements.set(principle.statements.all())
    _audit(acting_user, initiative, "start_principles", version=draft.number)
    return draft


@transaction.atomic
def do_add_principle(draft: PrincipleVersion, *, acting_user: User | None, text: str,
                     statements: Iterable[Statement] = (),
                     expected_revision: int | None = None) -> Principle:
    draft = _locked_draft(draft, expected_revision)
    cited = _check_citations(draft.initiative, statements)
    last = draft.principles.order_by("-position").first()
    principle = Principle(version=draft, text=text.strip(),
                          position=(last.position + 1) if last else 1)
    full_clean_refusing_nul(principle)
    principle.save()
    principle.statements.set(cited)
    _touch(draft)
    _audit(acting_user, draft.initiative, "add_principle", version=draft.number)
    return principle


@transaction.atomic
def do_update_principle(principle: Principle, *, acting_user: User | None, text: str,
                        statements: Iterable[Statement] = (),
                        expected_revision: int | None = None) -> Principle:
    draft = _locked_draft(principle.version, expected_revision)
    cited = _check_citations(draft.initiative, statements)
    old = principle.text
    principle.text = text.strip()
    full_clean_refusing_nul(principle)
    principle.save(update_fields=["text"])
    principle.statements.set(cited)
    _touch(draft)
    _audit(acting_user, draft.initiative, "update_principle", version=draft.number,
           old_text=old)
    return principle


@transaction.atomic
def do_remove_principle(principle: Principle, *, acting_user: User | None,
                        expected_revision: int | None = None) -> None:
    draft = _locked_draft(principle.version, expected_revision)
    old = principle.text
    principle.delete()
    _touch(draft)
    _audit(acting_user, draft.initiative, "remove_principle", version=draft.number,
           old_text=old)


@transaction.atomic
def do_publish_principles(draft: PrincipleVersion, *, acting_user: User | None,
                          note: str = "",
                          expected_revision: int | None = None) -> PrincipleVersion:
    """Freeze the draft: from now on partners approve it, and a change is a new version."""
    draft = _locked_draft(draft, expected_revision)
    if not draft.principles.exists():
        raise ValidationError(_("Write at least one principle before publishing."))
    draft.status = PrincipleVersion.Status.PUBLISHED
    draft.note = note.strip()
    draft.published_at = timezone.now()
    draft.published_by = _user_or_none(acting_user)
    full_clean_refusing_nul(draft, exclude=["created_by", "published_by"])
    draft.save(update_fields=["status", "note", "published_at", "published_by"])
    _audit(acting_user, draft.initiative, "publish_principles", version=draft.number)
    return draft


@transaction.atomic
def do_approve_principles(version: PrincipleVersion, *, acting_user: User | None,
                          organisation: Organisation,
                          expected_number: int | None = None) -> PrincipleApproval:
    """One partner approves the version it read. The version it read must still be the
    latest published one: otherwise the partner is told to read the new one first."""
    initiative = version.initiative
    _require_partner(initiative, organisation,
                     _("Only partners of the initiative approve its shared principles."))
    if version.is_draft:
        raise ValidationError(_("A draft cannot be approved; wait until it is published."))
    latest = latest_published(initiative)
    if expected_number is not None and expected_number != version.number:
        raise VersionConflict(_("The version you read is not the one you tried to approve; "
                                "reload the page and read it again."))
    if latest is None or latest.pk != version.pk:
        raise VersionConflict(
            _("Version %(old)s has been replaced by version %(new)s since you read it. Nothing "
              "was approved: read version %(new)s and approve that.")
            % {"old": version.number, "new": latest.number if latest else "–"})
    if version.approvals.filter(organisation=organisation).exists():
        raise ValidationError(_("%(partner)s has already approved version %(number)s.")
                              % {"partner": organisation.name, "number": version.number})
    approval = PrincipleApproval.objects.create(version=version, organisation=organisation,
                                                approved_by=_user_or_none(acting_user))
    _audit(acting_user, initiative, "approve_principles", organisation=organisation,
           partner=organisation.code, version=version.number)
    return approval
