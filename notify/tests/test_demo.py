"""The demo robots (notify/demo.py) on the small test township renamed as the demo's units."""

import random

from notify import demo
from notify.models import Delivery, Robot
from places.models import Unit


def test_demo_robots_land_on_the_named_units_once(town):
    Unit.objects.filter(pk=town.villages[0].pk).update(name="和平社区")
    Unit.objects.filter(pk=town.grids[1].pk).update(name="和平社区002网格", work_group="联户群")
    Unit.objects.filter(pk=town.villages[1].pk).update(name="达依村")
    town.township.refresh_from_db()
    counts = demo.seed([town.township], random.Random("xiangzhi-notify"))
    assert counts == {"达依乡": {"work-group robots": 3}}
    signed = Robot.objects.get(unit=town.grids[1])
    assert (
        signed.vendor == "dingtalk" and signed.secret.startswith("SEC") and signed.name == "联户群"
    )
    assert not Delivery.objects.exists()
    assert demo.seed([town.township], random.Random("xiangzhi-notify")) == {}
    assert Robot.objects.count() == 3


def test_other_townships_get_nothing(other_town):
    assert demo.seed([other_town.township], random.Random(1)) == {}
