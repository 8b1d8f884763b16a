"""Key figures for the demo: real values from the files Mellanrum ships, never invented.

No Kolada values are available offline, so the demo stores two real series under the Kolada KPI
that measures the same thing, each with its true source so that nothing is attributed to Kolada
that did not come from it: the population on 31 December 2024 (SCB, as published in Kolada's
N01951) and the municipal tax rate 2025 (Skatteverket; Kolada's N00901). A sync from Kolada
replaces them with Kolada's own values.
"""

from __future__ import annotations

import csv
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from mellanrum.landscape.reference import REFERENCE_DIR

from .models import KoladaValue

SERIES = [
    # (KPI, year, file, column, source)
    ("N01951", 2024, "population_municipalities_2024.csv", "population",
     "SCB, folkmängd 2024-12-31 (fil som följer med Mellanrum)"),
    ("N00901", 2025, "tax_rates_municipalities_2025.csv", "municipal_tax_rate_pct",
     "Skatteverket, skattesatser 2025 (fil som följer med Mellanrum)"),
]
SYNC_HINT = ("mellanrum kolada sync --kpi N01951 --kpi N00901 --kpi N15004 --year 2023 "
             "--year 2024")


@transaction.atomic
def do_load_demo_kpis() -> int:
    """Store the shipped real series; values already fetched from Kolada are left alone."""
    now = timezone.now()
    stored = 0
    for kpi, year, filename, column, source in SERIES:
        from_kolada = set(
            KoladaValue.objects.filter(kpi_id=kpi, year=year, gender="T", source="")
            .values_list("municipality_code", flat=True)
        )
        with (REFERENCE_DIR / filename).open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                code = row["municipality_code"]
                if code in from_kolada or not row[column].strip():
                    continue
                KoladaValue.objects.update_or_create(
                    kpi_id=kpi, municipality_code=code, year=year, gender="T",
                    defaults={"value": float(Decimal(row[column])), "status": "",
                              "source": source, "changed_at": now},
                )
                stored += 1
    return stored
