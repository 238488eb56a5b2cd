"""Content-Security-Policy: every page says where scripts may come from, and none is inline."""

import re
from pathlib import Path

import pytest
from django.conf import settings

SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
INLINE_HANDLER = re.compile(
    r"\son(?:click|change|submit|load|input|key\w+|focus|blur|mouse\w+|error)\s*=", re.IGNORECASE
)


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.mark.parametrize("path", ["/accounts/login/", "/", "/api/docs/"])
def test_pages_send_a_policy_without_inline_scripts(client, login, alice, path):
    response = login(alice).get(path)
    assert response.status_code == 200
    policy = _policy(response)
    assert policy["script-src"] == ["'self'"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    for attributes in SCRIPT_TAG.findall(response.content.decode()):
        assert "src=" in attributes or "application/json" in attributes, attributes


def test_the_api_docs_load_swagger_from_this_site(client, login, alice):
    page = login(alice).get("/api/docs/").content.decode()
    sources = re.findall(r'<script[^>]*src="([^"]+)"', page)
    assert sources and all(source.startswith("/") for source in sources), sources
    script = login(alice).get(sources[-1])
    assert script.status_code == 200 and b"SwaggerUIBundle" in script.content


def _templates():
    root = Path(settings.BASE_DIR)
    for path in sorted(root.rglob("*.html")):
        parts = path.relative_to(root).parts
        if parts[0] in (".venv", "staticfiles", "test-artifacts", "node_modules"):
            continue
        yield path


def test_no_template_has_inline_script_code_or_handlers():
    offenders = []
    for path in _templates():
        text = path.read_text(encoding="utf-8")
        for attributes in SCRIPT_TAG.findall(text):
            if "src=" not in attributes and "application/json" not in attributes:
                offenders.append(f"{path}: <script{attributes}>")
        offenders += [f"{path}: inline handler" for _ in INLINE_HANDLER.findall(text)]
    assert not offenders, "inline scripts are blocked by the CSP:\n" + "\n".join(offenders)
