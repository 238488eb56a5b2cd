"""Production settings: `check --deploy` is clean with only the required variables set, a
missing SECRET_KEY stops the app, and .env.example documents every variable settings read.

The checks run `manage.py` in a subprocess: under pytest the settings relax for tests.
"""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
# Boolean and integer switches: an empty value means "use the default", which also keeps a
# developer's .env (read with setdefault) from weakening what is checked here.
SWITCHES = [
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
    "SESSION_COOKIE_AGE",
]


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, **dict.fromkeys(SWITCHES, "")}
    environment.update(DJANGO_SETTINGS_MODULE="config.settings", DEBUG="0", **env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def test_check_deploy_passes_with_production_defaults():
    key = secrets.token_urlsafe(60)
    assert len(key) >= 50

    done = _manage("check", "--deploy", SECRET_KEY=key, ALLOWED_HOSTS="example.org")

    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "System check identified no issues" in output, output
    assert "WARNINGS" not in output, output


def test_secret_key_is_required_without_debug():
    # Empty rather than absent, so a SECRET_KEY in a local .env does not fill it in.
    done = _manage("check", SECRET_KEY="", ALLOWED_HOSTS="example.org")

    assert done.returncode != 0
    assert "SECRET_KEY must be set" in done.stderr, done.stderr


def _variables_read_by_settings() -> set[str]:
    source = (REPO_ROOT / "config" / "settings.py").read_text(encoding="utf-8")
    calls = r"(?:env_\w+|env_secret|os\.environ\.get|os\.getenv)\(\s*\"([A-Z0-9_]+)\""
    return set(re.findall(calls, source))


def _variables_in_env_example() -> set[str]:
    text = (REPO_ROOT / ".env.example").read_text(encoding="utf-8")
    return set(re.findall(r"^#?\s?([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE))


def test_env_example_documents_every_setting_variable():
    read = _variables_read_by_settings()
    assert {"DEBUG", "SECRET_KEY", "DATABASE_URL", "LOG_LEVEL"} <= read

    assert read == _variables_in_env_example()
