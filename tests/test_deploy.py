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

    compose_only = {"POSTGRES_PASSWORD"}  # read by compose.yaml, not by the app
    assert read == _variables_in_env_example() - compose_only


# --- The container stack (compose.yaml, Dockerfile) -----------------------------------------
# No Docker engine runs where the suite runs, so these check the files' structure: the services
# and what each runs, that every variable compose reads is documented, that the commands exist.


def _compose() -> dict:
    import yaml

    return yaml.safe_load((REPO_ROOT / "compose.yaml").read_text(encoding="utf-8"))


def test_compose_runs_postgres_15_the_app_the_worker_and_the_schedule():
    services = _compose()["services"]
    assert services["db"]["image"] == "postgres:15"
    assert services["migrate"]["command"][-2:] == ["migrate", "--no-input"]
    assert "command" not in services["web"]  # the image's CMD: gunicorn
    assert services["worker"]["command"][-2:] == ["deliver", "--loop"]
    assert services["scheduler"]["command"][-2:] == ["schedule", "--loop"]
    for name in ("web", "worker", "scheduler"):
        environment = services[name]["environment"]
        assert environment["DATABASE_URL"].startswith("postgres://xiangzhi:")
        assert environment["DEBUG"] == "0"
        assert services[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )


def test_every_variable_compose_reads_is_documented():
    text = (REPO_ROOT / "compose.yaml").read_text(encoding="utf-8")
    documented = (REPO_ROOT / ".env.example").read_text(encoding="utf-8")
    for name in set(re.findall(r"\$\{([A-Z0-9_]+)", text)):
        assert re.search(rf"^#? ?{name}=", documented, re.MULTILINE), name


def test_the_image_serves_with_gunicorn_and_has_what_backups_and_pdfs_need():
    dockerfile = (REPO_ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.11", dockerfile, re.MULTILINE)
    assert "pip install --no-cache-dir -r requirements.txt" in dockerfile
    assert "postgresql-client-15" in dockerfile and "fonts-noto-cjk" in dockerfile
    assert 'CMD ["gunicorn", "config.wsgi"' in dockerfile
    assert "collectstatic" in dockerfile and "USER xiangzhi" in dockerfile


def test_the_commands_the_stack_runs_exist():
    from django.core.management import get_commands

    commands = get_commands()
    for service in _compose()["services"].values():
        command = service.get("command") or []
        if "manage.py" in command:
            assert command[command.index("manage.py") + 1] in commands


def test_healthz_answers_without_the_database(db, client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.content == b"ok"
