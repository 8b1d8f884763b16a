"""Grow a demo database to 290 municipalities × 150 activities (43,500) for the load test.

    DB_NAME=/tmp/x.sqlite3 mellanrum demo && DB_NAME=/tmp/x.sqlite3 python bench/load/scale.py

Runs after ``mellanrum demo`` on the database configured by the environment (``DB``,
``DB_NAME``, ... as for the app). Every one of the 290 municipalities in the reference data gets
exactly 150 illustrative activities from the demo generator (``landscape.demo_catalogue``,
seeded by the municipality code, so the result is the same on every run and machine), imported
through the same ``do_import_activities`` as a spreadsheet, one transaction per municipality.
The 26 Stockholm County municipalities keep their demo keys, so their activities are updated in
place and the demo logins, life events and collaborations stay as they were. Then the
commonality analysis runs over everything.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mellanrum.settings")
    import django

    django.setup()


def grow_municipalities(per_org: int) -> None:
    """Gives every municipality exactly ``per_org`` illustrative activities (after
    :func:`setup_django`)."""
    from mellanrum.landscape import actions
    from mellanrum.landscape.demo import _row
    from mellanrum.landscape.demo_catalogue import demo_catalogue
    from mellanrum.landscape.models import Activity, Organisation

    started = time.monotonic()
    municipalities = Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY)
    for n, organisation in enumerate(municipalities.order_by("code"), start=1):
        catalogue = demo_catalogue(organisation.code, organisation.population or 1,
                                   count=per_org)
        rows = [_row(i, item, organisation.code) for i, item in enumerate(catalogue, start=2)]
        actions.do_import_activities(organisation, rows, acting_user=None, illustrative=True)
        if n % 50 == 0:
            print(f"  {n} municipalities, {time.monotonic() - started:.0f} s", flush=True)
    in_municipalities = Activity.objects.filter(
        organisation__kind=Organisation.Kind.MUNICIPALITY
    )
    print(f"{municipalities.count()} municipalities, {in_municipalities.count():,} activities "
          f"({Activity.objects.count():,} in all) in {time.monotonic() - started:.0f} s",
          flush=True)


def run_analysis() -> None:
    """Reruns the commonality analysis over everything, as after an import."""
    from mellanrum.commonality.actions import do_run_analysis
    from mellanrum.commonality.analysis import Scope

    run = do_run_analysis(Scope(), acting_user=None)
    print(f"analysis: {run.status}, {run.concept_count:,} concepts "
          f"({run.shared_concept_count:,} shared) in {run.seconds} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-org", type=int, default=150)
    parser.add_argument("--no-analysis", action="store_true")
    args = parser.parse_args()
    setup_django()
    grow_municipalities(args.per_org)
    if not args.no_analysis:
        run_analysis()


if __name__ == "__main__":
    main()
