"""Every write to survey rounds, invitations and responses goes through a ``do_*`` function.

Opening and closing rounds and creating invitations are recorded in the lead organisation's
audit log. Responses are not: an audit entry with a time and an organisation beside the
response would help tie an answer to a person.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mellanrum.collaborations.models import Initiative
from mellanrum.core.actions import record_audit
from mellanrum.core.models import User
from mellanrum.engines.health import SCALE_MAX, SCALE_MIN
from mellanrum.landscape.models import Organisation
from mellanrum.lib.urls import site_url

from .access import InvitationUnavailable, access_invitation, hash_token
from .models import Answer, Invitation, Response, Round

MAX_LINKS = 500
MAX_COMMENT = 2000
MAX_DAYS = 365


@dataclass(frozen=True)
class IssuedLink:
    """A link as handed to the lead once: the token itself is never stored."""

    organisation: Organisation
    label: str  # the e-mail address it is meant for, or "1", "2", ...
    token: str
    expires_at: datetime.datetime


def survey_url(token: str) -> str:
    """The absolute link of a survey token, always from ``SITE_ROOT`` (never from the Host
    header of the request that created it, which a client can set)."""
    return site_url(reverse("health:survey", args=[token]))


def _user_or_none(user: User | None) -> User | None:
    return user if user is not None and user.is_authenticated else None


def _audit(user: User | None, initiative: Initiative, action: str, **detail: Any) -> None:
    lead = initiative.lead
    record_audit(user, lead.organisation if lead else None, f"health.{action}",
                 initiative.title, initiative=initiative.pk, **detail)


def _check_text(name: str, value: str, limit: int, *, required: bool) -> str:
    value = value.strip()
    if "\x00" in value:
        raise ValidationError({name: [_("Remove the invisible control character (NUL) "
                                        "from the text.")]})
    if required and not value:
        raise ValidationError({name: [_("This field is required.")]})
    if len(value) > limit:
        raise ValidationError({name: [_("Keep it to %(limit)d characters at most.")
                                      % {"limit": limit}]})
    return value


def check_days(days: object) -> int:
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise ValidationError({"invitation_days": [
            _("A link can be valid for 1 to %(max)d days.") % {"max": MAX_DAYS}]})
    return days


@transaction.atomic
def do_open_round(initiative: Initiative, *, acting_user: User | None, title: str,
                  invitation_days: int = 30, opened_at: datetime.datetime | None = None,
                  illustrative: bool = False) -> Round:
    title = _check_text("title", title, 200, required=True)
    check_days(invitation_days)
    Initiative.objects.select_for_update().filter(pk=initiative.pk).first()
    if Round.objects.filter(initiative=initiative, closed_at=None).exists():
        raise ValidationError({"title": [
            _("A round is already open for this initiative; close it first.")]})
    round_ = Round(initiative=initiative, title=title, invitation_days=invitation_days,
                   opened_by=_user_or_none(acting_user), is_illustrative=illustrative)
    if opened_at is not None:
        round_.opened_at = opened_at
    try:
        with transaction.atomic():
            round_.save()
    except IntegrityError:
        raise ValidationError({"title": [
            _("A round is already open for this initiative; close it first.")]}) from None
    _audit(acting_user, initiative, "open_round", round=round_.pk, title=title)
    return round_


@transaction.atomic
def do_close_round(round_: Round, *, acting_user: User | None,
                   closed_at: datetime.datetime | None = None) -> Round:
    updated = Round.objects.filter(pk=round_.pk, closed_at=None).update(
        closed_at=closed_at or timezone.now())
    if not updated:
        raise ValidationError(_("The round is already closed."))
    round_.refresh_from_db(fields=["closed_at"])
    _audit(acting_user, round_.initiative, "close_round", round=round_.pk)
    return round_


def parse_emails(text: str) -> list[str]:
    """E-mail addresses separated by commas, semicolons, spaces or lines, each checked."""
    raw = [part.strip() for part in text.replace(";", ",").replace("\n", ",").split(",")]
    addresses = [a for chunk in raw for a in chunk.split() if a]
    bad = []
    for address in addresses:
        try:
            validate_email(address)
        except ValidationError:
            bad.append(address[:60])
    if bad:
        raise ValidationError({"emails": [
            _("Not an e-mail address: %(addresses)s") % {"addresses": ", ".join(bad[:5])}]})
    return list(dict.fromkeys(addresses))


@transaction.atomic
def do_create_invitations(round_: Round, *, acting_user: User | None,
                          organisation: Organisation | None, count: int | None = None,
                          emails: Sequence[str] = ()) -> list[IssuedLink]:
    """Create one personal link per e-mail address, or ``count`` numbered links.

    The addresses are only labels for the lead's list of links; they are not stored.
    """
    if not round_.is_open:
        raise ValidationError(_("The round is closed; open a new round to invite again."))
    # Only organisations that have accepted take part; an invited or declined one is not asked.
    if not isinstance(organisation, Organisation) or not round_.initiative.partners.filter(
        organisation=organisation, status="accepted"
    ).exists():
        raise ValidationError({"organisation": [
            _("Choose one of the initiative's partner organisations.")]})
    if emails and count:
        raise ValidationError({"count": [_("Give either e-mail addresses or a number of "
                                           "links, not both.")]})
    if count is not None and (isinstance(count, bool) or not isinstance(count, int)
                              or not 1 <= count <= MAX_LINKS):
        raise ValidationError({"count": [
            _("Give a number of links from 1 to %(max)d.") % {"max": MAX_LINKS}]})
    labels = list(emails) if emails else [str(i) for i in range(1, (count or 0) + 1)]
    if not labels:
        raise ValidationError({"count": [_("Give e-mail addresses or a number of links.")]})
    if len(labels) > MAX_LINKS:
        raise ValidationError({"emails": [
            _("At most %(max)d links at a time.") % {"max": MAX_LINKS}]})
    expires_at = round_.invitation_expiry()
    issued = []
    rows = []
    for label in labels:
        token = secrets.token_urlsafe(32)
        rows.append(Invitation(round=round_, organisation=organisation,
                               token_hash=hash_token(token), expires_at=expires_at,
                               created_by=_user_or_none(acting_user)))
        issued.append(IssuedLink(organisation, label, token, expires_at))
    Invitation.objects.bulk_create(rows)
    _audit(acting_user, round_.initiative, "invite", round=round_.pk,
           partner=organisation.code, links=len(rows))
    return issued


def check_answers(round_: Round, answers: Mapping[str, object]) -> dict[str, int | None]:
    """Every statement answered on the scale or "vet ej" (None); nothing else."""
    keys = round_.instrument.item_keys
    unknown = set(answers) - set(keys)
    if unknown:
        raise ValidationError({"answers": [_("Unknown statements in the answers.")]})
    missing = [k for k in keys if k not in answers]
    if missing:
        raise ValidationError({"answers": [
            _('Answer every statement, or choose "Don\'t know".')]})
    clean: dict[str, int | None] = {}
    for key in keys:
        value = answers[key]
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                  or not SCALE_MIN <= value <= SCALE_MAX):
            raise ValidationError({"answers": [
                _('Answers must be on the scale from 1 to 5, or "Don\'t know".')]})
        clean[key] = value
    return clean


def do_submit_response(token: str, *, answers: Mapping[str, object],
                       comment: str = "") -> Response:
    """Record one anonymous response through a personal link; a link counts once.

    Raises ``Http404`` for an unknown link, :class:`InvitationUnavailable` for an expired
    or closed one and, after the answers are checked, ``InvitationUnavailable("used")`` for
    a link already answered through; ``ValidationError`` for bad answers. None of them
    records anything. The link is marked used by a conditional update in the same
    transaction as the response, so two submits at once record one response. The survey page
    answers a "used" exactly like a first answer, so that nobody can probe a link.
    """
    invitation = access_invitation(token)
    round_ = invitation.round
    clean = check_answers(round_, answers)
    comment = _check_text("comment", comment, MAX_COMMENT, required=False)
    with transaction.atomic():
        claimed = Invitation.objects.filter(
            pk=invitation.pk, is_used=False, expires_at__gt=timezone.now(),
            round__closed_at__isnull=True,
        ).update(is_used=True)
        if claimed != 1:
            raise InvitationUnavailable("used")
        response = Response.objects.create(round=round_,
                                           organisation_id=invitation.organisation_id,
                                           instrument_version=round_.instrument_version,
                                           comment=comment)
        Answer.objects.bulk_create(
            Answer(response=response, item=key, value=value) for key, value in clean.items()
        )
    return response
