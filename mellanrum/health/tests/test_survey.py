"""Answering through a personal link: once, anonymously, on the scale; bad links record
nothing."""

from __future__ import annotations

import datetime
import secrets

import pytest
from django.test import Client
from django.utils import timezone

from mellanrum.health import actions
from mellanrum.health.access import InvitationUnavailable
from mellanrum.health.models import Answer, Invitation, Response, Round
from mellanrum.landscape.models import Organisation

from .conftest import ITEMS, answers, form_data, tokens


def url(token: str) -> str:
    return f"/enkat/{token}/"


def nothing_recorded() -> bool:
    return not Response.objects.exists() and not Answer.objects.exists()


def test_survey_shows_only_the_title_and_the_statements(
    client: Client, round_: Round, beta: Organisation
) -> None:
    [token] = tokens(round_, beta, 1)
    response = client.get(url(token))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Gemensam e-tjänst för bygglov" in html
    assert "We agree on what the collaboration is meant to achieve." in html
    assert "Don&#x27;t know" in html
    swedish = Client(HTTP_ACCEPT_LANGUAGE="sv").get(url(token)).content.decode()
    assert "Vi är överens om vad samverkan ska uppnå." in swedish
    assert "Vet ej" in swedish
    for secret in ("Beta kommun", "Alfa kommun", "En ingång för alla.", "Våren 2026"):
        assert secret not in html, secret
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cache-Control"] == "no-store"


def test_answering_records_one_anonymous_response_and_uses_the_link(
    client: Client, round_: Round, beta: Organisation
) -> None:
    [token] = tokens(round_, beta, 1)
    data = form_data("4", vision_agree="dk", trust_raise="1", comment="Bra möten.")
    response = client.post(url(token), data)
    assert response.status_code == 200
    assert "Thank you for your answers" in response.content.decode()
    stored = Response.objects.get()
    assert stored.organisation == beta and stored.round == round_
    assert stored.comment == "Bra möten."
    values = dict(stored.answers.values_list("item", "value"))
    assert len(values) == len(ITEMS)
    assert values["vision_agree"] is None and values["trust_raise"] == 1
    assert Invitation.objects.get().is_used
    # Nothing ties the response to the link: no field refers to an invitation or a token.
    names = {f.name for f in Response._meta.get_fields()}
    assert not names & {"invitation", "token", "token_hash", "created_at", "submitted_at"}


def test_reused_link_gets_the_same_thanks_and_records_nothing_more(
    client: Client, round_: Round, beta: Organisation
) -> None:
    [token] = tokens(round_, beta, 1)
    first = client.post(url(token), form_data("5"))
    assert first.status_code == 200
    again = client.post(url(token), form_data("1"))
    # Same page as a first answer, so that nobody can probe whether a link was used ...
    assert again.status_code == 200
    assert "Thank you for your answers" in again.content.decode()
    assert "are not recorded" in again.content.decode()
    # ... but nothing more is recorded.
    assert Response.objects.count() == 1
    assert set(Answer.objects.values_list("value", flat=True)) == {5}
    # The respondent's own browser is told it has answered; any other sees the survey.
    assert "You have already answered" in client.get(url(token)).content.decode()
    other = Client(HTTP_ACCEPT_LANGUAGE="en").get(url(token))
    assert other.status_code == 200 and "Send my answers" in other.content.decode()


def test_a_forged_answered_cookie_is_ignored(
    client: Client, round_: Round, beta: Organisation
) -> None:
    first, second = tokens(round_, beta, 2)
    client.post(url(first), form_data("4"))
    cookie = client.cookies["mellanrum_answered"].value
    # The signed cookie of one link does not work for another, nor does a made-up one.
    for value in (cookie, "1", "1:forged:signature"):
        other = Client(HTTP_ACCEPT_LANGUAGE="en")
        other.cookies["mellanrum_answered"] = value
        response = other.get(url(second))
        assert response.status_code == 200
        assert "Send my answers" in response.content.decode()


def test_double_submit_racing_past_the_first_check_records_once(
    round_: Round, beta: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    [token] = tokens(round_, beta, 1)
    stale = Invitation.objects.select_related("round__initiative").get()
    actions.do_submit_response(token, answers=answers(4))
    # The second request read the invitation before the first one committed.
    monkeypatch.setattr(actions, "access_invitation", lambda _token: stale)
    with pytest.raises(InvitationUnavailable):
        actions.do_submit_response(token, answers=answers(2))
    assert Response.objects.count() == 1


def test_expired_link_gets_410_and_records_nothing(
    client: Client, round_: Round, beta: Organisation
) -> None:
    [token] = tokens(round_, beta, 1)
    Invitation.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    for response in (client.get(url(token)), client.post(url(token), form_data())):
        assert response.status_code == 410
        assert "has expired" in response.content.decode()
    assert nothing_recorded()
    assert not Invitation.objects.get().is_used


def test_link_of_a_closed_round_gets_410(
    client: Client, round_: Round, beta: Organisation
) -> None:
    [token] = tokens(round_, beta, 1)
    actions.do_close_round(round_, acting_user=None)
    response = client.post(url(token), form_data())
    assert response.status_code == 410
    assert "is closed" in response.content.decode()
    assert nothing_recorded()


@pytest.mark.parametrize("forged", [
    secrets.token_urlsafe(32), "x", "a" * 44, "a" * 5000, "%00" * 43, "../../admin",
    "ÅÄÖåäöÅÄÖåäöÅÄÖåäöÅÄÖåäöÅÄÖåäöÅÄÖåäöÅÄÖåäöÅ",
])
def test_forged_link_gets_404_and_records_nothing(
    client: Client, round_: Round, beta: Organisation, forged: str
) -> None:
    tokens(round_, beta, 2)
    for response in (client.get(url(forged)), client.post(url(forged), form_data())):
        assert response.status_code == 404
    assert "not valid" in client.get(url(secrets.token_urlsafe(32))).content.decode()
    assert nothing_recorded()
    assert not Invitation.objects.filter(is_used=True).exists()


@pytest.mark.parametrize("bad", ["0", "6", "-1", "4.5", "abc", "", "1e3", "99999999999999"])
def test_answer_outside_the_scale_is_refused_and_the_link_still_works(
    client: Client, round_: Round, beta: Organisation, bad: str
) -> None:
    [token] = tokens(round_, beta, 1)
    response = client.post(url(token), form_data("3", trust_raise=bad))
    assert response.status_code == 400
    assert "error-summary" in response.content.decode()
    assert nothing_recorded()
    assert not Invitation.objects.get().is_used
    assert client.post(url(token), form_data("3")).status_code == 200


def test_missing_answer_is_refused(client: Client, round_: Round, beta: Organisation) -> None:
    [token] = tokens(round_, beta, 1)
    data = form_data("3")
    del data["roles_kept"]
    response = client.post(url(token), data)
    assert response.status_code == 400
    assert "Choose an answer" in response.content.decode()
    assert nothing_recorded()


@pytest.mark.parametrize("comment", ["x" * 2001, "y" * 1_000_000, "Bra\x00möte"])
def test_oversized_or_nul_comment_is_refused(
    client: Client, round_: Round, beta: Organisation, comment: str
) -> None:
    [token] = tokens(round_, beta, 1)
    response = client.post(url(token), form_data("3", comment=comment))
    assert response.status_code == 400
    assert nothing_recorded()
    assert not Invitation.objects.get().is_used


def test_action_refuses_bad_answers_without_using_the_link(
    round_: Round, beta: Organisation
) -> None:
    from django.core.exceptions import ValidationError

    [token] = tokens(round_, beta, 1)
    for bad in (answers(4, trust_raise=6), answers(4, trust_raise=0),
                {**answers(4), "unknown": 3}, {"trust_raise": 3},
                # Deliberately ill-typed answers: the action must refuse them.
                answers(4, trust_raise=True), answers(4, trust_raise="4")):  # type: ignore[arg-type]
        with pytest.raises(ValidationError):
            actions.do_submit_response(token, answers=bad)
    with pytest.raises(ValidationError):
        actions.do_submit_response(token, answers=answers(4), comment="z" * 2001)
    assert nothing_recorded()
    assert not Invitation.objects.get().is_used


def test_tokens_are_stored_only_as_hashes(round_: Round, beta: Organisation) -> None:
    issued = tokens(round_, beta, 3)
    stored = set(Invitation.objects.values_list("token_hash", flat=True))
    assert len(stored) == 3
    assert not stored & set(issued)
    assert all(len(t) == 43 for t in issued) and len(set(issued)) == 3


def test_tampered_form_on_a_used_link_gets_the_same_errors_as_on_an_unused_one(
    round_: Round, beta: Organisation
) -> None:
    used, unused = tokens(round_, beta, 2)
    Client().post(url(used), form_data("4"))
    tampered = form_data("3", trust_raise="9", comment="x")
    replies = [Client(HTTP_ACCEPT_LANGUAGE="en").post(url(t), tampered) for t in (used, unused)]
    assert [r.status_code for r in replies] == [400, 400]
    assert all("error-summary" in r.content.decode() for r in replies)
    assert Response.objects.count() == 1
    first = Invitation.objects.order_by("pk").values_list("pk", flat=True)[0]
    assert list(Invitation.objects.filter(is_used=True).values_list("pk", flat=True)) == [
        first]  # only the link answered through first


def test_answers_after_closing_get_410_on_used_and_unused_links_alike(
    round_: Round, beta: Organisation
) -> None:
    used, unused = tokens(round_, beta, 2)
    Client().post(url(used), form_data("4"))
    actions.do_close_round(round_, acting_user=None)
    for token in (used, unused):
        response = Client(HTTP_ACCEPT_LANGUAGE="en").post(url(token), form_data("1"))
        assert response.status_code == 410
        assert "is closed" in response.content.decode()
    assert Response.objects.count() == 1
