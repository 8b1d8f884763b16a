"""The concept page reads its members as plain values and writes their cells itself: the same
HTML as the models and templates wrote, and never stale in the shared page cache."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.template import Context, Template
from django.test import Client
from django.utils import translation

from mellanrum.commonality import actions, analysis
from mellanrum.commonality.analysis import Scope
from mellanrum.commonality.concept_views import (
    _arrangement_cell,
    _arrangements,
    _members_with_systems,
)
from mellanrum.commonality.models import Concept, Membership
from mellanrum.conftest import PageCacheHits
from mellanrum.core.models import User
from mellanrum.landscape.models import Activity, Arrangement, Organisation

from .conftest import login

# The template that wrote the cell before (commonality/_arrangement_cell.html), kept here to
# prove the Python that replaced it writes the same.
OLD_CELL = Template(
    '{% load i18n %}{% if r %}<span class="arrangement-symbol" aria-hidden="true">{{ r.symbol }}'
    "</span> {{ r.get_form_display }}{% for p in r.partners.all %}"
    "{% if forloop.first %} ({% endif %}"
    "{{ p.short_name|default:p.name }}{% if forloop.last %}){% else %}, {% endif %}{% endfor %}"
    '{% if r.end_date %} – {% blocktranslate with date=r.end_date|date:"Y-m-d" %}until {{ date }}'
    '{% endblocktranslate %}{% endif %}{% if r.is_illustrative %} <span class="badge">'
    '{% translate "illustrative" %}</span>{% endif %}{% else %}{% translate "Not recorded" %}'
    "{% endif %}")


def _concept(activity: Activity) -> Concept:
    return Membership.objects.get(activity=activity, concept__run=analysis.current_run()).concept


@pytest.mark.parametrize("language", ["sv", "en"])
def test_the_arrangement_cell_is_the_same_as_the_template_wrote(
    landscape: dict[str, Activity], alfa: Organisation, beta: Organisation, alice: User,
    language: str,
) -> None:
    gamma = Organisation.objects.create(code="9999", name="Gamma & <Delta> kommun",
                                        kind=Organisation.Kind.MUNICIPALITY)
    alfa.short_name = "Alfa"
    alfa.save()
    cases: list[tuple[Activity, dict[str, Any], list[Organisation]]] = [
        (landscape["alfa_bygglov"], {"form": "egen"}, []),
        (landscape["beta_bygglov"], {"form": "bolag", "end_date": date(2027, 3, 9),
                                     "is_illustrative": True}, [gamma, alfa]),
        (landscape["alfa_hemtjanst"], {"form": "kommunalforbund", "is_illustrative": True},
         [beta]),
        (landscape["beta_hemtjanst"], {"form": "okänd", "end_date": date(999, 1, 2)}, []),
    ]
    for activity, fields, partners in cases:
        arrangement = Arrangement.objects.create(activity=activity, **fields)
        arrangement.partners.set(partners)
    actions.do_run_analysis(Scope.of(), acting_user=alice)
    with translation.override(language):
        forms = {value: str(label) for value, label in Arrangement.Form.choices}
        for activity, _fields, _partners in cases:
            found = _arrangements(_concept(activity))[activity.pk]
            old = OLD_CELL.render(Context({"r": Arrangement.objects.get(activity=activity)}))
            assert _arrangement_cell(found, forms) == old.strip()


def test_members_as_values_have_what_the_models_had(
    landscape: dict[str, Activity], alice: User,
) -> None:
    landscape["alfa_hemtjanst"].fte = Decimal("12.5")
    landscape["alfa_hemtjanst"].save()
    actions.do_run_analysis(Scope.of(), acting_user=alice)
    for concept in Concept.objects.filter(run=analysis.current_run()):
        members = _members_with_systems(concept)
        memberships = list(concept.memberships.select_related("activity__organisation"))
        assert [m.activity_id for m in members] == [m.activity_id for m in memberships]
        for member, membership in zip(members, memberships, strict=True):
            got, want = member.activity, membership.activity
            assert (member.confidence, member.evidence) == (membership.confidence,
                                                            membership.evidence)
            for name in ("pk", "name", "annual_cost_sek", "volume_per_year", "volume_unit", "fte",
                         "lead_time_days", "lead_time_note", "cost_per_inhabitant",
                         "cost_per_case"):
                assert getattr(got, name) == getattr(want, name), name
            for name in ("pk", "code", "name", "population"):
                assert getattr(got.organisation, name) == getattr(want.organisation, name)
            assert member.systems_text == ", ".join(
                want.systems.order_by("product", "vendor").values_list("product", flat=True))


def test_a_kept_concept_page_shows_every_change_of_what_it_shows(
    client: Client, landscape: dict[str, Activity], alfa: Organisation, alice: User,
    hits: PageCacheHits,
) -> None:
    actions.do_run_analysis(Scope.of(), acting_user=alice)
    login(client, alice)
    url = _concept(landscape["alfa_hemtjanst"]).get_absolute_url()
    assert client.get(url).status_code == 200 and not hits()
    assert client.get(url).status_code == 200 and hits()

    # A description is not shown: the page stays kept.
    Activity.objects.filter(pk=landscape["beta_hemtjanst"].pk).update(description="Ny text")
    client.get(url)
    assert hits()

    # The cost, the population, an organisation's name, an arrangement: each shows at once.
    Activity.objects.filter(pk=landscape["beta_hemtjanst"].pk).update(
        annual_cost_sek=Decimal(41_234_000), volume_per_year=Decimal(1000))
    page = client.get(url).content.decode()
    assert not hits() and "41\xa0234" in page
    alfa.name = "Alfa nya kommun"
    alfa.save()
    page = client.get(url).content.decode()
    assert not hits() and "Alfa nya kommun" in page
    arrangement = Arrangement.objects.create(activity=landscape["alfa_hemtjanst"], form="bolag")
    page = client.get(url).content.decode()
    assert not hits() and '<span class="arrangement-symbol" aria-hidden="true">B</span>' in page
    partner = Organisation.objects.create(code="8888", name="Bolagsägaren",
                                          kind=Organisation.Kind.MUNICIPALITY)
    arrangement.partners.add(partner)
    page = client.get(url).content.decode()
    assert not hits() and "(Bolagsägaren)" in page
    Organisation.objects.filter(pk=partner.pk).update(short_name="Ägaren")
    page = client.get(url).content.decode()
    assert not hits() and "(Ägaren)" in page
