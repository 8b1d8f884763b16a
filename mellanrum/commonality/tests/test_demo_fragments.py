"""The demo analysis keeps the same thing under one concept, whatever each municipality calls it."""

from __future__ import annotations

from mellanrum.cli import DEMO_USERS
from mellanrum.commonality import actions, analysis
from mellanrum.commonality.analysis import Scope
from mellanrum.commonality.models import AnalysisRun, Membership
from mellanrum.landscape.actions import do_load_reference_data
from mellanrum.landscape.demo import do_load_demo

# Names a process leader saw split into several concepts (issue 15). Each tuple is one activity.
SAME_THING = [
    ("Orosanmälan", "Anmälan om barn som far illa"),
    ("Arkivering", "Arkivhantering", "Arkivförvaltning"),
    ("Adressättning", "Adressnummer – ansökan"),
    ("Anhörigstöd", "Anhörigvårdare – stöd"),
    ("Avtalsuppföljning", "Avtalsförvaltning"),
    ("Lönehantering", "Löneadministration", "Lön och ersättningar", "Lönecenter", "Löneprocessen"),
]


def _concepts_of(name: str) -> set[int]:
    return set(
        Membership.objects.filter(
            activity__name=name, concept__run=analysis.current_run()
        ).values_list("concept_id", flat=True)
    )


def test_the_demo_analysis_keeps_each_activity_whole_and_temporary_permits_apart(
    db: None,
) -> None:
    # One test, because loading the demo and analysing it takes about ten seconds.
    do_load_reference_data()
    do_load_demo(users=DEMO_USERS)
    run = actions.do_run_analysis(Scope.of(), acting_user=None)
    assert run.status == AnalysisRun.Status.DONE, run.message
    split = {}
    for names in SAME_THING:
        found = {name: _concepts_of(name) for name in names}
        assert all(found.values()), f"a name is missing from the demo: {found}"
        if len(set().union(*found.values())) != 1:
            split[names[0]] = found
    assert not split, split
    temporary = _concepts_of("Tillfälligt serveringstillstånd")
    regular = _concepts_of("Serveringstillstånd")
    assert temporary and regular
    assert temporary.isdisjoint(regular)
