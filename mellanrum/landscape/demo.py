"""Load the demo scenario: Stockholm County's 26 municipalities, Region Stockholm and Storsthlm.

Every activity, cost, volume, system and contact person created here is illustrative, generated
deterministically by `demo_catalogue`, and flagged `is_illustrative` so the UI labels it.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction

from mellanrum.core.models import User

from . import actions
from .demo_catalogue import DemoActivity, demo_catalogue, demo_contacts
from .models import Activity, Contact, Organisation
from .spreadsheet import ActivityRow
from .spreadsheet.columns import FIELDS

STOCKHOLM_COUNTY = "01"
ASSOCIATION_CODE = "STORSTHLM"

# A few of Region Stockholm's tasks that citizens meet, for journeys across the county border.
REGION_ACTIVITIES: list[dict[str, Any]] = [
    {"key": "demo-vardcentral", "name": "Lista dig på en vårdcentral", "kind": "eservice",
     "per_inhabitant": 40, "volume_per_1000": 60, "unit": "listningar", "lead": 1},
    {"key": "demo-fardtjanst", "name": "Ansök om färdtjänst", "kind": "service",
     "per_inhabitant": 450, "volume_per_1000": 4, "unit": "beslut", "lead": 28},
    {"key": "demo-habilitering", "name": "Habilitering för barn och vuxna", "kind": "service",
     "per_inhabitant": 300, "volume_per_1000": 5, "unit": "brukare", "lead": 60},
    {"key": "demo-hjalpmedel", "name": "Hjälpmedel – förskrivning", "kind": "service",
     "per_inhabitant": 180, "volume_per_1000": 20, "unit": "förskrivningar", "lead": 21},
    {"key": "demo-sl-kort", "name": "Kollektivtrafik – periodbiljett", "kind": "eservice",
     "per_inhabitant": 2500, "volume_per_1000": 300, "unit": "biljetter", "lead": None},
    {"key": "demo-1177", "name": "1177 – sjukvårdsrådgivning", "kind": "service",
     "per_inhabitant": 60, "volume_per_1000": 250, "unit": "samtal", "lead": None},
]


# Arrangements the demo states as facts, from public knowledge (see docs/commonality.md):
# Region Stockholm runs färdtjänst for all 26 municipalities of the county, and upper-secondary
# admission is done jointly for the county's municipalities through Storsthlm.
CERTAIN_ARRANGEMENTS = {"demo-fardtjanst": "region", "demo-gymnasieval": "association"}
# Illustrative ones, to show partly joint concepts and contracts ending (not facts):
# (activity key, form, every n-th municipality by code, offset, end year or None).
ILLUSTRATIVE_ARRANGEMENTS = [
    ("demo-lonehantering", "avtalssamverkan", 4, 0, 2028),
    ("demo-e-tjansteplattform", "upphandlad", 3, 1, 2027),
    ("demo-it-drift", "upphandlad", 3, 2, 2028),
    ("demo-raddningstjanst", "kommunalforbund", 2, 0, None),
    ("demo-overformyndare", "gemensam_namnd", 5, 2, None),
]


def _load_arrangements(municipalities: list[Organisation], region: Organisation,
                       association: Organisation) -> int:
    activities = {
        (a.organisation_id, a.key): a
        for a in Activity.objects.filter(organisation__in=municipalities)
    }
    count = 0
    for key, partner in CERTAIN_ARRANGEMENTS.items():
        for organisation in municipalities:
            activity = activities.get((organisation.pk, key))
            if activity is None:
                continue
            if partner == "region":
                actions.do_set_arrangement(activity, acting_user=None, form="region",
                                           partners=[region])
            else:
                actions.do_set_arrangement(activity, acting_user=None, form="avtalssamverkan",
                                           partners=[association])
            count += 1
    for key, form, every, offset, end_year in ILLUSTRATIVE_ARRANGEMENTS:
        chosen = [o for n, o in enumerate(municipalities) if n % every == offset]
        for n, organisation in enumerate(chosen):
            activity = activities.get((organisation.pk, key))
            if activity is None:
                continue
            partners: list[Organisation] = []
            if form in {"avtalssamverkan", "kommunalforbund", "gemensam_namnd"}:
                partners = [o for o in chosen if o.pk != organisation.pk][:3]
            end = datetime.date(end_year, 1 + (n * 5) % 12, 28) if end_year else None
            actions.do_set_arrangement(
                activity, acting_user=None, form=form, partners=partners,
                start_date=datetime.date(2021, 1, 1), end_date=end, illustrative=True,
            )
            count += 1
    return count


# The demo catalogue has no owners: the community demo appoints them, and loading the demo
# again must not take them away (nor raise the activities' versions).
DEMO_COLUMNS = frozenset(FIELDS) - {"owner"}


def _row(number: int, item: DemoActivity, code: str) -> ActivityRow:
    return ActivityRow(
        row_number=number,
        organisation_code=code,
        key=item.key,
        name=item.name,
        description=item.description,
        kind=item.kind,
        category=item.category_code,
        annual_cost_sek=item.annual_cost_sek,
        volume_per_year=item.volume_per_year,
        volume_unit=item.volume_unit,
        fte=item.fte,
        lead_time_days=item.lead_time_days,
        legal_basis=item.legal_basis,
        url="",
        systems=tuple(item.systems),
        columns=DEMO_COLUMNS,
    )


def _region_rows(region: Organisation) -> list[ActivityRow]:
    population = Decimal(region.population or 0)
    rows = []
    for number, item in enumerate(REGION_ACTIVITIES, start=2):
        rows.append(
            ActivityRow(
                row_number=number,
                organisation_code=region.code,
                key=item["key"],
                name=item["name"],
                description="",
                kind=item["kind"],
                category="",
                annual_cost_sek=(population * item["per_inhabitant"]).quantize(Decimal(1)),
                volume_per_year=(population * item["volume_per_1000"] / 1000).quantize(
                    Decimal(1)
                ),
                volume_unit=item["unit"],
                fte=None,
                lead_time_days=Decimal(item["lead"]) if item["lead"] is not None else None,
                legal_basis="",
                url="",
                systems=(),
                columns=DEMO_COLUMNS,
            )
        )
    return rows


def _load_contacts(organisation: Organisation) -> None:
    for contact in demo_contacts(organisation.code, organisation.short_name or organisation.name):
        Contact.objects.update_or_create(
            organisation=organisation,
            email=contact.email,
            defaults={"name": contact.name, "role": contact.role, "is_illustrative": True},
        )


@transaction.atomic
def do_load_demo(users: list[tuple[str, str, str, str, bool]]) -> dict[str, int]:
    """Create or refresh the demo scenario. Running it twice gives the same data."""
    municipalities = list(
        Organisation.objects.filter(
            kind=Organisation.Kind.MUNICIPALITY, county_code=STOCKHOLM_COUNTY
        ).order_by("code")
    )
    region = Organisation.objects.get(kind=Organisation.Kind.REGION, code=STOCKHOLM_COUNTY)
    association, _created = Organisation.objects.update_or_create(
        code=ASSOCIATION_CODE,
        defaults={
            "name": "Storsthlm",
            "short_name": "Storsthlm",
            "kind": Organisation.Kind.ASSOCIATION,
            "county_code": STOCKHOLM_COUNTY,
            "county_name": region.county_name,
            "description": "Storsthlm är kommunförbundet för de 26 kommunerna i Stockholms län.",
            "source": "Demoscenario",
        },
    )
    association.members.set(municipalities)

    activities = 0
    for organisation in municipalities:
        _load_contacts(organisation)
        catalogue = demo_catalogue(organisation.code, organisation.population or 0)
        rows = [_row(n, item, organisation.code) for n, item in enumerate(catalogue, start=2)]
        actions.do_import_activities(organisation, rows, acting_user=None, illustrative=True)
        activities += len(rows)
    region_rows = _region_rows(region)
    actions.do_import_activities(region, region_rows, acting_user=None, illustrative=True)
    activities += len(region_rows)
    _load_arrangements(municipalities, region, association)

    for username, password, code, role, superuser in users:
        user = User.objects.filter(username=username).first() or User(username=username)
        user.organisation = Organisation.objects.get(code=code) if code else None
        user.role = role
        user.is_superuser = user.is_staff = superuser
        user.set_password(password)
        user.save()
    return {"organisations": len(municipalities) + 2, "activities": activities}
