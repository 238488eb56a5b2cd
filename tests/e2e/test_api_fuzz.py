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
from hypothesis import HealthCheck, given, settings
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


def _fuzz_every_operation(base_url: str, token: str) -> tuple[list[str], int, int]:
    """Run EXAMPLES generated cases against every operation; the failures, one line each.

    One test per role runs all operations (rather than one pytest item per operation), so the
    run is the same under pytest-xdist, which needs unique test ids.
    """
    failures = []
    operations = 0
    calls = [0]
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def run(case):
            calls[0] += 1
            response = case.call(
                base_url=base_url, headers={"Authorization": f"Token {token}"}, timeout=30
            )
            case.validate_response(
                response, checks=[not_a_server_error, response_schema_conformance]
            )

        try:
            run()
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as error:  # noqa: BLE001 (schemathesis raises exception groups)
            failures.append(f"{operation.label}: {str(error)[:2000]}")
    assert operations > 100, operations  # every app's operations were reached
    return failures, operations, calls[0]


@pytest.mark.parametrize("role", ROLES)
def test_no_operation_answers_a_5xx_or_breaks_its_schema(fuzz_app, tokens, role):
    failures, operations, calls = _fuzz_every_operation(fuzz_app, tokens[role])
    print(f"API fuzz as {role}: {operations} operations, {calls} requests")
    assert not failures, f"{len(failures)} operations failed as {role}:\n\n" + "\n\n".join(failures)
