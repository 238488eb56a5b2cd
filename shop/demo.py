"""Demo data of points supermarkets for the demo townships (called by `seed_demo`).

达依乡 runs 11 supermarkets, one per village (000: 200,000 yuan for 11 supermarkets), with the
goods villagers exchange points for (004: dish soap, washing powder, toothpaste, wash basins).
Each is restocked from the township's supermarket fund, and a few households of each village
redeem from the balances the points demo gave them. dayi_keeper keeps 和平社区's supermarket;
the other villages get a keeper login each (no password: demo figures, not logins).
"""

import random
from decimal import Decimal

from django.db.models import Q

from people import services as people_services
from people.models import Role, RoleAssignment, User
from places.models import Household, Unit
from points import selectors as point_selectors

from . import services

TOWNSHIP = "达依乡"
CODE = "DY"
# name, unit, price in points, purchase cost per item in yuan, stock bought
GOODS = [
    ("洗洁精", "瓶", 10, "6.50", 40),
    ("洗衣粉", "袋", 15, "9.80", 40),
    ("牙膏", "支", 8, "5.20", 50),
    ("脸盆", "个", 30, "12.00", 15),
    ("肥皂", "块", 5, "2.50", 60),
    ("毛巾", "条", 12, "7.00", 30),
]
FUND = "乡积分超市专项资金"
HOURS = "每周六 9:00–17:00"
REDEEMERS_PER_VILLAGE = 3


def seed(townships: list[Unit], rng: random.Random) -> dict[str, dict[str, int]]:
    """Load the demo data; returns counts per township name, printed by `seed_demo`."""
    township = next((t for t in townships if t.name == TOWNSHIP), None)
    if township is None:
        return {}
    secretary = _holder(township, Role.TOWNSHIP_SECRETARY)
    villages = list(
        Unit.objects.filter(
            township=township, kind__in=(Unit.Kind.VILLAGE, Unit.Kind.COMMUNITY)
        ).order_by("path")
    )
    counts = {"supermarkets": 0, "goods": 0, "receipts": 0}
    for number, village in enumerate(villages, start=1):
        keeper = _keeper(village, number)
        market = services.create_supermarket(
            unit=village,
            code=f"{CODE}{number:02d}",
            name=f"{village.name}积分超市",
            opening_hours=HOURS,
            address=f"{village.name}村委会一楼",
            actor=secretary,
        )
        counts["supermarkets"] += 1
        goods = []
        for name, unit, price, cost, stock in GOODS:
            item = services.create_goods(
                supermarket=market, name=name, unit=unit, price=price, actor=secretary
            )
            services.restock(
                goods=item,
                quantity=stock,
                cost_yuan=Decimal(cost) * stock,
                fund=FUND,
                actor=keeper,
            )
            goods.append(item)
            counts["goods"] += 1
        counts["receipts"] += _redeem_some(market, village, goods, keeper, rng)
    return {TOWNSHIP: counts}


def _holder(township: Unit, role: str) -> User | None:
    assignment = (
        RoleAssignment.objects.filter(unit=township, role=role).select_related("user").first()
    )
    return assignment.user if assignment else None


def _keeper(village: Unit, number: int) -> User:
    existing = (
        RoleAssignment.objects.filter(unit=village, role=Role.KEEPER).select_related("user").first()
    )
    if existing is not None:
        return existing.user
    user = User.objects.create_user(
        username=f"dayi_keeper_{number:02d}", password=None, name=f"{village.name}超市管理员"
    )
    people_services.assign_role(
        user=user,
        role=Role.KEEPER,
        unit=village,
        actor=None,
        authority=f"{TOWNSHIP}积分超市管理员聘任",
    )
    return user


def _redeem_some(market, village, goods, keeper, rng: random.Random) -> int:
    households = list(Household.objects.filter(Q(group__village=village)).order_by("number")[:40])
    rng.shuffle(households)
    made = 0
    for household in households:
        if made >= REDEEMERS_PER_VILLAGE:
            break
        balance = point_selectors.balance(household)
        affordable = [g for g in goods if g.price * 2 <= balance // 3]
        if not affordable:
            continue
        chosen = rng.sample(affordable, min(len(affordable), rng.randint(1, 2)))
        services.redeem(
            supermarket=market,
            household=household,
            lines={g.pk: 1 for g in chosen},
            actor=keeper,
        )
        made += 1
    return made
