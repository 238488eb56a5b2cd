"""PostgreSQL's `shop_redeem` (migration 0004) and the Python path write the same rows.

Each case runs the Python path (`_redeem_in_python`, under core.idempotency.run_once as the
counter does on SQLite) and the database function (`shop.counter.redeem_once` on PostgreSQL) on
the same data at the same frozen moment: the first inside a savepoint that is rolled back, with
the id sequences put back afterwards, so that both write rows with the same ids. Every column of
every row either writes (ledger entry and chain head, receipt, lines, stock entries, goods'
on_hand, audit row, stored Idempotency-Key answer) must be equal, the hash included; a refusal
must be the same error with the same message, and write nothing.
"""

import datetime
import uuid

import pytest
from django.db import connection, transaction
from django.utils import timezone

from core import idempotency
from core.errors import ServiceError
from points.models import BalanceSnapshot
from shop import services
from shop.counter import receipt_body, redeem_once
from shop.tests.factories import build_supermarket, give_points

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL function"),
]

TABLES = [
    "points_entry",
    "shop_receipt",
    "shop_receiptline",
    "shop_stockentry",
    "core_auditentry",
    "core_idempotencykey",
]
# 00:30:05 on 24 November in Asia/Shanghai: the receipt's day and the entry's month are local.
NOW = datetime.datetime(2026, 11, 23, 16, 30, 5, 123456, tzinfo=datetime.UTC)


def _rows(marks: dict) -> dict:
    """Every row written since `marks` (ids above them), the chain heads and goods' stock."""
    found = {}
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"SELECT * FROM {table} WHERE id > %s ORDER BY id", [marks[table]])
            names = [c.name for c in cursor.description]
            found[table] = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        cursor.execute("SELECT * FROM points_chainhead ORDER BY village_id")
        found["points_chainhead"] = cursor.fetchall()
        cursor.execute("SELECT id, on_hand FROM shop_goods ORDER BY id")
        found["shop_goods"] = cursor.fetchall()
    return found


def _marks() -> dict:
    with connection.cursor() as cursor:
        marks = {}
        for table in TABLES:
            cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")
            marks[table] = cursor.fetchone()[0]
        return marks


def _sequences() -> list:
    with connection.cursor() as cursor:
        found = []
        for table in TABLES:
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            sequence = cursor.fetchone()[0]
            cursor.execute(f"SELECT last_value, is_called FROM {sequence}")
            found.append((sequence, *cursor.fetchone()))
        return found


def _restore(sequences: list) -> None:
    with connection.cursor() as cursor:
        for sequence, value, called in sequences:
            cursor.execute("SELECT setval(%s, %s, %s)", [sequence, value, called])


def _outcome(call):
    try:
        return ("ok", call())
    except ServiceError as exc:
        return ("refused", exc.code, exc.message, getattr(exc, "shortfall", None))


def _python(user, key, market, household, lines):
    fingerprint = idempotency.fingerprint(
        "shop.redeem", market.pk, household.pk, sorted(lines.items())
    )

    def handler():
        receipt = services._redeem_in_python(
            supermarket=market,
            household=household,
            lines=services.clean_lines(lines),
            actor=user,
        )
        return 201, receipt_body(receipt)

    return idempotency.run_once(
        user=user, key=key, request_fingerprint=fingerprint, handler=handler
    )


def both(monkeypatch, user, market, household, lines) -> tuple:
    """(Python's outcome and rows, the function's outcome and rows), at NOW."""
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    key = uuid.uuid4().hex
    marks, sequences = _marks(), _sequences()
    savepoint = transaction.savepoint()
    first = _outcome(lambda: _python(user, key, market, household, lines))
    first_rows = _rows(marks)
    transaction.savepoint_rollback(savepoint)
    _restore(sequences)
    second = _outcome(
        lambda: redeem_once(
            user=user, key=key, supermarket=market, household=household, lines=lines
        )
    )
    return (first, first_rows), (second, _rows(marks))


@pytest.fixture
def shop_world(town, alice, kim):
    market = build_supermarket(town.villages[0], code="PT01", actor=alice)
    goods = {g.name: g for g in market.goods.all()}
    give_points(town.households[0], 500)
    give_points(town.households[1], 30)
    return market, goods


def test_a_redemption_writes_the_same_rows_both_ways(monkeypatch, town, kim, shop_world):
    market, goods = shop_world
    lines = {goods["洗洁精"].pk: 2, goods["牙膏"].pk: 1}
    (python, python_rows), (database, database_rows) = both(
        monkeypatch, kim, market, town.households[0], lines
    )
    assert python[0] == "ok" and python[1][0] == 201
    assert database == python
    assert database_rows == python_rows
    assert len(database_rows["shop_receiptline"]) == len(database_rows["shop_stockentry"]) == 2
    entry = database_rows["points_entry"][0]
    assert entry["amount"] == -55 and entry["period"] == datetime.date(2026, 11, 1)
    assert database_rows["shop_receipt"][0]["number"] == "PT01-20261124-0001"


def test_the_second_receipt_of_a_day_and_a_balance_snapshot(monkeypatch, town, kim, shop_world):
    market, goods = shop_world
    household = town.households[0]
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    redeem_once(
        user=kim, key="first", supermarket=market, household=household, lines={goods["脸盆"].pk: 1}
    )
    BalanceSnapshot.objects.create(
        township=town.township,
        household=household,
        month=datetime.date(2026, 10, 1),
        through_seq=1,
        balance=480,  # not the sum: shows that both read the snapshot, not only the entries
    )
    (python, python_rows), (database, database_rows) = both(
        monkeypatch, kim, market, household, {goods["洗衣粉"].pk: 3}
    )
    assert python[0] == "ok" and python[1][1]["balance_after"] == 480 - 50 - 90
    assert database == python
    assert database_rows == python_rows
    assert database_rows["shop_receipt"][0]["number"].endswith("-0002")


@pytest.mark.parametrize(
    "case", ["closed", "not_served", "suspended", "unknown", "stock", "points", "no_head"]
)
def test_a_refusal_is_the_same_and_writes_nothing(monkeypatch, town, alice, kim, shop_world, case):
    market, goods = shop_world
    household, lines = town.households[0], {goods["牙膏"].pk: 1}
    if case == "closed":
        market.active = False
        market.save()
    elif case == "not_served":
        household = next(h for h in town.households if h.group.village_id != market.unit_id)
    elif case == "suspended":
        services.suspend(  # from the frozen clock's day: both paths run at NOW
            household=household,
            reason="欠费",
            authority="村两委会议",
            actor=alice,
            starts_on=timezone.localtime(NOW).date(),
        )
    elif case == "unknown":
        other = build_supermarket(town.villages[1], code="PT02", actor=alice)
        lines = {other.goods.first().pk: 1, goods["牙膏"].pk: 1}
    elif case == "stock":
        lines = {goods["牙膏"].pk: 11}
    elif case == "points":
        household, lines = town.households[1], {goods["洗洁精"].pk: 2}
    elif case == "no_head":
        # A village whose chain has no entry yet: its head is made (and locked) on the way.
        village = town.villages[1]
        market = build_supermarket(village, code="PT03", actor=alice)
        household = next(h for h in town.households if h.group.village_id == village.pk)
        lines = {market.goods.first().pk: 1}
    (python, python_rows), (database, database_rows) = both(
        monkeypatch, kim, market, household, lines
    )
    assert python[0] == "refused", python
    assert database == python
    assert database_rows == python_rows
    assert all(database_rows[table] == [] for table in TABLES)
