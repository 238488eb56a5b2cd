"""The API under fuzz: schemathesis against the live app (gunicorn, demo data), as three roles.

Every operation in /api/schema/ is called with generated requests (valid and invalid bodies,
parameters and ids) as a township secretary, a grid chief and a villager. No answer may be a
5xx and no answer may break the schema the API publishes for its status code. The server is a
database of its own (the fuzz writes), seeded with both demo townships.
"""

import json
import urllib.request

import pytest
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from .conftest import serve

ROLES = ("dayi_secretary", "dayi_chief", "dayi_villager")
EXAMPLES = 8  # per operation and role: the CI budget; raise it locally to dig deeper


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory):
    with serve(tmp_path_factory, "fuzz") as base_url:
        yield base_url


@pytest.fixture(scope="module")
def tokens(fuzz_app) -> dict[str, str]:
    found = {}
    for username in ROLES:
        request = urllib.request.Request(
            f"{fuzz_app}/api/v1/auth/token/",
            data=json.dumps({"username": username, "password": "demo2026"}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            found[username] = json.load(response)["token"]
    return found


def _published_schema() -> dict:
    """What /api/schema/ serves, generated in-process so the operations are known at collection
    (schemathesis' lazy loading from a fixture does not work with this pytest)."""
    generator = SchemaGenerator()
    return json.loads(OpenApiJsonRenderer().render(generator.get_schema(request=None, public=True)))


schema = schemathesis.openapi.from_dict(_published_schema())
fuzz = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
    database=None,
)


def _call_and_check(case, base_url: str, token: str) -> None:
    response = case.call(base_url=base_url, headers={"Authorization": f"Token {token}"}, timeout=30)
    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])


@schema.parametrize()
@fuzz
def test_as_a_township_secretary(case, fuzz_app, tokens):
    _call_and_check(case, fuzz_app, tokens["dayi_secretary"])


@schema.parametrize()
@fuzz
def test_as_a_grid_chief(case, fuzz_app, tokens):
    _call_and_check(case, fuzz_app, tokens["dayi_chief"])


@schema.parametrize()
@fuzz
def test_as_a_villager(case, fuzz_app, tokens):
    _call_and_check(case, fuzz_app, tokens["dayi_villager"])
