"""Fixtures of the supermarket tests: a keeper per village, a stocked supermarket, points."""

import pytest

from conftest import _persona
from shop.tests.factories import build_supermarket, give_points


@pytest.fixture
def kim(town):
    """Keeper of the first village's supermarket."""
    return _persona("kim", "keeper", unit=town.villages[0])


@pytest.fixture
def ken(town):
    """Keeper of the second village's supermarket."""
    return _persona("ken", "keeper", unit=town.villages[1])


@pytest.fixture
def market(town, alice):
    return build_supermarket(town.villages[0], code="DY01", actor=alice)


@pytest.fixture
def market2(town, alice):
    return build_supermarket(town.villages[1], code="DY02", actor=alice)


@pytest.fixture
def goods(market):
    return {g.name: g for g in market.goods.all()}


@pytest.fixture
def rich(town):
    """households[0] (dave's, village 0) with 100 points, households[1] with 40."""
    give_points(town.households[0], 100)
    give_points(town.households[1], 40)
    return town.households[0]


@pytest.fixture
def sam(town):
    """Township supervisor: sees the supermarkets, may not sell, stock or void."""
    return _persona("sam", "supervisor", unit=town.township)


@pytest.fixture
def sold(market, goods, kim, rich):
    """A receipt of kim's counter for dave's household."""
    from shop import services

    return services.redeem(
        supermarket=market, household=rich, lines={goods["洗洁精"].pk: 1}, actor=kim
    )
