"""API-wide rules: errors as {"code", "detail"}, no DELETE, login required, a valid schema."""

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.management import call_command
from drf_spectacular.drainage import GENERATOR_STATS
from rest_framework.test import APIClient, APIRequestFactory, force_authenticate

from core.api import exception_handler
from core.errors import NotInScope, ServiceError

LISTS = ["units", "households", "residents", "assignments", "users"]


def detail_urls(town, bob):
    from people.models import RoleAssignment

    household = town.households[0]
    resident = household.members.get()
    assignment = RoleAssignment.objects.get(user=bob)
    return [
        f"/api/v1/units/{town.grids[0].id}/",
        f"/api/v1/units/{town.grids[0].id}/move/",
        f"/api/v1/units/{town.grids[0].id}/households/",
        f"/api/v1/households/{household.id}/",
        f"/api/v1/households/{household.id}/move/",
        f"/api/v1/residents/{resident.id}/",
        f"/api/v1/residents/{resident.id}/identity/",
        f"/api/v1/assignments/{assignment.id}/",
        f"/api/v1/assignments/{assignment.id}/end/",
    ]


@pytest.mark.parametrize("name", LISTS)
def test_lists_need_a_login(db, name):
    response = APIClient().get(f"/api/v1/{name}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code in (401, 403)
    assert response.data == {
        "code": "not_authenticated",
        "detail": "Authentication credentials were not provided.",
    }


def test_every_object_endpoint_needs_a_login(town, bob):
    client = APIClient()
    for url in detail_urls(town, bob):
        response = client.get(url)
        assert response.status_code in (401, 403), url
        assert response.data["code"] == "not_authenticated", url


def test_errors_are_translated_by_default(db):
    response = APIClient().get("/api/v1/units/")
    assert response.data["detail"] == "身份认证信息未提供。"  # LANGUAGE_CODE is zh-hans


def test_nothing_is_ever_deleted_or_replaced(api, town, alice, bob):
    client = api(alice)
    urls = [f"/api/v1/{name}/" for name in LISTS] + detail_urls(town, bob)
    for url in urls:
        for method in (client.delete, client.put):
            response = method(url, {}, format="json")
            assert response.status_code == 405, (method, url)
            assert response.data["code"] == "method_not_allowed"
            assert response.data["detail"]


def test_an_unknown_id_is_404(api, town, alice):
    for name in ["units", "households", "residents", "assignments"]:
        response = api(alice).get(f"/api/v1/{name}/987654/")
        assert response.status_code == 404
        assert response.data["code"] == "not_found"


def test_service_errors_map_to_their_status():
    response = exception_handler(ServiceError("Too late.", code="too_late"), {})
    assert (response.status_code, response.data) == (
        400,
        {"code": "too_late", "detail": "Too late."},
    )
    response = exception_handler(NotInScope(), {})
    assert (response.status_code, response.data["code"]) == (404, "not_found")


def test_django_validation_errors_map_to_400_with_fields():
    error = DjangoValidationError({"phone": ["Not a phone number."]})
    response = exception_handler(error, {})
    assert response.status_code == 400
    assert response.data == {
        "code": "invalid",
        "detail": "phone: Not a phone number.",
        "fields": {"phone": ["Not a phone number."]},
    }
    response = exception_handler(DjangoValidationError("Out of order."), {})
    assert response.data["detail"] == "Out of order."
    assert response.data["fields"] == {"non_field_errors": ["Out of order."]}


def test_schema_lists_every_operation(db):
    response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    expected = {
        "/api/v1/auth/token/": {"post"},
        "/api/v1/units/": {"get", "post"},
        "/api/v1/units/{id}/": {"get", "patch"},
        "/api/v1/units/{id}/move/": {"post"},
        "/api/v1/units/{id}/households/": {"get"},
        "/api/v1/households/": {"get", "post"},
        "/api/v1/households/{id}/": {"get", "patch"},
        "/api/v1/households/{id}/move/": {"post"},
        "/api/v1/residents/": {"get", "post"},
        "/api/v1/residents/{id}/": {"get", "patch"},
        "/api/v1/residents/{id}/identity/": {"get"},
        "/api/v1/assignments/": {"get", "post"},
        "/api/v1/assignments/{id}/": {"get"},
        "/api/v1/assignments/{id}/end/": {"post"},
        "/api/v1/users/": {"get"},
    }
    for path, methods in expected.items():
        assert set(paths[path]) - {"parameters"} == methods, path
    post = paths["/api/v1/residents/"]["post"]
    assert post["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/ResidentCreateRequest"
    )
    assert set(post["responses"]) == {"201", "400", "403", "404"}


def test_schema_validates_without_warnings(db, tmp_path):
    GENERATOR_STATS.reset()
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yml"))
    assert (tmp_path / "s.yml").read_text().startswith("openapi:")


@pytest.mark.parametrize(
    "query",
    [
        "areas/?unit=99999999999999999999999",
        "areas/?owner=1.5",
        "units/?parent=-3",
        "units/?grid_level=12",
        "households/?unit=abc",
        "residents/?household=18446744073709551616",
        "points/entries/?village=99999999999999999999",
    ],
)
def test_a_query_number_out_of_range_is_a_400_not_a_server_error(api, town, alice, query):
    response = api(alice).get(f"/api/v1/{query}")
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid"


def test_a_value_the_database_cannot_hold_is_a_400(api, town, alice):
    from rest_framework.views import APIView

    class Overflowing(APIView):
        def get(self, request):
            raise OverflowError("Python int too large to convert to SQLite INTEGER")

    request = APIRequestFactory().get("/")
    force_authenticate(request, user=alice)
    response = Overflowing.as_view()(request)
    assert response.status_code == 400
    assert response.data == {"code": "out_of_range", "detail": "请求中有数值超出允许范围。"}


def test_nested_field_errors_fit_the_error_schema(api, town, alice):
    response = api(alice).post("/api/v1/points/lists/", {"items": [{}]}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert isinstance(body["fields"], dict) and body["code"] == "invalid"


def test_times_of_day_are_described_as_drf_writes_them():
    from core.api import TIME_OF_DAY, times_without_offset

    schema = {
        "a": {"type": "string", "format": "time"},
        "b": [{"type": "string", "format": "date"}],
    }
    times_without_offset(schema, None, None, True)
    assert schema["a"] == {"type": "string", "pattern": TIME_OF_DAY}
    assert schema["b"][0]["format"] == "date"
