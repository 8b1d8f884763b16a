"""The whole demo scenario across apps: landscape, life events, commonality, collaborations.

Each app owns its part (landscape/demo.py, the journeys catalogue, the commonality analysis,
collaborations/demo.py); this module only runs them in the order their data depends on.
"""

from __future__ import annotations

from mellanrum.collaborations.consent_demo import do_load_demo_consent
from mellanrum.collaborations.demo import do_load_demo_initiatives
from mellanrum.collaborations.models import Initiative
from mellanrum.collaborations.workshop_demo import do_load_demo_workshop
from mellanrum.commonality.actions import do_run_analysis
from mellanrum.commonality.analysis import Scope
from mellanrum.community.demo import do_load_demo_community
from mellanrum.health.demo import do_load_demo_health
from mellanrum.journeys.actions import do_load_catalogue
from mellanrum.kolada.demo import do_load_demo_kpis
from mellanrum.landscape.actions import do_load_reference_data
from mellanrum.landscape.counts import catalogue_counts
from mellanrum.landscape.demo import do_load_demo
from mellanrum.landscape.models import Activity

DemoUser = tuple[str, str, str, str, bool]


def do_load_full_demo(users: list[DemoUser]) -> dict[str, int]:
    """Load or refresh everything the demo shows; running it twice gives the same data."""
    do_load_reference_data()
    summary = do_load_demo(users=users)
    do_load_catalogue()
    run = do_run_analysis(Scope(), acting_user=None)
    summary["shared_concepts"] = run.shared_concept_count
    do_load_demo_initiatives()
    do_load_demo_consent()
    do_load_demo_workshop()
    summary["health_rounds"] = do_load_demo_health()
    community = do_load_demo_community()
    summary["networks"], summary["events"] = community["networks"], community["events"]
    summary["kpi_values"] = do_load_demo_kpis()
    # Counted as the start page counts them: every activity, and the organisations that
    # describe at least one (the life-event catalogue adds national agencies).
    counts = catalogue_counts()
    summary["organisations"] = counts["with_activities"]
    summary["activities"] = counts["activities"]
    summary["initiatives"] = Initiative.objects.filter(is_illustrative=True).count()
    summary["illustrative_activities"] = Activity.objects.filter(is_illustrative=True).count()
    return summary
