from __future__ import annotations

import pytest

from mellanrum.cli import DEMO_USERS
from mellanrum.core.access import can_edit_organisation
from mellanrum.core.models import User
from mellanrum.landscape.actions import do_load_reference_data
from mellanrum.landscape.demo import do_load_demo
from mellanrum.landscape.models import Activity, Organisation


@pytest.fixture
def demo(db: None) -> dict[str, int]:
    do_load_reference_data()
    return do_load_demo(users=DEMO_USERS)


def test_demo_covers_stockholm_county(demo: dict[str, int]) -> None:
    storsthlm = Organisation.objects.get(code="STORSTHLM")
    assert storsthlm.members.count() == 26
    for municipality in storsthlm.members.all():
        count = municipality.activities.count()
        assert 80 <= count <= 150, (municipality.name, count)
    assert Organisation.objects.get(code="01").activities.exists()  # Region Stockholm


def test_demo_is_labelled_illustrative(demo: dict[str, int]) -> None:
    assert Activity.objects.filter(is_illustrative=False).count() == 0
    assert Activity.objects.count() == demo["activities"]


def test_same_activity_is_named_differently_across_municipalities(demo: dict[str, int]) -> None:
    # Keys name the underlying activity; names vary as in real life.
    names_by_key: dict[str, set[str]] = {}
    for key, name in Activity.objects.filter(organisation__kind="municipality").values_list(
        "key", "name"
    ):
        names_by_key.setdefault(key, set()).add(name)
    varied = [k for k, names in names_by_key.items() if len(names) >= 2]
    assert len(varied) >= 0.5 * len(names_by_key)


def test_costs_follow_real_population(demo: dict[str, int]) -> None:
    from django.db.models import Sum

    def total(code: str) -> float:
        value = Activity.objects.filter(organisation__code=code).aggregate(s=Sum(
            "annual_cost_sek"))["s"]
        return float(value)

    # Stockholm (995 574 inhabitants) against Vaxholm (about 12 000).
    assert total("0180") > 20 * total("0187")


def test_demo_is_deterministic_and_rerunnable(demo: dict[str, int]) -> None:
    before = sorted(Activity.objects.values_list("organisation__code", "key", "name",
                                                 "annual_cost_sek"))
    again = do_load_demo(users=DEMO_USERS)
    after = sorted(Activity.objects.values_list("organisation__code", "key", "name",
                                                "annual_cost_sek"))
    assert again == demo
    assert before == after


def test_demo_logins_work(demo: dict[str, int]) -> None:
    demo_user = User.objects.get(username="demo")
    assert demo_user.check_password("mellanrum-demo")
    assert can_edit_organisation(demo_user, Organisation.objects.get(code="0182"))
    assert not can_edit_organisation(demo_user, Organisation.objects.get(code="0180"))


def test_demo_states_as_fact_only_what_is_certain(demo: dict[str, int]) -> None:
    from mellanrum.landscape.models import Arrangement

    fardtjanst = Arrangement.objects.filter(activity__key="demo-fardtjanst")
    assert fardtjanst.count() == 26  # Region Stockholm runs it for every county municipality
    assert set(fardtjanst.values_list("form", "partners__code", "is_illustrative")) == {
        ("region", "01", False)}
    others = Arrangement.objects.exclude(
        activity__key__in=["demo-fardtjanst", "demo-gymnasieval"])
    assert others.exists() and not others.filter(is_illustrative=False).exists()
