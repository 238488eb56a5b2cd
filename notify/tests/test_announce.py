"""`announce`: which robots speak for a unit; deliveries live in the caller's transaction."""

import pytest
from django.db import transaction

from notify import services
from notify.models import Delivery
from notify.tests.conftest import DING_SECRET, make_robot

MD = "### 新任务\n**环境卫生**：责任区17\n- 截止：11月30日\n- [查看](https://example.org/t/1)"


def _announce(unit, **kw):
    return services.announce(
        unit=unit, event="task.created", title="新任务：环境卫生", markdown=MD, **kw
    )


def test_a_unit_with_its_own_robots_gets_them_all(town):
    grid = town.grids[0]
    a = make_robot(grid)
    b = make_robot(grid, vendor="dingtalk", message_format="text", secret=DING_SECRET)
    make_robot(town.villages[0])  # the village's robot is not used: the grid has its own
    assert _announce(grid) == 2
    rows = {d.robot_id: d for d in Delivery.objects.all()}
    assert set(rows) == {a.pk, b.pk}
    assert rows[a.pk].body == {"msgtype": "markdown", "markdown": {"content": MD}}
    assert rows[b.pk].body["msgtype"] == "text"
    text = rows[b.pk].body["text"]["content"]
    assert "**" not in text and "###" not in text
    assert text.startswith("新任务\n环境卫生：责任区17")
    assert "查看 (https://example.org/t/1)" in text
    delivery = rows[a.pk]
    assert delivery.status == Delivery.Status.QUEUED and delivery.attempts == 0
    assert delivery.next_attempt_at is not None and delivery.township_id == town.township.pk
    assert delivery.event == "task.created" and delivery.title == "新任务：环境卫生"


def test_falls_back_to_the_nearest_ancestor_up_to_the_village(town):
    grid, village = town.grids[0], town.villages[0]
    joint = town.joints[0]  # 联户 under grid 0
    level3 = grid.parent
    village_robot = make_robot(village)
    make_robot(town.township)  # never used for a unit below the township
    assert services.robots_for(joint) == [village_robot]
    assert services.robots_for(grid) == [village_robot]
    level3_robot = make_robot(level3)
    assert services.robots_for(joint) == [level3_robot]  # the nearer grid wins over the village
    grid_robot = make_robot(grid)
    assert services.robots_for(joint) == [grid_robot]
    assert services.robots_for(town.groups[0]) == [village_robot]  # group → its village
    assert services.robots_for(town.grids[2]) == []  # other village: nobody speaks for it
    assert _announce(town.grids[2]) == 0


def test_the_township_robot_speaks_only_for_the_township(town):
    robot = make_robot(town.township)
    assert services.robots_for(town.township) == [robot]
    assert services.robots_for(town.villages[1]) == []


def test_disabled_robots_are_skipped_and_the_chain_goes_on(town):
    village_robot = make_robot(town.villages[0])
    grid_robot = make_robot(town.grids[0])
    services.disable_robot(robot=grid_robot, actor=None)
    assert services.robots_for(town.grids[0]) == [village_robot]


def test_deliveries_roll_back_with_the_callers_write(town):
    make_robot(town.grids[0])

    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        assert _announce(town.grids[0]) == 1
        raise Boom
    assert not Delivery.objects.exists()
    with transaction.atomic():
        _announce(town.grids[0])
    assert Delivery.objects.count() == 1


def test_announce_takes_few_queries(town, django_assert_num_queries):
    make_robot(town.grids[0])
    make_robot(town.grids[0], vendor="dingtalk")
    # robots, insert
    with django_assert_num_queries(2):
        assert _announce(town.grids[0]) == 2


def test_long_messages_are_cut_to_the_vendor_limits(town):
    make_robot(town.grids[0], message_format="text")
    make_robot(town.grids[0])
    services.announce(
        unit=town.grids[0], event="problems.overdue", title="逾期问题", markdown="- 问题\n" * 2000
    )
    for delivery in Delivery.objects.all():
        part = delivery.body[delivery.body["msgtype"]]
        size = len(part["content"].encode("utf-8"))
        assert size <= (4096 if delivery.body["msgtype"] == "markdown" else 2048)
        assert part["content"].endswith("…")


def test_the_actor_is_recorded(town, alice):
    make_robot(town.grids[0])
    _announce(town.grids[0], actor=alice)
    assert Delivery.objects.get().created_by == alice
