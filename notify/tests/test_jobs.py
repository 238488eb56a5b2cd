"""The delivery job against a real local HTTP receiver: bodies, signatures, retries, secrets."""

import logging
import random
import socket
import threading
from datetime import timedelta
from urllib.parse import unquote

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone

from notify import jobs, services
from notify.models import Delivery
from notify.tests.conftest import DING_SECRET, DING_TOKEN, WECOM_KEY, make_robot
from notify.tests.receiver import Answer, dingtalk_sign

MD = "### 三色督办：黄牌\n**刘*先**：责任区17 垃圾未清运\n- 时限：11月30日\n- [查看](https://x.org/p/1)"


def _announce(unit, markdown=MD, title="黄牌警示"):
    return services.announce(unit=unit, event="ticket.yellow", title=title, markdown=markdown)


def _later(minutes=0, hours=0):
    return timezone.now() + timedelta(minutes=minutes, hours=hours)


def test_each_vendor_and_format_gets_its_exact_body(town, receiver):
    grid = town.grids[0]
    make_robot(grid, "wecom", "markdown")
    make_robot(grid, "wecom", "text", key="wecom-text-key-0000000001")
    make_robot(grid, "dingtalk", "markdown", secret=DING_SECRET)
    make_robot(grid, "dingtalk", "text", key="ding-text-token-000000001")
    receiver.dingtalk_secrets[DING_TOKEN] = DING_SECRET
    assert _announce(grid) == 4
    assert jobs.deliver_due() == {"sent": 4, "retrying": 0, "dead": 0}
    assert receiver.problems == []
    assert len(receiver.requests) == 4
    by_type = {(r.path, r.body["msgtype"]): r for r in receiver.requests}
    wecom_md = by_type[("/cgi-bin/webhook/send", "markdown")]
    assert wecom_md.query == {"key": WECOM_KEY}
    assert wecom_md.body == {"msgtype": "markdown", "markdown": {"content": MD}}
    wecom_text = by_type[("/cgi-bin/webhook/send", "text")]
    assert wecom_text.body["text"]["content"].startswith("三色督办：黄牌\n刘*先：责任区17")
    assert set(wecom_text.body) == {"msgtype", "text"}
    ding_md = by_type[("/robot/send", "markdown")]
    assert ding_md.body == {"msgtype": "markdown", "markdown": {"title": "黄牌警示", "text": MD}}
    assert set(ding_md.query) == {"access_token", "timestamp", "sign"}
    assert ding_md.query["sign"] == dingtalk_sign(ding_md.query["timestamp"], DING_SECRET)
    ding_text = by_type[("/robot/send", "text")]
    assert ding_text.body["at"] == {"atMobiles": [], "isAtAll": False}
    assert set(ding_text.query) == {"access_token"}  # no secret: not signed
    # The body stored is the body sent, byte for byte as JSON.
    for delivery in Delivery.objects.select_related("robot"):
        assert delivery.status == "sent" and delivery.sent_at and delivery.attempts == 1
        assert delivery.next_attempt_at is None and delivery.last_error == ""
    stored = sorted(str(d.body) for d in Delivery.objects.all())
    assert stored == sorted(str(r.body) for r in receiver.requests)


def test_the_sign_is_url_encoded_base64(town, receiver):
    """The raw query carries the signature percent-encoded ('+', '/', '=' escaped)."""
    robot = make_robot(town.grids[0], "dingtalk", secret=DING_SECRET)
    url = jobs.robot_url(robot, now_ms=1700000000000)
    raw_sign = url.split("sign=")[1]
    expected = dingtalk_sign("1700000000000", DING_SECRET)
    assert unquote(raw_sign) == expected
    assert not any(c in raw_sign for c in "+/=")
    assert "timestamp=1700000000000" in url


def test_a_wrong_signature_is_refused_and_given_up(town, receiver):
    make_robot(town.grids[0], "dingtalk", secret="SECwrong-secret-of-the-robot")
    receiver.dingtalk_secrets[DING_TOKEN] = DING_SECRET
    _announce(town.grids[0])
    assert jobs.deliver_due() == {"sent": 0, "retrying": 0, "dead": 1}
    assert receiver.problems == ["dingtalk: bad sign"]
    delivery = Delivery.objects.get()
    assert delivery.status == "dead" and delivery.last_error.startswith("errcode 40008")


def test_server_errors_retry_with_backoff_then_succeed(town, receiver):
    make_robot(town.grids[0])
    _announce(town.grids[0])
    receiver.answer(Answer(status=500), Answer(status=502))
    start = timezone.now()
    assert jobs.deliver_due(now=start) == {"sent": 0, "retrying": 1, "dead": 0}
    delivery = Delivery.objects.get()
    assert delivery.status == "retrying" and delivery.attempts == 1
    assert delivery.last_error == "HTTP 500"
    wait = delivery.next_attempt_at - start
    assert timedelta(seconds=60) <= wait <= timedelta(seconds=75)
    assert jobs.deliver_due(now=start + timedelta(seconds=59)) == {
        "sent": 0,
        "retrying": 0,
        "dead": 0,
    }
    assert len(receiver.requests) == 1  # not due yet: not sent again
    second = delivery.next_attempt_at
    assert jobs.deliver_due(now=second)["retrying"] == 1
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and delivery.last_error == "HTTP 502"
    assert timedelta(seconds=120) <= delivery.next_attempt_at - second <= timedelta(seconds=150)
    assert jobs.deliver_due(now=delivery.next_attempt_at)["sent"] == 1
    delivery.refresh_from_db()
    assert delivery.status == "sent" and delivery.attempts == 3 and delivery.last_error == ""
    assert len(receiver.requests) == 3 and receiver.problems == []


def test_after_eight_failed_attempts_a_delivery_is_dead(town, receiver):
    make_robot(town.grids[0])
    _announce(town.grids[0])
    receiver.answer(*[Answer(status=503)] * 8)
    now = timezone.now()
    waits = []
    for attempt in range(1, 9):
        counts = jobs.deliver_due(now=now, rng=random.Random(attempt))
        delivery = Delivery.objects.get()
        assert delivery.attempts == attempt
        if attempt < 8:
            assert counts["retrying"] == 1
            waits.append((delivery.next_attempt_at - now).total_seconds())
            now = delivery.next_attempt_at
        else:
            assert counts["dead"] == 1
    assert delivery.status == "dead" and delivery.next_attempt_at is None
    assert len(receiver.requests) == 8
    # 1, 2, 4, … minutes, each stretched by at most a quarter, never past the cap (+ jitter).
    for n, wait in enumerate(waits):
        base = min(60 * 2**n, 3600)
        assert base <= wait <= base * 1.25
    assert jobs.deliver_due(now=now + timedelta(days=1)) == {"sent": 0, "retrying": 0, "dead": 0}


def test_backoff_is_capped():
    assert jobs.backoff(20, random.Random(1)) <= timedelta(seconds=3600 * 1.25)
    assert jobs.backoff(20, random.Random(1)) >= timedelta(seconds=3600)


def test_rate_limit_errcodes_wait_and_are_not_dropped(town, receiver):
    make_robot(town.grids[0])
    _announce(town.grids[0])
    receiver.answer(*[Answer(errcode=45009, errmsg="api freq out of limit")] * 10)
    now = timezone.now()
    for _ in range(10):  # more failures than MAX_ATTEMPTS: a throttled message still waits
        assert jobs.deliver_due(now=now)["retrying"] == 1
        delivery = Delivery.objects.get()
        assert delivery.next_attempt_at - now >= timedelta(seconds=60)
        now = delivery.next_attempt_at
    assert delivery.last_error == "errcode 45009: api freq out of limit"
    assert jobs.deliver_due(now=now)["sent"] == 1
    delivery.refresh_from_db()
    assert delivery.status == "sent" and delivery.attempts == 11
    assert receiver.problems == []


def test_dingtalk_too_fast_waits_at_least_a_minute_then_gives_up_after_a_day(town, receiver):
    make_robot(town.grids[0], "dingtalk")
    _announce(town.grids[0])
    receiver.answer(Answer(errcode=130101, errmsg="send too fast"))
    now = timezone.now()
    assert jobs.deliver_due(now=now)["retrying"] == 1
    delivery = Delivery.objects.get()
    assert delivery.next_attempt_at - now >= timedelta(seconds=60)
    assert delivery.last_error == "errcode 130101: send too fast"
    receiver.answer(Answer(errcode=130101, errmsg="send too fast"))
    assert jobs.deliver_due(now=now + timedelta(hours=25))["dead"] == 1


def test_a_timeout_is_retried(town, receiver):
    make_robot(town.grids[0])
    _announce(town.grids[0])
    receiver.answer(Answer(delay=2.5))  # NOTIFY_TIMEOUT is 1 s in tests
    assert jobs.deliver_due()["retrying"] == 1
    delivery = Delivery.objects.get()
    assert delivery.last_error == "timed out after 1 s"
    assert jobs.deliver_due(now=delivery.next_attempt_at)["sent"] == 1


def test_permanent_errors_stop_at_once(town, receiver):
    make_robot(town.grids[0])
    make_robot(town.grids[1])
    _announce(town.grids[0])
    _announce(town.grids[1])
    receiver.answer(Answer(errcode=93000, errmsg="invalid webhook url"), Answer(status=404))
    assert jobs.deliver_due() == {"sent": 0, "retrying": 0, "dead": 2}
    errors = sorted(Delivery.objects.values_list("last_error", flat=True))
    assert errors == ["HTTP 404", "errcode 93000: invalid webhook url"]


def test_an_answer_that_is_not_json_is_retried(town, receiver):
    make_robot(town.grids[0])
    _announce(town.grids[0])
    receiver.answer(Answer(raw=b"<html>gateway</html>"))
    assert jobs.deliver_due()["retrying"] == 1
    assert "not the robot's JSON" in Delivery.objects.get().last_error


def test_no_secret_in_logs_or_errors(town, receiver, caplog, settings):
    caplog.set_level(logging.DEBUG)
    wecom = make_robot(town.grids[0])
    ding = make_robot(town.grids[1], "dingtalk", secret=DING_SECRET)
    receiver.dingtalk_secrets[DING_TOKEN] = DING_SECRET
    _announce(town.grids[0])
    _announce(town.grids[1])
    # Robots that echo the address back in their error message.
    receiver.answer(
        Answer(errcode=93000, errmsg=f"invalid webhook url, hint: key={WECOM_KEY}"),
        Answer(errcode=310000, errmsg=f"sign not match, token {DING_TOKEN} secret {DING_SECRET}"),
    )
    jobs.deliver_due()
    # A refused connection too (nothing listens on that port).
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    settings.NOTIFY_WECOM_URL = f"http://127.0.0.1:{closed}/cgi-bin/webhook/send"
    services.queue_test(robot=wecom, actor=None)
    assert jobs.deliver_due()["retrying"] == 1
    assert "connection failed" in Delivery.objects.get(event="robot.test").last_error
    text = caplog.text + " ".join(Delivery.objects.values_list("last_error", flat=True))
    for secret in (WECOM_KEY, DING_TOKEN, DING_SECRET, DING_SECRET[:20]):
        assert secret not in text
    assert "sign=" not in text
    assert "key=****" + WECOM_KEY[-4:] in caplog.text  # the masked address is logged
    assert "token ****" in text
    assert ding.key not in str(list(Delivery.objects.values_list("body", flat=True)))


def test_at_most_twenty_a_minute_per_robot(town, receiver):
    make_robot(town.grids[0])
    other = make_robot(town.grids[1])
    for n in range(25):
        services.announce(
            unit=town.grids[0], event="task.created", title=f"任务{n}", markdown=f"任务{n}"
        )
    _announce(town.grids[1])
    now = timezone.now()
    assert jobs.deliver_due(now=now) == {"sent": 21, "retrying": 0, "dead": 0}
    waiting = Delivery.objects.filter(status="queued")
    assert waiting.count() == 5 and all(d.attempts == 0 for d in waiting)
    assert Delivery.objects.get(robot=other).status == "sent"
    assert jobs.deliver_due(now=now)["sent"] == 0
    later = now + timedelta(seconds=61)
    assert jobs.deliver_due(now=later)["sent"] == 5


def test_disabling_a_robot_gives_up_its_queue(town, receiver):
    robot = make_robot(town.grids[0])
    _announce(town.grids[0])
    services.disable_robot(robot=robot, actor=None, reason="群已解散")
    assert jobs.deliver_due() == {"sent": 0, "retrying": 0, "dead": 0}
    assert Delivery.objects.get().status == "dead"
    assert receiver.requests == []


def test_the_deliver_command_reports_counts(town, receiver, capsys):
    make_robot(town.grids[0])
    _announce(town.grids[0])
    call_command("deliver")
    assert "sent 1, retrying 0, dead 0" in capsys.readouterr().out


def test_the_worker_loop_stops_on_sigterm(town, receiver, capsys):
    import os
    import signal

    make_robot(town.grids[0])
    _announce(town.grids[0])
    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGTERM))
    timer.start()
    before = signal.getsignal(signal.SIGTERM)
    try:
        call_command("deliver", "--loop", "--interval", "0.1")
    finally:
        timer.cancel()
    out = capsys.readouterr().out
    assert "sent 1" in out and out.strip().endswith("stopped")
    assert signal.getsignal(signal.SIGTERM) == before
    assert Delivery.objects.get().status == "sent"


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SKIP LOCKED is PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_never_send_one_twice(receiver):
    from places.tests.factories import build_township

    town = build_township(per_joint=1)
    for grid in town.grids:
        make_robot(grid, key=f"key-of-{grid.pk}-0000000000")
    for n in range(15):
        for grid in town.grids:
            services.announce(
                unit=grid, event="task.created", title=f"任务{n}", markdown=f"{grid.pk}-{n}"
            )
    receiver.delay_every = 0.02
    results, errors, per_worker = [], [], []
    barrier = threading.Barrier(3)

    def worker():
        try:
            barrier.wait()
            mine = [jobs.deliver_due(limit=7) for _ in range(3)]
            results.extend(mine)
            per_worker.append(sum(r["sent"] for r in mine))
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    total = len(town.grids) * 15
    while Delivery.objects.filter(status="queued").exists():
        results.append(jobs.deliver_due())
    contents = [r.body["markdown"]["content"] for r in receiver.requests]
    assert len(contents) == total == len(set(contents))  # every message exactly once
    assert sum(r["sent"] for r in results) == total
    assert Delivery.objects.filter(status="sent", attempts=1).count() == total
    assert sum(1 for n in per_worker if n) >= 2  # the workers really ran side by side
