"""Delivery throughput of `notify.jobs.deliver_due` against raw POSTs, and the cost of `announce`.

1. 2,000 deliveries to 100 robots (20 each: one robot's per-minute allowance) are sent by
   `deliver_due` passes to a local receiver (notify/tests/receiver.py, checking every body).
   Baseline in the same run: the same 2,000 bodies POSTed with bare urllib in one loop, no
   database. The job adds a claim per batch and an outcome UPDATE, committed, per row (so a
   crash never forgets a sent message). Target: at least 35 deliveries/s, what 105 grid robots
   (达依乡) take at their ceiling of 20 messages a minute; the ratio to the baseline is reported.
2. `announce` on a grid whose robot is up the chain (the fallback path), inside a transaction,
   against what a caller would do by hand for a robot it already knows: one look-up of the
   robots of one unit plus a bare `Delivery.objects.create`. Target: under 2×.
Run: .venv/bin/python -m pytest -q -m bench bench/test_notify.py -s
     (PostgreSQL: DATABASE_URL=postgres://postgres@127.0.0.1:5432/xiangzhi_notify …)
"""

import json
import logging
import time
import urllib.request

import pytest
from django.db import transaction

from notify import jobs, services
from notify.messages import body_for
from notify.models import Delivery, Robot
from notify.tests.receiver import Receiver
from places.tests.factories import build_township

pytestmark = [pytest.mark.bench, pytest.mark.django_db(transaction=True)]

ROBOTS = 100
PER_ROBOT = 20
ANNOUNCES = 500


@pytest.fixture
def receiver(settings):
    server = Receiver()
    settings.NOTIFY_WECOM_URL = server.url + "/cgi-bin/webhook/send"
    settings.NOTIFY_DINGTALK_URL = server.url + "/robot/send"
    yield server
    server.stop()


def _robots(town):
    robots = []
    for n in range(ROBOTS):
        unit = town.grids[n % len(town.grids)]
        robots.append(
            services.create_robot(
                unit=unit,
                name=f"压测群{n}",
                vendor="wecom" if n % 2 else "dingtalk",
                message_format="markdown" if n % 3 else "text",
                key=f"bench-key-{n:06d}-0000000000",
                secret="SECbench-secret-0001" if n % 4 == 0 else "",
                actor=None,
            )
        )
    return robots


def test_deliver_due_throughput(receiver, report, caplog):
    caplog.set_level(logging.WARNING, logger="notify.delivery")  # INFO lines per send: off
    town = build_township(name="压测乡", per_joint=1)
    robots = _robots(town)
    markdown = "### 黄牌警示\n**责任区17**：垃圾未清运\n- 时限：11月30日"
    with transaction.atomic():
        for robot in robots:
            for n in range(PER_ROBOT):
                services._queue(
                    robots=[robot], event="bench", title=f"消息{n}", markdown=markdown, actor=None
                )
    total = ROBOTS * PER_ROBOT
    bodies = list(Delivery.objects.select_related("robot").values_list("robot_id", "body"))
    by_id = {robot.pk: robot for robot in robots}

    started = time.perf_counter()
    for robot_id, body in bodies:
        request = urllib.request.Request(
            jobs.robot_url(by_id[robot_id]),
            data=json.dumps(body, ensure_ascii=False).encode(),
            method="POST",
            headers={"Content-Type": "application/json; charset=utf-8"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()
    baseline = time.perf_counter() - started
    receiver.requests.clear()

    started = time.perf_counter()
    sent = 0
    while True:
        counts = jobs.deliver_due(limit=100)
        if not sum(counts.values()):
            break
        sent += counts["sent"]
    elapsed = time.perf_counter() - started
    assert sent == total and receiver.problems == []
    assert Delivery.objects.filter(status="sent").count() == total
    figures = {
        "deliveries": total,
        "robots": ROBOTS,
        "deliver_due_s": round(elapsed, 2),
        "deliveries_per_s": round(total / elapsed),
        "baseline_raw_post_s": round(baseline, 2),
        "baseline_posts_per_s": round(total / baseline),
        "ratio": round(elapsed / baseline, 2),
    }
    report("notify_deliver_due", figures)
    assert figures["deliveries_per_s"] >= 35


def test_announce_cost(report):
    town = build_township(name="压测乡", per_joint=1)
    village = town.villages[0]
    robot = services.create_robot(
        unit=village, name="村群", vendor="wecom", key="bench-key-village-0001", actor=None
    )
    grid = town.grids[0]  # its robot is the village's: the fallback walks up the chain
    markdown = "### 新任务\n**环境卫生**：责任区17"

    def bare():
        list(Robot.objects.filter(unit_id=village.pk, is_active=True))
        Delivery.objects.create(
            township_id=robot.township_id,
            robot=robot,
            event="bench",
            title="新任务",
            body=body_for(vendor="wecom", message_format="markdown", title="t", markdown=markdown),
            next_attempt_at=robot.created_at,
        )

    def announced():
        services.announce(unit=grid, event="bench", title="新任务", markdown=markdown)

    timings = {}
    for name, action in (("lookup_insert", bare), ("announce", announced)):
        started = time.perf_counter()
        with transaction.atomic():
            for _ in range(ANNOUNCES):
                action()
        timings[name] = time.perf_counter() - started
    assert Delivery.objects.count() == 2 * ANNOUNCES
    assert not Robot.objects.exclude(pk=robot.pk).exists()
    figures = {
        "calls": ANNOUNCES,
        "announce_ms": round(timings["announce"] / ANNOUNCES * 1000, 3),
        "baseline_lookup_insert_ms": round(timings["lookup_insert"] / ANNOUNCES * 1000, 3),
        "ratio": round(timings["announce"] / timings["lookup_insert"], 2),
    }
    report("notify_announce", figures)
    assert figures["ratio"] < 2
