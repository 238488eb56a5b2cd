"""Many keepers at many counters at once, then a bank-style check of every sum.

`build_world` makes a township whose households have few points and whose supermarkets have
scarce goods; `run` lets `workers` threads (each with its own database connection) make random
redemptions (each under a fresh Idempotency-Key), retries of earlier keys (some still in flight
in another thread) and voids; `problems` recomputes every balance, stock and total from the
receipts and returns what does not add up (an empty list when all is well).

Used by test_concurrency.py on PostgreSQL (in-process) and on SQLite through
`python -m shop.tests.stress <workers> <ops>` against a migrated file database (the in-memory
test database cannot be shared between connections).
"""

import random
import sys
import threading
import traceback
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Sum

EXPECTED = {"insufficient_points", "out_of_stock", "already_void"}


@dataclass
class World:
    township: object
    households: list
    markets: list  # (supermarket, keeper, [goods])
    start_points: dict = field(default_factory=dict)
    restocked: dict = field(default_factory=dict)


def build_world(name: str = "压力乡", points_each: int = 120, stock: int = 6) -> World:
    from conftest import _persona
    from places.tests.factories import build_township
    from shop import services
    from shop.tests.factories import give_points

    town = build_township(name=name, per_joint=2)
    admin = _persona(f"{name}-admin", "township_secretary", unit=town.township)
    world = World(town.township, list(town.households), [])
    for index, village in enumerate(town.villages):
        keeper = _persona(f"{name}-keeper{index}", "keeper", unit=village)
        market = services.create_supermarket(
            unit=village, code=f"S{index}", name=f"{village.name}超市", actor=admin
        )
        goods = []
        for gname, price in (("洗洁精", 20), ("牙膏", 15), ("脸盆", 50)):
            item = services.create_goods(
                supermarket=market, name=gname, unit="个", price=price, actor=admin
            )
            services.restock(
                goods=item, quantity=stock, cost_yuan=Decimal(stock), fund="试点经费", actor=admin
            )
            world.restocked[item.pk] = stock
            goods.append(item)
        world.markets.append((market, keeper, goods))
    for household in world.households:
        give_points(household, points_each)
        world.start_points[household.pk] = points_each
    return world


def run(world: World, *, workers: int = 16, ops: int = 25, seed: int = 2026) -> dict:
    """Run the workload; returns counts of outcomes and the unexpected errors."""
    from core.errors import ServiceError
    from shop import services
    from shop.counter import redeem_once
    from shop.models import ReceiptVoid

    lock = threading.Lock()
    keys: list[tuple] = []  # (user, key, market, household, lines)
    first_answer: dict[str, int] = {}  # key → receipt id of its first success
    receipts: list = []
    outcomes: Counter = Counter()
    unexpected: list[str] = []
    by_village = defaultdict(list)
    for household in world.households:
        by_village[household.group.village_id].append(household)

    def send(user, key, market, household, lines):
        status, body, replayed = redeem_once(
            user=user, key=key, supermarket=market, household=household, lines=lines
        )
        with lock:
            known = first_answer.setdefault(key, body["id"])
            if known != body["id"]:
                unexpected.append(f"key {key} answered receipt {body['id']}, first {known}")
            if not replayed:
                receipts.append(body["id"])
        return replayed

    def work(n: int) -> None:
        rng = random.Random(seed * 1000 + n)
        try:
            for _ in range(ops):
                roll = rng.random()
                try:
                    if roll < 0.55 or not keys:
                        market, keeper, goods = rng.choice(world.markets)
                        household = rng.choice(by_village[market.villages.get().pk])
                        chosen = rng.sample(goods, rng.randint(1, 2))
                        lines = {g.pk: rng.randint(1, 2) for g in chosen}
                        key = uuid.uuid4().hex
                        with lock:
                            keys.append((keeper, key, market, household, lines))
                        send(keeper, key, market, household, lines)
                        outcomes["redeemed"] += 1
                    elif roll < 0.8:
                        with lock:
                            keeper, key, market, household, lines = rng.choice(keys[-8:])
                        replayed = send(keeper, key, market, household, lines)
                        outcomes["replayed" if replayed else "retry-ran"] += 1
                    else:
                        with lock:
                            if not receipts:
                                continue
                            receipt_id = rng.choice(receipts)
                        from shop.models import Receipt

                        receipt = Receipt.objects.select_related("supermarket").get(pk=receipt_id)
                        keeper = next(
                            k for m, k, _g in world.markets if m.pk == receipt.supermarket_id
                        )
                        services.void_receipt(
                            receipt=receipt, actor=keeper, authority=ReceiptVoid.Authority.KEEPER
                        )
                        outcomes["voided"] += 1
                except ServiceError as exc:
                    if exc.code not in EXPECTED:
                        with lock:
                            unexpected.append(f"{exc.code}: {exc.message}")
                    outcomes[exc.code] += 1
        except Exception:
            with lock:
                unexpected.append(traceback.format_exc())
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"outcomes": dict(outcomes), "unexpected": unexpected}


def problems(world: World) -> list[str]:
    """Every way the books could fail to add up; empty when they all do."""
    from core.models import IdempotencyKey
    from points import ledger
    from points import selectors as point_selectors
    from points.models import Entry
    from shop import services
    from shop.models import Goods, Receipt, ReceiptLine, ReceiptVoid, StockEntry

    found = []
    receipts = Receipt.objects.filter(township=world.township)
    kept = receipts.filter(void__isnull=True)
    voided = receipts.filter(void__isnull=False)
    for household in world.households:
        balance = point_selectors.balance(household)
        spent = kept.filter(household=household).aggregate(s=Sum("points"))["s"] or 0
        expected = world.start_points[household.pk] - spent
        if balance < 0:
            found.append(f"household {household.pk} balance {balance} < 0")
        if balance != point_selectors.balance_by_sum(household) or balance != expected:
            found.append(f"household {household.pk} balance {balance}, receipts say {expected}")
    stock = services.stock_on_hand(world.restocked)
    on_hand = dict(Goods.objects.filter(pk__in=list(world.restocked)).values_list("pk", "on_hand"))
    if on_hand != stock:
        found.append(f"Goods.on_hand {on_hand} differs from the sums of stock entries {stock}")
    for goods_id, restocked in world.restocked.items():
        given = ReceiptLine.objects.filter(receipt__in=kept, goods_id=goods_id).aggregate(
            s=Sum("quantity")
        )["s"]
        if stock[goods_id] < 0:
            found.append(f"goods {goods_id} stock {stock[goods_id]} < 0")
        if stock[goods_id] != restocked - (given or 0):
            found.append(
                f"goods {goods_id} stock {stock[goods_id]}, receipts say {restocked - (given or 0)}"
            )
    entries = Entry.objects.filter(township=world.township)
    redemptions = set(entries.filter(kind=Entry.Kind.REDEMPTION).values_list("pk", flat=True))
    if redemptions != set(receipts.values_list("entry_id", flat=True)):
        found.append("ledger redemption entries and receipts differ")
    reversals = set(entries.filter(kind=Entry.Kind.REVERSAL).values_list("pk", flat=True))
    if reversals != set(
        ReceiptVoid.objects.filter(township=world.township).values_list("reversal_id", flat=True)
    ):
        found.append("ledger reversals and voided receipts differ")

    def total(qs, column="amount"):
        return qs.aggregate(s=Sum(column))["s"] or 0

    if -total(entries.filter(kind=Entry.Kind.REDEMPTION)) != total(receipts, "points"):
        found.append("sum of redemption entries != sum of receipt points")
    if total(entries.filter(kind=Entry.Kind.REVERSAL)) != total(voided, "points"):
        found.append("sum of reversal entries != sum of voided receipt points")
    if total(ReceiptLine.objects.filter(receipt__in=receipts), "points") != total(
        receipts, "points"
    ):
        found.append("receipt lines do not add up to receipts")
    moves = StockEntry.objects.filter(township=world.township)
    sold = total(ReceiptLine.objects.filter(receipt__in=receipts), "quantity")
    back = total(ReceiptLine.objects.filter(receipt__in=voided), "quantity")
    if -total(moves.filter(kind=StockEntry.Kind.REDEMPTION), "quantity") != sold:
        found.append("stock redemption entries != receipt lines")
    if total(moves.filter(kind=StockEntry.Kind.RETURN), "quantity") != back:
        found.append("stock returns != lines of voided receipts")
    stored = IdempotencyKey.objects.filter(status_code=201, response__has_key="number")
    answered = [row["id"] for row in stored.values_list("response", flat=True)]
    if len(answered) != len(set(answered)) or set(answered) != set(
        receipts.values_list("pk", flat=True)
    ):
        found.append("receipts and stored idempotent answers differ (a retry redeemed twice?)")
    for village_id in {h.group.village_id for h in world.households}:
        broken = ledger.first_break(Entry.objects.filter(village_id=village_id).order_by("seq"))
        if broken is not None:
            found.append(f"chain of village {village_id} broken at {broken}")
    return found


def main(argv: list[str]) -> int:
    """Build, run, check against the database of the settings (a migrated file database)."""
    import django

    django.setup()
    workers, ops = int(argv[1]), int(argv[2])
    world = build_world()
    result = run(world, workers=workers, ops=ops)
    found = problems(world)
    print(result["outcomes"])
    for line in result["unexpected"] + found:
        print("PROBLEM:", line)
    return 1 if result["unexpected"] or found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
