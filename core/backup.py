"""Consistent backups of the database while the app keeps writing, and their restore.

SQLite: the online backup API copies the database in one step under a read transaction, so
the copy is one consistent snapshot even while other connections write (WAL mode lets them go
on). PostgreSQL: `pg_dump --format=custom` reads everything inside one repeatable-read
snapshot; `pg_restore --clean --single-transaction` brings it back all or nothing.

A backup is one file whose first bytes say what it is ("SQLite format 3" or "PGDMP"), so a
restore refuses a backup of the other kind of database.
"""

import os
import shutil
import sqlite3
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from django.db import connections
from django.db.backends.sqlite3._functions import register as register_django_functions
from django.utils.translation import gettext as _

from core.errors import ServiceError

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
PG_TIMEOUT = 3600  # seconds; a county's database dumps in minutes
SQLITE_WAIT = 120  # seconds a SQLite backup or restore waits for a lock before giving up


@dataclass(frozen=True)
class Result:
    path: Path
    engine: str
    size: int


def _engine(alias: str) -> str:
    vendor = connections[alias].vendor
    if vendor not in ("sqlite", "postgresql"):
        raise ServiceError(_("Backups support SQLite and PostgreSQL only."), code="engine")
    return vendor


def backup(path: Path, *, alias: str = "default") -> Result:
    """Write a consistent copy of the database to `path` (replaced atomically when complete)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    engine = _engine(alias)
    try:
        if engine == "sqlite":
            _sqlite_backup(alias, partial)
        else:
            _pg_dump(alias, partial)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return Result(path=path, engine=engine, size=path.stat().st_size)


def restore(path: Path, *, alias: str = "default") -> Result:
    """Replace the database's contents with the backup at `path`. Stop the app first."""
    path = Path(path)
    if not path.is_file():
        raise ServiceError(_("No backup file at %(path)s.") % {"path": path}, code="missing")
    engine = _engine(alias)
    kind = kind_of(path)
    if kind != engine:
        raise ServiceError(
            _("%(path)s is not a backup of a %(engine)s database.")
            % {"path": path, "engine": engine},
            code="wrong_kind",
        )
    if engine == "sqlite":
        _sqlite_restore(alias, path)
    else:
        _pg_restore(alias, path)
    return Result(path=path, engine=engine, size=path.stat().st_size)


def kind_of(path: Path) -> str | None:
    with Path(path).open("rb") as file:
        head = file.read(len(SQLITE_MAGIC))
    if head == SQLITE_MAGIC:
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    return None


# --- SQLite ------------------------------------------------------------------------------------


def _give_up_after(seconds: float):
    """A progress callback that ends a backup still waiting for a lock after `seconds`.

    sqlite3's backup() retries a busy or locked step forever; a nightly job must not hang.
    """
    deadline = time.monotonic() + seconds

    def progress(status, remaining, total):
        if time.monotonic() > deadline:
            raise ServiceError(
                _("The database stayed locked; the backup gave up. Try again."), code="locked"
            )

    return progress


def _sqlite_backup(alias: str, target: Path) -> None:
    connection = connections[alias]
    connection.ensure_connection()
    destination = sqlite3.connect(target)
    # The schema's CHECK constraints and indexes may call the functions Django adds to its
    # SQLite connections; the integrity check below evaluates them.
    register_django_functions(destination)
    try:
        # pages=-1 (the default): the whole database in one step, one consistent snapshot.
        connection.connection.backup(destination, progress=_give_up_after(SQLITE_WAIT))
        verdict = destination.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        destination.close()
    if verdict != "ok":
        raise ServiceError(
            _("The copy failed its integrity check: %(verdict)s") % {"verdict": verdict},
            code="integrity",
        )


def _sqlite_restore(alias: str, source_path: Path) -> None:
    connection = connections[alias]
    connection.ensure_connection()
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    try:
        source.backup(connection.connection, progress=_give_up_after(SQLITE_WAIT))
    finally:
        source.close()


# --- PostgreSQL --------------------------------------------------------------------------------


def _pg_environment(alias: str) -> tuple[list[str], dict]:
    params = connections[alias].settings_dict
    arguments = ["--dbname", params["NAME"]]
    if params.get("HOST"):
        arguments += ["--host", params["HOST"]]
    if params.get("PORT"):
        arguments += ["--port", str(params["PORT"])]
    if params.get("USER"):
        arguments += ["--username", params["USER"]]
    environment = {**os.environ}
    if params.get("PASSWORD"):
        environment["PGPASSWORD"] = params["PASSWORD"]  # never on the command line (ps shows it)
    return arguments, environment


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise ServiceError(
            _("%(tool)s is not installed (Debian: postgresql-client-15).") % {"tool": name},
            code="tool_missing",
        )
    return found


def _run(command: list[str], environment: dict) -> None:
    done = subprocess.run(
        command, env=environment, capture_output=True, text=True, timeout=PG_TIMEOUT
    )
    if done.returncode != 0:
        raise ServiceError(
            _("%(tool)s failed: %(error)s")
            % {"tool": Path(command[0]).name, "error": done.stderr.strip()[-2000:]},
            code="tool_failed",
        )


def _pg_dump(alias: str, target: Path) -> None:
    arguments, environment = _pg_environment(alias)
    command = [_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(target)]
    _run(command + arguments, environment)


def _pg_restore(alias: str, source: Path) -> None:
    connections[alias].close()  # our own session must not hold locks on what is dropped
    arguments, environment = _pg_environment(alias)
    command = [_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner"]
    command += ["--no-privileges", "--single-transaction", "--exit-on-error"]
    _run([*command, *arguments, str(source)], environment)
