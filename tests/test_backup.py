"""`manage.py backup` while the app writes, and `manage.py restore`, as an operator runs them.

Everything runs in separate processes against a throwaway database of the kind the suite runs
on (a SQLite file, or a PostgreSQL database next to DATABASE_URL's): one process keeps appending
points entries while another takes the backup. The backup's ledger is then read on its own
(sqlite3 on the file; plain pg_restore into a second database), the writer goes on after the
backup, and a restore must bring back exactly the backup's chain heads and balances.
"""

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import REPO_ROOT, _postgres_params, _PostgresDatabase

DATABASE_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = bool(re.match(r"postgres(ql)?://", DATABASE_URL))

HEADS = "SELECT village_id, seq, hash FROM points_chainhead ORDER BY village_id"
BALANCES = (
    "SELECT household_id, SUM(amount) FROM points_entry GROUP BY household_id ORDER BY household_id"
)
LAST_SEQS = "SELECT village_id, MAX(seq) FROM points_entry GROUP BY village_id ORDER BY village_id"


class _Database:
    """A scratch database and the environment that points manage.py at it."""

    def __init__(self, tmp_path: Path, suffix: str = ""):
        self.env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "1"}
        if ON_POSTGRES:
            self.postgres = _PostgresDatabase(DATABASE_URL)
            self.postgres.name += f"_backup{suffix}"
            path = f"/{self.postgres.name}"
            self.postgres.url = urlsplit(DATABASE_URL)._replace(path=path).geturl()
            self.postgres.create()
            self.env["DATABASE_URL"] = self.postgres.url
        else:
            self.postgres = None
            self.path = tmp_path / f"live{suffix}.sqlite3"
            self.env.update(DATABASE_URL="", SQLITE_PATH=str(self.path))

    def query(self, sql: str) -> list[tuple]:
        if self.postgres is None:
            with sqlite3.connect(self.path) as connection:
                return [tuple(row) for row in connection.execute(sql)]
        import psycopg

        params = _postgres_params(DATABASE_URL)
        with psycopg.connect(dbname=self.postgres.name, **params) as connection:
            return [tuple(row) for row in connection.execute(sql)]

    def drop(self) -> None:
        if self.postgres is not None:
            self.postgres.drop()


def _run(args: list[str], env: dict, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [sys.executable, *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        **kwargs,
    )
    assert done.returncode == 0, f"{args} failed:\n{done.stdout}\n{done.stderr}"
    return done


def _ledger(read) -> dict:
    return {"heads": read(HEADS), "balances": read(BALANCES), "last": read(LAST_SEQS)}


def _read_backup(backup: Path, tmp_path: Path):
    """The backup's ledger, read without our restore command."""
    if not ON_POSTGRES:

        def read(sql):
            with sqlite3.connect(f"file:{backup}?mode=ro", uri=True) as connection:
                return [tuple(row) for row in connection.execute(sql)]

        return _ledger(read)
    copy = _Database(tmp_path, suffix="_copy")
    try:
        params = _postgres_params(DATABASE_URL)
        command = ["pg_restore", "--no-owner", "--dbname", copy.postgres.name, str(backup)]
        command += ["--host", params["host"], "--port", str(params["port"])]
        if params["user"]:
            command += ["--username", params["user"]]
        subprocess.run(command, check=True, capture_output=True, timeout=300)
        return _ledger(copy.query)
    finally:
        copy.drop()


@pytest.fixture
def live(tmp_path):
    database = _Database(tmp_path)
    try:
        _run(["manage.py", "migrate", "--no-input", "-v", "0"], database.env)
        _run(["-m", "tests.backup_support", "seed"], database.env)
        yield database
    finally:
        database.drop()


def _wait_for_lines(process: subprocess.Popen, count: int) -> None:
    for _ in range(count):
        line = process.stdout.readline()
        assert line, "the writer stopped early"


def test_a_backup_taken_while_writing_restores_every_chain_head_and_balance(live, tmp_path):
    backup_file = tmp_path / "backups" / "nightly.backup"
    stop = tmp_path / "stop-writing"
    writer = subprocess.Popen(
        [sys.executable, "-m", "tests.backup_support", "write", str(stop)],
        cwd=REPO_ROOT,
        env=live.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        _wait_for_lines(writer, 2)  # 40 entries written: the writer is in full flow
        done = _run(["manage.py", "backup", str(backup_file)], live.env)
        assert "Backed up" in done.stdout
        _wait_for_lines(writer, 2)  # and it goes on writing after the backup
    finally:
        stop.touch()
        output, _ = writer.communicate(timeout=60)
    assert writer.returncode == 0, output
    assert not backup_file.with_name("nightly.backup.partial").exists()

    saved = _read_backup(backup_file, tmp_path)
    # One consistent snapshot: every chain head names its village's last entry.
    assert [(v, seq) for v, seq, _hash in saved["heads"]] == saved["last"]
    after = _ledger(live.query)
    assert sum(seq for _v, seq, _h in after["heads"]) > sum(s for _v, s, _h in saved["heads"])

    restored = _run(["manage.py", "restore", str(backup_file), "--no-input"], live.env)
    assert "Restored" in restored.stdout
    assert _ledger(live.query) == saved
    verified = _run(["manage.py", "verify_ledger"], live.env)
    assert "BROKEN" not in verified.stdout and ": ok," in verified.stdout


def test_restore_refuses_what_is_not_a_backup_of_this_database(live, tmp_path):
    wrong = tmp_path / "wrong.backup"
    wrong.write_bytes(b"PGDMP" if not ON_POSTGRES else b"SQLite format 3\x00" + b"\0" * 100)
    done = subprocess.run(
        [sys.executable, "manage.py", "restore", str(wrong), "--no-input"],
        cwd=REPO_ROOT,
        env=live.env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0 and "数据库的备份" in done.stderr
    assert live.query("SELECT COUNT(*) FROM points_entry")[0][0] == 200  # untouched
