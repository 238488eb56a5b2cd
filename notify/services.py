"""Writes of notify: robots (add, disable) and queued deliveries (announce, test message).

Nothing here talks to the network: a delivery is a row that `notify.jobs.deliver_due` sends
later, so a slow robot never slows a page and a rolled-back write never sends anything.
"""

from urllib.parse import parse_qs, urlsplit

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.errors import ServiceError
from places.models import Unit

from .messages import body_for
from .models import Delivery, Robot

ROBOT_FIELDS = ["unit", "name", "vendor", "message_format", "is_active"]
TEST_EVENT = "robot.test"


def extract_key(value: str) -> str:
    """The key from a pasted webhook address (…?key=K or …?access_token=T), or the value."""
    value = value.strip()
    if "://" in value or "?" in value:
        query = parse_qs(urlsplit(value).query)
        for name in ("key", "access_token"):
            if query.get(name):
                return query[name][0].strip()
    return value


def _robot_snapshot(robot: Robot) -> dict:
    # The key and secret never enter the audit log: only whether a secret is set.
    snap = audit.snapshot(robot, ROBOT_FIELDS)
    snap["key"] = robot.key_hint
    snap["signed"] = bool(robot.secret)
    return snap


@transaction.atomic
def create_robot(
    *,
    unit: Unit,
    name: str,
    vendor: str,
    key: str,
    actor,
    message_format: str = Robot.Format.MARKDOWN,
    secret: str = "",
) -> Robot:
    """Add a group robot to a grid, village, community or township."""
    if unit.kind not in Robot.UNIT_KINDS or unit.township_id is None:
        raise ServiceError(
            _("Robots belong to townships, villages, communities and grids."), code="bad_unit"
        )
    key, secret = extract_key(key), secret.strip()
    if not key:
        raise ServiceError(_("Enter the robot's webhook key or access token."), code="no_key")
    if secret and vendor != Robot.Vendor.DINGTALK:
        raise ServiceError(_("Only DingTalk robots have a signing secret."), code="secret")
    robot = Robot(
        township_id=unit.township_id,
        unit=unit,
        name=name.strip() or unit.work_group or unit.name,
        vendor=vendor,
        message_format=message_format,
        key=key,
        secret=secret,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    robot.full_clean()
    robot.save()
    audit.record(
        actor=actor, action="create", obj=robot, changes=audit.diff({}, _robot_snapshot(robot))
    )
    return robot


@transaction.atomic
def disable_robot(*, robot: Robot, actor, reason: str = "") -> Robot:
    """Stop posting to a robot; its queued deliveries are given up, its history stays."""
    robot = Robot.objects.select_for_update().get(pk=robot.pk)
    if not robot.is_active:
        return robot
    before = _robot_snapshot(robot)
    robot.is_active = False
    robot.save(update_fields=["is_active"])
    Delivery.objects.filter(robot=robot, status__in=Delivery.PENDING).update(
        status=Delivery.Status.DEAD,
        next_attempt_at=None,
        last_error=_("The robot was disabled."),
    )
    audit.record(
        actor=actor,
        action="disable",
        obj=robot,
        changes=audit.diff(before, _robot_snapshot(robot)),
        reason=reason,
    )
    return robot


def robots_for(unit: Unit) -> list[Robot]:
    """The active robots that speak for `unit`: its own, or its nearest ancestor's that has any,
    up to its village or community (never the township's, unless `unit` is the township).

    The chain of a grid or 联户 is its parent grids, then the village it lies in; a villagers'
    group's is its village. One query.
    """
    ancestors = unit.ancestor_paths()
    candidates = Q(unit__path__in=[unit.path, *ancestors])
    if unit.village_id:
        candidates |= Q(unit_id=unit.village_id)
    robots = Robot.objects.filter(candidates, is_active=True).select_related("unit")
    above = (Unit.Kind.TOWNSHIP, Unit.Kind.COUNTY)

    def rank(robot: Robot) -> int:
        if robot.unit_id == unit.pk:
            return 0
        if robot.unit.path in ancestors:  # the nearer, the deeper its path
            return 100 - len(robot.unit.path)
        return 100  # the village of a grid: after every parent grid

    robots = [r for r in robots if r.unit_id == unit.pk or r.unit.kind not in above]
    ranked = sorted(robots, key=lambda robot: (rank(robot), robot.pk))
    if not ranked:
        return []
    best = rank(ranked[0])
    return [robot for robot in ranked if rank(robot) == best]


def _queue(*, robots, event: str, title: str, markdown: str, actor) -> list[Delivery]:
    now = timezone.now()
    creator = actor if getattr(actor, "pk", None) else None
    return Delivery.objects.bulk_create(
        [
            Delivery(
                township_id=robot.township_id,
                robot=robot,
                event=event[:40],
                title=title[:200],
                body=body_for(
                    vendor=robot.vendor,
                    message_format=robot.message_format,
                    title=title,
                    markdown=markdown,
                ),
                status=Delivery.Status.QUEUED,
                next_attempt_at=now,
                created_by=creator,
            )
            for robot in robots
        ]
    )


def announce(*, unit: Unit, event: str, title: str, markdown: str, actor=None) -> int:
    """Queue a message for the work group(s) of `unit` (see `robots_for`).

    Call it inside the caller's transaction: the deliveries commit or roll back with the
    caller's write, and nothing is sent here. Returns the number of deliveries queued (0 when
    no unit up the chain has an active robot). Two queries: the robots, one INSERT (no
    savepoint of its own: the rows are one statement, atomic by themselves).
    """
    robots = robots_for(unit)
    return len(_queue(robots=robots, event=event, title=title, markdown=markdown, actor=actor))


@transaction.atomic
def queue_test(*, robot: Robot, actor) -> Delivery:
    """Queue a test message to one robot (the "send a test message" button)."""
    if not robot.is_active:
        raise ServiceError(_("This robot is disabled."), code="inactive", status=409)
    title = _("Test message from Xiangzhi")
    markdown = _(
        "### Test message\n"
        "This work group will receive the notices of **%(unit)s** from Xiangzhi (乡治).\n"
        "- sent by: %(actor)s"
    ) % {"unit": robot.unit.name, "actor": getattr(actor, "name", "") or str(actor)}
    (delivery,) = _queue(
        robots=[robot], event=TEST_EVENT, title=title, markdown=markdown, actor=actor
    )
    return delivery
