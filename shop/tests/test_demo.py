"""shop/demo.py on a small 达依乡: a supermarket per village, goods in stock, some receipts."""

import random

import pytest

from people.models import Role, RoleAssignment
from shop import demo, selectors
from shop.models import Receipt, StockEntry, Supermarket
from shop.tests.factories import give_points

pytestmark = pytest.mark.django_db


def test_seed_runs_a_supermarket_per_village(town, other_town, alice):
    for household in town.households[:4]:
        give_points(household, 200)
    counts = demo.seed([town.township, other_town.township], random.Random(1))
    assert counts == {"达依乡": {"supermarkets": 2, "goods": 12, "receipts": 3}}
    markets = Supermarket.objects.filter(township=town.township).order_by("code")
    assert [m.code for m in markets] == ["DY01", "DY02"]
    assert [list(m.villages.all()) for m in markets] == [[v] for v in town.villages]
    names = {g.name for g in selectors.goods_with_stock(markets[0])}
    assert {"洗洁精", "洗衣粉", "牙膏", "脸盆"} <= names
    assert RoleAssignment.objects.filter(role=Role.KEEPER, unit__in=town.villages).count() == 2
    assert Receipt.objects.filter(township=town.township).count() == 3
    assert not StockEntry.objects.filter(township=other_town.township).exists()
    assert all(selectors.reconciliation(m, Receipt.objects.first().day)["ok"] for m in markets)
