"""Demo work-group robots for 达依乡 (called by `seed_demo`): fake keys, no deliveries.

和平社区 and its 002 grid (the article's "和平社区002网格联户群") get a robot each, and 达依村
one in plain text, so the unit pages show the panel and the fallback up the tree. The keys are
fake: a worker pointed at the real vendors would have them refused (and give them up).
"""

import random

from people.models import User
from places.models import Unit

from . import services
from .models import Robot

TOWNSHIP = "达依乡"
ROBOTS = (
    # unit name, vendor, format, signed
    ("和平社区", Robot.Vendor.WECOM, Robot.Format.MARKDOWN, False),
    ("和平社区002网格", Robot.Vendor.DINGTALK, Robot.Format.MARKDOWN, True),
    ("达依村", Robot.Vendor.WECOM, Robot.Format.TEXT, False),
)


def seed(townships: list[Unit], rng: random.Random) -> dict[str, dict[str, int]]:
    """Load the demo data; returns counts per township name, printed by `seed_demo`."""
    township = next((t for t in townships if t.name == TOWNSHIP), None)
    if township is None:
        return {}
    actor = User.objects.filter(username="dayi_secretary").first()
    units = {
        unit.name: unit
        for unit in Unit.objects.filter(township=township, name__in=[r[0] for r in ROBOTS])
    }
    made = 0
    for name, vendor, message_format, signed in ROBOTS:
        unit = units.get(name)
        if unit is None or Robot.objects.filter(unit=unit).exists():
            continue
        services.create_robot(
            unit=unit,
            name=unit.work_group or f"{unit.name}工作群",
            vendor=vendor,
            message_format=message_format,
            key=f"demo-{rng.getrandbits(128):032x}",
            secret=f"SECdemo{rng.getrandbits(160):040x}" if signed else "",
            actor=actor,
        )
        made += 1
    return {TOWNSHIP: {"work-group robots": made}} if made else {}
