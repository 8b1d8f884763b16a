"""Writes for consent and decisions: answering an invitation, proposals and their answers,
formal decisions with protocol extracts, and measured values of shared goals.

As in ``actions.py``: each function validates (so the web pages, the API and the CLI refuse the
same things), writes in one transaction and records who did it in the audit log. Permission
checks are the caller's business, through ``consent_access.py``.
"""

from __future__ import annotations

import datetime
from collections import Counter
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mellanrum.core.models import User
from mellanrum.core.validation import full_clean_refusing_nul
from mellanrum.landscape.models import Organisation

from .actions import EARLIEST, LATEST, _audit, _user_or_none, check_accepted, do_add_decision
from .consent_models import FormalDecision, GoalTracking, Measurement, Proposal, ProposalAnswer
from .models import DecisionEntry, Goal, Initiative, Partner

__all__ = [
    "check_phase_change", "do_add_formal_decision", "do_add_measurement", "do_answer_invitation",
    "do_answer_proposal", "do_close_due_proposals", "do_close_proposal", "do_create_proposal",
    "do_remove_measurement", "do_set_goal_tracking", "missing_decisions", "proposal_outcome",
]

PDF_MAGIC = b"%PDF-"
# Moving into these phases needs every paying partner's formal decision.
DECIDED_PHASES = (Initiative.Phase.IMPLEMENTATION, Initiative.Phase.MANAGEMENT)


# --- Invitations ---------------------------------------------------------------------------


@transaction.atomic
def do_answer_invitation(partner: Partner, *, acting_user: User | None, accept: bool,
                         reason: str = "") -> Partner:
    """Accept or decline an invitation; a declined invitation needs a reason. An invitation is
    answered once."""
    partner = Partner.objects.select_for_update().select_related(
        "organisation", "initiative").get(pk=partner.pk)
    if partner.status != Partner.Status.INVITED:
        raise ValidationError({"accept": [
            _("%(name)s has already answered this invitation (%(status)s).")
            % {"name": partner.organisation.name, "status": partner.get_status_display()}]})
    reason = (reason or "").strip()
    if not accept and not reason:
        raise ValidationError({"reason": [_("Say why the organisation declines; the other "
                                            "partners see the reason.")]})
    if len(reason) > 1000:
        raise ValidationError({"reason": [_("Keep the reason to 1,000 characters.")]})
    if "\x00" in reason:
        raise ValidationError({"reason": [_("The text contains a character that cannot be "
                                            "stored.")]})
    partner.status = Partner.Status.ACCEPTED if accept else Partner.Status.DECLINED
    partner.decline_reason = "" if accept else reason
    partner.answered_at = timezone.now()
    partner.answered_by = _user_or_none(acting_user)
    partner.save(update_fields=["status", "decline_reason", "answered_at", "answered_by"])
    _audit(acting_user, partner.initiative, "accept_invitation" if accept else
           "decline_invitation", organisation=partner.organisation,
           partner=partner.organisation.code, reason=reason)
    return partner


# --- Formal decisions and the phase ---------------------------------------------------------


def missing_decisions(initiative: Initiative) -> list[Partner]:
    """The paying partners without a recorded formal decision."""
    decided = set(initiative.formal_decisions.values_list("organisation_id", flat=True))
    return [p for p in initiative.partners.select_related("organisation")
            if p.pays and p.organisation_id not in decided]


def check_phase_change(initiative: Initiative, phase: str) -> None:
    """Implementation (genomförande) starts only when every paying partner has decided."""
    if phase not in DECIDED_PHASES or initiative.phase in DECIDED_PHASES:
        return
    missing = missing_decisions(initiative)
    if missing:
        raise ValidationError({"phase": [
            _("The initiative cannot move to implementation before every paying partner has "
              "recorded its formal decision. Missing: %(names)s.")
            % {"names": ", ".join(p.organisation.name for p in missing)}]})


def check_protocol(upload: IO[bytes] | None) -> None:
    if upload is None:
        return
    size = getattr(upload, "size", None)
    limit = settings.PROTOCOL_MAX_BYTES
    if size is not None and size > limit:
        raise ValidationError({"protocol": [
            _("The protocol extract is larger than %(mb)s MB; scan it at a lower resolution or "
              "attach only the paragraph.") % {"mb": limit // (1024 * 1024)}]})
    upload.seek(0)
    head = upload.read(len(PDF_MAGIC))
    upload.seek(0)
    if head != PDF_MAGIC:
        raise ValidationError({"protocol": [
            _("The protocol extract must be a PDF file; this file is not a PDF.")]})


@transaction.atomic
def do_add_formal_decision(initiative: Initiative, *, acting_user: User | None,
                           organisation: Organisation, body: str, date: datetime.date,
                           paragraph: str, body_name: str = "", summary: str = "",
                           protocol: IO[bytes] | None = None,
                           protocol_name: str = "") -> FormalDecision:
    """Record a partner's formal decision, with its protocol extract (a PDF) if given."""
    check_accepted(initiative, organisation)
    errors: dict[str, list[str]] = {}
    if not isinstance(date, datetime.date) or date > timezone.localdate():
        errors["date"] = [_("A decision cannot be dated in the future; record it once it is "
                            "taken.")]
    elif date < EARLIEST:
        errors["date"] = [_("Give a date between 1990 and 2100.")]
    try:
        check_protocol(protocol)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    decision = FormalDecision(initiative=initiative, organisation=organisation, body=body,
                              body_name=(body_name or "").strip(), date=date,
                              paragraph=(paragraph or "").strip(),
                              summary=(summary or "").strip(),
                              protocol_name=(protocol_name or "")[:200],
                              recorded_by=_user_or_none(acting_user))
    full_clean_refusing_nul(decision, exclude=["recorded_by", "protocol"])
    if protocol is not None:
        decision.protocol.save("protocol.pdf", File(protocol), save=False)
    try:
        decision.save()
    except Exception:
        if decision.protocol:
            decision.protocol.delete(save=False)
        raise
    _audit(acting_user, initiative, "add_formal_decision", organisation=organisation,
           partner=organisation.code, body=body, date=date, paragraph=decision.paragraph)
    return decision


# --- Proposals --------------------------------------------------------------------------------


def _check_deadline(deadline: Any) -> None:
    if not isinstance(deadline, datetime.date):
        raise ValidationError({"deadline": [_("Give the deadline as a date.")]})
    if deadline < timezone.localdate():
        raise ValidationError({"deadline": [_("The deadline cannot be in the past.")]})
    if deadline > LATEST:
        raise ValidationError({"deadline": [_("Give a date between 1990 and 2100.")]})


@transaction.atomic
def do_create_proposal(initiative: Initiative, *, acting_user: User | None, title: str,
                       text: str, deadline: datetime.date) -> Proposal:
    _check_deadline(deadline)
    proposal = Proposal(initiative=initiative, title=(title or "").strip(),
                        text=(text or "").strip(), deadline=deadline,
                        created_by=_user_or_none(acting_user))
    full_clean_refusing_nul(proposal, exclude=["created_by", "closed_by", "decision"])
    proposal.save()
    _audit(acting_user, initiative, "create_proposal", proposal=proposal.pk, title=title)
    return proposal


def _open_proposal(proposal: Proposal) -> Proposal:
    locked = Proposal.objects.select_for_update().select_related("initiative").get(
        pk=proposal.pk)
    if locked.is_closed or locked.is_due:
        raise ValidationError({"position": [
            _("The proposal is closed; answers can no longer be given or changed.")]})
    return locked


@transaction.atomic
def do_answer_proposal(proposal: Proposal, *, acting_user: User | None,
                       organisation: Organisation, position: str,
                       reason: str = "") -> ProposalAnswer:
    """Give or change a partner's answer; disagree and block need a reason."""
    proposal = _open_proposal(proposal)
    check_accepted(proposal.initiative, organisation)
    if position not in ProposalAnswer.Position.values:
        raise ValidationError({"position": [_("Choose agree, abstain, disagree or block.")]})
    reason = (reason or "").strip()
    if position in (ProposalAnswer.Position.DISAGREE, ProposalAnswer.Position.BLOCK) \
            and not reason:
        raise ValidationError({"reason": [_("Give a reason when you disagree or block, so "
                                            "that the others can meet it.")]})
    answer = ProposalAnswer.objects.filter(proposal=proposal, organisation=organisation).first()
    old = answer.position if answer else ""
    answer = answer or ProposalAnswer(proposal=proposal, organisation=organisation)
    answer.position, answer.reason = position, reason
    answer.answered_by = _user_or_none(acting_user)
    full_clean_refusing_nul(answer, exclude=["answered_by"], validate_constraints=False)
    answer.save()
    _audit(acting_user, proposal.initiative, "answer_proposal", organisation=organisation,
           partner=organisation.code, proposal=proposal.pk, position=position,
           old_position=old)
    return answer


def proposal_outcome(counts: Counter[str]) -> str:
    """Adopted when no partner blocks and more agree than disagree (abstentions do not count),
    as in Loomio's consent; a single block stops it."""
    if counts[ProposalAnswer.Position.BLOCK]:
        return Proposal.Outcome.BLOCKED
    if counts[ProposalAnswer.Position.AGREE] > counts[ProposalAnswer.Position.DISAGREE]:
        return Proposal.Outcome.ADOPTED
    return Proposal.Outcome.NOT_ADOPTED


@transaction.atomic
def do_close_proposal(proposal: Proposal, *, acting_user: User | None) -> Proposal:
    """Close a proposal and write its outcome into the decision log."""
    proposal = Proposal.objects.select_for_update().select_related("initiative").get(
        pk=proposal.pk)
    if proposal.is_closed:
        raise ValidationError(_("The proposal is already closed."))
    answers = list(proposal.answers.select_related("organisation"))
    counts = Counter(a.position for a in answers)
    outcome = proposal_outcome(counts)
    labels = dict(Proposal.Outcome.choices)
    tally = _("%(agree)s agree, %(abstain)s abstain, %(disagree)s disagree, %(block)s block") % {
        key: counts[key] for key in ProposalAnswer.Position.values}
    objections = "; ".join(f"{a.organisation.name} ({a.get_position_display().lower()}): "
                           f"{a.reason}" for a in answers
                           if a.position in ("disagree", "block"))
    today = timezone.localdate()
    entry: DecisionEntry = do_add_decision(
        proposal.initiative, acting_user=acting_user,
        date=min(today, proposal.deadline) if proposal.is_due else today,
        decision=(_("Proposal “%(title)s”: %(outcome)s.") % {
            "title": proposal.title, "outcome": str(labels[outcome]).lower()})[:2000],
        decided_by=_("The partners, by answering the proposal")[:200],
        rationale=(f"{tally}." + (f" {objections}" if objections else ""))[:2000],
    )
    proposal.closed_at = timezone.now()
    proposal.closed_by = _user_or_none(acting_user)
    proposal.outcome = outcome
    proposal.decision = entry
    proposal.save(update_fields=["closed_at", "closed_by", "outcome", "decision"])
    _audit(acting_user, proposal.initiative, "close_proposal", proposal=proposal.pk,
           outcome=outcome)
    return proposal


def do_close_due_proposals(initiative: Initiative) -> int:
    """Close the proposals whose deadline has passed (the system closes them, no user)."""
    closed = 0
    for proposal in initiative.proposals.filter(closed_at=None,
                                                deadline__lt=timezone.localdate()):
        do_close_proposal(proposal, acting_user=None)
        closed += 1
    return closed


# --- Goals: follow-up and measured values ----------------------------------------------------


@transaction.atomic
def do_set_goal_tracking(goal: Goal, *, acting_user: User | None, per_partner: bool,
                         baseline_date: datetime.date | None,
                         kolada_kpi: str = "") -> GoalTracking:
    kpi = (kolada_kpi or "").strip().upper()
    if kpi and not (kpi[:1].isalpha() and kpi[1:].isdigit() and 4 <= len(kpi) <= 16):
        raise ValidationError({"kolada_kpi": [_("A Kolada KPI id is a letter and digits, for "
                                                "example N00945.")]})
    if baseline_date is not None and not EARLIEST <= baseline_date <= LATEST:
        raise ValidationError({"baseline_date": [_("Give a date between 1990 and 2100.")]})
    tracking, _created = GoalTracking.objects.get_or_create(goal=goal)
    tracking.per_partner = bool(per_partner or kpi)
    tracking.baseline_date = baseline_date
    tracking.kolada_kpi = kpi
    tracking.updated_by = _user_or_none(acting_user)
    tracking.save()
    _audit(acting_user, goal.initiative, "set_goal_tracking", goal=goal.pk,
           per_partner=tracking.per_partner, kolada_kpi=kpi)
    return tracking


MAX_VALUE = Decimal("1e11")


@transaction.atomic
def do_add_measurement(goal: Goal, *, acting_user: User | None, period_end: datetime.date,
                       value: Any, organisation: Organisation | None = None,
                       note: str = "") -> Measurement:
    """Record (or correct) the measured value of a period, jointly or for one partner."""
    errors: dict[str, list[str]] = {}
    tracking = GoalTracking.objects.filter(goal=goal).first()
    per_partner = bool(tracking and tracking.per_partner)
    if per_partner and organisation is None:
        errors["organisation"] = [_("This indicator is measured per partner; choose the "
                                    "partner.")]
    elif not per_partner and organisation is not None:
        errors["organisation"] = [_("This indicator is measured for the whole initiative, not "
                                    "per partner.")]
    if organisation is not None:
        try:
            check_accepted(goal.initiative, organisation)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if not isinstance(period_end, datetime.date) or not EARLIEST <= period_end <= LATEST:
        errors["period_end"] = [_("Give a date between 1990 and 2100.")]
    elif period_end > timezone.localdate():
        errors["period_end"] = [_("A value is measured once its period has ended; the date "
                                  "cannot be in the future.")]
    try:
        number = Decimal(str(value).replace(",", ".").replace(" ", "").replace("\u00a0", ""))
        if not number.is_finite() or abs(number) >= MAX_VALUE:
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors["value"] = [_("Give the value as a number, for example 62,5.")]
        number = Decimal(0)
    if errors:
        raise ValidationError(errors)
    found = Measurement.objects.filter(goal=goal, organisation=organisation,
                                       period_end=period_end).first()
    old = found.value if found else ""
    measurement = found or Measurement(goal=goal, organisation=organisation,
                                       period_end=period_end)
    measurement.value = number.quantize(Decimal("0.0001"))
    measurement.note = (note or "").strip()
    measurement.recorded_by = _user_or_none(acting_user)
    full_clean_refusing_nul(measurement, exclude=["recorded_by"], validate_constraints=False)
    measurement.save()
    _audit(acting_user, goal.initiative, "add_measurement", organisation=organisation,
           goal=goal.pk, partner=organisation.code if organisation else "",
           period_end=period_end, value=measurement.value, old_value=old)
    return measurement


@transaction.atomic
def do_remove_measurement(measurement: Measurement, *, acting_user: User | None) -> None:
    goal = measurement.goal
    _audit(acting_user, goal.initiative, "remove_measurement", goal=goal.pk,
           period_end=measurement.period_end, value=measurement.value)
    measurement.delete()
