"""The delivery job: send due deliveries to the robots, retry with backoff, give up in the end.

A pass claims a batch of due rows in one short transaction (PostgreSQL: `FOR UPDATE SKIP
LOCKED`, so several workers never take the same row; SQLite: the IMMEDIATE transaction holds
the write lock) by moving their `next_attempt_at` past a lease and counting the attempt. It then
posts each one outside any transaction and records the outcome. A worker that dies mid-send
leaves its rows to be retried once the lease runs out (delivery is at least once).
"""

import base64
import hashlib
import hmac
import json
import logging
import random
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote, urlencode

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Delivery, Robot, mask_secret

log = logging.getLogger("notify.delivery")

WECOM_URL = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send"
DINGTALK_URL = "https://oapi.dingtalk.com/robot/send"
TIMEOUT = 10  # seconds per POST (settings.NOTIFY_TIMEOUT)
MAX_ATTEMPTS = 8
BACKOFF_BASE = 60  # seconds: 1 min, 2, 4, 8, … before attempts 2, 3, 4, …
BACKOFF_CAP = 3600
JITTER = 0.25  # each wait is stretched by up to a quarter, so retries of a burst spread out
RATE_LIMIT_WAIT = 60  # both vendors allow 20 messages a minute per robot
PER_MINUTE = 20
RATE_LIMIT_GIVE_UP = timedelta(hours=24)  # throttled messages wait, but not for ever

# Answers that mean "later", not "never": WeCom 45009 (frequency limit), DingTalk 130101
# (sending too fast), and -1 (system busy) of both.
RATE_LIMITED = {45009, 130101}
BUSY = {-1}


@dataclass
class Outcome:
    ok: bool
    error: str = ""
    retry: bool = True
    throttled: bool = False


def base_url(vendor: str) -> str:
    if vendor == Robot.Vendor.DINGTALK:
        return getattr(settings, "NOTIFY_DINGTALK_URL", DINGTALK_URL)
    return getattr(settings, "NOTIFY_WECOM_URL", WECOM_URL)


def dingtalk_signature(timestamp_ms: int, secret: str) -> str:
    """Base64 of HMAC-SHA256 over "timestamp\\nsecret" with the secret as key (not yet encoded)."""
    message = f"{timestamp_ms}\n{secret}".encode()
    return base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest()).decode()


def robot_url(robot: Robot, *, now_ms: int | None = None) -> str:
    """The full webhook address (with the key, and DingTalk's signature): never log it."""
    if robot.vendor == Robot.Vendor.DINGTALK:
        params = {"access_token": robot.key}
        if robot.secret:
            timestamp = now_ms if now_ms is not None else int(time.time() * 1000)
            params["timestamp"] = str(timestamp)
            params["sign"] = dingtalk_signature(timestamp, robot.secret)
        query = urlencode(params, quote_via=quote)
    else:
        query = urlencode({"key": robot.key}, quote_via=quote)
    return f"{base_url(robot.vendor)}?{query}"


def masked_url(robot: Robot) -> str:
    """The address as logs show it: the key reduced to its last four characters."""
    name = "access_token" if robot.vendor == Robot.Vendor.DINGTALK else "key"
    return f"{base_url(robot.vendor)}?{name}={mask_secret(robot.key)}"


def scrub(text: str, robot: Robot) -> str:
    """`text` without the robot's key or secret (say an error that echoes the address)."""
    for secret in (robot.key, robot.secret, quote(robot.key, safe="")):
        if secret:
            text = text.replace(secret, mask_secret(secret))
    if robot.secret and "sign=" in text:
        text = text.split("sign=")[0] + "sign=****"
    return text


def post(robot: Robot, body: dict) -> Outcome:
    """POST `body` to the robot and read its answer (HTTP status and the JSON errcode)."""
    timeout = getattr(settings, "NOTIFY_TIMEOUT", TIMEOUT)
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(
        robot_url(robot),
        data=data,
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - http(s) base from settings
            status, raw = response.status, response.read(65536)
    except urllib.error.HTTPError as exc:
        # 4xx but 408/429: the request itself is wrong, retrying will not mend it.
        permanent = 400 <= exc.code < 500 and exc.code not in (408, 429)
        return Outcome(False, f"HTTP {exc.code}", retry=not permanent, throttled=exc.code == 429)
    except TimeoutError:
        return Outcome(False, f"timed out after {timeout} s")
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError):
            return Outcome(False, f"timed out after {timeout} s")
        return Outcome(False, f"connection failed: {reason}")
    except OSError as exc:  # reset connections and the like
        return Outcome(False, f"connection failed: {exc.__class__.__name__}")
    try:
        answer = json.loads(raw.decode("utf-8"))
        errcode = int(answer.get("errcode", 0))
        errmsg = str(answer.get("errmsg", ""))[:200]
    except (ValueError, AttributeError, TypeError):
        return Outcome(False, f"HTTP {status}: the answer is not the robot's JSON")
    if errcode == 0:
        return Outcome(True)
    error = f"errcode {errcode}: {errmsg}"
    if errcode in RATE_LIMITED:
        return Outcome(False, error, throttled=True)
    # Any other errcode (a wrong key, a failed signature, a keyword missing) is permanent.
    return Outcome(False, error, retry=errcode in BUSY)


def backoff(attempts: int, rng: random.Random | None = None) -> timedelta:
    """The wait after the `attempts`-th failed attempt: doubling from a minute, capped, jittered."""
    base = min(BACKOFF_BASE * 2 ** max(attempts - 1, 0), BACKOFF_CAP)
    return timedelta(seconds=base * (1 + JITTER * (rng or random).random()))


def _lease(limit: int) -> timedelta:
    timeout = getattr(settings, "NOTIFY_TIMEOUT", TIMEOUT)
    return timedelta(seconds=limit * (timeout + 1) + 60)


def claim(now: datetime, limit: int) -> list[Delivery]:
    """Take up to `limit` due deliveries for this worker, in one short transaction."""
    with transaction.atomic():
        due = Delivery.objects.filter(status__in=Delivery.PENDING, next_attempt_at__lte=now)
        due = due.order_by("next_attempt_at", "pk")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True, of=("self",))
        rows = list(due.select_related("robot")[:limit])
        if not rows:
            return []
        recent = _sent_last_minute(now, {row.robot_id for row in rows})
        taken, later = [], []
        for row in rows:
            if recent.get(row.robot_id, 0) >= PER_MINUTE:
                later.append(row.pk)  # the robot's minute is full: wait, costs no attempt
            else:
                recent[row.robot_id] = recent.get(row.robot_id, 0) + 1
                taken.append(row)
        if later:
            Delivery.objects.filter(pk__in=later).update(
                next_attempt_at=now + timedelta(seconds=RATE_LIMIT_WAIT)
            )
        # The attempt counts now, so a worker dying mid-send still uses one up.
        Delivery.objects.filter(pk__in=[row.pk for row in taken]).update(
            next_attempt_at=now + _lease(limit), attempts=F("attempts") + 1
        )
    for row in taken:
        row.attempts += 1
    return taken


def _sent_last_minute(now: datetime, robot_ids) -> dict[int, int]:
    rows = (
        Delivery.objects.filter(
            robot_id__in=robot_ids,
            status=Delivery.Status.SENT,
            sent_at__gt=now - timedelta(seconds=RATE_LIMIT_WAIT),
        )
        .values("robot_id")
        .annotate(n=Count("pk"))
    )
    return {row["robot_id"]: row["n"] for row in rows}


def record(delivery: Delivery, outcome: Outcome, now: datetime, rng=None) -> str:
    """Store the outcome of one attempt; answers the new status."""
    robot = delivery.robot
    fields = {"attempts": delivery.attempts}
    if outcome.ok:
        fields.update(status=Delivery.Status.SENT, sent_at=now, next_attempt_at=None)
        fields["last_error"] = ""
    else:
        error = scrub(outcome.error, robot)[:300]
        fields["last_error"] = error
        if outcome.throttled and now - delivery.created_at < RATE_LIMIT_GIVE_UP:
            wait = max(backoff(delivery.attempts, rng), timedelta(seconds=RATE_LIMIT_WAIT))
            fields.update(status=Delivery.Status.RETRYING, next_attempt_at=now + wait)
        elif outcome.retry and not outcome.throttled and delivery.attempts < MAX_ATTEMPTS:
            fields.update(
                status=Delivery.Status.RETRYING,
                next_attempt_at=now + backoff(delivery.attempts, rng),
            )
        else:
            fields.update(status=Delivery.Status.DEAD, next_attempt_at=None)
    # The robot may have been disabled meanwhile (its pending rows are dead then): keep that.
    Delivery.objects.filter(pk=delivery.pk, status__in=Delivery.PENDING).update(**fields)
    for name, value in fields.items():
        setattr(delivery, name, value)
    level = logging.INFO if outcome.ok else logging.WARNING
    log.log(
        level,
        "delivery %s (%s) to %s attempt %s: %s",
        delivery.pk,
        delivery.event,
        masked_url(robot),
        delivery.attempts,
        "sent" if outcome.ok else f"{fields['status']} ({fields['last_error']})",
    )
    return fields["status"]


def deliver_due(now: datetime | None = None, limit: int = 100, rng=None) -> dict[str, int]:
    """One pass: send up to `limit` due deliveries. Answers counts by resulting status."""
    fixed = now
    counts = {"sent": 0, "retrying": 0, "dead": 0}
    for delivery in claim(fixed or timezone.now(), limit):
        if not delivery.robot.is_active:
            outcome = Outcome(False, _("The robot was disabled."), retry=False)
        else:
            outcome = post(delivery.robot, delivery.body)
        status = record(delivery, outcome, fixed or timezone.now(), rng)
        counts[status] = counts.get(status, 0) + 1
    return counts
