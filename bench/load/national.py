"""Grow a demo database to a national installation for the load test (issue 20, point 4).

    DB_NAME=/tmp/x.sqlite3 mellanrum demo && DB_NAME=/tmp/x.sqlite3 python bench/load/national.py

Runs after ``mellanrum demo`` on the database configured by the environment (``DB``,
``DB_NAME``, ... as for the app) and adds, deterministically (every random choice comes from
``--seed`` or an organisation's code, so the result is the same on every run and machine):

* every one of the 290 municipalities gets exactly ``--per-org`` (150) illustrative activities,
  as ``bench/load/scale.py`` does;
* each of the 21 regions gets ``--per-org`` illustrative regional activities (health care,
  public transport, regional development, culture …; ``REGION_TASKS`` × ``REGION_AREAS``), and
  each state agency ``--per-org // 3``, all through the spreadsheet import's
  ``do_import_activities``;
* ``--users-count`` (10,000) users spread over the municipalities, regions and agencies
  (roughly by the square root of the population), 5 % administrators, 30 % editors, the rest
  readers; user names ``nat00001`` … with the password ``mellanrum-last``;
* ``--initiatives`` (30) illustrative initiatives across the country, each with a lead and 2–6
  partners invited through ``do_add_partner``: most accept (``do_answer_invitation``, answered
  by one of the organisation's editors), some have not answered yet and a few decline; then a
  five-year ledger, the economics and a cost split through the benefits actions (as the demo's
  initiatives get them, ``benefits.demo.add_demo_ledger``);
* finally the commonality analysis runs over everything, and the charts of every organisation
  and concept page are drawn ahead, as the app does in the background after an analysis
  (``mellanrum/core/predraw.py``), into ``CHART_CACHE_DIR``.

Every write goes through the project's actions, except the users: they are bulk-created with
one password hash computed once, because 10,000 PBKDF2 hashes would take about half an hour.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from scale import grow_municipalities, run_analysis, setup_django  # noqa: E402

if TYPE_CHECKING:
    from mellanrum.core.models import User
    from mellanrum.landscape.models import Organisation
    from mellanrum.landscape.spreadsheet import ActivityRow

# The national users log in as USERNAME % n (n from 1) with this password (bench/load/run.py).
USERNAME = "nat%05d"
PASSWORD = "mellanrum-last"

# (name, kind, cost per inhabitant in kr, volume per 1,000 inhabitants, unit, lead time in days)
REGION_TASKS: tuple[tuple[str, str, int, int, str, int | None], ...] = (
    ("Listning på vårdcentral", "eservice", 40, 60, "listningar", 1),
    ("Färdtjänst – ansökan och beslut", "service", 450, 4, "beslut", 28),
    ("Habilitering", "service", 300, 5, "brukare", 60),
    ("Förskrivning av hjälpmedel", "service", 180, 20, "förskrivningar", 21),
    ("Periodbiljett i kollektivtrafiken", "eservice", 2500, 300, "biljetter", None),
    ("Sjukvårdsrådgivning", "service", 60, 250, "samtal", None),
    ("Tandvård för barn och unga", "service", 900, 180, "besök", 30),
    ("Mödrahälsovård", "service", 350, 12, "inskrivningar", 7),
    ("Barnhälsovård", "service", 400, 60, "besök", 7),
    ("Vaccination", "service", 120, 150, "doser", 14),
    ("Psykiatrisk öppenvård", "service", 1100, 25, "patienter", 45),
    ("Ambulanssjukvård", "service", 700, 90, "uppdrag", None),
    ("Remiss till specialistvård", "process", 500, 120, "remisser", 60),
    ("Provtagning och laboratorium", "process", 650, 900, "analyser", 2),
    ("Röntgen och bilddiagnostik", "service", 800, 200, "undersökningar", 30),
    ("Läkemedelsförsörjning", "process", 3200, 0, "recept", None),
    ("Patientnämnd – klagomål", "service", 5, 1, "ärenden", 30),
    ("Sjukresor", "service", 90, 30, "resor", 3),
    ("Regional utvecklingsstrategi", "process", 30, 0, "dokument", 365),
    ("Företagsstöd och regionala utvecklingsmedel", "service", 80, 1, "beslut", 90),
    ("Bredbandsutbyggnad på landsbygden", "process", 40, 0, "projekt", 180),
    ("Kulturstöd till föreningar", "service", 60, 1, "bidrag", 60),
    ("Folkhögskola", "service", 150, 3, "deltagare", 90),
    ("Regional kollektivtrafikplanering", "process", 70, 0, "planer", 365),
    ("Sjukintyg och läkarintyg", "eservice", 25, 80, "intyg", 7),
    ("Journal via nätet", "eservice", 20, 400, "inloggningar", None),
    ("Hjälp att sluta röka", "service", 10, 3, "deltagare", 14),
    ("Hörselvård", "service", 110, 15, "patienter", 60),
    ("Syncentral", "service", 60, 4, "patienter", 60),
    ("Smittskydd och smittspårning", "process", 50, 5, "ärenden", 3),
)
REGION_AREAS = ("", "barn och unga", "äldre", "på landsbygden", "digitalt")

# (name, kind) of what an agency does for people and organisations.
AGENCY_TASKS: tuple[tuple[str, str], ...] = (
    ("Ansökan", "eservice"), ("Handläggning av ärende", "process"),
    ("Omprövning av beslut", "process"), ("Överklagande", "process"),
    ("Rådgivning per telefon", "service"), ("Utbetalning", "process"),
    ("Tillsyn", "process"), ("Statistik och uppföljning", "process"),
    ("Information till kommuner", "service"), ("Servicekontor", "service"),
)
AGENCY_AREAS = ("privatpersoner", "företag", "kommuner", "nyanlända", "unga")

INITIATIVE_SUBJECTS = (
    ("Gemensam e-tjänst för ekonomiskt bistånd", "bistånd"),
    ("Gemensam bygglovshandläggning", "bygglov"),
    ("Gemensam upphandling av hemtjänstsystem", "hemtjänst"),
    ("Samordnad färdtjänst", "färdtjänst"),
    ("Gemensam växel och kontaktcenter", "kontaktcenter"),
    ("Digital skolplattform", "skola"),
    ("Gemensam lönehantering", "lön"),
    ("Samverkan kring vatten och avlopp", "vatten"),
    ("Gemensam räddningstjänst", "räddning"),
    ("Regional överförmyndare", "överförmyndare"),
)
PHASES = ("idea", "prestudy", "implementation", "management")
SPLITS = (("shapley", "known"), ("scrb", "capacity"), ("shapley", "formula"))


def _region_rows(region: Organisation, count: int) -> list[ActivityRow]:
    from mellanrum.landscape.demo import DEMO_COLUMNS
    from mellanrum.landscape.spreadsheet import ActivityRow

    rng = random.Random(f"region-{region.code}")
    population = Decimal(region.population or 100_000)
    combos = [(task, area) for area in REGION_AREAS for task in REGION_TASKS]
    rows = []
    for number, (task, area) in enumerate(combos[:count], start=2):
        name, kind, per_inhabitant, per_1000, unit, lead = task
        share = Decimal(1) if not area else Decimal("0.2")
        factor = Decimal(str(round(rng.uniform(0.7, 1.3), 2)))
        rows.append(ActivityRow(
            row_number=number, organisation_code=region.code,
            key=f"nat-{number - 1:03d}", name=f"{name} – {area}" if area else name,
            description="", kind=kind, category="",
            annual_cost_sek=(population * per_inhabitant * share * factor).quantize(Decimal(1)),
            volume_per_year=max(Decimal(1), (population * per_1000 * share / 1000).quantize(
                Decimal(1))),
            volume_unit=unit, fte=None,
            lead_time_days=Decimal(lead) if lead is not None else None,
            legal_basis="", url="", systems=(), columns=DEMO_COLUMNS,
        ))
    return rows


def _agency_rows(agency: Organisation, count: int) -> list[ActivityRow]:
    from mellanrum.landscape.demo import DEMO_COLUMNS
    from mellanrum.landscape.spreadsheet import ActivityRow

    rng = random.Random(f"agency-{agency.code}")
    combos = [(task, area) for area in AGENCY_AREAS for task in AGENCY_TASKS]
    rows = []
    for number, ((name, kind), area) in enumerate(combos[:count], start=2):
        rows.append(ActivityRow(
            row_number=number, organisation_code=agency.code,
            key=f"nat-{number - 1:03d}", name=f"{name} – {area}", description="",
            kind=kind, category="",
            annual_cost_sek=Decimal(rng.randrange(2, 400) * 1_000_000),
            volume_per_year=Decimal(rng.randrange(100, 500_000)), volume_unit="ärenden",
            fte=None, lead_time_days=Decimal(rng.randrange(1, 120)), legal_basis="", url="",
            systems=(), columns=DEMO_COLUMNS,
        ))
    return rows


def grow_regions_and_agencies(per_org: int) -> None:
    from mellanrum.landscape import actions
    from mellanrum.landscape.models import Organisation

    started = time.monotonic()
    regions = Organisation.objects.filter(kind=Organisation.Kind.REGION).order_by("code")
    for region in regions:
        rows = _region_rows(region, min(per_org, len(REGION_TASKS) * len(REGION_AREAS)))
        actions.do_import_activities(region, rows, acting_user=None, illustrative=True)
    agencies = Organisation.objects.filter(kind=Organisation.Kind.STATE_AGENCY).order_by("code")
    for agency in agencies:
        count = max(1, min(per_org // 3, len(AGENCY_TASKS) * len(AGENCY_AREAS)))
        actions.do_import_activities(agency, _agency_rows(agency, count), acting_user=None,
                                     illustrative=True)
    print(f"{regions.count()} regions, {agencies.count()} agencies with activities in "
          f"{time.monotonic() - started:.0f} s", flush=True)


def create_users(count: int, seed: int) -> None:
    """``count`` users spread over the organisations, in one bulk insert.

    bulk_create skips ``User.save()``, so the normalised ``username_key`` is set here; the
    password hash is computed once and shared (same password), which is what keeps 10,000
    users to seconds instead of half an hour of PBKDF2.
    """
    from django.contrib.auth.hashers import make_password

    from mellanrum.core.models import User, normalise_username
    from mellanrum.landscape.models import Organisation

    started = time.monotonic()
    User.objects.filter(username__startswith="nat", username__regex=r"^nat[0-9]{5}$").delete()
    kinds = [Organisation.Kind.MUNICIPALITY, Organisation.Kind.REGION,
             Organisation.Kind.STATE_AGENCY]
    organisations = list(Organisation.objects.filter(kind__in=kinds).order_by("code"))
    weights = [max(1_000, o.population or 0) ** 0.5
               * (3 if o.kind != Organisation.Kind.MUNICIPALITY else 1) for o in organisations]
    rng = random.Random(f"users-{seed}")
    password = make_password(PASSWORD)
    users = []
    for n in range(1, count + 1):
        organisation = rng.choices(organisations, weights)[0]
        draw = rng.random()
        role = User.Role.ADMIN if draw < 0.05 else User.Role.EDITOR if draw < 0.35 \
            else User.Role.READER
        username = USERNAME % n
        users.append(User(username=username, username_key=normalise_username(username),
                          password=password, organisation=organisation, role=role,
                          first_name="Användare", last_name=f"{n}",
                          email=f"{username}@example.invalid"))
    User.objects.bulk_create(users, batch_size=1000)
    print(f"{count:,} users over {len({u.organisation_id for u in users})} organisations in "
          f"{time.monotonic() - started:.1f} s", flush=True)


def _editor(organisation: Organisation) -> User | None:
    from mellanrum.core.models import User

    return User.objects.filter(organisation=organisation, role=User.Role.EDITOR,
                               username__startswith="nat").order_by("username").first()


def create_initiatives(count: int, seed: int) -> None:
    from mellanrum.benefits.demo import add_demo_ledger
    from mellanrum.collaborations import actions
    from mellanrum.collaborations.consent_actions import do_answer_invitation
    from mellanrum.collaborations.models import Initiative, Partner
    from mellanrum.landscape.models import Organisation

    started = time.monotonic()
    rng = random.Random(f"initiatives-{seed}")
    municipalities = list(Organisation.objects.filter(
        kind=Organisation.Kind.MUNICIPALITY).order_by("code"))
    others = list(Organisation.objects.filter(
        kind__in=[Organisation.Kind.REGION, Organisation.Kind.STATE_AGENCY]).order_by("code"))
    created = 0
    for n in range(count):
        subject, _word = INITIATIVE_SUBJECTS[n % len(INITIATIVE_SUBJECTS)]
        lead = rng.choice(municipalities)
        title = f"{subject} – {lead.county_name or lead.name} ({n + 1})"
        if Initiative.objects.filter(title=title, is_illustrative=True).exists():
            continue
        # The same county's municipalities mostly, sometimes a region or an agency.
        near = [m for m in municipalities if m.county_code == lead.county_code and m != lead]
        pool = near if len(near) >= 6 else municipalities
        partners = rng.sample([m for m in pool if m != lead], rng.randint(2, 5))
        if rng.random() < 0.4:
            partners.append(rng.choice(others))
        start = datetime.date(rng.randint(2022, 2026), rng.randint(1, 11), rng.randint(1, 28))
        initiative = actions.do_create_initiative(
            acting_user=_editor(lead), lead=lead, illustrative=True, title=title,
            purpose=f"{subject}: kommunerna delar utveckling, drift och kunskap i stället för "
            "att bygga samma sak var för sig.",
            phase=rng.choice(PHASES), is_public=rng.random() < 0.8, start_date=start,
            end_date=None, citizen_value=rng.randint(1, 5), savings=rng.randint(1, 5),
            feasibility=rng.randint(1, 5), reach=rng.randint(1, 5),
            risk_level=rng.randint(1, 5),
        )
        for index, organisation in enumerate(partners):
            role = Partner.Role.OBSERVER if index == len(partners) - 1 and rng.random() < 0.3 \
                else Partner.Role.PARTNER
            partner = actions.do_add_partner(initiative, acting_user=_editor(lead),
                                             organisation=organisation, role=role)
            draw = rng.random()
            if draw < 0.8 or index == 0:  # the first partner always accepts, so someone pays
                do_answer_invitation(partner, acting_user=_editor(organisation), accept=True)
            elif draw < 0.9:
                do_answer_invitation(partner, acting_user=_editor(organisation), accept=False,
                                     reason="Vi prioriterar andra utvecklingsprojekt i år.")
            # otherwise the invitation is still waiting for an answer
        method, model = SPLITS[n % len(SPLITS)]
        add_demo_ledger(initiative, investment=rng.randrange(5, 40) * 100_000, start=start,
                        method=method, model=model)
        created += 1
    print(f"{created} initiatives with partners and ledgers in "
          f"{time.monotonic() - started:.0f} s", flush=True)


def draw_charts() -> None:
    """Draws the organisation and concept pages' charts, as the app does in the background
    after an analysis (``mellanrum/core/predraw.py``)."""
    from mellanrum.core.predraw import draw_page_charts

    started = time.monotonic()
    drawn = draw_page_charts()
    print(f"{drawn:,} chart pictures of organisation and concept pages drawn ahead in "
          f"{time.monotonic() - started:.0f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-org", type=int, default=150,
                        help="activities per municipality and region (agencies: a third)")
    parser.add_argument("--users-count", type=int, default=10_000)
    parser.add_argument("--initiatives", type=int, default=30)
    parser.add_argument("--seed", type=int, default=20)
    parser.add_argument("--no-analysis", action="store_true")
    parser.add_argument("--charts-only", action="store_true",
                        help="only draw the organisation and concept pages' charts ahead, as "
                        "after an analysis, into CHART_CACHE_DIR (for a database built before)")
    args = parser.parse_args()
    # This process draws the charts itself below; a background task queued by the analysis
    # would die with the process.
    os.environ["CHART_PREDRAW"] = "false"
    setup_django()
    started = time.monotonic()
    if args.charts_only:
        draw_charts()
        return
    grow_municipalities(args.per_org)
    grow_regions_and_agencies(args.per_org)
    create_users(args.users_count, args.seed)
    create_initiatives(args.initiatives, args.seed)
    if not args.no_analysis:
        run_analysis()
        draw_charts()
    print(f"national dataset built in {time.monotonic() - started:.0f} s", flush=True)


if __name__ == "__main__":
    main()
