"""API of notify: robots and deliveries, allowed / denied (403) / out of scope (404)."""

import pytest
from django.urls import reverse

from notify import services
from notify.models import Delivery, Robot
from notify.tests.conftest import DING_SECRET, DING_TOKEN, WECOM_KEY, make_robot

ROBOTS = reverse("api:notify-robot-list")
DELIVERIES = reverse("api:notify-delivery-list")


def _robot_url(name, robot):
    return reverse(f"api:notify-{name}", args=[robot.pk])


@pytest.fixture
def robots(town):
    return [
        make_robot(town.grids[0]),
        make_robot(town.villages[0], "dingtalk", secret=DING_SECRET),
        make_robot(town.grids[2], key="other-village-key-0000001"),
    ]


def test_anonymous_is_refused(town, api, robots):
    assert api().get(ROBOTS).status_code in (401, 403)
    assert api().get(DELIVERIES).status_code in (401, 403)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("alice", 3), ("committee", 2), ("bob", 0), ("charlie", 0), ("eve", 0), ("dave", 0)],
)
def test_the_robot_list_is_what_the_user_manages(api, robots, request, persona, expected):
    response = api(request.getfixturevalue(persona)).get(ROBOTS)
    assert response.status_code == 200
    assert response.json()["count"] == expected


def test_the_robot_list_hides_keys_and_filters(api, alice, robots, town):
    response = api(alice).get(ROBOTS, {"unit": town.villages[0].pk})
    (row,) = response.json()["results"]
    assert row["key_hint"] == "****" + DING_TOKEN[-4:] and row["signed"] is True
    assert "key" not in row and "secret" not in row
    assert row["unit"] == {"id": town.villages[0].pk, "kind": "village", "name": "达依乡第1村"}
    text = api(alice).get(ROBOTS).content.decode()
    for secret in (WECOM_KEY, DING_TOKEN, DING_SECRET):
        assert secret not in text
    assert api(alice).get(ROBOTS, {"vendor": "wecom"}).json()["count"] == 2


def test_the_robot_list_query_count(api, alice, town, django_assert_num_queries):
    for n in range(5):
        make_robot(town.grids[n % 4], key=f"key-number-{n:08d}")
    client = api(alice)
    # roles, count, page (robots with their units)
    with django_assert_num_queries(3):
        assert client.get(ROBOTS).json()["count"] == 5


def test_creating_a_robot(api, committee, town):
    response = api(committee).post(
        ROBOTS,
        {
            "unit": town.grids[1].pk,
            "name": "第1村002网格群",
            "vendor": "dingtalk",
            "message_format": "markdown",
            "key": DING_TOKEN,
            "secret": DING_SECRET,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["key_hint"] == "****" + DING_TOKEN[-4:] and body["signed"] is True
    assert DING_TOKEN not in response.content.decode()
    assert DING_SECRET not in response.content.decode()
    robot = Robot.objects.get(pk=body["id"])
    assert robot.key == DING_TOKEN and robot.created_by == committee


@pytest.mark.parametrize(
    ("persona", "expected"), [("bob", 403), ("charlie", 404), ("eve", 404), ("dave", 404)]
)
def test_others_cannot_create_robots(api, town, request, persona, expected):
    response = api(request.getfixturevalue(persona)).post(
        ROBOTS, {"unit": town.grids[0].pk, "vendor": "wecom", "key": "k"}, format="json"
    )
    assert response.status_code == expected
    assert not Robot.objects.exists()


def test_invalid_robots_are_refused(api, alice, town):
    client = api(alice)
    response = client.post(
        ROBOTS, {"unit": town.grids[0].pk, "vendor": "line", "key": "k"}, format="json"
    )
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    response = client.post(
        ROBOTS,
        {"unit": town.grids[0].pk, "vendor": "wecom", "key": "k-9", "secret": "s-1"},
        format="json",
    )
    assert response.status_code == 400 and response.json()["code"] == "secret"
    response = client.post(
        ROBOTS, {"unit": town.groups[0].pk, "vendor": "wecom", "key": "k-9"}, format="json"
    )
    assert response.status_code == 400 and response.json()["code"] == "bad_unit"
    assert "k-9" not in response.content.decode()
    assert not Robot.objects.exists()


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("alice", 200), ("committee", 200), ("bob", 403), ("charlie", 404), ("eve", 404)],
)
def test_robot_detail_scope(api, robots, request, persona, expected):
    response = api(request.getfixturevalue(persona)).get(_robot_url("robot-detail", robots[0]))
    assert response.status_code == expected
    if expected == 200:
        assert response.json()["key_hint"] == "****" + WECOM_KEY[-4:]


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("alice", 200), ("committee", 200), ("bob", 403), ("charlie", 404), ("eve", 404)],
)
def test_robot_disable_scope(api, robots, request, persona, expected):
    url = _robot_url("robot-disable", robots[0])
    response = api(request.getfixturevalue(persona)).post(url, {"reason": "换群"}, format="json")
    assert response.status_code == expected
    robots[0].refresh_from_db()
    assert robots[0].is_active is (expected != 200)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("alice", 201), ("committee", 201), ("bob", 403), ("charlie", 404), ("eve", 404)],
)
def test_robot_test_scope(api, robots, request, persona, expected):
    response = api(request.getfixturevalue(persona)).post(_robot_url("robot-test", robots[0]))
    assert response.status_code == expected
    assert Delivery.objects.exists() is (expected == 201)
    if expected == 201:
        assert response.json()["status"] == "queued"
        assert response.json()["event"] == "robot.test"


def test_a_disabled_robot_answers_409_to_a_test(api, alice, robots):
    services.disable_robot(robot=robots[0], actor=alice)
    response = api(alice).post(_robot_url("robot-test", robots[0]))
    assert response.status_code == 409 and response.json()["code"] == "inactive"


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("alice", 3), ("committee", 2), ("bob", 0), ("charlie", 0), ("eve", 0)],
)
def test_the_delivery_list_scope(api, robots, town, request, persona, expected):
    for unit in (town.grids[0], town.villages[0], town.grids[2]):
        services.announce(unit=unit, event="task.created", title="新任务", markdown="**x**")
    response = api(request.getfixturevalue(persona)).get(DELIVERIES)
    assert response.status_code == 200
    assert response.json()["count"] == expected


def test_the_delivery_list_filters_and_hides_secrets(api, alice, robots, town):
    services.announce(unit=town.grids[0], event="task.created", title="新任务", markdown="**x**")
    services.announce(unit=town.villages[0], event="ticket.red", title="红牌", markdown="y")
    client = api(alice)
    rows = client.get(DELIVERIES, {"event": "ticket.red"}).json()["results"]
    assert [r["title"] for r in rows] == ["红牌"]
    assert rows[0]["body"] == {"msgtype": "markdown", "markdown": {"title": "红牌", "text": "y"}}
    assert client.get(DELIVERIES, {"unit": town.grids[0].pk}).json()["count"] == 1
    assert client.get(DELIVERIES, {"status": "sent"}).json()["count"] == 0
    text = client.get(DELIVERIES).content.decode()
    for secret in (WECOM_KEY, DING_TOKEN, DING_SECRET):
        assert secret not in text


def test_the_delivery_list_query_count(api, alice, robots, town, django_assert_num_queries):
    for n in range(10):
        services.announce(unit=town.grids[n % 2], event="task.created", title=f"{n}", markdown="x")
    # roles, count, page
    with django_assert_num_queries(3):
        assert api(alice).get(DELIVERIES).json()["count"] == 10
