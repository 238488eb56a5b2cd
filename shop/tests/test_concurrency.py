"""Keepers at many counters at once never overspend points or stock (issue 5, "Done when").

PostgreSQL: 16 threads, each with its own connection, against the test database; row locks
(supermarket → chain head → goods in primary-key order) serialise what must be serialised.
SQLite: the in-memory test database cannot be shared between connections, so the same workload
runs in a subprocess against a freshly migrated file database, 16 threads with their own
connections: SQLite supports one writer at a time, and BEGIN IMMEDIATE (transaction_mode) makes
each wait for the write lock (busy timeout) instead of failing.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from shop.tests import stress

REPO = Path(__file__).resolve().parents[2]
WORKERS = 16


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL row locks")
@pytest.mark.django_db(transaction=True)
def test_parallel_redemptions_voids_and_retries_on_postgresql():
    world = stress.build_world()
    result = stress.run(world, workers=WORKERS, ops=25)
    print("postgresql:", result["outcomes"])
    assert result["unexpected"] == []
    outcomes = result["outcomes"]
    # The workload really contended: points and goods ran out, retries were answered.
    assert outcomes.get("redeemed", 0) > 20 and outcomes.get("replayed", 0) > 5
    assert outcomes.get("insufficient_points", 0) + outcomes.get("out_of_stock", 0) > 0
    assert outcomes.get("voided", 0) > 0
    assert stress.problems(world) == []


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite file database")
def test_parallel_redemptions_voids_and_retries_on_sqlite(tmp_path):
    env = {
        **os.environ,
        "SQLITE_PATH": str(tmp_path / "stress.sqlite3"),
        "DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    env.pop("DATABASE_URL", None)
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert migrate.returncode == 0, migrate.stderr
    done = subprocess.run(
        [sys.executable, "-m", "shop.tests.stress", str(WORKERS), "15"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    print("sqlite:", done.stdout.strip())
    assert "redeemed" in done.stdout and "PROBLEM" not in done.stdout


@pytest.mark.django_db
def test_problems_notices_a_receipt_without_its_goods():
    """The check itself can fail: a redemption whose stock entries are missing is found."""
    from points import services as points
    from shop.models import Receipt, ReceiptLine

    world = stress.build_world(name="核对乡")
    market, keeper, goods = world.markets[0]
    household = next(h for h in world.households if h.group.village_id == market.unit_id)
    entry = points.redeem(village=market.unit, household=household, amount=20, actor=keeper)
    receipt = Receipt.objects.create(
        township=world.township,
        supermarket=market,
        day=entry.created_at.date(),
        seq=1,
        number="X-1",
        household=household,
        village=market.unit,
        points=20,
        balance_after=0,
        entry=entry,
        created_by=keeper,
        created_at=entry.created_at,
    )
    ReceiptLine.objects.create(receipt=receipt, goods=goods[0], quantity=1, price=20, points=20)
    found = stress.problems(world)
    assert any("stock" in line for line in found), found
