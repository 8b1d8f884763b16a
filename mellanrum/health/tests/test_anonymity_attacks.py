"""Replays of the two attacks on survey anonymity from issue 13.

(a) The link oracle: a lead who made one link per invitee opens each link and learns from the
    status code or the page who has answered.
(b) Differencing: an observer reads the results (page, API, XLSX, CLI) before and after one
    new response and recovers that person's answers and comment.

Both tests fail on the behaviour before the fix (410 for a used link; live results).
"""

from __future__ import annotations

import io
import json
import re

import pytest
from click.testing import CliRunner
from django.test import Client
from openpyxl import load_workbook

from mellanrum.cli import main
from mellanrum.collaborations.models import Initiative
from mellanrum.collaborations.tests.conftest import basic
from mellanrum.core.models import User
from mellanrum.health import actions
from mellanrum.health.models import Response, Round
from mellanrum.landscape.models import Organisation

from .conftest import answer, form_data, tokens

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def shape(html: bytes, token: str = "") -> str:
    """The page without its per-request CSRF token, which differs on every request, and
    without the link's own address (in the language switch's "next" field)."""
    text = CSRF.sub('name="csrfmiddlewaretoken" value=""', html.decode())
    return text.replace(token, "TOKEN") if token else text


def url(token: str) -> str:
    return f"/enkat/{token}/"


@pytest.fixture
def observers(alice: User, erin: User) -> dict[str, Client]:
    """The lead who created the links, a reader of another partner, and anyone at all."""
    lead, other, anonymous = Client(), Client(), Client()
    lead.force_login(alice)
    other.force_login(erin)
    return {"lead": lead, "other user": other, "anonymous": anonymous}


def test_used_and_unused_links_look_the_same_to_everyone_but_the_respondent(
    round_: Round, beta: Organisation, observers: dict[str, Client]
) -> None:
    links = tokens(round_, beta, 4)
    for token in links[:2]:  # each respondent in their own browser
        assert Client().post(url(token), form_data("2", comment="Hemligt.")).status_code == 200
    assert Response.objects.count() == 2
    for who, client in observers.items():
        seen = {token: client.get(url(token)) for token in links}
        statuses = {token: r.status_code for token, r in seen.items()}
        assert set(statuses.values()) == {200}, (who, statuses)
        templates = {token: tuple(t.name for t in r.templates) for token, r in seen.items()}
        assert len(set(templates.values())) == 1, (who, templates)
        bodies = {shape(r.content, token) for token, r in seen.items()}
        assert len(bodies) == 1, who
        sizes = {len(r.content) for r in seen.values()}
        assert len(sizes) == 1, (who, sizes)
        headers = {tuple(sorted((k, v) for k, v in r.headers.items() if k != "Set-Cookie"))
                   for r in seen.values()}
        assert len(headers) == 1, who


def test_submitting_on_a_used_link_looks_like_a_fresh_answer_and_counts_once(
    round_: Round, beta: Organisation, observers: dict[str, Client]
) -> None:
    links = tokens(round_, beta, 7)
    used, fresh_ones = links[0], links[1:]
    assert Client().post(url(used), form_data("5", comment="Första svaret.")).status_code == 200
    for who, client in observers.items():
        # The observer answers through the used link and through an unused one.
        unused = fresh_ones.pop()
        duplicate = client.post(url(used), form_data("1", comment="Påhittat."))
        fresh = client.post(url(unused), form_data("1", comment="Påhittat."))
        assert duplicate.status_code == fresh.status_code == 200, who
        assert shape(duplicate.content, used) == shape(fresh.content, unused), who
        assert len(duplicate.content) == len(fresh.content), who
        assert [t.name for t in duplicate.templates] == [t.name for t in fresh.templates]
        assert duplicate.cookies.keys() == fresh.cookies.keys(), who
        assert {k: v for k, v in duplicate.headers.items() if k != "Set-Cookie"} == {
            k: v for k, v in fresh.headers.items() if k != "Set-Cookie"}, who
    # The repeats changed nothing: one response from the used link, one per fresh link.
    assert Response.objects.count() == 1 + len(observers)
    assert Response.objects.filter(comment="Första svaret.").count() == 1
    # After the round closes, a used and an unused link look the same too.
    actions.do_close_round(round_, acting_user=None)
    closed = [Client().get(url(t)) for t in (used, fresh_ones[0])]
    assert {r.status_code for r in closed} == {410}
    assert len({shape(r.content, t) for r, t in zip(closed, (used, fresh_ones[0]),
                                                    strict=True)}) == 1


def test_only_the_respondents_own_browser_is_told_it_has_answered(
    round_: Round, beta: Organisation, observers: dict[str, Client]
) -> None:
    [token] = tokens(round_, beta, 1)
    respondent = Client(HTTP_ACCEPT_LANGUAGE="en")
    respondent.post(url(token), form_data("4"))
    mine = respondent.get(url(token))
    assert mine.status_code == 200
    assert "You have already answered" in mine.content.decode()
    for client in observers.values():
        assert "already answered" not in client.get(url(token)).content.decode()
    # The respondent cannot vote twice either.
    respondent.post(url(token), form_data("1"))
    assert Response.objects.count() == 1


def _readings(round_: Round, user: User, client: Client) -> dict[str, object]:
    page = client.get(f"/halsa/omgang/{round_.pk}/")
    overview = client.get(f"/samverkan/{round_.initiative_id}/halsa/")
    api = Client().get(f"/api/health/rounds/{round_.pk}/results", **basic(user))
    rounds = Client().get(f"/api/initiatives/{round_.initiative_id}/health/rounds",
                          **basic(user))
    book = load_workbook(io.BytesIO(client.get(f"/halsa/omgang/{round_.pk}/resultat.xlsx")
                                    .content))
    cli = CliRunner().invoke(main, ["health", "results", str(round_.pk), "--user",
                                    user.username], catch_exceptions=False)
    cli_rounds = CliRunner().invoke(main, ["health", "rounds", str(round_.initiative_id)],
                                    catch_exceptions=False)
    assert page.status_code == overview.status_code == api.status_code == 200
    return {
        "page": shape(page.content),
        "overview": shape(overview.content),
        "api": api.json(),
        "api rounds": rounds.json(),
        "xlsx": {s.title: list(s.iter_rows(values_only=True)) for s in book.worksheets},
        "cli": json.loads(cli.stdout),
        "cli rounds": cli_rounds.stdout,
    }


def test_results_before_and_after_one_response_reveal_nothing_about_it(
    round_: Round, alfa: Organisation, beta: Organisation, erin: User
) -> None:
    answer(round_, alfa, [4, 4, 4])
    answer(round_, beta, [3, 3, 3])
    observer = Client(HTTP_ACCEPT_LANGUAGE="en")
    observer.force_login(erin)
    [token] = tokens(round_, beta, 1)
    before = _readings(round_, erin, observer)
    actions.do_submit_response(token, answers={k: 1 for k in round_.instrument.item_keys},
                               comment="Ledningen lyssnar inte på oss.")
    after = _readings(round_, erin, observer)
    for name in before:
        assert before[name] == after[name], name
    for reading in after.values():
        assert "Ledningen lyssnar inte" not in str(reading)


def _numbers_in(html: str, table_id: str) -> list[str]:
    table = re.search(rf'<table id="{table_id}">(.*?)</table>', html, re.S)
    assert table is not None
    return re.findall(r'<td class="num">([^<]*)</td>', table.group(1))


def test_no_partner_count_below_three_appears_anywhere(
    lead_client: Client, round_: Round, alfa: Organisation, beta: Organisation, alice: User
) -> None:
    answer(round_, alfa, [4, 4, 4, 5])
    answer(round_, beta, [2])
    actions.do_close_round(round_, acting_user=alice)
    html = lead_client.get(f"/halsa/omgang/{round_.pk}/").content.decode()
    answered = _numbers_in(html, "response-rates")[1::3]  # invited, answered, rate
    assert answered and all(a.isdigit() is False or int(a) >= 3 for a in answered), answered
    # Beta's single answer would follow from the total minus Alfa's count, so Alfa's count
    # is withheld as well; the total of five stays.
    assert "fewer than 3" in html
    assert '<dd id="response-count">5</dd>' in html
    api = Client().get(f"/api/health/rounds/{round_.pk}/results", **basic(alice)).json()
    assert [p["answered"] for p in api["partners"]] == [None, None]
    assert api["breakdown"] == []
    cli = CliRunner().invoke(main, ["health", "results", str(round_.pk)],
                             catch_exceptions=False)
    assert [p["answered"] for p in json.loads(cli.stdout)["partners"]] == [None, None]
    book = load_workbook(io.BytesIO(
        lead_client.get(f"/halsa/omgang/{round_.pk}/resultat.xlsx").content))
    counts = [row[2] for row in book.worksheets[1].iter_rows(min_row=2, values_only=True)]
    assert counts and not any(isinstance(c, int) and c < 3 for c in counts), counts


def test_a_round_with_fewer_than_three_answers_shows_no_count_at_all(
    lead_client: Client, round_: Round, alfa: Organisation, alice: User
) -> None:
    answer(round_, alfa, [4])
    actions.do_close_round(round_, acting_user=alice)
    html = lead_client.get(f"/halsa/omgang/{round_.pk}/").content.decode()
    assert '<dd id="response-count">1</dd>' not in html
    assert _numbers_in(html, "response-rates")[1::3] == ["fewer than 3", "fewer than 3"]
    overview = lead_client.get(f"/samverkan/{round_.initiative_id}/halsa/").content.decode()
    [row] = re.findall(r'<td class="num">([^<]*)</td><td class="num">([^<]*)</td></tr>',
                       overview)
    assert row == ("fewer than 3", "1")  # answered withheld; one link was created
    api = Client().get(f"/api/initiatives/{round_.initiative_id}/health/rounds",
                       **basic(alice)).json()
    assert api[0]["responses"] is None
    listed = CliRunner().invoke(main, ["health", "rounds", str(round_.initiative_id)],
                                catch_exceptions=False).stdout
    assert "\t1\t" not in listed


def test_partners_without_answers_are_listed_as_withheld_like_those_with_few(
    lead_client: Client, round_: Round, initiative: Initiative, alfa: Organisation,
    beta: Organisation, gamma: Organisation, alice: User
) -> None:
    from mellanrum.collaborations import actions as collaboration_actions
    from mellanrum.collaborations.consent_actions import do_answer_invitation

    do_answer_invitation(collaboration_actions.do_add_partner(
        initiative, acting_user=alice, organisation=gamma), acting_user=None, accept=True)
    answer(round_, alfa, [4, 4, 4, 4, 4, 4])
    answer(round_, beta, [2])  # Beta's one invitee answered ...
    tokens(round_, gamma, 1)  # ... Gamma's did not: the page must not tell them apart.
    actions.do_close_round(round_, acting_user=alice)
    html = lead_client.get(f"/halsa/omgang/{round_.pk}/").content.decode()
    # Alfa is withheld too: the total minus Alfa's six would give Beta's and Gamma's one.
    assert "Withheld to protect anonymity: Alfa kommun, Beta kommun, Gamma kommun" in html
    api = Client().get(f"/api/health/rounds/{round_.pk}/results", **basic(alice)).json()
    assert api["withheld_partners"] == ["9901", "9902", "9903"]
    rates = {p["organisation"]: p["answered"] for p in api["partners"]}
    assert rates["9902"] is rates["9903"] is None
