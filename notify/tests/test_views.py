"""Pages of notify: the robots panel on the unit page, adding, disabling, testing, the messages
list. Allowed, denied (403) and out of scope (404) for each, with the personas."""

import pytest
from django.urls import reverse

from core import audit
from notify import services
from notify.models import Delivery, Robot
from notify.tests.conftest import DING_SECRET, WECOM_KEY, make_robot


def _unit_page(client, unit):
    return client.get(reverse("places:unit", args=[unit.pk]))


def test_managers_see_the_panel_with_the_key_masked(town, alice, committee, login):
    robot = make_robot(town.grids[0])
    services.announce(unit=town.grids[0], event="task.created", title="新任务：清扫", markdown="x")
    for user in (alice, committee):
        page = _unit_page(login(user), town.grids[0]).content.decode()
        assert 'id="notify"' in page and robot.name in page
        assert "****" + WECOM_KEY[-4:] in page and WECOM_KEY not in page
        assert "新任务：清扫" in page
        assert reverse("notify:robot_test", args=[robot.pk]) in page
        panel = page[page.index('id="notify"') :]
        assert panel.count('name="csrfmiddlewaretoken"') >= 2  # the test and disable forms


def test_others_see_no_panel(town, bob, login):
    make_robot(town.grids[0])
    response = _unit_page(login(bob), town.grids[0])
    assert response.status_code == 200  # bob sees his grid, but not its robots
    assert 'id="notify"' not in response.content.decode()


def test_a_unit_without_robot_tells_where_its_messages_go(town, alice, login):
    make_robot(town.villages[0], name="第1村两委群")
    page = _unit_page(login(alice), town.joints[0]).content.decode()
    assert "第1村两委群" in page
    assert reverse("notify:robot_new", args=[town.joints[0].pk]) not in page  # 联户: no robots
    page = _unit_page(login(alice), town.grids[2]).content.decode()
    assert reverse("notify:robot_new", args=[town.grids[2].pk]) in page


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("alice", 200),
        ("committee", 200),
        ("bob", 403),
        ("charlie", 404),
        ("eve", 404),
        ("dave", 404),
    ],
)
def test_the_new_robot_page_scope(town, login, request, persona, expected):
    user = request.getfixturevalue(persona)
    response = login(user).get(reverse("notify:robot_new", args=[town.grids[0].pk]))
    assert response.status_code == expected


def test_adding_a_robot(town, committee, login):
    client = login(committee)
    url = reverse("notify:robot_new", args=[town.grids[0].pk])
    response = client.post(
        url,
        {
            "name": "和平社区002网格联户群",
            "vendor": "dingtalk",
            "message_format": "text",
            "key": "https://oapi.dingtalk.com/robot/send?access_token=tok-123456789abc",
            "secret": DING_SECRET,
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith(
        reverse("places:unit", args=[town.grids[0].pk]) + "#notify"
    )
    robot = Robot.objects.get()
    assert robot.key == "tok-123456789abc" and robot.secret == DING_SECRET
    assert robot.township == town.township and robot.created_by == committee
    page = client.get(response["Location"]).content.decode()
    assert "tok-123456789abc" not in page and DING_SECRET not in page and "****9abc" in page
    (entry,) = audit.history(robot)
    assert entry.actor == committee
    assert "tok-123456789abc" not in str(entry.changes) and DING_SECRET not in str(entry.changes)


def test_a_refused_robot_is_not_echoed_back(town, alice, login):
    client = login(alice)
    url = reverse("notify:robot_new", args=[town.grids[0].pk])
    response = client.post(
        url,
        {
            "vendor": "wecom",
            "message_format": "markdown",
            "key": "k-secret-1",
            "secret": "s-secret-2",
        },
    )
    assert response.status_code == 400  # WeCom robots do not sign
    page = response.content.decode()
    assert "k-secret-1" not in page and "s-secret-2" not in page
    assert not Robot.objects.exists()
    group = town.groups[0]  # a villagers' group holds no robot
    response = client.post(
        reverse("notify:robot_new", args=[group.pk]),
        {"vendor": "wecom", "message_format": "markdown", "key": "k-secret-1"},
    )
    assert response.status_code == 400 and not Robot.objects.exists()


@pytest.mark.parametrize("persona", ["bob", "charlie", "eve"])
def test_others_cannot_add_robots(town, login, request, persona):
    user = request.getfixturevalue(persona)
    response = login(user).post(
        reverse("notify:robot_new", args=[town.grids[0].pk]),
        {"vendor": "wecom", "message_format": "markdown", "key": "abc"},
    )
    assert response.status_code in (403, 404)
    assert not Robot.objects.exists()


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("alice", 302), ("committee", 302), ("bob", 403), ("charlie", 404), ("eve", 404)],
)
def test_disabling_a_robot_scope(town, login, request, persona, expected):
    robot = make_robot(town.grids[0])
    user = request.getfixturevalue(persona)
    response = login(user).post(reverse("notify:robot_disable", args=[robot.pk]))
    assert response.status_code == expected
    robot.refresh_from_db()
    assert robot.is_active is (expected != 302)
    if expected == 302:
        assert audit.history(robot).filter(action="disable", actor=user).exists()


def test_disable_and_test_need_post(town, alice, login):
    robot = make_robot(town.grids[0])
    client = login(alice)
    assert client.get(reverse("notify:robot_disable", args=[robot.pk])).status_code == 405
    assert client.get(reverse("notify:robot_test", args=[robot.pk])).status_code == 405


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("alice", 302), ("committee", 302), ("bob", 403), ("charlie", 404), ("eve", 404)],
)
def test_the_test_message_scope(town, login, request, persona, expected):
    robot = make_robot(town.grids[0])
    user = request.getfixturevalue(persona)
    response = login(user).post(reverse("notify:robot_test", args=[robot.pk]))
    assert response.status_code == expected
    assert Delivery.objects.filter(robot=robot, event="robot.test").exists() is (expected == 302)


def test_a_disabled_robot_gets_no_test_message(town, alice, login):
    robot = make_robot(town.grids[0])
    services.disable_robot(robot=robot, actor=alice)
    response = login(alice).post(reverse("notify:robot_test", args=[robot.pk]), follow=True)
    assert (
        "This robot is disabled." in response.content.decode()
        or "已停用" in response.content.decode()
    )
    assert not Delivery.objects.exists()


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("alice", 200), ("committee", 200), ("bob", 403), ("charlie", 404), ("eve", 404)],
)
def test_the_messages_page_scope(town, login, request, persona, expected):
    make_robot(town.grids[0])
    user = request.getfixturevalue(persona)
    response = login(user).get(reverse("notify:unit_deliveries", args=[town.grids[0].pk]))
    assert response.status_code == expected


def test_the_messages_page_query_count_does_not_grow(town, alice, login, django_assert_num_queries):
    make_robot(town.grids[0])
    make_robot(town.grids[0], vendor="dingtalk")
    client = login(alice)
    url = reverse("notify:unit_deliveries", args=[town.grids[0].pk])
    services.announce(unit=town.grids[0], event="task.created", title="一", markdown="一")
    client.get(url)  # warm the session and the content types
    # session, user, roles, unit, count, page of deliveries (with their robots)
    with django_assert_num_queries(6):
        assert client.get(url).status_code == 200
    for n in range(20):
        services.announce(unit=town.grids[0], event="task.created", title=f"任务{n}", markdown="x")
    with django_assert_num_queries(6):
        page = client.get(url).content.decode()
    assert "任务19" in page


def test_the_unit_page_panel_query_count_does_not_grow(
    town, alice, login, django_assert_max_num_queries
):
    make_robot(town.grids[0])
    client = login(alice)
    url = reverse("places:unit", args=[town.grids[0].pk])
    client.get(url)
    services.announce(unit=town.grids[0], event="task.created", title="一", markdown="一")
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    baseline = len(few.captured_queries)
    for n in range(12):
        make_robot(town.grids[0], vendor="dingtalk", key=f"token-number-{n:04d}")
        services.announce(unit=town.grids[0], event="task.created", title=f"任务{n}", markdown="x")
    with django_assert_max_num_queries(baseline):
        client.get(url)


def test_the_admin_never_shows_the_key(town, admin_client):
    robot = make_robot(town.grids[0], "dingtalk", secret=DING_SECRET)
    services.announce(unit=town.grids[0], event="task.created", title="新任务", markdown="x")
    for url in (
        reverse("admin:notify_robot_changelist"),
        reverse("admin:notify_robot_change", args=[robot.pk]),
        reverse("admin:notify_delivery_changelist"),
    ):
        response = admin_client.get(url)
        assert response.status_code == 200
        page = response.content.decode()
        assert robot.key not in page and DING_SECRET not in page
