"""The workshop: statements on behalf, confirmation, the tension view; the shared principles
as versions that partners approve; and the draft samverkansavtal."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from docx import Document
from pytest_django.fixtures import SettingsWrapper

from mellanrum.cli import main
from mellanrum.collaborations import actions
from mellanrum.collaborations import workshop_actions as wa
from mellanrum.collaborations.models import (
    Goal,
    Initiative,
    PrincipleApproval,
    PrincipleVersion,
    Statement,
    Tension,
)
from mellanrum.collaborations.workshop import diff_versions, latest_approved
from mellanrum.core.models import User
from mellanrum.landscape.models import Organisation

from .conftest import login


@pytest.fixture
def draft(initiative: Initiative, alice: User, beta: Organisation) -> Statement:
    return wa.do_record_on_behalf(initiative, acting_user=alice, organisation=beta,
                                  kind="principle",
                                  text="Vi återanvänder befintliga e-tjänsteplattformar.")


def _published(initiative: Initiative, alice: User, *texts: str) -> PrincipleVersion:
    version = wa.do_start_principles_draft(initiative, acting_user=alice)
    for principle in list(version.principles.all()):
        wa.do_remove_principle(principle, acting_user=alice)
    for text in texts:
        wa.do_add_principle(version, acting_user=alice, text=text)
    return wa.do_publish_principles(version, acting_user=alice)


# --- Statements on behalf -----------------------------------------------------------------------


def test_the_facilitator_records_a_draft_on_a_partners_behalf(
    client: Client, initiative: Initiative, alice: User, beta: Organisation,
) -> None:
    login(client, alice)
    url = reverse("collaborations:record_on_behalf", args=[initiative.pk])
    response = client.post(url, {"organisation": beta.code, "kind": "budget_rule",
                                 "text": "Högst 500 000 kr per år."})
    assert response.status_code == 302
    statement = Statement.objects.get(organisation=beta)
    assert statement.is_draft and statement.recorded_by == alice
    page = client.get(reverse("collaborations:tensions", args=[initiative.pk])).content.decode()
    assert "utkast – inväntar bekräftelse" in page


def test_a_reader_of_the_lead_may_not_record_on_behalf(
    client: Client, initiative: Initiative, bob: User, beta: Organisation,
) -> None:
    login(client, bob)
    response = client.post(reverse("collaborations:record_on_behalf", args=[initiative.pk]),
                           {"organisation": beta.code, "kind": "goal", "text": "Något"})
    assert response.status_code == 403
    assert not Statement.objects.exists()


def test_recording_for_an_organisation_that_is_no_partner_is_refused(
    client: Client, initiative: Initiative, alice: User, gamma: Organisation,
) -> None:
    login(client, alice)
    response = client.post(reverse("collaborations:record_on_behalf", args=[initiative.pk]),
                           {"organisation": gamma.code, "kind": "goal", "text": "Något"})
    assert response.status_code == 200
    assert not Statement.objects.exists()


def test_the_partner_confirms_a_draft(client: Client, draft: Statement, charlie: User) -> None:
    login(client, charlie)
    response = client.post(reverse("collaborations:statement_confirm", args=[draft.pk]),
                           {"version": draft.version})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert not draft.is_draft and draft.confirmed_by == charlie


def test_editing_a_draft_by_the_partner_confirms_it(
    client: Client, draft: Statement, charlie: User,
) -> None:
    login(client, charlie)
    client.post(reverse("collaborations:statement_edit", args=[draft.pk]),
                {"kind": "principle", "text": "Vi återanvänder plattformar där det går.",
                 "version": draft.version})
    draft.refresh_from_db()
    assert draft.text == "Vi återanvänder plattformar där det går."
    assert draft.confirmed_by == charlie


def test_the_facilitator_cannot_confirm_for_the_partner(
    client: Client, draft: Statement, alice: User,
) -> None:
    login(client, alice)
    response = client.post(reverse("collaborations:statement_confirm", args=[draft.pk]))
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.is_draft


def test_confirming_twice_says_it_is_no_draft(draft: Statement, charlie: User) -> None:
    wa.do_confirm_statement(draft, acting_user=charlie)
    with pytest.raises(ValidationError, match="inget utkast"):
        wa.do_confirm_statement(draft, acting_user=charlie)


# --- Tensions ----------------------------------------------------------------------------------


def test_the_tension_view_suggests_with_reasons_and_a_person_sets_the_stance(
    client: Client, initiative: Initiative, alice: User, alfa: Organisation, draft: Statement,
    goal: Goal,
) -> None:
    own = actions.do_add_statement(initiative, acting_user=alice, organisation=alfa,
                                   kind="budget_rule", text="Högst 500 000 kr per år.")
    login(client, alice)
    url = reverse("collaborations:tensions", args=[initiative.pk])
    page = client.get(url).content.decode()
    assert "tak på 500" in page and "”återanvänder”" in page
    assert "e-tjänsteplattformar" in page and "digitalt" in page
    client.post(url, {"first": own.pk, "second": draft.pk, "stance": "tension",
                      "note": "Pröva om anpassningen ryms."})
    tension = Tension.objects.get()
    assert (tension.first_id, tension.second_id) == (min(own.pk, draft.pk), max(own.pk, draft.pk))
    assert tension.stance == "tension" and tension.set_by == alice
    client.post(url, {"first": draft.pk, "goal": goal.pk, "stance": "supports"})
    assert draft.alignments.get().stance == "supports"


def test_two_statements_of_one_partner_are_not_set_against_each_other(
    initiative: Initiative, alice: User, alfa: Organisation,
) -> None:
    one = actions.do_add_statement(initiative, acting_user=alice, organisation=alfa,
                                   kind="goal", text="Ett")
    two = actions.do_add_statement(initiative, acting_user=alice, organisation=alfa,
                                   kind="goal", text="Två")
    with pytest.raises(ValidationError, match="två olika partners"):
        wa.do_set_tension(one, two, "conflicts", acting_user=alice)
    assert not Tension.objects.exists()


# --- Shared principles -------------------------------------------------------------------------


def test_principles_are_published_approved_and_a_change_needs_approval_again(
    client: Client, initiative: Initiative, alice: User, charlie: User, alfa: Organisation,
    beta: Organisation, draft: Statement,
) -> None:
    login(client, alice)
    url = reverse("collaborations:principles_draft", args=[initiative.pk])
    client.post(url, {"action": "start"})
    version = PrincipleVersion.objects.get()
    client.post(url, {"action": "add", "text": "Vi återanvänder det som finns.",
                      "statements": [draft.pk], "revision": version.revision})
    version.refresh_from_db()
    client.post(url, {"action": "publish", "note": "Första", "revision": version.revision})
    version.refresh_from_db()
    assert not version.is_draft
    assert list(version.principles.get().statements.all()) == [draft]
    approve = reverse("collaborations:principles_approve", args=[initiative.pk, 1])
    client.post(approve, {"organisation": alfa.code, "number": 1})
    login(client, charlie)
    client.post(approve, {"organisation": beta.code, "number": 1})
    assert latest_approved(initiative) == version
    page = client.get(reverse("collaborations:principles", args=[initiative.pk])).content
    assert "godkänd av alla parter".encode() in page.lower()

    second = _published(initiative, alice, "Vi återanvänder det som redan finns.")
    assert second.number == 2 and latest_approved(initiative) == version
    diff = client.get(reverse("collaborations:principles_version", args=[initiative.pk, 2]))
    assert b"<ins>" in diff.content and b"redan" in diff.content


def test_approving_a_version_that_has_been_replaced_is_a_conflict(
    client: Client, initiative: Initiative, alice: User, charlie: User, beta: Organisation,
) -> None:
    _published(initiative, alice, "Ett")
    _published(initiative, alice, "Två")
    login(client, charlie)
    response = client.post(
        reverse("collaborations:principles_approve", args=[initiative.pk, 1]),
        {"organisation": beta.code, "number": 1}, follow=True)
    assert "har ersatts av version 2" in response.content.decode()
    assert not PrincipleApproval.objects.exists()


def test_an_organisation_that_is_no_partner_cannot_approve(
    initiative: Initiative, alice: User, gamma: Organisation,
) -> None:
    version = _published(initiative, alice, "Ett")
    with pytest.raises(ValidationError, match="Bara initiativets partner"):
        wa.do_approve_principles(version, acting_user=alice, organisation=gamma)
    assert not PrincipleApproval.objects.exists()


def test_a_published_version_is_frozen(initiative: Initiative, alice: User) -> None:
    version = _published(initiative, alice, "Ett")
    with pytest.raises(wa.VersionConflict):
        wa.do_add_principle(version, acting_user=alice, text="Två")
    assert version.principles.count() == 1


def test_an_edit_of_a_draft_someone_else_changed_is_refused(
    initiative: Initiative, alice: User,
) -> None:
    draft = wa.do_start_principles_draft(initiative, acting_user=alice)
    wa.do_add_principle(draft, acting_user=alice, text="Ett", expected_revision=1)
    with pytest.raises(wa.VersionConflict):
        wa.do_add_principle(draft, acting_user=alice, text="Två", expected_revision=1)
    assert draft.principles.count() == 1


def test_the_diff_marks_added_removed_and_changed_words(
    initiative: Initiative, alice: User,
) -> None:
    one = _published(initiative, alice, "Vi delar kostnaden lika.", "Data stannar i EU.")
    two = _published(initiative, alice, "Vi delar kostnaden efter invånare.", "Öppen källkod.")
    lines = diff_versions(one, two)
    assert [line.op for line in lines] == ["changed", "changed"]
    assert ("removed", "lika.") in lines[0].parts and ("added", "efter invånare.") in \
        lines[0].parts


# --- The draft samverkansavtal ----------------------------------------------------------------


def _docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells
                     + [document.sections[0].header.paragraphs[0].text])


def test_the_agreement_download_holds_parties_and_approved_principles(
    client: Client, initiative: Initiative, alice: User, charlie: User, alfa: Organisation,
    beta: Organisation, goal: Goal,
) -> None:
    version = _published(initiative, alice, "Vi återanvänder det som finns.")
    wa.do_approve_principles(version, acting_user=alice, organisation=alfa)
    wa.do_approve_principles(version, acting_user=charlie, organisation=beta)
    login(client, charlie)
    response = client.get(reverse("collaborations:agreement", args=[initiative.pk]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    text = _docx_text(response.content)
    assert "Alfa kommun" in text and "Beta kommun" in text
    assert "Vi återanvänder det som finns." in text
    assert "UTKAST – för juridisk granskning" in text
    assert goal.indicator in text


def test_the_agreement_says_when_no_principles_are_approved(
    initiative: Initiative, alice: User,
) -> None:
    from mellanrum.collaborations.agreement import build_docx

    _published(initiative, alice, "Ej godkänd än.")
    text = _docx_text(build_docx(initiative))
    assert "Ej godkänd än." not in text
    assert "Ingen version av de gemensamma principerna" in text


def test_the_agreement_is_written_even_when_a_text_holds_characters_xml_cannot(
    initiative: Initiative,
) -> None:
    from mellanrum.collaborations.agreement import build_docx

    Initiative.objects.filter(pk=initiative.pk).update(title="\x01\x0b", purpose="Syfte\x1f här")
    initiative.refresh_from_db()
    text = _docx_text(build_docx(initiative))
    assert "Syfte här" in text and "\x1f" not in text


def test_the_cli_writes_the_agreement(initiative: Initiative, tmp_path: Path) -> None:
    target = tmp_path / "avtal.docx"
    result = CliRunner().invoke(main, ["initiatives", "agreement", str(initiative.pk),
                                       "-O", str(target)])
    assert result.exit_code == 0, result.output
    assert "Alfa kommun" in _docx_text(target.read_bytes())


def test_the_cli_refuses_an_initiative_the_user_may_not_see(
    initiative: Initiative, dave: User, tmp_path: Path,
) -> None:
    target = tmp_path / "avtal.docx"
    result = CliRunner().invoke(main, ["initiatives", "agreement", str(initiative.pk),
                                       "--user", "dave", "-O", str(target)])
    assert result.exit_code == 1 and "No initiative" in result.output
    assert not target.exists()


# --- The demo ----------------------------------------------------------------------------------


def test_the_demo_workshop_runs_in_the_facilitated_initiative_with_a_tension_and_version_2(
    db: None, settings: SettingsWrapper, tmp_path: Path,
) -> None:
    from mellanrum.collaborations.consent_demo import (
        FACILITATOR,
        INVITED,
        LOGIN,
        TITLE,
        do_load_demo_consent,
    )
    from mellanrum.collaborations.workshop_demo import do_load_demo_workshop
    from mellanrum.conftest import _user

    settings.MEDIA_ROOT = str(tmp_path)
    association = Organisation.objects.create(code=FACILITATOR, name="Storsthlm",
                                              kind="association")
    for code, _answer, _reason in INVITED:
        organisation = Organisation.objects.create(code=code, name=f"Kommun {code}",
                                                   kind="municipality", county_code="01")
        _user(f"editor{code}", organisation, "editor")
    leader = _user(LOGIN[0], association, "editor")
    do_load_demo_consent()
    assert do_load_demo_workshop() is True
    assert do_load_demo_workshop() is False
    initiative = Initiative.objects.get(title=TITLE)
    assert set(initiative.statements.values_list("recorded_by", flat=True)) == {leader.pk}
    on_behalf = initiative.statements.filter(on_behalf=True)
    assert on_behalf.count() == 5
    assert [s.is_draft for s in on_behalf].count(True) == 1
    assert Tension.objects.get(initiative=initiative).stance == "tension"
    approved = latest_approved(initiative)
    assert approved is not None and approved.number == 2
    first = initiative.principle_versions.get(number=1)
    assert first.approvals.count() == 3  # every paying partner but Vaxholm
