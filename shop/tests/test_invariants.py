"""Stock and points invariants under any sequence of counter actions (hypothesis, stateful).

Restocks, write-offs, redemptions of any quantities for any household, voids and corrections,
in any order. The test keeps its own model of stock and balances and after every step checks:
stock on hand (the sum of entries, and Goods.on_hand) == the model, never below zero; a
balance never below zero and equal to the model; the service refused exactly when the model
says it must (out of stock, not enough points, already void). Each example runs in a savepoint
rolled back at its end.
"""

from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from core.errors import ServiceError
from points import selectors as point_selectors
from shop import services
from shop.models import Goods, ReceiptVoid

SETTINGS = settings(
    max_examples=15,
    stateful_step_count=30,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


class StockMachine(RuleBasedStateMachine):
    world: dict = {}

    @initialize()
    def start(self):
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        w = self.world
        self.stock = services.stock_on_hand(g.pk for g in w["goods"])
        self.points = {h.pk: point_selectors.balance(h) for h in w["households"]}
        self.receipts = []  # (receipt, household pk, {goods pk: qty}, voided)
        self.entries = []

    def teardown(self):
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    @rule(g=st.integers(0, 3), n=st.integers(1, 5))
    def restock(self, g, n):
        goods = self.world["goods"][g]
        entry = services.restock(
            goods=goods, quantity=n, cost_yuan=Decimal(n), fund="乡财政", actor=self.world["kim"]
        )
        self.stock[goods.pk] += n
        self.entries.append(entry)

    @rule(g=st.integers(0, 3), n=st.integers(1, 6))
    def write_off(self, g, n):
        goods = self.world["goods"][g]
        try:
            entry = services.write_off(
                goods=goods, quantity=n, reason="过期", actor=self.world["kim"]
            )
        except ServiceError as exc:
            assert exc.code == "out_of_stock" and self.stock[goods.pk] < n
            return
        assert self.stock[goods.pk] >= n
        self.stock[goods.pk] -= n
        self.entries.append(entry)

    @rule(
        h=st.integers(0, 2),
        lines=st.dictionaries(st.integers(0, 3), st.integers(1, 4), min_size=1, max_size=3),
    )
    def redeem(self, h, lines):
        household = self.world["households"][h]
        goods = self.world["goods"]
        wanted = {goods[i].pk: q for i, q in lines.items()}
        cost = sum(goods[i].price * q for i, q in lines.items())
        short = any(self.stock[gid] < q for gid, q in wanted.items())
        try:
            receipt = services.redeem(
                supermarket=self.world["market"],
                household=household,
                lines=wanted,
                actor=self.world["kim"],
            )
        except ServiceError as exc:
            if exc.code == "out_of_stock":
                assert short
            else:
                assert exc.code == "insufficient_points" and self.points[household.pk] < cost
            return
        assert not short and self.points[household.pk] >= cost
        for gid, q in wanted.items():
            self.stock[gid] -= q
        self.points[household.pk] -= cost
        self.receipts.append([receipt, household.pk, wanted, False])

    @precondition(lambda self: self.receipts)
    @rule(i=st.integers(0, 50))
    def void(self, i):
        row = self.receipts[i % len(self.receipts)]
        receipt, household_id, wanted, voided = row
        try:
            services.void_receipt(
                receipt=receipt, actor=self.world["kim"], authority=ReceiptVoid.Authority.KEEPER
            )
        except ServiceError as exc:
            assert exc.code == "already_void" and voided
            return
        assert not voided
        row[3] = True
        for gid, q in wanted.items():
            self.stock[gid] += q
        self.points[household_id] += receipt.points

    @precondition(lambda self: self.entries)
    @rule(i=st.integers(0, 50))
    def correct(self, i):
        entry = self.entries.pop(i % len(self.entries))
        try:
            services.correct_stock_entry(entry=entry, reason="录入错误", actor=self.world["kim"])
        except ServiceError as exc:
            assert exc.code == "out_of_stock" and self.stock[entry.goods_id] < entry.quantity
            return
        self.stock[entry.goods_id] -= entry.quantity

    @invariant()
    def books_agree(self):
        if not hasattr(self, "stock"):
            return
        on_hand = services.stock_on_hand(self.stock)
        assert on_hand == self.stock
        assert all(v >= 0 for v in on_hand.values())
        kept = dict(Goods.objects.filter(pk__in=list(self.stock)).values_list("pk", "on_hand"))
        assert kept == self.stock  # Goods.on_hand, kept by the services, is the entries' sum
        for household in self.world["households"]:
            balance = point_selectors.balance(household)
            assert balance == self.points[household.pk] >= 0


@pytest.mark.django_db
def test_stock_and_points_hold_for_any_sequence(town, market, goods, kim, rich):
    StockMachine.world = {
        "market": market,
        "goods": sorted(goods.values(), key=lambda g: g.pk),
        "households": town.households[:3],
        "kim": kim,
    }
    run_state_machine_as_test(StockMachine, settings=SETTINGS)
