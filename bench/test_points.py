"""A county's points ledger: 200,000 households, 1,000,000 entries, monthly snapshots.

Loads 20 townships × 10 villages × 1,000 households, each household with an entry in five of
six months (Jan–Jun 2026), chained per village exactly as services.append chains them, and
snapshots (services.snapshot_balances) at the end of every month but the last. Then reports:
- balance look-ups per second through selectors.balance (latest snapshot plus the entries
  since), against the baseline in the same run: the plain sum over all of a household's
  entries (selectors.balance_by_sum); both checked against the loader's own totals first;
- the same two reads as one plain SQL statement each, to show how much of a look-up is the
  ORM's own overhead rather than the database's work;
- the time to compute one quarter's publication rows (points.quarter.publication_rows) for a
  village and for a whole township;
- the time to verify one village's hash chain.
"""

import datetime
import random
import statistics
import time
from types import SimpleNamespace

import pytest
from django.db import connection
from django.utils import timezone

from people.models import User
from places.models import Household, Unit
from places.services import create_unit
from points import ledger, quarter, selectors, services
from points.models import BalanceSnapshot, ChainHead, Entry
from points.tests.factories import ITEMS

pytestmark = [pytest.mark.bench, pytest.mark.django_db(transaction=True)]

TOWNSHIPS, VILLAGES, HOUSEHOLDS = 20, 10, 1000  # 200 villages, 200,000 households
MONTHS = [datetime.date(2026, month, 1) for month in range(1, 7)]
QUARTER = "2026-Q2"
SAMPLE = 2000  # households looked up per timing run
CHUNK = 20_000  # rows per insert
COLUMNS = (
    "township_id",
    "village_id",
    "household_id",
    "seq",
    "kind",
    "amount",
    "item_id",
    "period",
    "note",
    "proposal_id",
    "reverses_id",
    "proposed_by_id",
    "approved_by_id",
    "created_at",
    "prev_hash",
    "hash",
)
# The two reads of selectors.balance and balance_by_sum as single SQL statements.
SQL_SNAPSHOT = """
SELECT COALESCE(s.balance, 0) + COALESCE((
    SELECT SUM(e.amount) FROM points_entry e
    WHERE e.household_id = %s AND e.seq > COALESCE(s.through_seq, 0)), 0)
FROM (SELECT 1 AS one) x LEFT JOIN (
    SELECT balance, through_seq FROM points_balancesnapshot
    WHERE household_id = %s ORDER BY month DESC LIMIT 1) s ON 1 = 1
"""
SQL_SUM = "SELECT COALESCE(SUM(amount), 0) FROM points_entry WHERE household_id = %s"


class County:
    """Builds the county; keeps each household's expected balance (the loader's own sum)."""

    def __init__(self):
        self.rng = random.Random("xiangzhi-bench-points")
        self.member = User.objects.create_user(username="bench_member", name="网格员")
        self.chief = User.objects.create_user(username="bench_chief", name="网格长")
        self.villages: list[Unit] = []
        self.townships: list[Unit] = []
        self.items: dict[int, list] = {}  # village id → its items without a photo rule
        self.households: dict[int, list[int]] = {}  # village id → household ids
        self.expected: dict[int, int] = {}
        self.heads: dict[int, tuple[int, str]] = {}
        self.leaves: dict[int, tuple[Unit, Unit]] = {}  # village id → (its group, its 联户)
        self.entries = 0

    def build_tree(self) -> None:
        county = create_unit(kind="county", name="赫章县", parent=None, actor=None)
        for t in range(TOWNSHIPS):
            township = create_unit(kind="township", name=f"乡{t}", parent=county, actor=None)
            self.townships.append(township)
            for v in range(VILLAGES):
                self._village(township, f"乡{t}村{v}")

    def _village(self, township: Unit, name: str) -> None:
        village = create_unit(kind="village", name=name, parent=township, actor=None)
        group = create_unit(kind="group", name=f"{name}一组", parent=village, actor=None)
        level2 = create_unit(
            kind="grid", name=f"{name}二级网格", parent=township, actor=None, village=village
        )
        level3 = create_unit(kind="grid", name=f"{name}三级网格", parent=level2, actor=None)
        grid = create_unit(kind="grid", name=f"{name}001网格", parent=level3, actor=None)
        joint = create_unit(kind="joint", name=f"{name}联户", parent=grid, actor=None)
        points_list = services.publish_list(
            township=township,
            village=village,
            title=f"{name}农户积分清单",
            effective_from=MONTHS[0],
            items=ITEMS,
            actor=None,
        )
        self.items[village.pk] = list(points_list.items.filter(evidence_required=False))
        self.villages.append(village)
        self.leaves[village.pk] = (group, joint)

    def load_households(self) -> None:
        rows = []
        for village in self.villages:
            group, joint = self.leaves[village.pk]
            for h in range(HOUSEHOLDS):
                rows.append(
                    Household(
                        township_id=village.township_id,
                        number=f"{village.pk:04d}{h:04d}",
                        group=group,
                        joint=joint,
                        group_path=group.path,
                        joint_path=joint.path,
                    )
                )
        Household.objects.bulk_create(rows, batch_size=5000)
        for household_id, village_pk in Household.objects.values_list("pk", "group__village_id"):
            self.households.setdefault(village_pk, []).append(household_id)
            self.expected[household_id] = 0
        ChainHead.objects.bulk_create(
            ChainHead(village=v, township_id=v.township_id) for v in self.villages
        )
        self.heads = {v.pk: (0, ledger.GENESIS) for v in self.villages}

    def load_entries(self) -> None:
        """Five of six months per household; a snapshot after every month but the last."""
        skipped = {pk: self.rng.randrange(len(MONTHS)) for pk in self.expected}
        for index, month in enumerate(MONTHS):
            self._month(month, [pk for pk, skip in skipped.items() if skip != index])
            heads = [
                ChainHead(village_id=pk, township_id=None, seq=seq, hash=head)
                for pk, (seq, head) in self.heads.items()
            ]
            ChainHead.objects.bulk_update(heads, ["seq", "hash"])
            if month != MONTHS[-1]:
                for village in self.villages:
                    services.snapshot_balances(month=month, village=village)

    def _month(self, month: datetime.date, active: list[int]) -> None:
        active_set = set(active)
        rows = []
        period = connection.ops.adapt_datefield_value(month)
        review_day = services.month_end(month) + datetime.timedelta(days=5)
        approved = timezone.make_aware(datetime.datetime.combine(review_day, datetime.time(9)))
        for village in self.villages:
            for k, household_id in enumerate(self.households[village.pk]):
                if household_id in active_set:
                    created = approved + datetime.timedelta(seconds=k)
                    rows.append(self._entry(village, household_id, month, period, created))
                    if len(rows) == CHUNK:
                        _insert(rows)
                        rows = []
        _insert(rows)

    def _entry(self, village, household_id, month, period, created_at) -> tuple:
        item = self.rng.choice(self.items[village.pk])
        seq, prev = self.heads[village.pk]
        entry = SimpleNamespace(
            township_id=village.township_id,
            village_id=village.pk,
            household_id=household_id,
            seq=seq + 1,
            kind=Entry.Kind.AWARD.value,
            amount=item.value,
            item_id=item.pk,
            period=month,
            note="",
            proposal_id=None,
            reverses_id=None,
            proposed_by_id=self.member.pk,
            approved_by_id=self.chief.pk,
            created_at=created_at,
            prev_hash=prev,
        )
        entry.hash = ledger.digest(entry)
        self.heads[village.pk] = (entry.seq, entry.hash)
        self.expected[household_id] += item.value
        self.entries += 1
        values = dict(vars(entry), period=period)
        values["created_at"] = connection.ops.adapt_datetimefield_value(created_at)
        return tuple(values[column] for column in COLUMNS)


def _insert(rows: list[tuple]) -> None:
    """A multi-row insert: COPY on PostgreSQL, one prepared statement on SQLite."""
    if not rows:
        return
    table = Entry._meta.db_table
    columns = ", ".join(COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(COLUMNS))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _median(fn, repeat: int) -> float:
    return statistics.median(_timed(fn) for _ in range(repeat))


def _sql_timings(households, expected) -> tuple[float, float]:
    """Medians for the snapshot read and the plain sum as one SQL statement each."""
    with connection.cursor() as cursor:

        def run(sql, params_of):
            for household in households:
                cursor.execute(sql, params_of(household.pk))
                cursor.fetchone()

        for household in households[:100]:
            cursor.execute(SQL_SNAPSHOT, [household.pk, household.pk])
            assert cursor.fetchone()[0] == expected[household.pk]
        return (
            _median(lambda: run(SQL_SNAPSHOT, lambda pk: [pk, pk]), 5),
            _median(lambda: run(SQL_SUM, lambda pk: [pk]), 5),
        )


def test_balances_and_publications_in_a_county(report):
    county = County()
    started = time.perf_counter()
    county.build_tree()
    county.load_households()
    county.load_entries()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    load_seconds = time.perf_counter() - started
    assert Entry.objects.count() == county.entries == 1_000_000
    assert Household.objects.count() == TOWNSHIPS * VILLAGES * HOUSEHOLDS

    sample = random.Random(7).sample(sorted(county.expected), SAMPLE)
    households = list(Household.objects.filter(pk__in=sample).order_by("?"))
    for household in households:
        expected = county.expected[household.pk]
        assert selectors.balance(household) == selectors.balance_by_sum(household) == expected

    def snapshot_path():
        for household in households:
            selectors.balance(household)

    def plain_sum():
        for household in households:
            selectors.balance_by_sum(household)

    snapshot_seconds, sum_seconds = _median(snapshot_path, 5), _median(plain_sum, 5)
    sql_snapshot_seconds, sql_sum_seconds = _sql_timings(households, county.expected)

    village = county.villages[len(county.villages) // 2]
    rows = quarter.publication_rows(village, QUARTER)
    assert len(rows) == HOUSEHOLDS
    assert sum(r["balance"] for r in rows) == sum(
        county.expected[pk] for pk in county.households[village.pk]
    )
    township_villages = [v for v in county.villages if v.township_id == village.township_id]
    village_seconds = _median(lambda: quarter.publication_rows(village, QUARTER), 5)
    township_seconds = _median(
        lambda: [quarter.publication_rows(v, QUARTER) for v in township_villages], 3
    )
    chain = Entry.objects.filter(village=village).order_by("seq")
    verify_seconds = _timed(lambda: ledger.first_break(chain.iterator(chunk_size=2000)))
    assert ledger.first_break(chain.iterator(chunk_size=2000)) is None

    report(
        f"points_{connection.vendor}",
        {
            "households": len(county.expected),
            "entries": county.entries,
            "snapshots": BalanceSnapshot.objects.count(),
            "load_s": round(load_seconds, 1),
            "balance_lookups_per_s": round(SAMPLE / snapshot_seconds),
            "sum_lookups_per_s": round(SAMPLE / sum_seconds),
            "snapshot_vs_sum": round(sum_seconds / snapshot_seconds, 2),
            "sql_snapshot_lookups_per_s": round(SAMPLE / sql_snapshot_seconds),
            "sql_sum_lookups_per_s": round(SAMPLE / sql_sum_seconds),
            "publication_village_ms": round(village_seconds * 1000, 1),
            "publication_township_ms": round(township_seconds * 1000, 1),
            "township_villages": len(township_villages),
            "verify_village_chain_ms": round(verify_seconds * 1000, 1),
            "village_chain_entries": chain.count(),
        },
    )
