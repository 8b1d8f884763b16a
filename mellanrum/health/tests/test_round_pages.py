"""Rounds, invitation links and the results page, through the web client."""

from __future__ import annotations

import csv
import io
import re

from django.conf import settings
from django.test import Client, override_settings
from openpyxl import load_workbook
from pytest_django.fixtures import SettingsWrapper

from mellanrum.collaborations.consent_actions import do_answer_invitation
from mellanrum.collaborations.models import Initiative
from mellanrum.core.models import AuditEntry, User
from mellanrum.health import actions
from mellanrum.health.models import Invitation, Round
from mellanrum.landscape.models import Organisation

from .conftest import answer


def test_lead_opens_a_round_and_gets_links(lead_client: Client, initiative: Initiative,
                                           beta: Organisation) -> None:
    response = lead_client.post(f"/samverkan/{initiative.pk}/halsa/ny-omgang/",
                                {"title": "Våren 2026", "invitation_days": "14"})
    round_ = Round.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/halsa/omgang/{round_.pk}/inbjudningar/"
    assert round_.invitation_days == 14 and round_.is_open
    page = lead_client.post(f"/halsa/omgang/{round_.pk}/inbjudningar/",
                            {"organisation": "9902", "format": "html",
                             "emails": "a@beta.example\nb@beta.example"})
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    html = page.content.decode()
    # Links are built from SITE_ROOT, never from the Host header of the request.
    assert html.count(f'class="survey-link" href="{settings.SITE_ROOT}/enkat/') == 2
    assert "testserver/enkat/" not in html
    assert "a@beta.example" in html
    assert Invitation.objects.filter(organisation=beta).count() == 2
    # The addresses are only labels: nothing stores them.
    assert "beta.example" not in str(list(Invitation.objects.values()))
    assert AuditEntry.objects.filter(action="health.invite").exists()


def test_links_download_as_csv(lead_client: Client, round_: Round) -> None:
    response = lead_client.post(f"/halsa/omgang/{round_.pk}/inbjudningar/",
                                {"organisation": "9901", "count": "3", "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 4
    assert [r[1] for r in rows[1:]] == ["1", "2", "3"]
    assert all(r[2].startswith(f"{settings.SITE_ROOT}/enkat/") for r in rows[1:])


def test_links_are_built_from_site_root_not_from_the_host_header(
    lead_client: Client, round_: Round
) -> None:
    with override_settings(SITE_ROOT="https://mellanrum.example"):
        for fmt in ("html", "csv"):
            response = lead_client.post(f"/halsa/omgang/{round_.pk}/inbjudningar/",
                                        {"organisation": "9902", "count": "1", "format": fmt},
                                        HTTP_HOST="localhost")
            body = response.content.decode("utf-8-sig")
            assert "https://mellanrum.example/enkat/" in body, fmt
            assert "localhost/enkat/" not in body, fmt


def test_bad_invitation_input_gets_a_clear_message_and_creates_nothing(
    lead_client: Client, round_: Round, gamma: Organisation
) -> None:
    url = f"/halsa/omgang/{round_.pk}/inbjudningar/"
    for data in ({"organisation": "9902", "count": "0"},
                 {"organisation": "9902", "count": "501"},
                 {"organisation": "9902", "count": "-3"},
                 {"organisation": "9902", "emails": "inte-en-adress"},
                 {"organisation": "9902"},
                 {"organisation": "9902", "count": "2", "emails": "a@b.example"},
                 {"organisation": "9903", "count": "2"},
                 {"organisation": "9902", "emails": "x" * 60_000}):
        response = lead_client.post(url, data)
        assert response.status_code == 200, data
        assert "error-summary" in response.content.decode(), data
    assert not Invitation.objects.exists()


def test_only_lead_editors_manage_rounds(
    client: Client, initiative: Initiative, round_: Round, bob: User, charlie: User,
    dave: User, erin: User
) -> None:
    for user, status in ((bob, 403), (charlie, 403), (erin, 403), (dave, 404)):
        client.force_login(user)
        assert client.post(f"/samverkan/{initiative.pk}/halsa/ny-omgang/",
                           {"title": "X", "invitation_days": "30"}).status_code == status
        assert client.post(f"/halsa/omgang/{round_.pk}/inbjudningar/",
                           {"organisation": "9902", "count": "2"}).status_code == status
        assert client.post(f"/halsa/omgang/{round_.pk}/stang/").status_code == status
    assert Round.objects.count() == 1 and round_.is_open
    assert not Invitation.objects.exists()


def test_results_are_for_partners_and_superusers_only(
    client: Client, initiative: Initiative, round_: Round, bob: User, erin: User,
    dave: User, superuser: User
) -> None:
    for user in (bob, erin, superuser):
        client.force_login(user)
        assert client.get(f"/halsa/omgang/{round_.pk}/").status_code == 200
        assert client.get(f"/samverkan/{initiative.pk}/halsa/").status_code == 200
    client.force_login(dave)
    assert client.get(f"/halsa/omgang/{round_.pk}/").status_code == 404
    Initiative.objects.filter(pk=initiative.pk).update(is_public=True)
    # A public initiative is readable, but its partners' survey is not.
    assert client.get(f"/samverkan/{initiative.pk}/").status_code == 200
    assert client.get(f"/halsa/omgang/{round_.pk}/").status_code == 403
    assert client.get(f"/halsa/omgang/{round_.pk}/resultat.xlsx").status_code == 403
    client.logout()
    assert client.get(f"/halsa/omgang/{round_.pk}/").status_code == 302


def test_second_open_round_is_refused(lead_client: Client, initiative: Initiative,
                                      round_: Round) -> None:
    response = lead_client.post(f"/samverkan/{initiative.pk}/halsa/ny-omgang/",
                                {"title": "Hösten 2026", "invitation_days": "30"})
    assert response.status_code == 200
    assert "already open" in response.content.decode()
    for days in ("0", "366", "abc"):
        response = lead_client.post(f"/samverkan/{initiative.pk}/halsa/ny-omgang/",
                                    {"title": "Hösten 2026", "invitation_days": days})
        assert "error-summary" in response.content.decode()
    assert Round.objects.count() == 1


def test_closing_the_round(lead_client: Client, round_: Round) -> None:
    response = lead_client.post(f"/halsa/omgang/{round_.pk}/stang/")
    assert response.status_code == 302
    round_.refresh_from_db()
    assert not round_.is_open
    again = lead_client.post(f"/halsa/omgang/{round_.pk}/stang/", follow=True)
    assert "already closed" in again.content.decode()


def test_results_page_withholds_a_partner_with_two_answers(
    lead_client: Client, round_: Round, alfa: Organisation, beta: Organisation
) -> None:
    answer(round_, alfa, [5, 5, 4, 5])
    answer(round_, beta, [1, 2])
    actions.do_close_round(round_, acting_user=None)
    html = lead_client.get(f"/halsa/omgang/{round_.pk}/").content.decode()
    assert '<dd id="response-count">6</dd>' in html
    assert 'id="factors"' in html
    # Alfa alone would reveal Beta's pair by subtraction: no breakdown at all.
    assert 'id="no-breakdown"' in html
    assert 'id="breakdown"' not in html
    assert "Withheld to protect anonymity: Alfa kommun, Beta kommun" in html


def test_results_page_shows_partners_above_the_threshold_and_warns(
    lead_client: Client, initiative: Initiative, alfa: Organisation, beta: Organisation,
    alice: User
) -> None:
    first = actions.do_open_round(initiative, acting_user=alice, title="Hösten 2025")
    answer(first, alfa, [4, 4, 4])
    answer(first, beta, [4, 4, 4])
    actions.do_close_round(first, acting_user=alice)
    second = actions.do_open_round(initiative, acting_user=alice, title="Våren 2026")
    answer(second, alfa, [4, 4, 4])
    answer(second, beta, [2, 2, 2])
    actions.do_close_round(second, acting_user=alice)
    html = lead_client.get(f"/halsa/omgang/{second.pk}/").content.decode()
    assert 'id="breakdown"' in html
    assert "has fallen from 4.0 to 3.0" in html
    assert "Beta kommun sees little benefit for its own organisation (2.0)" in html
    assert f'href="/samverkan/{initiative.pk}/nyttorealisering/"' in html
    assert 'id="trend"' in html and "Hösten 2025" in html
    assert html.count('<img src="/diagram/') == 3
    overview = lead_client.get(f"/samverkan/{initiative.pk}/halsa/").content.decode()
    assert "Våren 2026" in overview and "Hösten 2025" in overview


def test_comments_are_released_together_at_closing_in_alphabetical_order(
    lead_client: Client, round_: Round, alfa: Organisation
) -> None:
    links = actions.do_create_invitations(round_, acting_user=None, organisation=alfa,
                                          count=4)
    written = ["Öppet klimat.", "bra ledning.", "", "Alla möten är för långa."]
    for link, comment in zip(links, written, strict=True):
        actions.do_submit_response(link.token, answers=dict.fromkeys(
            round_.instrument.item_keys, 4), comment=comment)
        html = lead_client.get(f"/halsa/omgang/{round_.pk}/").content.decode()
        assert not any(c and c in html for c in written)  # nothing while the round is open
        assert "Comments are shown when the round has closed." in html
    actions.do_close_round(round_, acting_user=None)
    html = lead_client.get(f"/halsa/omgang/{round_.pk}/").content.decode()
    # Alphabetical, whatever the order of writing (and of case).
    positions = [html.index(c) for c in ("Alla möten", "bra ledning.", "Öppet klimat.")]
    assert positions == sorted(positions)


def test_export_has_aggregates_and_never_a_withheld_partner(
    lead_client: Client, round_: Round, alfa: Organisation, beta: Organisation,
    gamma: Organisation, initiative: Initiative, alice: User
) -> None:
    from mellanrum.collaborations import actions as collaboration_actions

    do_answer_invitation(collaboration_actions.do_add_partner(
        initiative, acting_user=alice, organisation=gamma), acting_user=None, accept=True)
    answer(round_, alfa, [5, 5, 5])
    answer(round_, gamma, [3, 3, 3])
    answer(round_, beta, [1, 1])
    actions.do_close_round(round_, acting_user=alice)
    response = lead_client.get(f"/halsa/omgang/{round_.pk}/resultat.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    factors = list(book["Factors"].iter_rows(values_only=True))
    assert factors[1][1] == 8  # respondents
    partners = {row[0] for row in book["Partners"].iter_rows(min_row=2, values_only=True)}
    # Beta (2 answers) is withheld, and with it the smallest shown partner (Gamma, 3 answers,
    # or Alfa): whatever remains hidden must be at least three people.
    assert "Beta kommun" not in partners
    assert len(partners) <= 1


def test_results_charts_are_drawn_over_the_scale_from_one_to_five(
    lead_client: Client, initiative: Initiative, alfa: Organisation, beta: Organisation,
    alice: User, settings: SettingsWrapper
) -> None:
    settings.CHART_RENDER_PROCESSES = 0
    first = actions.do_open_round(initiative, acting_user=alice, title="Hösten 2026")
    answer(first, alfa, [4, 4, 4])
    answer(first, beta, [3, 3, 3])
    actions.do_close_round(first, acting_user=alice)
    html = lead_client.get(f"/halsa/omgang/{first.pk}/").content.decode()
    addresses = re.findall(r'<img src="(/diagram/[^"]+)"', html)
    assert len(addresses) == 2  # all factors, and by partner
    for address in addresses:
        svg = lead_client.get(address.replace("&amp;", "&")).content.decode()
        texts = re.findall(r">([^<]+)</text>", svg)
        assert "1" in texts and "5" in texts, address
        assert "0" not in texts, address  # not drawn from zero


def test_warnings_and_tables_write_the_same_rounded_mean(
    lead_client: Client, initiative: Initiative, alfa: Organisation, beta: Organisation,
    alice: User
) -> None:
    round_ = actions.do_open_round(initiative, acting_user=alice, title="Hösten 2026")
    answer(round_, alfa, [4, 4, 4])
    answer(round_, beta, [3, 3, 2])  # a mean of 2.666…: 2.7, not cut off to 2.6
    actions.do_close_round(round_, acting_user=alice)
    html = lead_client.get(f"/halsa/omgang/{round_.pk}/").content.decode()
    assert "Beta kommun sees little benefit for its own organisation (2.7)" in html
    assert '<td class="num">2.7</td>' in html and '<td class="num">2.6</td>' not in html
    swedish = Client(HTTP_ACCEPT_LANGUAGE="sv")
    swedish.force_login(alice)
    page = swedish.get(f"/halsa/omgang/{round_.pk}/").content.decode()
    assert "(2,7)" in page and '<td class="num">2,7</td>' in page
    assert '<td class="num">2,6</td>' not in page


def test_an_organisation_that_has_not_accepted_is_not_asked(
    lead_client: Client, initiative: Initiative, round_: Round, alice: User,
) -> None:
    from mellanrum.collaborations import actions as collaborations

    invited = Organisation.objects.create(code="9904", name="Delta", kind="municipality")
    collaborations.do_add_partner(initiative, acting_user=alice, organisation=invited)
    url = f"/halsa/omgang/{round_.pk}/inbjudningar/"
    assert "Delta" not in lead_client.get(url).content.decode()
    response = lead_client.post(url, {"organisation": "9904", "count": "2"})
    assert "error-summary" in response.content.decode()
    assert not Invitation.objects.filter(organisation=invited).exists()
