"""Supermarkets with goods and stock, and points to spend, built through the services."""

import datetime
from decimal import Decimal

from django.db import transaction

from points import services as points
from shop import services

GOODS = [("洗洁精", "瓶", 20), ("洗衣粉", "袋", 30), ("牙膏", "支", 15), ("脸盆", "个", 50)]


def build_supermarket(village, *, code="T01", actor=None, stock=10, goods=GOODS, villages=None):
    """A village supermarket with the goods above, each restocked with `stock` items."""
    market = services.create_supermarket(
        unit=village, code=code, name=f"{village.name}积分超市", actor=actor, villages=villages
    )
    for name, unit, price in goods:
        item = services.create_goods(
            supermarket=market, name=name, unit=unit, price=price, actor=actor
        )
        if stock:
            services.restock(
                goods=item,
                quantity=stock,
                cost_yuan=Decimal(stock * price) / 10,
                fund="村集体经济",
                actor=actor,
            )
    return market


def give_points(household, amount, actor=None):
    """An award straight into the ledger (the review workflow is points' business)."""
    with transaction.atomic():
        return points.append(
            village=household.group.village,
            household=household,
            kind="award",
            amount=amount,
            period=datetime.date.today(),
            proposed_by=actor,
            approved_by=actor,
            note="测试积分",
        )
