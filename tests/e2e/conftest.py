"""Browser tests: the app served as in production (gunicorn, DEBUG off, whitenoise), driven by
Debian's Chromium through Playwright.

Fixtures:
- `served_app` (session): base URL of a gunicorn serving a fresh, migrated, seeded database.
- `browser` (module): a headless Chromium.
- `phone`: a page in a 375x812 zh-CN phone viewport.
- `screenshot`: `screenshot(page, "login")` saves test-artifacts/login.png.
A failing test that used `phone` leaves test-artifacts/failed-<test>.png behind.

E2E tests must not touch the ORM: the server has its own database, and Playwright's sync API
keeps an asyncio loop running, which Django refuses (SynchronousOnlyOperation). That is also
why `browser` is module-scoped: the loop stops with it, before other files run on the worker.
"""

import contextlib
import fcntl
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE_VIEWPORT = {"width": 375, "height": 812}
SERVER_START_TIMEOUT = 30


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _tail(path: Path, lines: int = 40) -> str:
    return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


def _run_manage(args: list[str], env: dict, log: Path) -> None:
    """Run a manage.py command for the served app; fail the tests with its output if it fails."""
    with log.open("a", encoding="utf-8") as out:
        out.write(f"\n$ manage.py {' '.join(args)}\n")
        out.flush()
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=REPO_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            timeout=300,
        )
    if done.returncode != 0:
        pytest.fail(
            f"manage.py {' '.join(args)} failed for the e2e server:\n{_tail(log)}", pytrace=False
        )


def _postgres_params(url: str) -> dict:
    parts = urlsplit(url)
    return {
        "host": parts.hostname or "",
        "port": parts.port or 5432,
        "user": parts.username or "",
        "password": parts.password or "",
    }


class _PostgresDatabase:
    """A throwaway database next to the one DATABASE_URL names, created and dropped here."""

    def __init__(self, url: str, suffix: str = "e2e"):
        self.name = f"xiangzhi_{suffix}_{os.getpid()}"
        self.url = urlsplit(url)._replace(path=f"/{self.name}").geturl()
        self._params = _postgres_params(url)

    def _execute(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(dbname="postgres", autocommit=True, **self._params) as conn:
            conn.execute(sql)

    def create(self) -> None:
        self._execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        self._execute(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        self._execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def _wait_until_serving(base_url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"gunicorn exited with {server.returncode}:\n{_tail(log)}")
        try:
            with urllib.request.urlopen(f"{base_url}/accounts/login/", timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answers; the tests judge the answer
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"gunicorn did not answer within {SERVER_START_TIMEOUT}s:\n{_tail(log)}")


@pytest.fixture(scope="session")
def served_app(tmp_path_factory):
    """Serve a fresh, seeded database through gunicorn as production does; yield the base URL."""
    with serve(tmp_path_factory, "e2e") as base_url:
        yield base_url


@contextlib.contextmanager
def serve(tmp_path_factory, name: str):
    """A freshly migrated and seeded database of its own, served by gunicorn; the base URL."""
    ARTIFACTS.mkdir(exist_ok=True)
    log = ARTIFACTS / f"{name}-server-{_worker()}.log"
    log.write_text("", encoding="utf-8")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "MEDIA_ROOT": str(tmp_path_factory.mktemp(f"{name}-media")),
    }
    database_url = os.environ.get("DATABASE_URL", "")
    postgres = None
    if re.match(r"postgres(ql)?://", database_url):
        postgres = _PostgresDatabase(database_url, suffix=name)
        postgres.create()
        env["DATABASE_URL"] = postgres.url
    else:
        # An empty value (not a missing one) also keeps a DATABASE_URL in .env from applying.
        env["DATABASE_URL"] = ""
        env["SQLITE_PATH"] = str(tmp_path_factory.mktemp(f"{name}-db") / f"{name}.sqlite3")
    server = None
    try:
        _run_manage(["migrate", "--no-input", "-v", "0"], env, log)
        _run_manage(["seed_demo"], env, log)
        _collectstatic(env, log)
        port = _free_port()
        with log.open("a", encoding="utf-8") as out:
            out.write(f"\n$ gunicorn on 127.0.0.1:{port}\n")
            out.flush()
            server = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}"]
                + ["--workers", "2", "--no-control-socket", "--access-logfile", "-"]
                + ["--log-level", "info"],
                cwd=REPO_ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        base_url = f"http://127.0.0.1:{port}"
        _wait_until_serving(base_url, server, log)
        yield base_url
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        if postgres is not None:
            postgres.drop()


def _collectstatic(env: dict, log: Path) -> None:
    """collectstatic into the shared STATIC_ROOT, one xdist worker at a time."""
    with (ARTIFACTS / ".collectstatic.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        _run_manage(["collectstatic", "--no-input", "-v", "0"], env, log)


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            f"{CHROMIUM} is missing: browser tests need Debian's Chromium "
            "(apt-get install chromium fonts-noto-cjk; .ci/run installs it)",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.e2e_failed = report.failed
    return report


@pytest.fixture
def phone(request, browser, served_app):
    """A page in a 375x812 phone viewport, Chinese locale, relative URLs go to the app."""
    context = browser.new_context(
        base_url=served_app,
        viewport=PHONE_VIEWPORT,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    blocked = []  # what the Content-Security-Policy refused: a page broken for real users
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield page
    if getattr(request.node, "e2e_failed", False):
        name = re.sub(r"[^\w.-]+", "_", request.node.name)
        page.screenshot(path=ARTIFACTS / f"failed-{name}.png", full_page=True)
    context.close()
    assert not blocked, "blocked by the Content-Security-Policy:\n" + "\n".join(blocked)


@pytest.fixture
def screenshot():
    """`screenshot(page, "login")` saves the full page to test-artifacts/login.png."""

    def _save(page, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=path, full_page=True)
        return path

    return _save
