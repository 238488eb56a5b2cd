"""Open311 GeoReport v2: requests shaped as the specification shows them, onto the ledger."""

import datetime

import pytest
from rest_framework.authtoken.models import Token

from work import services
from work.models import Problem
from work.open311 import public_id

BASE = "/open311/v2"


def key(user) -> str:
    return Token.objects.get_or_create(user=user)[0].key


def post(client, **fields):
    return client.post(f"{BASE}/requests.json", fields)  # form-encoded, as the spec's clients


def test_services_list_one_service_per_problem_category(client, db):
    response = client.get(f"{BASE}/services.json")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    services_json = response.json()
    assert {s["service_code"] for s in services_json} == set(Problem.Category.values)
    first = services_json[0]
    assert set(first) == {
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    }
    assert first["metadata"] is False and first["type"] == "realtime"


def test_a_grid_member_files_a_request_with_a_location(client, town, bob, mei):
    response = post(
        client,
        api_key=key(mei),
        service_code="sanitation",
        lat="27.123456",
        long="104.654321",
        address_string="和平社区2组路口",
        description="路口垃圾堆放三天未清运",
        first_name="梅",
        media_url="",
    )
    assert response.status_code == 201, response.content
    (answer,) = response.json()
    assert set(answer) == {"service_request_id", "service_notice", "account_id"}
    problem = Problem.objects.get()
    assert answer["service_request_id"] == public_id(problem)
    assert problem.grid == town.grids[0] and problem.source == Problem.Source.GRID_MEMBER
    assert (float(problem.latitude), float(problem.longitude)) == (27.123456, 104.654321)
    assert problem.place == "和平社区2组路口" and problem.raised_by == mei
    assert problem.deadline == problem.raised_on + datetime.timedelta(days=7)
    assert problem.responsible == bob  # the grid's chief, as on the page


def test_a_request_at_a_responsibility_area_goes_to_its_grid(client, town, alice, area):
    response = post(
        client, api_key=key(alice), service_code="road", address_id=area.pk, description="路面塌陷"
    )
    assert response.status_code == 201
    problem = Problem.objects.get()
    assert problem.area == area and problem.grid == area.grid


def test_a_villager_files_in_the_grid_of_their_household_and_follows_it(client, town, bob, dave):
    response = post(client, api_key=key(dave), service_code="water", description="水沟堵塞")
    assert response.status_code == 201
    problem = Problem.objects.get()
    assert problem.source == Problem.Source.VILLAGER
    assert problem.grid == town.households[0].joint.parent
    mine = client.get(f"{BASE}/requests.json", {"api_key": key(dave)}).json()
    assert [row["service_request_id"] for row in mine] == [public_id(problem)]


def test_following_a_request_by_its_id_needs_no_key_and_ids_cannot_be_guessed(
    client, town, bob, mei
):
    post(client, api_key=key(mei), service_code="road", description="路灯不亮")
    problem = Problem.objects.get()
    (row,) = client.get(f"{BASE}/requests/{public_id(problem)}.json").json()
    assert row["status"] == "open" and row["service_code"] == "road"
    assert row["description"] == "路灯不亮" and row["agency_responsible"] == town.grids[0].name
    for field in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert datetime.datetime.fromisoformat(row[field]).utcoffset() == datetime.timedelta(
            hours=8
        )
    forged = client.get(f"{BASE}/requests/{problem.pk}.json")
    assert forged.status_code == 404 and forged.json()[0]["code"] == 404
    assert client.get(f"{BASE}/requests/{problem.pk}-AAAAAAAAAA.json").status_code == 404


def test_a_closed_problem_reads_closed_with_its_last_note(client, town, mei, bob, make_problem):
    problem = make_problem(responsible=mei)
    from work.tests.conftest import jpeg

    services.transition(problem=problem, to="submitted", actor=mei, note="已清理", photos=[jpeg()])
    services.transition(problem=problem, to="closed", actor=bob, note="验收合格，销号")
    (row,) = client.get(f"{BASE}/requests/{public_id(problem)}.json").json()
    assert row["status"] == "closed" and row["status_notes"] == "验收合格，销号"


def test_search_filters_as_the_spec_names_them(client, town, alice, mei, eve, make_problem):
    road = make_problem(category="road")
    make_problem(category="sanitation")
    listing = client.get(
        f"{BASE}/requests.json", {"api_key": key(alice), "service_code": "road", "status": "open"}
    ).json()
    assert [row["service_request_id"] for row in listing] == [public_id(road)]
    by_id = client.get(
        f"{BASE}/requests.json",
        {"api_key": key(alice), "service_request_id": public_id(road)},
    ).json()
    assert len(by_id) == 1
    assert client.get(f"{BASE}/requests.json", {"api_key": key(eve)}).json() == []
    closed = client.get(f"{BASE}/requests.json", {"api_key": key(alice), "status": "closed"})
    assert closed.json() == []
    bad = client.get(f"{BASE}/requests.json", {"api_key": key(alice), "start_date": "yesterday"})
    assert bad.status_code == 400 and bad.json()[0]["code"] == 400


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        ({"service_code": "sanitation", "description": "x"}, 401),  # no api_key
        ({"api_key": "not-a-key", "service_code": "sanitation", "description": "x"}, 401),
        ({"service_code": "potholes", "description": "x"}, 400),
        ({"service_code": "road", "description": ""}, 400),
        ({"service_code": "road", "description": "x", "lat": "91", "long": "0"}, 400),
        ({"service_code": "road", "description": "x", "lat": "north", "long": "0"}, 400),
        ({"service_code": "road", "description": "x", "address_id": "999999"}, 404),
    ],
)
def test_bad_requests_get_the_spec_error_shape(client, town, mei, fields, status):
    fields = (
        {"api_key": key(mei), **fields} if "api_key" not in fields and status != 401 else fields
    )
    response = post(client, **fields)
    assert response.status_code == status
    (error,) = response.json()
    assert error["code"] == status and error["description"]
    assert not Problem.objects.exists()


def test_an_outsider_cannot_file_into_another_township(client, town, eve, area):
    response = post(
        client, api_key=key(eve), service_code="road", address_id=area.pk, description="x"
    )
    assert response.status_code == 404
    assert not Problem.objects.exists()
