"""An initiative's page and ledger are kept once for every outsider with the same role
(``cached_page(shared=outsider)``, core/page_cache.py): each still gets its own account menu,
CSRF token and chart signatures, and a partner never gets the outsiders' page."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from mellanrum.collaborations import actions
from mellanrum.collaborations.models import Initiative
from mellanrum.conftest import PageCacheHits, _user
from mellanrum.core import page_cache
from mellanrum.core.models import User
from mellanrum.landscape.models import Organisation

from .conftest import login


@pytest.fixture
def public(alice: User, alfa: Organisation) -> Initiative:
    return actions.do_create_initiative(
        acting_user=alice, lead=alfa, title="Öppen e-tjänst för bygglov",
        purpose="En ingång för alla.", is_public=True, phase="idea",
        citizen_value=4, savings=3, feasibility=3, reach=4, risk_level=2,
    )


@pytest.fixture
def delta(db: None) -> Organisation:
    return Organisation.objects.create(code="9904", name="Delta kommun", kind="municipality")


def _page(user: User, url: str) -> str:
    return login(Client(), user).get(url).content.decode()


def _without_tokens(html: str) -> str:
    return re.sub(r'value="[A-Za-z0-9]{64}"', 'value="TOKEN"', html)


def test_outsiders_share_the_page_each_with_their_own_menu(
        public: Initiative, dave: User, delta: Organisation, settings: object,
        hits: PageCacheHits) -> None:
    frank = _user("frank", delta, "editor")  # another outsider with the same role
    url = public.get_absolute_url()
    first = _page(dave, url)
    assert not hits()
    second = _page(frank, url)
    assert hits()
    assert "frank" in second and "Delta kommun" in second and "dave" not in second
    assert "dave" in first and "Gamma kommun" in first
    settings.PAGE_CACHE = False  # type: ignore[attr-defined]
    assert _without_tokens(second) == _without_tokens(_page(frank, url))


def test_a_partner_or_another_role_never_gets_the_outsiders_page(
        public: Initiative, dave: User, erin: User, beta: Organisation, alice: User,
        gamma: Organisation, delta: Organisation, hits: PageCacheHits) -> None:
    from django.test import RequestFactory

    from mellanrum.collaborations.views import outsider

    actions.do_add_partner(public, acting_user=alice, organisation=beta, role="partner")
    gustav = _user("gustav", gamma, "reader")  # an outsider, but a reader
    frank = _user("frank", delta, "editor")  # an outsider editor, as dave
    url = public.get_absolute_url()
    _page(dave, url)
    hits.clear()
    _page(gustav, url)
    assert not hits()
    _page(erin, url)  # a reader of a partner
    assert not hits()
    _page(frank, url)
    assert hits()
    request = RequestFactory().get(url)
    for user, kind in ((erin, None), (alice, None), (dave, ("outsider", "editor", False))):
        request.user = user
        assert outsider(request, public.pk) == kind
    # Once Gamma is invited, dave sees the invitation he may answer.
    actions.do_add_partner(public, acting_user=alice, organisation=gamma, role="partner")
    request.user = dave
    assert outsider(request, public.pk) is None
    page = _page(dave, url)
    assert not hits()
    assert 'id="invitation"' in page and 'value="9903"' in page


def test_a_page_that_names_the_outsider_is_not_shared(
        public: Initiative, dave: User, delta: Organisation, alice: User,
        hits: PageCacheHits) -> None:
    actions.do_add_steering_member(public, acting_user=alice, name="dave",
                                   organisation=delta, role="")
    frank = _user("frank", delta, "editor")
    url = public.get_absolute_url()
    _page(dave, url)  # names "dave" beside his own account menu: not kept for outsiders
    hits.clear()
    assert "frank" in _page(frank, url)
    assert not hits()


def test_private_chart_addresses_are_signed_for_each_viewer(
        dave: User, delta: Organisation) -> None:
    from django.test import RequestFactory

    frank = _user("frank", delta, "editor")
    key = "ab" * 32
    body = f'<img src="/diagram/{key}.svg?a={page_cache._SIGNATURE}">{page_cache.ACCOUNT}'
    request = RequestFactory().get("/")
    request.user = frank
    personal = page_cache._personal(request, body)
    token = re.search(rf"/diagram/{key}\.svg\?a=([^\"]+)", personal).group(1)  # type: ignore[union-attr]
    assert token.startswith(f"{frank.pk}:")
    assert "frank" in personal


def test_users_who_see_only_public_initiatives_share_the_portfolio(
        initiative: Initiative, public: Initiative, dave: User, delta: Organisation,
        settings: object, hits: PageCacheHits) -> None:
    frank = _user("frank", delta, "editor")  # neither Gamma nor Delta takes part in any
    first = _page(dave, "/samverkan/")
    assert not hits()
    second = _page(frank, "/samverkan/")
    assert hits()
    assert public.title in second and initiative.title not in second
    assert "frank" in second and "dave" not in second and "dave" in first
    settings.PAGE_CACHE = False  # type: ignore[attr-defined]
    assert _without_tokens(second) == _without_tokens(_page(frank, "/samverkan/"))


def test_a_partner_of_a_public_initiative_keeps_its_own_portfolio(
        public: Initiative, alice: User, hits: PageCacheHits) -> None:
    # Alfa leads the public initiative, so its name is on the page: shared, the page cache's
    # safeguard would keep it for nobody.
    _page(alice, "/samverkan/")
    hits.clear()
    assert "alice" in _page(alice, "/samverkan/")
    assert hits()


def test_a_partner_of_a_private_initiative_gets_its_own_portfolio(
        initiative: Initiative, public: Initiative, dave: User, erin: User, beta: Organisation,
        gamma: Organisation, superuser: User, hits: PageCacheHits) -> None:
    _page(dave, "/samverkan/")
    hits.clear()
    page = _page(_user("gustav", gamma, "editor"), "/samverkan/")  # as dave: shared
    assert hits() and initiative.title not in page
    page = _page(erin, "/samverkan/")  # Beta takes part in the private initiative
    assert not hits() and initiative.title in page
    page = _page(erin, "/samverkan/")  # kept for her alone
    assert hits() and "erin" in page
    page = _page(_user("hanna", beta, "reader"), "/samverkan/")
    assert not hits() and "hanna" in page  # ("erin" is in "prioriteringspoäng")
    _page(_user("ivar", gamma, "reader"), "/samverkan/")  # a reader sees no "new" button
    assert not hits()
    page = _page(superuser, "/samverkan/")  # sees the private one without taking part
    assert not hits() and initiative.title in page
    # Once Gamma takes part in the private initiative, dave no longer gets the shared page.
    actions.do_add_partner(initiative, acting_user=superuser, organisation=gamma,
                           role="partner")
    page = _page(dave, "/samverkan/")
    assert not hits() and initiative.title in page
