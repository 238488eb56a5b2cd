"""The newcomer's first command, run as written in the README: `make run`.

It must migrate the embedded database, load the demo townships once, print the demo logins and
serve the login page (static files included); a second `make run` keeps the data.
"""

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

REPO_ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _make_run(db: Path, port: int, log: Path) -> subprocess.Popen:
    env = {**os.environ, "SQLITE_PATH": str(db), "DATABASE_URL": "", "PORT": str(port)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.Popen(
        ["make", "run", f"PORT={port}"],
        cwd=REPO_ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: make, gunicorn and workers stop together
    )


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read().decode("utf-8", "replace")


def _serve_once(db: Path, log: Path) -> str:
    port = _free_port()
    process = _make_run(db, port, log)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert process.poll() is None, log.read_text()
            try:
                status, body = _get(f"http://127.0.0.1:{port}/accounts/login/")
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail(f"make run did not serve within 120 s:\n{log.read_text()}")
        assert status == 200 and "乡治" in body
        css = next(part.split('"')[0] for part in body.split('href="')[1:] if ".css" in part)
        assert _get(f"http://127.0.0.1:{port}{css}")[0] == 200
        return log.read_text()
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)


def test_make_run_serves_the_demo_and_keeps_data(tmp_path):
    db = tmp_path / "xiangzhi.sqlite3"
    first = _serve_once(db, tmp_path / "first.log")
    assert "dayi_chief" in first and "demo2026" in first  # the demo logins are printed
    assert "http://127.0.0.1:" in first
    second = _serve_once(db, tmp_path / "second.log")
    assert "already loaded" in second  # the second run keeps the data
