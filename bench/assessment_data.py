"""A synthetic province slice for the month-close benchmark, and its DuckDB baseline.

Every township is the same: 10 villages of 1,000 households (100 联户 of 10, 5 villagers'
groups), and in each village a level-2 grid, 5 level-3 grids and 24 level-4 grids (unbalanced:
one level-3 grid has 4 leaves, the others 5): 300 grids, 10,000 households per township, so
1,000,000 households are 100 townships and 30,000 grids. In October 2026 each household has 4
points entries (a quarter of them redemptions for every other household), each township has
2,000 problems (60 % inspection or supervision findings, spread unevenly over all its grids),
tickets for a share of them (white every 4th, yellow every 10th, red every 25th problem by id),
3 work-list tasks per leaf grid (two confirmed), 20 commendations or deductions, and a grid
chief for every leaf (plus an ended earlier post for every 20th, which must not count).

Units and the per-township settings are bulk-created (a few Python objects per grid); every
row at household scale is generated in the database by INSERT … SELECT over small helper
tables and a number series (generate_series on PostgreSQL, a recursive CTE on SQLite).

The baseline (`duckdb_close`) is an independent implementation of assessment.close's rules in
DuckDB SQL over Parquet files exported from the same database, all townships at once.
"""

import csv
import datetime
import os
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.db import connection
from django.utils import timezone

from assessment import lists, setup
from assessment.models import Item, Source
from people.models import User
from places.models import TownshipConfig, Unit
from work.models import WorkList

MONTH = datetime.date(2026, 10, 1)
END = datetime.date(2026, 11, 1)
# The month in UTC, as close.tasks bounds confirmed_at (local midnights, Asia/Shanghai).
TASKS_FROM = "2026-09-30 16:00:00"
TASKS_TO = "2026-10-31 16:00:00"
VILLAGES, GROUPS, LEVEL3, LEAVES, JOINTS, PER_JOINT = 10, 5, 5, 24, 100, 10
HOUSEHOLDS_PER_TOWNSHIP = VILLAGES * JOINTS * PER_JOINT  # 10,000
ENTRIES_PER_HOUSEHOLD = 4
PROBLEMS_PER_TOWNSHIP = 2_000  # 200,000 for 1,000,000 households
TASKS_PER_LEAF = 3
ADJUSTMENT_EVERY = 15  # a commendation or deduction for every 15th grid: 20 per township
CHUNK_TOWNSHIPS = 10  # entries are inserted ten townships per statement
# What-if: the covering index on points_entry this benchmark suggests to the points app.
ENTRY_INDEX = os.environ.get("BENCH_ASSESSMENT_ENTRY_INDEX") == "1"
ENTRY_INDEX_SQL = {
    "postgresql": "CREATE INDEX bench_entry_month ON points_entry (village_id, period) "
    "INCLUDE (kind, amount, household_id)",
    "sqlite": "CREATE INDEX bench_entry_month ON points_entry "
    "(village_id, period, kind, amount, household_id)",
}


def seg(number: int) -> str:
    return str(number).zfill(4)


def _pg() -> bool:
    return connection.vendor == "postgresql"


def _series(count: int) -> tuple[str, str]:
    """(WITH clause, FROM item) for n.i = 0 … count−1."""
    if _pg():
        return "", f"generate_series(0, {count - 1}) AS n(i)"
    return (
        f"WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {count - 1}) ",
        "n",
    )


def _days(date_sql: str, days_sql: str) -> str:
    if _pg():
        return f"(CAST({date_sql} AS date) + ({days_sql}))"
    return f"date({date_sql}, '+' || ({days_sql}) || ' days')"


@dataclass
class Slice:
    """What has been generated so far (townships are added in steps: 100k, 300k, 1M)."""

    county: Unit | None = None
    townships: list[Unit] = field(default_factory=list)
    user: User | None = None
    seconds: float = 0.0

    @property
    def households(self) -> int:
        return len(self.townships) * HOUSEHOLDS_PER_TOWNSHIP

    def grow_to(self, households: int) -> float:
        """Add townships until the slice has `households`; returns the seconds it took."""
        started = time.perf_counter()
        if self.county is None:
            self.county = Unit.objects.create(kind="county", name="基准省片", path=seg(1))
            self.user = User.objects.create(username="bench_assessor", name="考核员")
            if ENTRY_INDEX:
                with connection.cursor() as cursor:
                    cursor.execute(ENTRY_INDEX_SQL[connection.vendor])
        target = -(-households // HOUSEHOLDS_PER_TOWNSHIP)
        while len(self.townships) < target:
            count = min(CHUNK_TOWNSHIPS, target - len(self.townships))
            self._add(len(self.townships), count)
        if _pg():  # what autovacuum does to insert-only tables, so index-only scans can work
            with connection.cursor() as cursor:
                cursor.execute("VACUUM (ANALYZE)")
        elapsed = time.perf_counter() - started
        self.seconds += elapsed
        return elapsed

    # Units --------------------------------------------------------------------------------

    def _add(self, first: int, count: int) -> None:
        towns = Unit.objects.bulk_create(
            [
                Unit(
                    kind="township", name=f"基准乡{t}", parent=self.county, path=seg(1) + seg(t + 1)
                )
                for t in range(first, first + count)
            ]
        )
        for town in towns:
            town.township = town
        Unit.objects.bulk_update(towns, ["township"])
        TownshipConfig.objects.bulk_create([TownshipConfig(township=town) for town in towns])
        for town in towns:
            setup.ensure(town)
        # A level's own item, so the item look-up takes both branches: level-4 findings −3.
        Item.objects.bulk_create(
            [
                Item(
                    township=town,
                    grid_level=4,
                    source=Source.FINDING,
                    name="四级网格发现问题",
                    points=Decimal("-3"),
                )
                for town in towns
            ]
        )
        WorkList.objects.bulk_create(
            [
                WorkList(
                    township=town,
                    unit=town,
                    unit_path=town.path,
                    month=MONTH,
                    title="十月工作清单",
                    state="issued",
                    created_by=self.user,
                )
                for town in towns
            ]
        )
        villages = Unit.objects.bulk_create(
            [
                Unit(
                    kind="village",
                    name=f"{town.name}村{v}",
                    parent=town,
                    township=town,
                    path=town.path + seg(v + 1),
                )
                for town in towns
                for v in range(VILLAGES)
            ]
        )
        groups = Unit.objects.bulk_create(
            [
                Unit(
                    kind="group",
                    name=f"{village.name}{g + 1}组",
                    parent=village,
                    township_id=village.township_id,
                    village=village,
                    path=village.path + seg(g + 1),
                )
                for village in villages
                for g in range(GROUPS)
            ]
        )
        by_town = {town.pk: town for town in towns}
        level2 = Unit.objects.bulk_create(
            [
                self._grid(by_town[v.township_id], v, 2, f"{v.name}网格", i % VILLAGES)
                for i, v in enumerate(villages)
            ]
        )
        level3 = Unit.objects.bulk_create(
            [self._grid(top, top.village, 3, f"片{n}", n) for top in level2 for n in range(LEVEL3)]
        )
        leaves, counts = [], {}
        for v, top in enumerate(level2):
            for j in range(LEAVES):
                parent = level3[v * LEVEL3 + j % LEVEL3]
                counts[parent.pk] = counts.get(parent.pk, 0) + 1
                leaves.append(
                    self._grid(parent, top.village, 4, f"{j + 1}号网格", counts[parent.pk] - 1)
                )
        leaves = Unit.objects.bulk_create(leaves)
        joints, joint_rows = [], []
        for v, village in enumerate(villages):
            seen = {}
            for q in range(JOINTS):
                leaf = leaves[v * LEAVES + q % LEAVES]
                seen[leaf.pk] = seen.get(leaf.pk, 0) + 1
                joints.append(
                    Unit(
                        kind="joint",
                        name=f"联户{q + 1}",
                        parent=leaf,
                        township_id=village.township_id,
                        village=village,
                        path=leaf.path + seg(seen[leaf.pk]),
                    )
                )
        joints = Unit.objects.bulk_create(joints, batch_size=5000)
        for n, joint in enumerate(joints):
            group = groups[(n // JOINTS) * GROUPS + (n % JOINTS) % GROUPS]
            joint_rows.append(
                (n, joint.pk, joint.path, group.pk, group.path, joint.township_id, joint.village_id)
            )
        grid_rows = [
            (k, g.pk, g.township_id, g.village_id, g.path, g.village.path, g.grid_level)
            for k, g in enumerate([*level2, *level3, *leaves])
        ]
        self._rows(joint_rows, grid_rows, towns)
        self.townships.extend(towns)

    @staticmethod
    def _grid(parent, village, level, name, n) -> Unit:
        """The n-th grid (0-based) under `parent`; level-2 grids follow the villages' paths."""
        offset = VILLAGES + 1 if level == 2 else 1
        return Unit(
            kind="grid",
            name=name,
            parent=parent,
            path=parent.path + seg(offset + n),
            township_id=parent.township_id,
            village=village,
            grid_level=level,
        )

    # Rows at household scale ---------------------------------------------------------------

    def _rows(self, joint_rows, grid_rows, towns) -> None:
        now = timezone.now()
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMPORARY TABLE bench_joint (k integer PRIMARY KEY, joint_id bigint, "
                "joint_path varchar(64), group_id bigint, group_path varchar(64), "
                "township_id bigint, village_id bigint)"
            )
            cursor.execute("CREATE INDEX bench_joint_id ON bench_joint (joint_id)")
            cursor.executemany(
                "INSERT INTO bench_joint VALUES (%s, %s, %s, %s, %s, %s, %s)", joint_rows
            )
            cursor.execute(
                "CREATE TEMPORARY TABLE bench_grid (k integer PRIMARY KEY, grid_id bigint, "
                "township_id bigint, village_id bigint, grid_path varchar(64), "
                "village_path varchar(64), level integer)"
            )
            cursor.executemany(
                "INSERT INTO bench_grid VALUES (%s, %s, %s, %s, %s, %s, %s)", grid_rows
            )
            cursor.execute("CREATE TEMPORARY TABLE bench_small (i integer PRIMARY KEY)")
            cursor.executemany("INSERT INTO bench_small VALUES (%s)", [(i,) for i in range(10)])
            if _pg():
                cursor.execute("ANALYZE bench_joint; ANALYZE bench_grid; ANALYZE bench_small")
            first_household = self._households(cursor, now)
            self._entries(cursor, first_household, now)
            self._problems(cursor, len(grid_rows), len(towns), now)
            self._tickets(cursor, towns, now)
            self._tasks(cursor, towns)
            self._chiefs(cursor, now)
            self._adjustments(cursor, now)
            cursor.execute("DROP TABLE bench_joint")
            cursor.execute("DROP TABLE bench_grid")
            cursor.execute("DROP TABLE bench_small")

    def _households(self, cursor, now) -> int:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM places_household")
        before = cursor.fetchone()[0]
        cursor.execute(
            """
            INSERT INTO places_household (township_id, number, group_id, group_path, joint_id,
                joint_path, address, door_area, created_at)
            SELECT j.township_id, 'B' || CAST(j.k * 10 + s.i AS varchar(20)), j.group_id,
                   j.group_path, j.joint_id, j.joint_path, '', '', %s
              FROM bench_joint j CROSS JOIN bench_small s
             ORDER BY j.k, s.i
            """,
            [now],
        )
        return before

    def _entries(self, cursor, first_household, now) -> None:
        """4 entries per household in October, interleaved over the villages as in a month."""
        h = "h.id"
        kind = (
            f"CASE WHEN f.i = 3 AND {h} % 2 = 0 THEN 'redemption' "
            f"WHEN ({h} + f.i) % 50 = 0 THEN 'reversal' ELSE 'award' END"
        )
        amount = (
            f"CASE WHEN f.i = 3 AND {h} % 2 = 0 THEN -5 * ({h} % 7 + 1) "
            f"WHEN ({h} + f.i) % 50 = 0 THEN -2 "
            f"WHEN ({h} * 7 + f.i * 3) % 5 = 0 THEN -(({h} + f.i) % 10 + 1) "
            f"ELSE ({h} * 3 + f.i) % 10 + 1 END"
        )
        number = f"({h} * 4 + f.i)"
        text = f"lpad(CAST({number} AS text), 64, '0')" if _pg() else f"printf('%%064d', {number})"
        cursor.execute(
            f"""
            INSERT INTO points_entry (township_id, village_id, household_id, seq, kind, amount,
                period, note, created_at, prev_hash, hash)
            SELECT j.township_id, j.village_id, h.id, {number}, {kind}, {amount}, %s, '', %s,
                   '', {text}
              FROM places_household h
              JOIN bench_joint j ON j.joint_id = h.joint_id
              CROSS JOIN bench_small f
             WHERE h.id > %s AND f.i < {ENTRIES_PER_HOUSEHOLD}
             ORDER BY f.i, ({h} * 7919) % 1000003
            """.replace(" % ", " %% "),
            [MONTH, now, first_household],
        )

    def _problems(self, cursor, n_grids, n_towns, now) -> None:
        count = PROBLEMS_PER_TOWNSHIP * n_towns
        cte, series = _series(count)
        source = (
            "CASE n.i % 5 WHEN 0 THEN 'inspection' WHEN 1 THEN 'inspection' "
            "WHEN 2 THEN 'supervision' WHEN 3 THEN 'grid_member' ELSE 'villager' END"
        )
        raised = _days("%s", "n.i % 31")
        cursor.execute(
            f"""
            INSERT INTO work_problem (township_id, village_id, grid_id, grid_path, village_path,
                place, source, category, description, requirement, responsible_id, deadline,
                state, raised_by_id, raised_on, created_at)
            {cte}
            SELECT g.township_id, g.village_id, g.grid_id, g.grid_path, g.village_path, '路段',
                   {source}, 'sanitation', '路边垃圾', '清运', %s, {_days("%s", "n.i % 31 + 7")},
                   'open', %s, {raised}, %s
              FROM {series}
              JOIN bench_grid g ON g.k = ((n.i * 7919) % 1000003) % {n_grids}
            """.replace(" % ", " %% "),
            [self.user.pk, MONTH, self.user.pk, MONTH, now],
        )

    def _tickets(self, cursor, towns, now) -> None:
        ids = ", ".join(str(t.pk) for t in towns)
        colours = "CASE s.i WHEN 0 THEN 'white' WHEN 1 THEN 'yellow' ELSE 'red' END"
        due = _days("p.raised_on", "8 + s.i * 2")
        cursor.execute(
            f"""
            INSERT INTO work_ticket (township_id, problem_id, colour, reason, due_on, issued_on,
                interview_note, accountability, created_at, grid_id, responsible_id)
            SELECT p.township_id, p.id, {colours}, 'overdue', {due}, {due}, '', '', %s,
                   p.grid_id, p.responsible_id
              FROM work_problem p CROSS JOIN bench_small s
             WHERE p.township_id IN ({ids}) AND s.i < 3
               AND ((s.i = 0 AND p.id % 4 = 0) OR (s.i = 1 AND p.id % 10 = 0)
                    OR (s.i = 2 AND p.id % 25 = 0))
            """.replace(" % ", " %% "),
            [now],
        )

    def _tasks(self, cursor, towns) -> None:
        ids = ", ".join(str(t.pk) for t in towns)
        # Local 01:00 on day 1 + k % 31: the first day's is 17:00 UTC on 30 September.
        if _pg():
            confirmed = "CAST(%s AS timestamptz) + (g.k % 31) * interval '1 day'"
        else:
            confirmed = "datetime(%s, '+' || (g.k % 31) || ' days')"
        cursor.execute(
            f"""
            INSERT INTO work_task (township_id, work_list_id, title, done_when, due_on,
                unit_path, village_path, grid_id, state, confirmed_at, confirmed_by_id)
            SELECT g.township_id, w.id, '环境整治', '', %s, g.grid_path, g.village_path,
                   g.grid_id,
                   CASE WHEN (g.k + s.i) % 3 = 0 THEN 'reported' ELSE 'confirmed' END,
                   CASE WHEN (g.k + s.i) % 3 = 0 THEN NULL ELSE {confirmed} END,
                   CASE WHEN (g.k + s.i) % 3 = 0 THEN NULL ELSE %s END
              FROM bench_grid g
              JOIN work_worklist w ON w.township_id = g.township_id
              CROSS JOIN bench_small s
             WHERE g.level = 4 AND s.i < {TASKS_PER_LEAF} AND w.township_id IN ({ids})
            """.replace(" % ", " %% "),
            [END - datetime.timedelta(days=1), "2026-09-30 17:00:00+00:00", self.user.pk],
        )

    def _chiefs(self, cursor, now) -> None:
        cursor.execute(
            """
            INSERT INTO people_user (password, is_superuser, username, first_name, last_name,
                email, is_staff, is_active, date_joined, name)
            SELECT '!', %s, 'chief' || CAST(g.grid_id AS varchar(20)), '', '', '', %s, %s, %s,
                   '网格长'
              FROM bench_grid g WHERE g.level = 4
            """,
            [False, False, True, now],
        )
        for start, end, where in (
            (datetime.date(2026, 1, 1), None, ""),
            (datetime.date(2025, 1, 1), datetime.date(2026, 9, 15), "AND g.k % 20 = 0"),
        ):
            cursor.execute(
                f"""
                INSERT INTO people_roleassignment (township_id, unit_id, user_id, role,
                    start_date, end_date, authority, created_at)
                SELECT g.township_id, g.grid_id, u.id, 'grid_chief', %s, %s, '', %s
                  FROM bench_grid g
                  JOIN people_user u ON u.username = 'chief' || CAST(g.grid_id AS varchar(20))
                 WHERE g.level = 4 {where}
                """.replace(" % ", " %% "),
                [start, end, now],
            )

    def _adjustments(self, cursor, now) -> None:
        cursor.execute(
            f"""
            INSERT INTO assessment_adjustment (township_id, unit_id, month, points, reason,
                authority, created_by_id, created_at)
            SELECT g.township_id, g.grid_id, %s,
                   CASE WHEN g.k % 2 = 0 THEN -(g.k % 7 + 1) * 2.5 ELSE g.k % 3 + 1 END,
                   '督查', '乡党委会议', %s, %s
              FROM bench_grid g WHERE g.k % {ADJUSTMENT_EVERY} = 0
            """.replace(" % ", " %% "),
            [MONTH, self.user.pk, now],
        )


# Export to Parquet ---------------------------------------------------------------------------

# What the close reads, one query per table (timestamps as UTC text, booleans as 0/1).
EXPORTS = {
    "unit": "SELECT id, kind, parent_id, township_id, village_id, grid_level, "
    "CASE WHEN is_active THEN 1 ELSE 0 END AS is_active FROM places_unit",
    "household": "SELECT id, joint_id, township_id FROM places_household",
    "entry": "SELECT household_id, village_id, period, kind, amount FROM points_entry",
    "problem": "SELECT id, township_id, grid_id, source, raised_on FROM work_problem",
    "ticket": "SELECT id, township_id, grid_id, colour, due_on FROM work_ticket",
    "task": "SELECT id, township_id, grid_id, state, {confirmed} AS confirmed_at FROM work_task",
    "assignment": "SELECT id, township_id, unit_id, user_id, role, start_date, end_date "
    "FROM people_roleassignment",
    "item": "SELECT id, township_id, grid_level, source, points FROM assessment_item",
    "adjustment": "SELECT id, township_id, unit_id, month, points FROM assessment_adjustment",
    "settings": "SELECT township_id, base_score FROM assessment_settings",
    "config": "SELECT township_id, warning_below, suspension_below, red_list_size, "
    "black_list_size FROM places_townshipconfig",
    "published": "SELECT id FROM assessment_close WHERE state = 'published'",
}
TYPES = {  # DuckDB column types of the CSV files
    "unit": "id BIGINT, kind VARCHAR, parent_id BIGINT, township_id BIGINT, village_id BIGINT, "
    "grid_level INTEGER, is_active INTEGER",
    "household": "id BIGINT, joint_id BIGINT, township_id BIGINT",
    "entry": "household_id BIGINT, village_id BIGINT, period DATE, kind VARCHAR, amount INTEGER",
    "problem": "id BIGINT, township_id BIGINT, grid_id BIGINT, source VARCHAR, raised_on DATE",
    "ticket": "id BIGINT, township_id BIGINT, grid_id BIGINT, colour VARCHAR, due_on DATE",
    "task": "id BIGINT, township_id BIGINT, grid_id BIGINT, state VARCHAR, confirmed_at TIMESTAMP",
    "assignment": "id BIGINT, township_id BIGINT, unit_id BIGINT, user_id BIGINT, "
    "role VARCHAR, start_date DATE, end_date DATE",
    "item": "id BIGINT, township_id BIGINT, grid_level INTEGER, source VARCHAR, "
    "points DECIMAL(7,2)",
    "adjustment": "id BIGINT, township_id BIGINT, unit_id BIGINT, month DATE, points DECIMAL(7,2)",
    "settings": "township_id BIGINT, base_score DECIMAL(6,1)",
    "config": "township_id BIGINT, warning_below DECIMAL(5,1), suspension_below DECIMAL(5,1), "
    "red_list_size INTEGER, black_list_size INTEGER",
    "published": "id BIGINT",
}


def export(directory: Path) -> float:
    """Write each table the close reads to CSV, then to Parquet with DuckDB; returns seconds."""
    import duckdb

    started = time.perf_counter()
    directory.mkdir(parents=True, exist_ok=True)
    confirmed = (
        "to_char(confirmed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')"
        if _pg()
        else "substr(confirmed_at, 1, 19)"
    )
    db = duckdb.connect()
    for name, query in EXPORTS.items():
        query = query.format(confirmed=confirmed)
        path = directory / f"{name}.csv"
        if _pg():
            with connection.cursor() as cursor, path.open("wb") as out:
                raw = cursor.cursor if hasattr(cursor, "cursor") else cursor
                with raw.copy(f"COPY ({query}) TO STDOUT WITH (FORMAT csv)") as copy:
                    for data in copy:
                        out.write(data)
        else:
            with connection.cursor() as cursor, path.open("w", newline="") as out:
                cursor.execute(query)
                writer = csv.writer(out)
                while rows := cursor.fetchmany(50_000):
                    writer.writerows(rows)
        columns = ", ".join(
            f"'{c.split()[0]}': '{' '.join(c.split()[1:])}'" for c in _split(TYPES[name])
        )
        db.execute(
            f"COPY (SELECT * FROM read_csv('{path}', header = false, nullstr = '', "
            f"columns = {{{columns}}})) TO '{directory / name}.parquet' (FORMAT PARQUET)"
        )
        path.unlink()
    db.close()
    return time.perf_counter() - started


def _split(types: str) -> list[str]:
    """Split "a DECIMAL(7,2), b INT" at the commas outside parentheses."""
    parts, depth, current = [], 0, ""
    for char in types:
        depth += char == "("
        depth -= char == ")"
        if char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    return [*parts, current.strip()]


# The DuckDB baseline -------------------------------------------------------------------------


@dataclass
class Result:
    scores: dict  # (unit id, kind) → score
    villages: dict  # township id → [(village id, score)]
    ranks: dict  # village id → rank in its township
    cases: int
    seconds: float


def duckdb_close(directory: Path) -> Result:
    """The month close of every township at once, in DuckDB over the Parquet files."""
    import duckdb

    started = time.perf_counter()
    db = duckdb.connect()
    for name in EXPORTS:
        db.execute(
            f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{directory / name}.parquet')"
        )
    # No close is published in the benchmark, so every record of the month counts (no
    # look-back into earlier months, nothing already counted).
    assert db.execute("SELECT count(*) FROM published").fetchone()[0] == 0
    month, end = f"DATE '{MONTH}'", f"DATE '{END}'"
    db.execute(
        """
        CREATE TEMP TABLE g AS
        SELECT id, parent_id, township_id, village_id, COALESCE(grid_level, 1) AS lvl, kind
          FROM unit WHERE (kind = 'grid' AND is_active = 1) OR kind = 'township'
        """
    )
    # The item of a source at a level: the level's own, else the township's default.
    item = """
        JOIN g ON g.id = x.unit_id
        LEFT JOIN item il ON il.township_id = x.township_id AND il.source = x.source
                         AND il.grid_level = g.lvl
        LEFT JOIN item id ON id.township_id = x.township_id AND id.source = x.source
                         AND id.grid_level IS NULL
    """
    db.execute(
        f"""
        CREATE TEMP TABLE line AS
        WITH x AS (
            SELECT township_id, grid_id AS unit_id, 'ticket_' || colour AS source
              FROM ticket WHERE due_on >= {month} AND due_on < {end}
            UNION ALL
            SELECT township_id, grid_id, 'finding' FROM problem
             WHERE source IN ('inspection', 'supervision')
               AND raised_on >= {month} AND raised_on < {end}
            UNION ALL
            SELECT township_id, grid_id, 'task_done' FROM task
             WHERE state = 'confirmed' AND confirmed_at >= TIMESTAMP '{TASKS_FROM}'
               AND confirmed_at < TIMESTAMP '{TASKS_TO}'
        )
        SELECT x.unit_id, COALESCE(il.points, id.points) AS points
          FROM x {item}
         WHERE COALESCE(il.id, id.id) IS NOT NULL
        UNION ALL
        SELECT x.unit_id, ROUND(1.0 * COALESCE(il.points, id.points) * x.total / h.households, 4)
          FROM (SELECT v.township_id, j.parent_id AS unit_id, 'household_points' AS source,
                       SUM(e.amount) AS total
                  FROM entry e
                  JOIN unit v ON v.id = e.village_id
                  JOIN household ph ON ph.id = e.household_id
                  JOIN unit j ON j.id = ph.joint_id
                 WHERE e.period = {month} AND e.kind <> 'redemption'
                 GROUP BY v.township_id, j.parent_id) x
          JOIN (SELECT ph.township_id, j.parent_id AS unit_id, COUNT(*) AS households
                  FROM household ph JOIN unit j ON j.id = ph.joint_id
                 GROUP BY ph.township_id, j.parent_id) h
            ON h.township_id = x.township_id AND h.unit_id = x.unit_id
          {item}
         WHERE x.total <> 0 AND COALESCE(il.id, id.id) IS NOT NULL
        UNION ALL
        SELECT unit_id, points FROM adjustment WHERE month >= {month} AND month < {end}
        """
    )
    db.execute(
        "CREATE TEMP TABLE own AS SELECT unit_id, SUM(points) AS points FROM line GROUP BY unit_id"
    )
    db.execute(
        "CREATE TEMP TABLE score (unit_id BIGINT, township_id BIGINT, parent_id BIGINT, "
        "lvl INTEGER, score DECIMAL(18,4))"
    )
    levels = [
        row[0] for row in db.execute("SELECT DISTINCT lvl FROM g ORDER BY lvl DESC").fetchall()
    ]
    for level in levels:
        db.execute(
            f"""
            INSERT INTO score
            SELECT u.id, u.township_id, CASE WHEN u.kind = 'grid' THEN u.parent_id END, u.lvl,
                   ROUND(COALESCE(c.average, s.base_score) + COALESCE(o.points, 0), 4)
              FROM g u
              JOIN settings s ON s.township_id = u.township_id
              LEFT JOIN own o ON o.unit_id = u.id
              LEFT JOIN (SELECT parent_id, AVG(score) AS average FROM score
                          WHERE lvl > {level} GROUP BY parent_id) c ON c.parent_id = u.id
             WHERE u.lvl = {level}
            """
        )
    db.execute(
        """
        CREATE TEMP TABLE village AS
        SELECT u.township_id, u.village_id AS unit_id, ROUND(AVG(s.score), 4) AS score
          FROM score s JOIN unit u ON u.id = s.unit_id JOIN unit p ON p.id = u.parent_id
         WHERE u.village_id IS NOT NULL AND (p.village_id IS NULL OR p.village_id <> u.village_id)
         GROUP BY u.township_id, u.village_id
        """
    )
    ranked = db.execute(
        "SELECT township_id, unit_id, score, RANK() OVER (PARTITION BY township_id "
        "ORDER BY score DESC) FROM village"
    ).fetchall()
    cases = db.execute(
        f"""
        SELECT count(*) FROM assignment a
          JOIN score s ON s.unit_id = a.unit_id
          JOIN config c ON c.township_id = a.township_id
         WHERE a.role = 'grid_chief' AND a.start_date <= {end} - 1
           AND (a.end_date IS NULL OR a.end_date >= {month}) AND s.score < c.warning_below
        """
    ).fetchone()[0]
    scores = {
        (u, "grid"): Decimal(str(v))
        for u, v in db.execute("SELECT unit_id, score FROM score").fetchall()
    }
    villages: dict = {}
    ranks = {}
    for township, unit, value, rank in ranked:
        scores[(unit, "village")] = Decimal(str(value))
        ranks[unit] = rank
        villages.setdefault(township, []).append((unit, Decimal(str(value))))
    elapsed = time.perf_counter() - started
    db.close()
    return Result(scores=scores, villages=villages, ranks=ranks, cases=cases, seconds=elapsed)


def duckdb_lists(result: Result) -> dict:
    """assessment.lists' rule over DuckDB's village scores: township → (red, black)."""
    sizes = {
        township: (red, black)
        for township, red, black in TownshipConfig.objects.values_list(
            "township_id", "red_list_size", "black_list_size"
        )
    }
    chosen = {}
    for township, pairs in result.villages.items():
        picked = lists.assign(pairs, *sizes[township])
        chosen[township] = (sorted(picked.red), sorted(picked.black))
    return chosen
