"""A process leader logs in, imports a spreadsheet and finds the new activity."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from mellanrum.conftest import PASSWORD
from mellanrum.core.models import User
from mellanrum.landscape.models import Activity, Organisation

from .conftest import save_screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_log_in_import_spreadsheet_and_find_activity(
    page: Page, live_server: object, tmp_path: Path
) -> None:
    alfa = Organisation.objects.create(
        code="9901", name="Alfa kommun", short_name="Alfa", kind="municipality",
        county_code="99", county_name="Testlän", population=85_000,
    )
    alice = User(username="alice", organisation=alfa, role="editor")
    alice.set_password(PASSWORD)
    alice.save()
    spreadsheet = tmp_path / "verksamheter.csv"
    spreadsheet.write_bytes(
        "\ufeffNamn;Typ;Årskostnad (kr);Volym per år;Volymenhet;Ledtid (dagar)\r\n"
        "Strandskyddsdispens – ansök;e-tjänst;1 250 000;140;ärenden;42\r\n"
        "Hemtjänst;tjänst;98 000 000;1 100;brukare;\r\n".encode()
    )
    base = str(live_server)

    page.goto(f"{base}/konto/logga-in/")
    page.get_by_label("Användarnamn").fill("alice")
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_text("Inloggad som alice", exact=True)).to_be_visible()

    page.goto(f"{base}/organisationer/9901/")
    page.get_by_role("link", name="Importera från kalkylblad").click()
    page.get_by_label("Kalkylblad (CSV eller XLSX)").set_input_files(str(spreadsheet))
    page.get_by_role("button", name="Kontrollera filen").click()

    expect(page.get_by_text("Förhandsgranskning")).to_be_visible(timeout=15_000)
    expect(page.get_by_text("Strandskyddsdispens – ansök")).to_be_visible()
    assert not Activity.objects.exists()  # nothing saved before confirming
    page.get_by_role("button", name="Importera nu").click()
    expect(page.get_by_text("2 verksamheter lades till")).to_be_visible(timeout=15_000)

    page.goto(f"{base}/verksamheter/?q=strandskydd")
    link = page.get_by_role("link", name="Strandskyddsdispens – ansök")
    expect(link).to_be_visible()
    link.click()
    expect(page.get_by_role("heading", name="Strandskyddsdispens – ansök")).to_be_visible()
    expect(page.get_by_text("1 250 000 kr")).to_be_visible()
    assert Activity.objects.filter(organisation=alfa).count() == 2


def test_own_headers_are_mapped_in_a_step_and_remembered(
    page: Page, live_server: object
) -> None:
    alfa = Organisation.objects.create(
        code="9901", name="Alfa kommun", short_name="Alfa", kind="municipality",
        county_code="99", county_name="Testlän", population=85_000,
    )
    alice = User(username="alice", organisation=alfa, role="editor")
    alice.set_password(PASSWORD)
    alice.save()
    # Windows-1252, a title row, the municipality's own headers, NBSP thousands.
    data = Path(__file__).parents[2] / "mellanrum" / "landscape" / "tests" / "data"
    nacka = data / "nacka_verksamhetskatalog.csv"
    base = str(live_server)
    page.goto(f"{base}/konto/logga-in/")
    page.get_by_label("Användarnamn").fill("alice")
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()

    page.goto(f"{base}/organisationer/9901/import/")
    page.get_by_label("Kalkylblad (CSV eller XLSX)").set_input_files(str(nacka))
    page.get_by_role("button", name="Kontrollera filen").click()

    expect(page.get_by_role("heading", name="Vilken kolumn är vilken?")).to_be_visible(
        timeout=15_000
    )
    expect(page.get_by_text("Kolumnrubrikerna hittades på rad 3")).to_be_visible()
    # Each column is a labelled drop-down with its suggestion chosen.
    expect(page.get_by_label("Verksamhet")).to_have_value("name")
    expect(page.get_by_label("Handläggningstid")).to_have_value("lead_time_days")
    expect(page.get_by_label("Förvaltning")).to_have_value("")
    # No contacts exist yet, so the owner column is ignored this time.
    page.get_by_label("Kontaktperson").select_option(label="Ignorera kolumnen")
    # Mapping two columns to the name is refused with a message, and nothing is kept.
    page.get_by_label("Förvaltning").select_option(label="Namn")
    page.get_by_role("button", name="Använd de här kolumnerna").click()
    expect(page.get_by_role("alert")).to_contain_text("kopplade till samma fält, Namn")
    page.get_by_label("Förvaltning").select_option(label="Ignorera kolumnen")
    page.get_by_role("button", name="Använd de här kolumnerna").click()

    expect(page.get_by_text("Förhandsgranskning")).to_be_visible(timeout=15_000)
    expect(page.get_by_text("Strandskyddsdispens – ansökan")).to_be_visible()
    assert not Activity.objects.exists()
    page.get_by_role("button", name="Importera nu").click()
    expect(page.get_by_text("5 verksamheter lades till")).to_be_visible(timeout=15_000)
    save_screenshot(page, "import-mapping-done.png")

    # The same headers next time: straight to the preview, every row matched by name.
    page.goto(f"{base}/organisationer/9901/import/")
    page.get_by_label("Kalkylblad (CSV eller XLSX)").set_input_files(str(nacka))
    page.get_by_role("button", name="Kontrollera filen").click()
    expect(page.get_by_text("Förhandsgranskning")).to_be_visible(timeout=15_000)
    expect(page.get_by_text("5 rader utan nyckel kopplades")).to_be_visible()
    assert Activity.objects.filter(organisation=alfa).count() == 5


def test_directory_is_keyboard_usable_and_shows_chart(page: Page, live_server: object) -> None:
    from mellanrum.landscape.actions import do_load_reference_data

    do_load_reference_data()
    page.goto(f"{live_server}/organisationer/?county=01")
    expect(page.get_by_role("cell", name="Nacka kommun")).to_be_visible()
    expect(page.get_by_role("img", name="Stapeldiagram", exact=False)).to_be_visible()
    # The skip link is the first thing a keyboard user reaches.
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert "Hoppa till innehållet" in focused
    page.get_by_label("Sök på namn eller kod").fill("Sollentuna")
    expect(page.get_by_role("cell", name="Sollentuna kommun")).to_be_visible()
    expect(page.get_by_role("cell", name="Nacka kommun")).to_have_count(0)
    save_screenshot(page, "organisations.png")
