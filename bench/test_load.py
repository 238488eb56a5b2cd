"""Load: 50 concurrent clients against gunicorn on the household list and the household page.

The app is served as in production (gunicorn, DEBUG off, the seeded demo database of its own,
on SQLite or on PostgreSQL when DATABASE_URL points there). Each client is a thread with its
own keep-alive connection, logged in as the demo grid chief, requesting one page as fast as it
answers for LOAD_SECONDS (default 60). Baseline in the same run: `/healthz`, a view that renders
nothing and reads no database, under the same load: what gunicorn and the middleware cost alone.
"""

import http.client
import os
import re
import statistics
import threading
import time
import urllib.parse

import pytest

from tests.e2e.conftest import serve

pytestmark = pytest.mark.bench

CLIENTS = int(os.environ.get("LOAD_CLIENTS", "50"))
SECONDS = float(os.environ.get("LOAD_SECONDS", "60"))


def _session(base: str, username: str, password: str = "demo2026") -> str:
    """Log in through the login form; the session cookie header for the clients."""
    netloc = urllib.parse.urlsplit(base).netloc
    connection = http.client.HTTPConnection(netloc, timeout=30)
    connection.request("GET", "/accounts/login/")
    response = connection.getresponse()
    response.read()
    csrf = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie")).group(1)
    body = urllib.parse.urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": csrf}
    )
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"csrftoken={csrf}",
        "Referer": f"{base}/accounts/login/",
    }
    connection.request("POST", "/accounts/login/", body=body, headers=headers)
    response = connection.getresponse()
    response.read()
    assert response.status == 302, response.status
    session = re.search(r"sessionid=([^;]+)", response.getheader("Set-Cookie")).group(1)
    return f"sessionid={session}"


def _get(base: str, path: str, cookie: str) -> str:
    connection = http.client.HTTPConnection(urllib.parse.urlsplit(base).netloc, timeout=30)
    connection.request("GET", path, headers={"Cookie": cookie})
    response = connection.getresponse()
    assert response.status == 200, (path, response.status)
    return response.read().decode("utf-8")


def _load(base: str, path: str, cookie: str) -> dict:
    netloc = urllib.parse.urlsplit(base).netloc
    latencies: list[float] = []
    errors = []
    lock = threading.Lock()
    stop_at = time.monotonic() + SECONDS

    def client():
        connection = http.client.HTTPConnection(netloc, timeout=60)
        mine, failed = [], 0
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers={"Cookie": cookie})
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                connection.close()
                connection = http.client.HTTPConnection(netloc, timeout=60)
            if ok:
                mine.append(time.perf_counter() - started)
            else:
                failed += 1
        with lock:
            latencies.extend(mine)
            errors.append(failed)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()
    quantiles = statistics.quantiles(latencies, n=100)
    return {
        "requests": len(latencies),
        "errors": sum(errors),
        "per_second": round(len(latencies) / SECONDS, 1),
        "p50_ms": round(quantiles[49] * 1000, 1),
        "p95_ms": round(quantiles[94] * 1000, 1),
    }


def test_household_list_and_page_under_fifty_clients(tmp_path_factory, report):
    with serve(tmp_path_factory, "load") as base:
        cookie = _session(base, "dayi_chief")
        home = _get(base, "/", cookie)
        grid = re.search(r'href="(/places/units/\d+/)"', home).group(1)
        household = re.search(r'href="(/places/households/\d+/)"', _get(base, grid, cookie))
        targets = {"healthz": "/healthz", "household_list": grid, "household": household.group(1)}
        figures = {name: _load(base, path, cookie) for name, path in targets.items()}
    for name in ("household_list", "household"):
        figures[name]["p50_vs_healthz"] = round(
            figures[name]["p50_ms"] / figures["healthz"]["p50_ms"], 1
        )
        figures[name]["p95_vs_healthz"] = round(
            figures[name]["p95_ms"] / figures["healthz"]["p95_ms"], 1
        )
    figures["clients"], figures["seconds"] = CLIENTS, SECONDS
    figures["database"] = "postgresql" if os.environ.get("DATABASE_URL") else "sqlite"
    report(f"load-{figures['database']}", figures)
    for name in targets:
        assert figures[name]["errors"] == 0, figures
