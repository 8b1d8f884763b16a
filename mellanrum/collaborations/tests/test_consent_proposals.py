"""Proposals the partners answer (agree, abstain, disagree, block), closed into the decision
log; formal decisions with protocol extracts; and the phase gate they make."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone, translation
from pytest_django.fixtures import SettingsWrapper

from mellanrum.collaborations import actions
from mellanrum.collaborations.consent_actions import (
    do_answer_proposal,
    do_close_proposal,
    do_create_proposal,
)
from mellanrum.collaborations.consent_models import FormalDecision, Proposal, ProposalAnswer
from mellanrum.collaborations.models import DecisionEntry, Initiative
from mellanrum.core.models import AuditEntry, User
from mellanrum.landscape.models import Organisation

from .conftest import basic, login

EN: dict[str, Any] = {"HTTP_ACCEPT_LANGUAGE": "en"}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _soon() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=14)


@pytest.fixture
def proposal(initiative: Initiative, alice: User) -> Proposal:
    return do_create_proposal(initiative, acting_user=alice, title="Gemensam plattform",
                              text="Vi använder Nackas plattform.", deadline=_soon())


@pytest.fixture
def media(settings: SettingsWrapper, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def test_the_runner_makes_a_proposal_and_a_past_deadline_is_refused(
    client: Client, initiative: Initiative, alice: User,
) -> None:
    login(client, alice)
    past = timezone.localdate() - datetime.timedelta(days=1)
    response = client.post(f"/samverkan/{initiative.pk}/forslag/",
                           {"title": "T", "text": "X", "deadline": past.isoformat()}, **EN)
    assert response.status_code == 200
    assert "The deadline cannot be in the past." in response.content.decode()
    assert not Proposal.objects.exists()
    response = client.post(f"/samverkan/{initiative.pk}/forslag/",
                           {"title": "Gemensam plattform", "text": "Vi använder en.",
                            "deadline": _soon().isoformat()})
    proposal = Proposal.objects.get()
    assert response["Location"] == f"/samverkan/forslag/{proposal.pk}/"


def test_a_partner_answers_changes_its_answer_and_a_block_needs_a_reason(
    client: Client, proposal: Proposal, charlie: User, beta: Organisation,
) -> None:
    login(client, charlie)
    url = f"/samverkan/forslag/{proposal.pk}/"
    response = client.post(url, {"organisation": "9902", "position": "block", "reason": ""},
                           **EN)
    assert response.status_code == 400
    assert "Give a reason when you disagree or block" in response.content.decode()
    assert not ProposalAnswer.objects.exists()
    client.post(url, {"organisation": "9902", "position": "block",
                      "reason": "Plattformen saknar stöd för e-legitimation."})
    assert ProposalAnswer.objects.get().position == "block"
    client.post(url, {"organisation": "9902", "position": "agree", "reason": ""})
    answer = ProposalAnswer.objects.get()
    assert (answer.position, answer.answered_by, answer.organisation) == ("agree", charlie, beta)
    assert AuditEntry.objects.filter(action="collaborations.answer_proposal").count() == 2


def test_nobody_answers_for_another_partner(
    client: Client, proposal: Proposal, charlie: User, dave: User,
) -> None:
    login(client, charlie)
    response = client.post(f"/samverkan/forslag/{proposal.pk}/",
                           {"organisation": "9901", "position": "agree"}, **EN)
    assert response.status_code == 400
    assert not ProposalAnswer.objects.exists()
    client.logout()
    api = client.post(f"/api/proposals/{proposal.pk}/answers",
                      {"organisation": "9901", "position": "agree"},
                      content_type="application/json", **basic(charlie))
    assert api.status_code == 403
    # Gamma is not a partner: its editor answers for nobody.
    login(client, dave)
    assert client.post(f"/samverkan/forslag/{proposal.pk}/",
                       {"organisation": "9903", "position": "agree"}).status_code == 404
    assert not ProposalAnswer.objects.exists()


def test_closing_writes_the_outcome_into_the_decision_log(
    client: Client, proposal: Proposal, alice: User, charlie: User, alfa: Organisation,
    beta: Organisation,
) -> None:
    do_answer_proposal(proposal, acting_user=alice, organisation=alfa, position="agree")
    do_answer_proposal(proposal, acting_user=charlie, organisation=beta, position="block",
                       reason="Saknar e-legitimation.")
    login(client, charlie)
    assert client.post(f"/samverkan/forslag/{proposal.pk}/stang/").status_code == 403
    login(client, alice)
    client.post(f"/samverkan/forslag/{proposal.pk}/stang/")
    proposal.refresh_from_db()
    assert proposal.is_closed and proposal.outcome == "blocked"
    entry = DecisionEntry.objects.get()
    assert proposal.decision == entry
    assert "Gemensam plattform" in entry.decision and "Saknar e-legitimation." in entry.rationale
    with translation.override("en"), pytest.raises(ValidationError, match="closed"):
        do_answer_proposal(proposal, acting_user=charlie, organisation=beta, position="agree")


def test_a_proposal_past_its_deadline_closes_by_itself_when_looked_at(
    client: Client, proposal: Proposal, alice: User, alfa: Organisation,
) -> None:
    do_answer_proposal(proposal, acting_user=alice, organisation=alfa, position="agree")
    Proposal.objects.filter(pk=proposal.pk).update(
        deadline=timezone.localdate() - datetime.timedelta(days=2))
    login(client, alice)
    client.get(proposal.initiative.get_absolute_url())
    proposal.refresh_from_db()
    assert proposal.outcome == "adopted" and proposal.closed_by is None
    assert proposal.decision is not None
    assert proposal.decision.date == timezone.localdate() - datetime.timedelta(days=2)


def test_a_blocked_proposal_is_resolved_by_a_changed_answer(
    proposal: Proposal, alice: User, charlie: User, alfa: Organisation, beta: Organisation,
) -> None:
    do_answer_proposal(proposal, acting_user=charlie, organisation=beta, position="block",
                       reason="Saknar e-legitimation.")
    do_answer_proposal(proposal, acting_user=charlie, organisation=beta, position="abstain")
    do_answer_proposal(proposal, acting_user=alice, organisation=alfa, position="agree")
    assert do_close_proposal(proposal, acting_user=alice).outcome == "adopted"


def test_formal_decision_with_a_pdf_is_served_only_to_those_who_see_the_initiative(
    client: Client, initiative: Initiative, charlie: User, dave: User, media: Path,
) -> None:
    login(client, charlie)
    response = client.post(f"/samverkan/{initiative.pk}/beslut/nytt/", {
        "organisation": "9902", "body": "kommunstyrelse", "date": "2026-11-12",
        "paragraph": "§ 214", "protocol": SimpleUploadedFile("KS protokoll.pdf", PDF)})
    assert response.status_code == 302
    decision = FormalDecision.objects.get()
    assert decision.protocol.name.startswith("protocols/")
    assert "KS" not in decision.protocol.name and decision.protocol_name == "KS protokoll.pdf"
    download = client.get(f"/samverkan/beslut/{decision.pk}/protokoll.pdf")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == PDF  # type: ignore[attr-defined]
    login(client, dave)
    assert client.get(f"/samverkan/beslut/{decision.pk}/protokoll.pdf").status_code == 404


def test_a_file_that_is_not_a_pdf_or_too_large_is_refused(
    client: Client, initiative: Initiative, charlie: User, media: Path,
    settings: SettingsWrapper,
) -> None:
    login(client, charlie)
    fields = {"organisation": "9902", "body": "kommunstyrelse", "date": "2026-11-12",
              "paragraph": "§ 214"}
    response = client.post(f"/samverkan/{initiative.pk}/beslut/nytt/", {
        **fields, "protocol": SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf")}, **EN)
    assert response.status_code == 400
    assert "this file is not a PDF" in response.content.decode()
    settings.PROTOCOL_MAX_BYTES = 20
    response = client.post(f"/samverkan/{initiative.pk}/beslut/nytt/", {
        **fields, "protocol": SimpleUploadedFile("x.pdf", PDF)}, **EN)
    assert response.status_code == 400 and "larger than" in response.content.decode()
    assert not FormalDecision.objects.exists()
    assert not list(media.rglob("*.pdf"))


def test_implementation_waits_for_every_paying_partners_formal_decision(
    client: Client, initiative: Initiative, alice: User, charlie: User, alfa: Organisation,
    beta: Organisation,
) -> None:
    with translation.override("en"), pytest.raises(ValidationError, match="Beta kommun"):
        actions.do_update_initiative(initiative, acting_user=alice, phase="implementation")
    for organisation, user in ((alfa, alice), (beta, charlie)):
        from mellanrum.collaborations.consent_actions import do_add_formal_decision

        with pytest.raises(ValidationError):
            do_add_formal_decision(initiative, acting_user=user, organisation=organisation,
                                   body="kommunstyrelse",
                                   date=timezone.localdate() + datetime.timedelta(days=1),
                                   paragraph="§ 1")
        do_add_formal_decision(initiative, acting_user=user, organisation=organisation,
                               body="kommunstyrelse", date=timezone.localdate(),
                               paragraph="§ 1")
    actions.do_update_initiative(initiative, acting_user=alice, phase="implementation")
    initiative.refresh_from_db()
    assert initiative.phase == "implementation"
    login(client, alice)
    page = client.get(initiative.get_absolute_url(), **EN).content.decode()
    assert "2 of 2 paying partners have recorded a formal decision" in page


def test_proposals_and_decisions_through_the_api(
    client: Client, initiative: Initiative, alice: User, charlie: User, media: Path,
) -> None:
    past = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    refused = client.post(f"/api/initiatives/{initiative.pk}/proposals",
                          {"title": "T", "text": "X", "deadline": past},
                          content_type="application/json", **basic(alice))
    assert refused.status_code == 422 and "deadline" in refused.json()["detail"]
    created = client.post(f"/api/initiatives/{initiative.pk}/proposals",
                          {"title": "T", "text": "X", "deadline": _soon().isoformat()},
                          content_type="application/json", **basic(alice))
    assert created.status_code == 201
    pk = created.json()["id"]
    answered = client.post(f"/api/proposals/{pk}/answers",
                           {"position": "disagree", "reason": "För dyrt."},
                           content_type="application/json", **basic(charlie))
    assert answered.status_code == 200 and answered.json()["organisation"] == "9902"
    closed = client.post(f"/api/proposals/{pk}/close", **basic(alice))
    assert closed.json()["outcome"] == "not_adopted" and closed.json()["decision"]
    decision = client.post(f"/api/initiatives/{initiative.pk}/formal-decisions", {
        "body": "namnd", "date": "2026-11-12", "paragraph": "§ 9",
        "protocol": SimpleUploadedFile("p.pdf", PDF)}, **basic(charlie))
    assert decision.status_code == 201 and decision.json()["protocol_url"]
    listing = client.get(f"/api/initiatives/{initiative.pk}/formal-decisions", **basic(alice))
    assert listing.json()["missing"] == ["9901"]
    bad = client.post(f"/api/initiatives/{initiative.pk}/formal-decisions", {
        "body": "namnd", "date": "2026-11-12", "paragraph": "§ 9",
        "protocol": SimpleUploadedFile("p.pdf", b"hello")}, **basic(charlie))
    assert bad.status_code == 422 and "protocol" in bad.json()["detail"]
    assert FormalDecision.objects.count() == 1
